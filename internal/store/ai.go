package store

import (
	"context"
	"fmt"
	"time"
)

// AISettings is an account's AI endpoint, its key sealed.
type AISettings struct {
	AccountID int64
	BaseURL   string
	Model     string
	// APIKey is the key sealed with the server's key; "" for none.
	APIKey    string
	UpdatedAt time.Time
}

// AISettings returns an account's AI endpoint, or a not-found error when
// AI is off.
func (s *Store) AISettings(ctx context.Context, accountID int64) (*AISettings, error) {
	a := &AISettings{AccountID: accountID}
	var updated int64
	err := s.read.QueryRowContext(ctx, `SELECT base_url, model, api_key, updated_at FROM ai_settings WHERE account_id = $1`,
		accountID).Scan(&a.BaseURL, &a.Model, &a.APIKey, &updated)
	if err != nil {
		return nil, notFound(err, "AI endpoint")
	}
	a.UpdatedAt = fromMS(updated)
	return a, nil
}

// SetAISettings saves an account's AI endpoint.
func (t *Tx) SetAISettings(ctx context.Context, a *AISettings) error {
	a.UpdatedAt = t.now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO ai_settings (account_id, base_url, model, api_key, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id) DO UPDATE SET base_url = excluded.base_url, model = excluded.model, api_key = excluded.api_key, updated_at = excluded.updated_at`,
		a.AccountID, a.BaseURL, a.Model, a.APIKey, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: save AI endpoint: %w", err)
	}
	return nil
}

// DeleteAISettings turns an account's AI off; it reports whether it was on.
func (t *Tx) DeleteAISettings(ctx context.Context, accountID int64) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM ai_settings WHERE account_id = $1`, accountID)
	if err != nil {
		return false, fmt.Errorf("store: delete AI endpoint: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
