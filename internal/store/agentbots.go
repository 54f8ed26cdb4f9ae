package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// AgentBot is an inbox's external bot: the webhook that receives the
// customer messages of the conversations the bot owns, and its signing
// secret, sealed.
type AgentBot struct {
	InboxID    int64
	AccountID  int64
	WebhookURL string
	// Secret is sealed with the server's key.
	Secret    string
	UpdatedAt time.Time
}

// AgentBot returns an inbox's agent bot, or a not-found error.
func (s *Store) AgentBot(ctx context.Context, accountID, inboxID int64) (*AgentBot, error) {
	return scanAgentBot(s.read.QueryRowContext(ctx, `SELECT inbox_id, account_id, webhook_url, secret, updated_at FROM agent_bots
		WHERE account_id = $1 AND inbox_id = $2`, accountID, inboxID))
}

// AgentBot is [Store.AgentBot] in the transaction.
func (t *Tx) AgentBot(ctx context.Context, accountID, inboxID int64) (*AgentBot, error) {
	return scanAgentBot(t.tx.QueryRowContext(ctx, `SELECT inbox_id, account_id, webhook_url, secret, updated_at FROM agent_bots
		WHERE account_id = $1 AND inbox_id = $2`, accountID, inboxID))
}

func scanAgentBot(row *sql.Row) (*AgentBot, error) {
	var b AgentBot
	var updated int64
	if err := row.Scan(&b.InboxID, &b.AccountID, &b.WebhookURL, &b.Secret, &updated); err != nil {
		return nil, notFound(err, "agent bot")
	}
	b.UpdatedAt = fromMS(updated)
	return &b, nil
}

// HasAgentBot reports whether an inbox has an agent bot, for the receive
// path, which reads it by key only when a message opens a conversation.
func (t *Tx) HasAgentBot(ctx context.Context, inboxID int64) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agent_bots WHERE inbox_id = $1`, inboxID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: agent bot: %w", err)
	}
	return n > 0, nil
}

// SetAgentBot saves an inbox's agent bot.
func (t *Tx) SetAgentBot(ctx context.Context, b *AgentBot) error {
	b.UpdatedAt = t.now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO agent_bots (inbox_id, account_id, webhook_url, secret, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (inbox_id) DO UPDATE SET webhook_url = excluded.webhook_url, secret = excluded.secret, updated_at = excluded.updated_at`,
		b.InboxID, b.AccountID, b.WebhookURL, b.Secret, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: save agent bot: %w", err)
	}
	return nil
}

// DeleteAgentBot removes an inbox's agent bot and revokes its tokens; it
// reports whether there was one.
func (t *Tx) DeleteAgentBot(ctx context.Context, accountID, inboxID int64) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM agent_bots WHERE account_id = $1 AND inbox_id = $2`, accountID, inboxID)
	if err != nil {
		return false, fmt.Errorf("store: delete agent bot: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := t.RevokeBotTokens(ctx, inboxID); err != nil {
		return false, err
	}
	return n > 0, nil
}

// CreateBotToken stores an agent bot's token of an inbox by its hash;
// tok.UserID is the administrator who made it.
func (t *Tx) CreateBotToken(ctx context.Context, tok *sahay.APIToken, tokenHash string, inboxID int64) error {
	tok.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, bot_inbox_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		tok.UserID, tok.Name, tokenHash, ms(t.now), inboxID).Scan(&tok.ID)
	if err != nil {
		return fmt.Errorf("store: create bot token: %w", err)
	}
	return nil
}

// RevokeBotTokens revokes every agent-bot token of an inbox and returns
// how many.
func (t *Tx) RevokeBotTokens(ctx context.Context, inboxID int64) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE bot_inbox_id = $1 AND revoked_at IS NULL`, inboxID, ms(t.now))
	if err != nil {
		return 0, fmt.Errorf("store: revoke bot tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// BotTokens lists the unrevoked agent-bot tokens of an inbox.
func (s *Store) BotTokens(ctx context.Context, inboxID int64) ([]sahay.APIToken, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at FROM api_tokens
		WHERE bot_inbox_id = $1 AND revoked_at IS NULL ORDER BY id`, inboxID)
	if err != nil {
		return nil, fmt.Errorf("store: bot tokens: %w", err)
	}
	defer rows.Close()
	out := []sahay.APIToken{}
	for rows.Next() {
		var tok sahay.APIToken
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&tok.ID, &tok.UserID, &tok.Name, &created, &used); err != nil {
			return nil, fmt.Errorf("store: bot tokens: %w", err)
		}
		tok.CreatedAt, tok.LastUsedAt = fromMS(created), fromNullMS(used)
		out = append(out, tok)
	}
	return out, rows.Err()
}
