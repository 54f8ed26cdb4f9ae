package widget

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// phoneLine is a phone channel of these tests: a line with a number,
// open or closed.
type phoneLine struct {
	number string
	closed atomic.Bool
}

const (
	phoneChannel = "testphone"
	lineNumber   = "+8809612345678"
)

func (p *phoneLine) Validate(*sahay.Inbox) error { return nil }

func (p *phoneLine) Send(context.Context, channel.Outbound) (channel.SendResult, error) {
	return channel.SendResult{}, channel.Permanent(errors.New("a phone line sends no messages"))
}

func (p *phoneLine) Namespace() string { return "phone" }

func (p *phoneLine) Describe() channel.Description {
	return channel.Description{Capabilities: channel.Capabilities{Calls: true}}
}

func (p *phoneLine) Line(*sahay.Inbox, time.Time) (string, bool) { return p.number, !p.closed.Load() }

func (p *phoneLine) Call(context.Context, *sahay.Inbox, channel.CallRequest) (string, error) {
	return "", errors.New("these tests place no calls")
}

// withPhone registers the phone channel and makes a phone inbox in the
// env's account.
func (e *env) withPhone(t *testing.T) (*phoneLine, *sahay.Inbox) {
	t.Helper()
	line := &phoneLine{number: lineNumber}
	e.channels.Register(phoneChannel, line)
	name := "Hotline"
	inbox, err := e.svc.CreateInbox(context.Background(), e.agent, core.InboxInput{Name: &name, Channel: phoneChannel, Settings: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return line, inbox
}

// setWidget saves the widget inbox's settings and has the next visitor
// request read them.
func (e *env) setWidget(settings string) error {
	_, err := e.svc.UpdateInbox(context.Background(), e.agent, e.inbox.ID, core.InboxInput{Settings: json.RawMessage(settings)})
	e.widget.cache.reset()
	return err
}

func (e *env) mustSetWidget(t *testing.T, settings string) {
	t.Helper()
	if err := e.setWidget(settings); err != nil {
		t.Fatalf("save %s: %v", settings, err)
	}
}

// forgetLines drops the phone lines the widget keeps for a few seconds.
func (e *env) forgetLines() {
	e.widget.linesMu.Lock()
	clear(e.widget.lines)
	e.widget.linesMu.Unlock()
}

func TestPhoneSettings(t *testing.T) {
	if s, err := ParseSettings(json.RawMessage(`{}`)); err != nil || s.PhoneInboxID != 0 || s.CallUs || s.CallMeBack {
		t.Fatalf("defaults = %d %v %v, %v; want no phone inbox and no calls", s.PhoneInboxID, s.CallUs, s.CallMeBack, err)
	}
	for _, c := range []struct{ settings, reason string }{
		{`{"phone_inbox_id": -1}`, "phone_inbox_id is the id of a phone inbox, or 0"},
		{`{"call_us": true}`, "call_us and call_me_back need phone_inbox_id"},
		{`{"call_me_back": true, "phone_inbox_id": 0}`, "call_us and call_me_back need phone_inbox_id"},
		{`{"phone_inbox_id": "7"}`, "phone_inbox_id"},
	} {
		if _, err := ParseSettings(json.RawMessage(c.settings)); sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(sahay.ErrorMessage(err), c.reason) {
			t.Errorf("%s: %v, want invalid with %q", c.settings, err, c.reason)
		}
	}

	e := newEnv(t, `{}`, Limits{})
	ctx := context.Background()
	_, phone := e.withPhone(t)

	// A phone inbox of another account.
	var other sahay.Account
	other.Name = "Elsewhere"
	if _, err := e.store.Write(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, &other) }); err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.CreateUserCLI(ctx, other.ID, "owner@elsewhere.example", "Owner", sahay.RoleOwner, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := e.svc.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	name := "Their line"
	theirs, err := e.svc.CreateInbox(ctx, stranger, core.InboxInput{Name: &name, Channel: phoneChannel, Settings: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		what   string
		id     int64
		reason string
	}{
		{"another account's phone inbox", theirs.ID, fmt.Sprintf("phone_inbox_id %d is not an inbox of this account", theirs.ID)},
		{"a missing inbox", theirs.ID + 100, "is not an inbox of this account"},
		{"an inbox that takes no calls", e.inbox.ID, "takes no phone calls; choose a phone inbox"},
	} {
		err := e.setWidget(fmt.Sprintf(`{"phone_inbox_id": %d, "call_us": true}`, c.id))
		if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(sahay.ErrorMessage(err), c.reason) {
			t.Errorf("%s: %v, want invalid with %q", c.what, err, c.reason)
		}
		name := "Website 2"
		_, err = e.svc.CreateInbox(ctx, e.agent, core.InboxInput{Name: &name, Channel: Name,
			Settings: json.RawMessage(fmt.Sprintf(`{"phone_inbox_id": %d, "call_me_back": true}`, c.id))})
		if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(sahay.ErrorMessage(err), c.reason) {
			t.Errorf("a new widget inbox naming %s: %v, want invalid with %q", c.what, err, c.reason)
		}
	}
	if got := widgetSettings(t, e); got.PhoneInboxID != 0 || got.CallUs {
		t.Fatalf("refused settings were saved: %+v", got)
	}
	inboxes, err := e.svc.Inboxes(ctx, e.agent)
	if err != nil || len(inboxes) != 2 {
		t.Fatalf("inboxes after refused creations = %d, %v; want the widget and the phone inbox", len(inboxes), err)
	}

	e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d, "call_me_back": true}`, phone.ID))
	if got := widgetSettings(t, e); got.PhoneInboxID != phone.ID || got.CallUs || !got.CallMeBack {
		t.Fatalf("saved settings = %+v", got)
	}
}

func widgetSettings(t *testing.T, e *env) Settings {
	t.Helper()
	in, err := e.svc.InboxWithSecrets(context.Background(), e.agent.AccountID(), e.inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSettings(in.Settings)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConfigOffersThePhoneLine(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	ctx := context.Background()
	line, phone := e.withPhone(t)
	phoneOf := func() *publicPhone {
		t.Helper()
		e.forgetLines()
		return e.session(SessionRequest{}).Settings.Phone
	}
	if p := phoneOf(); p != nil {
		t.Fatalf("a widget without a phone inbox offers %+v", p)
	}

	e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d, "call_us": true, "call_me_back": true}`, phone.ID))
	if p := phoneOf(); p == nil || *p != (publicPhone{Number: lineNumber, Open: true, CallMeBack: true}) {
		t.Fatalf("open with nobody to answer: %+v", p)
	}

	// An agent with a phone number who has the dashboard open takes calls.
	number := "+8801711000111"
	if _, err := e.svc.UpdateUser(ctx, e.agent, e.agent.User.ID, core.UserInput{Phone: &number}); err != nil {
		t.Fatal(err)
	}
	s := e.session(SessionRequest{})
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	gone := e.svc.AgentConnected(e.agent)
	if f := ws.next("status"); field(f, "phone", "available") != true || field(f, "phone", "number") != lineNumber {
		t.Fatalf("the open window is told %v, want someone available", f)
	}
	if p := phoneOf(); p == nil || !p.Available || !p.Open {
		t.Fatalf("with an agent available: %+v", p)
	}
	gone()
	if f := ws.next("status"); field(f, "phone", "available") != false {
		t.Fatalf("the open window is told %v once the agent left, want nobody available", f)
	}
	gone = e.svc.AgentConnected(e.agent)
	defer gone()

	// Out of the line's hours nobody takes calls.
	line.closed.Store(true)
	if p := phoneOf(); p == nil || p.Available || p.Open || p.Number != lineNumber {
		t.Fatalf("closed: %+v", p)
	}
	line.closed.Store(false)

	// Without call_us the number is not shown; without either option
	// nothing is offered.
	e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d, "call_me_back": true}`, phone.ID))
	if p := phoneOf(); p == nil || p.Number != "" || !p.CallMeBack || !p.Available {
		t.Fatalf("call me back only: %+v", p)
	}
	e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d}`, phone.ID))
	if p := phoneOf(); p != nil {
		t.Fatalf("neither option: %+v", p)
	}

	// The preview shows a number only when the saved settings show it:
	// anyone may ask it for any settings.
	preview := func(settings string) string {
		t.Helper()
		resp, err := http.Get(e.srv.URL + "/widget/preview?inbox=" + e.token + "&settings=" + settings)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("preview %s: %d %s", settings, resp.StatusCode, body)
		}
		return string(body)
	}
	draft := fmt.Sprintf(`{"phone_inbox_id":%d,"call_us":true}`, phone.ID)
	if page := preview(draft); strings.Contains(page, lineNumber) || !strings.Contains(page, `"number":"+•••••••••••••"`) {
		t.Errorf("the preview of unsaved settings shows the number, or no masked number")
	}
	e.mustSetWidget(t, draft)
	if page := preview(draft); !strings.Contains(page, lineNumber) {
		t.Errorf("the preview of saved settings shows no number")
	}
}

