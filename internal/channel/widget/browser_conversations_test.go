package widget

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

func TestBrowserVisitorStartsASecondConversation(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{"title":"Nakshi Crafts"}`, Limits{})
	bg := context.Background()
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token)); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the widget", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
	js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
	send := func(text string) {
		t.Helper()
		js[any](t, ctx, `(() => { const r = `+shadow+`; const i = r.querySelector("textarea"); i.value = `+quote(text)+`; r.querySelector(".send").click(); })()`)
		until(t, ctx, "the message acknowledged", shadow+`.querySelector(".msg.out:last-of-type .st")?.textContent == "Sent"`)
	}
	menu := func(item string) {
		t.Helper()
		js[any](t, ctx, shadow+`.querySelector("button[aria-label='More options']").click()`)
		until(t, ctx, "the menu", shadow+`.querySelector(".menu") != null`)
		js[any](t, ctx, `[...`+shadow+`.querySelectorAll(".menu button")].find(b => b.textContent == `+quote(item)+`).click()`)
	}
	conversations := func() []*sahay.Conversation {
		list, _, err := e.svc.ListConversations(bg, e.agent, core.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}

	send("Where is order 1042?")
	menu("New conversation")
	until(t, ctx, "an empty thread", `!`+shadow+`.querySelector(".body").textContent.includes("order 1042")`)
	send("Do you ship to Sylhet?")
	waitFor(t, "two conversations in the inbox", func() bool { return len(conversations()) == 2 })
	for _, c := range conversations() {
		if c.Status != sahay.StatusOpen {
			t.Fatalf("conversation %d is %s, want both open", c.ID, c.Status)
		}
	}

	// Both are listed; picking the first shows its own thread.
	menu("Your conversations")
	until(t, ctx, "the list", shadow+`.querySelectorAll(".conv:not(.new)").length == 2`)
	js[any](t, ctx, `[...`+shadow+`.querySelectorAll(".conv:not(.new)")].find(b => b.textContent.includes("order 1042")).click()`)
	until(t, ctx, "the first thread", shadow+`.querySelector(".body").textContent.includes("order 1042") && !`+
		shadow+`.querySelector(".body").textContent.includes("Sylhet")`)
	send("Any news?")
	waitFor(t, "the follow-up in the first conversation", func() bool {
		for _, c := range conversations() {
			if c.LastMessage == "Any news?" {
				return len(conversations()) == 2
			}
		}
		return false
	})
}

// quote makes a JavaScript string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
