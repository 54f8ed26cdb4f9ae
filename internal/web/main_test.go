package web_test

import (
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/testenv"
)

// TestMain runs the tests and says which suites did not run for want of
// their environment.
func TestMain(m *testing.M) {
	testenv.Main(m, testenv.Suite{Env: browserEnv, What: "browser tests"}, testenv.Suite{Env: apitest.PostgresEnv, What: "PostgreSQL runs of the main browser flows"})
}
