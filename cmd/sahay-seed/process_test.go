package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/store"
)

// TestProcessIdleRSSAndStartup measures two design targets on the real
// binary: "healthy ≤ 1 s after start on an existing data dir" and "idle
// server RSS ≤ 60 MB". It builds cmd/sahay, seeds a data directory (or uses
// SAHAY_BENCH_DATA_DIR, e.g. one filled by sahay-seed), starts the server
// three times, and logs how long /healthz and /readyz took to answer and the
// resident memory (VmRSS, from /proc) once the server has idled for
// SAHAY_BENCH_SETTLE (default 5s).
//
//	SAHAY_BENCH_PROCESS=1 go test ./cmd/sahay-seed -run ProcessIdle -v
func TestProcessIdleRSSAndStartup(t *testing.T) {
	if os.Getenv("SAHAY_BENCH_PROCESS") != "1" {
		t.Skip("set SAHAY_BENCH_PROCESS=1 to build and start the server")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the server's memory")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "sahay")
	build := exec.Command("go", "build", "-o", bin, "github.com/sahayhq/sahay/cmd/sahay")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	data := os.Getenv("SAHAY_BENCH_DATA_DIR")
	if data == "" {
		data = filepath.Join(dir, "data")
		n := 20_000
		if v := os.Getenv("SAHAY_BENCH_CONVERSATIONS"); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n <= 0 {
				t.Fatalf("SAHAY_BENCH_CONVERSATIONS=%q", v)
			}
		}
		st, err := store.Open(ctx, filepath.Join(data, "sahay.db"))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := bench.Seed(ctx, st, bench.Options{Conversations: n, MessagesPer: 2, Seed: 4}); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(filepath.Join(data, "sahay.db")); err == nil {
		t.Logf("data dir %s: sahay.db is %.1f MB", data, float64(fi.Size())/1e6)
	}
	settle := 5 * time.Second
	if v := os.Getenv("SAHAY_BENCH_SETTLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SAHAY_BENCH_SETTLE=%q: %v", v, err)
		}
		settle = d
	}

	var healthy, ready []time.Duration
	var rss []int
	for run := range 3 {
		h, r, kb := benchStartServer(t, bin, data, settle)
		t.Logf("start %d: healthy after %s, ready after %s, idle VmRSS %.1f MB", run+1, h.Round(time.Millisecond), r.Round(time.Millisecond), float64(kb)/1024)
		healthy, ready, rss = append(healthy, h), append(ready, r), append(rss, kb)
	}
	slices.Sort(healthy)
	slices.Sort(ready)
	slices.Sort(rss)
	t.Logf("time to healthy: median %s, max %s (target ≤ 1s)", healthy[1].Round(time.Millisecond), healthy[2].Round(time.Millisecond))
	t.Logf("time to ready:   median %s, max %s", ready[1].Round(time.Millisecond), ready[2].Round(time.Millisecond))
	t.Logf("idle RSS:        median %.1f MB, max %.1f MB (target ≤ 60 MB)", float64(rss[1])/1024, float64(rss[2])/1024)
}

// benchStartServer starts the binary on data, waits for /healthz and then
// /readyz to answer 200, lets it idle for settle, reads its VmRSS in kB and
// stops it.
func benchStartServer(t *testing.T, bin, data string, settle time.Duration) (healthy, ready time.Duration, rssKB int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "-data", data, "-addr", addr, "-no-demo")
	cmd.Env = append(os.Environ(), "SAHAY_LOG_JSON=0")
	logs, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	cmd.Stdout, cmd.Stderr = logs, logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	client := &http.Client{Timeout: time.Second}
	wait := func(path string) time.Duration {
		deadline := start.Add(30 * time.Second)
		for time.Now().Before(deadline) {
			resp, err := client.Get("http://" + addr + path)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return time.Since(start)
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
		out, _ := os.ReadFile(logs.Name())
		t.Fatalf("%s did not answer 200 within 30s; server output:\n%s", path, out)
		return 0
	}
	healthy = wait("/healthz")
	ready = wait("/readyz")
	time.Sleep(settle)
	return healthy, ready, benchVmRSS(t, cmd.Process.Pid)
}

// benchVmRSS reads a process's resident set size in kB from /proc.
func benchVmRSS(t *testing.T, pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}
