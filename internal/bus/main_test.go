package bus_test

import (
	"testing"

	"github.com/sahayhq/sahay/internal/testenv"
)

// TestMain runs the tests and says which suites did not run for want of
// their environment.
func TestMain(m *testing.M) {
	testenv.Main(m, testenv.Suite{Env: "SAHAY_TEST_NATS_URL", What: "NATS bus tests"})
}
