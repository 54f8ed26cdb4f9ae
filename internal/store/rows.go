package store

import "context"

// rowStatements is one multi-row statement, prefix VALUES (…), … suffix,
// in each size of eventRows and for each dialect: SQLite's anonymous "?"
// placeholders (see valuesStatements) and PostgreSQL's numbered ones. A
// transaction writing many rows then sends a few statements, each of a
// size that stays prepared, rather than one round trip per row.
type rowStatements struct {
	width    int
	sqlite   map[int]string
	postgres map[int]string
}

func newRowStatements(prefix string, width int, suffix string) *rowStatements {
	return &rowStatements{width: width, sqlite: valuesStatements(prefix, width, suffix),
		postgres: sizedStatements(prefix, suffix, func(i int) string { return "(" + placeholders(i*width+1, width) + ")" })}
}

// execRows runs st over args, st.width values per row, the largest
// statements first. The rows are written in the order given: writers
// that give the same keys in the same order cannot deadlock.
func (t *Tx) execRows(ctx context.Context, st *rowStatements, args []any) error {
	statements := st.sqlite
	if t.s.dialect == Postgres {
		statements = st.postgres
	}
	for _, n := range eventRows {
		for len(args) >= n*st.width {
			if _, err := t.tx.ExecContext(ctx, statements[n], args[:n*st.width]...); err != nil {
				return err
			}
			args = args[n*st.width:]
		}
	}
	return nil
}
