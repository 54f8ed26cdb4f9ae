package store

import "testing"

// SetRecentScanRows sets, for the rest of the test, how many of the newest
// candidates SQLite search checks itself before asking FTS5 (0: none).
func SetRecentScanRows(t testing.TB, n int) {
	old := recentScanRows
	recentScanRows = n
	t.Cleanup(func() { recentScanRows = old })
}
