package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/chromedp/chromedp"
)

// choose picks a value in a select as a person does, by the change it
// fires.
func choose(t *testing.T, ctx context.Context, selector, value string) {
	t.Helper()
	waitFor(t, ctx, selector+" offers "+value, fmt.Sprintf(`[...(document.querySelector(%s)?.options ?? [])].some((o) => o.value === %s)`, jsString(selector), jsString(value)))
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector(%s); s.value = %s; s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`,
		jsString(selector), jsString(value)))
}

// TestBrowserAutomation: an administrator builds a rule in Settings ›
// Automation from lists alone ("a customer's message contains 'refund'
// → add the label refund, set the priority to High"), sees the server's
// refusal beside the condition at fault, saves it; a customer's message
// then gets the label and the priority, and the rule's page lists the run
// with a link to the conversation.
func TestBrowserAutomation(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Dhaka Gadgets")
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID)
	for _, l := range []string{"delivery", "refund"} {
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]any{"name": l}, http.StatusCreated, nil)
	}
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)

	do(t, ctx, chromedp.Navigate(d.URL+"/settings/automation"))
	waitFor(t, ctx, "the empty list shows", `document.querySelector(".settings-body .empty")`)
	clickText(t, ctx, ".toolbar button.add", "New rule")
	waitFor(t, ctx, "the builder opens", `location.pathname === "/settings/automation/new" && document.querySelector(".rule-page input[name=name]")`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Refunds"))
	// A new contact has no conversation: its rules offer only what it has.
	choose(t, ctx, "select[name=event]", "contact_created")
	clickText(t, ctx, "button.add-condition", "Add a condition")
	clickText(t, ctx, "button.add-action", "Add an action")
	if got := eval[string](t, ctx, `[...document.querySelector("select[name=condition_0_attribute]").options].map((o) => o.value).join() + " " + [...document.querySelector("select[name=action_0_action]").options].map((o) => o.value).join()`); got != "contact_attribute,cart_value,business_hours send_email,call_webhook" {
		t.Fatalf("a contact_created rule offers %s", got)
	}
	eval[bool](t, ctx, `(document.querySelector(".rule-rows.conditions .rule-row .icon-btn").click(), document.querySelector(".rule-rows.actions .rule-row .icon-btn").click(), true)`)
	choose(t, ctx, "select[name=event]", "message_created")
	waitFor(t, ctx, "the builder is empty again", `!document.querySelector(".rule-row")`)

	clickText(t, ctx, "button.add-condition", "Add a condition")
	choose(t, ctx, "select[name=condition_0_attribute]", "content")
	choose(t, ctx, "select[name=condition_0_operator]", "contains")
	clickText(t, ctx, "button.add-action", "Add an action")
	choose(t, ctx, "select[name=action_0_action]", "add_label")
	choose(t, ctx, "select[name=action_0_value]", "refund")
	clickText(t, ctx, "button.add-action", "Add an action")
	choose(t, ctx, "select[name=action_1_action]", "set_priority")
	choose(t, ctx, "select[name=action_1_value]", fmt.Sprint(sahay.PriorityHigh))

	// No text to look for yet: the server refuses, and says so beside
	// the condition; nothing is stored.
	eval[bool](t, ctx, `(document.querySelector(".rule-page button[type=submit]").click(), true)`)
	waitFor(t, ctx, "the refusal shows beside the condition", `document.querySelector(".rule-rows.conditions .rule-row[data-index='0'] .field-error")?.textContent.includes("content takes a text value")`)
	if got := eval[string](t, ctx, `location.pathname`); got != "/settings/automation/new" {
		t.Fatalf("a refused rule went to %s", got)
	}
	var rules struct{ Items []struct{ ID int64 } }
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/automation_rules", nil, http.StatusOK, &rules)
	if len(rules.Items) != 0 {
		t.Fatalf("a refused rule was stored: %v", rules.Items)
	}

	do(t, ctx, chromedp.SendKeys(chromedp.CSS("input[name=condition_0_value]"), "refund"))
	eval[bool](t, ctx, `(document.querySelector(".rule-page button[type=submit]").click(), true)`)
	waitFor(t, ctx, "the saved rule's page opens", `/^\/settings\/automation\/\d+$/.test(location.pathname) && document.querySelector(".rule-runs")`)
	waitFor(t, ctx, "the refusal is gone", `!document.querySelector(".field-error:not(:empty)")`)
	var rule struct {
		ID         int64
		Event      string
		Conditions struct {
			All []struct {
				Attribute, Operator string
				Value               any
			}
		}
		Actions []struct {
			Action string
			Value  any
		}
	}
	id := eval[string](t, ctx, `location.pathname.split("/").pop()`)
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/automation_rules/"+id, nil, http.StatusOK, &rule)
	if rule.Event != "message_created" || len(rule.Conditions.All) != 1 || rule.Conditions.All[0].Value != "refund" ||
		len(rule.Actions) != 2 || rule.Actions[0].Value != "refund" || rule.Actions[1].Value != float64(sahay.PriorityHigh) {
		t.Fatalf("saved rule: %+v", rule)
	}

	// A webhook with too short a secret: refused beside the action, and
	// the stored rule is unchanged.
	clickText(t, ctx, "button.add-action", "Add an action")
	choose(t, ctx, "select[name=action_2_action]", "call_webhook")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("input[name=action_2_url]"), "https://hooks.example.com/refunds"),
		chromedp.SendKeys(chromedp.CSS("input[name=action_2_secret]"), "short"))
	eval[bool](t, ctx, `(document.querySelector(".rule-page button[type=submit]").click(), true)`)
	waitFor(t, ctx, "the refusal shows beside the webhook", `document.querySelector(".rule-rows.actions .rule-row[data-index='2'] .field-error")?.textContent.includes("secret")`)
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/automation_rules/"+id, nil, http.StatusOK, &rule)
	if len(rule.Actions) != 2 {
		t.Fatalf("a refused change was stored: %+v", rule.Actions)
	}
	eval[bool](t, ctx, `(document.querySelector(".rule-rows.actions .rule-row[data-index='2'] .icon-btn").click(), true)`)
	waitFor(t, ctx, "the webhook action is removed", `!document.querySelector(".rule-rows.actions .rule-row[data-index='2']")`)

	// A customer writes; the rule acts.
	got := receive(t, d, owner.Token, inbox.ID, "c1", "Nadia", "I want a REFUND for order 77", "m1")
	other := receive(t, d, owner.Token, inbox.ID, "c2", "Imran", "When does my parcel come?", "m2")
	eventually(t, "the rule labels the conversation and raises its priority", func() bool {
		c := conversation(t, d, owner.Token, got.Conversation.ID)
		return slices.Contains(c.Labels, "refund") && c.Priority == sahay.PriorityHigh
	})
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, got.Conversation.ID)))
	waitFor(t, ctx, "the conversation shows the label", `[...document.querySelectorAll(".tool.labels .chip")].some((e) => e.textContent.includes("refund"))`)
	waitFor(t, ctx, "the timeline names the rule", `[...document.querySelectorAll(".timeline .msg.activity")].some((e) => e.textContent.includes("Automation: Refunds"))`)

	// The rule's page lists the run, linked to the conversation.
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/automation/"+id))
	waitFor(t, ctx, "the run is listed", fmt.Sprintf(`document.querySelector(".runs tr[data-outcome=ok] .run-conversation")?.textContent === "#%d"`, got.Conversation.DisplayID))
	if n := eval[int](t, ctx, `document.querySelectorAll(".runs tbody tr").length`); n != 1 {
		t.Fatalf("%d runs listed, want 1 (the message without 'refund' makes none)", n)
	}
	if c := conversation(t, d, owner.Token, other.Conversation.ID); len(c.Labels) != 0 {
		t.Fatalf("a message without 'refund' got labels %v", c.Labels)
	}

	// The list shows the last run, and turns the rule off.
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/automation"))
	waitFor(t, ctx, "the list shows the rule's last run", `document.querySelector(".rules tbody tr .status-badge.run-ok") && document.querySelector(".rules .rule-name")?.textContent === "Refunds"`)
	eval[bool](t, ctx, `(document.querySelector(".rules .rule-toggle").click(), true)`)
	eventually(t, "the rule is off", func() bool {
		var r struct{ Enabled bool }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/automation_rules/"+id, nil, http.StatusOK, &r)
		return !r.Enabled
	})
	noCSPViolation(t, ctx)
}

// TestScreenshotsAutomation writes docs/screenshots/automation-*.png: the
// rules, and a rule's page with its conditions, actions and runs, in
// English and Bengali, on a laptop and a phone.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsAutomation
func TestScreenshotsAutomation(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboardWith(t, apitest.Options{})
	owner := d.NewAccount(t, "Dhaka Gadgets")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID, agent.ID)
	var team struct{ ID int64 }
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/teams", map[string]any{"name": "Billing"}, http.StatusCreated, &team)
	for _, l := range []string{"refund", "vip", "delivery"} {
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]any{"name": l}, http.StatusCreated, nil)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)
	var refund, angry struct{ ID int64 }
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/automation_rules", map[string]any{
		"name": "Refunds to billing", "event": "message_created",
		"conditions": map[string]any{"all": []any{
			map[string]any{"attribute": "content", "operator": "contains", "value": "refund"},
			map[string]any{"attribute": "message_type", "operator": "equals", "value": "incoming"},
			map[string]any{"attribute": "language", "operator": "in", "value": []string{"en", "bn"}},
		}},
		"actions": []any{
			map[string]any{"action": "add_label", "value": "refund"},
			map[string]any{"action": "set_priority", "value": 3},
			map[string]any{"action": "assign_team", "value": team.ID},
			map[string]any{"action": "call_webhook", "value": map[string]any{"url": hook.URL + "/refunds", "secret": "a-shared-secret-of-the-shop"}},
		},
	}, http.StatusCreated, &refund)
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/automation_rules", map[string]any{
		"name": "Angry customers first", "event": "message_created",
		"conditions": map[string]any{"any": []any{
			map[string]any{"attribute": "sentiment", "operator": "equals", "value": "negative"},
			map[string]any{"attribute": "urgency", "operator": "gte", "value": 0.75},
			map[string]any{"attribute": "contact_attribute", "key": "tier", "operator": "equals", "value": "gold"},
			map[string]any{"attribute": "cart_value", "operator": "gte", "value": 5000},
			map[string]any{"attribute": "business_hours", "operator": "equals", "value": "out"},
		}},
		"actions": []any{map[string]any{"action": "set_priority", "value": 4}, map[string]any{"action": "add_private_note", "value": "Upset customer: answer first."}},
	}, http.StatusCreated, &angry)
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/automation_rules", map[string]any{
		"name": "Welcome", "event": "conversation_created", "enabled": false,
		"actions": []any{map[string]any{"action": "assign_agent", "value": agent.ID}},
	}, http.StatusCreated, nil)
	for i, text := range []string{"I need a refund for order 1042", "refund please, the phone is broken", "Where is my refund?"} {
		c := receive(t, d, owner.Token, inbox.ID, fmt.Sprint("c", i), []string{"Nadia Rahman", "Imran Hossain", "Priya Sen"}[i], text, fmt.Sprint("m", i))
		eventually(t, "the rule acts", func() bool {
			return slices.Contains(conversation(t, d, owner.Token, c.Conversation.ID).Labels, "refund")
		})
	}

	out := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
			ctx := newProfile(t, browser)
			do(t, ctx, chromedp.EmulateViewport(1280, 800))
			login(t, ctx, d.URL, owner.Email, owner.Password)
			waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
			do(t, ctx, chromedp.Navigate(d.URL+"/settings/automation"))
			waitFor(t, ctx, "the rules show", `document.querySelectorAll(".rules tbody tr").length === 3`)
			shoot(t, ctx, filepath.Join(out, "automation-"+lang+"-1280.png"))
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/settings/automation/%d", d.URL, refund.ID)))
			waitFor(t, ctx, "the rule and its runs show", `document.querySelectorAll(".runs tbody tr").length === 3`)
			shoot(t, ctx, filepath.Join(out, "automation-rule-"+lang+"-1280.png"))
			eval[bool](t, ctx, `(document.querySelector(".rule-runs").scrollIntoView(), true)`)
			shoot(t, ctx, filepath.Join(out, "automation-runs-"+lang+"-1280.png"))
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/settings/automation/%d", d.URL, angry.ID)))
			waitFor(t, ctx, "the OR rule shows", `document.querySelector("input[name=condition_2_key]")?.value === "tier"`)
			shoot(t, ctx, filepath.Join(out, "automation-any-"+lang+"-1280.png"))

			do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			do(t, ctx, chromedp.Navigate(d.URL+"/settings/automation"))
			waitFor(t, ctx, "the rules show on a phone", `document.querySelectorAll(".rules tbody tr").length === 3`)
			shoot(t, ctx, filepath.Join(out, "automation-"+lang+"-390.png"))
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/settings/automation/%d", d.URL, refund.ID)))
			waitFor(t, ctx, "the rule shows on a phone", `document.querySelectorAll(".runs tbody tr").length === 3`)
			shoot(t, ctx, filepath.Join(out, "automation-rule-"+lang+"-390.png"))
		})
	}
}
