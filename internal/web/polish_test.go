package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/demo"

	"github.com/chromedp/chromedp"
)

// TestBrowserDetails checks the small things an agent meets in the first
// hour: unread marks and the tab title, search hits that name the customer,
// highlighted mentions, a link to a label that does not exist, email
// offered only when the server can send it, and Bengali times.
func TestBrowserDetails(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Shop")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID, agent.ID)
	waiting := receive(t, d, owner.Token, inbox.ID, "c1", "Nasrin Akter", "Is the blue saree back in stock?", "m1").Conversation
	answered := receive(t, d, owner.Token, inbox.ID, "c2", "Karim", "Thanks, got it", "m2").Conversation
	d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", answered.ID), map[string]any{"content": "You're welcome!"}, http.StatusCreated, nil)
	d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", waiting.ID),
		map[string]any{"content": "@" + agent.Name + " can you check the stock?", "private": true}, http.StatusCreated, nil)

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, agent.Email, agent.Password)
	waitFor(t, ctx, "the realtime connection is up", `window.__sahay && window.__sahay.connected()`)
	row := func(id int64) string { return fmt.Sprintf(`document.querySelector('.conv-item[data-id="%d"]')`, id) }

	t.Run("unread on a first visit", func(t *testing.T) {
		// Both came before the agent's first visit: the one whose customer
		// still waits for an answer is news, the answered one is not.
		waitFor(t, ctx, "both conversations are listed", row(waiting.ID)+` && `+row(answered.ID))
		if !eval[bool](t, ctx, row(waiting.ID)+`.classList.contains("unread")`) {
			t.Error("the conversation waiting for an answer is not unread")
		}
		if eval[bool](t, ctx, row(answered.ID)+`.classList.contains("unread")`) {
			t.Error("the answered conversation is unread on a first visit")
		}
		// The unread conversation and the notification of the mention.
		waitFor(t, ctx, "the tab title counts what is unread", `document.title === "(2) Sahay"`)
		receive(t, d, owner.Token, inbox.ID, "c3", "Priya", "Do you ship to Delhi?", "m3")
		waitFor(t, ctx, "the tab title counts the new conversation", `document.title === "(3) Sahay"`)
	})

	t.Run("mentions stand out in notes", func(t *testing.T) {
		openConversation(t, ctx, waiting.ID)
		waitFor(t, ctx, "the mention is marked", fmt.Sprintf(`document.querySelector(".msg.note .msg-body .mention")?.textContent === %s`, jsString("@"+agent.Name)))
		waitFor(t, ctx, "opening it reads it", `document.title === "(2) Sahay"`)
	})

	t.Run("search hits name the customer", func(t *testing.T) {
		press(t, ctx, "/")
		waitFor(t, ctx, "the search page opens", `document.querySelector(".search-input") === document.activeElement`)
		do(t, ctx, chromedp.SendKeys(chromedp.CSS(".search-input"), "saree"))
		waitFor(t, ctx, "the hit names Nasrin", `document.querySelector(".message-result .name")?.textContent === "Nasrin Akter"`)
	})

	t.Run("a label that does not exist", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=label&label=refund"))
		waitFor(t, ctx, "the list says there is no such label", `document.querySelector(".missing-view")?.textContent.includes("No such label")`)
		if n := eval[int](t, ctx, `document.querySelectorAll(".conv-item").length`); n != 0 {
			t.Errorf("%d conversations listed under a label that does not exist", n)
		}
		if got := eval[string](t, ctx, `document.querySelector(".list-pane h1").textContent`); got != "refund" {
			t.Errorf("heading %q, want refund", got)
		}
	})

	t.Run("no email without a mail server", func(t *testing.T) {
		var me struct {
			EmailAvailable *bool `json:"email_available"`
		}
		d.Must(t, agent.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
		if me.EmailAvailable == nil || *me.EmailAvailable {
			t.Fatalf("a server without SMTP reports email_available %v, want false", me.EmailAvailable)
		}
		do(t, ctx, chromedp.Navigate(d.URL+"/notifications"))
		waitFor(t, ctx, "the preferences load", `document.querySelector(".prefs-table input[name='assigned.push']")`)
		if eval[bool](t, ctx, `!!document.querySelector(".prefs-table input[name$='.email']")`) {
			t.Error("email notifications are offered by a server that cannot send email")
		}
		waitFor(t, ctx, "the page says why", `document.querySelector(".prefs-email")?.textContent.includes("sends no email")`)
	})

	t.Run("Bengali times", func(t *testing.T) {
		d.Must(t, agent.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": "bn"}, http.StatusOK, nil)
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d?view=all&status=open&sort=last_activity", d.URL, waiting.ID)))
		waitFor(t, ctx, "the dashboard speaks Bengali", `document.documentElement.lang === "bn" && document.querySelector(".timeline .msg time")`)
		times := eval[[]string](t, ctx, `[...document.querySelectorAll(".timeline .msg time, .conv-item .time")].map((e) => e.textContent)`)
		latin := regexp.MustCompile(`[A-Za-z0-9]`)
		for _, s := range times {
			if latin.MatchString(s) || !regexp.MustCompile(`[০-৯]`).MatchString(s) {
				t.Errorf("Bengali time %q mixes scripts", s)
			}
		}
	})
}

// TestBrowserDemoUnread checks that the demo workspace's customers, who wait
// for an answer, show as unread to an agent's first visit.
func TestBrowserDemoUnread(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	seed, err := demo.Seed(context.Background(), d.App.Service, apichannel.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	login(t, ctx, d.URL, "sam@demo.sahay.local", seed.Password)
	waitFor(t, ctx, "the demo conversations show unread", `document.querySelectorAll(".conv-item").length === 6 && document.querySelectorAll(".conv-item.unread").length === 6`)
}
