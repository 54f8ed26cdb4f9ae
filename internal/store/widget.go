package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// widgetTokenPattern is the shape of a widget inbox's public token. Tokens
// are lower-case hex, so they carry no LIKE wildcard.
var widgetTokenPattern = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// WidgetInboxByToken returns the widget inbox whose settings carry the public
// website token, as the widget's script tag names it.
func (s *Store) WidgetInboxByToken(ctx context.Context, token string) (*sahay.Inbox, error) {
	if !widgetTokenPattern.MatchString(token) {
		return nil, sahay.NotFound("inbox")
	}
	// Settings of widget inboxes are stored compact by the widget adapter's
	// Validate, so the token appears exactly in this form. The LIKE narrows
	// the rows; the JSON check below is the real test.
	rows, err := s.read.QueryContext(ctx, `SELECT `+inboxColumns+` FROM inboxes WHERE channel = 'widget' AND settings LIKE $1`,
		`%"website_token":"`+token+`"%`)
	if err != nil {
		return nil, fmt.Errorf("store: widget inbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("store: widget inbox: %w", err)
		}
		var probe struct {
			WebsiteToken string `json:"website_token"`
		}
		if json.Unmarshal(in.Settings, &probe) == nil && probe.WebsiteToken == token {
			return in, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: widget inbox: %w", err)
	}
	return nil, sahay.NotFound("inbox")
}

// WidgetVisitor is what is remembered of a website visitor across visits.
type WidgetVisitor struct {
	InboxID     int64     `json:"inbox_id"`
	Subject     string    `json:"subject"`
	FirstSeenAt time.Time `json:"first_seen_at"`
	LastSeenAt  time.Time `json:"last_seen_at"`
	Visits      int64     `json:"visits"`
}

// TouchWidgetVisitor records that a visitor is on the site now. A visitor
// seen less recently than newVisitAfter starts a new visit.
func (t *Tx) TouchWidgetVisitor(ctx context.Context, accountID, inboxID int64, subject string, newVisitAfter time.Duration) (*WidgetVisitor, error) {
	now := ms(t.now)
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO widget_visitors (inbox_id, subject, account_id, first_seen_at, last_seen_at, visits)
		VALUES ($1, $2, $3, $4, $4, 1)
		ON CONFLICT (inbox_id, subject) DO UPDATE SET
			visits = widget_visitors.visits + CASE WHEN widget_visitors.last_seen_at < $5 THEN 1 ELSE 0 END,
			last_seen_at = $4`,
		inboxID, subject, accountID, now, now-newVisitAfter.Milliseconds()); err != nil {
		return nil, fmt.Errorf("store: touch visitor: %w", err)
	}
	v := &WidgetVisitor{InboxID: inboxID, Subject: subject}
	var first, last int64
	err := t.tx.QueryRowContext(ctx, `SELECT first_seen_at, last_seen_at, visits FROM widget_visitors WHERE inbox_id = $1 AND subject = $2`,
		inboxID, subject).Scan(&first, &last, &v.Visits)
	if err != nil {
		return nil, fmt.Errorf("store: touch visitor: %w", err)
	}
	v.FirstSeenAt, v.LastSeenAt = fromMS(first), fromMS(last)
	return v, nil
}

// ContactIDByIdentity returns the id of the contact a channel identity
// belongs to.
func (s *Store) ContactIDByIdentity(ctx context.Context, accountID int64, namespace, externalID string) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT contact_id FROM contact_identities WHERE account_id = $1 AND namespace = $2 AND external_id = $3`,
		accountID, namespace, externalID).Scan(&id)
	return id, notFound(err, "contact")
}

// ContactIDByEmail returns the oldest contact of an account with an email
// address, by identity or by the contact's email field.
func (t *Tx) ContactIDByEmail(ctx context.Context, accountID int64, email string) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `SELECT contact_id FROM contact_identities WHERE account_id = $1 AND namespace = 'email' AND external_id = $2`,
		accountID, email).Scan(&id)
	if err == sql.ErrNoRows {
		err = t.tx.QueryRowContext(ctx, `SELECT id FROM contacts WHERE account_id = $1 AND email = $2 ORDER BY id LIMIT 1`, accountID, email).Scan(&id)
	}
	return id, notFound(err, "contact")
}

