package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// MentionKeyword is a keyword or brand name an account follows in the
// public comments and mentions of its channels.
type MentionKeyword struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	Term      string    `json:"term"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
	// Normalized is Term as textnorm folds it, which matching compares.
	Normalized string `json:"-"`
}

// MentionKeywords lists an account's keywords, oldest first.
func (s *Store) MentionKeywords(ctx context.Context, accountID int64) ([]*MentionKeyword, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, account_id, term, kind, normalized, created_at FROM mention_keywords
		WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: mention keywords: %w", err)
	}
	defer rows.Close()
	out := []*MentionKeyword{}
	for rows.Next() {
		var k MentionKeyword
		var created int64
		if err := rows.Scan(&k.ID, &k.AccountID, &k.Term, &k.Kind, &k.Normalized, &created); err != nil {
			return nil, fmt.Errorf("store: mention keywords: %w", err)
		}
		k.CreatedAt = fromMS(created)
		out = append(out, &k)
	}
	return out, rows.Err()
}

// MentionAccounts lists the accounts that follow at least one keyword.
func (s *Store) MentionAccounts(ctx context.Context) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT account_id FROM mention_keywords`)
	if err != nil {
		return nil, fmt.Errorf("store: mention accounts: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: mention accounts: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ErrKeywordTaken is returned when an account already follows a keyword
// that normalizes the same.
var ErrKeywordTaken = sahay.Errorf(sahay.ECONFLICT, "this keyword is followed already")

// CreateMentionKeyword inserts a keyword.
func (t *Tx) CreateMentionKeyword(ctx context.Context, k *MentionKeyword) error {
	k.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO mention_keywords (account_id, term, kind, normalized, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, k.AccountID, k.Term, k.Kind, k.Normalized, ms(t.now)).Scan(&k.ID)
	if isUniqueViolation(err) {
		return ErrKeywordTaken
	}
	if err != nil {
		return fmt.Errorf("store: create mention keyword: %w", err)
	}
	return nil
}

// UpdateMentionKeyword saves a keyword's term and kind; when its
// normalized form changed, the mentions it matched are forgotten.
func (t *Tx) UpdateMentionKeyword(ctx context.Context, k *MentionKeyword, renormalized bool) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE mention_keywords SET term = $3, kind = $4, normalized = $5 WHERE account_id = $1 AND id = $2`,
		k.AccountID, k.ID, k.Term, k.Kind, k.Normalized)
	if isUniqueViolation(err) {
		return ErrKeywordTaken
	}
	if err != nil {
		return fmt.Errorf("store: update mention keyword: %w", err)
	}
	if renormalized {
		return t.forgetMatches(ctx, k.AccountID, k.ID)
	}
	return nil
}

// DeleteMentionKeyword removes a keyword and the mentions only it matched.
func (t *Tx) DeleteMentionKeyword(ctx context.Context, accountID, id int64) error {
	if err := t.forgetMatches(ctx, accountID, id); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM mention_keywords WHERE account_id = $1 AND id = $2`, accountID, id)
	if err != nil {
		return fmt.Errorf("store: delete mention keyword: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sahay.NotFound("keyword")
	}
	return nil
}

// forgetMatches removes a keyword's matches, and the mentions no other
// keyword matched.
func (t *Tx) forgetMatches(ctx context.Context, accountID, keywordID int64) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM mention_matches WHERE account_id = $1 AND keyword_id = $2`, accountID, keywordID); err != nil {
		return fmt.Errorf("store: forget mention matches: %w", err)
	}
	_, err := t.tx.ExecContext(ctx, `DELETE FROM mentions WHERE account_id = $1
		AND NOT EXISTS (SELECT 1 FROM mention_matches x WHERE x.message_id = mentions.message_id)`, accountID)
	if err != nil {
		return fmt.Errorf("store: forget mentions: %w", err)
	}
	return nil
}

// StartMentionCursor starts the matcher at the account's latest event, the
// first time the account follows a keyword: what came before is matched
// by [Store.RecentPublicMessages] instead.
func (t *Tx) StartMentionCursor(ctx context.Context, accountID int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO mention_cursors (account_id, seq) SELECT id, event_seq FROM accounts WHERE id = $1
		ON CONFLICT (account_id) DO NOTHING`, accountID)
	if err != nil {
		return fmt.Errorf("store: start mention cursor: %w", err)
	}
	return nil
}

