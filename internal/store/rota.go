package store

import (
	"context"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

const shiftColumns = `id, account_id, user_id, kind, weekday, start_time, end_time, created_at`

func scanShift(row interface{ Scan(...any) error }) (*sahay.Shift, error) {
	var sh sahay.Shift
	var created int64
	if err := row.Scan(&sh.ID, &sh.AccountID, &sh.UserID, &sh.Kind, &sh.Weekday, &sh.Start, &sh.End, &created); err != nil {
		return nil, err
	}
	sh.CreatedAt = fromMS(created)
	return &sh, nil
}

// CreateShift inserts a shift on the rota.
func (t *Tx) CreateShift(ctx context.Context, sh *sahay.Shift) error {
	sh.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO rota_shifts (account_id, user_id, kind, weekday, start_time, end_time, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		sh.AccountID, sh.UserID, sh.Kind, sh.Weekday, sh.Start, sh.End, ms(t.now)).Scan(&sh.ID)
	if err != nil {
		return fmt.Errorf("store: create shift: %w", err)
	}
	return nil
}

// DeleteShift removes a shift of the account, and its swaps.
func (t *Tx) DeleteShift(ctx context.Context, accountID, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM rota_shifts WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete shift: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("shift")
	}
	return nil
}

// Shift returns a shift of the account.
func (s *Store) Shift(ctx context.Context, accountID, id int64) (*sahay.Shift, error) {
	sh, err := scanShift(s.read.QueryRowContext(ctx, `SELECT `+shiftColumns+` FROM rota_shifts WHERE id = $1 AND account_id = $2`, id, accountID))
	return sh, notFound(err, "shift")
}

// Shifts lists the account's shifts, of one kind unless kind is empty,
// by id.
func (s *Store) Shifts(ctx context.Context, accountID int64, kind string) ([]*sahay.Shift, error) {
	return shifts(ctx, s.read, accountID, kind)
}

// Shifts lists the account's shifts inside the transaction.
func (t *Tx) Shifts(ctx context.Context, accountID int64, kind string) ([]*sahay.Shift, error) {
	return shifts(ctx, t.tx, accountID, kind)
}

func shifts(ctx context.Context, q queryer, accountID int64, kind string) ([]*sahay.Shift, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+shiftColumns+` FROM rota_shifts WHERE account_id = $1 AND ($2 = '' OR kind = $2) ORDER BY id`,
		accountID, kind)
	if err != nil {
		return nil, fmt.Errorf("store: shifts: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Shift{}
	for rows.Next() {
		sh, err := scanShift(rows)
		if err != nil {
			return nil, fmt.Errorf("store: shifts: %w", err)
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

const swapColumns = `id, account_id, shift_id, occurs_on, from_user_id, to_user_id, requested_by, status, decided_by, decided_at, created_at`

func scanSwap(row interface{ Scan(...any) error }) (*sahay.Swap, error) {
	var sw sahay.Swap
	var decided, created int64
	if err := row.Scan(&sw.ID, &sw.AccountID, &sw.ShiftID, &sw.Date, &sw.FromUserID, &sw.ToUserID, &sw.RequestedBy, &sw.Status,
		&sw.DecidedBy, &decided, &created); err != nil {
		return nil, err
	}
	if decided != 0 {
		at := fromMS(decided)
		sw.DecidedAt = &at
	}
	sw.CreatedAt = fromMS(created)
	return &sw, nil
}

// CreateSwap inserts a swap. A second open (pending or accepted) swap of
// the same occurrence is a conflict.
func (t *Tx) CreateSwap(ctx context.Context, sw *sahay.Swap) error {
	sw.CreatedAt = t.now
	var decided int64
	if sw.DecidedAt != nil {
		decided = ms(*sw.DecidedAt)
	}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO rota_swaps (account_id, shift_id, occurs_on, from_user_id, to_user_id, requested_by, status,
		decided_by, decided_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		sw.AccountID, sw.ShiftID, sw.Date, sw.FromUserID, sw.ToUserID, sw.RequestedBy, sw.Status, sw.DecidedBy, decided, ms(t.now)).Scan(&sw.ID)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "the shift of %s already has a swap pending or accepted", sw.Date)
	}
	if err != nil {
		return fmt.Errorf("store: create swap: %w", err)
	}
	return nil
}

// DecideSwap moves a swap from the status it was read with to its
// status, by whom and when; a swap decided meanwhile is a conflict.
func (t *Tx) DecideSwap(ctx context.Context, sw *sahay.Swap, from string) error {
	now := t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE rota_swaps SET status = $3, decided_by = $4, decided_at = $5
		WHERE id = $1 AND account_id = $2 AND status = $6`, sw.ID, sw.AccountID, sw.Status, sw.DecidedBy, ms(now), from)
	if err != nil {
		return fmt.Errorf("store: decide swap: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.Errorf(sahay.ECONFLICT, "the swap is no longer %s", from)
	}
	sw.DecidedAt = &now
	return nil
}

// Swap returns a swap of the account.
func (s *Store) Swap(ctx context.Context, accountID, id int64) (*sahay.Swap, error) {
	sw, err := scanSwap(s.read.QueryRowContext(ctx, `SELECT `+swapColumns+` FROM rota_swaps WHERE id = $1 AND account_id = $2`, id, accountID))
	return sw, notFound(err, "swap")
}

// Swaps lists the account's swaps of occurrences on dates from..to
// (inclusive, "2026-12-07"), of the given statuses (all when none), by
// date and id.
func (s *Store) Swaps(ctx context.Context, accountID int64, from, to string, statuses ...string) ([]*sahay.Swap, error) {
	args := []any{accountID, from, to}
	status := ""
	if len(statuses) > 0 {
		status = ` AND status IN (` + placeholders(len(args)+1, len(statuses)) + `)`
		for _, st := range statuses {
			args = append(args, st)
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+swapColumns+` FROM rota_swaps
		WHERE account_id = $1 AND occurs_on >= $2 AND occurs_on <= $3`+status+` ORDER BY occurs_on, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: swaps: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Swap{}
	for rows.Next() {
		sw, err := scanSwap(rows)
		if err != nil {
			return nil, fmt.Errorf("store: swaps: %w", err)
		}
		out = append(out, sw)
	}
	return out, rows.Err()
}
