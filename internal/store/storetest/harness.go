// Package storetest is the conformance suite of the store: one set of tests
// that every dialect must pass, and the harness that opens a fresh, migrated
// store per test. Other packages' tests reuse the harness and fixtures to run
// on SQLite always and on PostgreSQL when SAHAY_TEST_POSTGRES_URL is set:
//
//	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
//		st := open(t)
//		…
//	})
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/store"
)

// PostgresEnv names the environment variable holding the URL of a PostgreSQL
// database the tests may create schemas in, for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "SAHAY_TEST_POSTGRES_URL"

// PostgresSkip is the message of a PostgreSQL test skipped for want of a
// database.
const PostgresSkip = PostgresEnv + " not set: PostgreSQL conformance skipped"

// Dialects runs fn as one subtest per dialect: "sqlite" always, "postgres"
// when [PostgresEnv] is set (skipped with [PostgresSkip] otherwise). open
// returns a fresh, migrated store that is closed and removed when the test
// that opened it ends.
func Dialects(t *testing.T, fn func(t *testing.T, open func(*testing.T) *store.Store)) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			if dialect == store.Postgres && os.Getenv(PostgresEnv) == "" {
				t.Skip(PostgresSkip)
			}
			fn(t, func(t *testing.T) *store.Store { return Open(t, dialect) })
		})
	}
}

// raw is how to reach a store's database without going through the store.
type raw struct {
	driver, dsn string
	once        sync.Once
	db          *sql.DB
	err         error
}

// opened maps each store opened by [Open] to its database.
var opened sync.Map // *store.Store → *raw

// Open returns a fresh, migrated store of the dialect (store.SQLite or
// store.Postgres), closed when t ends. SQLite gets a file in t.TempDir();
// PostgreSQL gets a schema of its own, dropped when t ends. Without
// [PostgresEnv] a PostgreSQL test is skipped.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	ctx := context.Background()
	var dbURL string
	r := &raw{}
	switch dialect {
	case store.SQLite:
		path := filepath.Join(t.TempDir(), "sahay.db")
		dbURL = path
		r.driver, r.dsn = "sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)"
	case store.Postgres:
		base := os.Getenv(PostgresEnv)
		if base == "" {
			t.Skip(PostgresSkip)
		}
		schema := "t_" + randomHex(8)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatalf("storetest: open %s: %v", PostgresEnv, err)
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			t.Fatalf("storetest: create schema: %v", err)
		}
		// Registered before the store's Close, so it runs after it.
		t.Cleanup(func() { dropSchema(t, base, schema) })
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("storetest: %s: %v", PostgresEnv, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		// Tests need no durability across a crash of the server, and
		// waiting for each commit to reach the disk makes them slow.
		q.Set("synchronous_commit", "off")
		u.RawQuery = q.Encode()
		dbURL = u.String()
		r.driver, r.dsn = "pgx", dbURL
	default:
		t.Fatalf("storetest: unknown dialect %q", dialect)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("storetest: open %s store: %v", dialect, err)
	}
	t.Cleanup(func() {
		opened.Delete(st)
		if r.db != nil {
			r.db.Close()
		}
		if err := st.Close(); err != nil {
			t.Errorf("storetest: close store: %v", err)
		}
	})
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate %s store: %v", dialect, err)
	}
	opened.Store(st, r)
	return st
}

// DB returns a separate connection pool on the database of a store from
// [Open], for checks that must not trust the store's own queries. On SQLite
// it is read-only. It is closed with the store.
func DB(t testing.TB, st *store.Store) *sql.DB {
	t.Helper()
	v, ok := opened.Load(st)
	if !ok {
		t.Fatalf("storetest: DB: store was not opened by storetest.Open")
	}
	r := v.(*raw)
	r.once.Do(func() {
		r.db, r.err = sql.Open(r.driver, r.dsn)
		if r.err == nil {
			r.db.SetMaxOpenConns(2)
		}
	})
	if r.err != nil {
		t.Fatalf("storetest: open raw %s: %v", r.driver, r.err)
	}
	return r.db
}

// dropSchema drops a test's schema. A transaction the test leaked (a bug
// the test may well have found) would make DROP wait for its locks for
// ever, so such sessions are ended first.
func dropSchema(t testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Errorf("storetest: drop schema %s: %v", schema, err)
		return
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Errorf("storetest: drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET lock_timeout = '3s'"); err != nil {
		t.Errorf("storetest: drop schema %s: %v", schema, err)
		return
	}
	for attempt := 0; ; attempt++ {
		_, err := conn.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		if err == nil {
			return
		}
		if attempt == 2 {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		t.Logf("storetest: drop schema %s: %v; ending the sessions that hold its locks", schema, err)
		conn.ExecContext(ctx, `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
			JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = $1 AND l.pid <> pg_backend_pid()`, schema)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
