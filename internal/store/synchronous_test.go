package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLiteSynchronous checks that the synchronous option reaches the
// writer connection, whose commits it governs, and that a bad option is
// refused before anything is created.
func TestSQLiteSynchronous(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		setting string
		want    int // PRAGMA synchronous: 1 NORMAL, 2 FULL
	}{{"", 1}, {SyncNormal, 1}, {SyncFull, 2}} {
		st, err := Open(ctx, SQLiteSynchronous(filepath.Join(dir, "sync-"+tc.setting+".db"), tc.setting))
		if err != nil {
			t.Fatalf("open with synchronous %q: %v", tc.setting, err)
		}
		var got int
		err = st.writeOutside(ctx, func(q queryer) error { return q.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got) })
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("synchronous %q: the writer has PRAGMA synchronous = %d, want %d", tc.setting, got, tc.want)
		}
	}
	for _, bad := range []string{"?synchronous=off", "?synchronous=FULL", "?journal_mode=delete", "?synchronous=full&synchronous=normal"} {
		path := filepath.Join(dir, "bad.db")
		if st, err := Open(ctx, path+bad); err == nil {
			st.Close()
			t.Errorf("Open accepted %q", bad)
		}
		if matches, _ := filepath.Glob(path + "*"); len(matches) != 0 {
			t.Errorf("Open with %q created %v", bad, matches)
		}
	}
}
