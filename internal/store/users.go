package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

const userColumns = `id, account_id, email, name, role, languages, locale, availability, phone, created_at`

func scanUser(row interface{ Scan(...any) error }) (*sahay.User, error) {
	var u sahay.User
	var langs string
	var created int64
	if err := row.Scan(&u.ID, &u.AccountID, &u.Email, &u.Name, &u.Role, &langs, &u.Locale, &u.Availability, &u.Phone, &created); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(langs), &u.Languages)
	if u.Languages == nil {
		u.Languages = []string{}
	}
	u.CreatedAt = fromMS(created)
	return &u, nil
}

// CreateUser inserts a user with an already hashed password.
func (t *Tx) CreateUser(ctx context.Context, u *sahay.User, passwordHash string) error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.Locale == "" {
		u.Locale = "en"
	}
	if u.Availability == "" {
		u.Availability = sahay.AvailabilityOnline
	}
	if u.Languages == nil {
		u.Languages = []string{}
	}
	u.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO users (account_id, email, name, role, password_hash, languages, locale, availability, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		u.AccountID, u.Email, u.Name, u.Role, passwordHash, encodeJSON(u.Languages), u.Locale, u.Availability, ms(t.now)).Scan(&u.ID)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "a user with email %s already exists", u.Email)
	}
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

// UpdateUser saves a user's profile fields (not the password).
func (t *Tx) UpdateUser(ctx context.Context, u *sahay.User) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE users SET name = $2, role = $3, languages = $4, locale = $5, availability = $6, phone = $7 WHERE id = $1`,
		u.ID, u.Name, u.Role, encodeJSON(u.Languages), u.Locale, u.Availability, u.Phone)
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	return nil
}

// SetPassword replaces a user's password hash and ends their sessions.
func (t *Tx) SetPassword(ctx context.Context, userID int64, hash string) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, hash); err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	return nil
}

// RehashPassword replaces a user's password hash with one of the same
// password made with other parameters, if the stored hash is still old; the
// user's sessions stay.
func (t *Tx) RehashPassword(ctx context.Context, userID int64, old, hash string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`, userID, old, hash)
	if err != nil {
		return fmt.Errorf("store: rehash password: %w", err)
	}
	return nil
}

// LoginLock returns how many wrong passwords in a row a user's sign-ins
// have had, and until when sign-in is refused (zero if it is not).
func (s *Store) LoginLock(ctx context.Context, userID int64) (failures int, until time.Time, err error) {
	var lockedMS int64
	err = s.read.QueryRowContext(ctx, `SELECT failed_logins, login_locked_until FROM users WHERE id = $1`, userID).Scan(&failures, &lockedMS)
	if err != nil {
		return 0, time.Time{}, notFound(err, "user")
	}
	if lockedMS > 0 {
		until = fromMS(lockedMS)
	}
	return failures, until, nil
}

// LoginFailed counts one more wrong password for a user and returns the
// count.
func (t *Tx) LoginFailed(ctx context.Context, userID int64) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count failed login: %w", err)
	}
	return n, nil
}

// SetLoginLock refuses a user's sign-ins until the given time.
func (t *Tx) SetLoginLock(ctx context.Context, userID int64, until time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE users SET login_locked_until = $2 WHERE id = $1`, userID, ms(until)); err != nil {
		return fmt.Errorf("store: lock login: %w", err)
	}
	return nil
}

// ResetLoginFailures forgets a user's wrong passwords after a successful
// sign-in.
func (t *Tx) ResetLoginFailures(ctx context.Context, userID int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, login_locked_until = 0 WHERE id = $1 AND failed_logins <> 0`, userID)
	if err != nil {
		return fmt.Errorf("store: reset failed logins: %w", err)
	}
	return nil
}

// DeleteUser removes a user and unassigns their conversations.
func (t *Tx) DeleteUser(ctx context.Context, accountID, userID int64) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT id FROM conversations WHERE account_id = $1 AND assignee_id = $2`, accountID, userID)
	if err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		c, err := t.Conversation(ctx, accountID, id)
		if err != nil {
			return err
		}
		next := *c
		next.AssigneeID = 0
		if err := t.UpdateConversation(ctx, c, &next); err != nil {
			return err
		}
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1 AND account_id = $2`, userID, accountID)
	if err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("user")
	}
	for _, q := range []string{
		`DELETE FROM routing_capacity WHERE account_id = $1 AND user_id = $2`,
		`DELETE FROM routing_turns WHERE account_id = $1 AND user_id = $2`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, accountID, userID); err != nil {
			return fmt.Errorf("store: delete user routing: %w", err)
		}
	}
	return nil
}

