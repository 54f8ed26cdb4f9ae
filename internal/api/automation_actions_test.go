package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/email/smtptest"
	"github.com/sahayhq/sahay/internal/core"
)

// ruleEnv is a server with an account, an API inbox, and helpers to make
// rules and wait on what they do.
type ruleEnv struct {
	s     *apitest.Server
	owner *apitest.User
	inbox *sahay.Inbox
	n     int
}

func newRuleEnv(t *testing.T, o apitest.Options) *ruleEnv {
	s := apitest.NewServerWith(t, o)
	owner := s.NewAccount(t, "Sahay Shop")
	return &ruleEnv{s: s, owner: owner, inbox: s.NewInbox(t, owner, "Website", "api", nil, owner.ID)}
}

func (e *ruleEnv) rule(t *testing.T, body map[string]any) int64 {
	t.Helper()
	var r struct{ ID int64 }
	e.s.Must(t, e.owner.Token, http.MethodPost, "/api/v1/automation_rules", body, http.StatusCreated, &r)
	return r.ID
}

func (e *ruleEnv) receive(t *testing.T, contact, text string) sahay.Conversation {
	t.Helper()
	e.n++
	return e.s.Receive(t, e.owner, e.inbox.ID, contact, text, fmt.Sprint("m", e.n)).Conversation
}

