package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/channel/telegram/telegramtest"

	"github.com/chromedp/chromedp"
)

// TestBrowserTelegramInbox: an owner connects a Telegram bot from the
// inbox settings, whose fields come from the channel's settings schema;
// Sahay keeps the token encrypted, "Test connection" reports the bot
// reachable, and the reply box of a Telegram conversation counts against
// Telegram's limit and says the reply will be split.
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
	offered := eval[[]string](t, ctx, `[...document.querySelectorAll(".dialog select[name=channel] option")].map((o) => o.value)`)
	if strings.Join(offered, ",") != "api,email,instagram,messenger,telegram,twilio,whatsapp,widget,x" {
		t.Errorf("channels offered %v, want every channel the server runs", offered)
	}
	setField(t, ctx, ".dialog input[name=name]", "Bazaar bot")
	if eval[bool](t, ctx, `!!document.querySelector(".dialog input[name=bot_token]")`) {
		t.Error("an API inbox is asked for a bot token")
	}
	if !eval[bool](t, ctx, `document.querySelector(".dialog input[name=webhook_url]")?.type === "url"`) {
		t.Error("an API inbox is not asked for its webhook URL")
	}
	setField(t, ctx, ".dialog select[name=channel]", "telegram")
	form := eval[map[string]any](t, ctx, `(() => {
		const q = (s) => document.querySelector(".dialog " + s);
		const token = q("input[name=bot_token]"), secret = q("input[name=secret_token]"), mode = q("select[name=mode]"), base = q("input[name=api_base_url]");
		return {
			token: token && token.type + " " + token.required,
			secret: secret && secret.type + " " + secret.required + " " + secret.placeholder,
			modes: mode && [...mode.options].map((o) => o.value).join(","),
			base: base && base.type + " " + !!base.closest("details.advanced"),
			webhook: !!q("input[name=webhook_url]"),
		};
	})()`)
	want := map[string]any{"token": "password true", "secret": "password false Made by Sahay when left empty", "modes": ",webhook,polling", "base": "url true", "webhook": false}
	for k, v := range want {
		if form[k] != v {
			t.Errorf("the Telegram form's %s: %v, want %v", k, form[k], v)
		}
	}
	// A required field left empty is refused by the browser before the server.
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	if !eval[bool](t, ctx, `!!document.querySelector(".dialog input[name=bot_token]:invalid")`) {
		t.Error("the empty bot token is not marked invalid")
	}
	setField(t, ctx, ".dialog input[name=bot_token]", token)
	setField(t, ctx, ".dialog select[name=mode]", telegram.ModePolling)
	setField(t, ctx, ".dialog input[name=api_base_url]", sim.URL)
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	waitFor(t, ctx, "the inbox is listed", `[...document.querySelectorAll("tr[data-id]")].some((tr) => tr.textContent.includes("Bazaar bot"))`)

	var inboxes struct{ Items []sahay.Inbox }
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/inboxes", nil, http.StatusOK, &inboxes)
	if len(inboxes.Items) != 1 || inboxes.Items[0].Channel != "telegram" {
		t.Fatalf("inboxes %+v, want one Telegram inbox", inboxes.Items)
	}
	inbox := inboxes.Items[0]
	if strings.Contains(string(inbox.Settings), token) || !strings.Contains(string(inbox.Settings), `"mode":"polling"`) {
		t.Errorf("settings %s: want the mode and no token", inbox.Settings)
	}
	var secrets map[string]string
	d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", inbox.ID), nil, http.StatusOK, &secrets)
	if secrets["bot_token"] != token || secrets["secret_token"] == "" {
		t.Fatalf("secrets %v: want the token and a generated webhook secret", secrets)
	}

	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	testButton := fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .actions button[title="Test connection"]')`, inbox.ID)
	waitFor(t, ctx, "the Telegram inbox offers a connection test", testButton)
	eval[bool](t, ctx, `(`+testButton+`.click(), true)`)
	waitFor(t, ctx, "the test reports the bot connected", `document.querySelector(".dialog .test-ok")?.textContent === "Bazaar bot is connected."`)
	if sim.Calls("getMe") == 0 {
		t.Error("the connection test did not call getMe")
	}

	// A customer writes to the bot; the reply box counts against
	// Telegram's 4,096 characters and says a longer reply is split.
	sim.Push(telegram.Update{Message: &telegram.Message{MessageID: 1, Date: time.Now().Unix(), Text: "Is the blue kurta in stock?",
		From: &telegram.User{ID: 4242, FirstName: "Rahim"}, Chat: telegram.Chat{ID: 4242, Type: "private", FirstName: "Rahim"}}})
	var conv sahay.Conversation
	eventually(t, "the customer's message makes a conversation", func() bool {
		var list struct{ Items []sahay.Conversation }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/conversations", nil, http.StatusOK, &list)
		if len(list.Items) == 1 {
			conv = list.Items[0]
		}
		return len(list.Items) == 1
	})
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
	waitFor(t, ctx, "the reply box shows", `document.querySelector(".composer-input") && document.querySelector(".timeline .msg")`)
	if !eval[bool](t, ctx, `document.querySelector(".composer-count").hidden`) {
		t.Error("the counter shows over an empty box")
	}
	setField(t, ctx, ".composer-input", strings.Repeat("নমস্কার ", 50))
	waitFor(t, ctx, "the counter counts characters", `document.querySelector(".composer-count").textContent === "399 / 4,096" && !document.querySelector(".composer-notice")`)
	setField(t, ctx, ".composer-input", strings.Repeat("Thank you for waiting. ", 200))
	waitFor(t, ctx, "the counter is over the limit", `document.querySelector(".composer-count.over")?.textContent === "4,599 / 4,096"`)
	notice := eval[string](t, ctx, `document.querySelector(".composer-notice.split")?.textContent ?? ""`)
	if notice != "Telegram takes 4,096 characters a message: this reply will reach the customer as 2 messages." {
		t.Errorf("the split notice says %q", notice)
	}
	if eval[bool](t, ctx, `document.querySelector(".attach-btn").hidden`) {
		t.Error("a Telegram reply is offered no attachments")
	}
	eval[bool](t, ctx, `(document.querySelector(".composer-input").focus(), true)`)
	press(t, ctx, "Enter")
	wait, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sent, err := sim.WaitSent(wait, 2)
	if err != nil {
		t.Fatalf("the long reply was not sent as two messages: %v (sent %+v)", err, sim.Sent())
	}
	if len(sent) != 2 {
		t.Errorf("sent %d messages, want 2", len(sent))
	}
	waitFor(t, ctx, "the counter clears after sending", `document.querySelector(".composer-count").hidden && !document.querySelector(".composer-notice")`)
}
