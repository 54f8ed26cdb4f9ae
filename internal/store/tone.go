package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
)

// TonePolicy returns the phrases an account's team rules out of its
// replies; both lists are empty when the team wrote none.
func (s *Store) TonePolicy(ctx context.Context, accountID int64) (nlp.TonePolicy, error) {
	p := nlp.TonePolicy{Forbidden: []string{}, Promises: []string{}}
	var forbidden, promises string
	err := s.read.QueryRowContext(ctx, `SELECT forbidden, promises FROM tone_policies WHERE account_id = $1`, accountID).Scan(&forbidden, &promises)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("store: tone policy: %w", err)
	}
	if err := json.Unmarshal([]byte(forbidden), &p.Forbidden); err != nil {
		return p, fmt.Errorf("store: tone policy: %w", err)
	}
	if err := json.Unmarshal([]byte(promises), &p.Promises); err != nil {
		return p, fmt.Errorf("store: tone policy: %w", err)
	}
	return p, nil
}

// SetTonePolicy saves an account's tone policy.
func (t *Tx) SetTonePolicy(ctx context.Context, accountID int64, p nlp.TonePolicy) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO tone_policies (account_id, forbidden, promises, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id) DO UPDATE SET forbidden = excluded.forbidden, promises = excluded.promises, updated_at = excluded.updated_at`,
		accountID, encodeJSON(p.Forbidden), encodeJSON(p.Promises), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: set tone policy: %w", err)
	}
	return nil
}

// LastCustomerText returns the text of the newest message the customer
// wrote in a conversation, or "" when they wrote none.
func (s *Store) LastCustomerText(ctx context.Context, accountID, conversationID int64) (string, error) {
	var text string
	err := s.read.QueryRowContext(ctx, `SELECT content FROM messages WHERE account_id = $1 AND conversation_id = $2 AND kind = $3
		ORDER BY id DESC LIMIT 1`, accountID, conversationID, sahay.MessageIncoming).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: last customer message: %w", err)
	}
	return text, nil
}
