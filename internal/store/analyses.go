package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sahay "github.com/sahayhq/sahay"
)

// AnalysisBacklog is an account whose events have passed its analysis
// cursor: Cursor is the number of the last event the scorer read, Last the
// account's latest.
type AnalysisBacklog struct {
	AccountID    int64
	Cursor, Last int64
}

// AnalysisBacklogs returns up to limit accounts with events the scorer
// has not read, in id order from after (0 for the first). An account
// without a cursor (created after migration 00018) has read none.
func (s *Store) AnalysisBacklogs(ctx context.Context, after int64, limit int) ([]AnalysisBacklog, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.id, COALESCE(c.seq, 0), a.event_seq FROM accounts a
		LEFT JOIN analysis_cursors c ON c.account_id = a.id
		WHERE a.id > $1 AND a.event_seq > COALESCE(c.seq, 0) ORDER BY a.id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: analysis backlog: %w", err)
	}
	defer rows.Close()
	var out []AnalysisBacklog
	for rows.Next() {
		var b AnalysisBacklog
		if err := rows.Scan(&b.AccountID, &b.Cursor, &b.Last); err != nil {
			return nil, fmt.Errorf("store: analysis backlog: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// CreatedMessage is a message a message.created event announced, as the
// event tells it.
type CreatedMessage struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Public  bool   `json:"public"`
	Content string `json:"content"`
}

// CreatedMessages returns the messages the account's message.created
// events with after < seq <= upTo announced, in order. Only these fields
// are decoded: the events carry whole conversations besides, after the
// message, which are not read.
func (s *Store) CreatedMessages(ctx context.Context, accountID, after, upTo int64) ([]CreatedMessage, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT seq, data FROM events
		WHERE account_id = $1 AND seq > $2 AND seq <= $3 AND type = $4 ORDER BY seq`, accountID, after, upTo, sahay.EventMessageCreated)
	if err != nil {
		return nil, fmt.Errorf("store: created messages: %w", err)
	}
	defer rows.Close()
	var out []CreatedMessage
	for rows.Next() {
		ev := sahay.Event{AccountID: accountID, Type: sahay.EventMessageCreated}
		var data []byte
		if err := rows.Scan(&ev.Seq, &data); err != nil {
			return nil, fmt.Errorf("store: created messages: %w", err)
		}
		ev.Data = data
		var m *CreatedMessage
		if _, err := ev.DecodeField("message", &m); err != nil {
			return nil, fmt.Errorf("store: created messages: %w", err)
		}
		if m != nil {
			out = append(out, *m)
		}
	}
	return out, rows.Err()
}

// MessagesByID returns the account's messages of ids that still exist,
// as they are now (a merge may have moved them), by id, without their
// attachments.
func (s *Store) MessagesByID(ctx context.Context, accountID int64, ids []int64) (map[int64]*sahay.Message, error) {
	out := map[int64]*sahay.Message{}
	if len(ids) == 0 {
		return out, nil
	}
	list, arg := "SELECT value FROM json_each($2)", any(encodeJSON(ids))
	if s.dialect == Postgres {
		list, arg = "SELECT unnest($2::bigint[])", ids
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.account_id = $1 AND m.id IN (`+list+`)`,
		accountID, arg)
	if err != nil {
		return nil, fmt.Errorf("store: messages by id: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: messages by id: %w", err)
		}
		out[m.ID] = m
	}
	return out, rows.Err()
}

// AnalysisCursor returns the number of the last event of the account the
// scorer has read, read in the transaction.
func (t *Tx) AnalysisCursor(ctx context.Context, accountID int64) (int64, error) {
	var seq int64
	err := t.tx.QueryRowContext(ctx, `SELECT seq FROM analysis_cursors WHERE account_id = $1`, accountID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: analysis cursor: %w", err)
	}
	return seq, nil
}

// SetAnalysisCursor records that the scorer has read the account's
// events up to seq. When the transaction has locked the account and seq
// is the account's last event at the lock, the cursor moves past the
// events the transaction appends too: they are the scorer's own
// (conversation.updated), which it need not read again.
func (t *Tx) SetAnalysisCursor(ctx context.Context, accountID, seq int64) error {
	if a := t.lockedSeq(accountID); a != nil && a.stored == seq {
		seq = a.seq
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO analysis_cursors (account_id, seq) VALUES ($1, $2)
		ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq`, accountID, seq)
	if err != nil {
		return fmt.Errorf("store: set analysis cursor: %w", err)
	}
	return nil
}

// InsertMessageAnalysis stores what the analyzer read in a message and
// reports whether it was stored: false when the message already has an
// analysis or no longer exists.
func (t *Tx) InsertMessageAnalysis(ctx context.Context, accountID, messageID int64, a *sahay.MessageAnalysis) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO message_analyses (message_id, account_id, language, script, sentiment, score, emotion, urgency, created_at)
		SELECT m.id, m.account_id, $3, $4, $5, $6, $7, $8, $9 FROM messages m WHERE m.id = $1 AND m.account_id = $2
		ON CONFLICT (message_id) DO NOTHING`,
		messageID, accountID, a.Language, a.Script, a.Sentiment, a.Score, a.Emotion, a.Urgency, ms(t.now))
	if err != nil {
		return false, fmt.Errorf("store: insert message analysis: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: insert message analysis: %w", err)
	}
	return n == 1, nil
}

