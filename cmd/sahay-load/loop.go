package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sahayhq/sahay/internal/bench"
)

// loop is how long and how hard a closed-loop run goes.
type loop struct {
	concurrency int
	duration    time.Duration
	timeout     time.Duration
}

func (l *loop) flags(fs *flag.FlagSet) {
	fs.IntVar(&l.concurrency, "concurrency", 8, "workers, each repeating the operation as soon as the last one is answered (at most 1000)")
	fs.DurationVar(&l.duration, "duration", 10*time.Second, "how long to run (at most 10m)")
	fs.DurationVar(&l.timeout, "timeout", 10*time.Second, "longest wait for one operation's answer; a longer one counts as an error")
}

func (l *loop) check() error {
	switch {
	case l.concurrency < 1 || l.concurrency > maxConcurrency:
		return fmt.Errorf("-concurrency must be 1 to %d", maxConcurrency)
	case l.duration <= 0 || l.duration > maxDuration:
		return fmt.Errorf("-duration must be above 0 and at most %s", maxDuration)
	case l.timeout <= 0:
		return errors.New("-timeout must be above 0")
	}
	return nil
}

// worker is one client of a closed-loop run: op is timed, close runs after
// the run.
type worker struct {
	op    func(ctx context.Context) error
	close func()
}

// newWorker prepares worker i before the timed run: opens its socket,
// say.
type newWorker func(ctx context.Context, i int) (worker, error)

// Report is what a closed-loop run measured. Durations are in
// nanoseconds in its JSON.
type Report struct {
	Mode        string        `json:"mode"`
	Base        string        `json:"base"`
	Concurrency int           `json:"concurrency"`
	Elapsed     time.Duration `json:"elapsed_ns"`
	// Ops counts the operations answered successfully, Errors the others.
	Ops       int64   `json:"ops"`
	Errors    int64   `json:"errors"`
	OpsPerSec float64 `json:"ops_per_sec"`
	// Latency percentiles of the successful operations.
	P50 time.Duration `json:"p50_ns"`
	P90 time.Duration `json:"p90_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
	// ErrorSamples are the most frequent errors, "count× message".
	ErrorSamples []string `json:"error_samples,omitempty"`
	// CPUSource is where the server's CPU time was read; empty when it
	// could not be.
	CPUSource      string        `json:"cpu_source,omitempty"`
	ServerCPU      time.Duration `json:"server_cpu_ns"`
	ServerCPUPerOp time.Duration `json:"server_cpu_per_op_ns"`
	// ClientCPU is this tool's own CPU time, which shares the machine
	// with a local server.
	ClientCPU time.Duration `json:"client_cpu_ns"`
	// The server's resident memory in bytes, with -server-pid.
	ServerRSSStart uint64 `json:"server_rss_start,omitempty"`
	ServerRSSMax   uint64 `json:"server_rss_max,omitempty"`
	ServerRSSEnd   uint64 `json:"server_rss_end,omitempty"`
}

// runLoop prepares the workers, runs them for l.duration and measures.
func runLoop(ctx context.Context, t target, l loop, client *http.Client, mode string, newW newWorker) (*Report, error) {
	watch, err := newServerWatch(ctx, client, t.base, t.serverPID)
	if err != nil {
		return nil, err
	}
	workers := make([]worker, l.concurrency)
	defer func() {
		for _, w := range workers {
			if w.close != nil {
				w.close()
			}
		}
	}()
	// Prepare at most 32 workers at once, so that opening a thousand
	// sockets is not a burst the run then measures the aftermath of.
	var (
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 32)
		errMu sync.Mutex
		first error
	)
	for i := range workers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			w, err := newW(ctx, i)
			if err != nil {
				errMu.Lock()
				first = cmp.Or(first, fmt.Errorf("%s worker %d: %w", mode, i, err))
				errMu.Unlock()
				return
			}
			workers[i] = w
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}

	r := &Report{Mode: mode, Base: t.base, Concurrency: l.concurrency}
	if err := watch.begin(ctx); err != nil {
		return nil, err
	}
	clientStart := bench.CPUTime()
	start := time.Now()
	deadline := start.Add(l.duration)
	type result struct {
		lat  []time.Duration
		errs map[string]int64
	}
	results := make([]result, len(workers))
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := result{errs: map[string]int64{}}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				opCtx, cancel := context.WithTimeout(ctx, l.timeout)
				t0 := time.Now()
				err := w.op(opCtx)
				d := time.Since(t0)
				cancel()
				if err != nil {
					if ctx.Err() != nil {
						break // interrupted: not the server's error
					}
					res.errs[errorKey(err)]++
					continue
				}
				res.lat = append(res.lat, d)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.ClientCPU = bench.CPUTime() - clientStart
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	var lat []time.Duration
	errs := map[string]int64{}
	for _, res := range results {
		lat = append(lat, res.lat...)
		for k, n := range res.errs {
			errs[k] += n
			r.Errors += n
		}
	}
	r.Ops = int64(len(lat))
	r.OpsPerSec = float64(r.Ops) / r.Elapsed.Seconds()
	if len(lat) > 0 {
		slices.Sort(lat)
		r.P50, r.P90, r.P99, r.Max = percentile(lat, .5), percentile(lat, .9), percentile(lat, .99), lat[len(lat)-1]
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(errs[b], errs[a]), strings.Compare(a, b)) })
	for _, k := range keys[:min(len(keys), 5)] {
		r.ErrorSamples = append(r.ErrorSamples, fmt.Sprintf("%d× %s", errs[k], k))
	}
	if err := watch.end(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// percentile returns the q-quantile of sorted ds.
func percentile(ds []time.Duration, q float64) time.Duration {
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// errorKey shortens an error to group it with others like it.
func errorKey(err error) string {
	s := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		s = "no answer within -timeout"
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// print writes the report, as text or as JSON.
func (r *Report) print(w io.Writer, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(r)
	}
	fmt.Fprintf(w, "%s: %d workers for %s against %s\n", r.Mode, r.Concurrency, r.Elapsed.Round(time.Millisecond), r.Base)
	fmt.Fprintf(w, "  ops            %d (%.1f/s), %d errors\n", r.Ops, r.OpsPerSec, r.Errors)
	for _, e := range r.ErrorSamples {
		fmt.Fprintf(w, "    %s\n", e)
	}
	if r.Ops > 0 {
		fmt.Fprintf(w, "  latency        p50 %s  p90 %s  p99 %s  max %s\n", ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max))
	}
	if r.CPUSource == "" {
		fmt.Fprintf(w, "  server CPU     unknown (give -server-pid)\n")
	} else {
		fmt.Fprintf(w, "  server CPU     %.2fs, %s per op (from %s)\n", r.ServerCPU.Seconds(), ms(r.ServerCPUPerOp), r.CPUSource)
	}
	perOp := ""
	if r.Ops > 0 {
		perOp = fmt.Sprintf(", %s per op", ms(r.ClientCPU/time.Duration(r.Ops)))
	}
	fmt.Fprintf(w, "  load tool CPU  %.2fs%s\n", r.ClientCPU.Seconds(), perOp)
	if r.ServerRSSEnd > 0 {
		fmt.Fprintf(w, "  server RSS     %s at start, %s at most, %s at the end\n", mb(r.ServerRSSStart), mb(r.ServerRSSMax), mb(r.ServerRSSEnd))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func mb(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
