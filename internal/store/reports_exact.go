package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// where returns the filter's conditions on the facts, with the period on
// the day column day ("" for none).
func (f ReportFilter) where(day string) (string, []any) {
	conds := []string{"account_id = $1"}
	args := []any{f.AccountID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if day != "" {
		add(day+" >= $%d", f.From)
		add(day+" <= $%d", f.To)
	}
	if f.InboxID != 0 {
		add("inbox_id = $%d", f.InboxID)
	}
	if f.Channel != "" {
		add("channel = $%d", f.Channel)
	}
	if f.TeamID != 0 {
		add("team_id = $%d", f.TeamID)
	}
	if f.AgentID != 0 {
		add("assignee_id = $%d", f.AgentID)
	}
	if f.Label != "" {
		add(`labels LIKE $%d ESCAPE '\'`, "%,"+likeEscaper.Replace(f.Label)+",%")
	}
	return strings.Join(conds, " AND "), args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// reportExact reads a summary's figures from the facts rows, exactly.
func (s *Store) reportExact(ctx context.Context, f ReportFilter) (*ReportTotals, error) {
	var t ReportTotals
	counts := []struct {
		day, sql string
		into     []any
	}{
		{"opened_day", `COUNT(*), COALESCE(SUM(bot_held), 0)`, []any{&t.Opened, &t.Bot}},
		{"resolved_day", `COUNT(*), COALESCE(SUM(CASE WHEN resolves = 1 AND reopens = 0 AND agent_replies <= 1 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(sla_breached), 0), COALESCE(SUM(CASE WHEN bot_held = 1 AND bot_handoff = 0 AND agent_replies = 0 THEN 1 ELSE 0 END), 0)`,
			[]any{&t.Resolved, &t.FirstContactResolved, &t.Breached, &t.BotResolved}},
		{"handoff_day", `COUNT(*)`, []any{&t.BotHandoffs}},
		{"asked_day", `COUNT(*), COALESCE(SUM(CASE WHEN csat_rating IS NOT NULL THEN 1 ELSE 0 END), 0)`, []any{&t.Asked, &t.AskedRated}},
		{"csat_day", `COUNT(*), COALESCE(SUM(CASE WHEN csat_rating >= 4 THEN 1 ELSE 0 END), 0)`, []any{&t.CSATResponses, &t.CSATSatisfied}},
	}
	for _, c := range counts {
		w, args := f.where(c.day)
		if err := s.read.QueryRowContext(ctx, `SELECT `+c.sql+` FROM report_facts WHERE `+w, args...).Scan(c.into...); err != nil {
			return nil, fmt.Errorf("store: report %s: %w", c.day, err)
		}
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
	if err := s.reportExactResponses(ctx, f, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// reportExactResponses reads the next responses and the replies in the
// period from the facts rows that have any.
func (s *Store) reportExactResponses(ctx context.Context, f ReportFilter, t *ReportTotals) error {
	w, args := f.where("")
	rows, err := s.read.QueryContext(ctx, `SELECT next_responses, reply_days FROM report_facts
		WHERE `+w+` AND (next_responses <> '' OR reply_days <> '')`, args...)
	if err != nil {
		return fmt.Errorf("store: report responses: %w", err)
	}
	defer rows.Close()
	var waits []int64
	for rows.Next() {
		var next, replies string
		if err := rows.Scan(&next, &replies); err != nil {
			return fmt.Errorf("store: report responses: %w", err)
		}
		rs, err := decodeResponses(next)
		if err != nil {
			return fmt.Errorf("store: report responses: %w", err)
		}
		for _, r := range rs {
			switch {
			case r.Day < f.From || r.Day > f.To:
			case f.BusinessHours:
				waits = append(waits, r.BS)
			default:
				waits = append(waits, r.S)
			}
		}
		days, err := decodeReplyDays(replies)
		if err != nil {
			return fmt.Errorf("store: report responses: %w", err)
		}
		for d, n := range days {
			if d >= f.From && d <= f.To {
				t.Replies += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: report responses: %w", err)
	}
	t.NextResponses = len(waits)
	if len(waits) > 0 {
		slices.Sort(waits)
		med, p90 := waits[NearestRank(len(waits), 50)-1], waits[NearestRank(len(waits), 90)-1]
		t.NextResponseMedian, t.NextResponseP90 = &med, &p90
	}
	return nil
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
