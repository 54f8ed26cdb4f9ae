package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"
)

const conversationColumns = `c.id, c.account_id, c.display_id, c.inbox_id, c.contact_id, c.status, c.priority, c.assignee_id, c.team_id,
	c.snoozed_until, c.waiting_since, c.first_reply_at, c.last_activity_at, c.language, c.sentiment, c.last_message,
	c.created_at, c.updated_at, c.resolved_at, c.subject, c.public, c.topic, c.post, c.linked_conversation_id, c.last_incoming_at,
	c.mood, c.mood_trend, c.emotion, c.urgency, c.sentiment_average`

func scanConversation(row interface{ Scan(...any) error }, extra ...any) (*sahay.Conversation, error) {
	var c sahay.Conversation
	var snoozed, waiting, firstReply, resolved, incoming sql.NullInt64
	var activity, created, updated int64
	var post sql.NullString
	var mood sahay.Mood
	dest := []any{&c.ID, &c.AccountID, &c.DisplayID, &c.InboxID, &c.ContactID, &c.Status, &c.Priority, &c.AssigneeID, &c.TeamID,
		&snoozed, &waiting, &firstReply, &activity, &c.Language, &c.Sentiment, &c.LastMessage, &created, &updated, &resolved, &c.Subject,
		&c.Public, &c.Topic, &post, &c.LinkedConversationID, &incoming,
		&mood.Sentiment, &mood.Trend, &mood.Emotion, &mood.Urgency, &mood.Average}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if mood.Sentiment != "" {
		mood.Score = c.Sentiment
		c.Mood = &mood
	}
	c.SnoozedUntil, c.WaitingSince, c.FirstReplyAt, c.ResolvedAt = fromNullMS(snoozed), fromNullMS(waiting), fromNullMS(firstReply), fromNullMS(resolved)
	c.LastIncomingAt = fromNullMS(incoming)
	if post.Valid {
		c.Post = new(sahay.Post)
		if err := json.Unmarshal([]byte(post.String), c.Post); err != nil {
			return nil, fmt.Errorf("conversation %d post: %w", c.ID, err)
		}
	}
	c.LastActivityAt, c.CreatedAt, c.UpdatedAt = fromMS(activity), fromMS(created), fromMS(updated)
	c.Labels = []string{}
	return &c, nil
}

