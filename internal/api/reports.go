package api

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

// reportQuery reads a report's period and filters from the query string.
func reportQuery(r *http.Request) (core.ReportQuery, error) {
	v := r.URL.Query()
	q := core.ReportQuery{From: v.Get("from"), To: v.Get("to"), Channel: v.Get("channel"), Label: v.Get("label")}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"inbox_id", &q.InboxID}, {"team_id", &q.TeamID}, {"agent_id", &q.AgentID}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				return q, sahay.Invalid("%s must be a positive id", p.name)
			}
			*p.to = n
		}
	}
	switch v.Get("business_hours") {
	case "", "0", "false":
	case "1", "true":
		q.BusinessHours = true
	default:
		return q, sahay.Invalid("business_hours must be 1 or 0")
	}
	return q, nil
}

// reportSummary answers a period's headline figures, as JSON or, with
// format=csv or at summary.csv, as a CSV of metric and value.
func (s *Server) reportSummary(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := reportQuery(r)
	if err != nil {
		return err
	}
	sum, err := s.svc.ReportSummary(r.Context(), a, q)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") != "csv" {
		return one(w, http.StatusOK, sum, nil)
	}
	return writeSummaryCSV(w, sum)
}

func (s *Server) reportSummaryCSV(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := reportQuery(r)
	if err != nil {
		return err
	}
	sum, err := s.svc.ReportSummary(r.Context(), a, q)
	if err != nil {
		return err
	}
	return writeSummaryCSV(w, sum)
}

func writeSummaryCSV(w http.ResponseWriter, sum *core.ReportSummary) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
		"filename": "report-summary-" + sum.From + "-" + sum.To + ".csv"}))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	c := csv.NewWriter(w)
	c.UseCRLF = true
	i := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	f := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 4, 64)
	}
	rows := [][]string{
		{"metric", "value"},
		{"from", sum.From},
		{"to", sum.To},
		{"time_zone", sum.TimeZone},
		{"business_hours", strconv.FormatBool(sum.BusinessHours)},
		{"conversations_opened", strconv.Itoa(sum.ConversationsOpened)},
		{"conversations_resolved", strconv.Itoa(sum.ConversationsResolved)},
		{"first_response_seconds_median", i(sum.FirstResponseSeconds.Median)},
		{"first_response_seconds_p90", i(sum.FirstResponseSeconds.P90)},
		{"resolution_seconds_median", i(sum.ResolutionSeconds.Median)},
		{"resolution_seconds_p90", i(sum.ResolutionSeconds.P90)},
		{"csat_score", f(sum.CSAT.Score)},
		{"csat_responses", strconv.Itoa(sum.CSAT.Responses)},
		{"first_contact_resolution_rate", f(sum.FirstContactResolutionRate)},
		{"sla_compliance_rate", f(sum.SLAComplianceRate)},
		{"label", sum.Label},
		{"first_response_count", strconv.Itoa(sum.FirstResponseSeconds.Count)},
		{"next_response_seconds_median", i(sum.NextResponseSeconds.Median)},
		{"next_response_seconds_p90", i(sum.NextResponseSeconds.P90)},
		{"next_response_count", strconv.Itoa(sum.NextResponseSeconds.Count)},
		{"csat_surveys_sent", strconv.Itoa(sum.CSAT.SurveysSent)},
		{"csat_response_rate", f(sum.CSAT.ResponseRate)},
		{"bot_conversations", strconv.Itoa(sum.Bot.Conversations)},
		{"bot_resolved", strconv.Itoa(sum.Bot.ResolvedByBot)},
		{"bot_handed_off", strconv.Itoa(sum.Bot.HandedOff)},
		{"bot_resolution_rate", f(sum.Bot.ResolutionRate)},
		{"bot_handoff_rate", f(sum.Bot.HandoffRate)},
	}
	c.WriteAll(rows)
	return c.Error()
}
