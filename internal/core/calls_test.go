package core_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// line is a phone channel of these tests: a webhook delivers a
// channel.Parsed as JSON, journalled under the key its Key header names,
// and placed calls are recorded.
type line struct {
	mu     sync.Mutex
	calls  []channel.CallRequest
	fail   error
	number string
	open   bool
}

const lineName = "line"

func (l *line) Validate(*sahay.Inbox) error { return nil }

func (l *line) Send(context.Context, channel.Outbound) (channel.SendResult, error) {
	return channel.SendResult{}, channel.Permanent(errors.New("a phone line sends no messages"))
}

func (l *line) Namespace() string { return "phone" }

func (l *line) Describe() channel.Description {
	return channel.Description{Capabilities: channel.Capabilities{Calls: true}}
}

func (l *line) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	return channel.Hook{Events: []channel.Raw{{DedupeKey: r.Header.Get("Key"), Body: body}}}, nil
}

func (l *line) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	var p channel.Parsed
	err := json.Unmarshal(raw.Body, &p)
	return p, err
}

func (l *line) Line(inbox *sahay.Inbox, t time.Time) (string, bool) { return l.number, l.open }

func (l *line) Call(ctx context.Context, inbox *sahay.Inbox, req channel.CallRequest) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return "", l.fail
	}
	l.calls = append(l.calls, req)
	return "CA-out-" + strings.Repeat("1", len(l.calls)), nil
}

type lineFixture struct {
	st    *store.Store
	svc   *core.Service
	line  *line
	owner *core.Actor
	inbox *sahay.Inbox
}

const (
	lineNumber = "+8809612345678"
	caller     = "+8801711223344"
)

