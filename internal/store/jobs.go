package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Job is a unit of background work, such as sending one message.
type Job struct {
	ID          int64
	AccountID   int64
	Kind        string
	Payload     string
	Attempts    int
	MaxAttempts int
}

// EnqueueJob adds a job in the same transaction as the change that needs it,
// so the job exists if and only if the change committed.
func (t *Tx) EnqueueJob(ctx context.Context, accountID int64, kind, payload string, runAt time.Time) (int64, error) {
	if runAt.IsZero() {
		runAt = t.now
	}
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO jobs (account_id, kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		accountID, kind, payload, ms(runAt), ms(t.now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue job: %w", err)
	}
	return id, nil
}

// ClaimJob leases the next due job for lease. A job whose worker died is
// claimed again once its lease has run out. It returns nil when no job is due.
func (s *Store) ClaimJob(ctx context.Context, now time.Time, lease time.Duration) (*Job, error) {
	// On PostgreSQL, workers racing for the same job would queue on its row
	// lock and all but one find it taken; SKIP LOCKED sends them on to the
	// next due job instead. SQLite has one writer, so no race.
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var j Job
	err := s.writeOutside(ctx, func(q queryer) error {
		return q.QueryRowContext(ctx, `UPDATE jobs SET locked_until = $2, attempts = attempts + 1
		WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $1 AND locked_until < $1 ORDER BY run_at, id LIMIT 1`+lock+`)
		AND locked_until < $1
		RETURNING id, account_id, kind, payload, attempts, max_attempts`, ms(now), ms(now.Add(lease))).
			Scan(&j.ID, &j.AccountID, &j.Kind, &j.Payload, &j.Attempts, &j.MaxAttempts)
	})
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim job: %w", err)
	}
	return &j, nil
}

// RenewJob extends the lease of a job still being worked on to until. The
// claim is named by its attempt number: a worker whose lease ran out and
// whose job another worker claimed since renews nothing, and learns so.
func (s *Store) RenewJob(ctx context.Context, id int64, attempt int, until time.Time) (bool, error) {
	var n int64
	err := s.writeOutside(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, `UPDATE jobs SET locked_until = $3 WHERE id = $1 AND attempts = $2 AND state = 'queued'`, id, attempt, ms(until))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: renew job: %w", err)
	}
	return n == 1, nil
}

// FinishJob marks a job done (errText empty) or failed for good.
func (s *Store) FinishJob(ctx context.Context, id int64, errText string) error {
	state := "done"
	if errText != "" {
		state = "failed"
	}
	err := s.writeOutside(ctx, func(q queryer) error {
		_, err := q.ExecContext(ctx, `UPDATE jobs SET state = $2, last_error = $3, finished_at = $4, locked_until = 0 WHERE id = $1`,
			id, state, errText, ms(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish job: %w", err)
	}
	return nil
}

// RetryJob puts a job back in the queue to run at runAt.
func (s *Store) RetryJob(ctx context.Context, id int64, runAt time.Time, errText string) error {
	err := s.writeOutside(ctx, func(q queryer) error {
		_, err := q.ExecContext(ctx, `UPDATE jobs SET run_at = $2, last_error = $3, locked_until = 0 WHERE id = $1`, id, ms(runAt), errText)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: retry job: %w", err)
	}
	return nil
}

// NextJobAt returns when the earliest queued job is due, or false if none is.
func (s *Store) NextJobAt(ctx context.Context) (time.Time, bool, error) {
	var v sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT MIN(run_at) FROM jobs WHERE state = 'queued'`).Scan(&v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next job: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(v.Int64), true, nil
}
