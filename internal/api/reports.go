package api

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"
	"strings"

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
	if !wantsCSV(r) {
		return one(w, http.StatusOK, sum, nil)
	}
	return writeSummaryCSV(w, sum)
}

// writeReportCSV answers rows as a CSV file named
// report-<name>-<from>-<to>.csv, with CRLF line ends.
func writeReportCSV(w http.ResponseWriter, name, from, to string, rows [][]string) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{
		"filename": "report-" + name + "-" + from + "-" + to + ".csv"}))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	c := csv.NewWriter(w)
	c.UseCRLF = true
	c.WriteAll(rows)
	return c.Error()
}

// csvInt is a measured integer, empty when not measured.
func csvInt(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

// csvRate is a share with four decimals, empty when not measured.
func csvRate(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 4, 64)
}

func writeSummaryCSV(w http.ResponseWriter, sum *core.ReportSummary) error {
	i, f := csvInt, csvRate
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
	return writeReportCSV(w, "summary", sum.From, sum.To, rows)
}

// wantsCSV reports whether a report is asked for as CSV: at its path
// ending .csv or with format=csv.
func wantsCSV(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, ".csv") || r.URL.Query().Get("format") == "csv"
}

// reportSeries answers a period's figures per local day.
func (s *Server) reportSeries(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := reportQuery(r)
	if err != nil {
		return err
	}
	series, err := s.svc.ReportSeries(r.Context(), a, q)
	if err != nil {
		return err
	}
	if !wantsCSV(r) {
		return one(w, http.StatusOK, series, nil)
	}
	rows := [][]string{{"day", "opened", "resolved", "first_response_median", "resolution_median", "next_response_median",
		"csat_score", "csat_responses"}}
	for _, d := range series.Days {
		rows = append(rows, []string{d.Day, strconv.Itoa(d.Opened), strconv.Itoa(d.Resolved), csvInt(d.FirstResponseMedian),
			csvInt(d.ResolutionMedian), csvInt(d.NextResponseMedian), csvRate(d.CSATScore), strconv.Itoa(d.CSATResponses)})
	}
	return writeReportCSV(w, "series", series.From, series.To, rows)
}

// reportHeatmap answers a period's conversations opened by local weekday
// and hour.
func (s *Server) reportHeatmap(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := reportQuery(r)
	if err != nil {
		return err
	}
	m, err := s.svc.ReportHeatmap(r.Context(), a, q)
	if err != nil {
		return err
	}
	if !wantsCSV(r) {
		return one(w, http.StatusOK, m, nil)
	}
	header := []string{"weekday"}
	for h := range 24 {
		header = append(header, strconv.Itoa(h))
	}
	rows := [][]string{header}
	for i, day := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		row := []string{day}
		for _, n := range m.Cells[i] {
			row = append(row, strconv.Itoa(n))
		}
		rows = append(rows, row)
	}
	return writeReportCSV(w, "heatmap", m.From, m.To, rows)
}

// reportAgents answers the agents' leaderboard.
func (s *Server) reportAgents(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := reportQuery(r)
	if err != nil {
		return err
	}
	board, err := s.svc.ReportAgents(r.Context(), a, q)
	if err != nil {
		return err
	}
	if !wantsCSV(r) {
		return one(w, http.StatusOK, board, nil)
	}
	rows := [][]string{{"agent_id", "name", "resolved", "replies", "first_response_median", "resolution_median",
		"csat_score", "csat_responses", "first_contact_resolution_rate"}}
	for _, g := range board.Agents {
		rows = append(rows, []string{strconv.FormatInt(g.AgentID, 10), g.Name, strconv.Itoa(g.Resolved), strconv.Itoa(g.Replies),
			csvInt(g.FirstResponseMedian), csvInt(g.ResolutionMedian), csvRate(g.CSATScore), strconv.Itoa(g.CSATResponses),
			csvRate(g.FirstContactResolutionRate)})
	}
	return writeReportCSV(w, "agents", board.From, board.To, rows)
}