// User returns a user of an account.
func (s *Store) User(ctx context.Context, accountID, id int64) (*sahay.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 AND account_id = $2`, id, accountID))
	return u, notFound(err, "user")
}

// UserByID returns a user of any account.
func (s *Store) UserByID(ctx context.Context, id int64) (*sahay.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, notFound(err, "user")
}

// UserByEmail returns a user and their password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*sahay.User, string, error) {
	var hash string
	row := s.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email)))
	var u sahay.User
	var langs string
	var created int64
	err := row.Scan(&u.ID, &u.AccountID, &u.Email, &u.Name, &u.Role, &langs, &u.Locale, &u.Availability, &u.Phone, &created, &hash)
	if err != nil {
		return nil, "", notFound(err, "user")
	}
	json.Unmarshal([]byte(langs), &u.Languages)
	u.CreatedAt = fromMS(created)
	return &u, hash, nil
}

// PasswordHash returns a user's password hash.
func (s *Store) PasswordHash(ctx context.Context, userID int64) (string, error) {
	var hash string
	err := s.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash)
	return hash, notFound(err, "user")
}

// Users lists an account's users.
func (s *Store) Users(ctx context.Context, accountID int64) ([]*sahay.User, error) {
	return users(ctx, s.read, accountID)
}

func users(ctx context.Context, q queryer, accountID int64) ([]*sahay.User, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	out := []*sahay.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateSession stores a session by the hash of its token.
func (t *Tx) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, userID, ms(expires), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (t *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// SessionUser returns the user of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (*sahay.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT u.id, u.account_id, u.email, u.name, u.role, u.languages, u.locale, u.availability, u.phone, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, ms(time.Now())))
	if err == sql.ErrNoRows {
		return nil, sahay.Errorf(sahay.EUNAUTHORIZED, "session expired; log in again")
	}
	return u, notFound(err, "session")
}

// CreateAPIToken stores a token by its hash.
func (t *Tx) CreateAPIToken(ctx context.Context, tok *sahay.APIToken, tokenHash string) error {
	tok.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		tok.UserID, tok.Name, tokenHash, ms(t.now)).Scan(&tok.ID)
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// RevokeAPIToken revokes a user's token.
func (t *Tx) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND bot_inbox_id IS NULL`,
		tokenID, userID, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("token")
	}
	return nil
}

// APITokens lists a user's tokens; the agent-bot tokens an administrator
// made are the inbox's (see [Store.BotTokens]).
func (s *Store) APITokens(ctx context.Context, userID int64) ([]sahay.APIToken, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 AND bot_inbox_id IS NULL ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	out := []sahay.APIToken{}
	for rows.Next() {
		var tok sahay.APIToken
		var created int64
		var used, revoked sql.NullInt64
		if err := rows.Scan(&tok.ID, &tok.UserID, &tok.Name, &created, &used, &revoked); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		tok.CreatedAt = fromMS(created)
		tok.LastUsedAt = fromNullMS(used)
		tok.RevokedAt = fromNullMS(revoked)
		out = append(out, tok)
	}
	return out, rows.Err()
}

// TokenUser returns the user of an unrevoked API token and notes its use.
// An agent bot's token has a user of its own: role [sahay.RoleBot], no id,
// and the inbox it acts in.
func (s *Store) TokenUser(ctx context.Context, tokenHash string) (*sahay.User, error) {
	var tokenID int64
	var used, botInbox sql.NullInt64
	row := s.read.QueryRowContext(ctx, `SELECT t.id, t.last_used_at, t.bot_inbox_id, u.id, u.account_id, u.email, u.name, u.role, u.languages, u.locale, u.availability, u.phone, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, tokenHash)
	var u sahay.User
	var langs string
	var created int64
	err := row.Scan(&tokenID, &used, &botInbox, &u.ID, &u.AccountID, &u.Email, &u.Name, &u.Role, &langs, &u.Locale, &u.Availability, &u.Phone, &created)
	if err == sql.ErrNoRows {
		return nil, sahay.Errorf(sahay.EUNAUTHORIZED, "invalid or revoked API token")
	}
	if err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	json.Unmarshal([]byte(langs), &u.Languages)
	u.CreatedAt = fromMS(created)
	if botInbox.Valid {
		u = sahay.User{AccountID: u.AccountID, Name: "Agent bot", Role: sahay.RoleBot, Locale: "en", Availability: sahay.AvailabilityOnline,
			BotInboxID: botInbox.Int64, CreatedAt: u.CreatedAt}
	}
	// Note the use at most once a minute, so reads stay reads.
	now := time.Now()
	if !used.Valid || now.Sub(fromMS(used.Int64)) > time.Minute {
		s.writeOutside(ctx, func(q queryer) error {
			_, err := q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, tokenID, ms(now))
			return err
		})
	}
	return &u, nil
}

// UserInboxIDs returns the inboxes a user is a member of.
func (s *Store) UserInboxIDs(ctx context.Context, userID int64) ([]int64, error) {
	return int64s(ctx, s.read, `SELECT inbox_id FROM inbox_members WHERE user_id = $1 ORDER BY inbox_id`, userID)
}

// UserTeamIDs returns the teams a user belongs to.
func (s *Store) UserTeamIDs(ctx context.Context, userID int64) ([]int64, error) {
	return int64s(ctx, s.read, `SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id`, userID)
}

func int64s(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
