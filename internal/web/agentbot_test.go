package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAgentBot: an admin connects an inbox to an external bot in
// its settings: the signing secret and the bot's token are each shown
// once, and the token answers the API as the bot.
func TestBrowserAgentBot(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat")
	d.NewInbox(t, owner, "Shop API", "api", nil)
	ctx := newBrowser(t)
	login(t, ctx, d.URL, owner.Email, owner.Password)
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	waitFor(t, ctx, "the inbox's Agent bot button", `document.querySelector(".agent-bot-btn")`)
	do(t, ctx, chromedp.Click(chromedp.CSS(".agent-bot-btn")))
	do(t, ctx,
		chromedp.WaitVisible(chromedp.CSS(".agent-bot input[name=webhook_url]")),
		chromedp.SendKeys(chromedp.CSS(".agent-bot input[name=webhook_url]"), "https://bot.example.com/sahay"),
	)
	clickText(t, ctx, ".agent-bot button[type=submit]", "Connect bot")
	waitFor(t, ctx, "the signing secret is shown once", `document.querySelector(".agent-bot input[name=secret]")?.value.startsWith("whsec_")`)
	clickText(t, ctx, ".agent-bot button", "Make token")
	waitFor(t, ctx, "the token is shown once", `document.querySelector(".agent-bot input[name=token]")?.value.startsWith("sahay_bot_")`)
	token := eval[string](t, ctx, `document.querySelector(".agent-bot input[name=token]").value`)
	if strings.Contains(eval[string](t, ctx, `document.querySelector(".agent-bot").innerText`), "whsec_") {
		t.Error("the secret is still shown after the token was made")
	}
	d.Must(t, token, http.MethodGet, "/api/v1/conversations", nil, http.StatusOK, nil)
	r := d.Call(t, token, http.MethodGet, "/api/v1/users", nil)
	if r.Status != http.StatusForbidden {
		t.Errorf("the bot's token lists users: %s", r)
	}
}
