package web_test

import (
	"fmt"
	"net/http"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/telegram/telegramtest"

	"github.com/chromedp/chromedp"
)

// TestBrowserTelegramInbox: an owner connects a Telegram bot from the
// inbox settings with its token, Sahay keeps the token encrypted and tells
// Telegram, and "Test connection" reports the bot reachable.
func TestBrowserTelegramInbox(t *testing.T) {
	needBrowser(t, browserEnv)
	const token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
	sim := telegramtest.New(t, token)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)

	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	clickText(t, ctx, ".toolbar .add", "New inbox")
	waitFor(t, ctx, "the dialog opens", `document.querySelector(".dialog select[name=channel]")`)
	setField(t, ctx, ".dialog input[name=name]", "Bazaar bot")
	if eval[bool](t, ctx, `!document.querySelector(".dialog input[name=bot_token]").closest("[hidden]")`) {
		t.Error("an API inbox is offered a bot token")
	}
	setField(t, ctx, ".dialog select[name=channel]", "telegram")
	if eval[bool](t, ctx, `!!document.querySelector(".dialog input[name=bot_token]").closest("[hidden]")`) {
		t.Fatal("a Telegram inbox is not asked for its bot token")
	}
	setField(t, ctx, ".dialog input[name=bot_token]", token)
	setField(t, ctx, ".dialog input[name=api_base_url]", sim.URL)
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	waitFor(t, ctx, "the inbox is listed", `[...document.querySelectorAll("tr[data-id]")].some((tr) => tr.textContent.includes("Bazaar bot"))`)

	var inboxes struct{ Items []sahay.Inbox }
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/inboxes", nil, http.StatusOK, &inboxes)
	if len(inboxes.Items) != 1 || inboxes.Items[0].Channel != "telegram" {
		t.Fatalf("inboxes %+v, want one Telegram inbox", inboxes.Items)
	}
	id := inboxes.Items[0].ID
	var secrets map[string]string
	d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", id), nil, http.StatusOK, &secrets)
	if secrets["bot_token"] != token || secrets["secret_token"] == "" {
		t.Fatalf("secrets %v: want the token and a generated webhook secret", secrets)
	}
	if sim.Calls("deleteWebhook")+sim.Calls("setWebhook") == 0 {
		t.Error("Sahay did not tell Telegram about the new inbox")
	}

	eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('tr[data-id="%d"] .actions button[title="Test connection"]').click(), true)`, id))
	waitFor(t, ctx, "the test reports the bot connected", `[...document.querySelectorAll(".toast")].some((e) => e.textContent === "Bazaar bot is connected.")`)
	if sim.Calls("getMe") == 0 {
		t.Error("the connection test did not call getMe")
	}
}