// InsertConversation stores a new conversation and counts it in its views.
// The caller sets DisplayID from [Tx.NextConversationNumber].
func (t *Tx) InsertConversation(ctx context.Context, c *sahay.Conversation) error {
	c.CreatedAt, c.UpdatedAt = t.now, t.now
	if c.LastActivityAt.IsZero() {
		c.LastActivityAt = t.now
	}
	if c.Labels == nil {
		c.Labels = []string{}
	}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO conversations (account_id, display_id, inbox_id, contact_id, status, priority, assignee_id, team_id,
		snoozed_until, waiting_since, first_reply_at, last_activity_at, language, sentiment, last_message, created_at, updated_at, resolved_at, subject,
		public, topic, post, linked_conversation_id, last_incoming_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id`,
		c.AccountID, c.DisplayID, c.InboxID, c.ContactID, c.Status, c.Priority, c.AssigneeID, c.TeamID,
		nullMS(c.SnoozedUntil), nullMS(c.WaitingSince), nullMS(c.FirstReplyAt), ms(c.LastActivityAt), c.Language, c.Sentiment,
		c.LastMessage, ms(t.now), nullMS(c.ResolvedAt), c.Subject,
		c.Public, c.Topic, jsonColumn(c.Post), c.LinkedConversationID, nullMS(c.LastIncomingAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: insert conversation: %w", err)
	}
	return t.count(ctx, c, 1)
}

// UpdateConversation saves next over old (the same conversation as last
// read) and moves it between view counts if its status, inbox, team or
// assignee changed.
func (t *Tx) UpdateConversation(ctx context.Context, old, next *sahay.Conversation) error {
	next.UpdatedAt = t.now
	_, err := t.tx.ExecContext(ctx, `UPDATE conversations SET status = $3, priority = $4, assignee_id = $5, team_id = $6,
		snoozed_until = $7, waiting_since = $8, first_reply_at = $9, last_activity_at = $10, language = $11, sentiment = $12,
		last_message = $13, updated_at = $14, resolved_at = $15, contact_id = $16, inbox_id = $17,
		linked_conversation_id = $18, last_incoming_at = $19
		WHERE id = $1 AND account_id = $2`,
		next.ID, next.AccountID, next.Status, next.Priority, next.AssigneeID, next.TeamID,
		nullMS(next.SnoozedUntil), nullMS(next.WaitingSince), nullMS(next.FirstReplyAt), ms(next.LastActivityAt), next.Language,
		next.Sentiment, next.LastMessage, ms(t.now), nullMS(next.ResolvedAt), next.ContactID, next.InboxID,
		next.LinkedConversationID, nullMS(next.LastIncomingAt))
	if err != nil {
		return fmt.Errorf("store: update conversation: %w", err)
	}
	if old.Status == next.Status && old.InboxID == next.InboxID && old.TeamID == next.TeamID && old.AssigneeID == next.AssigneeID {
		return nil
	}
	if err := t.count(ctx, old, -1); err != nil {
		return err
	}
	return t.count(ctx, next, 1)
}

// UpdateActivity saves what a received message changes in a conversation
// — its last activity and message, since when it waits and its language —
// for many conversations, in one statement on PostgreSQL. Their status,
// inbox, team and assignee are those stored: no view count moves. Leaving
// the other columns out also spares the indexes that hold only those.
func (t *Tx) UpdateActivity(ctx context.Context, cs []*sahay.Conversation) error {
	return t.updateActivity(ctx, cs, nil)
}

// updateActivity is [Tx.UpdateActivity]; where waitingKept says a
// conversation still waits since the time stored, SQLite leaves
// waiting_since alone, and the index that holds it: SQLite rewrites the
// entries of every index on a column a statement sets, changed or not.
func (t *Tx) updateActivity(ctx context.Context, cs []*sahay.Conversation, waitingKept []bool) error {
	for _, c := range cs {
		c.UpdatedAt = t.now
	}
	if t.s.dialect == SQLite {
		var kept, changed []*sahay.Conversation
		for i, c := range cs {
			if i < len(waitingKept) && waitingKept[i] {
				kept = append(kept, c)
			} else {
				changed = append(changed, c)
			}
		}
		if err := t.updateActivityRows(ctx, changed, updateActivityRows); err != nil {
			return err
		}
		return t.updateActivityRows(ctx, kept, updateActivityKeptRows)
	}
	if len(cs) == 0 {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, activityUpdate(1), t.activityArrays(cs)...); err != nil {
		return fmt.Errorf("store: update activity: %w", err)
	}
	return nil
}

// updateActivityRows runs statements, one of updateActivityRows or
// updateActivityKeptRows, for cs (SQLite): a few rows per statement, in
// statements of the sizes of eventRows, each prepared once.
func (t *Tx) updateActivityRows(ctx context.Context, cs []*sahay.Conversation, statements map[int]string) error {
	for _, n := range eventRows {
		for len(cs) >= n {
			// updated_at comes first in the statement.
			args := make([]any, 0, 7*n+1)
			args = append(args, ms(t.now))
			for _, c := range cs[:n] {
				args = append(args, c.ID, c.AccountID, ms(c.LastActivityAt), c.LastMessage, nullMS(c.WaitingSince), c.Language,
					nullMS(c.LastIncomingAt))
			}
			cs = cs[n:]
			if _, err := t.tx.ExecContext(ctx, statements[n], args...); err != nil {
				return fmt.Errorf("store: update activity: %w", err)
			}
		}
	}
	return nil
}

// activityUpdate is the statement of [Tx.UpdateActivity] on PostgreSQL,
// its placeholders numbered from first, for the arguments of
// [Tx.activityArrays].
func activityUpdate(first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `UPDATE conversations c SET last_activity_at = v.activity, last_message = v.preview,
		waiting_since = NULLIF(v.waiting, 0), language = v.language, last_incoming_at = NULLIF(v.incoming, 0), updated_at = ` + p(0) + `
		FROM unnest(` + p(1) + `::bigint[], ` + p(2) + `::bigint[], ` + p(3) + `::bigint[], ` + p(4) + `::text[], ` + p(5) + `::bigint[], ` +
		p(6) + `::text[], ` + p(7) + `::bigint[])
			AS v(id, account_id, activity, preview, waiting, language, incoming)
		WHERE c.id = v.id AND c.account_id = v.account_id`
}

// activityArrays returns the arguments of activityUpdate for cs: the
// update time, then one array per column.
func (t *Tx) activityArrays(cs []*sahay.Conversation) []any {
	n := len(cs)
	ids, accounts, activity, waiting, incoming := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	previews, languages := make([]string, n), make([]string, n)
	for i, c := range cs {
		c.UpdatedAt = t.now
		ids[i], accounts[i], activity[i], previews[i], languages[i] = c.ID, c.AccountID, ms(c.LastActivityAt), c.LastMessage, c.Language
		// No conversation waits since the epoch: 0 stands for none.
		if c.WaitingSince != nil {
			waiting[i] = ms(*c.WaitingSince)
		}
		if c.LastIncomingAt != nil {
			incoming[i] = ms(*c.LastIncomingAt)
		}
	}
	return []any{ms(t.now), ids, accounts, activity, previews, waiting, languages, incoming}
}

// updateActivityRows holds, for each size of eventRows, the statement of
// [Tx.UpdateActivity] for that many conversations (SQLite).
var updateActivityRows = valuesStatements(`UPDATE conversations SET last_activity_at = v.column3, last_message = v.column4,
	waiting_since = v.column5, language = v.column6, last_incoming_at = v.column7, updated_at = ? FROM (VALUES `, 7,
	`) AS v WHERE conversations.id = v.column1 AND conversations.account_id = v.column2`)

// updateActivityKeptRows is updateActivityRows for conversations whose
// waiting_since stays as stored; its fifth column is not read.
var updateActivityKeptRows = valuesStatements(`UPDATE conversations SET last_activity_at = v.column3, last_message = v.column4,
	language = v.column6, last_incoming_at = v.column7, updated_at = ? FROM (VALUES `, 7,
	`) AS v WHERE conversations.id = v.column1 AND conversations.account_id = v.column2`)

// count adds delta to the view counts of c and of each of its labels.
func (t *Tx) count(ctx context.Context, c *sahay.Conversation, delta int) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO conversation_counts (account_id, inbox_id, team_id, assignee_id, status, n)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (account_id, inbox_id, team_id, assignee_id, status) DO UPDATE SET n = conversation_counts.n + excluded.n`,
		c.AccountID, c.InboxID, c.TeamID, c.AssigneeID, c.Status, delta); err != nil {
		return fmt.Errorf("store: count conversation: %w", err)
	}
	t.counted = append(t.counted, sahay.CountChange{InboxID: c.InboxID, TeamID: c.TeamID, AssigneeID: c.AssigneeID, Status: c.Status, N: delta})
	labels, err := int64s(ctx, t.tx, `SELECT label_id FROM conversation_labels WHERE conversation_id = $1 ORDER BY label_id`, c.ID)
	if err != nil {
		return err
	}
	for _, id := range labels {
		if err := t.countLabel(ctx, c, id, delta); err != nil {
			return err
		}
	}
	return nil
}

