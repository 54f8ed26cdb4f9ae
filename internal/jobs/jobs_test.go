package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
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
				st := open(t)
				ctx := context.Background()
				a := storetest.MustAccount(t, st, "A")
				storetest.MustWrite(t, st, func(tx *store.Tx) error {
					_, err := tx.EnqueueJob(ctx, a.ID, "send", "{}", time.Time{})
					return err
				})
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