// UndeliveredReplies returns the public replies of a conversation with id up
// to upto whose delivery status ranks below status, oldest first.
func (t *Tx) UndeliveredReplies(ctx context.Context, accountID, conversationID, upto int64, status string) ([]*sahay.Message, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation_id = $1 AND m.account_id = $2 AND m.id <= $3 AND m.kind = 'outgoing' AND m.status IN ('pending', 'sent', 'delivered')
		ORDER BY m.id DESC LIMIT 200`, conversationID, accountID, upto)
	if err != nil {
		return nil, fmt.Errorf("store: undelivered replies: %w", err)
	}
	defer rows.Close()
	var out []*sahay.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: undelivered replies: %w", err)
		}
		if sahay.DeliveryRank(m.Status) < sahay.DeliveryRank(status) {
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

// CountCampaign adds to a campaign's shown and replied counts.
func (t *Tx) CountCampaign(ctx context.Context, inboxID int64, campaignID string, shown, replied int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO widget_campaign_stats (inbox_id, campaign_id, shown, replied) VALUES ($1, $2, $3, $4)
		ON CONFLICT (inbox_id, campaign_id) DO UPDATE SET shown = widget_campaign_stats.shown + $3, replied = widget_campaign_stats.replied + $4`,
		inboxID, campaignID, shown, replied)
	if err != nil {
		return fmt.Errorf("store: count campaign: %w", err)
	}
	return nil
}

// CampaignStats returns the counts of an inbox's campaigns.
func (s *Store) CampaignStats(ctx context.Context, inboxID int64) ([]sahay.CampaignStat, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT campaign_id, shown, replied FROM widget_campaign_stats WHERE inbox_id = $1 ORDER BY campaign_id`, inboxID)
	if err != nil {
		return nil, fmt.Errorf("store: campaign stats: %w", err)
	}
	defer rows.Close()
	out := []sahay.CampaignStat{}
	for rows.Next() {
		var c sahay.CampaignStat
		if err := rows.Scan(&c.CampaignID, &c.Shown, &c.Replied); err != nil {
			return nil, fmt.Errorf("store: campaign stats: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveCSAT stores a rating, replacing an earlier one of the conversation.
func (t *Tx) SaveCSAT(ctx context.Context, c *sahay.CSAT) error {
	c.CreatedAt = t.now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO widget_csat (conversation_id, account_id, inbox_id, contact_id, assignee_id, rating, comment, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (conversation_id) DO UPDATE SET rating = $6, comment = $7, assignee_id = $5, created_at = $8`,
		c.ConversationID, c.AccountID, c.InboxID, c.ContactID, c.AssigneeID, c.Rating, c.Comment, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: save csat: %w", err)
	}
	return nil
}

const csatColumns = `conversation_id, account_id, inbox_id, contact_id, assignee_id, rating, comment, created_at`

