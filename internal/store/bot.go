package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

const faqColumns = `id, account_id, COALESCE(inbox_id, 0), language, question, phrasings, answer, created_at, updated_at`

func scanFAQ(row interface{ Scan(...any) error }) (*sahay.FAQ, error) {
	var f sahay.FAQ
	var phrasings string
	var created, updated int64
	if err := row.Scan(&f.ID, &f.AccountID, &f.InboxID, &f.Language, &f.Question, &phrasings, &f.Answer, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(phrasings), &f.Phrasings); err != nil {
		return nil, fmt.Errorf("store: faq %d phrasings: %w", f.ID, err)
	}
	if f.Phrasings == nil {
		f.Phrasings = []string{}
	}
	f.CreatedAt, f.UpdatedAt = fromMS(created), fromMS(updated)
	return &f, nil
}

// nullID stores 0 as NULL, for references that may name nothing.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateFAQ inserts an FAQ entry.
func (t *Tx) CreateFAQ(ctx context.Context, f *sahay.FAQ) error {
	f.CreatedAt, f.UpdatedAt = t.now, t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO faqs (account_id, inbox_id, language, question, phrasings, answer, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		f.AccountID, nullID(f.InboxID), f.Language, f.Question, encodeJSON(f.Phrasings), f.Answer, ms(t.now)).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("store: create faq: %w", err)
	}
	return nil
}

// UpdateFAQ saves an FAQ entry.
func (t *Tx) UpdateFAQ(ctx context.Context, f *sahay.FAQ) error {
	f.UpdatedAt = t.now
	res, err := t.tx.ExecContext(ctx, `UPDATE faqs SET inbox_id = $3, language = $4, question = $5, phrasings = $6, answer = $7, updated_at = $8
		WHERE id = $1 AND account_id = $2`,
		f.ID, f.AccountID, nullID(f.InboxID), f.Language, f.Question, encodeJSON(f.Phrasings), f.Answer, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: update faq: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("faq")
	}
	return nil
}

// DeleteFAQ removes an FAQ entry.
func (t *Tx) DeleteFAQ(ctx context.Context, accountID, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM faqs WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete faq: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("faq")
	}
	return nil
}

// FAQ returns one FAQ entry of the account.
func (s *Store) FAQ(ctx context.Context, accountID, id int64) (*sahay.FAQ, error) {
	f, err := scanFAQ(s.read.QueryRowContext(ctx, `SELECT `+faqColumns+` FROM faqs WHERE id = $1 AND account_id = $2`, id, accountID))
	return f, notFound(err, "faq")
}

// FAQs lists an account's FAQ entries, oldest first. With inboxID other
// than 0 it lists only those offered in that inbox: its own and the
// account-wide ones.
func (s *Store) FAQs(ctx context.Context, accountID, inboxID int64) ([]*sahay.FAQ, error) {
	query := `SELECT ` + faqColumns + ` FROM faqs WHERE account_id = $1 ORDER BY id`
	args := []any{accountID}
	if inboxID != 0 {
		query = `SELECT ` + faqColumns + ` FROM faqs WHERE account_id = $1 AND (inbox_id IS NULL OR inbox_id = $2) ORDER BY id`
		args = append(args, inboxID)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: faqs: %w", err)
	}
	defer rows.Close()
	out := []*sahay.FAQ{}
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			return nil, fmt.Errorf("store: faqs: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// BotSettings returns an inbox's bot settings; an inbox whose bot was
// never set up has [sahay.DefaultBotSettings], turned off.
func (s *Store) BotSettings(ctx context.Context, accountID, inboxID int64) (*sahay.BotSettings, error) {
	return botSettings(ctx, s.read, accountID, inboxID)
}

// BotSettings reads an inbox's bot settings in the transaction.
func (t *Tx) BotSettings(ctx context.Context, accountID, inboxID int64) (*sahay.BotSettings, error) {
	return botSettings(ctx, t.tx, accountID, inboxID)
}

func botSettings(ctx context.Context, q queryer, accountID, inboxID int64) (*sahay.BotSettings, error) {
	b := sahay.DefaultBotSettings(inboxID)
	var enabled bool
	var settings string
	err := q.QueryRowContext(ctx, `SELECT enabled, settings FROM inbox_bots WHERE inbox_id = $1 AND account_id = $2`, inboxID, accountID).
		Scan(&enabled, &settings)
	if errors.Is(err, sql.ErrNoRows) {
		return &b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: bot settings: %w", err)
	}
	if err := json.Unmarshal([]byte(settings), &b); err != nil {
		return nil, fmt.Errorf("store: bot settings of inbox %d: %w", inboxID, err)
	}
	b.InboxID, b.Enabled = inboxID, enabled
	return &b, nil
}

// BotEnabled reports whether an inbox's bot is on: Receive asks when a
// message opens a conversation, which then starts with the bot.
func (t *Tx) BotEnabled(ctx context.Context, inboxID int64) (bool, error) {
	var enabled bool
	err := t.tx.QueryRowContext(ctx, `SELECT enabled FROM inbox_bots WHERE inbox_id = $1`, inboxID).Scan(&enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: bot enabled: %w", err)
	}
	return enabled, nil
}

// SaveBotSettings stores an inbox's bot settings.
func (t *Tx) SaveBotSettings(ctx context.Context, accountID int64, b *sahay.BotSettings) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO inbox_bots (inbox_id, account_id, enabled, settings) VALUES ($1, $2, $3, $4)
		ON CONFLICT (inbox_id) DO UPDATE SET enabled = excluded.enabled, settings = excluded.settings`,
		b.InboxID, accountID, b.Enabled, encodeJSON(b))
	if err != nil {
		return fmt.Errorf("store: save bot settings: %w", err)
	}
	return nil
}

// CountFAQs counts an account's FAQ entries.
func (t *Tx) CountFAQs(ctx context.Context, accountID int64) (int, error) {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM faqs WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count faqs: %w", err)
	}
	return n, nil
}
