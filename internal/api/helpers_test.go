package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/testenv"
)

// TestMain fails the package if a test server leaves goroutines behind:
// every server stops its service, job runner, realtime hub and database
// pools when its test ends.
func TestMain(m *testing.M) {
	testenv.Report(testenv.Suite{Env: apitest.PostgresEnv, What: "PostgreSQL runs of the API tests"})
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines still running after the tests:\n\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines waits up to wait for the goroutines of Sahay's packages
// and of database pools to end, and returns the stacks of those that did
// not.
func leakedGoroutines(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "leakedGoroutines") {
				continue
			}
			if strings.Contains(g, "github.com/sahayhq/sahay/") || strings.Contains(g, "database/sql.(*DB).connectionOpener") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantError fails the test unless r is an error answer with the status and
// code, and a message a person can read.
func wantError(t *testing.T, r *apitest.Response, status int, code string) {
	t.Helper()
	gotCode, msg := r.Error()
	if r.Status != status || gotCode != code {
		t.Errorf("want %d %s; got %s", status, code, r)
		return
	}
	if strings.TrimSpace(msg) == "" {
		t.Errorf("error %s has no message: %s", code, r)
	}
}

// codeFor is the error code the API pairs with an error status.
func codeFor(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnprocessableEntity:
		return "invalid"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	}
	return ""
}

// list is the shape of the API's list answers.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// items GETs a list endpoint as the holder of token.
func items[T any](t *testing.T, s *apitest.Server, token, path string) []T {
	t.Helper()
	var l list[T]
	s.Must(t, token, http.MethodGet, path, nil, http.StatusOK, &l)
	return l.Items
}

// conversationIDs returns the ids of conversations, in order.
func conversationIDs(cs []sahay.Conversation) []int64 {
	out := make([]int64, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// lastSeq is the account's latest event number, read past the API: every
// committed change of conversations, contacts, labels and inboxes moves it.
func lastSeq(t *testing.T, s *apitest.Server, accountID int64) int64 {
	t.Helper()
	seq, err := s.App.Store.LastEventSeq(context.Background(), accountID)
	if err != nil {
		t.Fatalf("last event seq: %v", err)
	}
	return seq
}

// waitFor is [waitForEvery] polling every 50 ms.
func waitFor(t *testing.T, timeout time.Duration, what string, check func() (bool, string)) {
	t.Helper()
	waitForEvery(t, 50*time.Millisecond, timeout, what, check)
}