func (e *ruleEnv) conversation(t *testing.T, id int64) sahay.Conversation {
	t.Helper()
	var c sahay.Conversation
	e.s.Must(t, e.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", id), nil, http.StatusOK, &c)
	return c
}

func (e *ruleEnv) runs(t *testing.T, rule int64) []automationRun {
	return items[automationRun](t, e.s, e.owner.Token, fmt.Sprintf("/api/v1/automation_rules/%d/runs", rule))
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

func cond(attribute, operator string, value any) map[string]any {
	return map[string]any{"attribute": attribute, "operator": operator, "value": value}
}

func action(name string, value any) map[string]any {
	return map[string]any{"action": name, "value": value}
}

// TestAutomationContactAndHoursConditions: contact attributes, the cart's
// value and business hours decide whether a rule runs.
func TestAutomationContactAndHoursConditions(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newRuleEnv(t, apitest.Options{})
		for _, l := range []string{"dhaka-cart", "after-hours"} {
			e.s.Must(t, e.owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": l}, http.StatusCreated, nil)
		}
		// The account's hours are on, with every day closed: always out.
		e.s.Must(t, e.owner.Token, http.MethodPatch, "/api/v1/account", map[string]any{
			"business_hours": map[string]any{"enabled": true, "time_zone": "UTC", "days": map[string]any{}}}, http.StatusOK, nil)
		cart := e.rule(t, map[string]any{"name": "big carts in Dhaka", "event": "message_created",
			"conditions": map[string]any{"all": []any{
				map[string]any{"attribute": "contact_attribute", "key": "city", "operator": "equals", "value": "dhaka"},
				cond("cart_value", "gte", 1000),
				cond("cart_value", "lte", 50000),
			}},
			"actions": []any{action("add_label", "dhaka-cart")}})
		hours := e.rule(t, map[string]any{"name": "after hours", "event": "message_created",
			"conditions": map[string]any{"all": []any{cond("business_hours", "equals", "out")}},
			"actions":    []any{action("add_label", "after-hours")}})
		inHours := e.rule(t, map[string]any{"name": "in hours", "event": "message_created",
			"conditions": map[string]any{"all": []any{cond("business_hours", "equals", "in")}},
			"actions":    []any{action("add_private_note", "we are in")}})

		// Contacts with their attributes set after their first message is
		// read, before they write again.
		first := e.receive(t, "rina", "hello")
		second := e.receive(t, "joy", "hello")
		third := e.receive(t, "mita", "hello")
		waitUntil(t, "the first messages are read", func() bool { return len(e.runs(t, hours)) == 3 })
		for _, c := range []struct {
			conv  sahay.Conversation
			attrs map[string]any
		}{
			{first, map[string]any{"city": "Dhaka", "cart_value": 2500}},
			{second, map[string]any{"city": "Dhaka", "cart_value": 200}},
			{third, map[string]any{"city": "Sylhet", "cart_value": 2500}},
		} {
			e.s.Must(t, e.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", c.conv.ContactID), map[string]any{"attributes": c.attrs}, http.StatusOK, nil)
		}
		e.receive(t, "rina", "my cart")
		e.receive(t, "joy", "my cart")
		e.receive(t, "mita", "my cart")
		waitUntil(t, "the cart rule acts on the Dhaka contact with a big cart", func() bool {
			return slices.Contains(e.conversation(t, first.ID).Labels, "dhaka-cart")
		})
		waitUntil(t, "every message came out of hours", func() bool { return len(e.runs(t, hours)) == 6 })
		time.Sleep(time.Second) // the engine has read everything: the other rules had their chance
		for _, id := range []int64{second.ID, third.ID} {
			if slices.Contains(e.conversation(t, id).Labels, "dhaka-cart") {
				t.Errorf("conversation %d: the cart rule acted on a small cart or another city", id)
			}
		}
		if got := e.runs(t, cart); len(got) != 1 || got[0].ConversationID != first.ID {
			t.Errorf("cart rule runs: %+v", got)
		}
		if c := e.conversation(t, third.ID); !slices.Contains(c.Labels, "after-hours") {
			t.Errorf("out of hours, no after-hours label: %v", c.Labels)
		}
		if got := e.runs(t, inHours); len(got) != 0 {
			t.Errorf("the in-hours rule ran out of hours: %+v", got)
		}
	})
}

// TestAutomationCannedEmailWebhook: a canned response with its variables
// filled, an email from the account's email inbox, and a signed webhook
// call retried until the receiver takes it.
func TestAutomationCannedEmailWebhook(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newRuleEnv(t, apitest.Options{})
		mail := smtptest.New(t, "none")
		mailbox := e.s.NewInbox(t, e.owner, "Support mail", "email", map[string]any{"address": "support@shop.example.com",
			"smtp_host": mail.Host, "smtp_port": mail.Port, "smtp_username": mail.Username, "smtp_password": mail.Password, "smtp_tls": "none"}, e.owner.ID)

		var mu sync.Mutex
		var calls []*http.Request
		var bodies [][]byte
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			calls, bodies = append(calls, r), append(bodies, b)
			if len(calls) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable) // the first try fails: the job retries
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(hook.Close)
		const secret = "a-shared-secret-of-the-shop"

		var canned struct{ ID int64 }
		e.s.Must(t, e.owner.Token, http.MethodPost, "/api/v1/canned_responses", map[string]any{
			"short_code": "refund", "content": "Hello {{contact.name}}, your refund for #{{conversation.id}} is on its way.",
		}, http.StatusCreated, &canned)
		rule := e.rule(t, map[string]any{"name": "Refunds", "event": "message_created",
			"conditions": map[string]any{"all": []any{cond("content", "contains", "refund"), cond("message_type", "equals", "incoming")}},
			"actions": []any{
				action("send_canned_response", canned.ID),
				action("send_email", map[string]any{"inbox_id": mailbox.ID, "to": "refunds@shop.example.com", "subject": "A refund was asked", "content": "See the dashboard."}),
				action("call_webhook", map[string]any{"url": hook.URL + "/refunds", "secret": secret}),
			}})
		// The secret is never shown again.
		var shown struct {
			Actions []struct{ Value json.RawMessage }
		}
		e.s.Must(t, e.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/automation_rules/%d", rule), nil, http.StatusOK, &shown)
		if strings.Contains(string(shown.Actions[2].Value), secret) || !strings.Contains(string(shown.Actions[2].Value), `"secret":""`) {
			t.Fatalf("the rule shows its webhook's secret: %s", shown.Actions[2].Value)
		}

		c := e.receive(t, "Nadia", "I want a refund")
		want := fmt.Sprintf("Hello Nadia, your refund for #%d is on its way.", c.DisplayID)
		waitUntil(t, "the canned response is sent", func() bool {
			for _, m := range items[sahay.Message](t, e.s, e.owner.Token, fmt.Sprintf("/api/v1/conversations/%d/messages", c.ID)) {
				if m.Kind == sahay.MessageOutgoing && m.Content == want {
					if m.Details == nil || m.Details.Automation == nil || m.Details.Automation.Name != "Refunds" {
						t.Fatalf("the reply does not name its rule: %+v", m.Details)
					}
					return true
				}
			}
			return false
		})
		waitUntil(t, "the email leaves through the email inbox", func() bool {
			for _, m := range mail.Mails() {
				if slices.Contains(m.To, "refunds@shop.example.com") && strings.Contains(string(m.Data), "A refund was asked") {
					return true
				}
			}
			return false
		})
		waitUntil(t, "the webhook is called again after it failed", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(calls) == 2
		})
		mu.Lock()
		r, body := calls[1], bodies[1]
		mu.Unlock()
		sig := r.Header.Get(core.RuleWebhookSignatureHeader)
		ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
		var at int64
		fmt.Sscan(ts, &at)
		if want := core.SignWebhook(secret, time.Unix(at, 0), body); sig != want || r.URL.Path != "/refunds" {
			t.Fatalf("signature %q, want %q (path %s)", sig, want, r.URL.Path)
		}
		var p core.RuleWebhookPayload
		if err := json.Unmarshal(body, &p); err != nil || p.Rule.ID != rule || p.Rule.Name != "Refunds" || p.Conversation == nil || p.Conversation.ID != c.ID || p.Contact == nil || p.Contact.Name != "Nadia" {
			t.Fatalf("webhook body %s: %v", body, err)
		}
		if got := e.runs(t, rule); len(got) != 1 || got[0].Outcome != "ok" || got[0].Detail != "send_canned_response; send_email; call_webhook" {
			t.Fatalf("runs: %+v", got)
		}

		// Saving the rule again without the secret keeps it.
		e.s.Must(t, e.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/automation_rules/%d", rule), map[string]any{"actions": []any{
			action("call_webhook", map[string]any{"url": hook.URL + "/refunds", "secret": ""})}}, http.StatusOK, nil)
		e.receive(t, "Nadia", "refund again")
		waitUntil(t, "the webhook is called with the kept secret", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(calls) == 3
		})
		mu.Lock()
		r, body = calls[2], bodies[2]
		mu.Unlock()
		sig = r.Header.Get(core.RuleWebhookSignatureHeader)
		ts, _, _ = strings.Cut(strings.TrimPrefix(sig, "t="), ",")
		fmt.Sscan(ts, &at)
		if want := core.SignWebhook(secret, time.Unix(at, 0), body); sig != want {
			t.Fatalf("after saving without the secret: signature %q, want %q", sig, want)
		}
	})
}

