package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

func TestReportSummary(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Sahay Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		shop := s.NewInbox(t, owner, "Shop", "api", nil, agent.ID)
		other := s.NewInbox(t, owner, "Other", "api", nil, agent.ID)
		for i := range 3 {
			s.Receive(t, owner, shop.ID, fmt.Sprint("customer", i), "hello", fmt.Sprint("m", i))
		}
		c := s.Receive(t, owner, other.ID, "elsewhere", "hello", "o1").Conversation
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", c.ID), map[string]string{"content": "hi"}, http.StatusCreated, nil)

		day := time.Now().UTC()
		period := fmt.Sprintf("from=%s&to=%s", day.AddDate(0, 0, -1).Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly))
		type summary struct {
			Opened        int `json:"conversations_opened"`
			Resolved      int `json:"conversations_resolved"`
			FirstResponse struct {
				Median *int64 `json:"median"`
				P90    *int64 `json:"p90"`
			} `json:"first_response_seconds"`
			CSAT struct {
				Score     *float64 `json:"score"`
				Responses int      `json:"responses"`
			} `json:"csat"`
			FCR *float64 `json:"first_contact_resolution_rate"`
			SLA *float64 `json:"sla_compliance_rate"`
		}
		waitFor(t, 15*time.Second, "the summary counts the conversations", func() (bool, string) {
			var got summary
			s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/summary?"+period, nil, http.StatusOK, &got)
			return got.Opened == 4 && got.FirstResponse.Median != nil, fmt.Sprintf("%+v", got)
		})
		var byInbox summary
		s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/reports/summary?%s&inbox_id=%d&business_hours=1", period, shop.ID), nil, http.StatusOK, &byInbox)
		if byInbox.Opened != 3 || byInbox.FirstResponse.Median != nil || byInbox.FCR != nil || byInbox.SLA != nil || byInbox.CSAT.Score != nil {
			t.Errorf("shop inbox summary %+v; want 3 opened, nothing measured", byInbox)
		}

		var byLabel summary
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/summary?"+period+"&label=refund", nil, http.StatusOK, &byLabel)
		if byLabel.Opened != 0 {
			t.Errorf("label refund summary %+v; want nothing opened", byLabel)
		}

		for _, path := range []string{"/api/v1/reports/summary.csv?" + period, "/api/v1/reports/summary?format=csv&" + period} {
			r := s.Call(t, owner.Token, http.MethodGet, path, nil)
			if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
				!strings.Contains(string(r.Body), "conversations_opened,4\r\n") || !strings.Contains(string(r.Body), "next_response_count,0\r\n") ||
				!strings.Contains(string(r.Body), "csat_response_rate,\r\n") || !strings.Contains(string(r.Body), "bot_conversations,0\r\n") {
				t.Errorf("%s: %d %s\n%s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		}

		for _, q := range []string{"from=2026-02-30&to=2026-03-01", "from=2026-03-02&to=2026-03-01", "from=2025-01-01&to=2026-01-02",
			"to=2026-03-01", period + "&inbox_id=x", period + "&business_hours=yes", period + "&label=two%20words", period + "&label=a,b"} {
			wantError(t, s.Call(t, owner.Token, http.MethodGet, "/api/v1/reports/summary?"+q, nil), http.StatusUnprocessableEntity, "invalid")
		}
		wantError(t, s.Call(t, agent.Token, http.MethodGet, "/api/v1/reports/summary?"+period, nil), http.StatusForbidden, "forbidden")
	})
}

