package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// VoiceBacklogs returns up to limit accounts whose analysed messages the
// voice follower has not counted, in id order: Cursor is where it is,
// Last the scorer's analysis cursor, past which messages may not be
// analysed yet. An account it never read starts at 0.
func (s *Store) VoiceBacklogs(ctx context.Context, limit int) ([]AnalysisBacklog, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.account_id, COALESCE(v.seq, 0), a.seq FROM analysis_cursors a
		LEFT JOIN voice_cursors v ON v.account_id = a.account_id WHERE a.seq > COALESCE(v.seq, 0) ORDER BY a.account_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: voice backlog: %w", err)
	}
	defer rows.Close()
	var out []AnalysisBacklog
	for rows.Next() {
		var b AnalysisBacklog
		if err := rows.Scan(&b.AccountID, &b.Cursor, &b.Last); err != nil {
			return nil, fmt.Errorf("store: voice backlog: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// AnalysedMessage is an incoming message with what the scorer read in it:
// what the voice follower counts.
type AnalysedMessage struct {
	ID        int64
	InboxID   int64
	Content   string
	CreatedAt time.Time
	Language  string
	Sentiment string
	// Scopes are the report scopes of the message's conversation now:
	// its team, assignee and labels ("team:2", "agent:7", "label:refund").
	Scopes []string
}

// AnalysedMessages returns the account's incoming messages of ids that
// still exist and have an analysis, in id order.
func (s *Store) AnalysedMessages(ctx context.Context, accountID int64, ids []int64) ([]AnalysedMessage, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, arg := "SELECT value FROM json_each($2)", any(encodeJSON(ids))
	if s.dialect == Postgres {
		list, arg = "SELECT unnest($2::bigint[])", ids
	}
	rows, err := s.read.QueryContext(ctx, `SELECT m.id, m.inbox_id, m.content, m.created_at, a.language, a.sentiment,
		c.id, c.team_id, c.assignee_id
		FROM messages m JOIN message_analyses a ON a.message_id = m.id JOIN conversations c ON c.id = m.conversation_id
		WHERE m.account_id = $1 AND m.kind = $3 AND m.id IN (`+list+`) ORDER BY m.id`, accountID, arg, sahay.MessageIncoming)
	if err != nil {
		return nil, fmt.Errorf("store: analysed messages: %w", err)
	}
	defer rows.Close()
	var out []AnalysedMessage
	var convs []int64
	byConv := map[int64][]int{}
	for rows.Next() {
		var m AnalysedMessage
		var at, conv int64
		var team, assignee sql.NullInt64
		if err := rows.Scan(&m.ID, &m.InboxID, &m.Content, &at, &m.Language, &m.Sentiment, &conv, &team, &assignee); err != nil {
			return nil, fmt.Errorf("store: analysed messages: %w", err)
		}
		m.CreatedAt = fromMS(at)
		if team.Int64 != 0 {
			m.Scopes = append(m.Scopes, fmt.Sprint(scopeTeam, team.Int64))
		}
		if assignee.Int64 != 0 {
			m.Scopes = append(m.Scopes, fmt.Sprint(scopeAgent, assignee.Int64))
		}
		if byConv[conv] == nil {
			convs = append(convs, conv)
		}
		byConv[conv] = append(byConv[conv], len(out))
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: analysed messages: %w", err)
	}
	labels, err := conversationLabelNames(ctx, s.read, convs)
	if err != nil {
		return nil, err
	}
	for conv, names := range labels {
		for _, i := range byConv[conv] {
			for _, name := range names {
				out[i].Scopes = append(out[i].Scopes, scopeLabel+name)
			}
		}
	}
	return out, nil
}

// MessageLanguages returns the analysed language of the account's
// messages of ids that have an analysis, by id.
func (s *Store) MessageLanguages(ctx context.Context, accountID int64, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	list, arg := "SELECT value FROM json_each($2)", any(encodeJSON(ids))
	if s.dialect == Postgres {
		list, arg = "SELECT unnest($2::bigint[])", ids
	}
	rows, err := s.read.QueryContext(ctx, `SELECT message_id, language FROM message_analyses
		WHERE account_id = $1 AND message_id IN (`+list+`)`, accountID, arg)
	if err != nil {
		return nil, fmt.Errorf("store: message languages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var lang string
		if err := rows.Scan(&id, &lang); err != nil {
			return nil, fmt.Errorf("store: message languages: %w", err)
		}
		out[id] = lang
	}
	return out, rows.Err()
}

// MoveVoiceCursor moves the account's voice cursor from after to upTo
// within the transaction, and reports false (changing nothing) when it is
// no longer at after: another node counted those messages first.
func (t *Tx) MoveVoiceCursor(ctx context.Context, accountID, after, upTo int64) (bool, error) {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO voice_cursors (account_id, seq) VALUES ($1, 0)
		ON CONFLICT (account_id) DO NOTHING`, accountID); err != nil {
		return false, fmt.Errorf("store: start voice cursor: %w", err)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE voice_cursors SET seq = $3 WHERE account_id = $1 AND seq = $2`, accountID, after, upTo)
	if err != nil {
		return false, fmt.Errorf("store: move voice cursor: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SentimentKey is a cell of the sentiment counts: a local day (YYYYMMDD),
// an inbox, a language and a sentiment.
type SentimentKey struct {
	Day       int
	InboxID   int64
	Language  string
	Sentiment string
}

// TermKey is a cell of the term counts: a local day, an inbox, a language
// and a term.
type TermKey struct {
	Day      int
	InboxID  int64
	Language string
	Term     string
}

// AddVoiceCounts adds a batch's counts, many cells a statement, in key
// order; each term's count is added to its inbox and to the account's
// total (inbox 0).
func (t *Tx) AddVoiceCounts(ctx context.Context, accountID int64, sentiments map[SentimentKey]int64, terms map[TermKey]int64) error {
	all := make(map[TermKey]int64, 2*len(terms))
	for k, n := range terms {
		all[k] += n
		if k.InboxID != 0 {
			k.InboxID = 0
			all[k] += n
		}
	}
	skeys := slices.SortedFunc(maps.Keys(sentiments), func(a, b SentimentKey) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.InboxID, b.InboxID), cmp.Compare(a.Language, b.Language), cmp.Compare(a.Sentiment, b.Sentiment))
	})
	args := make([]any, 0, 6*len(skeys))
	for _, k := range skeys {
		args = append(args, accountID, k.Day, k.InboxID, k.Language, k.Sentiment, sentiments[k])
	}
	if err := t.execRows(ctx, addVoiceDayRows, args); err != nil {
		return fmt.Errorf("store: add sentiment counts: %w", err)
	}
	tkeys := slices.SortedFunc(maps.Keys(all), func(a, b TermKey) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Language, b.Language), cmp.Compare(a.Term, b.Term), cmp.Compare(a.InboxID, b.InboxID))
	})
	args = make([]any, 0, 6*len(tkeys))
	for _, k := range tkeys {
		args = append(args, accountID, k.Day, k.Language, k.Term, k.InboxID, all[k])
	}
	if err := t.execRows(ctx, addVoiceTermRows, args); err != nil {
		return fmt.Errorf("store: add term counts: %w", err)
	}
	return nil
}

