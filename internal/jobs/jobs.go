// Package jobs runs background work stored in the database: a job is written
// in the same transaction as the change that needs it, then claimed under a
// lease by whichever node polls first, retried with backoff, and marked done
// or failed. A node that dies mid-job loses only its lease.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// Handler runs one kind of job.
type Handler struct {
	// Run does the work; an error wrapping [channel.ErrPermanent] is not
	// retried.
	Run func(ctx context.Context, job *store.Job) error
	// Failed is called once when the job has failed for good.
	Failed func(ctx context.Context, job *store.Job, err error)
}

// Runner polls the jobs table and runs due jobs.
type Runner struct {
	store    *store.Store
	log      *slog.Logger
	handlers map[string]Handler
	wake     chan struct{}
	stop     chan struct{}
	wg       sync.WaitGroup
	// Workers is how many jobs run at once.
	Workers int
	// Lease is how long a claimed job is reserved for its worker without
	// a word from it. A worker renews it three times a lease while the job
	// runs, so a node that dies mid-job loses the job to another node
	// within one lease, however long jobs may run.
	Lease time.Duration
	// Timeout bounds one run of a job.
	Timeout time.Duration
	// Poll is the longest wait between looks at the table.
	Poll time.Duration
}

// NewRunner returns a runner; register handlers, then call Start.
func NewRunner(st *store.Store, log *slog.Logger) *Runner {
	return &Runner{store: st, log: log, handlers: map[string]Handler{}, wake: make(chan struct{}, 1),
		stop: make(chan struct{}), Workers: 4, Lease: 15 * time.Second, Timeout: 2 * time.Minute, Poll: time.Second}
}

// Handle registers the handler of a kind of job.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Wake tells the runner a job was enqueued, so it need not wait for its poll.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Start starts the workers.
func (r *Runner) Start() {
	for range r.Workers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.work()
		}()
	}
}

// Stop stops the workers after their current job.
func (r *Runner) Stop() {
	close(r.stop)
	r.wg.Wait()
}

func (r *Runner) work() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-r.stop
		cancel()
	}()
	for {
		job, err := r.store.ClaimJob(ctx, time.Now(), r.Lease)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("claim job", "err", err)
		}
		if job != nil {
			r.run(ctx, job)
			continue
		}
		select {
		case <-r.stop:
			return
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

func (r *Runner) run(ctx context.Context, job *store.Job) {
	h, ok := r.handlers[job.Kind]
	var err error
	if !ok {
		err = channel.Permanent(fmt.Errorf("no handler for job kind %q", job.Kind))
	} else {
		err = r.runHeld(ctx, h, job)
	}
	if ctx.Err() != nil || err == errLeaseLost {
		// Stopping, or the job is no longer this worker's: leave it to be
		// claimed again when its lease ends.
		return
	}
	if err == nil {
		if ferr := r.store.FinishJob(ctx, job.ID, ""); ferr != nil {
			r.log.Error("finish job", "job", job.ID, "err", ferr)
		}
		return
	}
	if errors.Is(err, channel.ErrPermanent) || job.Attempts >= job.MaxAttempts {
		r.log.Warn("job failed", "job", job.ID, "kind", job.Kind, "attempts", job.Attempts, "err", err)
		if ferr := r.store.FinishJob(ctx, job.ID, err.Error()); ferr != nil {
			r.log.Error("finish job", "job", job.ID, "err", ferr)
		}
		if ok && h.Failed != nil {
			h.Failed(ctx, job, err)
		}
		return
	}
	next := time.Now().Add(retryWait(job.Attempts, err))
	r.log.Info("job retry", "job", job.ID, "kind", job.Kind, "attempt", job.Attempts, "next", next, "err", err)
	if rerr := r.store.RetryJob(ctx, job.ID, next, err.Error()); rerr != nil {
		r.log.Error("retry job", "job", job.ID, "err", rerr)
	}
}

// runHeld runs a job while renewing its lease. If the lease is lost (the
// database was out of reach for a whole lease, and another node may have
// claimed the job since), the run is cancelled: the job is then another
// worker's, and a send this one had already made is the at-least-once
// window of delivery.
func (r *Runner) runHeld(ctx context.Context, h Handler, job *store.Job) error {
	timed, cancelTimeout := context.WithTimeout(ctx, r.Timeout)
	defer cancelTimeout()
	runCtx, cancel := context.WithCancelCause(timed)
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(r.Lease / 3)
		defer tick.Stop()
		held := time.Now()
		for {
			select {
			case <-done:
				return
			case <-runCtx.Done():
				return
			case <-tick.C:
			}
			ok, err := r.store.RenewJob(runCtx, job.ID, job.Attempts, time.Now().Add(r.Lease))
			switch {
			case err == nil && ok:
				held = time.Now()
			case err == nil || time.Since(held) >= r.Lease:
				r.log.Warn("job lease lost", "job", job.ID, "kind", job.Kind, "err", err)
				cancel(errLeaseLost)
				return
			default:
				r.log.Warn("renew job lease", "job", job.ID, "err", err)
			}
		}
	}()
	err := h.Run(runCtx, job)
	if context.Cause(runCtx) == errLeaseLost {
		return errLeaseLost
	}
	return err
}

// errLeaseLost ends a run whose job may now be another worker's: the
// worker leaves the job as it is.
var errLeaseLost = errors.New("job lease lost")

// retryWait is how long a failed job waits: its backoff, or longer when
// the platform asked for a longer wait.
func retryWait(attempt int, err error) time.Duration {
	wait := Backoff(attempt)
	var ra *channel.RetryAfterError
	if errors.As(err, &ra) && ra.After > wait {
		wait = min(ra.After, time.Hour)
	}
	return wait
}

// Backoff is the wait before retry number attempt+1: 2s, 4s, 8s … capped at
// ten minutes.
func Backoff(attempt int) time.Duration {
	d := 2 * time.Second
	for i := 1; i < attempt && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}