// TestAutomationBadRules: each new condition and action refuses what it
// cannot take, with 422, and stores nothing.
func TestAutomationBadRules(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newRuleEnv(t, apitest.Options{GuardURLs: true})
		with := func(conditions []any, actions ...map[string]any) map[string]any {
			if len(actions) == 0 {
				actions = []map[string]any{action("resolve", nil)}
			}
			return map[string]any{"name": "bad", "event": "message_created", "conditions": map[string]any{"all": conditions}, "actions": actions}
		}
		hook := func(url, secret string) map[string]any {
			return action("call_webhook", map[string]any{"url": url, "secret": secret})
		}
		email := func(inbox int64, to, subject, content string) map[string]any {
			return action("send_email", map[string]any{"inbox_id": inbox, "to": to, "subject": subject, "content": content})
		}
		for _, bad := range []map[string]any{
			with([]any{cond("contact_attribute", "equals", "Dhaka")}), // no key
			with([]any{map[string]any{"attribute": "content", "key": "city", "operator": "contains", "value": "x"}}),
			with([]any{cond("cart_value", "in", []int{1, 2})}),
			with([]any{cond("cart_value", "gte", "a lot")}),
			with([]any{cond("business_hours", "equals", "maybe")}),
			with([]any{cond("public", "equals", "yes")}),
			with(nil, action("send_canned_response", 99999)),
			with(nil, action("send_canned_response", "refund")),
			with(nil, email(e.inbox.ID, "ops@shop.example.com", "Hi", "Body")), // not an email inbox
			with(nil, email(99999, "ops@shop.example.com", "Hi", "Body")),
			with(nil, hook("ftp://example.com/hook", "0123456789abcdefgh")),
			with(nil, hook("http://127.0.0.1:9/hook", "0123456789abcdefgh")), // the server's own network
			with(nil, hook("https://hooks.example.com/x", "short")),
			with(nil, hook("https://hooks.example.com/x", "")), // a new webhook needs its secret
			with(nil, action("call_webhook", "https://hooks.example.com/x")),
		} {
			r := e.s.Call(t, e.owner.Token, http.MethodPost, "/api/v1/automation_rules", bad)
			wantError(t, r, http.StatusUnprocessableEntity, "invalid")
		}
		if got := items[struct{ ID int64 }](t, e.s, e.owner.Token, "/api/v1/automation_rules"); len(got) != 0 {
			t.Fatalf("invalid rules stored: %v", got)
		}
	})
}

