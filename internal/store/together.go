package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// sendTogether sends the statements of b in the transaction in one round
// trip on PostgreSQL, and has read take their results in order. The
// server runs them one after another, each seeing what the ones before it
// did, as if they had been sent apart.
func (t *Tx) sendTogether(ctx context.Context, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	if t.conn == nil {
		return errors.New("store: statements sent together outside a PostgreSQL transaction")
	}
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: %T is not a pgx connection", dc)
		}
		res := c.Conn().SendBatch(ctx, b)
		err := read(res)
		return errors.Join(err, res.Close())
	})
}