// SetConversationLabels replaces a conversation's labels by id and keeps the
// label counts in step.
func (t *Tx) SetConversationLabels(ctx context.Context, c *sahay.Conversation, labelIDs []int64) error {
	current, err := int64s(ctx, t.tx, `SELECT label_id FROM conversation_labels WHERE conversation_id = $1`, c.ID)
	if err != nil {
		return err
	}
	for _, id := range current {
		if slices.Contains(labelIDs, id) {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM conversation_labels WHERE conversation_id = $1 AND label_id = $2`, c.ID, id); err != nil {
			return fmt.Errorf("store: remove label: %w", err)
		}
		if err := t.countLabel(ctx, c, id, -1); err != nil {
			return err
		}
	}
	for _, id := range labelIDs {
		if slices.Contains(current, id) {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO conversation_labels (conversation_id, label_id) VALUES ($1, $2)`, c.ID, id); err != nil {
			return fmt.Errorf("store: add label: %w", err)
		}
		if err := t.countLabel(ctx, c, id, 1); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) countLabel(ctx context.Context, c *sahay.Conversation, labelID int64, delta int) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO label_counts (account_id, inbox_id, label_id, status, n) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id, inbox_id, label_id, status) DO UPDATE SET n = label_counts.n + excluded.n`,
		c.AccountID, c.InboxID, labelID, c.Status, delta)
	if err != nil {
		return fmt.Errorf("store: count label: %w", err)
	}
	t.counted = append(t.counted, sahay.CountChange{InboxID: c.InboxID, LabelID: labelID, Status: c.Status, N: delta})
	return nil
}

// DeleteConversation removes a conversation and its messages.
func (t *Tx) DeleteConversation(ctx context.Context, accountID, id int64) error {
	c, err := t.Conversation(ctx, accountID, id)
	if err != nil {
		return err
	}
	if err := t.count(ctx, c, -1); err != nil {
		return err
	}
	if t.s.dialect == SQLite {
		if err := t.indexMessages(ctx); err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages WHERE conversation_id = $1)`, id); err != nil {
			return fmt.Errorf("store: unindex messages: %w", err)
		}
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM conversations WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete conversation: %w", err)
	}
	return nil
}

