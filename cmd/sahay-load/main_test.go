package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/testenv"
)

const postgresEnv = "SAHAY_TEST_POSTGRES_URL"

func TestMain(m *testing.M) {
	testenv.Main(m, testenv.Suite{Env: postgresEnv, What: "PostgreSQL runs of the load modes"})
}

func noEnv(string) string { return "" }

func TestRunsAreBoundedAndLoadOnlyOwnServers(t *testing.T) {
	ctx := context.Background()
	for name, args := range map[string][]string{
		"public address":         {"api", "-base", "http://93.184.216.34", "-token", "t", "-inbox", "1"},
		"private address":        {"list", "-base", "http://10.0.0.5:8090", "-token", "t"},
		"not http":               {"list", "-base", "ftp://127.0.0.1", "-token", "t"},
		"too many workers":       {"list", "-token", "t", "-concurrency", "100000"},
		"no workers":             {"list", "-token", "t", "-concurrency", "0"},
		"endless run":            {"list", "-token", "t", "-duration", "1h"},
		"no token":               {"list"},
		"no inbox":               {"widget"},
		"no api inbox":           {"api", "-token", "t"},
		"relative path":          {"api", "-token", "t", "-inbox", "1", "-path", "api/v1/x"},
		"no login":               {"login", "-email", "a@b.c"},
		"no pages":               {"list", "-token", "t", "-pages", "0"},
		"stray argument":         {"list", "-token", "t", "now"},
		"too many sockets":       {"sockets", "-inbox", "x", "-conns", "100000"},
		"sockets anywhere":       {"sockets", "-inbox", "x", "-base", "http://10.0.0.5"},
		"serve on every address": {"serve", "-addr", "0.0.0.0:8090"},
		"serve on a mysql":       {"serve", "-postgres", "mysql://x"},
		"unknown mode":           {"flood"},
	} {
		err := run(ctx, args, noEnv, io.Discard)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
	// Another machine is allowed when the user says they run it.
	tg := target{base: "http://10.0.0.5:8090/", ownServer: true}
	if err := tg.check(); err != nil || tg.base != "http://10.0.0.5:8090" {
		t.Errorf("-i-own-this-server: %v, base %q", err, tg.base)
	}
	tg = target{base: "http://10.0.0.5:8090"}
	if err := tg.check(); err == nil || !strings.Contains(err.Error(), "-i-own-this-server") {
		t.Errorf("non-loopback refusal does not say how to proceed: %v", err)
	}
}

func TestParseStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := "4242 (sahay (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 130 0 0 20 0 12 0 100 2000000 5000 18446744073709551615"
	got, err := parseStat(line)
	if err != nil || got != 3800*time.Millisecond {
		t.Fatalf("parseStat = %v, %v; want 3.8s", got, err)
	}
	if _, err := parseStat("4242 (sahay) S 1"); err == nil {
		t.Error("short line accepted")
	}
	self, err := procCPU(os.Getpid())
	if err != nil || self <= 0 {
		t.Errorf("procCPU(self) = %v, %v", self, err)
	}
	if rss, err := procRSS(os.Getpid()); err != nil || rss < 1<<20 {
		t.Errorf("procRSS(self) = %d, %v", rss, err)
	}
}

