package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserAvailability: the website chat says the team is online while
// an agent has the dashboard open, away when they choose Away in their
// menu, and away again once they close the dashboard.
func TestBrowserAvailability(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	// The owner, an administrator, counts for every inbox's team: away.
	d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]string{"availability": "offline"}, http.StatusOK, nil)
	website := d.NewInbox(t, owner, "Website", "widget", nil, agent.ID)
	var embed struct {
		WebsiteToken string `json:"website_token"`
	}
	if err := json.Unmarshal(website.Settings, &embed); err != nil || embed.WebsiteToken == "" {
		t.Fatalf("website token in %s: %v", website.Settings, err)
	}
	visitor := ""
	widgetSays := func(want bool, what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			var session struct {
				Token    string `json:"token"`
				Settings struct {
					Online bool `json:"online"`
				} `json:"settings"`
			}
			d.Must(t, "", http.MethodPost, "/widget/v1/session", map[string]string{"inbox": embed.WebsiteToken, "token": visitor},
				http.StatusOK, &session)
			visitor = session.Token
			if session.Settings.Online == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting until %s", what)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	widgetSays(false, "the website chat says away before anyone signed in")
	ctx := newBrowser(t)
	login(t, ctx, d.URL, agent.Email, agent.Password)
	widgetSays(true, "the website chat says online while the agent has the dashboard open")

	click(t, ctx, ".sidebar .me-button")
	clickText(t, ctx, ".menu-item", "Away")
	waitFor(t, ctx, "the avatar shows the agent away", `document.querySelector(".sidebar .presence.offline")`)
	widgetSays(false, "the website chat says away once the agent chose Away")

	click(t, ctx, ".sidebar .me-button")
	clickText(t, ctx, ".menu-item", "Available")
	widgetSays(true, "the website chat says online once the agent is available again")

	// Leaving for another page counts as closing, whether or not the
	// browser keeps the page for its back button.
	do(t, ctx, chromedp.Navigate("about:blank"))
	widgetSays(false, "the website chat says away once the agent left the dashboard")
	do(t, ctx, chromedp.Navigate(d.URL+"/conversations"))
	waitFor(t, ctx, "the dashboard is back", `document.querySelector(".sidebar .me-name")`)
	widgetSays(true, "the website chat says online once the agent is back")

	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.Close, cdp.Empty{})
		return err
	}))
	widgetSays(false, "the website chat says away once the agent closed the dashboard")
}

// TestBrowserLoginPaused: after too many wrong passwords the sign-in page
// says sign-in is paused, in the page's language, even for the right
// password.
func TestBrowserLoginPaused(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat")
	for range core.AccountFreeFailures {
		r := d.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body: map[string]string{"email": owner.Email, "password": "not the password"}})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %s", r)
		}
	}
	ctx := newBrowser(t)
	do(t, ctx,
		chromedp.Navigate(d.URL+"/conversations"),
		chromedp.WaitVisible(chromedp.CSS(".login-card input[name=email]")),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), owner.Email),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), owner.Password),
		chromedp.Click(chromedp.CSS(".login-card button[type=submit]")),
	)
	waitFor(t, ctx, "the sign-in page says sign-in is paused", `document.querySelector(".login-card").innerText.includes("Sign-in is paused")`)
}
