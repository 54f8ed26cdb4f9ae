package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// ChannelLogin is an admin's sign-in to a platform to connect an inbox,
// from the moment it returned until the inbox is made or it expires.
type ChannelLogin struct {
	// ID is the nonce of the sign-in's state.
	ID string
	// Key names the sign-in to the dashboard once the platform answered.
	Key       string
	AccountID int64
	UserID    int64
	Channel   string
	// Choices are the accounts the sign-in may connect, sealed.
	Choices   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ClaimChannelLogin records a sign-in by its nonce, forgetting those that
// expired. A nonce already recorded is a conflict: each state is used
// once.
func (t *Tx) ClaimChannelLogin(ctx context.Context, l *ChannelLogin) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM channel_logins WHERE expires_at <= $1`, ms(t.now)); err != nil {
		return fmt.Errorf("store: forget expired sign-ins: %w", err)
	}
	l.CreatedAt = t.now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO channel_logins (id, account_id, user_id, channel, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, l.ID, l.AccountID, l.UserID, l.Channel, ms(l.CreatedAt), ms(l.ExpiresAt))
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "this sign-in was already used")
	}
	if err != nil {
		return fmt.Errorf("store: claim sign-in: %w", err)
	}
	return nil
}

// SetChannelLoginChoices keeps what the platform answered a sign-in,
// under key, until expires.
func (t *Tx) SetChannelLoginChoices(ctx context.Context, id, key, sealed string, expires time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE channel_logins SET choice_key = $2, choices = $3, expires_at = $4
		WHERE id = $1 AND choice_key IS NULL`, id, key, sealed, ms(expires))
	if err != nil {
		return fmt.Errorf("store: keep sign-in choices: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return sahay.NotFound("sign-in")
	}
	return nil
}

// ChannelLogin returns an account's sign-in by its key, expired or not.
func (s *Store) ChannelLogin(ctx context.Context, accountID int64, key string) (*ChannelLogin, error) {
	l := &ChannelLogin{Key: key, AccountID: accountID}
	var choices sql.NullString
	var created, expires int64
	err := s.read.QueryRowContext(ctx, `SELECT id, user_id, channel, choices, created_at, expires_at FROM channel_logins
		WHERE account_id = $1 AND choice_key = $2`, accountID, key).Scan(&l.ID, &l.UserID, &l.Channel, &choices, &created, &expires)
	if err != nil {
		return nil, notFound(err, "sign-in")
	}
	l.Choices, l.CreatedAt, l.ExpiresAt = choices.String, fromMS(created), fromMS(expires)
	return l, nil
}

// DeleteChannelLogin forgets a sign-in; it reports whether it was there.
func (t *Tx) DeleteChannelLogin(ctx context.Context, id string) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM channel_logins WHERE id = $1`, id)
	if err != nil {
		return false, fmt.Errorf("store: forget sign-in: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
