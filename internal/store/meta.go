package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// OutgoingUpTo returns the outgoing messages sent to a contact in an inbox
// at or before t whose status is one of statuses: the messages a
// watermark receipt covers.
func (t *Tx) OutgoingUpTo(ctx context.Context, inboxID, contactID int64, at time.Time, statuses []string) ([]*sahay.Message, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation_id IN (SELECT c.id FROM conversations c WHERE c.inbox_id = $1 AND c.contact_id = $2)
			AND m.kind = $3 AND m.created_at <= $4 AND m.status IN (SELECT value FROM `+t.s.textList("$5")+`)
		ORDER BY m.id`,
		inboxID, contactID, sahay.MessageOutgoing, ms(at), t.s.textListArg(statuses))
	if err != nil {
		return nil, fmt.Errorf("store: outgoing up to: %w", err)
	}
	defer rows.Close()
	var out []*sahay.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: outgoing up to: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// textList is a FROM item listing the strings of the argument ph, named
// value: a JSON array on SQLite, an array on PostgreSQL (see textListArg).
func (s *Store) textList(ph string) string {
	if s.dialect == SQLite {
		return "json_each(" + ph + ")"
	}
	return "unnest(" + ph + "::text[]) AS value"
}

// textListArg is the argument of a textList.
func (s *Store) textListArg(v []string) any {
	if s.dialect == SQLite {
		return encodeJSON(v)
	}
	return v
}

// LastIncoming returns the customer's latest message in a conversation
// that has a platform id.
func (s *Store) LastIncoming(ctx context.Context, accountID, conversationID int64) (*sahay.Message, error) {
	m, err := scanMessage(s.read.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation_id = $1 AND m.account_id = $2 AND m.kind = $3 AND m.external_id IS NOT NULL
		ORDER BY m.id DESC LIMIT 1`, conversationID, accountID, sahay.MessageIncoming))
	return m, notFound(err, "message")
}

// SetMessageDetails saves a message's details.
func (t *Tx) SetMessageDetails(ctx context.Context, m *sahay.Message) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE messages SET details = $2 WHERE id = $1`, m.ID, jsonColumn(m.Details)); err != nil {
		return fmt.Errorf("store: set message details: %w", err)
	}
	return nil
}

// ReplaceTemplates makes an inbox's templates those given, as a sync from
// the platform found them.
func (t *Tx) ReplaceTemplates(ctx context.Context, inboxID int64, templates []sahay.Template) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM channel_templates WHERE inbox_id = $1`, inboxID); err != nil {
		return fmt.Errorf("store: replace templates: %w", err)
	}
	for i := range templates {
		tp := &templates[i]
		tp.InboxID, tp.UpdatedAt = inboxID, t.now
		if tp.Buttons == nil {
			tp.Buttons = []string{}
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO channel_templates
			(inbox_id, name, language, category, status, header, body, footer, buttons, params, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (inbox_id, name, language) DO NOTHING`,
			inboxID, tp.Name, tp.Language, tp.Category, tp.Status, tp.Header, tp.Body, tp.Footer, encodeJSON(tp.Buttons),
			tp.Params, ms(t.now)); err != nil {
			return fmt.Errorf("store: replace templates: %w", err)
		}
	}
	return nil
}

const templateColumns = `inbox_id, name, language, category, status, header, body, footer, buttons, params, updated_at`

func scanTemplate(row interface{ Scan(...any) error }) (*sahay.Template, error) {
	var tp sahay.Template
	var buttons string
	var updated int64
	if err := row.Scan(&tp.InboxID, &tp.Name, &tp.Language, &tp.Category, &tp.Status, &tp.Header, &tp.Body, &tp.Footer,
		&buttons, &tp.Params, &updated); err != nil {
		return nil, err
	}
	tp.UpdatedAt = fromMS(updated)
	if err := json.Unmarshal([]byte(buttons), &tp.Buttons); err != nil {
		return nil, fmt.Errorf("template %s buttons: %w", tp.Name, err)
	}
	return &tp, nil
}

// Templates lists an inbox's templates by name and language.
func (s *Store) Templates(ctx context.Context, inboxID int64) ([]sahay.Template, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+templateColumns+` FROM channel_templates WHERE inbox_id = $1 ORDER BY name, language`, inboxID)
	if err != nil {
		return nil, fmt.Errorf("store: templates: %w", err)
	}
	defer rows.Close()
	out := []sahay.Template{}
	for rows.Next() {
		tp, err := scanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("store: templates: %w", err)
		}
		out = append(out, *tp)
	}
	return out, rows.Err()
}

// Template returns one of an inbox's templates.
func (s *Store) Template(ctx context.Context, inboxID int64, name, language string) (*sahay.Template, error) {
	tp, err := scanTemplate(s.read.QueryRowContext(ctx, `SELECT `+templateColumns+` FROM channel_templates
		WHERE inbox_id = $1 AND name = $2 AND language = $3`, inboxID, name, language))
	return tp, notFound(err, "template")
}

// PendingReply returns the oldest reply of the team in a conversation that
// is still being sent, with no platform id yet, whose content is content.
func (t *Tx) PendingReply(ctx context.Context, conversationID int64, content string) (*sahay.Message, error) {
	m, err := scanMessage(t.tx.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation_id = $1 AND m.kind = $2 AND m.status = $3 AND m.external_id IS NULL AND m.content = $4
		ORDER BY m.id LIMIT 1`, conversationID, sahay.MessageOutgoing, sahay.DeliveryPending, content))
	return m, notFound(err, "message")
}
