package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// ReportFact is what reports know of one conversation, kept by the
// reports follower from the account's events (docs/reports.md). Days are
// local dates in the account's time zone as YYYYMMDD; nil is not yet.
type ReportFact struct {
	AccountID        int64
	ConversationID   int64
	InboxID          int64
	Channel          string
	TeamID           int64
	AssigneeID       int64
	Labels           []string // sorted
	Status           string
	OpenedAt         time.Time
	OpenedDay        int
	OpenedHour       int        // local hour, 0 to 23
	ClockAt          *time.Time // when the first-response clock started
	BotHeld          bool       // created pending: a bot held it first
	BotHandoff       bool
	HandoffDay       *int
	FirstResponseAt  *time.Time
	FirstResponseDay *int
	FirstResponseS   *int64
	FirstResponseBS  *int64
	// WaitingAt is when the customer wrote after a person's reply: the
	// next response's clock, nil when no one waits for one.
	WaitingAt     *time.Time
	NextResponses []ReportResponse
	ResolvedAt    *time.Time
	ResolvedDay   *int
	ResolutionS   *int64
	ResolutionBS  *int64
	Resolves      int
	Reopens       int
	AgentReplies  int
	ReplyDays     map[int]int // replies by people per local day
	SLABreached   bool
	AskedDay      *int // when the customer was first asked for a rating
	CSATRating    *int
	CSATDay       *int
}

// ReportResponse is one next response: the day of the reply and how long
// the customer waited, in calendar and business seconds.
type ReportResponse struct {
	Day   int
	S, BS int64
}

// Clone returns a copy of f that shares nothing it may change.
func (f *ReportFact) Clone() *ReportFact {
	c := *f
	c.Labels = slices.Clone(f.Labels)
	c.NextResponses = slices.Clone(f.NextResponses)
	c.ReplyDays = maps.Clone(f.ReplyDays)
	return &c
}