// Conversation returns a conversation with its labels and contact.
func (s *Store) Conversation(ctx context.Context, accountID, id int64) (*sahay.Conversation, error) {
	return conversation(ctx, s.read, accountID, id)
}

// Conversation returns a conversation, read in the transaction.
func (t *Tx) Conversation(ctx context.Context, accountID, id int64) (*sahay.Conversation, error) {
	return conversation(ctx, t.tx, accountID, id)
}

func conversation(ctx context.Context, q queryer, accountID, id int64) (*sahay.Conversation, error) {
	c, err := scanConversation(q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations c WHERE c.id = $1 AND c.account_id = $2`, id, accountID))
	if err != nil {
		return nil, notFound(err, "conversation")
	}
	cs := []*sahay.Conversation{c}
	if err := attachConversationDetails(ctx, q, cs); err != nil {
		return nil, err
	}
	return c, nil
}

// ConversationByDisplayID returns a conversation by its number in the account.
func (s *Store) ConversationByDisplayID(ctx context.Context, accountID, displayID int64) (*sahay.Conversation, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM conversations WHERE account_id = $1 AND display_id = $2`, accountID, displayID).Scan(&id)
	if err != nil {
		return nil, notFound(err, "conversation")
	}
	return s.Conversation(ctx, accountID, id)
}

