package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/ai/aitest"

	"github.com/chromedp/chromedp"
)

// TestBrowserAI: an admin sets the AI endpoint in the settings and tests
// it; an agent's composer then has "Suggest reply", which fills the draft
// with the endpoint's drafts one after the other, the conversation has
// "Summarize", and the tone guard suggests the AI's rephrasing of a rude
// draft. With AI off neither button is there.
func TestBrowserAI(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	srv := aitest.New(t)
	owner := d.NewAccount(t, "Haat")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "API", "api", nil, agent.ID)
	rec := receive(t, d, owner.Token, inbox.ID, "rahim", "Rahim", "আমার অর্ডার এখনও আসেনি", "m1")
	convURL := fmt.Sprintf("%s/conversations/%d", d.URL, rec.Conversation.ID)

	agentCtx := newBrowser(t)
	login(t, agentCtx, d.URL, agent.Email, agent.Password)
	do(t, agentCtx, chromedp.Navigate(convURL))
	waitFor(t, agentCtx, "the composer shows", `document.querySelector(".composer .composer-input")`)
	if eval[bool](t, agentCtx, `!!document.querySelector(".ai-suggest-btn, .ai-summarize-btn")`) {
		t.Fatal("AI buttons show while AI is off")
	}

	ownerCtx := newBrowser(t)
	login(t, ownerCtx, d.URL, owner.Email, owner.Password)
	do(t, ownerCtx,
		chromedp.Navigate(d.URL+"/settings/ai"),
		chromedp.WaitVisible(chromedp.CSS("input[name=base_url]")),
		chromedp.SendKeys(chromedp.CSS("input[name=base_url]"), srv.BaseURL()),
		chromedp.SendKeys(chromedp.CSS("input[name=model]"), aitest.Model),
		chromedp.SendKeys(chromedp.CSS("input[name=api_key]"), aitest.Key),
	)
	clickText(t, ownerCtx, ".settings-body button", "Test connection")
	waitFor(t, ownerCtx, "the test says the endpoint answered", `document.querySelector(".ai-test-result").textContent.includes("answered in")`)
	clickText(t, ownerCtx, ".settings-body button[type=submit]", "Save")
	waitFor(t, ownerCtx, "the section says AI is on", `document.querySelector(".ai-status.on")`)
	waitFor(t, ownerCtx, "the key field says a key is stored and is empty",
		`document.querySelector("input[name=api_key]").placeholder === "A key is stored" && document.querySelector("input[name=api_key]").value === ""`)
	if strings.Contains(eval[string](t, ownerCtx, `document.body.innerHTML`), aitest.Key) {
		t.Error("the page shows the stored key")
	}

	srv.Answer(`{"suggestions": ["দুঃখিত, আমি এখনই দেখছি।", "আপনার অর্ডার নম্বরটি দেবেন?"]}`)
	do(t, agentCtx, chromedp.Navigate(convURL))
	waitFor(t, agentCtx, "the composer has Suggest reply", `document.querySelector(".composer .ai-suggest-btn")`)
	click(t, agentCtx, ".composer .ai-suggest-btn")
	waitFor(t, agentCtx, "the draft is the first suggestion", `document.querySelector(".composer-input").value === "দুঃখিত, আমি এখনই দেখছি।"`)
	click(t, agentCtx, ".composer .ai-suggest-btn")
	waitFor(t, agentCtx, "the draft is the second suggestion", `document.querySelector(".composer-input").value === "আপনার অর্ডার নম্বরটি দেবেন?"`)
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests to the endpoint; want the test's and one for the suggestions", n)
	}

	srv.Answer("Rahim's order has not arrived.\nNothing was promised yet.")
	click(t, agentCtx, ".ai-summarize-btn")
	waitFor(t, agentCtx, "the summary shows", `[...document.querySelectorAll(".ai-summary p")].map((p) => p.textContent).join("|") === "Rahim's order has not arrived.|Nothing was promised yet."`)

	// The tone guard holds a rude draft and suggests the AI's rephrasing.
	srv.Answer("I am sorry about the delay; I am asking the courier now.")
	do(t, agentCtx, chromedp.Navigate(convURL))
	waitFor(t, agentCtx, "the composer shows", `document.querySelector(".composer .composer-input")`)
	eval[bool](t, agentCtx, `(() => { const ta = document.querySelector(".composer-input"); ta.value = ""; ta.dispatchEvent(new Event("input")); return true })()`)
	do(t, agentCtx,
		chromedp.SendKeys(chromedp.CSS(".composer-input"), "That's not my problem, contact the courier."),
		chromedp.Click(chromedp.CSS(".composer .send")),
	)
	waitFor(t, agentCtx, "the held draft suggests the AI's rephrasing",
		`document.querySelector(".tone-suggestion-text")?.textContent === "I am sorry about the delay; I am asking the courier now."`)
	click(t, agentCtx, ".tone-use")
	waitFor(t, agentCtx, "the box holds the rephrasing", `document.querySelector(".composer-input").value === "I am sorry about the delay; I am asking the courier now."`)

	// A failing endpoint is a message, not a broken page.
	srv.Reply(func(aitest.Request) (int, []byte) {
		return http.StatusTooManyRequests, aitest.Error("slow down", "rate_limit")
	})
	do(t, agentCtx, chromedp.Navigate(convURL))
	waitFor(t, agentCtx, "the composer has Suggest reply", `document.querySelector(".composer .ai-suggest-btn")`)
	click(t, agentCtx, ".composer .ai-suggest-btn")
	waitFor(t, agentCtx, "the agent is told the endpoint rate limits", `[...document.querySelectorAll(".toast")].some((e) => e.textContent.includes("rate limiting"))`)
}