func scanCSAT(row interface{ Scan(...any) error }) (*sahay.CSAT, error) {
	var c sahay.CSAT
	var created int64
	if err := row.Scan(&c.ConversationID, &c.AccountID, &c.InboxID, &c.ContactID, &c.AssigneeID, &c.Rating, &c.Comment, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// ConversationCSAT returns the rating of a conversation.
func (s *Store) ConversationCSAT(ctx context.Context, accountID, conversationID int64) (*sahay.CSAT, error) {
	c, err := scanCSAT(s.read.QueryRowContext(ctx, `SELECT `+csatColumns+` FROM widget_csat WHERE conversation_id = $1 AND account_id = $2`,
		conversationID, accountID))
	return c, notFound(err, "rating")
}

// InboxCSAT returns an inbox's ratings, newest first.
func (s *Store) InboxCSAT(ctx context.Context, accountID, inboxID int64, limit int) ([]*sahay.CSAT, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+csatColumns+` FROM widget_csat WHERE account_id = $1 AND inbox_id = $2
		ORDER BY created_at DESC LIMIT $3`, accountID, inboxID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: csat: %w", err)
	}
	defer rows.Close()
	out := []*sahay.CSAT{}
	for rows.Next() {
		c, err := scanCSAT(rows)
		if err != nil {
			return nil, fmt.Errorf("store: csat: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpsertOrder stores an order, or updates the one with the same source, kind
// and external id; it reports whether the order is new.
func (t *Tx) UpsertOrder(ctx context.Context, o *sahay.Order) (bool, error) {
	if len(o.Items) == 0 {
		o.Items = json.RawMessage("[]")
	}
	var existing int64
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM commerce_orders WHERE account_id = $1 AND source = $2 AND kind = $3 AND external_id = $4`,
		o.AccountID, o.Source, o.Kind, o.ExternalID).Scan(&existing)
	if err != nil && err != sql.ErrNoRows {
		return false, fmt.Errorf("store: upsert order: %w", err)
	}
	var created int64
	err = t.tx.QueryRowContext(ctx, `INSERT INTO commerce_orders (account_id, inbox_id, contact_id, source, kind, external_id, status, email,
			total, currency, items, url, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
		ON CONFLICT (account_id, source, kind, external_id) DO UPDATE SET
			contact_id = CASE WHEN $3 <> 0 THEN $3 ELSE commerce_orders.contact_id END,
			status = $7, email = $8, total = $9, currency = $10, items = $11, url = $12, updated_at = $13
		RETURNING id, created_at`,
		o.AccountID, o.InboxID, o.ContactID, o.Source, o.Kind, o.ExternalID, o.Status, o.Email, o.Total, o.Currency,
		string(o.Items), o.URL, ms(t.now)).Scan(&o.ID, &created)
	if err != nil {
		return false, fmt.Errorf("store: upsert order: %w", err)
	}
	o.CreatedAt, o.UpdatedAt = fromMS(created), t.now
	return existing == 0, nil
}

// ContactOrders returns a contact's carts and orders, newest first.
func (s *Store) ContactOrders(ctx context.Context, accountID, contactID int64, limit int) ([]*sahay.Order, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, account_id, inbox_id, contact_id, source, kind, external_id, status, email, total, currency,
			items, url, created_at, updated_at
		FROM commerce_orders WHERE account_id = $1 AND contact_id = $2 ORDER BY updated_at DESC, id DESC LIMIT $3`, accountID, contactID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: orders: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Order{}
	for rows.Next() {
		var o sahay.Order
		var items string
		var created, updated int64
		if err := rows.Scan(&o.ID, &o.AccountID, &o.InboxID, &o.ContactID, &o.Source, &o.Kind, &o.ExternalID, &o.Status, &o.Email,
			&o.Total, &o.Currency, &items, &o.URL, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: orders: %w", err)
		}
		o.Items = json.RawMessage(items)
		o.CreatedAt, o.UpdatedAt = fromMS(created), fromMS(updated)
		out = append(out, &o)
	}
	return out, rows.Err()
}

// AttachmentByKey returns an attachment of an account by its storage key,
// with the conversation it belongs to.
func (s *Store) AttachmentByKey(ctx context.Context, accountID int64, key string) (*sahay.Attachment, int64, error) {
	var a sahay.Attachment
	var conversationID int64
	err := s.read.QueryRowContext(ctx, `SELECT a.id, a.message_id, a.file_name, a.content_type, a.size, a.storage_key, m.conversation_id
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.storage_key = $1 AND a.account_id = $2`, key, accountID).
		Scan(&a.ID, &a.MessageID, &a.FileName, &a.ContentType, &a.Size, &a.StorageKey, &conversationID)
	if err != nil {
		return nil, 0, notFound(err, "attachment")
	}
	return &a, conversationID, nil
}

// MarkTeamSeen records that the team has read a conversation up to a
// message; it never moves backwards. It reports whether it moved.
func (t *Tx) MarkTeamSeen(ctx context.Context, accountID, conversationID, upto int64) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO widget_reads (conversation_id, account_id, seen_upto, seen_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (conversation_id) DO UPDATE SET seen_upto = $3, seen_at = $4 WHERE widget_reads.seen_upto < $3`,
		conversationID, accountID, upto, ms(t.now))
	if err != nil {
		return false, fmt.Errorf("store: mark seen: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// TeamSeen returns how far the team has read each of the conversations.
func (s *Store) TeamSeen(ctx context.Context, accountID int64, conversationIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(conversationIDs) == 0 {
		return out, nil
	}
	args := []any{accountID}
	for _, id := range conversationIDs {
		args = append(args, id)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT conversation_id, seen_upto FROM widget_reads WHERE account_id = $1 AND conversation_id IN (`+
		placeholders(2, len(conversationIDs))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: seen: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, upto int64
		if err := rows.Scan(&id, &upto); err != nil {
			return nil, fmt.Errorf("store: seen: %w", err)
		}
		out[id] = upto
	}
	return out, rows.Err()
}
