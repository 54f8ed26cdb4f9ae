package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/<pid>/stat (USER_HZ),
// which Linux fixes at 100 on every architecture Go runs Sahay on.
const clockTicks = 100

// procCPU returns the user plus system CPU time process pid has used, from
// /proc/<pid>/stat (Linux).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// parseStat reads utime and stime, the 14th and 15th fields of a
// /proc/<pid>/stat line. The second field, the command name in
// parentheses, may itself hold spaces and parentheses, so fields are
// counted from after its last ')'.
func parseStat(s string) (time.Duration, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("stat: too few fields")
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// procRSS returns the resident set size of process pid, in bytes, from
// /proc/<pid>/status (Linux).
func procRSS(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("status: VmRSS: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("status: no VmRSS")
}

// debugVars is the server's GET /widget/debug/vars.
type debugVars struct {
	VisitorSockets int64   `json:"visitor_sockets"`
	Goroutines     int     `json:"goroutines"`
	HeapInuse      uint64  `json:"heap_inuse"`
	StackInuse     uint64  `json:"stack_inuse"`
	Sys            uint64  `json:"sys"`
	CPUSeconds     float64 `json:"cpu_seconds"`
}

// vars reads the debug vars; gc asks the server to collect garbage first,
// so the heap counts only live memory.
func vars(ctx context.Context, client *http.Client, base string, gc bool) (debugVars, error) {
	var v debugVars
	u := base + "/widget/debug/vars"
	if gc {
		u += "?gc=1"
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := client.Do(req)
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return v, fmt.Errorf("debug vars: %s", resp.Status)
	}
	return v, json.NewDecoder(resp.Body).Decode(&v)
}

// serverWatch measures the server's CPU time and memory over a run: from
// /proc when its process id is known, else from the debug vars of a Sahay
// on this machine, else not at all.
type serverWatch struct {
	pid    int
	base   string
	client *http.Client
	// source names where the CPU time is read; empty when it is not.
	source string

	mu       sync.Mutex
	startCPU time.Duration
	rssStart uint64
	rssMax   uint64
	stop     chan struct{}
	done     chan struct{}
}

// newServerWatch chooses how to read the server's CPU time: pid if not 0,
// else the debug vars when base is a loopback Sahay that reports its CPU.
func newServerWatch(ctx context.Context, client *http.Client, base string, pid int) (*serverWatch, error) {
	w := &serverWatch{pid: pid, base: base, client: client}
	if pid != 0 {
		if _, err := procCPU(pid); err != nil {
			return nil, fmt.Errorf("-server-pid %d: %w", pid, err)
		}
		w.source = fmt.Sprintf("/proc/%d/stat", pid)
		return w, nil
	}
	if !loopbackURL(base) {
		return w, nil
	}
	if v, err := vars(ctx, client, base, false); err == nil && v.CPUSeconds > 0 {
		w.source = "/widget/debug/vars"
	}
	return w, nil
}

// cpu reads the server's CPU time so far.
func (w *serverWatch) cpu(ctx context.Context) (time.Duration, error) {
	if w.pid != 0 {
		return procCPU(w.pid)
	}
	v, err := vars(ctx, w.client, w.base, false)
	if err != nil {
		return 0, err
	}
	return time.Duration(v.CPUSeconds * float64(time.Second)), nil
}

// begin records the starting CPU time and, with a process id, samples the
// server's RSS every 100 ms until end.
func (w *serverWatch) begin(ctx context.Context) error {
	if w.source == "" {
		return nil
	}
	c, err := w.cpu(ctx)
	if err != nil {
		return fmt.Errorf("server CPU: %w", err)
	}
	w.startCPU = c
	if w.pid == 0 {
		return nil
	}
	if w.rssStart, err = procRSS(w.pid); err != nil {
		return fmt.Errorf("server RSS: %w", err)
	}
	w.rssMax = w.rssStart
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(w.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			if rss, err := procRSS(w.pid); err == nil {
				w.mu.Lock()
				w.rssMax = max(w.rssMax, rss)
				w.mu.Unlock()
			}
		}
	}()
	return nil
}

// end completes the report's server fields.
func (w *serverWatch) end(ctx context.Context, r *Report) error {
	if w.source == "" {
		return nil
	}
	c, err := w.cpu(ctx)
	if err != nil {
		return fmt.Errorf("server CPU: %w", err)
	}
	r.CPUSource = w.source
	r.ServerCPU = c - w.startCPU
	if r.Ops > 0 {
		r.ServerCPUPerOp = r.ServerCPU / time.Duration(r.Ops)
	}
	if w.pid == 0 {
		return nil
	}
	close(w.stop)
	<-w.done
	rss, err := procRSS(w.pid)
	if err != nil {
		return fmt.Errorf("server RSS: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r.ServerRSSStart, r.ServerRSSMax, r.ServerRSSEnd = w.rssStart, max(w.rssMax, rss), rss
	return nil
}
