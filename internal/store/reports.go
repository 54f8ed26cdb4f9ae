package store

import (
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
	Status           string
	OpenedAt         time.Time
	OpenedDay        int
	ClockAt          *time.Time // when the first-response clock started
	BotHandoff       bool
	FirstResponseAt  *time.Time
	FirstResponseDay *int
	FirstResponseS   *int64
	FirstResponseBS  *int64
	ResolvedAt       *time.Time
	ResolvedDay      *int
	ResolutionS      *int64
	ResolutionBS     *int64
	Resolves         int
	Reopens          int
	AgentReplies     int
	CSATRating       *int
	CSATDay          *int
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

const reportFactColumns = `account_id, conversation_id, inbox_id, channel, team_id, assignee_id, status, opened_at, opened_day,
	clock_at, bot_handoff, first_response_at, first_response_day, first_response_s, first_response_bs,
	resolved_at, resolved_day, resolution_s, resolution_bs, resolves, reopens, agent_replies, csat_rating, csat_day`

// ReportFacts returns the facts of the account's conversations among ids
// that have them, by conversation id.
func (t *Tx) ReportFacts(ctx context.Context, accountID int64, ids []int64) (map[int64]*ReportFact, error) {
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
	rows, err := t.tx.QueryContext(ctx, `SELECT `+reportFactColumns+` FROM report_facts
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
	var clockAt, frAt, resAt sql.NullInt64
	var frDay, resDay, rating, csatDay sql.NullInt64
	var frS, frBS, resS, resBS sql.NullInt64
	if err := rows.Scan(&f.AccountID, &f.ConversationID, &f.InboxID, &f.Channel, &f.TeamID, &f.AssigneeID, &f.Status, &opened, &f.OpenedDay,
		&clockAt, &f.BotHandoff, &frAt, &frDay, &frS, &frBS, &resAt, &resDay, &resS, &resBS,
		&f.Resolves, &f.Reopens, &f.AgentReplies, &rating, &csatDay); err != nil {
		return nil, fmt.Errorf("store: report facts: %w", err)
	}
	f.OpenedAt = fromMS(opened)
	f.ClockAt, f.FirstResponseAt, f.ResolvedAt = nullTime(clockAt), nullTime(frAt), nullTime(resAt)
	f.FirstResponseDay, f.ResolvedDay, f.CSATRating, f.CSATDay = nullInt(frDay), nullInt(resDay), nullInt(rating), nullInt(csatDay)
	f.FirstResponseS, f.FirstResponseBS, f.ResolutionS, f.ResolutionBS = nullInt64(frS), nullInt64(frBS), nullInt64(resS), nullInt64(resBS)
	return &f, nil
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

// SaveReportFact writes a conversation's facts, replacing old (nil when
// it had none), and moves the daily rollups by the difference.
func (t *Tx) SaveReportFact(ctx context.Context, old, f *ReportFact) error {
	delta := map[reportCell]int64{}
	if old != nil {
		for c, n := range old.cells() {
			delta[c] -= n
		}
	}
	for c, n := range f.cells() {
		delta[c] += n
	}
	for c, n := range delta {
		if n == 0 {
			continue
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO report_days (account_id, day, inbox_id, metric, bucket, n) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (account_id, day, inbox_id, metric, bucket) DO UPDATE SET n = report_days.n + excluded.n`,
			f.AccountID, c.day, c.inbox, c.metric, c.bucket, n)
		if err != nil {
			return fmt.Errorf("store: report rollup: %w", err)
		}
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO report_facts (`+reportFactColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
		ON CONFLICT (account_id, conversation_id) DO UPDATE SET inbox_id = excluded.inbox_id, channel = excluded.channel,
		team_id = excluded.team_id, assignee_id = excluded.assignee_id, status = excluded.status, opened_at = excluded.opened_at,
		opened_day = excluded.opened_day, clock_at = excluded.clock_at, bot_handoff = excluded.bot_handoff,
		first_response_at = excluded.first_response_at, first_response_day = excluded.first_response_day,
		first_response_s = excluded.first_response_s, first_response_bs = excluded.first_response_bs,
		resolved_at = excluded.resolved_at, resolved_day = excluded.resolved_day, resolution_s = excluded.resolution_s,
		resolution_bs = excluded.resolution_bs, resolves = excluded.resolves, reopens = excluded.reopens,
		agent_replies = excluded.agent_replies, csat_rating = excluded.csat_rating, csat_day = excluded.csat_day`,
		f.AccountID, f.ConversationID, f.InboxID, f.Channel, f.TeamID, f.AssigneeID, f.Status, ms(f.OpenedAt), f.OpenedDay,
		msOrNil(f.ClockAt), boolInt(f.BotHandoff), msOrNil(f.FirstResponseAt), intOrNil(f.FirstResponseDay), intOrNil(f.FirstResponseS), intOrNil(f.FirstResponseBS),
		msOrNil(f.ResolvedAt), intOrNil(f.ResolvedDay), intOrNil(f.ResolutionS), intOrNil(f.ResolutionBS),
		f.Resolves, f.Reopens, f.AgentReplies, intOrNil(f.CSATRating), intOrNil(f.CSATDay))
	if err != nil {
		return fmt.Errorf("store: save report fact: %w", err)
	}
	return nil
}

// ReportFilter narrows a report: local days From to To inclusive
// (YYYYMMDD), and optionally an inbox, channel, team or assignee.
type ReportFilter struct {
	AccountID     int64
	From, To      int
	InboxID       int64
	Channel       string
	TeamID        int64
	AgentID       int64
	BusinessHours bool
	// Exact reads the facts rows even when the daily rollups would do.
	Exact bool
}

// ReportTotals are the figures a summary is made of; percentiles are
// exact, nil when nothing was measured.
type ReportTotals struct {
	Opened, Resolved, FirstContactResolved int
	FirstResponseMedian, FirstResponseP90  *int64
	FirstResponses                         int
	ResolutionMedian, ResolutionP90        *int64
	CSATResponses, CSATSatisfied           int
}

// where returns the filter's conditions on the day column day.
func (f ReportFilter) where(day string) (string, []any) {
	conds := []string{"account_id = $1", day + " >= $2", day + " <= $3"}
	args := []any{f.AccountID, f.From, f.To}
	add := func(col string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if f.InboxID != 0 {
		add("inbox_id", f.InboxID)
	}
	if f.Channel != "" {
		add("channel", f.Channel)
	}
	if f.TeamID != 0 {
		add("team_id", f.TeamID)
	}
	if f.AgentID != 0 {
		add("assignee_id", f.AgentID)
	}
	return strings.Join(conds, " AND "), args
}

// ReportTotals reads a summary's figures: from the daily rollups when the
// filter is at most an inbox (percentiles within ReportBucketError), else
// from the facts rows (exact).
func (s *Store) ReportTotals(ctx context.Context, f ReportFilter) (*ReportTotals, error) {
	if !f.Exact && f.TeamID == 0 && f.AgentID == 0 && f.Channel == "" {
		return s.reportRollups(ctx, f)
	}
	var t ReportTotals
	w, args := f.where("opened_day")
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_facts WHERE `+w, args...).Scan(&t.Opened); err != nil {
		return nil, fmt.Errorf("store: report opened: %w", err)
	}
	w, args = f.where("resolved_day")
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN resolves = 1 AND reopens = 0 AND agent_replies <= 1 THEN 1 ELSE 0 END), 0)
		FROM report_facts WHERE `+w, args...).Scan(&t.Resolved, &t.FirstContactResolved); err != nil {
		return nil, fmt.Errorf("store: report resolved: %w", err)
	}
	w, args = f.where("csat_day")
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN csat_rating >= 4 THEN 1 ELSE 0 END), 0)
		FROM report_facts WHERE csat_rating IS NOT NULL AND `+w, args...).Scan(&t.CSATResponses, &t.CSATSatisfied); err != nil {
		return nil, fmt.Errorf("store: report csat: %w", err)
	}
	fr, res := "first_response_s", "resolution_s"
	if f.BusinessHours {
		fr, res = "first_response_bs", "resolution_bs"
	}
	var err error
	if t.FirstResponses, t.FirstResponseMedian, t.FirstResponseP90, err = s.reportPercentiles(ctx, f, "first_response_day", fr); err != nil {
		return nil, err
	}
	if _, t.ResolutionMedian, t.ResolutionP90, err = s.reportPercentiles(ctx, f, "resolved_day", res); err != nil {
		return nil, err
	}
	return &t, nil
}

// reportPercentiles returns how many rows in the period have a value in
// col, and its exact median and 90th percentile (nearest rank).
func (s *Store) reportPercentiles(ctx context.Context, f ReportFilter, day, col string) (int, *int64, *int64, error) {
	w, args := f.where(day)
	w += " AND " + col + " IS NOT NULL"
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_facts WHERE `+w, args...).Scan(&n); err != nil {
		return 0, nil, nil, fmt.Errorf("store: report percentiles: %w", err)
	}
	if n == 0 {
		return 0, nil, nil, nil
	}
	at := func(rank int) (*int64, error) {
		var v int64
		err := s.read.QueryRowContext(ctx, `SELECT `+col+` FROM report_facts WHERE `+w+
			fmt.Sprintf(` ORDER BY %s LIMIT 1 OFFSET %d`, col, rank-1), args...).Scan(&v)
		if err != nil {
			return nil, fmt.Errorf("store: report percentiles: %w", err)
		}
		return &v, nil
	}
	med, err := at(NearestRank(n, 50))
	if err != nil {
		return 0, nil, nil, err
	}
	p90, err := at(NearestRank(n, 90))
	return n, med, p90, err
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

