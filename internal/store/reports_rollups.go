package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// reportCell is one count of a conversation in the rollups.
type reportCell struct {
	scope  string
	metric string
	day    int
	bucket int
}

// Rollup metrics. Durations are bucketed by ReportBucket, csat by rating,
// opened by local hour; the others are in bucket 0.
const (
	metricOpened          = "opened"   // conversations opened
	metricFirstResponse   = "fr"       // first responses, on the reply's day
	metricFirstResponseBH = "fr_bh"    //   in business hours
	metricNextResponse    = "nr"       // next responses, on the reply's day
	metricNextResponseBH  = "nr_bh"    //   in business hours
	metricResolved        = "res"      // resolved, by resolution time
	metricResolvedBH      = "res_bh"   //   in business hours
	metricFCR             = "fcr"      // resolved at first contact
	metricBreached        = "breached" // resolved after an SLA breach
	metricBot             = "bot"      // opened held by a bot
	metricBotResolved     = "bot_res"  // resolved by the bot alone
	metricBotHandoff      = "bot_off"  // handed from the bot to people
	metricAsked           = "asked"    // customers asked for a rating
	metricAskedRated      = "asked_rt" //   who rated, on the day asked
	metricCSAT            = "csat"     // ratings, by rating
	metricReplies         = "replies"  // replies by people
)

// Rollup scopes: the whole account, and one per filter value.
const (
	scopeInbox   = "inbox:"
	scopeTeam    = "team:"
	scopeAgent   = "agent:"
	scopeChannel = "channel:"
	scopeLabel   = "label:"
)

// scopes are the rollup scopes a conversation counts in.
func (f *ReportFact) scopes() []string {
	out := []string{"", fmt.Sprint(scopeInbox, f.InboxID)}
	if f.TeamID != 0 {
		out = append(out, fmt.Sprint(scopeTeam, f.TeamID))
	}
	if f.AssigneeID != 0 {
		out = append(out, fmt.Sprint(scopeAgent, f.AssigneeID))
	}
	if f.Channel != "" {
		out = append(out, scopeChannel+f.Channel)
	}
	for _, l := range f.Labels {
		out = append(out, scopeLabel+l)
	}
	return out
}

// botResolved reports whether the bot resolved the conversation alone:
// it held it, never handed it over, and no person replied.
func (f *ReportFact) botResolved() bool {
	return f.BotHeld && !f.BotHandoff && f.AgentReplies == 0
}

// firstContact reports whether a resolved conversation was resolved
// once, never reopened, with at most one reply by a person.
func (f *ReportFact) firstContact() bool {
	return f.Resolves == 1 && f.Reopens == 0 && f.AgentReplies <= 1
}

// cells are where a conversation counts in the rollups: each of its
// metrics in each of its scopes.
func (f *ReportFact) cells() map[reportCell]int64 {
	one := map[reportCell]int64{}
	add := func(metric string, day, bucket int, n int64) { one[reportCell{"", metric, day, bucket}] += n }
	add(metricOpened, f.OpenedDay, f.OpenedHour, 1)
	if f.BotHeld {
		add(metricBot, f.OpenedDay, 0, 1)
		if f.HandoffDay != nil {
			add(metricBotHandoff, *f.HandoffDay, 0, 1)
		}
	}
	if f.FirstResponseDay != nil && f.FirstResponseS != nil && f.FirstResponseBS != nil {
		add(metricFirstResponse, *f.FirstResponseDay, ReportBucket(*f.FirstResponseS), 1)
		add(metricFirstResponseBH, *f.FirstResponseDay, ReportBucket(*f.FirstResponseBS), 1)
	}
	for _, r := range f.NextResponses {
		add(metricNextResponse, r.Day, ReportBucket(r.S), 1)
		add(metricNextResponseBH, r.Day, ReportBucket(r.BS), 1)
	}
	if f.ResolvedDay != nil && f.ResolutionS != nil && f.ResolutionBS != nil {
		day := *f.ResolvedDay
		add(metricResolved, day, ReportBucket(*f.ResolutionS), 1)
		add(metricResolvedBH, day, ReportBucket(*f.ResolutionBS), 1)
		if f.firstContact() {
			add(metricFCR, day, 0, 1)
		}
		if f.SLABreached {
			add(metricBreached, day, 0, 1)
		}
		if f.botResolved() {
			add(metricBotResolved, day, 0, 1)
		}
	}
	if f.AskedDay != nil {
		add(metricAsked, *f.AskedDay, 0, 1)
		if f.CSATRating != nil {
			add(metricAskedRated, *f.AskedDay, 0, 1)
		}
	}
	if f.CSATDay != nil && f.CSATRating != nil {
		add(metricCSAT, *f.CSATDay, *f.CSATRating, 1)
	}
	for day, n := range f.ReplyDays {
		add(metricReplies, day, 0, int64(n))
	}
	scopes := f.scopes()
	out := make(map[reportCell]int64, len(one)*len(scopes))
	for c, n := range one {
		for _, s := range scopes {
			c.scope = s
			out[c] += n
		}
	}
	return out
}