var (
	addVoiceDayRows = newRowStatements(`INSERT INTO voice_days (account_id, day, inbox_id, language, sentiment, n) VALUES `, 6,
		` ON CONFLICT (account_id, day, inbox_id, language, sentiment) DO UPDATE SET n = voice_days.n + excluded.n`)
	addVoiceTermRows = newRowStatements(`INSERT INTO voice_term_counts (account_id, day, language, term, inbox_id, n) VALUES `, 6,
		` ON CONFLICT (account_id, day, language, term, inbox_id) DO UPDATE SET n = voice_term_counts.n + excluded.n`)
)

// conversationLabelNames maps each of the conversations that has labels
// to their names.
func conversationLabelNames(ctx context.Context, q queryer, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		marks := make([]string, len(part))
		for i, id := range part {
			args[i] = id
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		rows, err := q.QueryContext(ctx, `SELECT cl.conversation_id, l.name FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
			WHERE cl.conversation_id IN (`+strings.Join(marks, ",")+`) ORDER BY cl.conversation_id, l.name`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: conversation labels: %w", err)
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: conversation labels: %w", err)
			}
			out[id] = append(out[id], name)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: conversation labels: %w", err)
		}
	}
	return out, nil
}

// ScopeSentimentKey is a cell of the sentiment counts of a team, agent or
// label: the scope, a local day and a sentiment.
type ScopeSentimentKey struct {
	Scope     string
	Day       int
	Sentiment string
}

