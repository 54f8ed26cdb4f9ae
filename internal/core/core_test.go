package core_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// hookRequest is one call the webhook server received.
type hookRequest struct {
	header http.Header
	body   []byte
	status int
}

// webhook is an integrator's endpoint for an API inbox's replies. answer
// picks the status of the nth call (from 1); while gate is open-ended
// (non-nil and not closed) calls wait on it.
type webhook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []hookRequest
	answer func(n int) int
	gate   chan struct{}
}

func newWebhook(t *testing.T) *webhook {
	h := &webhook{answer: func(int) int { return http.StatusOK }}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		gate := h.gate
		h.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		h.mu.Lock()
		status := h.answer(len(h.calls) + 1)
		h.calls = append(h.calls, hookRequest{header: r.Header.Clone(), body: body, status: status})
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *webhook) set(answer func(n int) int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answer = answer
}

func (h *webhook) received() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls)
}

// fixture is a running service with an account, an administrator, an agent
// and two API inboxes: the agent works "mine" and not "theirs".
type fixture struct {
	st         *store.Store
	svc        *core.Service
	account    *sahay.Account
	adminUser  *sahay.User
	agentUser  *sahay.User
	admin      *core.Actor
	agent      *core.Actor
	mine       *sahay.Inbox
	theirs     *sahay.Inbox
	hook       *webhook
	hookSecret string
}

// run runs fn on a fresh fixture for each dialect, in parallel.
func run(t *testing.T, fn func(t *testing.T, f *fixture)) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		fn(t, newFixture(t, open(t)))
	})
}

// newService returns a running service without the scorer, whose events
// would come between those the tests expect; scoring_test.go starts it
// with [newScoringService].
func newService(t *testing.T, st *store.Store) *core.Service {
	return startService(t, st, true, nil)
}

// newScoringService returns a running service that scores what it
// receives.
func newScoringService(t *testing.T, st *store.Store) *core.Service {
	return startService(t, st, false, nil)
}

// startService starts a service, its configuration changed by edit when
// edit is not nil.
func startService(t *testing.T, st *store.Store, noScoring bool, edit func(*core.Config)) *core.Service {
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	channels := channel.NewRegistry()
	cfg := core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channels, NoScoring: noScoring,
		Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if edit != nil {
		edit(&cfg)
	}
	svc := core.New(cfg)
	channels.Register(apichannel.Name, apichannel.New(svc, true))
	return svc
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	return fixtureOf(t, st, newService(t, st))
}

// newFixtureWith is newFixture with the service's configuration changed by
// edit.
func newFixtureWith(t *testing.T, st *store.Store, edit func(*core.Config)) *fixture {
	return fixtureOf(t, st, startService(t, st, true, edit))
}

// fixtureOf sets up the fixture's account, users and inboxes for svc.
func fixtureOf(t *testing.T, st *store.Store, svc *core.Service) *fixture {
	ctx := context.Background()
	f := &fixture{st: st, hook: newWebhook(t), hookSecret: "whsec-" + rand.Text()}
	f.svc = svc
	t.Cleanup(f.svc.Close)
	f.account = storetest.MustAccount(t, st, "Dokan")
	f.adminUser = storetest.MustUser(t, st, f.account.ID, "owner@dokan.example", sahay.RoleAdmin)
	f.agentUser = storetest.MustUser(t, st, f.account.ID, "agent@dokan.example", sahay.RoleAgent)
	var err error
	if f.admin, err = f.svc.Actor(ctx, f.adminUser); err != nil {
		t.Fatal(err)
	}
	settings := json.RawMessage(fmt.Sprintf(`{"webhook_url":%q}`, f.hook.srv.URL))
	for _, in := range []struct {
		name string
		dst  **sahay.Inbox
	}{{"Mine", &f.mine}, {"Theirs", &f.theirs}} {
		*in.dst, err = f.svc.CreateInbox(ctx, f.admin, core.InboxInput{Name: &in.name, Channel: apichannel.Name, Settings: settings,
			Secrets: map[string]string{apichannel.SecretKey: f.hookSecret}})
		if err != nil {
			t.Fatalf("CreateInbox %s: %v", in.name, err)
		}
	}
	if _, err := f.svc.SetInboxMembers(ctx, f.admin, f.mine.ID, []int64{f.agentUser.ID}); err != nil {
		t.Fatalf("SetInboxMembers: %v", err)
	}
	if f.agent, err = f.svc.Actor(ctx, f.agentUser); err != nil {
		t.Fatal(err)
	}
	return f
}