// ReportFilter narrows a report: local days From to To inclusive
// (YYYYMMDD), and optionally an inbox, channel, team, assignee or label.
type ReportFilter struct {
	AccountID     int64
	From, To      int
	InboxID       int64
	Channel       string
	TeamID        int64
	AgentID       int64
	Label         string
	BusinessHours bool
	// Exact reads the facts rows even when the rollups would do.
	Exact bool
}

// scope is the rollup scope that answers the filter, and false when it
// combines several filters: those read the facts rows.
func (f ReportFilter) scope() (string, bool) {
	var scopes []string
	if f.InboxID != 0 {
		scopes = append(scopes, fmt.Sprint(scopeInbox, f.InboxID))
	}
	if f.Channel != "" {
		scopes = append(scopes, scopeChannel+f.Channel)
	}
	if f.TeamID != 0 {
		scopes = append(scopes, fmt.Sprint(scopeTeam, f.TeamID))
	}
	if f.AgentID != 0 {
		scopes = append(scopes, fmt.Sprint(scopeAgent, f.AgentID))
	}
	if f.Label != "" {
		scopes = append(scopes, scopeLabel+f.Label)
	}
	switch len(scopes) {
	case 0:
		return "", true
	case 1:
		return scopes[0], true
	}
	return "", false
}

// ReportTotals are the figures a summary is made of; percentiles are
// nil when nothing was measured.
type ReportTotals struct {
	Opened, Resolved, FirstContactResolved int
	FirstResponseMedian, FirstResponseP90  *int64
	FirstResponses                         int
	NextResponseMedian, NextResponseP90    *int64
	NextResponses                          int
	ResolutionMedian, ResolutionP90        *int64
	Breached                               int // resolved after an SLA breach
	Bot, BotResolved, BotHandoffs          int
	Asked, AskedRated                      int // asked for a rating in the period, and of them who rated
	CSATResponses, CSATSatisfied           int
	Replies                                int
}

// reportMetrics are the metrics a summary reads, for calendar or
// business time.
func reportMetrics(bh bool) []string {
	fr, nr, res := metricFirstResponse, metricNextResponse, metricResolved
	if bh {
		fr, nr, res = metricFirstResponseBH, metricNextResponseBH, metricResolvedBH
	}
	return []string{metricOpened, metricBot, metricBotHandoff, fr, nr, res, metricFCR, metricBreached,
		metricBotResolved, metricAsked, metricAskedRated, metricCSAT, metricReplies}
}

// rollupCounts sums a scope's rollup rows by metric and bucket.
type rollupCounts map[string]map[int]int64

func (rc rollupCounts) add(metric string, bucket int, n int64) {
	if rc[metric] == nil {
		rc[metric] = map[int]int64{}
	}
	rc[metric][bucket] += n
}

func (rc rollupCounts) sum(metric string) int {
	var n int64
	for _, v := range rc[metric] {
		n += v
	}
	return int(n)
}

