package core

import (
	"context"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// ReportQuery asks for a report: local dates From and To inclusive, in
// the account's time zone, as YYYY-MM-DD, and optional filters.
type ReportQuery struct {
	From, To      string
	InboxID       int64
	TeamID        int64
	AgentID       int64
	Channel       string
	Label         string
	BusinessHours bool
}

// Percentiles are a duration's median and 90th percentile in seconds;
// nil when nothing in the period was measured.
type Percentiles struct {
	Median *int64 `json:"median"`
	P90    *int64 `json:"p90"`
	Count  int    `json:"count"`
}

// CSATSummary is the share of ratings of 4 or 5 (0 to 1; nil with no
// ratings), how many ratings came in the period, how many customers were
// asked for one, and the share of those who rated (nil when none was
// asked).
type CSATSummary struct {
	Score        *float64 `json:"score"`
	Responses    int      `json:"responses"`
	SurveysSent  int      `json:"surveys_sent"`
	ResponseRate *float64 `json:"response_rate"`
}

// BotSummary is what the bots did in the period: conversations they held
// opened, resolved alone and handed to people, and the last two as
// shares of the first (nil when there were none).
type BotSummary struct {
	Conversations  int      `json:"conversations"`
	ResolvedByBot  int      `json:"resolved_by_bot"`
	HandedOff      int      `json:"handed_off"`
	ResolutionRate *float64 `json:"resolution_rate"`
	HandoffRate    *float64 `json:"handoff_rate"`
}

// ReportSummary is a period's headline figures (docs/reports.md).
type ReportSummary struct {
	From                       string      `json:"from"`
	To                         string      `json:"to"`
	TimeZone                   string      `json:"time_zone"`
	BusinessHours              bool        `json:"business_hours"`
	ConversationsOpened        int         `json:"conversations_opened"`
	ConversationsResolved      int         `json:"conversations_resolved"`
	FirstResponseSeconds       Percentiles `json:"first_response_seconds"`
	NextResponseSeconds        Percentiles `json:"next_response_seconds"`
	ResolutionSeconds          Percentiles `json:"resolution_seconds"`
	CSAT                       CSATSummary `json:"csat"`
	FirstContactResolutionRate *float64    `json:"first_contact_resolution_rate"`
	SLAComplianceRate          *float64    `json:"sla_compliance_rate"`
	Bot                        BotSummary  `json:"bot"`
	Label                      string      `json:"label,omitempty"`
}

// reportDay reads a YYYY-MM-DD date as YYYYMMDD.
func reportDay(field, v string) (time.Time, int, error) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, 0, sahay.Invalid("%s must be a date, YYYY-MM-DD", field)
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(v, "-", ""))
	return t, n, nil
}

// reportPeriod is a checked report query: its days and the account's
// time zone.
type reportPeriod struct {
	from, to time.Time
	filter   store.ReportFilter
	timeZone string
}

// reportPeriod checks a query (administrators only) and returns its
// store filter.
func (s *Service) reportPeriod(ctx context.Context, a *Actor, q ReportQuery) (*reportPeriod, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	from, fromDay, err := reportDay("from", q.From)
	if err != nil {
		return nil, err
	}
	to, toDay, err := reportDay("to", q.To)
	if err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, sahay.Invalid("from must not be after to")
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxReportDays {
		return nil, sahay.Invalid("a report covers at most %d days", MaxReportDays)
	}
	if q.Label != "" && (len(q.Label) > 100 || strings.ContainsAny(q.Label, ", \t\r\n")) {
		return nil, sahay.Invalid("label must be a label's name")
	}
	account, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	tz := account.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	return &reportPeriod{from: from, to: to, timeZone: tz, filter: store.ReportFilter{AccountID: a.AccountID(), From: fromDay, To: toDay,
		InboxID: q.InboxID, Channel: q.Channel, TeamID: q.TeamID, AgentID: q.AgentID, Label: q.Label, BusinessHours: q.BusinessHours}}, nil
}

// ReportSummary computes a period's summary from the report facts
// (administrators only).
func (s *Service) ReportSummary(ctx context.Context, a *Actor, q ReportQuery) (*ReportSummary, error) {
	p, err := s.reportPeriod(ctx, a, q)
	if err != nil {
		return nil, err
	}
	t, err := s.store.ReportTotals(ctx, p.filter)
	if err != nil {
		return nil, err
	}
	policies, err := s.store.SLAPolicies(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	out := &ReportSummary{From: q.From, To: q.To, TimeZone: p.timeZone, BusinessHours: q.BusinessHours, Label: q.Label,
		ConversationsOpened: t.Opened, ConversationsResolved: t.Resolved,
		FirstResponseSeconds:       Percentiles{Median: t.FirstResponseMedian, P90: t.FirstResponseP90, Count: t.FirstResponses},
		NextResponseSeconds:        Percentiles{Median: t.NextResponseMedian, P90: t.NextResponseP90, Count: t.NextResponses},
		ResolutionSeconds:          Percentiles{Median: t.ResolutionMedian, P90: t.ResolutionP90, Count: t.Resolved},
		CSAT:                       CSATSummary{Score: csatScore(t), Responses: t.CSATResponses, SurveysSent: t.Asked, ResponseRate: ratio(t.AskedRated, t.Asked)},
		FirstContactResolutionRate: ratio(t.FirstContactResolved, t.Resolved),
		Bot: BotSummary{Conversations: t.Bot, ResolvedByBot: t.BotResolved, HandedOff: t.BotHandoffs,
			ResolutionRate: ratio(t.BotResolved, t.Bot), HandoffRate: ratio(t.BotHandoffs, t.Bot)}}
	if len(policies) > 0 {
		out.SLAComplianceRate = ratio(t.Resolved-t.Breached, t.Resolved)
	}
	return out, nil
}

// ratio is n ÷ d, nil when d is 0.
func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// csatScore is the share of ratings of 4 or 5, nil with no ratings.
func csatScore(t *store.ReportTotals) *float64 {
	return ratio(t.CSATSatisfied, t.CSATResponses)
}
