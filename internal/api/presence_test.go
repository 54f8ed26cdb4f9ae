package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/coder/websocket"
)

// TestAvailabilityFollowsTheDashboard checks what the website chat tells
// visitors: the team is online while an agent who chose online has the
// dashboard open, away when they close it or choose away.
func TestAvailabilityFollowsTheDashboard(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	o := s.NewAccount(t, "Acme")
	agent := s.NewUser(t, o, sahay.RoleAgent)
	website := s.NewInbox(t, o, "Website", "widget", nil, agent.ID)
	var embed struct {
		WebsiteToken string `json:"website_token"`
	}
	if err := json.Unmarshal(website.Settings, &embed); err != nil || embed.WebsiteToken == "" {
		t.Fatalf("website token in %s: %v", website.Settings, err)
	}
	// The owner, an administrator, also counts for the team: keep them away.
	s.Must(t, o.Token, http.MethodPatch, "/api/v1/me", map[string]string{"availability": "offline"}, http.StatusOK, nil)

	visitor := ""
	widgetOnline := func() bool {
		var session struct {
			Token    string `json:"token"`
			Settings struct {
				Online bool `json:"online"`
			} `json:"settings"`
		}
		s.Must(t, "", http.MethodPost, "/widget/v1/session", map[string]string{"inbox": embed.WebsiteToken, "token": visitor},
			http.StatusOK, &session)
		visitor = session.Token
		return session.Settings.Online
	}
	connected := func() bool {
		for _, u := range items[sahay.User](t, s, o.Token, "/api/v1/users") {
			if u.ID == agent.ID {
				return u.Connected
			}
		}
		t.Fatalf("agent %d not listed", agent.ID)
		return false
	}
	wantOnline := func(want bool, what string) {
		t.Helper()
		waitForEvery(t, 250*time.Millisecond, 5*time.Second, what, func() (bool, string) {
			got := widgetOnline()
			return got == want, fmt.Sprintf("widget online = %v", got)
		})
	}

	if widgetOnline() || connected() {
		t.Fatal("the widget says online, or the agent connected, before anyone opened the dashboard")
	}
	// A chat window already open is told when the team comes online.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	window, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/widget/v1/ws?token="+visitor, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer window.CloseNow()
	for {
		_, raw, err := window.Read(ctx)
		if err != nil {
			t.Fatalf("the chat window's socket: %v", err)
		}
		if strings.Contains(string(raw), `"t":"ready"`) {
			break
		}
	}
	st, _ := s.Connect(t, agent.Token, "")
	for {
		_, raw, err := window.Read(ctx)
		if err != nil {
			t.Fatalf("the open chat window was not told the team is online: %v", err)
		}
		var f struct {
			T      string `json:"t"`
			Online bool   `json:"online"`
		}
		if json.Unmarshal(raw, &f) == nil && f.T == "status" {
			if !f.Online {
				t.Fatalf("status frame %s, want online", raw)
			}
			break
		}
	}
	wantOnline(true, "the widget to say online once the agent opens the dashboard")
	if !connected() {
		t.Error("GET /users does not show the agent connected")
	}

	s.Must(t, agent.Token, http.MethodPatch, "/api/v1/me", map[string]string{"availability": "offline"}, http.StatusOK, nil)
	wantOnline(false, "an explicit away to win over the open dashboard")
	s.Must(t, agent.Token, http.MethodPatch, "/api/v1/me", map[string]string{"availability": "online"}, http.StatusOK, nil)
	wantOnline(true, "the widget to say online again")

	// A second dashboard closing leaves the agent online.
	second, _ := s.Connect(t, agent.Token, "")
	second.Drop()
	st.Drop()
	wantOnline(false, "the widget to say away once the agent's dashboards are closed")
	if connected() {
		t.Error("GET /users still shows the agent connected")
	}
}

// waitForEvery polls check every interval until it reports true, failing
// the test after timeout with what the last check said.
func waitForEvery(t *testing.T, interval, timeout time.Duration, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last: %s", timeout, what, state)
		}
		time.Sleep(interval)
	}
}
