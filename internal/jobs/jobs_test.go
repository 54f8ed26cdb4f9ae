package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/jobs"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// A job that fails is tried again after its backoff, or after the wait the
// platform asked for when that is longer (Telegram's retry_after, a
// Retry-After header), so a rate-limited platform is not hammered.
func TestRetryWaits(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		min, max time.Duration
	}{
		{"backoff", errors.New("connection reset"), time.Second, 3 * time.Second},
		{"platform asks for longer", channel.RetryAfter(errors.New("429 Too Many Requests"), 30*time.Minute), 29 * time.Minute, 31 * time.Minute},
		{"platform asks for less", channel.RetryAfter(errors.New("429 Too Many Requests"), time.Millisecond), time.Second, 3 * time.Second},
		{"an absurd wait is capped", channel.RetryAfter(errors.New("429 Too Many Requests"), 1000*time.Hour), 59 * time.Minute, 61 * time.Minute},
	}
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st := openWithJob(t, open)
				ctx := context.Background()
				ran := make(chan struct{}, 1)
				r := jobs.NewRunner(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
				r.Workers = 1
				r.Handle("send", jobs.Handler{Run: func(ctx context.Context, job *store.Job) error {
					ran <- struct{}{}
					return tt.err
				}})
				start := time.Now()
				r.Start()
				select {
				case <-ran:
				case <-time.After(10 * time.Second):
					t.Fatal("the job did not run")
				}
				var next time.Time
				deadline := time.Now().Add(10 * time.Second)
				for {
					at, ok, err := st.NextJobAt(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if ok && at.After(start) {
						next = at
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("the failed job was not scheduled again")
					}
					time.Sleep(10 * time.Millisecond)
				}
				r.Stop()
				if wait := next.Sub(start); wait < tt.min || wait > tt.max {
					t.Fatalf("retried after %s, want between %s and %s", wait, tt.min, tt.max)
				}
			})
		}
	})
}

// openWithJob opens a store with one account and one send job queued.
func openWithJob(t *testing.T, open func(*testing.T) *store.Store) *store.Store {
	st := open(t)
	a := storetest.MustAccount(t, st, "A")
	storetest.MustWrite(t, st, func(tx *store.Tx) error {
		_, err := tx.EnqueueJob(context.Background(), a.ID, "send", "{}", time.Time{})
		return err
	})
	return st
}

func newRunner(st *store.Store, lease time.Duration, run func(ctx context.Context, job *store.Job) error) *jobs.Runner {
	r := jobs.NewRunner(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.Lease, r.Poll, r.Workers = lease, 50*time.Millisecond, 1
	r.Handle("send", jobs.Handler{Run: run})
	return r
}

// A job held by a node that died is taken over by another node within
// about one lease, not after minutes.
func TestJobOfDeadNodeTakenOver(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := openWithJob(t, open)
		ctx := context.Background()
		const lease = time.Second
		// The node that dies: it claims the job with the same lease and
		// is never heard from again.
		// Its lease runs from the time it claimed with, not from when the
		// claim returned (which a loaded machine delays).
		died := time.Now()
		if j, err := st.ClaimJob(ctx, died, lease); err != nil || j == nil {
			t.Fatalf("claim = %v, %v", j, err)
		}
		ran := make(chan time.Time, 4)
		r := newRunner(st, lease, func(ctx context.Context, job *store.Job) error {
			ran <- time.Now()
			return nil
		})
		r.Start()
		defer r.Stop()
		select {
		case at := <-ran:
			if wait := at.Sub(died); wait < lease || wait > lease+2*time.Second {
				t.Fatalf("taken over %s after the node died, want within a second or two of the %s lease", wait, lease)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the dead node's job was never taken over")
		}
	})
}

// A job that runs for several leases keeps its lease: a second node does
// not run it too.
func TestLongJobKeepsItsLease(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := openWithJob(t, open)
		ctx := context.Background()
		var runs atomic.Int32
		finished := make(chan struct{})
		slow := func(ctx context.Context, job *store.Job) error {
			if runs.Add(1) > 1 {
				return nil
			}
			select {
			case <-time.After(2 * time.Second): // four leases
			case <-ctx.Done():
				return ctx.Err()
			}
			close(finished)
			return nil
		}
		nodeA, nodeB := newRunner(st, 500*time.Millisecond, slow), newRunner(st, 500*time.Millisecond, slow)
		nodeA.Start()
		nodeB.Start()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Fatal("the long job did not finish")
		}
		// Both nodes poll every 50 ms: a second run would come within a
		// lease of the first one's finish, if the job were still queued.
		if _, ok, err := st.NextJobAt(ctx); err != nil {
			t.Fatal(err)
		} else if ok {
			deadline := time.Now().Add(5 * time.Second)
			for ok && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
				_, ok, _ = st.NextJobAt(ctx)
			}
		}
		nodeA.Stop()
		nodeB.Stop()
		if n := runs.Load(); n != 1 {
			t.Fatalf("the job ran %d times, want once", n)
		}
	})
}