// OpenConversation returns the contact's latest unresolved conversation in
// the inbox, or else the latest resolved one (the caller decides whether it
// is recent enough to reopen), with its labels but without its Contact,
// which the caller has: one statement, as it runs for every message
// received.
func (t *Tx) OpenConversation(ctx context.Context, key ConversationKey) (*sahay.Conversation, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+conversationColumns+`, l.name FROM (SELECT * FROM conversations c
		WHERE c.contact_id = $1 AND c.inbox_id = $2 AND c.account_id = $3 AND c.topic = $4
		ORDER BY CASE WHEN c.status = 'resolved' THEN 1 ELSE 0 END, c.id DESC LIMIT 1) c
		LEFT JOIN conversation_labels cl ON cl.conversation_id = c.id LEFT JOIN labels l ON l.id = cl.label_id
		ORDER BY l.name`, key.ContactID, key.InboxID, key.AccountID, key.Topic)
	if err != nil {
		return nil, fmt.Errorf("store: open conversation: %w", err)
	}
	defer rows.Close()
	var c *sahay.Conversation
	for rows.Next() {
		var label sql.NullString
		row, err := scanConversation(rows, &label)
		if err != nil {
			return nil, fmt.Errorf("store: open conversation: %w", err)
		}
		if c == nil {
			c = row
		}
		if label.Valid {
			c.Labels = append(c.Labels, label.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: open conversation: %w", err)
	}
	if c == nil {
		return nil, sahay.NotFound("conversation")
	}
	return c, nil
}

// ConversationKey names the conversations of a contact in an inbox of an
// account on one topic: "" for their private conversation, "post:<id>" for
// their public comments on a post.
type ConversationKey struct {
	AccountID, ContactID, InboxID int64
	Topic                         string
}

// OpenConversations returns, for each key that has one, the conversation
// [Tx.OpenConversation] returns, in one statement whatever the keys'
// accounts: group commit reads the conversations of a batch's senders at
// once.
func (t *Tx) OpenConversations(ctx context.Context, keys []ConversationKey) (map[ConversationKey]*sahay.Conversation, error) {
	found := map[ConversationKey]*sahay.Conversation{}
	if len(keys) == 0 {
		return found, nil
	}
	if t.s.dialect == SQLite {
		// The keys as rows of VALUES, a few per statement in statements
		// of the sizes of eventRows, each prepared once: the subquery
		// reads each key's columns for every conversation it looks at,
		// which from a JSON array cost a parse each time.
		for _, n := range eventRows {
			for len(keys) >= n {
				args := make([]any, 0, 4*n)
				for _, k := range keys[:n] {
					args = append(args, k.AccountID, k.ContactID, k.InboxID, k.Topic)
				}
				keys = keys[n:]
				if err := t.openConversations(ctx, found, openConversationsRows[n], args...); err != nil {
					return nil, err
				}
			}
		}
		return found, nil
	}
	// One statement text whatever the number of keys: one array per
	// column.
	accounts, contacts, inboxes, topics := make([]int64, len(keys)), make([]int64, len(keys)), make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		accounts[i], contacts[i], inboxes[i], topics[i] = k.AccountID, k.ContactID, k.InboxID, k.Topic
	}
	if err := t.openConversations(ctx, found, openConversationsSQL, accounts, contacts, inboxes, topics); err != nil {
		return nil, err
	}
	return found, nil
}

// openConversations runs query, one of the statements of
// [Tx.OpenConversations], and adds the conversations it reads to found.
func (t *Tx) openConversations(ctx context.Context, found map[ConversationKey]*sahay.Conversation, query string, args ...any) error {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: open conversations: %w", err)
	}
	defer rows.Close()
	return scanOpenConversations(rows, found)
}

// openConversationsSelect reads the conversation OpenConversation returns
// for each key of the table k (account_id, contact_id, inbox_id, topic),
// with its labels, a row per label.
func openConversationsSelect(k string) string {
	return `SELECT ` + conversationColumns + `, l.name FROM conversations c
		LEFT JOIN conversation_labels cl ON cl.conversation_id = c.id LEFT JOIN labels l ON l.id = cl.label_id
		WHERE c.id IN (SELECT (SELECT o.id FROM conversations o
			WHERE o.contact_id = k.contact_id AND o.inbox_id = k.inbox_id AND o.account_id = k.account_id AND o.topic = k.topic
			ORDER BY CASE WHEN o.status = 'resolved' THEN 1 ELSE 0 END, o.id DESC LIMIT 1) FROM ` + k + `)
		ORDER BY c.id, l.name`
}

// openConversationsSQL is [Tx.OpenConversations] on PostgreSQL.
var openConversationsSQL = openConversationsSelect(`unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS k(account_id, contact_id, inbox_id, topic)`)

// openConversationsRows holds, for each size of eventRows, the statement
// of [Tx.OpenConversations] for that many keys (SQLite).
var openConversationsRows = func() map[int]string {
	m := map[int]string{}
	for _, n := range eventRows {
		values := "(?, ?, ?, ?)" + strings.Repeat(", (?, ?, ?, ?)", n-1)
		m[n] = openConversationsSelect(`(SELECT column1 AS account_id, column2 AS contact_id, column3 AS inbox_id, column4 AS topic FROM (VALUES ` + values + `)) k`)
	}
	return m
}()

