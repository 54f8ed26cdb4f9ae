package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/textnorm"
)

const messageColumns = `m.id, m.account_id, m.conversation_id, m.inbox_id, m.kind, m.sender_type, m.sender_id, m.content,
	m.external_id, m.status, m.error, m.email, m.created_at, m.public, m.details`

func scanMessage(row interface{ Scan(...any) error }, extra ...any) (*sahay.Message, error) {
	var m sahay.Message
	var ext, email, details sql.NullString
	var created int64
	dest := []any{&m.ID, &m.AccountID, &m.ConversationID, &m.InboxID, &m.Kind, &m.SenderType, &m.SenderID, &m.Content,
		&ext, &m.Status, &m.Error, &email, &created, &m.Public, &details}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	m.ExternalID = ext.String
	m.CreatedAt = fromMS(created)
	m.Attachments = []sahay.Attachment{}
	if email.Valid {
		m.Email = new(sahay.Email)
		if err := json.Unmarshal([]byte(email.String), m.Email); err != nil {
			return nil, fmt.Errorf("message %d email: %w", m.ID, err)
		}
	}
	if details.Valid {
		m.Details = new(sahay.MessageDetails)
		if err := json.Unmarshal([]byte(details.String), m.Details); err != nil {
			return nil, fmt.Errorf("message %d details: %w", m.ID, err)
		}
	}
	return &m, nil
}

// jsonColumn is how a value kept as JSON is stored (a message's email or
// details, a conversation's post): JSON, or NULL for nil.
func jsonColumn[T any](v *T) sql.NullString {
	if v == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: encodeJSON(v), Valid: true}
}

// ErrDuplicate is returned by [Tx.InsertMessage] for a message whose external
// id the inbox already has.
var ErrDuplicate = sahay.Errorf(sahay.ECONFLICT, "duplicate message")

// InsertMessage stores a message with its attachments; it is indexed for
// search when the transaction commits. A message whose (inbox, external id)
// exists is not stored and [ErrDuplicate] is returned.
func (t *Tx) InsertMessage(ctx context.Context, m *sahay.Message) error {
	markAutomation(ctx, m)
	v := t.messageValues(m)
	err := t.tx.QueryRowContext(ctx, `INSERT INTO messages (`+messageInsertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (inbox_id, external_id) WHERE external_id IS NOT NULL DO NOTHING RETURNING id`,
		v...).Scan(&m.ID)
	if err == sql.ErrNoRows {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("store: insert message: %w", err)
	}
	return t.insertedMessage(ctx, m)
}

// messageInsertColumns are the columns [Tx.InsertMessage] and
// [Tx.InsertMessages] store, in the order of [Tx.messageValues].
const messageInsertColumns = `account_id, conversation_id, inbox_id, kind, sender_type, sender_id, content,
	external_id, status, error, email, search_text, created_at, public, details`

// messageInsertWidth is the number of messageInsertColumns.
const messageInsertWidth = 15

// messageSearchValue is the index of search_text in messageInsertColumns.
const messageSearchValue = 11

// messageValues fills in a new message's creation time and returns the
// values of messageInsertColumns for it.
func (t *Tx) messageValues(m *sahay.Message) []any {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.now
	}
	ext := sql.NullString{String: m.ExternalID, Valid: m.ExternalID != ""}
	search := m.Folded
	if search == "" {
		search = FoldMessage(m)
	}
	return []any{m.AccountID, m.ConversationID, m.InboxID, m.Kind, m.SenderType, m.SenderID, m.Content,
		ext, m.Status, m.Error, jsonColumn(m.Email), search, ms(m.CreatedAt), m.Public, jsonColumn(m.Details)}
}

// FoldMessage returns a message's text as search indexes it: its content,
// after an email's subject; nothing for an activity message. A caller may
// set [sahay.Message.Folded] to it before the message is stored.
func FoldMessage(m *sahay.Message) string {
	if m.Kind == sahay.MessageActivity {
		return ""
	}
	text := m.Content
	if m.Email != nil && m.Email.Subject != "" {
		// An email is found by its subject too.
		text = m.Email.Subject + "\n" + text
	}
	return textnorm.ForSearch(text)
}

// insertedMessage stores the attachments of a message just stored with
// its id.
func (t *Tx) insertedMessage(ctx context.Context, m *sahay.Message) error {
	if m.Attachments == nil {
		m.Attachments = []sahay.Attachment{}
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		a.MessageID = m.ID
		if err := t.tx.QueryRowContext(ctx, `INSERT INTO attachments (account_id, message_id, file_name, content_type, size, storage_key, content_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			m.AccountID, m.ID, a.FileName, a.ContentType, a.Size, a.StorageKey, a.ContentID, ms(t.now)).Scan(&a.ID); err != nil {
			return fmt.Errorf("store: insert attachment: %w", err)
		}
		a.URL = attachmentURL(a.ID)
	}
	return nil
}