// post makes a JSON request and decodes the answer, whatever its status,
// into out.
func (e *env) post(path, token string, body, out any) *http.Response {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// phoneConversations lists the conversations of the phone inbox.
func phoneConversations(t *testing.T, e *env, inboxID int64) []*sahay.Conversation {
	t.Helper()
	list, _, err := e.svc.ListConversations(context.Background(), e.agent, core.ListQuery{InboxID: inboxID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// callbackEntries lists a conversation's call-back requests.
func callbackEntries(t *testing.T, e *env, conv int64) []*sahay.Message {
	t.Helper()
	msgs, err := e.store.Messages(context.Background(), e.agent.AccountID(), conv, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(msgs, func(m *sahay.Message) bool {
		return m.Details == nil || m.Details.Call == nil || m.Details.Call.Direction != sahay.CallbackRequest
	})
}

func TestVisitorAsksForACallBack(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnvOn(t, open(t), `{}`, Limits{})
		ctx := context.Background()
		_, phone := e.withPhone(t)
		s := e.session(SessionRequest{})
		good := CallbackRequest{Phone: "+880 1711 223344", PreferredTime: "after 5 pm", Note: "About my order #1042"}

		e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d, "call_us": true}`, phone.ID))
		if code, ecode := e.call("POST", "/widget/v1/callback", s.Token, good, nil); code != 403 || ecode != "forbidden" {
			t.Fatalf("a widget without call_me_back: %d %s", code, ecode)
		}
		e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d, "call_me_back": true}`, phone.ID))
		if code, ecode := e.call("POST", "/widget/v1/callback", "", good, nil); code != 401 {
			t.Fatalf("without a visitor token: %d %s", code, ecode)
		}

		// Bad input is refused with the reason and changes nothing, nor
		// does it cost the visitor one of their requests.
		for _, c := range []struct {
			body   any
			status int
			code   string
		}{
			{CallbackRequest{Phone: "01711223344"}, 422, "invalid"},
			{CallbackRequest{Phone: "+880-1711-223344"}, 422, "invalid"},
			{CallbackRequest{}, 422, "invalid"},
			{CallbackRequest{Phone: good.Phone, PreferredTime: strings.Repeat("x", 101)}, 422, "invalid"},
			{CallbackRequest{Phone: good.Phone, Note: strings.Repeat("x", 1001)}, 422, "invalid"},
			{CallbackRequest{Phone: good.Phone, Note: "call me\x00"}, 422, "invalid"},
			{map[string]any{"phone": good.Phone, "name": "Mallory"}, 400, "bad_request"},
			{[]byte(`{"phone": `), 400, "bad_request"},
		} {
			if code, ecode := e.call("POST", "/widget/v1/callback", s.Token, c.body, nil); code != c.status || ecode != c.code {
				t.Errorf("%v: %d %s, want %d %s", c.body, code, ecode, c.status, c.code)
			}
		}
		var refused struct {
			Error struct{ Message string }
		}
		resp := e.post("/widget/v1/callback", s.Token, CallbackRequest{Phone: "01711223344"}, &refused)
		if resp.StatusCode != 422 || !strings.Contains(refused.Error.Message, "country code") {
			t.Errorf("a number without its country code: %d %q", resp.StatusCode, refused.Error.Message)
		}
		if list := phoneConversations(t, e, phone.ID); len(list) != 0 {
			t.Fatalf("refused requests made %d conversations", len(list))
		}

		// The visitor named themselves in the pre-chat form: the request
		// carries their name and email.
		if code, ecode := e.call("POST", "/widget/v1/contact", s.Token, ContactRequest{Name: "Rina Akter", Email: "rina@example.com"}, nil); code != 200 {
			t.Fatalf("contact: %d %s", code, ecode)
		}
		var answer struct{ Phone string }
		if code, ecode := e.call("POST", "/widget/v1/callback", s.Token, good, &answer); code != 200 || answer.Phone != "+8801711223344" {
			t.Fatalf("callback: %d %s %+v", code, ecode, answer)
		}
		list := phoneConversations(t, e, phone.ID)
		if len(list) != 1 || !slices.Contains(list[0].Labels, sahay.CallBackLabel) || list[0].WaitingSince == nil {
			t.Fatalf("the phone inbox's conversations = %+v, want one waiting with the call-back label", list)
		}
		entries := callbackEntries(t, e, list[0].ID)
		if len(entries) != 1 || entries[0].Details.Call.PreferredTime != "after 5 pm" || entries[0].Content != "About my order #1042" ||
			entries[0].Details.Call.From != "+8801711223344" {
			t.Fatalf("the request's entry = %+v", entries)
		}
		c, err := e.store.Contact(ctx, e.agent.AccountID(), list[0].ContactID)
		if err != nil || c.Name != "Rina Akter" || c.Email != "rina@example.com" || c.Phone != "+8801711223344" {
			t.Fatalf("the caller's contact = %+v, %v", c, err)
		}

		// Three requests an hour: the fourth is refused, says when to try
		// again, and changes nothing.
		for i := 2; i <= 3; i++ {
			if code, ecode := e.call("POST", "/widget/v1/callback", s.Token, good, nil); code != 200 {
				t.Fatalf("request %d: %d %s", i, code, ecode)
			}
		}
		var limited struct {
			Error struct{ Code, Message string }
		}
		resp = e.post("/widget/v1/callback", s.Token, good, &limited)
		if resp.StatusCode != 429 || limited.Error.Code != "rate_limited" || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(limited.Error.Message, "call-back requests") {
			t.Fatalf("the fourth request: %d %+v, Retry-After %q", resp.StatusCode, limited, resp.Header.Get("Retry-After"))
		}
		list = phoneConversations(t, e, phone.ID)
		if n := len(callbackEntries(t, e, list[0].ID)); len(list) != 1 || n != 3 {
			t.Fatalf("after the refused request: %d conversations, %d requests; want 1 and 3", len(list), n)
		}

		// Another visitor has requests of their own.
		other := e.session(SessionRequest{})
		if code, ecode := e.call("POST", "/widget/v1/callback", other.Token, CallbackRequest{Phone: "+8801811223344"}, nil); code != 200 {
			t.Fatalf("another visitor: %d %s", code, ecode)
		}
		if list := phoneConversations(t, e, phone.ID); len(list) != 2 {
			t.Fatalf("%d conversations after another visitor's request, want 2", len(list))
		}

		// Once the phone inbox is gone the chat offers no calls, and says
		// so to a window that still shows the form.
		if err := e.svc.DeleteInbox(ctx, e.agent, phone.ID); err != nil {
			t.Fatal(err)
		}
		e.forgetLines()
		if p := e.session(SessionRequest{}).Settings.Phone; p != nil {
			t.Fatalf("a deleted phone inbox is offered: %+v", p)
		}
		if code, ecode := e.call("POST", "/widget/v1/callback", other.Token, CallbackRequest{Phone: "+8801811223344"}, nil); code != 409 || ecode != "conflict" {
			t.Fatalf("a request once the phone inbox is gone: %d %s", code, ecode)
		}
	})
}

