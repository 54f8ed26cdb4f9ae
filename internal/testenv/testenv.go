// Package testenv tells whoever runs the tests which suites did not run for
// want of an environment variable.
//
// A skipped test says why only in verbose output: `go test ./...` prints
// nothing but "ok" for a package that passes, and drops whatever the test
// binary wrote. So a package's TestMain calls [Report], which writes its
// lines where the go command writes its own: to the go command's standard
// error (on Linux, through /proc), else to the binary's. A TestMain that
// does nothing else is [Main].
package testenv

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Suite is a set of tests that runs only when an environment variable is
// set.
type Suite struct {
	// Env is the variable, and What the tests that need it.
	Env, What string
}

// Report writes one line for each suite whose variable is unset, naming
// the package, the tests skipped and the variable that would run them.
func Report(suites ...Suite) {
	var lines []string
	pkg := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	for _, s := range suites {
		if os.Getenv(s.Env) == "" {
			lines = append(lines, fmt.Sprintf("%s: %s skipped: %s is not set\n", pkg, s.What, s.Env))
		}
	}
	if len(lines) == 0 {
		return
	}
	w := goCommandStderr()
	if c, ok := w.(io.Closer); ok && w != os.Stderr {
		defer c.Close()
	}
	io.WriteString(w, strings.Join(lines, ""))
}

// Main reports the suites whose variable is unset, as [Report], then runs
// the package's tests and exits with their status: a package's whole
// TestMain.
func Main(m *testing.M, suites ...Suite) {
	Report(suites...)
	os.Exit(m.Run())
}

// goCommandStderr returns the standard error of the process that started
// the test binary, which is the go command under `go test`.
func goCommandStderr() io.Writer {
	f, err := os.OpenFile(filepath.Join("/proc", strconv.Itoa(os.Getppid()), "fd", "2"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return os.Stderr
	}
	return f
}