// scanOpenConversations reads conversations with their labels, a row per
// label ordered by conversation, into found by their keys.
func scanOpenConversations(rows rowSet, found map[ConversationKey]*sahay.Conversation) error {
	var last *sahay.Conversation
	for rows.Next() {
		var label sql.NullString
		c, err := scanConversation(rows, &label)
		if err != nil {
			return fmt.Errorf("store: open conversations: %w", err)
		}
		if last == nil || last.ID != c.ID {
			last = c
			found[ConversationKey{c.AccountID, c.ContactID, c.InboxID, c.Topic}] = c
		}
		if label.Valid {
			last.Labels = append(last.Labels, label.String)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: open conversations: %w", err)
	}
	return nil
}

// openConversationsByIdentitySQL is [Tx.OpenConversations] on PostgreSQL
// for the contacts of identities rather than for contacts: the arrays $1
// to $5 hold each one's account, namespace, external id, inbox and topic.
const openConversationsByIdentitySQL = `SELECT ` + conversationColumns + `, l.name FROM conversations c
	LEFT JOIN conversation_labels cl ON cl.conversation_id = c.id LEFT JOIN labels l ON l.id = cl.label_id
	WHERE c.id IN (SELECT (SELECT o.id FROM conversations o
		WHERE o.contact_id = i.contact_id AND o.inbox_id = k.inbox_id AND o.account_id = k.account_id AND o.topic = k.topic
		ORDER BY CASE WHEN o.status = 'resolved' THEN 1 ELSE 0 END, o.id DESC LIMIT 1)
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS k(account_id, namespace, external_id, inbox_id, topic)
		JOIN contact_identities i ON i.account_id = k.account_id AND i.namespace = k.namespace AND i.external_id = k.external_id)
	ORDER BY c.id, l.name`

func attachConversationDetails(ctx context.Context, q queryer, cs []*sahay.Conversation) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]*sahay.Conversation{}
	contactIDs := map[int64]bool{}
	args := make([]any, 0, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
		args = append(args, c.ID)
		contactIDs[c.ContactID] = true
	}
	rows, err := q.QueryContext(ctx, `SELECT cl.conversation_id, l.name FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
		WHERE cl.conversation_id IN (`+placeholders(1, len(args))+`) ORDER BY l.name`, args...)
	if err != nil {
		return fmt.Errorf("store: conversation labels: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return fmt.Errorf("store: conversation labels: %w", err)
		}
		byID[id].Labels = append(byID[id].Labels, name)
	}
	rows.Close()
	cargs := make([]any, 0, len(contactIDs))
	for id := range contactIDs {
		cargs = append(cargs, id)
	}
	crows, err := q.QueryContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id IN (`+placeholders(1, len(cargs))+`)`, cargs...)
	if err != nil {
		return fmt.Errorf("store: conversation contacts: %w", err)
	}
	contacts := map[int64]*sahay.Contact{}
	for crows.Next() {
		ct, err := scanContact(crows)
		if err != nil {
			crows.Close()
			return fmt.Errorf("store: conversation contacts: %w", err)
		}
		contacts[ct.ID] = ct
	}
	crows.Close()
	for _, c := range cs {
		c.Contact = contacts[c.ContactID]
	}
	return nil
}

// Sort orders of conversation lists.
const (
	SortLastActivity = "last_activity"
	SortWaiting      = "waiting"
	SortPriority     = "priority"
	SortCreated      = "created"
	// SortSentiment lists the most negative conversations first.
	SortSentiment = "sentiment"
)

// sentimentKey is the sort key of SortSentiment: the score negated, in
// millionths, as an integer that cursors carry. It must stay identical to
// the expression of the indexes that serve it (migration 00018).
const sentimentKey = "CAST(c.sentiment * -1000000 AS BIGINT)"

// ConversationFilter selects a page of conversations.
type ConversationFilter struct {
	AccountID int64
	// Inboxes, when not nil, limits the list to these inboxes: the ones the
	// reader may see. An empty non-nil slice lists nothing.
	Inboxes   []int64
	Status    string
	Assignee  *int64 // 0 lists unassigned conversations
	TeamID    int64
	InboxID   int64
	LabelID   int64
	ContactID int64
	// Mood, when set, limits the list to conversations whose latest
	// analysed message is negative, neutral or positive.
	Mood   string
	Sort   string
	Cursor string
	Limit  int
}

// never is a sort key that orders after every real timestamp.
const never = int64(1) << 53

// Conversations returns a page of conversations and the cursor of the next
// page ("" at the end). Pages are keyset-paginated: their cost does not grow
// with how deep the reader scrolls.
func (s *Store) Conversations(ctx context.Context, f ConversationFilter) ([]*sahay.Conversation, string, error) {
	if f.Inboxes != nil && len(f.Inboxes) == 0 {
		return []*sahay.Conversation{}, "", nil
	}
	if f.Limit <= 0 {
		f.Limit = 25
	}
	f.Limit = min(f.Limit, 100)
	switch f.Mood {
	case "", sahay.MoodNegative, sahay.MoodNeutral, sahay.MoodPositive:
	default:
		return nil, "", sahay.Invalid("unknown mood %q: use negative, neutral or positive", f.Mood)
	}
	where, args := conversationWhere(f)
	// Each sort is a key of two values and the id, compared as a row value
	// against the cursor and ordered descending, so one index range serves it.
	var k1, k2 string
	switch f.Sort {
	case "", SortLastActivity:
		k1, k2 = "c.last_activity_at", "0"
	case SortCreated:
		k1, k2 = "c.id", "0"
	case SortPriority:
		k1, k2 = "c.priority", "c.last_activity_at"
	case SortWaiting:
		// Longest waiting first: negate so that descending order is ascending
		// waiting_since; conversations not waiting come last.
		k1, k2 = fmt.Sprintf("-COALESCE(c.waiting_since, %d)", never), "0"
	case SortSentiment:
		k1, k2 = sentimentKey, "0"
	default:
		return nil, "", sahay.Invalid("unknown sort %q: use last_activity, waiting, priority, created or sentiment", f.Sort)
	}
	keys := []string{k1, k2, "c.id"}
	if k2 == "0" {
		keys = []string{k1, "c.id"}
	}
	if f.Cursor != "" {
		a, b, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		vals := []any{a, b, id}
		if len(keys) == 2 {
			vals = []any{a, id}
		}
		args = append(args, vals...)
		where = append(where, fmt.Sprintf("(%s) < (%s)", strings.Join(keys, ", "), placeholders(len(args)-len(vals)+1, len(vals))))
	}
	args = append(args, f.Limit+1)
	query := fmt.Sprintf(`SELECT %s, %s, %s FROM conversations c WHERE %s ORDER BY %s LIMIT $%d`,
		conversationColumns, k1, k2, strings.Join(where, " AND "), strings.Join(keys, " DESC, ")+" DESC", len(args))
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: conversations: %w", err)
	}
	defer rows.Close()
	out := []*sahay.Conversation{}
	var sortKeys [][2]int64
	for rows.Next() {
		var a, b int64
		c, err := scanConversation(rows, &a, &b)
		if err != nil {
			return nil, "", fmt.Errorf("store: conversations: %w", err)
		}
		out = append(out, c)
		sortKeys = append(sortKeys, [2]int64{a, b})
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: conversations: %w", err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[f.Limit-1]
		next = encodeCursor(sortKeys[f.Limit-1][0], sortKeys[f.Limit-1][1], last.ID)
	}
	if err := attachConversationDetails(ctx, s.read, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// conversationWhere is the WHERE clause of a filter, without its cursor,
// and its arguments.
func conversationWhere(f ConversationFilter) ([]string, []any) {
	where := []string{"c.account_id = $1"}
	args := []any{f.AccountID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Status != "" {
		add("c.status = ?", f.Status)
	}
	if f.Assignee != nil {
		add("c.assignee_id = ?", *f.Assignee)
	}
	if f.TeamID != 0 {
		add("c.team_id = ?", f.TeamID)
	}
	if f.InboxID != 0 {
		add("c.inbox_id = ?", f.InboxID)
	}
	if f.ContactID != 0 {
		add("c.contact_id = ?", f.ContactID)
	}
	if f.Mood != "" {
		add("c.mood = ?", f.Mood)
	}
	if f.LabelID != 0 {
		add("EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = ?)", f.LabelID)
	}
	if f.Inboxes != nil {
		where = append(where, "c.inbox_id IN ("+placeholders(len(args)+1, len(f.Inboxes))+")")
		for _, id := range f.Inboxes {
			args = append(args, id)
		}
	}
	return where, args
}

// CountConversations counts the conversations a filter selects, stopping
// at limit: for filters the maintained counts cannot answer, at a cost
// that does not grow past limit rows. Sort and cursor are ignored.
func (s *Store) CountConversations(ctx context.Context, f ConversationFilter, limit int) (int64, error) {
	if f.Inboxes != nil && len(f.Inboxes) == 0 {
		return 0, nil
	}
	where, args := conversationWhere(f)
	args = append(args, limit)
	var n int64
	err := s.read.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM conversations c WHERE %s LIMIT $%d) x`,
		strings.Join(where, " AND "), len(args)), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count conversations: %w", err)
	}
	return n, nil
}

