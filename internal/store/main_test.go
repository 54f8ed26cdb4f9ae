package store_test

import (
	"os"
	"testing"

	"github.com/sahayhq/sahay/internal/testenv"
)

// TestMain says which suites did not run for want of their environment.
func TestMain(m *testing.M) {
	testenv.Report(testenv.Suite{Env: "SAHAY_TEST_POSTGRES_URL", What: "PostgreSQL conformance"})
	os.Exit(m.Run())
}