// AddVoiceScopeCounts adds a batch's sentiment counts of teams, agents
// and labels, one statement per cell.
func (t *Tx) AddVoiceScopeCounts(ctx context.Context, accountID int64, counts map[ScopeSentimentKey]int64) error {
	for k, n := range counts {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO voice_scope_days (account_id, scope, day, sentiment, n) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (account_id, scope, day, sentiment) DO UPDATE SET n = voice_scope_days.n + excluded.n`,
			accountID, k.Scope, k.Day, k.Sentiment, n); err != nil {
			return fmt.Errorf("store: add sentiment counts: %w", err)
		}
	}
	return nil
}

// CompactVoiceTerms keeps, of the account's term counts of a local day,
// only the keep most frequent terms of each language and inbox (ties by
// term), and records day as the last compacted.
func (t *Tx) CompactVoiceTerms(ctx context.Context, accountID int64, day, keep int) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM voice_term_counts WHERE account_id = $1 AND day = $2 AND (language, term, inbox_id) IN (
		SELECT language, term, inbox_id FROM (SELECT language, term, inbox_id,
			ROW_NUMBER() OVER (PARTITION BY language, inbox_id ORDER BY n DESC, term) AS place
			FROM voice_term_counts WHERE account_id = $1 AND day = $2) ranked WHERE place > $3)`, accountID, day, keep)
	if err != nil {
		return fmt.Errorf("store: compact voice terms: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO voice_cursors (account_id, seq) VALUES ($1, 0)
		ON CONFLICT (account_id) DO NOTHING`, accountID); err != nil {
		return fmt.Errorf("store: start voice cursor: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE voice_cursors SET compacted_day = $2 WHERE account_id = $1 AND compacted_day < $2`,
		accountID, day); err != nil {
		return fmt.Errorf("store: compact voice terms: %w", err)
	}
	return nil
}

// NextVoiceDay returns the first local day after the account's last
// compacted one that has term counts and is before before, or 0.
func (s *Store) NextVoiceDay(ctx context.Context, accountID int64, before int) (int, error) {
	var day sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT MIN(t.day) FROM voice_term_counts t
		WHERE t.account_id = $1 AND t.day < $2 AND t.inbox_id = 0
		AND t.day > COALESCE((SELECT compacted_day FROM voice_cursors WHERE account_id = $1), 0)`, accountID, before).Scan(&day)
	if err != nil {
		return 0, fmt.Errorf("store: next voice day: %w", err)
	}
	return int(day.Int64), nil
}

// VoiceFilter narrows the voice counts: local days From to To inclusive
// (YYYYMMDD), the inboxes (nil for all) and a language ("" for all).
type VoiceFilter struct {
	AccountID int64
	From, To  int
	Inboxes   []int64
	Language  string
	// Scope is a team's, agent's or label's ("team:2", "agent:7",
	// "label:refund"): the sentiment counts read alone.
	Scope string
}

// where returns the filter's conditions, with the arguments numbered from
// $1, and the arguments. totals reads the account's totals (inbox 0),
// which the term counts keep, when the filter names no inboxes.
func (f VoiceFilter) where(totals bool) (string, []any) {
	conds := []string{"account_id = $1", "day >= $2", "day <= $3"}
	args := []any{f.AccountID, f.From, f.To}
	switch {
	case f.Inboxes == nil && totals:
		conds = append(conds, "inbox_id = 0")
	case f.Inboxes != nil && len(f.Inboxes) == 0:
		conds = append(conds, "1 = 0")
	case f.Inboxes != nil:
		marks := make([]string, len(f.Inboxes))
		for i, id := range f.Inboxes {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		conds = append(conds, "inbox_id IN ("+strings.Join(marks, ",")+")")
	}
	if f.Language != "" {
		args = append(args, f.Language)
		conds = append(conds, fmt.Sprintf("language = $%d", len(args)))
	}
	return strings.Join(conds, " AND "), args
}

// SentimentDays returns the analysed messages of the filter's days by day
// and sentiment; days without any are left out.
func (s *Store) SentimentDays(ctx context.Context, f VoiceFilter) (map[int]map[string]int, error) {
	where, args := f.where(false)
	table := "voice_days"
	if f.Scope != "" {
		where, args, table = "account_id = $1 AND scope = $2 AND day >= $3 AND day <= $4", []any{f.AccountID, f.Scope, f.From, f.To}, "voice_scope_days"
	}
	rows, err := s.read.QueryContext(ctx, `SELECT day, sentiment, SUM(n) FROM `+table+` WHERE `+where+` GROUP BY day, sentiment`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: sentiment days: %w", err)
	}
	defer rows.Close()
	out := map[int]map[string]int{}
	for rows.Next() {
		var day, n int
		var sentiment string
		if err := rows.Scan(&day, &sentiment, &n); err != nil {
			return nil, fmt.Errorf("store: sentiment days: %w", err)
		}
		if out[day] == nil {
			out[day] = map[string]int{}
		}
		out[day][sentiment] += n
	}
	return out, rows.Err()
}

// TermCount is how many analysed messages of a period held a term.
type TermCount struct {
	Language string
	Term     string
	Count    int
}

// TopTerms returns the terms held by at least least messages of the
// filter's period, most frequent first (ties by language and term), at
// most limit of them.
func (s *Store) TopTerms(ctx context.Context, f VoiceFilter, least, limit int) ([]TermCount, error) {
	where, args := f.where(true)
	args = append(args, least, limit)
	rows, err := s.read.QueryContext(ctx, fmt.Sprintf(`SELECT language, term, SUM(n) FROM voice_term_counts WHERE %s
		GROUP BY language, term HAVING SUM(n) >= $%d ORDER BY SUM(n) DESC, language, term LIMIT $%d`, where, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: top terms: %w", err)
	}
	return scanTermCounts(rows)
}

// TermCounts returns how many messages of the filter's period held each
// of terms (in any of the filter's languages), by language and term;
// terms none held are left out.
func (s *Store) TermCounts(ctx context.Context, f VoiceFilter, terms []string) (map[[2]string]int, error) {
	out := map[[2]string]int{}
	if len(terms) == 0 {
		return out, nil
	}
	where, args := f.where(true)
	marks := make([]string, len(terms))
	for i, t := range terms {
		args = append(args, t)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT language, term, SUM(n) FROM voice_term_counts WHERE `+where+`
		AND term IN (`+strings.Join(marks, ",")+`) GROUP BY language, term`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: term counts: %w", err)
	}
	counts, err := scanTermCounts(rows)
	for _, c := range counts {
		out[[2]string{c.Language, c.Term}] = c.Count
	}
	return out, err
}