// totals reads the figures from the counts.
func (rc rollupCounts) totals(bh bool) *ReportTotals {
	fr, nr, res := metricFirstResponse, metricNextResponse, metricResolved
	if bh {
		fr, nr, res = metricFirstResponseBH, metricNextResponseBH, metricResolvedBH
	}
	t := &ReportTotals{Opened: rc.sum(metricOpened), FirstContactResolved: rc.sum(metricFCR), Breached: rc.sum(metricBreached),
		Bot: rc.sum(metricBot), BotResolved: rc.sum(metricBotResolved), BotHandoffs: rc.sum(metricBotHandoff),
		Asked: rc.sum(metricAsked), AskedRated: rc.sum(metricAskedRated), CSATResponses: rc.sum(metricCSAT), Replies: rc.sum(metricReplies)}
	for rating, n := range rc[metricCSAT] {
		if rating >= 4 {
			t.CSATSatisfied += int(n)
		}
	}
	t.FirstResponses, t.FirstResponseMedian, t.FirstResponseP90 = histPercentiles(rc[fr])
	t.NextResponses, t.NextResponseMedian, t.NextResponseP90 = histPercentiles(rc[nr])
	t.Resolved, t.ResolutionMedian, t.ResolutionP90 = histPercentiles(rc[res])
	return t
}

