package store

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSQLiteCheckpointsBesideTheWriter checks that committed pages reach
// the database file while the log is far below the writer's own
// checkpoint: the checkpointer copies them, not the writer.
func TestSQLiteCheckpointsBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var limit int
	if err := st.writeOutside(ctx, func(q queryer) error { return q.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&limit) }); err != nil {
		t.Fatal(err)
	}
	if limit != walLimitPages {
		t.Fatalf("the writer checkpoints every %d pages, want %d", limit, walLimitPages)
	}
	if _, err := st.Write(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, "CREATE TABLE blobs (b BLOB NOT NULL)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	// About 2 MB in twenty transactions: some 500 pages of log, a
	// sixteenth of what makes the writer checkpoint.
	for range 20 {
		if _, err := st.Write(ctx, func(tx *Tx) error {
			for range 100 {
				if _, err := tx.tx.ExecContext(ctx, "INSERT INTO blobs (b) VALUES ($1)", rand.Text()+rand.Text()+string(make([]byte, 1000))); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file has %d bytes 10 s after 2 MB were committed (%d before): no checkpoint copied them", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