// ReportBacklogs returns up to limit accounts whose events the reports
// follower has not read, in id order; an account it never read starts at 0.
func (s *Store) ReportBacklogs(ctx context.Context, limit int) ([]AnalysisBacklog, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.id, COALESCE(c.seq, 0), a.event_seq FROM accounts a
		LEFT JOIN report_cursors c ON c.account_id = a.id WHERE a.event_seq > COALESCE(c.seq, 0) ORDER BY a.id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: report backlog: %w", err)
	}
	defer rows.Close()
	var out []AnalysisBacklog
	for rows.Next() {
		var b AnalysisBacklog
		if err := rows.Scan(&b.AccountID, &b.Cursor, &b.Last); err != nil {
			return nil, fmt.Errorf("store: report backlog: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// MoveReportCursor moves the account's reports cursor from after to upTo
// within the transaction, and reports false (changing nothing) when it is
// no longer at after: another node read those events first.
func (t *Tx) MoveReportCursor(ctx context.Context, accountID, after, upTo int64) (bool, error) {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO report_cursors (account_id, seq) VALUES ($1, 0)
		ON CONFLICT (account_id) DO NOTHING`, accountID); err != nil {
		return false, fmt.Errorf("store: start report cursor: %w", err)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE report_cursors SET seq = $3 WHERE account_id = $1 AND seq = $2`, accountID, after, upTo)
	if err != nil {
		return false, fmt.Errorf("store: move report cursor: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const reportFactColumns = `account_id, conversation_id, inbox_id, channel, team_id, assignee_id, labels, status,
	opened_at, opened_day, opened_hour, clock_at, bot_held, bot_handoff, handoff_day,
	first_response_at, first_response_day, first_response_s, first_response_bs, waiting_at, next_responses,
	resolved_at, resolved_day, resolution_s, resolution_bs, resolves, reopens, agent_replies, reply_days,
	sla_breached, asked_day, csat_rating, csat_day`

// ReportFacts returns the facts of the account's conversations among ids
// that have them, by conversation id. Only the reports' follower writes
// them, in the transaction that moves its cursor: it reads them before
// that transaction, which finds out with the cursor whether another node
// changed them since.
func (s *Store) ReportFacts(ctx context.Context, accountID int64, ids []int64) (map[int64]*ReportFact, error) {
	return reportFacts(ctx, s.read, accountID, ids)
}

// ReportFacts is [Store.ReportFacts] in the transaction.
func (t *Tx) ReportFacts(ctx context.Context, accountID int64, ids []int64) (map[int64]*ReportFact, error) {
	return reportFacts(ctx, t.tx, accountID, ids)
}

func reportFacts(ctx context.Context, q queryer, accountID int64, ids []int64) (map[int64]*ReportFact, error) {
	out := map[int64]*ReportFact{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{accountID}
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+reportFactColumns+` FROM report_facts
		WHERE account_id = $1 AND conversation_id IN (`+strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: report facts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanReportFact(rows)
		if err != nil {
			return nil, err
		}
		out[f.ConversationID] = f
	}
	return out, rows.Err()
}

func scanReportFact(rows *sql.Rows) (*ReportFact, error) {
	var f ReportFact
	var opened int64
	var labels, next, replies string
	var clockAt, frAt, waitAt, resAt sql.NullInt64
	var handoffDay, frDay, resDay, askedDay, rating, csatDay sql.NullInt64
	var frS, frBS, resS, resBS sql.NullInt64
	if err := rows.Scan(&f.AccountID, &f.ConversationID, &f.InboxID, &f.Channel, &f.TeamID, &f.AssigneeID, &labels, &f.Status,
		&opened, &f.OpenedDay, &f.OpenedHour, &clockAt, &f.BotHeld, &f.BotHandoff, &handoffDay,
		&frAt, &frDay, &frS, &frBS, &waitAt, &next, &resAt, &resDay, &resS, &resBS,
		&f.Resolves, &f.Reopens, &f.AgentReplies, &replies, &f.SLABreached, &askedDay, &rating, &csatDay); err != nil {
		return nil, fmt.Errorf("store: report facts: %w", err)
	}
	f.OpenedAt = fromMS(opened)
	f.Labels = decodeFactLabels(labels)
	var err error
	if f.NextResponses, err = decodeResponses(next); err != nil {
		return nil, fmt.Errorf("store: report facts of conversation %d: %w", f.ConversationID, err)
	}
	if f.ReplyDays, err = decodeReplyDays(replies); err != nil {
		return nil, fmt.Errorf("store: report facts of conversation %d: %w", f.ConversationID, err)
	}
	f.ClockAt, f.FirstResponseAt, f.WaitingAt, f.ResolvedAt = nullTime(clockAt), nullTime(frAt), nullTime(waitAt), nullTime(resAt)
	f.HandoffDay, f.FirstResponseDay, f.ResolvedDay, f.AskedDay = nullInt(handoffDay), nullInt(frDay), nullInt(resDay), nullInt(askedDay)
	f.CSATRating, f.CSATDay = nullInt(rating), nullInt(csatDay)
	f.FirstResponseS, f.FirstResponseBS, f.ResolutionS, f.ResolutionBS = nullInt64(frS), nullInt64(frBS), nullInt64(resS), nullInt64(resBS)
	return &f, nil
}

// encodeFactLabels keeps sorted label names as ",a,b,", so that a label
// matches as a whole name between commas (names have none).
func encodeFactLabels(labels []string) string {
	if len(labels) == 0 {
		return ""
	}
	return "," + strings.Join(labels, ",") + ","
}

func decodeFactLabels(v string) []string {
	v = strings.Trim(v, ",")
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// encodeResponses keeps next responses as "day:s:bs" joined by ";".
func encodeResponses(rs []ReportResponse) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%d:%d:%d", r.Day, r.S, r.BS)
	}
	return strings.Join(parts, ";")
}

func decodeResponses(v string) ([]ReportResponse, error) {
	if v == "" {
		return nil, nil
	}
	var out []ReportResponse
	for _, part := range strings.Split(v, ";") {
		var r ReportResponse
		if _, err := fmt.Sscanf(part, "%d:%d:%d", &r.Day, &r.S, &r.BS); err != nil {
			return nil, fmt.Errorf("next response %q: %w", part, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// encodeReplyDays keeps replies per day as "day:n" joined by ";", by day.
func encodeReplyDays(m map[int]int) string {
	var parts []string
	for _, d := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d:%d", d, m[d]))
	}
	return strings.Join(parts, ";")
}

func decodeReplyDays(v string) (map[int]int, error) {
	if v == "" {
		return nil, nil
	}
	out := map[int]int{}
	for _, part := range strings.Split(v, ";") {
		var d, n int
		if _, err := fmt.Sscanf(part, "%d:%d", &d, &n); err != nil {
			return nil, fmt.Errorf("replies %q: %w", part, err)
		}
		out[d] = n
	}
	return out, nil
}

func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func nullInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

func nullInt64(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func msOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

func intOrNil[T int | int64](v *T) any {
	if v == nil {
		return nil
	}
	return int64(*v)
}

// ReportFactChange is a conversation's new facts and those they replace
// (nil when it had none). A change with New nil removes the facts: the
// conversation no longer counts anywhere.
type ReportFactChange struct {
	Old, New *ReportFact
}

// SaveReportFact writes a conversation's facts, replacing old (nil when
// it had none), and moves the rollups by the difference.
func (t *Tx) SaveReportFact(ctx context.Context, old, f *ReportFact) error {
	return t.SaveReportFacts(ctx, f.AccountID, []ReportFactChange{{Old: old, New: f}})
}

// SaveReportFacts writes the account's changed facts and moves the
// rollups by the sum of their differences, so that a cell many of them
// count in is written once.
func (t *Tx) SaveReportFacts(ctx context.Context, accountID int64, changes []ReportFactChange) error {
	delta := map[reportCell]int64{}
	var saved []*ReportFact
	for _, ch := range changes {
		if ch.Old != nil {
			for c, n := range ch.Old.cells() {
				delta[c] -= n
			}
		}
		if ch.New == nil {
			if ch.Old != nil {
				if _, err := t.tx.ExecContext(ctx, `DELETE FROM report_facts WHERE account_id = $1 AND conversation_id = $2`,
					accountID, ch.Old.ConversationID); err != nil {
					return fmt.Errorf("store: remove report fact: %w", err)
				}
			}
			continue
		}
		for c, n := range ch.New.cells() {
			delta[c] += n
		}
		saved = append(saved, ch.New)
	}
	if err := t.saveReportFacts(ctx, saved); err != nil {
		return err
	}
	return t.moveRollups(ctx, accountID, delta)
}

// saveReportFacts writes the conversations' facts rows, many a
// statement, in conversation order.
func (t *Tx) saveReportFacts(ctx context.Context, facts []*ReportFact) error {
	slices.SortFunc(facts, func(a, b *ReportFact) int { return cmp.Compare(a.ConversationID, b.ConversationID) })
	args := make([]any, 0, reportFactWidth*len(facts))
	for _, f := range facts {
		args = append(args, f.AccountID, f.ConversationID, f.InboxID, f.Channel, f.TeamID, f.AssigneeID, encodeFactLabels(f.Labels), f.Status,
			ms(f.OpenedAt), f.OpenedDay, f.OpenedHour, msOrNil(f.ClockAt), boolInt(f.BotHeld), boolInt(f.BotHandoff), intOrNil(f.HandoffDay),
			msOrNil(f.FirstResponseAt), intOrNil(f.FirstResponseDay), intOrNil(f.FirstResponseS), intOrNil(f.FirstResponseBS),
			msOrNil(f.WaitingAt), encodeResponses(f.NextResponses),
			msOrNil(f.ResolvedAt), intOrNil(f.ResolvedDay), intOrNil(f.ResolutionS), intOrNil(f.ResolutionBS),
			f.Resolves, f.Reopens, f.AgentReplies, encodeReplyDays(f.ReplyDays),
			boolInt(f.SLABreached), intOrNil(f.AskedDay), intOrNil(f.CSATRating), intOrNil(f.CSATDay))
	}
	if err := t.execRows(ctx, saveReportFactRows, args); err != nil {
		return fmt.Errorf("store: save report facts: %w", err)
	}
	return nil
}

// reportFactWidth is the number of reportFactColumns.
const reportFactWidth = 33

var saveReportFactRows = newRowStatements(`INSERT INTO report_facts (`+reportFactColumns+`) VALUES `, reportFactWidth,
	` ON CONFLICT (account_id, conversation_id) DO UPDATE SET inbox_id = excluded.inbox_id, channel = excluded.channel,
		team_id = excluded.team_id, assignee_id = excluded.assignee_id, labels = excluded.labels, status = excluded.status,
		opened_at = excluded.opened_at, opened_day = excluded.opened_day, opened_hour = excluded.opened_hour,
		clock_at = excluded.clock_at, bot_held = excluded.bot_held, bot_handoff = excluded.bot_handoff, handoff_day = excluded.handoff_day,
		first_response_at = excluded.first_response_at, first_response_day = excluded.first_response_day,
		first_response_s = excluded.first_response_s, first_response_bs = excluded.first_response_bs,
		waiting_at = excluded.waiting_at, next_responses = excluded.next_responses,
		resolved_at = excluded.resolved_at, resolved_day = excluded.resolved_day, resolution_s = excluded.resolution_s,
		resolution_bs = excluded.resolution_bs, resolves = excluded.resolves, reopens = excluded.reopens,
		agent_replies = excluded.agent_replies, reply_days = excluded.reply_days, sla_breached = excluded.sla_breached,
		asked_day = excluded.asked_day, csat_rating = excluded.csat_rating, csat_day = excluded.csat_day`)

// rollupsPerStatement bounds the rows one statement moves.
const rollupsPerStatement = 200

// moveRollups adds delta to the account's rollups, many rows a statement
// (a fact counts in some 80 cells), in key order. On SQLite the
// placeholders are anonymous, as in valuesStatements.
func (t *Tx) moveRollups(ctx context.Context, accountID int64, delta map[reportCell]int64) error {
	cells := make([]reportCell, 0, len(delta))
	for c, n := range delta {
		if n != 0 {
			cells = append(cells, c)
		}
	}
	slices.SortFunc(cells, func(a, b reportCell) int {
		return cmp.Or(cmp.Compare(a.scope, b.scope), cmp.Compare(a.metric, b.metric), cmp.Compare(a.day, b.day), cmp.Compare(a.bucket, b.bucket))
	})
	for start := 0; start < len(cells); start += rollupsPerStatement {
		part := cells[start:min(start+rollupsPerStatement, len(cells))]
		rows := make([]string, len(part))
		args := make([]any, 0, 6*len(part))
		for i, c := range part {
			rows[i] = "(?, ?, ?, ?, ?, ?)" // see valuesStatements
			if t.s.dialect == Postgres {
				k := 6 * i
				rows[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6)
			}
			args = append(args, accountID, c.scope, c.metric, c.day, c.bucket, delta[c])
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO report_rollups (account_id, scope, metric, day, bucket, n) VALUES `+
			strings.Join(rows, ", ")+` ON CONFLICT (account_id, scope, metric, day, bucket) DO UPDATE SET n = report_rollups.n + excluded.n`,
			args...)
		if err != nil {
			return fmt.Errorf("store: report rollups: %w", err)
		}
	}
	return nil
}

// NearestRank is the 1-based rank of the p-th percentile of n sorted
// values: ceil(p/100 × n).
func NearestRank(n, p int) int {
	r := (p*n + 99) / 100
	return max(r, 1)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Histogram buckets of durations: each second below reportExactBelow is
// its own bucket; above, buckets grow by reportBucketRatio, so a
// percentile read from them is within ReportBucketError of the exact one.
const (
	reportExactBelow  = 120
	reportBucketRatio = 1.01
	// ReportBucketError is the largest relative error of a percentile
	// read from the rollups.
	ReportBucketError = 0.01
)

// ReportBucket is the histogram bucket of a duration in seconds.
func ReportBucket(s int64) int {
	if s < reportExactBelow {
		return int(max(s, 0))
	}
	return reportExactBelow + int(math.Log(float64(s)/reportExactBelow)/math.Log(reportBucketRatio))
}

// ReportBucketValue is the value a bucket stands for: the second itself
// below reportExactBelow, else the geometric middle of the bucket.
func ReportBucketValue(b int) int64 {
	if b < reportExactBelow {
		return int64(b)
	}
	return int64(math.Round(reportExactBelow * math.Pow(reportBucketRatio, float64(b-reportExactBelow)+0.5)))
}