// TestModesAgainstInProcessServer runs every closed-loop mode briefly
// against the server that serve starts, on SQLite and on PostgreSQL, and
// checks what each one reports and did.
func TestModesAgainstInProcessServer(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			o := serveOptions{addr: "127.0.0.1:0", conversations: 300}
			if dialect == "postgres" {
				if o.postgres = os.Getenv(postgresEnv); o.postgres == "" {
					t.Skip(postgresEnv + " not set: PostgreSQL run skipped")
				}
			}
			ctx := context.Background()
			s, err := startServer(ctx, o, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				s.close()
				if o.postgres != "" {
					checkSchemaDropped(t, o.postgres, strings.TrimPrefix(s.Database, "PostgreSQL schema "))
				}
			}()
			pid := strconv.Itoa(os.Getpid())
			common := []string{"-base", s.URL, "-duration", "700ms", "-concurrency", "2", "-server-pid", pid, "-json"}

			r := runMode(t, append([]string{"widget", "-inbox", s.WebsiteToken}, common...))
			checkReport(t, r, "widget", true)
			// Each worker is one visitor, whose messages make one conversation.
			if n := countConversations(t, s, "channel=widget&status=all"); n != 2 {
				t.Errorf("widget: %d conversations in the widget inbox, want 2 (one per visitor)", n)
			}

			r = runMode(t, append([]string{"api", "-inbox", strconv.FormatInt(s.APIInbox, 10), "-token", s.OwnerToken, "-contacts", "3"}, common...))
			checkReport(t, r, "api", true)
			if n := countConversations(t, s, "status=all&inbox="+strconv.FormatInt(s.APIInbox, 10)); r.Ops >= 3 && n != 3 {
				t.Errorf("api: %d conversations in the API inbox after %d messages from 3 contacts, want 3", n, r.Ops)
			}

			r = runMode(t, append([]string{"list", "-token", s.AgentToken, "-query", "status=all&limit=25", "-pages", "3"}, common...))
			checkReport(t, r, "list", true)

			r = runMode(t, append([]string{"login", "-email", s.Email, "-password", s.Password}, common...))
			checkReport(t, r, "login", true)

			// Without -server-pid the CPU time comes from the debug vars.
			r = runMode(t, []string{"list", "-base", s.URL, "-duration", "300ms", "-concurrency", "1", "-token", s.AgentToken, "-json"})
			if r.CPUSource != "/widget/debug/vars" || r.ServerCPU <= 0 || r.ServerRSSEnd != 0 {
				t.Errorf("list without -server-pid: source %q, CPU %s, RSS %d", r.CPUSource, r.ServerCPU, r.ServerRSSEnd)
			}

			// Refused requests are counted and shown, not timed.
			r = runMode(t, []string{"api", "-base", s.URL, "-duration", "300ms", "-concurrency", "1", "-inbox", strconv.FormatInt(s.APIInbox, 10),
				"-token", "sahay_wrong", "-json"})
			if r.Ops != 0 || r.Errors == 0 || len(r.ErrorSamples) != 1 || !strings.Contains(r.ErrorSamples[0], "401") {
				t.Errorf("wrong token: %d ops, %d errors, samples %q", r.Ops, r.Errors, r.ErrorSamples)
			}

			// The text report names every figure.
			var out bytes.Buffer
			if err := run(ctx, []string{"list", "-base", s.URL, "-duration", "300ms", "-concurrency", "1", "-token", s.AgentToken, "-server-pid", pid}, noEnv, &out); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"list: 1 workers", "ops ", "/s), 0 errors", "latency        p50 ", " p90 ", " p99 ", "server CPU", "per op (from /proc/", "server RSS"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("text report lacks %q:\n%s", want, out.String())
				}
			}

			if dialect == "sqlite" {
				// The open-loop socket test, briefly.
				out.Reset()
				if err := run(ctx, []string{"sockets", "-base", s.URL, "-inbox", s.WebsiteToken, "-agent-token", s.AgentToken, "-conns", "4",
					"-rate", "20", "-duration", "500ms", "-server-pid", pid}, noEnv, &out); err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{"opened 4 sockets", "memory per idle socket", " acked, ", " delivered back, 0 errors",
					"visitor → agent socket               n=", "server CPU while sending", "server RSS while sending"} {
					if !strings.Contains(out.String(), want) {
						t.Errorf("sockets report lacks %q:\n%s", want, out.String())
					}
				}
			}

			// serve's variables are the modes' defaults.
			env := map[string]string{}
			for line := range strings.Lines(s.env()) {
				k, v, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
				env[k] = strings.Trim(v, "'")
			}
			r = runMode2(t, []string{"api", "-duration", "300ms", "-concurrency", "1", "-json"}, func(k string) string { return env[k] })
			checkReport(t, r, "api", true)
		})
	}
}

func runMode(t *testing.T, args []string) *Report {
	t.Helper()
	return runMode2(t, args, noEnv)
}

func runMode2(t *testing.T, args []string, getenv func(string) string) *Report {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, getenv, &out); err != nil {
		t.Fatalf("%s: %v\n%s", args[0], err, out.String())
	}
	var r Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%s: report is not JSON: %v\n%s", args[0], err, out.String())
	}
	return &r
}

