package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// maxWriterStmts bounds the writer's statement cache. The store has a few
// dozen fixed write statements; queries built with a variable number of
// placeholders may add more, and past the bound they run unprepared.
const maxWriterStmts = 256

// writer is SQLite's one write connection. Transactions and the writes made
// outside them take turns on it, so SQLite never sees two writers; and each
// query text is prepared on it once, since parsing and planning a statement
// costs more than running most of the store's.
type writer struct {
	// db is a pool of one connection, which conn holds while it is open.
	db *sql.DB
	// turn holds a token while a transaction or a single write runs; a
	// channel rather than a mutex so that waiting for it honours the
	// caller's context.
	turn   chan struct{}
	conn   *sql.Conn
	stmts  map[string]*sql.Stmt
	broken bool
	// terms holds words message_terms is known to hold: committed, and
	// never deleted. A batch inserts only the words it does not hold,
	// sparing the writer a lookup of each. Used only during a turn.
	terms map[string]struct{}
}

// maxKnownTerms bounds writer.terms, about 2 MB of words; once full it
// is emptied and fills again with the words the messages use now.
const maxKnownTerms = 1 << 15

// knowTerms notes words a committed transaction stored in message_terms.
func (w *writer) knowTerms(words []string) {
	if len(w.terms)+len(words) > maxKnownTerms {
		w.terms = nil
	}
	if w.terms == nil {
		w.terms = make(map[string]struct{}, len(words))
	}
	for _, word := range words {
		w.terms[word] = struct{}{}
	}
}

func newWriter(db *sql.DB) *writer {
	return &writer{db: db, turn: make(chan struct{}, 1)}
}

// lock waits for the writer's turn.
func (w *writer) lock(ctx context.Context) error {
	select {
	case w.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// queryer returns the connection's [queryer] for the turn, opening the
// connection if it is not open.
func (w *writer) queryer(ctx context.Context) (queryer, error) {
	if w.conn == nil {
		conn, err := w.db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: writer connection: %w", err)
		}
		w.conn, w.stmts = conn, map[string]*sql.Stmt{}
	}
	return writerConn{w}, nil
}

// unlock ends the turn. A connection the driver gave up on is released, to
// be replaced on the next turn.
func (w *writer) unlock() {
	if w.broken {
		w.release()
	}
	<-w.turn
}

// release closes the prepared statements and hands the connection back to
// the pool. It is called during a turn.
func (w *writer) release() error {
	if w.conn == nil {
		return nil
	}
	var err error
	for _, st := range w.stmts {
		err = errors.Join(err, st.Close())
	}
	err = errors.Join(err, w.conn.Close())
	w.conn, w.stmts, w.broken = nil, nil, false
	return err
}

// stmt returns the statement prepared for query, or nil if it should run
// unprepared.
func (w *writer) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := w.stmts[query]; ok {
		return st
	}
	if len(w.stmts) >= maxWriterStmts {
		return nil
	}
	st, err := w.conn.PrepareContext(ctx, query)
	if err != nil {
		// Running it unprepared reports the error.
		return nil
	}
	w.stmts[query] = st
	return st
}

// check notes an error that means the connection is gone.
func (w *writer) check(err error) {
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		w.broken = true
	}
}

// writerConn is the [queryer] of the writer during its turn.
//
// Statements run without the caller's cancellation, which is checked
// before each one instead. The SQLite driver interrupts a statement whose
// context ends, and SQLite answers an interrupted write inside a
// transaction by rolling back the whole transaction: with group commit,
// one caller giving up would undo the others' messages, and the statements
// after it would run outside any transaction. Without a cancellable
// context the driver also skips the goroutine it starts per statement to
// watch for one.
type writerConn struct{ w *writer }

func (c writerConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	var res sql.Result
	var err error
	if st := c.w.stmt(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = c.w.conn.ExecContext(ctx, query, args...)
	}
	c.w.check(err)
	return res, err
}

func (c writerConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	var rows *sql.Rows
	var err error
	if st := c.w.stmt(ctx, query); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = c.w.conn.QueryContext(ctx, query, args...)
	}
	c.w.check(err)
	return rows, err
}

func (c writerConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if ctx.Err() != nil {
		// A *sql.Row cannot be made with an error; the connection's own
		// method returns one carrying the context's.
		return c.w.conn.QueryRowContext(ctx, query, args...)
	}
	ctx = context.WithoutCancel(ctx)
	var row *sql.Row
	if st := c.w.stmt(ctx, query); st != nil {
		row = st.QueryRowContext(ctx, args...)
	} else {
		row = c.w.conn.QueryRowContext(ctx, query, args...)
	}
	c.w.check(row.Err())
	return row
}
