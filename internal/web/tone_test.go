package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"

	"github.com/chromedp/chromedp"
)

// TestToneGuard: a rude reply is held before it is sent, with the issue
// and a suggestion; "Use suggestion" puts the rephrasing in the box, and
// "Send anyway" sends the draft as written. A private note is not checked.
func TestToneGuard(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Shop")
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID)
	got := receive(t, d, owner.Token, inbox.ID, "c1", "Rahim", "Where is my refund?", "m1")
	messages := func() []sahay.Message {
		var l struct{ Items []sahay.Message }
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", got.Conversation.ID), nil, http.StatusOK, &l)
		return l.Items
	}

	ctx := newBrowser(t)
	// A phone, where the guard must stay out of the way.
	do(t, ctx, chromedp.EmulateViewport(390, 800, chromedp.EmulateMobile))
	login(t, ctx, d.URL, owner.Email, owner.Password)

	// An administrator writes the team's policy in the settings.
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/tone"))
	waitFor(t, ctx, "the tone settings show", `document.querySelector("textarea[name=promises]")`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("textarea[name=promises]"), "guaranteed refund"))
	eval[bool](t, ctx, `(document.querySelector(".settings-body button[type=submit]").click(), true)`)
	eventually(t, "the policy is saved", func() bool {
		var p nlp.TonePolicy
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/tone/policy", nil, http.StatusOK, &p)
		return len(p.Promises) == 1 && p.Promises[0] == "guaranteed refund"
	})

	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, got.Conversation.ID)))
	waitFor(t, ctx, "the conversation opens", `document.querySelector(".timeline .msg.incoming")?.textContent.includes("refund")`)
	watchCSP(t, ctx)

	rude := "That's not my problem, read the FAQ."
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), rude))
	waitFor(t, ctx, "a hint shows while typing", `document.querySelector(".tone-hint:not([hidden])")?.textContent.includes("not my problem")`)
	eval[bool](t, ctx, `(document.querySelector(".composer button.send").click(), true)`)
	waitFor(t, ctx, "the reply is held with its issues", `document.querySelector(".tone-notice .tone-issues")?.textContent.includes("pushes the problem back")`)
	if n := len(messages()); n != 1 {
		t.Fatalf("%d messages after a held reply, want only the customer's", n)
	}
	if os.Getenv("SAHAY_SCREENSHOTS") == "1" {
		shoot(t, ctx, filepath.Join("..", "..", "docs", "screenshots", "tone-en-390.png"))
	}
	suggestion := eval[string](t, ctx, `document.querySelector(".tone-notice .tone-suggestion-text").textContent`)
	if want := nlp.CheckTone(rude, "", nlp.TonePolicy{}).Suggestion; suggestion != want {
		t.Errorf("suggestion %q, want %q", suggestion, want)
	}
	clickText(t, ctx, ".tone-notice .tone-use", "Use suggestion")
	waitFor(t, ctx, "the suggestion fills the box", fmt.Sprintf(`document.querySelector(".composer-input").value === %s && !document.querySelector(".tone-notice")`, jsString(suggestion)))

	// The team's promise is held too.
	eval[bool](t, ctx, `(document.querySelector(".composer-input").value = "", true)`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "Sorry! Your refund is guaranteed."))
	eval[bool](t, ctx, `(document.querySelector(".composer button.send").click(), true)`)
	waitFor(t, ctx, "the promise is held", `document.querySelector(".tone-notice .tone-issue.policy")?.textContent.includes("a promise the team does not make")`)
	clickText(t, ctx, ".tone-notice .tone-edit", "Edit")
	waitFor(t, ctx, "Edit closes the notice and keeps the draft", `!document.querySelector(".tone-notice") && document.querySelector(".composer-input").value.includes("guaranteed")`)

	eval[bool](t, ctx, `(document.querySelector(".composer-input").value = "", true)`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), rude))
	eval[bool](t, ctx, `(document.querySelector(".composer button.send").click(), true)`)
	clickText(t, ctx, ".tone-notice .tone-anyway", "Send anyway")
	waitFor(t, ctx, "the reply sent anyway shows", fmt.Sprintf(`[...document.querySelectorAll(".timeline .msg.outgoing .msg-body")].some((e) => e.textContent === %s)`, jsString(rude)))
	if ms := messages(); ms[len(ms)-1].Content != rude || ms[len(ms)-1].Kind != sahay.MessageOutgoing {
		t.Fatalf("last message %+v, want the reply sent anyway", ms[len(ms)-1])
	}

	// A private note goes at once, unchecked.
	clickText(t, ctx, ".composer .mode", "Private note")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "Whatever."))
	eval[bool](t, ctx, `(document.querySelector(".composer button.send").click(), true)`)
	waitFor(t, ctx, "the note shows", `[...document.querySelectorAll(".timeline .msg.note .msg-body")].some((e) => e.textContent === "Whatever.")`)
	if eval[bool](t, ctx, `!!document.querySelector(".tone-notice, .tone-hint:not([hidden])")`) {
		t.Error("a note was checked for tone")
	}
	noCSPViolation(t, ctx)
}

// TestToneCatalog: every kind and reason the tone check names is worded in
// every catalog.
func TestToneCatalog(t *testing.T) {
	for _, lang := range []string{"en", "bn", "hi"} {
		cat := readCatalog(t, lang)
		keys := slices.Collect(maps.Keys(cat))
		for _, kind := range nlp.ToneKinds() {
			if !slices.Contains(keys, "tone.kind."+kind) {
				t.Errorf("%s.json has no tone.kind.%s", lang, kind)
			}
		}
		for _, code := range nlp.ToneCodes() {
			if !slices.Contains(keys, "tone.reason."+code) {
				t.Errorf("%s.json has no tone.reason.%s", lang, code)
			}
		}
	}
}