// TestAutomationRunCap: one rule, no loop, a conversation that gets more
// messages in a minute than the cap: the runs past the cap are skipped
// and do nothing.
func TestAutomationRunCap(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newRuleEnv(t, apitest.Options{})
		rule := e.rule(t, map[string]any{"name": "note each", "event": "message_created",
			"conditions": map[string]any{"all": []any{cond("message_type", "equals", "incoming")}},
			"actions":    []any{action("add_private_note", "seen")}})
		const sent, limit = 25, 20
		var conv sahay.Conversation
		for range sent {
			conv = e.receive(t, "flood", "again")
		}
		waitUntil(t, "every message has its run", func() bool { return len(e.runs(t, rule)) == sent })
		ok, skipped := 0, 0
		for _, r := range e.runs(t, rule) {
			switch r.Outcome {
			case "ok":
				ok++
			case "skipped":
				skipped++
				if !strings.Contains(r.Detail, "runs in the last minute") {
					t.Errorf("skipped run's detail: %q", r.Detail)
				}
			}
		}
		if ok != limit || skipped != sent-limit {
			t.Fatalf("%d runs ok and %d skipped, want %d and %d", ok, skipped, limit, sent-limit)
		}
		notes := 0
		for _, m := range items[sahay.Message](t, e.s, e.owner.Token, fmt.Sprintf("/api/v1/conversations/%d/messages?limit=100", conv.ID)) {
			if m.Content == "seen" {
				notes++
			}
		}
		if notes != limit {
			t.Fatalf("%d notes, want %d: a skipped run acted", notes, limit)
		}
	})
}

