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

func TestVoiceReports(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Sahay Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		shop := s.NewInbox(t, owner, "Shop", "api", nil, agent.ID)
		s.Receive(t, owner, shop.ID, "rina", "আমার টাকা ফেরত চাই", "m1")
		s.Receive(t, owner, shop.ID, "ravi", "मेरे पैसे वापस कब आएंगे?", "m2")

		day := time.Now().UTC()
		period := fmt.Sprintf("from=%s&to=%s", day.AddDate(0, 0, -1).Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly))
		type trend struct {
			Days []struct {
				Day                         string
				Positive, Neutral, Negative int
			} `json:"days"`
		}
		waitFor(t, 15*time.Second, "the trend counts both messages", func() (bool, string) {
			var got trend
			s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/sentiment?"+period, nil, http.StatusOK, &got)
			n := 0
			for _, d := range got.Days {
				n += d.Positive + d.Neutral + d.Negative
			}
			return len(got.Days) == 3 && n == 2, fmt.Sprintf("%+v", got)
		})
		var topics struct {
			Terms []struct {
				Term, Language string
				Count          int
			} `json:"terms"`
		}
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/topics?language=bn&"+period, nil, http.StatusOK, &topics)
		if len(topics.Terms) != 2 || topics.Terms[0].Language != "bn" {
			t.Errorf("bn terms %+v; want টাকা and ফেরত", topics.Terms)
		}
		var convs struct {
			Conversations []struct {
				ID      int64  `json:"id"`
				Snippet string `json:"snippet"`
			} `json:"conversations"`
		}
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/topics/conversations?term=वापस&"+period, nil, http.StatusOK, &convs)
		if len(convs.Conversations) != 1 || !strings.Contains(convs.Conversations[0].Snippet, "वापस") {
			t.Errorf("conversations behind वापस: %+v", convs)
		}
		var live struct {
			Open    int `json:"open"`
			Waiting []struct {
				ID int64 `json:"conversation_id"`
			} `json:"waiting_longest"`
		}
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/reports/live", nil, http.StatusOK, &live)
		if live.Open != 2 || len(live.Waiting) != 2 {
			t.Errorf("live view %+v; want 2 open, both waiting", live)
		}

		for _, path := range []string{"/api/v1/reports/sentiment.csv?" + period, "/api/v1/reports/sentiment?format=csv&" + period,
			"/api/v1/reports/topics.csv?" + period, "/api/v1/reports/topics/conversations.csv?term=ফেরত&" + period} {
			r := s.Call(t, owner.Token, http.MethodGet, path, nil)
			if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(r.Body), "\r\n") {
				t.Errorf("%s: %d %s\n%s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		}

		for _, path := range []string{"sentiment?from=2026-02-30&to=2026-03-01", "sentiment?" + period + "&team_id=1&agent_id=2",
			"sentiment?" + period + "&label=refund&inbox_id=1", "topics?" + period + "&agent_id=2", "topics?" + period + "&language=fr",
			"topics?" + period + "&inbox_id=x", "topics/conversations?" + period, "topics/conversations?" + period + "&term=a+b"} {
			wantError(t, s.Call(t, owner.Token, http.MethodGet, "/api/v1/reports/"+path, nil), http.StatusUnprocessableEntity, "invalid")
		}
		for _, path := range []string{"sentiment?" + period, "topics?" + period, "topics/conversations?term=x&" + period, "live"} {
			wantError(t, s.Call(t, agent.Token, http.MethodGet, "/api/v1/reports/"+path, nil), http.StatusForbidden, "forbidden")
		}
	})
}