func newLineFixture(t *testing.T, st *store.Store) *lineFixture {
	ctx := context.Background()
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &lineFixture{st: st, line: &line{number: lineNumber, open: true}}
	channels := channel.NewRegistry()
	channels.Register(lineName, f.line)
	f.svc = core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channels,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(f.svc.Close)
	account := storetest.MustAccount(t, st, "Haat")
	if f.owner, err = f.svc.Actor(ctx, storetest.MustUser(t, st, account.ID, "owner@haat.example", sahay.RoleAdmin)); err != nil {
		t.Fatal(err)
	}
	name := "Hotline"
	if f.inbox, err = f.svc.CreateInbox(ctx, f.owner, core.InboxInput{Name: &name, Channel: lineName, Settings: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	return f
}

// deliver posts a platform's event to the inbox's webhook, as its adapter
// would journal it.
func (f *lineFixture) deliver(t *testing.T, key string, p channel.Parsed) {
	t.Helper()
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/webhooks/1", nil)
	r.Header.Set("Key", key)
	if _, err := f.svc.Webhook(context.Background(), f.inbox.ID, r, "", body); err != nil {
		t.Fatalf("webhook %s: %v", key, err)
	}
}

// call waits for the entry of a call and returns it once ok holds.
func (f *lineFixture) call(t *testing.T, externalID string, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	var m *sahay.Message
	storetest.Eventually(t, 10*time.Second, "call "+externalID, func() bool {
		var err error
		m, err = f.st.MessageByExternalID(context.Background(), f.inbox.ID, externalID)
		return err == nil && ok(m)
	})
	return m
}

func (f *lineFixture) conversation(t *testing.T, id int64) *sahay.Conversation {
	t.Helper()
	c, err := f.svc.Conversation(context.Background(), f.owner, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ringing(sid string) channel.Parsed {
	return channel.Parsed{Messages: []channel.Inbound{{ExternalID: sid, Namespace: "phone", ContactID: caller, Phone: caller,
		Details: &sahay.MessageDetails{Call: &sahay.Call{Direction: sahay.CallInbound, Status: sahay.CallRinging, From: caller, To: lineNumber}}}}}
}

func report(sid string, c sahay.Call) channel.Parsed {
	return channel.Parsed{Calls: []channel.CallEvent{{ExternalID: sid, Call: c}}}
}

func (f *lineFixture) withPhone(t *testing.T, a *core.Actor, phone string) *core.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := f.svc.UpdateUser(ctx, a, a.User.ID, core.UserInput{Phone: &phone})
	if err != nil {
		t.Fatal(err)
	}
	a, err = f.svc.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMissedCallWaitsForACallBack(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		f.deliver(t, "call:CA1", ringing("CA1"))
		entry := f.call(t, "CA1", func(*sahay.Message) bool { return true })
		conv := f.conversation(t, entry.ConversationID)
		if conv.LastMessage != "📞 "+caller || entry.Kind != sahay.MessageIncoming {
			t.Errorf("a ringing call: preview %q, kind %s", conv.LastMessage, entry.Kind)
		}

		// Nobody answers: the customer waits for a call back.
		f.deliver(t, "status:CA1:no-answer", report("CA1", sahay.Call{Status: sahay.CallNoAnswer}))
		entry = f.call(t, "CA1", func(m *sahay.Message) bool { return m.Details.Call.Outcome != "" })
		if c := entry.Details.Call; c.Outcome != sahay.OutcomeMissed || c.Status != sahay.CallNoAnswer {
			t.Fatalf("unanswered call = %+v, want missed", c)
		}
		storetest.Eventually(t, 10*time.Second, "the call-back label", func() bool {
			return slices.Contains(f.conversation(t, conv.ID).Labels, sahay.CallBackLabel)
		})
		conv = f.conversation(t, conv.ID)
		if conv.Status != sahay.StatusOpen || conv.WaitingSince == nil || conv.FirstReplyAt != nil {
			t.Fatalf("conversation of a missed call = %+v", conv)
		}

		// The same reports again, and a late "ringing", change nothing.
		before, _ := f.st.Messages(ctx, f.owner.AccountID(), conv.ID, 0, 100)
		f.deliver(t, "status:CA1:no-answer", report("CA1", sahay.Call{Status: sahay.CallNoAnswer}))
		f.deliver(t, "status:CA1:ringing", report("CA1", sahay.Call{Status: sahay.CallRinging}))
		f.deliver(t, "call:CA1", ringing("CA1"))
		time.Sleep(300 * time.Millisecond)
		after, _ := f.st.Messages(ctx, f.owner.AccountID(), conv.ID, 0, 100)
		if len(after) != len(before) {
			t.Fatalf("repeated reports added %d messages", len(after)-len(before))
		}
		if again := f.call(t, "CA1", func(*sahay.Message) bool { return true }); again.Details.Call.Status != sahay.CallNoAnswer {
			t.Fatalf("a late ringing moved the call back to %s", again.Details.Call.Status)
		}

		// The agent calls back: that answers the customer who waited, and
		// the label goes once the customer picks up.
		if _, err := f.svc.StartCall(ctx, f.owner, conv.ID); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Fatalf("a call by an agent without a phone: %v, want invalid", err)
		}
		agent := f.withPhone(t, f.owner, "+880 1999 000111")
		if agent.User.Phone != "+8801999000111" {
			t.Fatalf("phone kept as %q", agent.User.Phone)
		}
		out, err := f.svc.StartCall(ctx, agent, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c := out.Details.Call; c.Direction != sahay.CallOutbound || c.To != caller || c.From != lineNumber || c.AgentID != agent.User.ID || out.ExternalID == "" {
			t.Fatalf("callback entry = %+v (%s)", c, out.ExternalID)
		}
		if req := f.line.calls[0]; req.AgentPhone != "+8801999000111" || req.CustomerPhone != caller || req.MessageID != out.ID {
			t.Fatalf("the line was asked %+v", req)
		}
		conv = f.conversation(t, conv.ID)
		if conv.FirstReplyAt == nil || conv.WaitingSince != nil || conv.AssigneeID != agent.User.ID {
			t.Fatalf("a call back did not answer the customer: %+v", conv)
		}
		answered := time.Now().UTC().Truncate(time.Second)
		// The platform may name the call by its entry before by its id.
		f.deliver(t, "bridged:"+out.ExternalID, channel.Parsed{Calls: []channel.CallEvent{{MessageID: out.ID,
			Call: sahay.Call{Status: sahay.CallInProgress, Outcome: sahay.OutcomeAnswered, AnsweredAt: &answered}}}})
		storetest.Eventually(t, 10*time.Second, "the call-back label to go", func() bool {
			return !slices.Contains(f.conversation(t, conv.ID).Labels, sahay.CallBackLabel)
		})
		f.deliver(t, "status:"+out.ExternalID+":completed", report(out.ExternalID, sahay.Call{Status: sahay.CallCompleted, DurationSeconds: 75}))
		done := f.call(t, out.ExternalID, func(m *sahay.Message) bool { return m.Details.Call.Status == sahay.CallCompleted })
		if c := done.Details.Call; c.Outcome != sahay.OutcomeAnswered || c.DurationSeconds != 75 {
			t.Fatalf("finished callback = %+v", c)
		}
	})
}

func TestAnsweredCallAndVoicemail(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newLineFixture(t, open(t))

		// Answered: the one who took it owns the conversation, and the
		// customer no longer waits.
		f.deliver(t, "call:CA2", ringing("CA2"))
		at := time.Now().UTC().Truncate(time.Second)
		f.deliver(t, "answer:CA2", report("CA2", sahay.Call{Status: sahay.CallInProgress, Outcome: sahay.OutcomeAnswered,
			AgentID: f.owner.User.ID, AnsweredAt: &at}))
		entry := f.call(t, "CA2", func(m *sahay.Message) bool { return m.Details.Call.Outcome == sahay.OutcomeAnswered })
		conv := f.conversation(t, entry.ConversationID)
		if conv.AssigneeID != f.owner.User.ID || conv.WaitingSince != nil || conv.FirstReplyAt == nil || slices.Contains(conv.Labels, sahay.CallBackLabel) {
			t.Fatalf("conversation of an answered call = %+v", conv)
		}
		f.deliver(t, "status:CA2:completed", report("CA2", sahay.Call{Status: sahay.CallCompleted, DurationSeconds: 192}))
		f.call(t, "CA2", func(m *sahay.Message) bool { return m.Details.Call.DurationSeconds == 192 })

		// A voicemail on another call: a message of its own, its
		// transcript arriving later.
		f.deliver(t, "call:CA3", ringing("CA3"))
		f.deliver(t, "recording:RE3", channel.Parsed{
			Messages: []channel.Inbound{{ExternalID: "RE3", Namespace: "phone", ContactID: caller, Phone: caller,
				Details: &sahay.MessageDetails{Voicemail: &sahay.Voicemail{Call: "CA3", DurationSeconds: 14, Transcript: "pending"}}}},
			Calls: []channel.CallEvent{{ExternalID: "CA3", Call: sahay.Call{Outcome: sahay.OutcomeVoicemail, Voicemail: "RE3"}}},
		})
		entry = f.call(t, "CA3", func(m *sahay.Message) bool { return m.Details.Call.Outcome == sahay.OutcomeVoicemail })
		f.deliver(t, "status:CA3:completed", report("CA3", sahay.Call{Status: sahay.CallCompleted, DurationSeconds: 30}))
		f.deliver(t, "transcript:RE3", channel.Parsed{Calls: []channel.CallEvent{{Recording: "RE3", Transcript: " আমার অর্ডার এখনো আসেনি "}}})
		vm := f.call(t, "RE3", func(m *sahay.Message) bool { return m.Details.Voicemail.Transcript == "completed" })
		if vm.Content != "আমার অর্ডার এখনো আসেনি" || vm.ConversationID != entry.ConversationID {
			t.Fatalf("voicemail = %q in %d, want the transcript in %d", vm.Content, vm.ConversationID, entry.ConversationID)
		}
		if c := f.call(t, "CA3", func(m *sahay.Message) bool { return m.Details.Call.Status == sahay.CallCompleted }).Details.Call; c.Outcome != sahay.OutcomeVoicemail {
			t.Fatalf("a completed report after the voicemail made the outcome %s", c.Outcome)
		}
		if !slices.Contains(f.conversation(t, entry.ConversationID).Labels, sahay.CallBackLabel) {
			t.Fatalf("a voicemail did not ask for a call back")
		}
	})
}