// InsertMessages stores messages as [Tx.InsertMessage] does each, in
// their order, in one statement on PostgreSQL: group commit stores a
// batch's received messages at once rather than one round trip each. If
// an (inbox, external id) exists, [ErrDuplicate] is returned, some of the
// messages may be stored, and the transaction must not commit.
func (t *Tx) InsertMessages(ctx context.Context, msgs []*sahay.Message) error {
	return t.InsertMessagesWithActivity(ctx, msgs, nil, nil)
}

// InsertMessagesWithActivity stores msgs as [Tx.InsertMessages] does and
// the activity of convs as [Tx.UpdateActivity] does, in one statement on
// PostgreSQL: a round trip costs more than either. waitingKept[i], when
// given, says convs[i] still waits since the time stored, which SQLite
// then leaves alone.
func (t *Tx) InsertMessagesWithActivity(ctx context.Context, msgs []*sahay.Message, convs []*sahay.Conversation, waitingKept []bool) error {
	if t.s.dialect == SQLite {
		if err := t.insertMessageRows(ctx, msgs); err != nil {
			return err
		}
		return t.updateActivity(ctx, convs, waitingKept)
	}
	if len(msgs) == 0 {
		return t.UpdateActivity(ctx, convs)
	}
	// One array per column: the statement's text is the same whatever
	// the number of messages, and stays prepared.
	n := len(msgs)
	accounts, conversations, inboxes, senders, created := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	kinds, senderTypes, contents, externals := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	statuses, errs, emails, search, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	public := make([]bool, n)
	for i, m := range msgs {
		v := t.messageValues(m)
		accounts[i], conversations[i], inboxes[i], kinds[i], senderTypes[i], senders[i], contents[i] = m.AccountID, m.ConversationID, m.InboxID, m.Kind, m.SenderType, m.SenderID, m.Content
		externals[i], statuses[i], errs[i], created[i] = m.ExternalID, m.Status, m.Error, ms(m.CreatedAt)
		emails[i], search[i] = jsonColumn(m.Email).String, v[messageSearchValue].(string)
		public[i], details[i] = m.Public, jsonColumn(m.Details).String
	}
	// Empty strings stand for NULL external ids, emails and details.
	query := `INSERT INTO messages (` + messageInsertColumns + `)
		SELECT account_id, conversation_id, inbox_id, kind, sender_type, sender_id, content, NULLIF(external_id, ''), status, error,
			NULLIF(email, ''), search_text, created_at, public, NULLIF(details, '')
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
			$11::text[], $12::text[], $13::bigint[], $14::boolean[], $15::text[])
			AS v(account_id, conversation_id, inbox_id, kind, sender_type, sender_id, content, external_id, status, error, email, search_text,
				created_at, public, details)
		ON CONFLICT (inbox_id, external_id) WHERE external_id IS NOT NULL DO NOTHING RETURNING id`
	args := []any{accounts, conversations, inboxes, kinds, senderTypes, senders, contents, externals, statuses, errs, emails, search, created,
		public, details}
	if len(convs) > 0 {
		// The two parts share a snapshot, and neither reads what the
		// other writes.
		query = `WITH activity AS (` + activityUpdate(16) + `) ` + query
		args = append(args, t.activityArrays(convs)...)
	}
	ids, err := int64s(ctx, t.tx, query, args...)
	if err != nil {
		return fmt.Errorf("store: insert messages: %w", err)
	}
	if len(ids) != n {
		return ErrDuplicate
	}
	// The rows are inserted in the arrays' order, each taking the next
	// number of the id sequence: the ids in ascending order are the
	// messages' in order.
	slices.Sort(ids)
	for i, m := range msgs {
		m.ID = ids[i]
		if err := t.insertedMessage(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// insertMessageRows is [Tx.InsertMessages] on SQLite: a few rows per
// statement, in statements of the sizes of eventRows, each prepared once.
func (t *Tx) insertMessageRows(ctx context.Context, msgs []*sahay.Message) error {
	for _, n := range eventRows {
		for len(msgs) >= n {
			chunk := msgs[:n]
			msgs = msgs[n:]
			args := make([]any, 0, messageInsertWidth*n)
			for _, m := range chunk {
				args = append(args, t.messageValues(m)...)
			}
			ids, err := int64s(ctx, t.tx, insertMessageRows[n], args...)
			if err != nil {
				return fmt.Errorf("store: insert messages: %w", err)
			}
			if len(ids) != n {
				return ErrDuplicate
			}
			// SQLite inserts the rows in order, each with an id above
			// every other.
			slices.Sort(ids)
			for i, m := range chunk {
				m.ID = ids[i]
				if err := t.insertedMessage(ctx, m); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// insertMessageRows holds, for each size of eventRows, the statement
// inserting that many messages.
var insertMessageRows = valuesStatements(`INSERT INTO messages (`+messageInsertColumns+`) VALUES `, messageInsertWidth,
	` ON CONFLICT (inbox_id, external_id) WHERE external_id IS NOT NULL DO NOTHING RETURNING id`)

// valuesStatements returns, for each size n of eventRows, the SQLite
// statement prefix VALUES (…), … suffix with n rows of width placeholders
// each. The placeholders are SQLite's anonymous "?", bound in the order
// they appear: the driver asks SQLite for every parameter's name, which
// for named ones ($1) is a scan of all the statement's names, so a
// statement of a thousand named parameters spent a tenth of the writer's
// time there.
func valuesStatements(prefix string, width int, suffix string) map[int]string {
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	return sizedStatements(prefix, suffix, func(int) string { return row })
}

// sizedStatements returns, for each size n of eventRows, the statement
// prefix, then rows 0 to n-1 as row gives them separated by commas, then
// suffix.
func sizedStatements(prefix, suffix string, row func(i int) string) map[int]string {
	m := map[int]string{}
	for _, n := range eventRows {
		var b strings.Builder
		b.WriteString(prefix)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row(i))
		}
		b.WriteString(suffix)
		m[n] = b.String()
	}
	return m
}

// indexMessages brings the search index (SQLite) up to date with every
// message the transaction sees: [Tx.indexMessagesUpTo] without a bound. It
// runs before anything that unindexes messages, whose index rows must be
// there to be deleted.
func (t *Tx) indexMessages(ctx context.Context) error {
	_, err := t.indexMessagesUpTo(ctx, 0)
	return err
}

// indexMessagesUpTo adds the messages above search_cursor, at most most of
// them when most > 0, to the search index (SQLite) and their words to
// message_terms, and moves the cursor past them, in the transaction: the
// index always holds every message up to the cursor. Reading their text
// back from messages skips any a savepoint rolled back. It reports whether
// messages are left to index.
func (t *Tx) indexMessagesUpTo(ctx context.Context, most int) (more bool, err error) {
	if t.s.dialect != SQLite {
		return false, nil
	}
	var from, newest int64
	if err := t.tx.QueryRowContext(ctx, `SELECT indexed_to, COALESCE((SELECT max(id) FROM messages), 0) FROM search_cursor`).Scan(&from, &newest); err != nil {
		return false, fmt.Errorf("store: search cursor: %w", err)
	}
	if newest <= from {
		return false, nil
	}
	to := newest
	if most > 0 {
		// The id of the most-th message above the cursor, or the newest.
		var nth sql.NullInt64
		if err := t.tx.QueryRowContext(ctx, `SELECT max(id) FROM (SELECT id FROM messages WHERE id > $1 ORDER BY id LIMIT $2)`, from, most).Scan(&nth); err != nil {
			return false, fmt.Errorf("store: search cursor: %w", err)
		}
		if nth.Valid && nth.Int64 < newest {
			to, more = nth.Int64, true
		}
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, search_text)
		SELECT id, search_text FROM messages WHERE id > $1 AND id <= $2 AND search_text <> ''`, from, to); err != nil {
		return false, fmt.Errorf("store: index messages: %w", err)
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT search_text FROM messages WHERE id > $1 AND id <= $2 AND search_text <> ''`, from, to)
	if err != nil {
		return false, fmt.Errorf("store: index messages: %w", err)
	}
	defer rows.Close()
	var texts []string
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return false, fmt.Errorf("store: index messages: %w", err)
		}
		texts = append(texts, text)
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("store: index messages: %w", err)
	}
	rows.Close()
	if err := t.addTerms(ctx, texts); err != nil {
		return false, err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE search_cursor SET indexed_to = $1`, to); err != nil {
		return false, fmt.Errorf("store: search cursor: %w", err)
	}
	return more, nil
}

// IndexMessages adds up to most messages stored since they were last
// indexed to the search index (SQLite: messages are indexed after they
// are stored, not by the transaction that stores them, so that a batch of
// received messages holds the one writer for less), and reports whether
// more are left. On PostgreSQL a message's search vector is stored with it:
// it does nothing.
func (s *Store) IndexMessages(ctx context.Context, most int) (more bool, err error) {
	if s.dialect != SQLite {
		return false, nil
	}
	_, err = s.Write(ctx, func(tx *Tx) error {
		more, err = tx.indexMessagesUpTo(ctx, most)
		return err
	})
	return more, err
}

// UnindexedMessages returns how many stored messages wait to be indexed
// for search (SQLite; none on PostgreSQL).
func (s *Store) UnindexedMessages(ctx context.Context) (int64, error) {
	if s.dialect != SQLite {
		return 0, nil
	}
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE id > (SELECT indexed_to FROM search_cursor)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unindexed messages: %w", err)
	}
	return n, nil
}

// indexBehind brings the search index up to date before a search reads it
// (SQLite), a batch of messages per turn of the writer, so that a search
// finds every message stored before it.
func (s *Store) indexBehind(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	var behind bool
	if err := s.read.QueryRowContext(ctx, `SELECT indexed_to < COALESCE((SELECT max(id) FROM messages), 0) FROM search_cursor`).Scan(&behind); err != nil {
		return fmt.Errorf("store: search cursor: %w", err)
	}
	for behind {
		var err error
		if behind, err = s.IndexMessages(ctx, indexBatch); err != nil {
			return err
		}
	}
	return nil
}

// indexBatch is how many messages a transaction indexes for search at
// most when it is not the one that unindexes messages: a few hundred
// milliseconds of the writer.
const indexBatch = 20_000

// MessageByExternalID finds a message by the platform's id in an inbox.
func (t *Tx) MessageByExternalID(ctx context.Context, inboxID int64, externalID string) (*sahay.Message, error) {
	m, err := scanMessage(t.tx.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.inbox_id = $1 AND m.external_id = $2`, inboxID, externalID))
	return m, notFound(err, "message")
}

// MessageByExternalID finds a message by the platform's id in an inbox.
func (s *Store) MessageByExternalID(ctx context.Context, inboxID int64, externalID string) (*sahay.Message, error) {
	m, err := scanMessage(s.read.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.inbox_id = $1 AND m.external_id = $2`, inboxID, externalID))
	return m, notFound(err, "message")
}

// Message returns a message with its attachments.
func (s *Store) Message(ctx context.Context, accountID, id int64) (*sahay.Message, error) {
	return message(ctx, s.read, accountID, id)
}

// Message returns a message, read in the transaction.
func (t *Tx) Message(ctx context.Context, accountID, id int64) (*sahay.Message, error) {
	return message(ctx, t.tx, accountID, id)
}

func message(ctx context.Context, q queryer, accountID, id int64) (*sahay.Message, error) {
	m, err := scanMessage(q.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.id = $1 AND m.account_id = $2`, id, accountID))
	if err != nil {
		return nil, notFound(err, "message")
	}
	return m, attachAttachments(ctx, q, []*sahay.Message{m})
}

