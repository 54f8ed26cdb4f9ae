package store

import (
	"context"
	"database/sql"
	"time"
)

// SQLite copies the pages of its write-ahead log back into the database
// file in checkpoints. By default the connection that commits runs them,
// fsync included: on the one writer, every received message would wait
// behind them. The checkpointer runs them on a connection of its own,
// beside the writer, and the writer checkpoints only when the log has
// grown past walLimitPages regardless (a checkpointer that fell behind,
// or readers that kept it from finishing).
const (
	// walLimitPages is the writer's own automatic checkpoint: about 32 MB
	// of log at SQLite's 4 KB pages.
	walLimitPages = 8000
	// checkpointEvery is the least time between two checkpoints.
	checkpointEvery = 50 * time.Millisecond
)

type checkpointer struct {
	db   *sql.DB
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// nudge tells the checkpointer that a transaction committed.
func (c *checkpointer) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			return
		}
		// PASSIVE: copy what no reader still needs, never wait for the
		// writer nor make it wait. A failure is tried again at the next
		// commit; the writer's own checkpoint bounds the log meanwhile.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		cancel()
		select {
		case <-time.After(checkpointEvery):
		case <-c.stop:
			return
		}
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