func TestReportSeriesHeatmapAgents(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Sahay Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		shop := s.NewInbox(t, owner, "Shop", "api", nil, agent.ID)
		for i := range 3 {
			s.Receive(t, owner, shop.ID, fmt.Sprint("customer", i), "hello", fmt.Sprint("m", i))
		}
		c := s.Receive(t, owner, shop.ID, "answered", "hello", "a1").Conversation
		convPath := fmt.Sprintf("/api/v1/conversations/%d", c.ID)
		s.Must(t, owner.Token, http.MethodPatch, convPath, map[string]int64{"assignee_id": agent.ID}, http.StatusOK, nil)
		s.Must(t, agent.Token, http.MethodPost, convPath+"/messages", map[string]string{"content": "hi"}, http.StatusCreated, nil)
		s.Must(t, agent.Token, http.MethodPatch, convPath, map[string]string{"status": "resolved"}, http.StatusOK, nil)

		day := time.Now().UTC()
		period := fmt.Sprintf("from=%s&to=%s", day.AddDate(0, 0, -1).Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly))
		type agentRow struct {
			ID       int64    `json:"agent_id"`
			Name     string   `json:"name"`
			Resolved int      `json:"resolved"`
			Replies  int      `json:"replies"`
			FCR      *float64 `json:"first_contact_resolution_rate"`
		}
		var board struct {
			Agents []agentRow `json:"agents"`
		}
		waitFor(t, 15*time.Second, "the leaderboard counts the resolve", func() (bool, string) {
			s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/agents?"+period, nil, http.StatusOK, &board)
			return len(board.Agents) == 2 && board.Agents[0].Resolved == 1, fmt.Sprintf("%+v", board)
		})
		if a, o := board.Agents[0], board.Agents[1]; a.ID != agent.ID || a.Replies != 1 || a.FCR == nil || *a.FCR != 1 ||
			o.ID != owner.ID || o.Resolved != 0 || o.Replies != 0 || o.FCR != nil {
			t.Errorf("leaderboard %+v; want the agent with 1 resolved and 1 reply, then the owner with nothing", board.Agents)
		}

		var series struct {
			Days []struct {
				Day      string `json:"day"`
				Opened   int    `json:"opened"`
				Resolved int    `json:"resolved"`
				FirstMed *int64 `json:"first_response_median"`
			} `json:"days"`
		}
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/series?"+period, nil, http.StatusOK, &series)
		opened, resolved := 0, 0
		for _, d := range series.Days {
			opened, resolved = opened+d.Opened, resolved+d.Resolved
		}
		if len(series.Days) != 3 || series.Days[0].Day != day.AddDate(0, 0, -1).Format(time.DateOnly) || opened != 4 || resolved != 1 {
			t.Errorf("series %+v; want 3 days, 4 opened and 1 resolved in all", series.Days)
		}
		var heat struct {
			Max   int       `json:"max"`
			Cells [][]int64 `json:"cells"`
		}
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/heatmap?"+period+"&inbox_id="+fmt.Sprint(shop.ID), nil, http.StatusOK, &heat)
		var total int64
		for _, row := range heat.Cells {
			for _, n := range row {
				total += n
			}
		}
		if len(heat.Cells) != 7 || len(heat.Cells[0]) != 24 || total != 4 || heat.Max < 1 {
			t.Errorf("heatmap %+v; want 7×24 cells holding 4", heat)
		}
		// Two filters read the facts rows: the same figures.
		s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/reports/heatmap?%s&inbox_id=%d&channel=api", period, shop.ID), nil, http.StatusOK, &heat)
		if heat.Max < 1 {
			t.Errorf("heatmap with two filters %+v; want the same conversations", heat)
		}

		for path, want := range map[string]string{
			"/api/v1/reports/series.csv?" + period:                "day,opened,resolved,",
			"/api/v1/reports/heatmap?format=csv&" + period:        "monday,",
			"/api/v1/reports/agents.csv?" + period:                fmt.Sprintf("%d,Test agent,1,1,", agent.ID),
			"/api/v1/reports/agents?format=csv&label=x&" + period: "agent_id,name,resolved,replies,",
		} {
			r := s.Call(t, owner.Token, http.MethodGet, path, nil)
			if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(r.Body), want) {
				t.Errorf("%s: %d %s\n%s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		}

		for _, path := range []string{"series", "heatmap", "agents", "agents.csv"} {
			for _, q := range []string{"from=2026-02-30&to=2026-03-01", "from=2026-03-02&to=2026-03-01", "from=2025-01-01&to=2026-01-02",
				period + "&team_id=0", period + "&label=a,b", period + "&business_hours=2"} {
				wantError(t, s.Call(t, owner.Token, http.MethodGet, "/api/v1/reports/"+path+"?"+q, nil), http.StatusUnprocessableEntity, "invalid")
			}
			wantError(t, s.Call(t, agent.Token, http.MethodGet, "/api/v1/reports/"+path+"?"+period, nil), http.StatusForbidden, "forbidden")
		}
	})
}