// SetMessageDelivery records a delivery status and, when given, the
// platform's id for the message and the email it was sent as.
func (t *Tx) SetMessageDelivery(ctx context.Context, m *sahay.Message) error {
	ext := sql.NullString{String: m.ExternalID, Valid: m.ExternalID != ""}
	_, err := t.tx.ExecContext(ctx, `UPDATE messages SET status = $2, error = $3, external_id = COALESCE($4, external_id),
		email = COALESCE($5, email) WHERE id = $1`,
		m.ID, m.Status, m.Error, ext, jsonColumn(m.Email))
	if isUniqueViolation(err) {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("store: set delivery: %w", err)
	}
	return nil
}

// SetMessageContent replaces a message's content (a customer edited it on
// the platform) and its search index entry.
func (t *Tx) SetMessageContent(ctx context.Context, m *sahay.Message) error {
	search := textnorm.ForSearch(m.Content)
	if _, err := t.tx.ExecContext(ctx, `UPDATE messages SET content = $2, search_text = $3 WHERE id = $1`, m.ID, m.Content, search); err != nil {
		return fmt.Errorf("store: set message content: %w", err)
	}
	if t.s.dialect != SQLite {
		return nil
	}
	// The message may not be indexed yet: its old index row must be there
	// to be deleted.
	if err := t.indexMessages(ctx); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM messages_fts WHERE rowid = $1`, m.ID); err != nil {
		return fmt.Errorf("store: unindex message: %w", err)
	}
	if search == "" {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, search_text) VALUES ($1, $2)`, m.ID, search); err != nil {
		return fmt.Errorf("store: index message: %w", err)
	}
	return t.addTerms(ctx, []string{search})
}

