package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// RawEvent is a platform's request as a webhook or poller received and
// verified it, kept until it has been processed.
type RawEvent struct {
	ID        int64
	AccountID int64
	InboxID   int64
	// DedupeKey is the platform's id of the event (an update_id, a
	// message id); the same key twice in one inbox is stored once.
	DedupeKey string
	Body      []byte
	// Headers are the request headers the parser needs.
	Headers    map[string]string
	State      string
	Attempts   int
	LastError  string
	ReceivedAt time.Time
}

// States of a raw event.
const (
	RawPending = "pending"
	RawDone    = "done"
	RawFailed  = "failed"
)

// JournalRawEvent commits a verified request and reports whether it is new:
// false means the inbox already holds an event with its key (a platform's
// retry), and nothing was written.
func (s *Store) JournalRawEvent(ctx context.Context, e *RawEvent, now time.Time) (bool, error) {
	var fresh bool
	err := s.writeOutside(ctx, func(q queryer) error {
		var err error
		fresh, err = journalRawEvent(ctx, q, e, now)
		return err
	})
	return fresh, err
}

// JournalRawEvent is [Store.JournalRawEvent] in a transaction, which may
// journal many requests before its one commit.
func (t *Tx) JournalRawEvent(ctx context.Context, e *RawEvent, now time.Time) (bool, error) {
	return journalRawEvent(ctx, t.tx, e, now)
}

func journalRawEvent(ctx context.Context, q queryer, e *RawEvent, now time.Time) (bool, error) {
	headers, err := json.Marshal(e.Headers)
	if err != nil {
		return false, fmt.Errorf("store: journal: %w", err)
	}
	if e.Headers == nil {
		headers = []byte("{}")
	}
	err = q.QueryRowContext(ctx, `INSERT INTO raw_events (account_id, inbox_id, dedupe_key, body, headers, run_at, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (inbox_id, dedupe_key) DO NOTHING RETURNING id`,
		e.AccountID, e.InboxID, e.DedupeKey, e.Body, string(headers), ms(now)).Scan(&e.ID)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: journal: %w", err)
	}
	e.State, e.ReceivedAt = RawPending, now
	return true, nil
}

const rawEventColumns = `id, account_id, inbox_id, dedupe_key, body, headers, state, attempts, last_error, received_at`

func scanRawEvent(row interface{ Scan(...any) error }) (*RawEvent, error) {
	var e RawEvent
	var headers string
	var received int64
	if err := row.Scan(&e.ID, &e.AccountID, &e.InboxID, &e.DedupeKey, &e.Body, &headers, &e.State, &e.Attempts, &e.LastError, &received); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(headers), &e.Headers); err != nil {
		return nil, fmt.Errorf("raw event %d headers: %w", e.ID, err)
	}
	e.ReceivedAt = fromMS(received)
	return &e, nil
}

// ClaimRawEvents leases up to limit due pending events for lease, counting
// an attempt of each, and returns them in the order they were journalled.
// An event whose processor died is claimed again once its lease has run
// out. It returns none when none is due.
func (s *Store) ClaimRawEvents(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*RawEvent, error) {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []*RawEvent
	err := s.writeOutside(ctx, func(q queryer) error {
		rows, err := q.QueryContext(ctx, `UPDATE raw_events SET locked_until = $2, attempts = attempts + 1
			WHERE id IN (SELECT id FROM raw_events WHERE state = 'pending' AND run_at <= $1 AND locked_until < $1 ORDER BY run_at, id LIMIT $3`+lock+`)
			AND locked_until < $1
			RETURNING `+rawEventColumns, ms(now), ms(now.Add(lease)), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = out[:0]
		for rows.Next() {
			e, err := scanRawEvent(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim raw events: %w", err)
	}
	slices.SortFunc(out, func(a, b *RawEvent) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// finishChunk is how many events one statement of [Store.FinishRawEvents]
// marks: a shorter list repeats its last id, so the statement has one text
// and SQLite's writer prepares it once.
const finishChunk = 128

// FinishRawEvents marks events processed.
func (s *Store) FinishRawEvents(ctx context.Context, ids []int64, now time.Time) error {
	query := `UPDATE raw_events SET state = 'done', last_error = '', processed_at = $1, locked_until = 0
		WHERE id IN (` + placeholders(2, finishChunk) + `)`
	err := s.writeOutside(ctx, func(q queryer) error {
		for chunk := range slices.Chunk(ids, finishChunk) {
			args := []any{ms(now)}
			for i := range finishChunk {
				args = append(args, chunk[min(i, len(chunk)-1)])
			}
			if _, err := q.ExecContext(ctx, query, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: finish raw events: %w", err)
	}
	return nil
}

// FailRawEvent marks an event failed for good with its error, kept for an
// admin to read and retry.
func (s *Store) FailRawEvent(ctx context.Context, id int64, errText string, now time.Time) error {
	err := s.writeOutside(ctx, func(q queryer) error {
		_, err := q.ExecContext(ctx, `UPDATE raw_events SET state = 'failed', last_error = $2, processed_at = $3, locked_until = 0 WHERE id = $1`,
			id, errText, ms(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: fail raw event: %w", err)
	}
	return nil
}

// RetryRawEvent puts an event back to be processed at runAt, keeping the
// error that made it wait.
func (s *Store) RetryRawEvent(ctx context.Context, id int64, runAt time.Time, errText string) error {
	err := s.writeOutside(ctx, func(q queryer) error {
		_, err := q.ExecContext(ctx, `UPDATE raw_events SET run_at = $2, last_error = $3, locked_until = 0 WHERE id = $1`, id, ms(runAt), errText)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: retry raw event: %w", err)
	}
	return nil
}

// RawEvents lists an account's events in a state, newest first, at most
// limit of them, with their errors: what an admin reads when processing
// fails.
func (s *Store) RawEvents(ctx context.Context, accountID int64, state string, limit int) ([]*RawEvent, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+rawEventColumns+` FROM raw_events
		WHERE account_id = $1 AND state = $2 ORDER BY id DESC LIMIT $3`, accountID, state, limit)
	if err != nil {
		return nil, fmt.Errorf("store: raw events: %w", err)
	}
	defer rows.Close()
	out := []*RawEvent{}
	for rows.Next() {
		e, err := scanRawEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: raw events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RequeueRawEvent sends a failed event of the account back to be processed
// now, with a fresh count of attempts. It reports whether there was such
// an event.
func (s *Store) RequeueRawEvent(ctx context.Context, accountID, id int64, now time.Time) (bool, error) {
	var n int64
	err := s.writeOutside(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, `UPDATE raw_events SET state = 'pending', attempts = 0, run_at = $3, locked_until = 0
			WHERE id = $1 AND account_id = $2 AND state = 'failed'`, id, accountID, ms(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: requeue raw event: %w", err)
	}
	return n == 1, nil
}

// NextRawEventAt returns when the earliest pending event is due, or false
// if none is.
func (s *Store) NextRawEventAt(ctx context.Context) (time.Time, bool, error) {
	var v sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT MIN(run_at) FROM raw_events WHERE state = 'pending'`).Scan(&v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next raw event: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(v.Int64), true, nil
}