func encodeCursor(a, b, id int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%d:%d", a, b, id))
}

func decodeCursor(s string) (a, b, id int64, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		_, err = fmt.Sscanf(string(raw), "%d:%d:%d", &a, &b, &id)
	}
	if err != nil {
		return 0, 0, 0, sahay.Invalid("malformed cursor")
	}
	return a, b, id, nil
}

// CountRow is one maintained count: conversations with these dimensions.
type CountRow struct {
	InboxID    int64
	TeamID     int64
	AssigneeID int64
	LabelID    int64
	Status     string
	N          int64
}

// ConversationCounts returns the account's maintained view counts: the
// conversation rows and the label rows. They are few (one per combination in
// use), so summing them is cheap however many conversations there are. They
// are read in one snapshot with seq, the number of the last event they
// include: a client moves them on with the count changes of later events.
func (s *Store) ConversationCounts(ctx context.Context, accountID int64) (convs, labels []CountRow, seq int64, err error) {
	var opts *sql.TxOptions
	if s.dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("store: counts: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT event_seq FROM accounts WHERE id = $1`, accountID).Scan(&seq); err != nil {
		return nil, nil, 0, notFound(err, "account")
	}
	rows, err := tx.QueryContext(ctx, `SELECT inbox_id, team_id, assignee_id, status, n FROM conversation_counts WHERE account_id = $1 AND n <> 0`, accountID)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("store: counts: %w", err)
	}
	for rows.Next() {
		var r CountRow
		if err := rows.Scan(&r.InboxID, &r.TeamID, &r.AssigneeID, &r.Status, &r.N); err != nil {
			rows.Close()
			return nil, nil, 0, fmt.Errorf("store: counts: %w", err)
		}
		convs = append(convs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, 0, fmt.Errorf("store: counts: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT inbox_id, label_id, status, n FROM label_counts WHERE account_id = $1 AND n <> 0`, accountID)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("store: label counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r CountRow
		if err := rows.Scan(&r.InboxID, &r.LabelID, &r.Status, &r.N); err != nil {
			return nil, nil, 0, fmt.Errorf("store: label counts: %w", err)
		}
		labels = append(labels, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, fmt.Errorf("store: label counts: %w", err)
	}
	return convs, labels, seq, nil
}

// DueSnoozed returns conversations whose snooze has ended.
func (s *Store) DueSnoozed(ctx context.Context, nowMS int64, limit int) ([][2]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT account_id, id FROM conversations WHERE status = 'snoozed' AND snoozed_until <= $1 LIMIT $2`, nowMS, limit)
	if err != nil {
		return nil, fmt.Errorf("store: due snoozed: %w", err)
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var a, id int64
		if err := rows.Scan(&a, &id); err != nil {
			return nil, err
		}
		out = append(out, [2]int64{a, id})
	}
	return out, rows.Err()
}

// ConversationInbox returns the inbox of a conversation, whatever its
// account: for an id whose owner is known by other means, such as a
// signed reply token.
func (s *Store) ConversationInbox(ctx context.Context, id int64) (int64, error) {
	var inboxID int64
	err := s.read.QueryRowContext(ctx, `SELECT inbox_id FROM conversations WHERE id = $1`, id).Scan(&inboxID)
	return inboxID, notFound(err, "conversation")
}