// Messages returns a conversation's messages with id < before (0 for the
// latest), newest last, at most limit.
func (s *Store) Messages(ctx context.Context, accountID, conversationID, before int64, limit int) ([]*sahay.Message, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation_id = $1 AND m.account_id = $2 AND m.id < $3 ORDER BY m.id DESC LIMIT $4`, conversationID, accountID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if err := attachAnalyses(ctx, s.read, out); err != nil {
		return nil, err
	}
	return out, attachAttachments(ctx, s.read, out)
}

func attachAttachments(ctx context.Context, q queryer, ms []*sahay.Message) error {
	if len(ms) == 0 {
		return nil
	}
	byID := map[int64]*sahay.Message{}
	args := make([]any, len(ms))
	for i, m := range ms {
		byID[m.ID] = m
		args[i] = m.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT id, message_id, file_name, content_type, size, storage_key, content_id FROM attachments
		WHERE message_id IN (`+placeholders(1, len(args))+`) ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("store: attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a sahay.Attachment
		if err := rows.Scan(&a.ID, &a.MessageID, &a.FileName, &a.ContentType, &a.Size, &a.StorageKey, &a.ContentID); err != nil {
			return fmt.Errorf("store: attachments: %w", err)
		}
		a.URL = attachmentURL(a.ID)
		if m := byID[a.MessageID]; m != nil {
			m.Attachments = append(m.Attachments, a)
		}
	}
	return rows.Err()
}

// attachmentURL is where the API serves an attachment to those who may see
// its conversation.
func attachmentURL(id int64) string { return fmt.Sprintf("/api/v1/attachments/%d", id) }

// Attachment returns an attachment of an account and its conversation.
func (s *Store) Attachment(ctx context.Context, accountID, id int64) (*sahay.Attachment, int64, error) {
	var a sahay.Attachment
	var conversationID int64
	err := s.read.QueryRowContext(ctx, `SELECT a.id, a.message_id, a.file_name, a.content_type, a.size, a.storage_key, a.content_id, m.conversation_id
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1 AND a.account_id = $2`, id, accountID).
		Scan(&a.ID, &a.MessageID, &a.FileName, &a.ContentType, &a.Size, &a.StorageKey, &a.ContentID, &conversationID)
	if err != nil {
		return nil, 0, notFound(err, "attachment")
	}
	return &a, conversationID, nil
}

// SearchHit is a message found by [Store.SearchMessages].
type SearchHit struct {
	Message     *sahay.Message
	DisplayID   int64
	ContactID   int64
	ContactName string
}

// SearchMessages finds an account's messages containing every term (the last
// as a prefix), newest first, in the given inboxes (nil for all).
func (s *Store) SearchMessages(ctx context.Context, accountID int64, inboxes []int64, terms []string, limit int) ([]SearchHit, error) {
	if len(terms) == 0 || limit <= 0 || (inboxes != nil && len(inboxes) == 0) {
		return []SearchHit{}, nil
	}
	if err := s.indexBehind(ctx); err != nil {
		return nil, err
	}
	args := []any{accountID}
	var from, match, order string
	if s.dialect == SQLite {
		small, err := s.smallAccount(ctx, accountID)
		if err != nil {
			return nil, err
		}
		if small {
			ids, found, err := s.searchAccount(ctx, accountID, inboxes, terms, limit)
			if err != nil {
				return nil, err
			}
			if found {
				return s.searchHits(ctx, ids)
			}
		}
		// Driven from the index, newest first, so the query stops after
		// limit hits instead of collecting every match.
		q, words, err := s.messageFTSQuery(ctx, terms)
		if err != nil {
			return nil, err
		}
		if words > commonPrefixTerms {
			ids, found, err := s.searchRecent(ctx, accountID, inboxes, terms[:len(terms)-1], ftsTerm(terms[len(terms)-1]), limit)
			if err != nil {
				return nil, err
			}
			if found {
				return s.searchHits(ctx, ids)
			}
		}
		args = append(args, q)
		from = `messages_fts f JOIN messages m ON m.id = f.rowid`
		match = `messages_fts MATCH $2`
		order = `f.rowid DESC`
	} else {
		hits, done, err := s.searchWalk(ctx, accountID, inboxes, tsQuery(terms), limit)
		if err != nil || done {
			return hits, err
		}
		args = append(args, tsQuery(terms))
		from = `messages m`
		match = `m.search_tsv @@ to_tsquery('simple', $2)`
		order = `m.id DESC`
	}
	scope, args := inboxScope(args, inboxes)
	args = append(args, limit)
	where := `WHERE m.account_id = $1 AND ` + match + scope + ` ORDER BY ` + order + ` LIMIT $` + fmt.Sprint(len(args))
	query := `SELECT ` + messageColumns + `, c.display_id, c.contact_id, ct.name FROM ` + from + `
		JOIN conversations c ON c.id = m.conversation_id
		JOIN contacts ct ON ct.id = c.contact_id ` + where
	if s.dialect != SQLite {
		// The page is taken before the joins: when the planner collects
		// every match (a bitmap scan of the GIN index) and sorts them, it
		// then looks up the conversation and contact of the page only.
		query = `SELECT ` + messageColumns + `, c.display_id, c.contact_id, ct.name
			FROM (SELECT ` + messageColumns + ` FROM ` + from + ` ` + where + `) m
			JOIN conversations c ON c.id = m.conversation_id
			JOIN contacts ct ON ct.id = c.contact_id
			ORDER BY m.id DESC`
	}
	if s.dialect != SQLite {
		return s.searchBitmap(ctx, query, args)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	return scanSearchHits(rows)
}

// maxSearchWalk is how many of an account's newest messages PostgreSQL
// search walks at most when the first window's matches forecast a page
// within them: about 50 ms.
const maxSearchWalk = 200000

// searchWalk looks for a query among the account's newest messages,
// newest first (PostgreSQL): searchWindow of them, then, when those hold
// some matches but not a page, the next ones, as many as the rate of
// matches so far forecasts a page in, up to maxSearchWalk in all. It
// returns the hits and whether they are the answer: a page of them, or
// every message of the account was read.
//
// The planner's own choice, between such a walk and reading every match
// from the GIN index to sort them, rests on an estimate that can be far
// off either way: words that go together ("cash delivery") match many
// times more messages than it expects of independent words, and it read
// all 9,500 matches at 1,000,000 messages to sort them (0.3 s) where the
// walk finds a page in a few milliseconds; a word outside the statistics'
// most common ones is expected thousands of times whether it occurs or
// not, and it walked all 10,000,000 messages for a word no message has
// (4.4 s) where the index has none to read. The matches in the window
// measure how common the words are among the messages the page comes
// from.
func (s *Store) searchWalk(ctx context.Context, accountID int64, inboxes []int64, query string, limit int) ([]SearchHit, bool, error) {
	hits := []SearchHit{}
	below := int64(math.MaxInt64) // the walk's next window is of the messages below this id
	walked, window := 0, searchWindow
	for {
		found, err := s.searchNewest(ctx, accountID, inboxes, query, limit-len(hits), below, window)
		if err != nil {
			return nil, false, err
		}
		if hits = append(hits, found...); len(hits) == limit {
			return hits, true, nil
		}
		next, err := s.messageAfter(ctx, accountID, below, window)
		if err != nil || next == 0 {
			return hits, err == nil, err
		}
		walked += window
		if len(hits) == 0 || walked >= maxSearchWalk {
			return hits, false, nil
		}
		// Half as many again as the rate forecasts, as a margin.
		forecast := walked / len(hits) * limit * 3 / 2
		if forecast > maxSearchWalk {
			return hits, false, nil
		}
		below, window = next+1, min(max(forecast, 2*walked), maxSearchWalk)-walked
	}
}

// searchBitmap runs a search query with index and table scans off, for
// its transaction only (PostgreSQL): the matches are read from the GIN
// index as a bitmap and sorted, never found by walking the messages newest
// first.
func (s *Store) searchBitmap(ctx context.Context, query string, args []any) ([]SearchHit, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_indexscan', 'off', true), set_config('enable_seqscan', 'off', true)`); err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	return scanSearchHits(rows)
}

