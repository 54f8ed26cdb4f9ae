package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"

	"github.com/chromedp/chromedp"
)

// TestBrowserBot: an administrator turns a website inbox's bot on and
// writes a question and its answer in the dashboard; the bot answers a
// visitor in the widget; the conversation shows as the bot's, with "Take
// over"; the visitor's "agent please" hands it to the team, the visitor is
// told a person is coming, and the timeline says why.
func TestBrowserBot(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startShop(t)
	owner := d.NewAccount(t, "Nakshi")
	inbox := d.NewInbox(t, owner, "Nakshi Crafts", "widget", map[string]any{"title": "Nakshi Crafts"}, owner.ID)
	var embed struct {
		WebsiteToken string `json:"website_token"`
	}
	d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/widget", inbox.ID), nil, http.StatusOK, &embed)

	browser := newBrowser(t)
	admin := browser
	visitor := newProfile(t, browser)
	do(t, admin, chromedp.EmulateViewport(1500, 900))
	login(t, admin, d.URL, owner.Email, owner.Password)

	// The bot is off until the administrator turns it on.
	do(t, admin, chromedp.Navigate(d.URL+"/settings/bot"))
	waitFor(t, admin, "the inbox's bot form", `document.querySelector(".bot-inbox input[name=enabled]")`)
	if eval[bool](t, admin, `document.querySelector(".bot-inbox input[name=enabled]").checked`) {
		t.Fatal("the bot is on before anyone turned it on")
	}
	eval[bool](t, admin, `(document.querySelector(".bot-inbox input[name=enabled]").click(), true)`)
	click(t, admin, ".bot-inbox button[type=submit]")
	eventually(t, "the bot is on", func() bool {
		var b sahay.BotSettings
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/bot", inbox.ID), nil, http.StatusOK, &b)
		return b.Enabled
	})

	clickText(t, admin, ".bot-faqs .toolbar .add", "New question")
	waitFor(t, admin, "the question dialog opens", `document.querySelector(".dialog input[name=question]")`)
	setField(t, admin, ".dialog input[name=question]", "How do I cancel my order?")
	setField(t, admin, ".dialog textarea[name=phrasings]", "cancel order\norder cancel korbo kivabe")
	setField(t, admin, ".dialog textarea[name=answer]", "Open My orders and press Cancel before it ships.")
	click(t, admin, ".dialog button[type=submit]")
	waitFor(t, admin, "the question is listed", `document.querySelector(".bot-faqs .table")?.textContent.includes("How do I cancel my order?")`)
	var faqs struct{ Items []sahay.FAQ }
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/bot/faqs", nil, http.StatusOK, &faqs)
	if len(faqs.Items) != 1 || len(faqs.Items[0].Phrasings) != 2 || faqs.Items[0].Language != "en" || faqs.Items[0].InboxID != 0 {
		t.Fatalf("saved entries %+v", faqs.Items)
	}

	// A visitor asks; the bot answers in the widget.
	const shadow = `document.getElementById("sahay-widget")?.shadowRoot`
	send := func(text string) {
		eval[bool](t, visitor, `(() => { const r = `+shadow+`; r.querySelector("textarea").value = `+jsString(text)+`; r.querySelector(".send").click(); return true })()`)
	}
	do(t, visitor, chromedp.Navigate(d.URL+"/demo?inbox="+embed.WebsiteToken))
	waitFor(t, visitor, "the widget loads", shadow+`?.querySelector(".launcher") && window.Sahay`)
	eval[bool](t, visitor, `window.Sahay.ready.then(() => true)`)
	eval[bool](t, visitor, `(`+shadow+`.querySelector(".launcher").click(), true)`)
	waitFor(t, visitor, "the chat opens", shadow+`.querySelector("textarea")`)
	send("how can I cancel my order?")
	waitFor(t, visitor, "the bot's answer shows in the widget", shadow+`.querySelector(".body").textContent.includes("press Cancel before it ships")`)

	var conv sahay.Conversation
	eventually(t, "the conversation is the bot's", func() bool {
		var list struct{ Items []sahay.Conversation }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/conversations?status=pending", nil, http.StatusOK, &list)
		if len(list.Items) == 1 {
			conv = list.Items[0]
		}
		return conv.ID != 0
	})
	do(t, admin, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d?view=all&status=pending", d.URL, conv.ID)))
	watchCSP(t, admin)
	waitFor(t, admin, "the list shows the Bot chip", fmt.Sprintf(`document.querySelector('.conv-item[data-id="%d"] .bot-chip')`, conv.ID))
	waitFor(t, admin, "the conversation offers Take over", `document.querySelector(".conv-head .take-over")`)
	waitFor(t, admin, "the bot's answer shows with its confidence", `document.querySelector(".timeline .bot-note")?.textContent.includes("%")`)

	// "agent please" hands off at once: the visitor is told, the
	// conversation opens, the timeline names the reason.
	send("agent please")
	waitFor(t, visitor, "the visitor is told a person is coming", shadow+`.querySelector(".body").textContent.includes("person from our team")`)
	eventually(t, "the conversation is open", func() bool { return conversation(t, d, owner.Token, conv.ID).Status == sahay.StatusOpen })
	waitFor(t, admin, "the timeline names the hand-off", `document.querySelector(".timeline")?.textContent.includes("the customer asked for a person")`)
	waitFor(t, admin, "Take over is gone", `!document.querySelector(".conv-head .take-over")`)
	if got := eval[string](t, admin, `document.querySelector(".conv-head .status-badge")?.textContent ?? ""`); !strings.Contains(got, "Open") {
		t.Errorf("status badge %q after the hand-off", got)
	}
	noCSPViolation(t, admin)
}