func TestCallRefusals(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		agent := f.withPhone(t, f.owner, "+8801999000111")
		if _, err := f.svc.UpdateUser(ctx, agent, agent.User.ID, core.UserInput{Phone: ptr("01999000111")}); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("a phone without its country code: %v, want invalid", err)
		}

		// A customer known by no number cannot be called.
		name := "Chat"
		other, err := f.svc.CreateInbox(ctx, f.owner, core.InboxInput{Name: &name, Channel: lineName, Settings: json.RawMessage(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Receive(ctx, channel.Inbound{InboxID: other.ID, ContactID: "visitor-1", ExternalID: "m1", Content: "hi"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.StartCall(ctx, agent, got.Conversation.ID); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("calling a customer without a number: %v, want invalid", err)
		}

		// A call the platform refuses is recorded as failed and said.
		f.deliver(t, "call:CA9", ringing("CA9"))
		entry := f.call(t, "CA9", func(*sahay.Message) bool { return true })
		f.line.fail = errors.New("the number is not verified")
		if _, err := f.svc.StartCall(ctx, agent, entry.ConversationID); err == nil || !strings.Contains(err.Error(), "not verified") {
			t.Fatalf("a refused call: %v", err)
		}
		msgs, _ := f.st.Messages(ctx, f.owner.AccountID(), entry.ConversationID, 0, 100)
		last := msgs[len(msgs)-1]
		if last.Details == nil || last.Details.Call == nil || last.Details.Call.Outcome != sahay.OutcomeFailed || last.Status != sahay.DeliveryFailed {
			t.Fatalf("a refused call's entry = %+v", last)
		}

		// Calls cost money: an agent places a few at once, no more.
		f.line.fail = nil
		var limited error
		for range 10 {
			if _, err := f.svc.StartCall(ctx, agent, entry.ConversationID); err != nil {
				limited = err
				break
			}
		}
		if sahay.ErrorCode(limited) != sahay.ERATELIMITED {
			t.Fatalf("ten calls at once: %v, want rate limited", limited)
		}
	})
}

func TestCallbackRequest(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		for _, bad := range []core.CallbackRequest{
			{Phone: "01711223344"},
			{Phone: caller, PreferredTime: strings.Repeat("x", 101)},
			{Phone: caller, Note: strings.Repeat("x", 1001)},
			{Phone: caller, PreferredTime: "after 5\npm"},
			{Phone: caller, Note: "call me\x00"},
		} {
			if _, err := f.svc.RequestCallback(ctx, f.owner.AccountID(), f.inbox.ID, bad); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("request %+v: %v, want invalid", bad, err)
			}
		}
		if list, _ := f.st.Messages(ctx, f.owner.AccountID(), 1, 0, 10); len(list) != 0 {
			t.Fatalf("refused requests stored %d messages", len(list))
		}
		conv, err := f.svc.RequestCallback(ctx, f.owner.AccountID(), f.inbox.ID, core.CallbackRequest{Phone: "+880 1711 223344",
			Name: "Rina", PreferredTime: "after 5 pm", Note: "about my refund"})
		if err != nil {
			t.Fatal(err)
		}
		conv = f.conversation(t, conv.ID)
		if conv.InboxID != f.inbox.ID || !slices.Contains(conv.Labels, sahay.CallBackLabel) || conv.WaitingSince == nil {
			t.Fatalf("callback request's conversation = %+v", conv)
		}
		msgs, _ := f.st.Messages(ctx, f.owner.AccountID(), conv.ID, 0, 10)
		var req *sahay.Message
		for _, m := range msgs {
			if m.Details != nil && m.Details.Call != nil {
				req = m
			}
		}
		if req == nil || req.Details.Call.Direction != sahay.CallbackRequest || req.Details.Call.PreferredTime != "after 5 pm" || req.Content != "about my refund" {
			t.Fatalf("callback request entry = %+v", req)
		}
		line, err := f.svc.Line(ctx, f.owner.AccountID(), f.inbox.ID)
		if err != nil || line.Number != lineNumber || !line.Open || line.Available {
			t.Fatalf("line = %+v, %v; want open with nobody available", line, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