// planEach, given first among a query's arguments on PostgreSQL, has it
// planned for the values given each time it runs, never with a plan made
// once for any values. A plan for any account walks the primary key and
// skips other accounts' messages, as is cheapest for an account holding
// most of them; for a small account it would read every message.
const planEach = pgx.QueryExecModeExec

// messageAfter returns the id of the account's message that follows the
// newest n below the id given, newest first, or 0 when there is none
// (PostgreSQL): where a walk of them would go on.
func (s *Store) messageAfter(ctx context.Context, accountID, below int64, n int) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM messages WHERE account_id = $1 AND id < $2
		ORDER BY id DESC OFFSET $3 LIMIT 1), 0)`, planEach, accountID, below, n).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: search messages: %w", err)
	}
	return id, nil
}

// inboxScope returns the condition limiting messages, aliased m, to
// inboxes (none when nil) and args with their ids appended, numbered after
// the arguments args holds.
func inboxScope(args []any, inboxes []int64) (string, []any) {
	if inboxes == nil {
		return "", args
	}
	scope := " AND m.inbox_id IN (" + placeholders(len(args)+1, len(inboxes)) + ")"
	for _, id := range inboxes {
		args = append(args, id)
	}
	return scope, args
}

// searchWindow is how many of an account's newest messages PostgreSQL
// search walks first ([Store.searchWalk]): about 5 ms.
// A variable so that tests can make it small.
var searchWindow = 20000

// searchNewest looks for a query among the account's newest window
// messages below the id given, newest first (PostgreSQL), and returns at
// most limit hits.
func (s *Store) searchNewest(ctx context.Context, accountID int64, inboxes []int64, query string, limit int, below int64, window int) ([]SearchHit, error) {
	scope, args := inboxScope([]any{accountID, query, window, below}, inboxes)
	args = append(args, limit)
	// The window's LIMIT keeps it a walk of the account's messages
	// backwards (messages_account), which the outer LIMIT stops, rather
	// than a bitmap of every match.
	rows, err := s.read.QueryContext(ctx, `SELECT `+messageColumns+`, c.display_id, c.contact_id, ct.name
		FROM (SELECT `+messageColumns+` FROM (SELECT * FROM messages WHERE account_id = $1 AND id < $4 ORDER BY id DESC LIMIT $3) m
			WHERE m.search_tsv @@ to_tsquery('simple', $2)`+scope+` LIMIT $`+fmt.Sprint(len(args))+`) m
		JOIN conversations c ON c.id = m.conversation_id
		JOIN contacts ct ON ct.id = c.contact_id
		ORDER BY m.id DESC`, append([]any{planEach}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: search newest messages: %w", err)
	}
	return scanSearchHits(rows)
}

// searchHits reads the messages of ids (SQLite) as search hits, newest
// first.
func (s *Store) searchHits(ctx context.Context, ids []int64) ([]SearchHit, error) {
	if len(ids) == 0 {
		return []SearchHit{}, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+messageColumns+`, c.display_id, c.contact_id, ct.name FROM messages m
		JOIN conversations c ON c.id = m.conversation_id
		JOIN contacts ct ON ct.id = c.contact_id
		WHERE m.id IN (SELECT value FROM json_each($1)) ORDER BY m.id DESC`, encodeJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	return scanSearchHits(rows)
}

// scanSearchHits reads and closes rows of message columns followed by the
// conversation's display id and contact id and the contact's name.
func scanSearchHits(rows *sql.Rows) ([]SearchHit, error) {
	defer rows.Close()
	out := []SearchHit{}
	for rows.Next() {
		var hit SearchHit
		m, err := scanMessage(rows, &hit.DisplayID, &hit.ContactID, &hit.ContactName)
		if err != nil {
			return nil, fmt.Errorf("store: search messages: %w", err)
		}
		hit.Message = m
		out = append(out, hit)
	}
	return out, rows.Err()
}

// MessageKey names a message by its inbox and the platform's id of it.
type MessageKey struct {
	InboxID    int64
	ExternalID string
}

// StoredExternalIDs returns which of keys name a message already stored,
// in one statement whatever their inboxes: group commit asks it once for a
// batch of received messages rather than once per message or inbox.
func (t *Tx) StoredExternalIDs(ctx context.Context, keys []MessageKey) (map[MessageKey]bool, error) {
	stored := map[MessageKey]bool{}
	if len(keys) == 0 {
		return stored, nil
	}
	// Each key looked up in the unique index on its own: a pair of lists
	// (inboxes and ids) would probe every inbox for every id. The index
	// holds only messages with a platform id, and says so: without that
	// condition SQLite reads the whole table instead. One statement text
	// whatever the number of keys: arrays on PostgreSQL, a JSON array on
	// SQLite.
	query := storedExternalIDsSQL
	var args []any
	if t.s.dialect == SQLite {
		pairs := make([][2]any, len(keys))
		for i, k := range keys {
			pairs[i] = [2]any{k.InboxID, k.ExternalID}
		}
		query = `SELECT inbox_id, external_id FROM messages
			WHERE external_id IS NOT NULL AND (inbox_id, external_id) IN (SELECT value->>0, value->>1 FROM json_each($1))`
		args = []any{encodeJSON(pairs)}
	} else {
		args = storedExternalIDsArgs(keys)
	}
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: stored external ids: %w", err)
	}
	defer rows.Close()
	if err := scanStoredExternalIDs(rows, stored); err != nil {
		return nil, err
	}
	return stored, nil
}

// storedExternalIDsSQL finds the (inbox, external id) pairs of the arrays
// $1 and $2 that are stored, on PostgreSQL.
const storedExternalIDsSQL = `SELECT m.inbox_id, m.external_id FROM unnest($1::bigint[], $2::text[]) AS k(inbox_id, external_id)
	JOIN messages m ON m.inbox_id = k.inbox_id AND m.external_id = k.external_id WHERE m.external_id IS NOT NULL`

func storedExternalIDsArgs(keys []MessageKey) []any {
	inboxes, ids := make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		inboxes[i], ids[i] = k.InboxID, k.ExternalID
	}
	return []any{inboxes, ids}
}

func scanStoredExternalIDs(rows rowSet, stored map[MessageKey]bool) error {
	for rows.Next() {
		var k MessageKey
		if err := rows.Scan(&k.InboxID, &k.ExternalID); err != nil {
			return fmt.Errorf("store: stored external ids: %w", err)
		}
		stored[k] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: stored external ids: %w", err)
	}
	return nil
}

// ThreadConversation returns the conversation of the newest message of an
// inbox whose external id is one of externalIDs: the thread an email
// answering those messages continues. It is not_found when none is stored.
func (s *Store) ThreadConversation(ctx context.Context, inboxID int64, externalIDs []string) (int64, error) {
	if len(externalIDs) == 0 {
		return 0, sahay.NotFound("conversation")
	}
	query := `SELECT conversation_id FROM messages WHERE inbox_id = $1 AND external_id = ANY($2) ORDER BY id DESC LIMIT 1`
	var list any = externalIDs
	if s.dialect == SQLite {
		query = `SELECT conversation_id FROM messages WHERE inbox_id = $1 AND external_id IN (SELECT value FROM json_each($2)) ORDER BY id DESC LIMIT 1`
		list = encodeJSON(externalIDs)
	}
	var id int64
	if err := s.read.QueryRowContext(ctx, query, inboxID, list).Scan(&id); err != nil {
		return 0, notFound(err, "conversation")
	}
	return id, nil
}
