package store_test

import (
	"testing"

	"github.com/sahayhq/sahay/internal/store/storetest"
)

// TestConformance runs the conformance suite on SQLite, and on PostgreSQL
// when SAHAY_TEST_POSTGRES_URL is set.
func TestConformance(t *testing.T) {
	storetest.Dialects(t, storetest.Run)
}