// checkReport checks that r has every figure a run reports.
func checkReport(t *testing.T, r *Report, mode string, withPID bool) {
	t.Helper()
	if r.Mode != mode || r.Concurrency < 1 || r.Elapsed <= 0 {
		t.Errorf("%s: header %q, %d workers, %s", mode, r.Mode, r.Concurrency, r.Elapsed)
	}
	if r.Ops == 0 || r.Errors != 0 || len(r.ErrorSamples) != 0 {
		t.Errorf("%s: %d ops, %d errors %q", mode, r.Ops, r.Errors, r.ErrorSamples)
	}
	if want := float64(r.Ops) / r.Elapsed.Seconds(); r.OpsPerSec < want*0.99 || r.OpsPerSec > want*1.01 {
		t.Errorf("%s: %.1f ops/s, want %.1f", mode, r.OpsPerSec, want)
	}
	if !(0 < r.P50 && r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.Max && r.Max < r.Elapsed+10*time.Second) {
		t.Errorf("%s: percentiles out of order: %s %s %s %s", mode, r.P50, r.P90, r.P99, r.Max)
	}
	if r.ServerCPU <= 0 || r.ServerCPUPerOp <= 0 || r.ServerCPUPerOp != r.ServerCPU/time.Duration(r.Ops) || r.CPUSource == "" {
		t.Errorf("%s: server CPU %s, %s per op, from %q", mode, r.ServerCPU, r.ServerCPUPerOp, r.CPUSource)
	}
	if withPID && (r.ServerRSSStart == 0 || r.ServerRSSMax < r.ServerRSSStart || r.ServerRSSMax < r.ServerRSSEnd) {
		t.Errorf("%s: server RSS %d, %d, %d", mode, r.ServerRSSStart, r.ServerRSSMax, r.ServerRSSEnd)
	}
}

// countConversations counts the conversations the owner sees with query.
func countConversations(t *testing.T, s *loadServer, query string) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		req, _ := http.NewRequest("GET", s.URL+"/api/v1/conversations?limit=100&"+query+"&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+s.OwnerToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("list %s: %s %v", query, resp.Status, err)
		}
		n += len(page.Items)
		if page.NextCursor == "" {
			return n
		}
		cursor = page.NextCursor
	}
}

func checkSchemaDropped(t *testing.T, base, schema string) {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", schema).Scan(&n); err != nil || n != 0 {
		t.Errorf("schema %s left behind (%d, %v)", schema, n, err)
	}
}

// TestListFollowsCursorsOrPageNumbers checks the list mode's paging
// against a stand-in for another helpdesk.
func TestListFollowsCursorsOrPageNumbers(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.RawQuery)
		mu.Unlock()
		if r.Header.Get("api_access_token") != "tok" {
			w.WriteHeader(401)
			return
		}
		next := map[string]string{"": "c1", "c1": "c2", "c2": ""}[r.URL.Query().Get("after")]
		json.NewEncoder(w).Encode(map[string]any{"data": []int{1}, "meta": map[string]any{}, "after": next})
	}))
	defer srv.Close()
	o := modeOptions{token: "tok", tokenHeader: "api_access_token", path: "/conversations", pages: 5, cursorField: "after", cursorParam: "after"}
	op := o.pager(http.DefaultClient, srv.URL, map[string][]string{"status": {"open"}})
	for range 4 {
		if err := op(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"status=open", "after=c1&status=open", "after=c2&status=open", "status=open"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("cursor pages: %q, want %q (the list ends at the third)", got, want)
	}

	got = nil
	o = modeOptions{token: "tok", tokenHeader: "api_access_token", path: "/conversations", pages: 2, pageParam: "page"}
	op = o.pager(http.DefaultClient, srv.URL, nil)
	for range 3 {
		if err := op(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"page=1", "page=2", "page=1"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("numbered pages: %q, want %q", got, want)
	}

	o.token = "wrong"
	if err := o.pager(http.DefaultClient, srv.URL, nil)(context.Background()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("refused page: %v", err)
	}
}
