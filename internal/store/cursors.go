package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// InboxCursor returns where an inbox's worker is on its platform, as it
// last saved it; "" when it never did.
func (s *Store) InboxCursor(ctx context.Context, inboxID int64) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM inbox_cursors WHERE inbox_id = $1`, inboxID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: inbox cursor: %w", err)
	}
	return v, nil
}

// SetInboxCursor saves where an inbox's worker is on its platform.
func (s *Store) SetInboxCursor(ctx context.Context, inboxID int64, value string, now time.Time) error {
	err := s.writeOutside(ctx, func(q queryer) error {
		_, err := q.ExecContext(ctx, `INSERT INTO inbox_cursors (inbox_id, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (inbox_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, inboxID, value, ms(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set inbox cursor: %w", err)
	}
	return nil
}
