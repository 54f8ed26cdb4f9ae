package core

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// ReportDay is one local day's figures in a series.
type ReportDay struct {
	Day                 string   `json:"day"`
	Opened              int      `json:"opened"`
	Resolved            int      `json:"resolved"`
	FirstResponseMedian *int64   `json:"first_response_median"`
	ResolutionMedian    *int64   `json:"resolution_median"`
	NextResponseMedian  *int64   `json:"next_response_median"`
	CSATScore           *float64 `json:"csat_score"`
	CSATResponses       int      `json:"csat_responses"`
}

// ReportSeries is a period's figures day by day, every day present.
type ReportSeries struct {
	From          string      `json:"from"`
	To            string      `json:"to"`
	TimeZone      string      `json:"time_zone"`
	BusinessHours bool        `json:"business_hours"`
	Days          []ReportDay `json:"days"`
}

// ReportHeatmap counts the conversations opened in a period by local
// weekday (row 0 Monday to 6 Sunday) and hour (column 0 to 23).
type ReportHeatmap struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	TimeZone string     `json:"time_zone"`
	Max      int        `json:"max"`
	Cells    [7][24]int `json:"cells"`
}

// ReportAgent is one user's figures over the conversations assigned to
// them now.
type ReportAgent struct {
	AgentID                    int64    `json:"agent_id"`
	Name                       string   `json:"name"`
	Resolved                   int      `json:"resolved"`
	Replies                    int      `json:"replies"`
	FirstResponseMedian        *int64   `json:"first_response_median"`
	ResolutionMedian           *int64   `json:"resolution_median"`
	CSATScore                  *float64 `json:"csat_score"`
	CSATResponses              int      `json:"csat_responses"`
	FirstContactResolutionRate *float64 `json:"first_contact_resolution_rate"`
}

// ReportAgents is the agents' leaderboard, by resolved conversations.
type ReportAgents struct {
	From          string        `json:"from"`
	To            string        `json:"to"`
	TimeZone      string        `json:"time_zone"`
	BusinessHours bool          `json:"business_hours"`
	Agents        []ReportAgent `json:"agents"`
}

// yyyymmdd is a date as YYYYMMDD.
func yyyymmdd(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// ReportSeries computes a period's figures per local day (administrators
// only).
func (s *Service) ReportSeries(ctx context.Context, a *Actor, q ReportQuery) (*ReportSeries, error) {
	p, err := s.reportPeriod(ctx, a, q)
	if err != nil {
		return nil, err
	}
	byDay, err := s.store.ReportDays(ctx, p.filter)
	if err != nil {
		return nil, err
	}
	out := &ReportSeries{From: q.From, To: q.To, TimeZone: p.timeZone, BusinessHours: q.BusinessHours, Days: []ReportDay{}}
	for d := p.from; !d.After(p.to); d = d.AddDate(0, 0, 1) {
		day := ReportDay{Day: d.Format(time.DateOnly)}
		if t := byDay[yyyymmdd(d)]; t != nil {
			day.Opened, day.Resolved, day.CSATResponses = t.Opened, t.Resolved, t.CSATResponses
			day.FirstResponseMedian, day.ResolutionMedian, day.NextResponseMedian = t.FirstResponseMedian, t.ResolutionMedian, t.NextResponseMedian
			day.CSATScore = csatScore(t)
		}
		out.Days = append(out.Days, day)
	}
	return out, nil
}

// ReportHeatmap counts a period's conversations opened by local weekday
// and hour (administrators only).
func (s *Service) ReportHeatmap(ctx context.Context, a *Actor, q ReportQuery) (*ReportHeatmap, error) {
	p, err := s.reportPeriod(ctx, a, q)
	if err != nil {
		return nil, err
	}
	hours, err := s.store.ReportOpenedHours(ctx, p.filter)
	if err != nil {
		return nil, err
	}
	out := &ReportHeatmap{From: q.From, To: q.To, TimeZone: p.timeZone}
	for d := p.from; !d.After(p.to); d = d.AddDate(0, 0, 1) {
		row := (int(d.Weekday()) + 6) % 7 // Monday first
		for h, n := range hours[yyyymmdd(d)] {
			out.Cells[row][h] += n
			out.Max = max(out.Max, out.Cells[row][h])
		}
	}
	return out, nil
}

// ReportAgents computes the agents' leaderboard: every user of the
// account, with the figures of the conversations assigned to them now,
// by resolved conversations, most first (administrators only).
func (s *Service) ReportAgents(ctx context.Context, a *Actor, q ReportQuery) (*ReportAgents, error) {
	p, err := s.reportPeriod(ctx, a, q)
	if err != nil {
		return nil, err
	}
	totals, err := s.store.ReportAgents(ctx, p.filter)
	if err != nil {
		return nil, err
	}
	users, err := s.store.Users(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	out := &ReportAgents{From: q.From, To: q.To, TimeZone: p.timeZone, BusinessHours: q.BusinessHours, Agents: []ReportAgent{}}
	for _, u := range users {
		row := ReportAgent{AgentID: u.ID, Name: u.Name}
		if t := totals[u.ID]; t != nil {
			row.Resolved, row.Replies, row.CSATResponses = t.Resolved, t.Replies, t.CSATResponses
			row.FirstResponseMedian, row.ResolutionMedian = t.FirstResponseMedian, t.ResolutionMedian
			row.CSATScore, row.FirstContactResolutionRate = csatScore(t), ratio(t.FirstContactResolved, t.Resolved)
		}
		out.Agents = append(out.Agents, row)
	}
	slices.SortStableFunc(out.Agents, func(x, y ReportAgent) int {
		return cmp.Or(cmp.Compare(y.Resolved, x.Resolved), cmp.Compare(x.Name, y.Name), cmp.Compare(x.AgentID, y.AgentID))
	})
	return out, nil
}