// receive feeds one customer message through the inbound pipeline.
func (f *fixture) receive(t *testing.T, inbox *sahay.Inbox, contactID, externalID, content string) *core.Received {
	t.Helper()
	r, err := f.svc.Receive(context.Background(), channel.Inbound{InboxID: inbox.ID, ContactID: contactID, ExternalID: externalID, Content: content})
	if err != nil {
		t.Fatalf("Receive %s from %s: %v", externalID, contactID, err)
	}
	return r
}

func (f *fixture) lastSeq(t *testing.T) int64 {
	t.Helper()
	seq, err := f.st.LastEventSeq(context.Background(), f.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// eventsAfter returns the account's events after seq, checking they are
// numbered without gaps.
func (f *fixture) eventsAfter(t *testing.T, seq int64) []sahay.Event {
	t.Helper()
	return gaplessEvents(t, f.st, f.account.ID, seq)
}

// gaplessEvents returns an account's events after seq, checking that they
// are its own and numbered without gaps.
func gaplessEvents(t *testing.T, st *store.Store, accountID, seq int64) []sahay.Event {
	t.Helper()
	events, err := st.EventsAfter(context.Background(), accountID, seq, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range events {
		if ev.Seq != seq+int64(i)+1 || ev.AccountID != accountID {
			t.Fatalf("account %d, event numbers after %d: %v, not its own and gapless", accountID, seq, eventTypes(events))
		}
	}
	return events
}

// conversationEvents keeps the events of conversations and messages,
// leaving out those of side effects such as notifications.
func conversationEvents(events []sahay.Event) []sahay.Event {
	var out []sahay.Event
	for _, ev := range events {
		if strings.HasPrefix(ev.Type, "conversation.") || strings.HasPrefix(ev.Type, "message.") {
			out = append(out, ev)
		}
	}
	return out
}

func eventTypes(events []sahay.Event) []string {
	out := []string{}
	for _, ev := range events {
		out = append(out, fmt.Sprintf("%d:%s", ev.Seq, ev.Type))
	}
	return out
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := storetest.DB(t, f.st).QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (f *fixture) message(t *testing.T, id int64) *sahay.Message {
	t.Helper()
	m, err := f.st.Message(context.Background(), f.account.ID, id)
	if err != nil {
		t.Fatalf("Message %d: %v", id, err)
	}
	return m
}

func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := sahay.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func TestReceiveCreatesContactConversationMessage(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		sub, err := f.svc.Bus().Subscribe(f.account.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		before := f.lastSeq(t)
		// Decomposed vowel sign o: stored composed (NFC).
		r, err := f.svc.Receive(ctx, channel.Inbound{InboxID: f.mine.ID, ExternalID: "msg-1", ContactID: "cust-7",
			Name: "  রহিম  ", Email: " Rahim@Example.COM ", Content: "  আমার অর্ডার ক\u09C7\u09BEথায়?  "})
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		if r.Duplicate {
			t.Fatalf("first message reported as duplicate")
		}
		m, c := r.Message, r.Conversation
		if m.ID == 0 || m.Content != "আমার অর্ডার ক\u09CBথায়?" || m.Kind != sahay.MessageIncoming || m.SenderType != sahay.SenderContact ||
			m.ExternalID != "msg-1" || m.ConversationID != c.ID || m.InboxID != f.mine.ID {
			t.Errorf("message = %+v", m)
		}
		if c.ID == 0 || c.DisplayID != 1 || c.Status != sahay.StatusOpen || c.InboxID != f.mine.ID || c.WaitingSince == nil ||
			c.Language != "bn" || c.LastMessage != m.Content || c.AssigneeID != 0 {
			t.Errorf("conversation = %+v", c)
		}
		contact, err := f.st.Contact(ctx, f.account.ID, c.ContactID)
		if err != nil {
			t.Fatalf("Contact: %v", err)
		}
		if contact.Name != "রহিম" || contact.Email != "rahim@example.com" || len(contact.Identities) != 1 ||
			contact.Identities[0].ExternalID != "cust-7" || contact.Identities[0].Namespace != fmt.Sprintf("inbox:%d", f.mine.ID) {
			t.Errorf("contact = %+v", contact)
		}
		stored := f.message(t, m.ID)
		if stored.Content != m.Content || stored.SenderID != contact.ID {
			t.Errorf("stored message = %+v", stored)
		}
		events := conversationEvents(f.eventsAfter(t, before))
		if got := eventTypes(events); len(events) != 2 || events[0].Type != sahay.EventConversationCreated || events[1].Type != sahay.EventMessageCreated {
			t.Fatalf("events = %v, want conversation.created then message.created", got)
		}
		for _, ev := range events {
			if ev.ConversationID != c.ID || ev.InboxID != f.mine.ID {
				t.Errorf("event %+v does not name the conversation and inbox", ev)
			}
		}
		for _, want := range events {
			for {
				var ev sahay.Event
				select {
				case ev = <-sub.C:
				case <-time.After(5 * time.Second):
					t.Fatalf("bus did not deliver event %d", want.Seq)
				}
				if ev.Seq < want.Seq {
					continue
				}
				if ev.Seq != want.Seq || ev.Type != want.Type {
					t.Errorf("bus delivered %d:%s, want %d:%s", ev.Seq, ev.Type, want.Seq, want.Type)
				}
				break
			}
		}

		// The next message of the same customer joins the conversation.
		before = f.lastSeq(t)
		r2 := f.receive(t, f.mine, "cust-7", "msg-2", "hello?")
		if r2.Conversation.ID != c.ID {
			t.Errorf("second message opened conversation %d, want %d", r2.Conversation.ID, c.ID)
		}
		if got := eventTypes(conversationEvents(f.eventsAfter(t, before))); len(got) != 1 || !strings.HasSuffix(got[0], sahay.EventMessageCreated) {
			t.Errorf("events of the second message = %v, want one message.created", got)
		}
		// The same customer id in another inbox is another contact (ids
		// are local to the inbox) with a conversation of its own.
		r3 := f.receive(t, f.theirs, "cust-7", "msg-1", "hello from the other inbox")
		if r3.Duplicate || r3.Conversation.ID == c.ID || r3.Conversation.ContactID == c.ContactID {
			t.Errorf("same ids in another inbox: %+v", r3.Conversation)
		}
		counts, err := f.svc.Counts(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		if counts.All[sahay.StatusOpen] != 2 || counts.Unassigned[sahay.StatusOpen] != 2 || counts.Inboxes[f.mine.ID][sahay.StatusOpen] != 1 {
			t.Errorf("counts = %+v", counts)
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
	})
}

func TestReceiveDuplicateStoresOnce(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		first := f.receive(t, f.mine, "cust-1", "wamid.A", "where is my order")
		before := f.lastSeq(t)
		again := f.receive(t, f.mine, "cust-1", "wamid.A", "where is my order (redelivered)")
		if !again.Duplicate || again.Message.ID != first.Message.ID || again.Conversation.ID != first.Conversation.ID {
			t.Errorf("redelivery = duplicate %v message %d conversation %d, want duplicate of %d in %d",
				again.Duplicate, again.Message.ID, again.Conversation.ID, first.Message.ID, first.Conversation.ID)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM messages WHERE inbox_id = $1`, f.mine.ID); n != 1 {
			t.Errorf("%d messages stored, want 1", n)
		}
		if got := f.eventsAfter(t, before); len(got) != 0 {
			t.Errorf("redelivery committed events %v", eventTypes(got))
		}
		// Many redeliveries at once: one message.
		var wg sync.WaitGroup
		var mu sync.Mutex
		fresh := 0
		for range 12 {
			wg.Go(func() {
				r, err := f.svc.Receive(context.Background(), channel.Inbound{InboxID: f.mine.ID, ContactID: "cust-2", ExternalID: "wamid.B", Content: "hi"})
				if err != nil {
					t.Errorf("Receive: %v", err)
					return
				}
				if !r.Duplicate {
					mu.Lock()
					fresh++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if fresh != 1 {
			t.Errorf("%d of 12 concurrent deliveries of one message were stored as new, want 1", fresh)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM messages WHERE inbox_id = $1 AND external_id = 'wamid.B'`, f.mine.ID); n != 1 {
			t.Errorf("%d copies of wamid.B stored, want 1", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM contacts WHERE account_id = $1`, f.account.ID); n != 2 {
			t.Errorf("%d contacts, want 2", n)
		}
	})
}

func TestReceiveConcurrentLandsOnce(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const calls, contacts = 200, 20
		before := f.lastSeq(t)
		var wg sync.WaitGroup
		results := make([]*core.Received, calls)
		for i := range calls {
			wg.Go(func() {
				r, err := f.svc.Receive(ctx, channel.Inbound{InboxID: f.mine.ID, ContactID: fmt.Sprintf("cust-%02d", i%contacts),
					ExternalID: fmt.Sprintf("m-%03d", i), Content: fmt.Sprintf("message %d দিন", i)})
				if err != nil {
					t.Errorf("Receive %d: %v", i, err)
					return
				}
				results[i] = r
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		byContact := map[int64]int64{}
		for i, r := range results {
			if r.Duplicate {
				t.Errorf("message %d reported as duplicate", i)
			}
			if conv, ok := byContact[r.Conversation.ContactID]; ok && conv != r.Conversation.ID {
				t.Errorf("contact %d has two conversations: %d and %d", r.Conversation.ContactID, conv, r.Conversation.ID)
			}
			byContact[r.Conversation.ContactID] = r.Conversation.ID
		}
		if len(byContact) != contacts {
			t.Errorf("%d contacts got conversations, want %d", len(byContact), contacts)
		}
		for query, want := range map[string]int{
			`SELECT COUNT(*) FROM contacts WHERE account_id = $1`:                                 contacts,
			`SELECT COUNT(*) FROM contact_identities WHERE account_id = $1`:                       contacts,
			`SELECT COUNT(*) FROM conversations WHERE account_id = $1`:                            contacts,
			`SELECT COUNT(*) FROM messages WHERE account_id = $1`:                                 calls,
			`SELECT COUNT(DISTINCT external_id) FROM messages WHERE account_id = $1`:              calls,
			`SELECT COUNT(DISTINCT display_id) FROM conversations WHERE account_id = $1`:          contacts,
			`SELECT MAX(display_id) FROM conversations WHERE account_id = $1`:                     contacts,
			`SELECT COUNT(*) FROM events WHERE account_id = $1 AND type = 'message.created'`:      calls,
			`SELECT COUNT(*) FROM events WHERE account_id = $1 AND type = 'conversation.created'`: contacts,
		} {
			if got := f.count(t, query, f.account.ID); got != want {
				t.Errorf("%s = %d, want %d", query, got, want)
			}
		}
		if got := conversationEvents(f.eventsAfter(t, before)); len(got) != calls+contacts {
			t.Errorf("%d conversation and message events after the burst, want %d", len(got), calls+contacts)
		}
		counts, err := f.svc.Counts(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		if counts.All[sahay.StatusOpen] != contacts || counts.Inboxes[f.mine.ID][sahay.StatusOpen] != contacts {
			t.Errorf("counts = %+v, want %d open", counts, contacts)
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
		res, err := f.svc.Search(ctx, f.admin, "দিন")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Messages) != 25 {
			t.Errorf("search found %d messages, want a full page of 25", len(res.Messages))
		}
	})
}

// backdateResolved pretends the conversation was resolved ago.
func backdateResolved(t *testing.T, f *fixture, id int64, ago time.Duration) {
	storetest.MustWrite(t, f.st, func(tx *store.Tx) error {
		ctx := context.Background()
		if err := tx.LockAccount(ctx, f.account.ID); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, f.account.ID, id)
		if err != nil {
			return err
		}
		if c.Status != sahay.StatusResolved {
			return fmt.Errorf("conversation %d is %s, not resolved", id, c.Status)
		}
		next := *c
		at := tx.Now().Add(-ago)
		next.ResolvedAt = &at
		return tx.UpdateConversation(ctx, c, &next)
	})
}

func (f *fixture) setStatus(t *testing.T, id int64, status string, snoozedUntil *time.Time) *sahay.Conversation {
	t.Helper()
	c, err := f.svc.UpdateConversation(context.Background(), f.admin, id, core.ConversationUpdate{Status: &status, SnoozedUntil: snoozedUntil})
	if err != nil {
		t.Fatalf("set conversation %d %s: %v", id, status, err)
	}
	return c
}

func TestReceiveReopensWithinWindow(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		storetest.MustWrite(t, f.st, func(tx *store.Tx) error {
			f.account.ReopenWindowSeconds = 60
			return tx.UpdateAccount(ctx, f.account)
		})
		first := f.receive(t, f.mine, "cust-1", "m1", "my parcel is late").Conversation
		f.setStatus(t, first.ID, sahay.StatusResolved, nil)
		counts, _ := f.svc.Counts(ctx, f.admin)
		if counts.All[sahay.StatusResolved] != 1 || counts.All[sahay.StatusOpen] != 0 {
			t.Errorf("counts after resolving = %v", counts.All)
		}

		// A reply right after resolving reopens the same conversation.
		r := f.receive(t, f.mine, "cust-1", "m2", "it is still late")
		if r.Conversation.ID != first.ID || r.Conversation.Status != sahay.StatusOpen || r.Conversation.ResolvedAt != nil {
			t.Fatalf("message after resolving went to %+v, want %d reopened", r.Conversation, first.ID)
		}
		got, err := f.st.Conversation(ctx, f.account.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != sahay.StatusOpen || got.ResolvedAt != nil || got.WaitingSince == nil {
			t.Errorf("reopened conversation stored as %+v", got)
		}
		msgs, err := f.svc.Messages(ctx, f.admin, first.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(msgs, func(m *sahay.Message) bool { return m.Kind == sahay.MessageActivity && m.Content == "status:open" }) {
			t.Errorf("timeline lacks the reopening: %v", messageContents(msgs))
		}
		storetest.CheckCounts(t, f.st, f.account.ID)

		// Still inside the window (30 s of 60): reopened.
		f.setStatus(t, first.ID, sahay.StatusResolved, nil)
		backdateResolved(t, f, first.ID, 30*time.Second)
		if r := f.receive(t, f.mine, "cust-1", "m3", "hello?"); r.Conversation.ID != first.ID {
			t.Fatalf("message 30 s after resolving went to %d, want %d reopened", r.Conversation.ID, first.ID)
		}

		// After the window a new conversation starts.
		f.setStatus(t, first.ID, sahay.StatusResolved, nil)
		backdateResolved(t, f, first.ID, 61*time.Second)
		r = f.receive(t, f.mine, "cust-1", "m4", "new problem")
		if r.Conversation.ID == first.ID || r.Conversation.DisplayID != 2 || r.Conversation.Status != sahay.StatusOpen {
			t.Fatalf("message after the window went to %+v, want a new conversation #2", r.Conversation)
		}
		got, err = f.st.Conversation(ctx, f.account.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != sahay.StatusResolved {
			t.Errorf("old conversation is %s, want it left resolved", got.Status)
		}
		counts, _ = f.svc.Counts(ctx, f.admin)
		if counts.All[sahay.StatusResolved] != 1 || counts.All[sahay.StatusOpen] != 1 {
			t.Errorf("counts = %v, want one resolved, one open", counts.All)
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
	})
}

func messageContents(msgs []*sahay.Message) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.Kind+":"+m.Content)
	}
	return out
}

func TestReceiveWakesSnoozed(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		c := f.receive(t, f.mine, "cust-1", "m1", "call me tomorrow").Conversation
		until := time.Now().Add(time.Hour)
		snoozed := f.setStatus(t, c.ID, sahay.StatusSnoozed, &until)
		if snoozed.Status != sahay.StatusSnoozed || snoozed.SnoozedUntil == nil {
			t.Fatalf("snoozed conversation = %+v", snoozed)
		}
		r := f.receive(t, f.mine, "cust-1", "m2", "actually, now please")
		if r.Conversation.ID != c.ID || r.Conversation.Status != sahay.StatusOpen || r.Conversation.SnoozedUntil != nil {
			t.Fatalf("message to a snoozed conversation: %+v, want %d woken", r.Conversation, c.ID)
		}
		got, err := f.st.Conversation(ctx, f.account.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != sahay.StatusOpen || got.SnoozedUntil != nil {
			t.Errorf("stored conversation = %+v", got)
		}
		storetest.CheckCounts(t, f.st, f.account.ID)

		// The timer wakes it too, once its time has come.
		f.setStatus(t, c.ID, sahay.StatusSnoozed, &until)
		if err := f.svc.WakeSnoozed(ctx, until.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.st.Conversation(ctx, f.account.ID, c.ID); got.Status != sahay.StatusSnoozed {
			t.Errorf("woken before its time: %s", got.Status)
		}
		if err := f.svc.WakeSnoozed(ctx, until.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.st.Conversation(ctx, f.account.ID, c.ID); got.Status != sahay.StatusOpen {
			t.Errorf("not woken after its time: %s", got.Status)
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
	})
}

func TestReceiveInvalidStoresNothing(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		before := f.lastSeq(t)
		for _, tc := range []struct {
			name string
			in   channel.Inbound
			code string
		}{
			{"empty content", channel.Inbound{InboxID: f.mine.ID, ContactID: "c"}, sahay.EINVALID},
			{"blank content", channel.Inbound{InboxID: f.mine.ID, ContactID: "c", Content: " \n\t "}, sahay.EINVALID},
			{"missing contact id", channel.Inbound{InboxID: f.mine.ID, Content: "hi"}, sahay.EINVALID},
			{"missing inbox", channel.Inbound{ContactID: "c", Content: "hi"}, sahay.EINVALID},
			{"unknown inbox", channel.Inbound{InboxID: f.theirs.ID + 1000, ContactID: "c", Content: "hi"}, sahay.ENOTFOUND},
			{"content over 64 KiB", channel.Inbound{InboxID: f.mine.ID, ContactID: "c", Content: strings.Repeat("a", core.MaxContentBytes+1)}, sahay.ETOOLARGE},
			{"Bengali content over 64 KiB", channel.Inbound{InboxID: f.mine.ID, ContactID: "c", Content: strings.Repeat("দ", core.MaxContentBytes/3+1)}, sahay.ETOOLARGE},
			{"invalid UTF-8", channel.Inbound{InboxID: f.mine.ID, ContactID: "c", Content: "hi \xff\xfe there"}, sahay.EINVALID},
			{"contact id over 255 bytes", channel.Inbound{InboxID: f.mine.ID, ContactID: strings.Repeat("c", 256), Content: "hi"}, sahay.EINVALID},
			{"external id over 255 bytes", channel.Inbound{InboxID: f.mine.ID, ContactID: "c", ExternalID: strings.Repeat("x", 256), Content: "hi"}, sahay.EINVALID},
		} {
			r, err := f.svc.Receive(ctx, tc.in)
			if got := sahay.ErrorCode(err); got != tc.code {
				t.Errorf("%s: Receive = %+v, %v; want code %s", tc.name, r, err, tc.code)
			}
		}
		for _, table := range []string{"contacts", "conversations", "messages"} {
			if n := f.count(t, `SELECT COUNT(*) FROM `+table+` WHERE account_id = $1`, f.account.ID); n != 0 {
				t.Errorf("invalid input left %d rows in %s", n, table)
			}
		}
		if after := f.lastSeq(t); after != before {
			t.Errorf("invalid input committed events %d..%d", before+1, after)
		}
		// The limit itself is allowed.
		r := f.receive(t, f.mine, "c", "", strings.Repeat("a", core.MaxContentBytes))
		if len(f.message(t, r.Message.ID).Content) != core.MaxContentBytes {
			t.Errorf("content at the limit not stored whole")
		}
	})
}

// TestReceiveForDeletedInbox deletes an inbox behind the service's back,
// as another node would, after a message was received for it: the next
// message is refused as for an inbox that never was, and stores nothing.
func TestReceiveForDeletedInbox(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		inbox := storetest.MustInbox(t, f.st, f.account.ID, "Gone", apichannel.Name)
		f.receive(t, inbox, "c", "m1", "hello")
		storetest.MustWrite(t, f.st, func(tx *store.Tx) error { return tx.DeleteInbox(ctx, f.account.ID, inbox.ID) })
		for _, ext := range []string{"m2", "m3"} {
			r, err := f.svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c", ExternalID: ext, Content: "again"})
			if sahay.ErrorCode(err) != sahay.ENOTFOUND {
				t.Errorf("Receive %s for a deleted inbox = %+v, %v; want not found", ext, r, err)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM messages WHERE inbox_id = $1`, inbox.ID); n != 0 {
			t.Errorf("%d messages stored for the deleted inbox", n)
		}
	})
}

// TestReceiveAfterCloseReturns checks a message arriving while the service
// shuts down gets an answer rather than waiting for ever.
func TestReceiveAfterCloseReturns(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		a := storetest.MustAccount(t, st, "A")
		inbox := storetest.MustInbox(t, st, a.ID, "API", apichannel.Name)
		svc := newService(t, st)
		svc.Close()
		results := make(chan error, 20)
		for i := range cap(results) {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c", ExternalID: fmt.Sprint(i), Content: "hi"})
				results <- err
			}()
		}
		timeout := time.After(3 * time.Second)
		for i := range cap(results) {
			select {
			case err := <-results:
				if err == nil {
					t.Errorf("Receive after Close succeeded")
				}
			case <-timeout:
				t.Fatalf("%d of %d Receive calls after Close never returned, even after their context ended", cap(results)-i, cap(results))
			}
		}
	})
}

// TestReceiveCanceledCallerFailsAlone has one caller give up while its
// message waits for a lock inside a group-commit batch: the other messages
// of the batch must still be stored, and the caller that gave up must get
// the outcome its message really had.
func TestReceiveCanceledCallerFailsAlone(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		if st.Dialect() != store.Postgres {
			t.Skip("needs row locks that wait: PostgreSQL only")
		}
		ctx := context.Background()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		// Batches lock accounts in id order: p's message goes first, q's
		// waits for q's lock, r's holds the batcher while the batch fills.
		var inboxes [3]*sahay.Inbox
		var accounts [3]*sahay.Account
		for i := range 3 {
			accounts[i] = storetest.MustAccount(t, st, fmt.Sprint("account ", i))
			inboxes[i] = storetest.MustInbox(t, st, accounts[i].ID, "API", apichannel.Name)
		}
		p, q, r := 0, 1, 2
		hold := func(i int) (release func(), done <-chan error) {
			locked, free, errc := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				_, err := st.Write(ctx, func(tx *store.Tx) error {
					if err := tx.LockAccount(ctx, accounts[i].ID); err != nil {
						return err
					}
					close(locked)
					<-free
					return nil
				})
				errc <- err
			}()
			<-locked
			return func() { close(free) }, errc
		}
		releaseR, _ := hold(r)
		releaseQ, _ := hold(q)
		receive := func(ctx context.Context, i int, id string) <-chan error {
			errc := make(chan error, 1)
			go func() {
				_, err := svc.Receive(ctx, channel.Inbound{InboxID: inboxes[i].ID, ContactID: "c", ExternalID: id, Content: "hello " + id})
				errc <- err
			}()
			return errc
		}
		first := receive(ctx, r, "first")
		time.Sleep(200 * time.Millisecond) // the batcher now waits for r's lock
		impatient, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		gaveUp := receive(impatient, q, "impatient")
		patient := receive(ctx, p, "patient")
		time.Sleep(200 * time.Millisecond) // both wait in the queue
		releaseR()
		if err := <-first; err != nil {
			t.Fatalf("first message: %v", err)
		}
		<-impatient.Done() // the impatient caller gives up while its message waits for q's lock
		releaseQ()
		gaveUpErr := <-gaveUp
		if err := <-patient; err != nil {
			t.Errorf("a message batched with one whose caller gave up was refused: %v", err)
		}
		stored := func(id string) int {
			var n int
			if err := storetest.DB(t, st).QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE external_id = $1`, id).Scan(&n); err != nil {
				t.Fatalf("count %s messages: %v", id, err)
			}
			return n
		}
		if n := stored("patient"); n != 1 {
			t.Errorf("patient message stored %d times, want 1", n)
		}
		// The caller that gave up is told the truth: a message in the
		// batcher's hands is waited for, so it is acknowledged and stored;
		// one refused for the deadline is not stored.
		switch n := stored("impatient"); {
		case gaveUpErr == nil && n != 1:
			t.Errorf("the caller that gave up was acknowledged, but its message is stored %d times", n)
		case gaveUpErr != nil && !errors.Is(gaveUpErr, context.DeadlineExceeded):
			t.Errorf("the caller that gave up got %v, want its message or its context's deadline", gaveUpErr)
		case gaveUpErr != nil && n != 0:
			t.Errorf("the caller that gave up was refused (%v), but its message is stored %d times", gaveUpErr, n)
		}
	})
}