// StopMentionCursor forgets the account's cursor once it follows no
// keyword, so the matcher no longer reads its events.
func (t *Tx) StopMentionCursor(ctx context.Context, accountID int64) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM mention_cursors WHERE account_id = $1
		AND NOT EXISTS (SELECT 1 FROM mention_keywords WHERE account_id = $1)`, accountID)
	if err != nil {
		return fmt.Errorf("store: stop mention cursor: %w", err)
	}
	return nil
}

// MentionBacklogs returns up to limit accounts following keywords with
// events the matcher has not read, in id order from after.
func (s *Store) MentionBacklogs(ctx context.Context, after int64, limit int) ([]AnalysisBacklog, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT c.account_id, c.seq, a.event_seq FROM mention_cursors c
		JOIN accounts a ON a.id = c.account_id WHERE c.account_id > $1 AND a.event_seq > c.seq ORDER BY c.account_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: mention backlog: %w", err)
	}
	defer rows.Close()
	var out []AnalysisBacklog
	for rows.Next() {
		var b AnalysisBacklog
		if err := rows.Scan(&b.AccountID, &b.Cursor, &b.Last); err != nil {
			return nil, fmt.Errorf("store: mention backlog: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// MoveMentionCursor moves the account's cursor from after to upTo, and
// reports false (changing nothing) when it is no longer at after: another
// node matched those events first.
func (t *Tx) MoveMentionCursor(ctx context.Context, accountID, after, upTo int64) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE mention_cursors SET seq = $3 WHERE account_id = $1 AND seq = $2`, accountID, after, upTo)
	if err != nil {
		return false, fmt.Errorf("store: move mention cursor: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MentionMatch is a public message that named followed keywords.
type MentionMatch struct {
	AccountID, MessageID, InboxID int64
	Sentiment                     string
	Score                         float64
	CreatedAt                     time.Time
	KeywordIDs                    []int64
}

// InsertMentions stores matches; a message and keyword matched before are
// kept as they were.
func (t *Tx) InsertMentions(ctx context.Context, matches []MentionMatch) error {
	for _, m := range matches {
		_, err := t.tx.ExecContext(ctx, `INSERT INTO mentions (message_id, account_id, inbox_id, sentiment, score, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`,
			m.MessageID, m.AccountID, m.InboxID, m.Sentiment, m.Score, ms(m.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: insert mention: %w", err)
		}
		for _, k := range m.KeywordIDs {
			_, err := t.tx.ExecContext(ctx, `INSERT INTO mention_matches (keyword_id, message_id, account_id, created_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (keyword_id, message_id) DO NOTHING`, k, m.MessageID, m.AccountID, ms(m.CreatedAt))
			if err != nil {
				return fmt.Errorf("store: insert mention match: %w", err)
			}
		}
	}
	return nil
}

// PublicMessage is a customer's public message, as the matcher reads it.
type PublicMessage struct {
	ID, InboxID int64
	Content     string
	CreatedAt   time.Time
}

// RecentPublicMessages returns up to limit of an account's customer
// messages posted in public since a time, newest first: what a new
// keyword is matched against.
func (s *Store) RecentPublicMessages(ctx context.Context, accountID int64, since time.Time, limit int) ([]PublicMessage, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, inbox_id, content, created_at FROM messages
		WHERE account_id = $1 AND public = $2 AND kind = $3 AND created_at >= $4 ORDER BY id DESC LIMIT $5`,
		accountID, true, sahay.MessageIncoming, ms(since), limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent public messages: %w", err)
	}
	defer rows.Close()
	var out []PublicMessage
	for rows.Next() {
		var m PublicMessage
		var created int64
		if err := rows.Scan(&m.ID, &m.InboxID, &m.Content, &created); err != nil {
			return nil, fmt.Errorf("store: recent public messages: %w", err)
		}
		m.CreatedAt = fromMS(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MentionFilter selects a page of an account's mentions.
type MentionFilter struct {
	AccountID int64
	// Inboxes limits the mentions to these inboxes; nil for all.
	Inboxes   []int64
	KeywordID int64
	Sentiment string
	// Cursor continues a previous page; Limit bounds this one.
	Cursor string
	Limit  int
}

// Mention is a stored match with the message, its conversation and author.
type Mention struct {
	Message     *sahay.Message `json:"message"`
	DisplayID   int64          `json:"display_id"`
	Status      string         `json:"conversation_status"`
	ContactID   int64          `json:"contact_id"`
	ContactName string         `json:"contact_name"`
	Sentiment   string         `json:"sentiment"`
	Score       float64        `json:"score"`
	KeywordIDs  []int64        `json:"keyword_ids"`
}

// Mentions returns a page of mentions, newest first, and the cursor of the
// next page ("" after the last).
func (s *Store) Mentions(ctx context.Context, f MentionFilter) ([]*Mention, string, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	if f.Inboxes != nil && len(f.Inboxes) == 0 {
		return []*Mention{}, "", nil
	}
	// With a keyword the page is walked on its matches; otherwise on the
	// mentions themselves. Either way by (created_at, message_id), indexed.
	from, at := `mentions k`, `k`
	where := []string{`k.account_id = $1`}
	args := []any{f.AccountID}
	if f.KeywordID != 0 {
		from = `mention_matches k JOIN mentions n ON n.message_id = k.message_id`
		at = `n`
		args = append(args, f.KeywordID)
		where = append(where, fmt.Sprintf(`k.keyword_id = $%d`, len(args)))
	}
	if f.Sentiment != "" {
		args = append(args, f.Sentiment)
		where = append(where, fmt.Sprintf(`%s.sentiment = $%d`, at, len(args)))
	}
	if f.Inboxes != nil {
		where = append(where, at+`.inbox_id IN (`+placeholders(len(args)+1, len(f.Inboxes))+`)`)
		for _, id := range f.Inboxes {
			args = append(args, id)
		}
	}
	if f.Cursor != "" {
		created, _, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		args = append(args, created, id)
		where = append(where, fmt.Sprintf(`(k.created_at < $%d OR (k.created_at = $%d AND k.message_id < $%d))`, len(args)-1, len(args)-1, len(args)))
	}
	args = append(args, f.Limit+1)
	query := `SELECT ` + messageColumns + `, c.display_id, c.status, c.contact_id, ct.name, ` + at + `.sentiment, ` + at + `.score
		FROM (SELECT k.message_id, k.created_at FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") + `
			ORDER BY k.created_at DESC, k.message_id DESC LIMIT $` + fmt.Sprint(len(args)) + `) page
		JOIN mentions ` + at + ` ON ` + at + `.message_id = page.message_id
		JOIN messages m ON m.id = page.message_id
		JOIN conversations c ON c.id = m.conversation_id
		JOIN contacts ct ON ct.id = c.contact_id
		ORDER BY page.created_at DESC, page.message_id DESC`
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: mentions: %w", err)
	}
	defer rows.Close()
	out := []*Mention{}
	for rows.Next() {
		var x Mention
		m, err := scanMessage(rows, &x.DisplayID, &x.Status, &x.ContactID, &x.ContactName, &x.Sentiment, &x.Score)
		if err != nil {
			return nil, "", fmt.Errorf("store: mentions: %w", err)
		}
		x.Message = m
		out = append(out, &x)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: mentions: %w", err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[len(out)-1].Message
		next = encodeCursor(ms(last.CreatedAt), 0, last.ID)
	}
	if err := s.attachKeywordIDs(ctx, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

func (s *Store) attachKeywordIDs(ctx context.Context, ms []*Mention) error {
	if len(ms) == 0 {
		return nil
	}
	byID := map[int64]*Mention{}
	args := make([]any, 0, len(ms))
	for _, m := range ms {
		m.KeywordIDs = []int64{}
		byID[m.Message.ID] = m
		args = append(args, m.Message.ID)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT message_id, keyword_id FROM mention_matches WHERE message_id IN (`+placeholders(1, len(args))+`)
		ORDER BY message_id, keyword_id`, args...)
	if err != nil {
		return fmt.Errorf("store: mention keywords of a page: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var msg, kw int64
		if err := rows.Scan(&msg, &kw); err != nil {
			return fmt.Errorf("store: mention keywords of a page: %w", err)
		}
		byID[msg].KeywordIDs = append(byID[msg].KeywordIDs, kw)
	}
	return rows.Err()
}

// MentionBucket counts an account's mentions of one sentiment in one
// quarter of an hour (Start, UTC).
type MentionBucket struct {
	Start     time.Time
	Sentiment string
	N         int64
}

// MentionCounts counts the mentions since a time by quarter hour and
// sentiment, with the same filters as [Store.Mentions] (no cursor):
// the caller folds the quarters into days of the account's time zone,
// whatever its offset from UTC.
func (s *Store) MentionCounts(ctx context.Context, f MentionFilter, since time.Time) ([]MentionBucket, error) {
	if f.Inboxes != nil && len(f.Inboxes) == 0 {
		return nil, nil
	}
	const quarter = int64(15 * time.Minute / time.Millisecond)
	from, at := `mentions k`, `k`
	args := []any{f.AccountID, ms(since)}
	where := []string{`k.account_id = $1`, `k.created_at >= $2`}
	if f.KeywordID != 0 {
		from = `mention_matches k JOIN mentions n ON n.message_id = k.message_id`
		at = `n`
		args = append(args, f.KeywordID)
		where = append(where, fmt.Sprintf(`k.keyword_id = $%d`, len(args)))
	}
	if f.Sentiment != "" {
		args = append(args, f.Sentiment)
		where = append(where, fmt.Sprintf(`%s.sentiment = $%d`, at, len(args)))
	}
	if f.Inboxes != nil {
		where = append(where, at+`.inbox_id IN (`+placeholders(len(args)+1, len(f.Inboxes))+`)`)
		for _, id := range f.Inboxes {
			args = append(args, id)
		}
	}
	rows, err := s.read.QueryContext(ctx, fmt.Sprintf(`SELECT k.created_at / %d AS q, %s.sentiment, COUNT(*) FROM %s WHERE %s GROUP BY 1, 2`,
		quarter, at, from, strings.Join(where, " AND ")), args...)
	if err != nil {
		return nil, fmt.Errorf("store: mention counts: %w", err)
	}
	defer rows.Close()
	var out []MentionBucket
	for rows.Next() {
		var q int64
		var b MentionBucket
		if err := rows.Scan(&q, &b.Sentiment, &b.N); err != nil {
			return nil, fmt.Errorf("store: mention counts: %w", err)
		}
		b.Start = fromMS(q * quarter)
		out = append(out, b)
	}
	return out, rows.Err()
}
