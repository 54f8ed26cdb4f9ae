// Package store keeps Sahay's state in SQLite or PostgreSQL. Every SQL
// statement of the project lives in this package. Queries are written once in
// PostgreSQL's $N style, which the SQLite driver binds by number too; only
// migrations and full-text search differ by dialect.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store is the database. Its zero value is not usable; call [Open].
type Store struct {
	dialect string
	// db takes writes. On SQLite it has a single connection, which w holds,
	// so writers queue in Go instead of spinning on SQLITE_BUSY.
	db *sql.DB
	// read serves reads; on PostgreSQL it is the same pool as db.
	read *sql.DB
	// w is SQLite's writer and ckpt its checkpointer; nil on PostgreSQL.
	w    *writer
	ckpt *checkpointer
	path string
}

// Open connects to the database named by url: a postgres:// URL, or a path
// to a SQLite file (a "sqlite:" prefix is allowed). A SQLite path may end
// in "?synchronous=full": each commit then waits for the disk (see
// [SQLiteSynchronous]).
func Open(ctx context.Context, url string) (*Store, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: connect postgres: %w", err)
		}
		return &Store{dialect: Postgres, db: db, read: db}, nil
	}
	path, synchronous, err := sqliteOptions(strings.TrimPrefix(url, "sqlite:"))
	if err != nil {
		return nil, err
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// temp_store(MEMORY): savepoints journal to memory, not a temporary file.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(" + synchronous + ")&_pragma=temp_store(MEMORY)"
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=wal_autocheckpoint("+strconv.Itoa(walLimitPages)+")&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	read.SetConnMaxLifetime(0)
	ckpt, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		db.Close()
		read.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	ckpt.SetMaxOpenConns(1)
	ckpt.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		read.Close()
		ckpt.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	return &Store{dialect: SQLite, db: db, read: read, w: newWriter(db), ckpt: newCheckpointer(ckpt), path: path}, nil
}

// SQLite's synchronous settings: how far a commit waits for the disk.
const (
	// SyncNormal, the default, has the WAL file reach the disk at
	// checkpoints only. A commit survives the process crashing or being
	// killed, but the last ones before a power loss or an operating
	// system crash may be lost (the database stays consistent).
	SyncNormal = "normal"
	// SyncFull has every commit wait until the WAL file is on the disk: it
	// also survives a power loss, for one fsync per commit (per batch of
	// received messages, with group commit).
	SyncFull = "full"
)

// SQLiteSynchronous returns the SQLite path with the synchronous setting
// s (SyncNormal or SyncFull) for [Open].
func SQLiteSynchronous(path, s string) string {
	if s == "" || s == SyncNormal {
		return path
	}
	return path + "?synchronous=" + s
}

// sqliteOptions splits a SQLite path from its options and returns the
// synchronous pragma they ask for.
func sqliteOptions(path string) (string, string, error) {
	path, query, found := strings.Cut(path, "?")
	if !found {
		return path, "NORMAL", nil
	}
	opts, err := neturl.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("store: sqlite options %q: %w", query, err)
	}
	sync := SyncNormal
	for k, v := range opts {
		if k != "synchronous" || len(v) != 1 || (v[0] != SyncNormal && v[0] != SyncFull) {
			return "", "", fmt.Errorf("store: sqlite option %q: want synchronous=%s or synchronous=%s", query, SyncNormal, SyncFull)
		}
		sync = v[0]
	}
	return path, strings.ToUpper(sync), nil
}

// Dialect returns SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// Close closes the connections, after the write in progress if there is one.
func (s *Store) Close() error {
	var err error
	if s.w != nil {
		s.w.lock(context.Background())
		err = s.w.release()
		s.w.unlock()
		err = errors.Join(err, s.ckpt.close())
	}
	err = errors.Join(err, s.db.Close())
	if s.read != s.db {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	if s.dialect == Postgres {
		d = goose.DialectPostgres
	}
	return goose.NewProvider(d, s.db, sub)
}

// withPool runs fn while no write runs and the write pool's connection is
// free, for goose, which takes its connection from the pool itself.
func (s *Store) withPool(ctx context.Context, fn func() error) error {
	if s.w == nil {
		return fn()
	}
	if err := s.w.lock(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer s.w.unlock()
	if err := s.w.release(); err != nil {
		return fmt.Errorf("store: release writer: %w", err)
	}
	// A migration may rebuild message_terms.
	s.w.terms = nil
	return fn()
}

// Migrate brings the schema up to date.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	return s.withPool(ctx, func() error {
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		return nil
	})
}

// MigrationsCurrent reports whether every migration has been applied.
func (s *Store) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, err := s.provider()
	if err != nil {
		return false, err
	}
	var pending bool
	err = s.withPool(ctx, func() error {
		pending, err = p.HasPending(ctx)
		if err != nil {
			return fmt.Errorf("store: check migrations: %w", err)
		}
		return nil
	})
	return !pending, err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Backup writes a consistent copy of a SQLite database to path while it is in