// ReportTotals reads a summary's figures: from the rollups when the
// filter has at most one condition (percentiles within
// ReportBucketError), else from the facts rows (exact).
func (s *Store) ReportTotals(ctx context.Context, f ReportFilter) (*ReportTotals, error) {
	scope, ok := f.scope()
	if !ok || f.Exact {
		return s.reportExact(ctx, f)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT metric, bucket, SUM(n) FROM report_rollups
		WHERE account_id = $1 AND scope = $2 AND metric IN (`+marks(5, len(reportMetrics(false)))+`) AND day >= $3 AND day <= $4
		GROUP BY metric, bucket`, append([]any{f.AccountID, scope, f.From, f.To}, anys(reportMetrics(f.BusinessHours))...)...)
	if err != nil {
		return nil, fmt.Errorf("store: report rollups: %w", err)
	}
	defer rows.Close()
	rc := rollupCounts{}
	for rows.Next() {
		var metric string
		var bucket int
		var n int64
		if err := rows.Scan(&metric, &bucket, &n); err != nil {
			return nil, fmt.Errorf("store: report rollups: %w", err)
		}
		rc.add(metric, bucket, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: report rollups: %w", err)
	}
	return rc.totals(f.BusinessHours), nil
}

// ReportDays reads the filter's figures per local day of the period: from
// a scope's rollups, or with several conditions from the facts rows.
func (s *Store) ReportDays(ctx context.Context, f ReportFilter) (map[int]*ReportTotals, error) {
	byDay := map[int]rollupCounts{}
	count := func(day int) rollupCounts {
		if byDay[day] == nil {
			byDay[day] = rollupCounts{}
		}
		return byDay[day]
	}
	scope, ok := f.scope()
	if !ok {
		err := s.reportFactCells(ctx, f, func(_ *ReportFact, c reportCell, n int64) { count(c.day).add(c.metric, c.bucket, n) })
		if err != nil {
			return nil, fmt.Errorf("store: report days: %w", err)
		}
		return daysTotals(byDay, f.BusinessHours), nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT metric, day, bucket, n FROM report_rollups
		WHERE account_id = $1 AND scope = $2 AND metric IN (`+marks(5, len(reportMetrics(false)))+`) AND day >= $3 AND day <= $4`,
		append([]any{f.AccountID, scope, f.From, f.To}, anys(reportMetrics(f.BusinessHours))...)...)
	if err != nil {
		return nil, fmt.Errorf("store: report days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var metric string
		var day, bucket int
		var n int64
		if err := rows.Scan(&metric, &day, &bucket, &n); err != nil {
			return nil, fmt.Errorf("store: report days: %w", err)
		}
		count(day).add(metric, bucket, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: report days: %w", err)
	}
	return daysTotals(byDay, f.BusinessHours), nil
}

func daysTotals(byDay map[int]rollupCounts, bh bool) map[int]*ReportTotals {
	out := make(map[int]*ReportTotals, len(byDay))
	for day, rc := range byDay {
		out[day] = rc.totals(bh)
	}
	return out
}

// reportFactCells calls fn with each cell, in the account's scope, of
// the facts that match a filter's conditions, within its period: what
// the rollups would hold for a scope of those facts alone. It reads
// every matching conversation opened by the period's end, so it serves
// the filters that combine several conditions.
func (s *Store) reportFactCells(ctx context.Context, f ReportFilter, fn func(*ReportFact, reportCell, int64)) error {
	w, args := f.where("")
	args = append(args, f.To)
	rows, err := s.read.QueryContext(ctx, `SELECT `+reportFactColumns+` FROM report_facts
		WHERE `+w+fmt.Sprintf(` AND opened_day <= $%d`, len(args)), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		fact, err := scanReportFact(rows)
		if err != nil {
			return err
		}
		for c, n := range fact.cells() {
			if c.scope == "" && c.day >= f.From && c.day <= f.To {
				fn(fact, c, n)
			}
		}
	}
	return rows.Err()
}

// ReportOpenedHours counts the conversations opened per local day and
// hour (out[day][hour]): from a scope's rollups, or with several
// conditions from the facts rows.
func (s *Store) ReportOpenedHours(ctx context.Context, f ReportFilter) (map[int][24]int, error) {
	out := map[int][24]int{}
	count := func(day, hour int, n int64) {
		if hour >= 0 && hour < 24 {
			h := out[day]
			h[hour] += int(n)
			out[day] = h
		}
	}
	scope, ok := f.scope()
	if !ok {
		err := s.reportFactCells(ctx, f, func(_ *ReportFact, c reportCell, n int64) {
			if c.metric == metricOpened {
				count(c.day, c.bucket, n)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("store: report hours: %w", err)
		}
		return out, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT day, bucket, n FROM report_rollups
		WHERE account_id = $1 AND scope = $2 AND metric = $3 AND day >= $4 AND day <= $5`, f.AccountID, scope, metricOpened, f.From, f.To)
	if err != nil {
		return nil, fmt.Errorf("store: report hours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day, hour int
		var n int64
		if err := rows.Scan(&day, &hour, &n); err != nil {
			return nil, fmt.Errorf("store: report hours: %w", err)
		}
		count(day, hour, n)
	}
	return out, rows.Err()
}

// ReportAgents reads the period's figures of each assignee with any,
// by user id: from the agents' rollup scopes without a filter, else
// from the facts rows that match it.
func (s *Store) ReportAgents(ctx context.Context, f ReportFilter) (map[int64]*ReportTotals, error) {
	byAgent := map[int64]rollupCounts{}
	count := func(id int64) rollupCounts {
		if byAgent[id] == nil {
			byAgent[id] = rollupCounts{}
		}
		return byAgent[id]
	}
	if scope, _ := f.scope(); scope != "" {
		err := s.reportFactCells(ctx, f, func(fact *ReportFact, c reportCell, n int64) {
			if fact.AssigneeID != 0 {
				count(fact.AssigneeID).add(c.metric, c.bucket, n)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("store: report agents: %w", err)
		}
		return agentsTotals(byAgent, f.BusinessHours), nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT scope, metric, bucket, SUM(n) FROM report_rollups
		WHERE account_id = $1 AND scope >= $2 AND scope < $3 AND metric IN (`+marks(6, len(reportMetrics(false)))+`)
		AND day >= $4 AND day <= $5 GROUP BY scope, metric, bucket`,
		append([]any{f.AccountID, scopeAgent, "agent;", f.From, f.To}, anys(reportMetrics(f.BusinessHours))...)...)
	if err != nil {
		return nil, fmt.Errorf("store: report agents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var scope, metric string
		var bucket int
		var n int64
		if err := rows.Scan(&scope, &metric, &bucket, &n); err != nil {
			return nil, fmt.Errorf("store: report agents: %w", err)
		}
		var id int64
		if _, err := fmt.Sscanf(scope, scopeAgent+"%d", &id); err != nil {
			return nil, fmt.Errorf("store: report agents: scope %q: %w", scope, err)
		}
		count(id).add(metric, bucket, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: report agents: %w", err)
	}
	return agentsTotals(byAgent, f.BusinessHours), nil
}

func agentsTotals(byAgent map[int64]rollupCounts, bh bool) map[int64]*ReportTotals {
	out := make(map[int64]*ReportTotals, len(byAgent))
	for id, rc := range byAgent {
		out[id] = rc.totals(bh)
	}
	return out
}

// marks are n placeholders from $first.
func marks(first, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("$%d", first+i)
	}
	return strings.Join(out, ", ")
}

func anys[T any](v []T) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
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