// TestAutomationContactCreated: a rule on new contacts reads their
// attributes, calls its webhook with the contact alone and sends an
// email; the contact its own email makes triggers nothing; a rule that
// needs a conversation cannot run on contacts.
func TestAutomationContactCreated(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newRuleEnv(t, apitest.Options{})
		mail := smtptest.New(t, "none")
		mailbox := e.s.NewInbox(t, e.owner, "Support mail", "email", map[string]any{"address": "support@shop.example.com",
			"smtp_host": mail.Host, "smtp_port": mail.Port, "smtp_username": mail.Username, "smtp_password": mail.Password, "smtp_tls": "none"}, e.owner.ID)
		var mu sync.Mutex
		var bodies [][]byte
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, b)
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(hook.Close)

		// Conditions and actions that need a conversation are refused.
		for _, bad := range []map[string]any{
			{"name": "x", "event": "contact_created", "actions": []any{action("add_label", "vip")}},
			{"name": "x", "event": "contact_created", "conditions": map[string]any{"all": []any{cond("content", "contains", "hi")}},
				"actions": []any{action("call_webhook", map[string]any{"url": hook.URL, "secret": "0123456789abcdefgh"})}},
		} {
			wantError(t, e.s.Call(t, e.owner.Token, http.MethodPost, "/api/v1/automation_rules", bad), http.StatusUnprocessableEntity, "invalid")
		}
		e.s.Must(t, e.owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "vip"}, http.StatusCreated, nil)
		other := e.rule(t, map[string]any{"name": "label", "event": "message_created", "actions": []any{action("add_label", "vip")}})
		wantError(t, e.s.Call(t, e.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/automation_rules/%d", other), map[string]any{"event": "contact_created"}),
			http.StatusUnprocessableEntity, "invalid")

		dhaka := e.rule(t, map[string]any{"name": "Dhaka contacts", "event": "contact_created",
			"conditions": map[string]any{"all": []any{map[string]any{"attribute": "contact_attribute", "key": "city", "operator": "equals", "value": "Dhaka"}}},
			"actions": []any{
				action("call_webhook", map[string]any{"url": hook.URL + "/contacts", "secret": "0123456789abcdefgh"}),
				action("send_email", map[string]any{"inbox_id": mailbox.ID, "to": "sales@shop.example.com", "subject": "A new contact in Dhaka", "content": "Say hello."}),
			}})
		// Every new contact is mailed about; the contact the mail itself
		// makes (sales@) is a rule's doing and triggers nothing.
		every := e.rule(t, map[string]any{"name": "every contact", "event": "contact_created",
			"actions": []any{action("send_email", map[string]any{"inbox_id": mailbox.ID, "to": "sales@shop.example.com", "subject": "A new contact", "content": "Say hello."})}})
		var made struct{ ID int64 }
		e.s.Must(t, e.owner.Token, http.MethodPost, "/api/v1/contacts", map[string]any{"name": "Nadia", "email": "nadia@example.com", "attributes": map[string]any{"city": "Dhaka"}},
			http.StatusCreated, &made)
		e.receive(t, "joy", "hello") // a contact without a city
		waitUntil(t, "the webhook is called for the Dhaka contact", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(bodies) == 1
		})
		waitUntil(t, "the emails are sent", func() bool { return len(mail.Mails()) == 3 })
		var p core.RuleWebhookPayload
		mu.Lock()
		err := json.Unmarshal(bodies[0], &p)
		mu.Unlock()
		if err != nil || p.Conversation != nil || p.Contact == nil || p.Contact.ID != made.ID || p.Rule.Name != "Dhaka contacts" {
			t.Fatalf("webhook body: %+v %v", p, err)
		}
		// The engine has read every event, the contact the email made too.
		waitUntil(t, "the rules read every event", func() bool {
			b, err := e.s.App.Store.AutomationBacklogs(context.Background(), 0, 1)
			return err == nil && len(b) == 0
		})
		runs := e.runs(t, dhaka)
		if len(runs) != 1 || runs[0].Outcome != "ok" || runs[0].ConversationID != 0 || runs[0].Detail != fmt.Sprintf("call_webhook; send_email; contact %d", made.ID) {
			t.Fatalf("runs: %+v", runs)
		}
		if got := e.runs(t, every); len(got) != 2 {
			t.Fatalf("the rule ran %d times, want 2 (Nadia and joy, not the contact its own email made): %+v", len(got), got)
		}
		if n := len(mail.Mails()); n != 3 {
			t.Fatalf("%d mails, want 3", n)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(bodies) != 1 {
			t.Fatalf("%d webhook calls, want 1", len(bodies))
		}
	})
}

// TestAutomationWebhookRefused: a webhook that refuses the call for good
// (a 4xx) is not retried, and the rule's runs say it failed.
func TestAutomationWebhookRefused(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newRuleEnv(t, apitest.Options{})
		var mu sync.Mutex
		calls := 0
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			mu.Unlock()
			w.WriteHeader(http.StatusGone)
		}))
		t.Cleanup(hook.Close)
		rule := e.rule(t, map[string]any{"name": "gone", "event": "message_created",
			"actions": []any{action("call_webhook", map[string]any{"url": hook.URL, "secret": "0123456789abcdefgh"})}})
		c := e.receive(t, "rina", "hello")
		waitUntil(t, "the refused call is a failed run", func() bool {
			for _, r := range e.runs(t, rule) {
				if r.Outcome == "failed" && r.ConversationID == c.ID && strings.Contains(r.Detail, "410") {
					return true
				}
			}
			return false
		})
		time.Sleep(3 * time.Second) // past the first retry's wait
		mu.Lock()
		defer mu.Unlock()
		if calls != 1 {
			t.Fatalf("the webhook was called %d times, want 1: a refusal is final", calls)
		}
	})
}