// use (VACUUM INTO reads one snapshot).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return sahay.Invalid("backup copies SQLite databases; use pg_dump for PostgreSQL")
	}
	// VACUUM INTO fills an empty file and keeps its mode: the copy is
	// readable by its owner only, like the database.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return sahay.Invalid("%s already exists", path)
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	f.Close()
	if err := s.vacuumInto(ctx, path); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func (s *Store) vacuumInto(ctx context.Context, path string) error {
	// A connection of its own: the readers are query-only, and the writer
	// must stay free for the application while the copy is made.
	db, err := sql.Open("sqlite", "file:"+s.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// createPrivate creates the SQLite database file at path, and its
// directory, readable by their owner only, unless the file exists. SQLite
// gives its -wal and -shm files the mode of the database file.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// queryer is what *sql.DB, *sql.Tx and the SQLite writer offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writeOutside runs fn's statements outside a transaction, each committed by
// itself. On SQLite they run on the writer connection in its turn: a second
// writer would have to wait for SQLite's lock, or fail with SQLITE_BUSY.
func (s *Store) writeOutside(ctx context.Context, fn func(q queryer) error) error {
	if s.w == nil {
		return fn(s.db)
	}
	if err := s.w.lock(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer s.w.unlock()
	q, err := s.w.queryer(ctx)
	if err != nil {
		return err
	}
	return fn(q)
}

// Tx is a write transaction. Events appended in it are returned by
// [Store.Write] once it commits, for the caller to publish.
type Tx struct {
	s *Store
	// tx runs the transaction's statements: pg on PostgreSQL, the writer
	// connection on SQLite.
	tx queryer
	// pg is the transaction on PostgreSQL, on whose connection several
	// statements are sent at once (see sendTogether).
	pg *pgTx
	// events are the events appended so far, stored just before commit.
	events []sahay.Event
	// locked are the accounts locked so far, with their event numbers.
	locked []lockedAccount
	// counted holds the view count changes made since the last event, for
	// that event to carry.
	counted []sahay.CountChange
	// sp is the number of savepoints open.
	sp  int
	now time.Time
	// newTerms are the words this transaction stored in message_terms
	// outside any savepoint, known to be there once it commits.
	newTerms []string
	// encodings are events whose data is being encoded.
	encodings []*encoding
}

// Now is the transaction's clock: one instant for every row it writes.
func (t *Tx) Now() time.Time { return t.now }

// Write runs fn in one transaction and returns the events it committed.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) ([]sahay.Event, error) {
	if s.w != nil {
		return s.writeSQLite(ctx, fn)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	defer conn.Close()
	p := &pgTx{conn: conn}
	t := &Tx{s: s, tx: p, pg: p, now: time.Now().UTC().Truncate(time.Millisecond)}
	committed := false
	defer func() {
		// Also when fn panics or COMMIT fails: an open transaction would
		// hold an account's row lock for ever. (A connection left in a
		// transaction is not used again: the driver closes it.)
		if p.begun && !committed {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		t.awaitEncodings()
	}()
	if err := fn(t); err != nil {
		if p.err != nil {
			return nil, p.err
		}
		return nil, err
	}
	if err := t.awaitEncodings(); err != nil {
		return nil, err
	}
	if err := t.commitPostgres(ctx); err != nil {
		return nil, err
	}
	committed = true
	return t.events, nil
}

// writeSQLite is [Store.Write] on the writer connection. The search index
// receives the transaction's messages just before COMMIT, in one statement:
// FTS5 writes its pending index data at every savepoint, and a message per
// statement would make an index segment of each message.
func (s *Store) writeSQLite(ctx context.Context, fn func(*Tx) error) ([]sahay.Event, error) {
	if err := s.w.lock(ctx); err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	defer s.w.unlock()
	q, err := s.w.queryer(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	t := &Tx{s: s, tx: q, now: time.Now().UTC().Truncate(time.Millisecond)}
	committed := false
	defer func() {
		// Also when fn panics or COMMIT fails: an open transaction would
		// keep the writer connection from every later write.
		if !committed {
			q.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		// No encoding goes on once the caller has the transaction's end.
		t.awaitEncodings()
	}()
	if err := fn(t); err != nil {
		return nil, err
	}
	if err := t.awaitEncodings(); err != nil {
		return nil, err
	}
	if err := t.storeEvents(ctx); err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	committed = true
	s.w.knowTerms(t.newTerms)
	s.ckpt.nudge()
	return t.events, nil
}

// Savepoint runs fn so that, if it fails, only its own writes and events are
// undone and the transaction goes on. Group commit uses it to keep one bad
// message from failing a whole batch.
func (t *Tx) Savepoint(ctx context.Context, fn func() error) error {
	// A savepoint that fails drops the events appended inside it: those
	// appended before are encoded first.
	if err := t.awaitEncodings(); err != nil {
		return err
	}
	// Named by depth, so the same few statements recur and stay prepared.
	t.sp++
	defer func() { t.sp-- }()
	name := "sp" + strconv.Itoa(t.sp)
	mark, counted := len(t.events), len(t.counted)
	// The accounts locked inside the savepoint are unlocked with it on
	// PostgreSQL, and the numbers of its events are free again.
	locked := slices.Clone(t.locked)
	// Once begun, the savepoint is ended whatever becomes of ctx: one left
	// open would let a failed message's writes commit with the others.
	end := context.WithoutCancel(ctx)
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	if err := fn(); err != nil {
		// Messages fn stored are gone, and with them what it indexed and
		// the search cursor it moved.
		t.events, t.counted, t.locked = t.events[:mark], t.counted[:counted], locked
		// Its events are gone: their encoding is waited for and dropped
		// (the savepoint began with none).
		for _, enc := range t.encodings {
			enc.wg.Wait()
		}
		t.encodings = nil
		if _, rerr := t.tx.ExecContext(end, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: rollback to savepoint: %w", rerr))
		}
		t.tx.ExecContext(end, "RELEASE SAVEPOINT "+name)
		return err
	}
	if _, err := t.tx.ExecContext(end, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("store: release savepoint: %w", err)
	}
	return nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "duplicate key value")
}

// Deadlocked reports whether err ended a transaction that PostgreSQL chose
// to end to break a deadlock: tried again, it may well succeed.
func Deadlocked(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

// notFound turns sql.ErrNoRows into a domain not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return sahay.NotFound(what)
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// placeholders returns "$from, $from+1, …" for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
