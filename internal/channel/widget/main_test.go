package widget

import (
	"testing"

	"github.com/sahayhq/sahay/internal/store/storetest"
	"github.com/sahayhq/sahay/internal/testenv"
)

// TestMain runs the tests and says which suites did not run for want of
// their environment.
func TestMain(m *testing.M) {
	testenv.Main(m, testenv.Suite{Env: "SAHAY_TEST_BROWSER", What: "browser tests"}, testenv.Suite{Env: storetest.PostgresEnv, What: "PostgreSQL run of the visitor chat browser test"})
}
