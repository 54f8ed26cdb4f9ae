package core_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/store/storetest"
	"github.com/sahayhq/sahay/internal/testenv"
)

// TestMain fails the package if a goroutine of Sahay's outlives the tests:
// every service, runner and batcher must stop when closed.
func TestMain(m *testing.M) {
	testenv.Report(testenv.Suite{Env: storetest.PostgresEnv, What: "PostgreSQL runs of the core tests"})
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines of sahay still running after the tests:\n\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines waits up to wait for every goroutine running Sahay code
// to end, and returns the stacks of those that do not.
func leakedGoroutines(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var ours []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "github.com/sahayhq/sahay/") && !strings.Contains(g, "leakedGoroutines") {
				ours = append(ours, g)
			}
		}
		if len(ours) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(ours, "\n\n")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