// ConversationMoods returns the language, sentiment and mood of the
// account's conversations of ids that exist, by id: only those columns
// and the inbox are set.
func (s *Store) ConversationMoods(ctx context.Context, accountID int64, ids []int64) (map[int64]*sahay.Conversation, error) {
	out := map[int64]*sahay.Conversation{}
	if len(ids) == 0 {
		return out, nil
	}
	list, arg := "SELECT value FROM json_each($2)", any(encodeJSON(ids))
	if s.dialect == Postgres {
		list, arg = "SELECT unnest($2::bigint[])", ids
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, inbox_id, language, sentiment, mood, mood_trend, emotion, urgency, sentiment_average
		FROM conversations WHERE account_id = $1 AND id IN (`+list+`)`, accountID, arg)
	if err != nil {
		return nil, fmt.Errorf("store: conversation moods: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c := &sahay.Conversation{AccountID: accountID}
		var m sahay.Mood
		if err := rows.Scan(&c.ID, &c.InboxID, &c.Language, &c.Sentiment, &m.Sentiment, &m.Trend, &m.Emotion, &m.Urgency, &m.Average); err != nil {
			return nil, fmt.Errorf("store: conversation moods: %w", err)
		}
		if m.Sentiment != "" {
			m.Score = c.Sentiment
			c.Mood = &m
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}

// SetConversationMood saves a conversation's mood, sentiment and
// language (unless it is empty), and nothing else: they are the scorer's
// to change.
func (t *Tx) SetConversationMood(ctx context.Context, c *sahay.Conversation) error {
	var m sahay.Mood
	if c.Mood != nil {
		m = *c.Mood
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE conversations SET language = COALESCE(NULLIF($3, ''), language), sentiment = $4, mood = $5,
		mood_trend = $6, emotion = $7, urgency = $8, sentiment_average = $9 WHERE id = $1 AND account_id = $2`,
		c.ID, c.AccountID, c.Language, c.Sentiment, m.Sentiment, m.Trend, m.Emotion, m.Urgency, m.Average)
	if err != nil {
		return fmt.Errorf("store: set conversation mood: %w", err)
	}
	return nil
}

