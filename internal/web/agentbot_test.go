package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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
	inbox := d.NewInbox(t, owner, "Shop API", "api", nil)
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(bot.Close)
	ctx := newBrowser(t)
	login(t, ctx, d.URL, owner.Email, owner.Password)
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	waitFor(t, ctx, "the inbox's Agent bot button", `document.querySelector(".agent-bot-btn")`)
	click(t, ctx, ".agent-bot-btn")
	do(t, ctx,
		chromedp.WaitVisible(chromedp.CSS(".agent-bot input[name=webhook_url]")),
		chromedp.SendKeys(chromedp.CSS(".agent-bot input[name=webhook_url]"), bot.URL+"/sahay"),
	)
	clickText(t, ctx, ".agent-bot button[type=submit]", "Connect bot")
	waitFor(t, ctx, "the signing secret is shown once", `document.querySelector(".agent-bot input[name=secret]")?.value.startsWith("whsec_")`)
	clickText(t, ctx, ".agent-bot button", "Make token")
	waitFor(t, ctx, "the token is shown once", `document.querySelector(".agent-bot input[name=token]")?.value.startsWith("sahay_bot_")`)
	token := eval[string](t, ctx, `document.querySelector(".agent-bot input[name=token]").value`)
	if strings.Contains(eval[string](t, ctx, `document.querySelector(".agent-bot").innerText`), "whsec_") {
		t.Error("the secret is still shown after the token was made")
	}
	r := d.Call(t, token, http.MethodGet, "/api/v1/users", nil)
	if r.Status != http.StatusForbidden {
		t.Errorf("the bot's token lists users: %s", r)
	}

	// The bot's answer shows as the bot's in the conversation.
	rec := receive(t, d, owner.Token, inbox.ID, "rahim", "Rahim", "Where is my order?", "m1")
	d.Must(t, token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", rec.Conversation.ID),
		map[string]any{"content": "It left the warehouse today."}, http.StatusCreated, nil)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, rec.Conversation.ID)))
	waitFor(t, ctx, "the answer is marked as the business's own bot's", `[...document.querySelectorAll(".bot-note")].some((e) => e.textContent === "Your bot")`)
}
