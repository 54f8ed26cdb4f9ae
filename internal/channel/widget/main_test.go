package widget

import (
	"os"
	"testing"

	"github.com/sahayhq/sahay/internal/store/storetest"
	"github.com/sahayhq/sahay/internal/testenv"
)

// TestMain says which suites did not run for want of their environment.
func TestMain(m *testing.M) {
	testenv.Report(testenv.Suite{Env: "SAHAY_TEST_BROWSER", What: "browser tests"}, testenv.Suite{Env: storetest.PostgresEnv, What: "PostgreSQL run of the visitor chat browser test"})
	os.Exit(m.Run())
}