// reportCell is one count of a conversation in the daily rollups.
type reportCell struct {
	metric string
	day    int
	inbox  int64
	bucket int
}

// Rollup metrics.
const (
	metricOpened          = "opened"
	metricFirstResponse   = "fr"
	metricFirstResponseBH = "fr_bh"
	metricResolved        = "res"
	metricResolvedBH      = "res_bh"
	metricFCR             = "fcr"
	metricCSAT            = "csat"
)

// cells are where a conversation counts in the daily rollups.
func (f *ReportFact) cells() map[reportCell]int64 {
	out := map[reportCell]int64{{metricOpened, f.OpenedDay, f.InboxID, 0}: 1}
	if f.FirstResponseDay != nil && f.FirstResponseS != nil && f.FirstResponseBS != nil {
		out[reportCell{metricFirstResponse, *f.FirstResponseDay, f.InboxID, ReportBucket(*f.FirstResponseS)}]++
		out[reportCell{metricFirstResponseBH, *f.FirstResponseDay, f.InboxID, ReportBucket(*f.FirstResponseBS)}]++
	}
	if f.ResolvedDay != nil && f.ResolutionS != nil && f.ResolutionBS != nil {
		out[reportCell{metricResolved, *f.ResolvedDay, f.InboxID, ReportBucket(*f.ResolutionS)}]++
		out[reportCell{metricResolvedBH, *f.ResolvedDay, f.InboxID, ReportBucket(*f.ResolutionBS)}]++
		if f.Resolves == 1 && f.Reopens == 0 && f.AgentReplies <= 1 {
			out[reportCell{metricFCR, *f.ResolvedDay, f.InboxID, 0}]++
		}
	}
	if f.CSATDay != nil && f.CSATRating != nil {
		out[reportCell{metricCSAT, *f.CSATDay, f.InboxID, *f.CSATRating}]++
	}
	// Inbox 0 holds the account's totals, so a summary of every inbox
	// reads one row per day and bucket.
	all := make(map[reportCell]int64, 2*len(out))
	for c, n := range out {
		all[c] += n
		c.inbox = 0
		all[c] += n
	}
	return all
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

// reportRollups reads a summary's figures from the daily rollups.
func (s *Store) reportRollups(ctx context.Context, f ReportFilter) (*ReportTotals, error) {
	fr, res := metricFirstResponse, metricResolved
	if f.BusinessHours {
		fr, res = metricFirstResponseBH, metricResolvedBH
	}
	rows, err := s.read.QueryContext(ctx, `SELECT metric, bucket, SUM(n) FROM report_days
		WHERE account_id = $1 AND day >= $2 AND day <= $3 AND inbox_id = $4 AND metric IN ($5, $6, $7, $8, $9)
		GROUP BY metric, bucket`, f.AccountID, f.From, f.To, f.InboxID, metricOpened, metricFCR, metricCSAT, fr, res)
	if err != nil {
		return nil, fmt.Errorf("store: report rollups: %w", err)
	}
	defer rows.Close()
	var t ReportTotals
	hist := map[string]map[int]int64{fr: {}, res: {}}
	for rows.Next() {
		var metric string
		var bucket int
		var n int64
		if err := rows.Scan(&metric, &bucket, &n); err != nil {
			return nil, fmt.Errorf("store: report rollups: %w", err)
		}
		switch metric {
		case metricOpened:
			t.Opened += int(n)
		case metricFCR:
			t.FirstContactResolved += int(n)
		case metricCSAT:
			t.CSATResponses += int(n)
			if bucket >= 4 {
				t.CSATSatisfied += int(n)
			}
		case fr, res:
			hist[metric][bucket] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: report rollups: %w", err)
	}
	t.FirstResponses, t.FirstResponseMedian, t.FirstResponseP90 = histPercentiles(hist[fr])
	t.Resolved, t.ResolutionMedian, t.ResolutionP90 = histPercentiles(hist[res])
	return &t, nil
}

// histPercentiles returns a histogram's count, median and 90th
// percentile by nearest rank.
func histPercentiles(h map[int]int64) (int, *int64, *int64) {
	buckets := slices.Sorted(maps.Keys(h))
	var n int64
	for _, b := range buckets {
		n += h[b]
	}
	if n == 0 {
		return 0, nil, nil
	}
	at := func(rank int) *int64 {
		var seen int64
		for _, b := range buckets {
			if seen += h[b]; seen >= int64(rank) {
				v := ReportBucketValue(b)
				return &v
			}
		}
		return nil
	}
	return int(n), at(NearestRank(int(n), 50)), at(NearestRank(int(n), 90))
}