func TestCallbacksPerAddressAndInbox(t *testing.T) {
	e := newEnv(t, `{}`, Limits{CallbacksPerAddress: ratelimit.Rate{Burst: 4, Every: time.Hour}, CallbacksPerInbox: ratelimit.Rate{Burst: 6, Every: time.Hour}})
	e.widget.cfg.TrustedProxies = 1
	_, phone := e.withPhone(t)
	e.mustSetWidget(t, fmt.Sprintf(`{"phone_inbox_id": %d, "call_me_back": true}`, phone.ID))
	// A crowd of made-up visitors from one address.
	for i := range 5 {
		s := e.session(SessionRequest{})
		code, ecode := e.call("POST", "/widget/v1/callback", s.Token, CallbackRequest{Phone: fmt.Sprintf("+88017112233%02d", i)}, nil)
		if i < 4 && code != 200 || i == 4 && (code != 429 || ecode != "rate_limited") {
			t.Fatalf("request %d from one address: %d %s", i+1, code, ecode)
		}
	}
	// From other addresses, until the website's own limit.
	for i := range 3 {
		s := e.session(SessionRequest{})
		code, ecode := e.call("POST", "/widget/v1/callback", s.Token, CallbackRequest{Phone: fmt.Sprintf("+88018112233%02d", i)}, nil,
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		if i < 2 && code != 200 || i == 2 && (code != 429 || ecode != "rate_limited") {
			t.Fatalf("request %d from another address: %d %s", i+1, code, ecode)
		}
	}
	if list := phoneConversations(t, e, phone.ID); len(list) != 6 {
		t.Fatalf("%d conversations, want the 6 requests the limits allow", len(list))
	}
}