func scanTermCounts(rows *sql.Rows) ([]TermCount, error) {
	defer rows.Close()
	var out []TermCount
	for rows.Next() {
		var c TermCount
		if err := rows.Scan(&c.Language, &c.Term, &c.Count); err != nil {
			return nil, fmt.Errorf("store: term counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LabelCount is how many conversations opened in a period carry a label.
type LabelCount struct {
	Name  string
	Count int
}

// LabelsOpened returns, for each label of the account, how many of the
// conversations opened on the filter's local days (the report facts'
// opened_day, read through its index) carry it now; labels none carry are
// left out. The filter's language is ignored.
func (s *Store) LabelsOpened(ctx context.Context, f VoiceFilter) ([]LabelCount, error) {
	if f.Inboxes == nil {
		return s.labelsOpenedRollups(ctx, f)
	}
	scope := ""
	args := []any{f.AccountID, f.From, f.To}
	if f.Inboxes != nil {
		marks := []string{"0"}
		for _, id := range f.Inboxes {
			args = append(args, id)
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
		scope = " AND rf.inbox_id IN (" + strings.Join(marks, ",") + ")"
	}
	rows, err := s.read.QueryContext(ctx, `SELECT l.name, COUNT(*) FROM report_facts rf
		JOIN conversation_labels cl ON cl.conversation_id = rf.conversation_id
		JOIN labels l ON l.id = cl.label_id
		WHERE rf.account_id = $1 AND rf.opened_day >= $2 AND rf.opened_day <= $3`+scope+`
		GROUP BY l.name ORDER BY COUNT(*) DESC, l.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: labels opened: %w", err)
	}
	defer rows.Close()
	var out []LabelCount
	for rows.Next() {
		var c LabelCount
		if err := rows.Scan(&c.Name, &c.Count); err != nil {
			return nil, fmt.Errorf("store: labels opened: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// labelsOpenedRollups is LabelsOpened for every inbox, read from each
// label's rollups: a number of rows bounded by labels and days, whatever
// the number of conversations.
func (s *Store) labelsOpenedRollups(ctx context.Context, f VoiceFilter) ([]LabelCount, error) {
	labels, err := s.Labels(ctx, f.AccountID)
	if err != nil || len(labels) == 0 {
		return nil, err
	}
	args := []any{f.AccountID, metricOpened, f.From, f.To}
	marks := make([]string, len(labels))
	for i, l := range labels {
		args = append(args, scopeLabel+l.Name)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT scope, SUM(n) FROM report_rollups WHERE account_id = $1
		AND scope IN (`+strings.Join(marks, ",")+`) AND metric = $2 AND day >= $3 AND day <= $4
		GROUP BY scope HAVING SUM(n) > 0`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: labels opened: %w", err)
	}
	defer rows.Close()
	var out []LabelCount
	for rows.Next() {
		var c LabelCount
		if err := rows.Scan(&c.Name, &c.Count); err != nil {
			return nil, fmt.Errorf("store: labels opened: %w", err)
		}
		c.Name = strings.TrimPrefix(c.Name, scopeLabel)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: labels opened: %w", err)
	}
	slices.SortFunc(out, func(a, b LabelCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name)) })
	return out, nil
}

// TopicConversation is a conversation listed behind a topic.
type TopicConversation struct {
	ID          int64     `json:"id"`
	DisplayID   int64     `json:"display_id"`
	ContactName string    `json:"contact_name"`
	Snippet     string    `json:"snippet"`
	CreatedAt   time.Time `json:"created_at"`
}

// LabelConversations returns up to limit of the account's conversations
// opened on the filter's local days that carry the label named name,
// newest first, with their last message as the snippet.
func (s *Store) LabelConversations(ctx context.Context, f VoiceFilter, name string, limit int) ([]TopicConversation, error) {
	args := []any{f.AccountID, f.From, f.To, name}
	scope := ""
	if f.Inboxes != nil {
		marks := []string{"0"}
		for _, id := range f.Inboxes {
			args = append(args, id)
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
		scope = " AND rf.inbox_id IN (" + strings.Join(marks, ",") + ")"
	}
	args = append(args, limit)
	rows, err := s.read.QueryContext(ctx, `SELECT c.id, c.display_id, ct.name, c.last_message, c.created_at FROM labels l
		JOIN conversation_labels cl ON cl.label_id = l.id
		JOIN report_facts rf ON rf.account_id = l.account_id AND rf.conversation_id = cl.conversation_id
		JOIN conversations c ON c.id = cl.conversation_id
		JOIN contacts ct ON ct.id = c.contact_id
		WHERE l.account_id = $1 AND l.name = $4 AND rf.opened_day >= $2 AND rf.opened_day <= $3`+scope+`
		ORDER BY c.id DESC LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: label conversations: %w", err)
	}
	defer rows.Close()
	out := []TopicConversation{}
	for rows.Next() {
		var c TopicConversation
		var at int64
		if err := rows.Scan(&c.ID, &c.DisplayID, &c.ContactName, &c.Snippet, &at); err != nil {
			return nil, fmt.Errorf("store: label conversations: %w", err)
		}
		c.CreatedAt = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// WaitingConversation is an open conversation whose customer waits for a
// person's answer.
type WaitingConversation struct {
	ConversationID int64
	DisplayID      int64
	ContactName    string
	InboxID        int64
	WaitingSince   time.Time
}

// WaitingLongest returns up to limit of the account's open conversations
// that wait for an answer, longest waiting first, read through the
// waiting sort's index (conversations_status_waiting).
func (s *Store) WaitingLongest(ctx context.Context, accountID int64, limit int) ([]WaitingConversation, error) {
	// The key is the index's expression: a conversation not waiting has
	// the smallest, so those waiting come first in descending order.
	rows, err := s.read.QueryContext(ctx, fmt.Sprintf(`SELECT c.id, c.display_id, ct.name, c.inbox_id, c.waiting_since FROM conversations c
		JOIN contacts ct ON ct.id = c.contact_id
		WHERE c.account_id = $1 AND c.status = $2 AND -COALESCE(c.waiting_since, %d) > -%d
		ORDER BY -COALESCE(c.waiting_since, %d) DESC, c.id DESC LIMIT $3`, never, never, never), accountID, sahay.StatusOpen, limit)
	if err != nil {
		return nil, fmt.Errorf("store: waiting longest: %w", err)
	}
	defer rows.Close()
	var out []WaitingConversation
	for rows.Next() {
		var w WaitingConversation
		var since int64
		if err := rows.Scan(&w.ConversationID, &w.DisplayID, &w.ContactName, &w.InboxID, &since); err != nil {
			return nil, fmt.Errorf("store: waiting longest: %w", err)
		}
		w.WaitingSince = fromMS(since)
		out = append(out, w)
	}
	return out, rows.Err()
}

// StatusCounts are the account's conversations counted from the
// maintained counts: open, open without an assignee, and pending (a bot
// holds them).
type StatusCounts struct {
	Open, Unassigned, Pending int
}

// LiveCounts returns the account's status counts, summed from the
// conversation_counts rows.
func (s *Store) LiveCounts(ctx context.Context, accountID int64) (StatusCounts, error) {
	var c StatusCounts
	err := s.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = $2 THEN n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = $2 AND assignee_id = 0 THEN n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = $3 THEN n ELSE 0 END), 0)
		FROM conversation_counts WHERE account_id = $1`, accountID, sahay.StatusOpen, sahay.StatusPending).Scan(&c.Open, &c.Unassigned, &c.Pending)
	if err != nil {
		return c, fmt.Errorf("store: live counts: %w", err)
	}
	return c, nil
}
