package store

import (
	"context"
	"testing"
)

// SetRecentScanRows sets, for the rest of the test, how many of the newest
// candidates SQLite search checks itself before asking FTS5 (0: none).
func SetRecentScanRows(t testing.TB, n int) {
	old := recentScanRows
	recentScanRows = n
	t.Cleanup(func() { recentScanRows = old })
}

// SetSearchWindow sets, for the rest of the test, how many of the newest
// messages PostgreSQL search walks for a query of several words before
// asking the planner.
func SetSearchWindow(t testing.TB, n int) {
	old := searchWindow
	searchWindow = n
	t.Cleanup(func() { searchWindow = old })
}

// SetAccountScanRows sets, for the rest of the test, how many of a small
// account's messages SQLite search checks itself before asking FTS5 (0:
// none).
func SetAccountScanRows(t testing.TB, n int) {
	old := accountScanRows
	accountScanRows = n
	t.Cleanup(func() { accountScanRows = old })
}

// SmallAccount reports whether SQLite search reads the account's own
// messages first.
func SmallAccount(ctx context.Context, s *Store, accountID int64) (bool, error) {
	return s.smallAccount(ctx, accountID)
}