// ConversationsByID returns the account's conversations of ids that
// exist, with their labels and contacts, read in the transaction in three
// statements whatever their number.
func (t *Tx) ConversationsByID(ctx context.Context, accountID int64, ids []int64) ([]*sahay.Conversation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, arg := "SELECT value FROM json_each($2)", any(encodeJSON(ids))
	if t.s.dialect == Postgres {
		list, arg = "SELECT unnest($2::bigint[])", ids
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations c WHERE c.account_id = $1 AND c.id IN (`+list+`)
		ORDER BY c.id`, accountID, arg)
	if err != nil {
		return nil, fmt.Errorf("store: conversations by id: %w", err)
	}
	var out []*sahay.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: conversations by id: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: conversations by id: %w", err)
	}
	return out, attachConversationDetails(ctx, t.tx, out)
}

// attachAnalyses fills in the analyses of messages.
func attachAnalyses(ctx context.Context, q queryer, ms []*sahay.Message) error {
	if len(ms) == 0 {
		return nil
	}
	byID := map[int64]*sahay.Message{}
	args := make([]any, len(ms))
	for i, m := range ms {
		byID[m.ID] = m
		args[i] = m.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT message_id, language, script, sentiment, score, emotion, urgency FROM message_analyses
		WHERE message_id IN (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("store: message analyses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a sahay.MessageAnalysis
		if err := rows.Scan(&id, &a.Language, &a.Script, &a.Sentiment, &a.Score, &a.Emotion, &a.Urgency); err != nil {
			return fmt.Errorf("store: message analyses: %w", err)
		}
		if m := byID[id]; m != nil {
			m.Analysis = &a
		}
	}
	return rows.Err()
}

// MessageAnalysis returns the analysis of a message of the account.
func (s *Store) MessageAnalysis(ctx context.Context, accountID, messageID int64) (*sahay.MessageAnalysis, error) {
	var a sahay.MessageAnalysis
	err := s.read.QueryRowContext(ctx, `SELECT language, script, sentiment, score, emotion, urgency FROM message_analyses
		WHERE message_id = $1 AND account_id = $2`, messageID, accountID).
		Scan(&a.Language, &a.Script, &a.Sentiment, &a.Score, &a.Emotion, &a.Urgency)
	if err != nil {
		return nil, notFound(err, "message analysis")
	}
	return &a, nil
}

// InsertMessageAnalyses stores the analyses of the account's messages of
// ids (as[i] is the analysis of ids[i]), and returns the
// ids of those it stored: not those that already had an analysis or no
// longer exist. On PostgreSQL it is one statement whatever their number.
func (t *Tx) InsertMessageAnalyses(ctx context.Context, accountID int64, ids []int64, as []*sahay.MessageAnalysis) (map[int64]bool, error) {
	stored := map[int64]bool{}
	if len(ids) == 0 {
		return stored, nil
	}
	if t.s.dialect != Postgres {
		// On SQLite a statement costs no round trip, and one row at a
		// time by primary key is cheaper than a join with json_each.
		for i, id := range ids {
			ok, err := t.InsertMessageAnalysis(ctx, accountID, id, as[i])
			if err != nil {
				return nil, err
			}
			if ok {
				stored[id] = true
			}
		}
		return stored, nil
	}
	type row struct {
		ID        int64   `json:"id"`
		Language  string  `json:"language"`
		Script    string  `json:"script"`
		Sentiment string  `json:"sentiment"`
		Score     float64 `json:"score"`
		Emotion   string  `json:"emotion"`
		Urgency   float64 `json:"urgency"`
	}
	rows := make([]row, len(ids))
	for i, id := range ids {
		a := as[i]
		rows[i] = row{id, a.Language, a.Script, a.Sentiment, a.Score, a.Emotion, a.Urgency}
	}
	q := `INSERT INTO message_analyses (message_id, account_id, language, script, sentiment, score, emotion, urgency, created_at)
		SELECT m.id, m.account_id, x.language, x.script, x.sentiment, x.score, x.emotion, x.urgency, $3
		FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, language text, script text, sentiment text, score double precision,
			emotion text, urgency double precision)
		JOIN messages m ON m.id = x.id
		WHERE m.account_id = $1
		ON CONFLICT (message_id) DO NOTHING RETURNING message_id`
	res, err := t.tx.QueryContext(ctx, q, accountID, encodeJSON(rows), ms(t.now))
	if err != nil {
		return nil, fmt.Errorf("store: insert message analyses: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var id int64
		if err := res.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: insert message analyses: %w", err)
		}
		stored[id] = true
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("store: insert message analyses: %w", err)
	}
	return stored, nil
}

// SetConversationMoods saves the mood, sentiment and language (unless it
// is empty) of the account's conversations cs, on PostgreSQL in one
// statement, and nothing else: they are the scorer's to change.
func (t *Tx) SetConversationMoods(ctx context.Context, accountID int64, cs []*sahay.Conversation) error {
	if len(cs) == 0 {
		return nil
	}
	if t.s.dialect != Postgres {
		// On SQLite a statement costs no round trip, and an update by
		// primary key is cheaper than one joined with json_each.
		for _, c := range cs {
			if err := t.SetConversationMood(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}
	type row struct {
		ID        int64   `json:"id"`
		Language  string  `json:"language"`
		Sentiment float64 `json:"sentiment"`
		Mood      string  `json:"mood"`
		Trend     string  `json:"trend"`
		Emotion   string  `json:"emotion"`
		Urgency   float64 `json:"urgency"`
		Average   float64 `json:"average"`
	}
	rows := make([]row, len(cs))
	for i, c := range cs {
		var m sahay.Mood
		if c.Mood != nil {
			m = *c.Mood
		}
		rows[i] = row{c.ID, c.Language, c.Sentiment, m.Sentiment, m.Trend, m.Emotion, m.Urgency, m.Average}
	}
	q := `UPDATE conversations c SET language = COALESCE(NULLIF(x.language, ''), c.language), sentiment = x.sentiment,
		mood = x.mood, mood_trend = x.trend, emotion = x.emotion, urgency = x.urgency, sentiment_average = x.average
		FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, language text, sentiment double precision, mood text, trend text,
			emotion text, urgency double precision, average double precision)
		WHERE c.id = x.id AND c.account_id = $1`
	if _, err := t.tx.ExecContext(ctx, q, accountID, encodeJSON(rows)); err != nil {
		return fmt.Errorf("store: set conversation moods: %w", err)
	}
	return nil
}
