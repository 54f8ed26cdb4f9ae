package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgTx runs a PostgreSQL transaction's statements on its connection. Its
// BEGIN is not a round trip of its own when it can go with others: it
// waits for the transaction's first statement, and goes in the same round
// trip when that statement is sent together with others (see
// sendTogether); its COMMIT goes with the events (see commitPostgres).
type pgTx struct {
	conn  *sql.Conn
	begun bool
	// err is why BEGIN failed; every statement after it fails too.
	err error
}

func (p *pgTx) begin(ctx context.Context) error {
	if p.err != nil || p.begun {
		return p.err
	}
	// Marked begun before it is sent: a BEGIN that may have run is rolled
	// back.
	p.begun = true
	if _, err := p.conn.ExecContext(ctx, "BEGIN"); err != nil {
		p.err = fmt.Errorf("store: begin: %w", err)
	}
	return p.err
}

func (p *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := p.begin(ctx); err != nil {
		return nil, err
	}
	return p.conn.ExecContext(ctx, query, args...)
}

func (p *pgTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := p.begin(ctx); err != nil {
		return nil, err
	}
	return p.conn.QueryContext(ctx, query, args...)
}

func (p *pgTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := p.begin(ctx); err != nil {
		// A *sql.Row gets its error only from a query: one on an ended
		// context fails before it reaches the server. Store.Write returns
		// p.err rather than that error.
		ended, cancel := context.WithCancel(ctx)
		cancel()
		return p.conn.QueryRowContext(ended, query, args...)
	}
	return p.conn.QueryRowContext(ctx, query, args...)
}

// sendTogether sends the statements of b in the transaction in one round
// trip on PostgreSQL, and has read take their results in order. The
// server runs them one after another, each seeing what the ones before it
// did, as if they had been sent apart. The transaction's BEGIN goes first
// when it was not sent yet.
func (t *Tx) sendTogether(ctx context.Context, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	p := t.pg
	if p == nil {
		return errors.New("store: statements sent together outside a PostgreSQL transaction")
	}
	if p.err != nil {
		return p.err
	}
	if !p.begun {
		p.begun = true
		b.QueuedQueries = slices.Insert(b.QueuedQueries, 0, &pgx.QueuedQuery{SQL: "BEGIN"})
		readAfter := read
		read = func(res pgx.BatchResults) error {
			if _, err := res.Exec(); err != nil {
				return fmt.Errorf("store: begin: %w", err)
			}
			return readAfter(res)
		}
	}
	return p.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: %T is not a pgx connection", dc)
		}
		res := c.Conn().SendBatch(ctx, b)
		err := read(res)
		return errors.Join(err, res.Close())
	})
}

// commitPostgres stores the transaction's events and commits it, in one
// round trip.
func (t *Tx) commitPostgres(ctx context.Context) error {
	if ids := t.sharedAccounts(); len(ids) > 0 {
		if err := t.lockShared(ctx, ids); err != nil {
			return err
		}
	}
	b := &pgx.Batch{}
	if len(t.events) > 0 {
		query, args := t.eventArrays(t.events)
		b.Queue(query, args...)
	} else if !t.pg.begun {
		// Nothing was written.
		return nil
	}
	b.Queue("COMMIT")
	err := t.sendTogether(ctx, b, func(res pgx.BatchResults) error {
		if len(t.events) > 0 {
			if _, err := res.Exec(); err != nil {
				return fmt.Errorf("store: append events: %w", err)
			}
		}
		tag, err := res.Exec()
		if err != nil {
			return fmt.Errorf("store: commit: %w", err)
		}
		if tag.String() != "COMMIT" {
			// The server answers COMMIT with ROLLBACK when a statement of
			// the transaction failed.
			return fmt.Errorf("store: commit: the transaction was rolled back (%s)", tag)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range t.locked {
		t.locked[i].stored = t.locked[i].seq
	}
	return nil
}
