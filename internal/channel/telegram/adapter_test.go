package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/channel/telegram/telegramtest"
)

const hookSecret = "hook-secret_123"

// bot is a Telegram inbox of a running Sahay, connected to a simulator.
type bot struct {
	s     *apitest.Server
	sim   *telegramtest.Server
	owner *apitest.User
	inbox *sahay.Inbox
}

func newBot(t *testing.T, mode string) *bot {
	t.Helper()
	b := &bot{s: apitest.NewServer(t), sim: telegramtest.New(t, token)}
	b.owner = b.s.NewAccount(t, "Shop")
	b.inbox = b.s.NewInbox(t, b.owner, "Telegram", "telegram", map[string]any{
		"bot_token": token, "secret_token": hookSecret, "api_base_url": b.sim.URL, "mode": mode})
	return b
}

func (b *bot) hook() string { return fmt.Sprintf("%s/webhooks/%d", b.s.URL, b.inbox.ID) }

// deliver posts an update to the inbox's webhook as Telegram does.
func (b *bot) deliver(t *testing.T, u telegram.Update, secret string) int {
	t.Helper()
	raw, _ := json.Marshal(u)
	status, err := telegramtest.DeliverTo(context.Background(), b.hook(), secret, raw)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

func textUpdate(id, chat, msg int64, text string) telegram.Update {
	return telegram.Update{UpdateID: id, Message: &telegram.Message{MessageID: msg, Date: time.Now().Unix(), Text: text,
		From: &telegram.User{ID: chat, FirstName: "Rahim", LastName: "Uddin"},
		Chat: telegram.Chat{ID: chat, Type: "private", FirstName: "Rahim", LastName: "Uddin"}}}
}

// waitMessage waits until the inbox holds a message with the external id
// that satisfies ok, and returns it.
func (b *bot) waitMessage(t *testing.T, externalID string, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := b.s.App.Store.MessageByExternalID(ctx, b.inbox.ID, externalID)
		if err == nil {
			if m, err = b.s.App.Store.Message(ctx, m.AccountID, m.ID); err != nil {
				t.Fatal(err)
			}
			if ok == nil || ok(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s: not stored as expected within 15s (last: %+v, %v)", externalID, m, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *bot) messages(t *testing.T, conversationID int64) []*sahay.Message {
	t.Helper()
	ms, err := b.s.App.Store.Messages(context.Background(), b.inbox.AccountID, conversationID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// A webhook delivery without the inbox's secret is refused and stores
// nothing; the same update delivered three times stores one message; an
// edit updates it; an unknown inbox is not found.
func TestWebhook(t *testing.T) {
	t.Parallel()
	b := newBot(t, telegram.ModeWebhook)
	if url, secret := b.sim.Webhook(); !strings.HasSuffix(url, fmt.Sprintf("/webhooks/%d", b.inbox.ID)) || secret != hookSecret {
		t.Fatalf("setWebhook got %q %q, want …/webhooks/%d with the inbox's secret", url, secret, b.inbox.ID)
	}
	first := textUpdate(100, 4242, 1, "আমার অর্ডার কোথায়?")
	for _, secret := range []string{"", "wrong"} {
		if status := b.deliver(t, first, secret); status != http.StatusUnauthorized {
			t.Fatalf("secret %q: status %d, want 401", secret, status)
		}
	}
	for _, state := range []string{"pending", "done", "failed"} {
		var l struct{ Items []json.RawMessage }
		b.s.Must(t, b.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=%s", b.inbox.ID, state), nil, http.StatusOK, &l)
		if len(l.Items) != 0 {
			t.Fatalf("refused deliveries left %d %s events", len(l.Items), state)
		}
	}
	raw, _ := json.Marshal(first)
	if status, _ := telegramtest.DeliverTo(context.Background(), fmt.Sprintf("%s/webhooks/%d", b.s.URL, b.inbox.ID+1000), hookSecret, raw); status != http.StatusNotFound {
		t.Fatalf("unknown inbox: status %d, want 404", status)
	}
	for range 3 {
		if status := b.deliver(t, first, hookSecret); status != http.StatusOK {
			t.Fatalf("delivery: status %d, want 200", status)
		}
	}
	m := b.waitMessage(t, "4242:1", nil)
	b.deliver(t, textUpdate(101, 4242, 2, "second"), hookSecret)
	b.waitMessage(t, "4242:2", nil)
	ms := b.messages(t, m.ConversationID)
	if len(ms) != 2 || ms[0].Content != "আমার অর্ডার কোথায়?" || ms[1].Content != "second" {
		t.Fatalf("three deliveries and one more stored %d messages: %+v", len(ms), ms)
	}
	c, err := b.s.App.Store.Contact(context.Background(), b.inbox.AccountID, mustConversation(t, b, m.ConversationID).ContactID)
	if err != nil || c.Name != "Rahim Uddin" || len(c.Identities) != 1 || c.Identities[0].Namespace != "telegram" || c.Identities[0].ExternalID != "4242" {
		t.Fatalf("contact %+v %v, want Rahim Uddin, telegram:4242", c, err)
	}

	edit := textUpdate(102, 4242, 1, "আমার অর্ডার #77 কোথায়?")
	edit.EditedMessage, edit.Message = edit.Message, nil
	edit.EditedMessage.EditDate = time.Now().Unix()
	b.deliver(t, edit, hookSecret)
	b.waitMessage(t, "4242:1", func(m *sahay.Message) bool {
		return m.Content == "আমার অর্ডার #77 কোথায়?"
	})
	if ms := b.messages(t, m.ConversationID); len(ms) != 2 {
		t.Fatalf("the edit added a message: %+v", ms)
	}

	// The bot's own message in a business chat is the business speaking.
	echo := textUpdate(103, 4242, 3, "We ship today")
	echo.BusinessMessage, echo.Message = echo.Message, nil
	echo.BusinessMessage.From = &b.sim.Bot
	b.deliver(t, echo, hookSecret)
	if e := b.waitMessage(t, "4242:3", nil); e.Kind != sahay.MessageOutgoing || e.SenderType != sahay.SenderBot || e.ConversationID != m.ConversationID {
		t.Fatalf("echo stored as %s from %s in conversation %d, want outgoing from the bot in %d", e.Kind, e.SenderType, e.ConversationID, m.ConversationID)
	}

	// So is the business's owner writing in a connected business chat.
	owner := textUpdate(104, 4242, 4, "Ami Karim, dokaner malik")
	owner.BusinessMessage, owner.Message = owner.Message, nil
	owner.BusinessMessage.From = &telegram.User{ID: 9001, FirstName: "Karim"}
	b.deliver(t, owner, hookSecret)
	if e := b.waitMessage(t, "4242:4", nil); e.Kind != sahay.MessageOutgoing {
		t.Fatalf("the owner's message stored as %s, want outgoing", e.Kind)
	}
	if c, err := b.s.App.Store.Contact(context.Background(), b.inbox.AccountID, mustConversation(t, b, m.ConversationID).ContactID); err != nil || c.Name != "Rahim Uddin" {
		t.Fatalf("contact %+v %v: the owner's name reached the customer", c, err)
	}

	// A body that is no update, or too large, is refused and stores nothing.
	for _, body := range []string{`{"message":{}}`, `not json`, `{"update_id":104,"pad":"` + strings.Repeat("x", 1<<20) + `"}`} {
		status, err := telegramtest.DeliverTo(context.Background(), b.hook(), hookSecret, []byte(body))
		if err != nil || status < 400 || status >= 500 {
			t.Errorf("body %.20q: status %d %v, want a 4xx", body, status, err)
		}
	}
	var keys []string
	for _, state := range []string{"pending", "done", "failed"} {
		var l struct {
			Items []struct {
				DedupeKey string `json:"dedupe_key"`
			}
		}
		b.s.Must(t, b.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=%s", b.inbox.ID, state), nil, http.StatusOK, &l)
		for _, e := range l.Items {
			keys = append(keys, e.DedupeKey)
		}
	}
	if len(keys) != 5 {
		t.Errorf("journal holds %v, want the 5 good updates only", keys)
	}
}

func mustConversation(t *testing.T, b *bot, id int64) *sahay.Conversation {
	t.Helper()
	c, err := b.s.App.Store.Conversation(context.Background(), b.inbox.AccountID, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Photos, documents and voice notes arrive as attachments, a location as
// text; a file Telegram cannot serve fails the event, which an admin sees
// and retries once it can.
func TestMedia(t *testing.T) {
	t.Parallel()
	b := newBot(t, telegram.ModeWebhook)
	b.sim.AddFile("photo-big", []byte("\xff\xd8\xff\xe0 jpeg"))
	b.sim.AddFile("doc-1", []byte("%PDF-1.4 invoice"))
	b.sim.AddFile("voice-1", []byte("OggS voice"))
	chat := telegram.Chat{ID: 5151, Type: "private", FirstName: "Priya"}
	from := &telegram.User{ID: 5151, FirstName: "Priya"}
	now := time.Now().Unix()
	updates := []telegram.Update{
		{UpdateID: 1, Message: &telegram.Message{MessageID: 10, Chat: chat, From: from, Date: now, Caption: "the box was broken",
			Photo: []telegram.PhotoSize{{FileID: "photo-small", FileUniqueID: "s"}, {FileID: "photo-big", FileUniqueID: "b", FileSize: 10}}}},
		{UpdateID: 2, Message: &telegram.Message{MessageID: 11, Chat: chat, From: from, Date: now,
			Document: &telegram.Document{FileID: "doc-1", FileUniqueID: "d", FileName: "invoice.pdf", MIMEType: "application/pdf"}}},
		{UpdateID: 3, Message: &telegram.Message{MessageID: 12, Chat: chat, From: from, Date: now,
			Voice: &telegram.Voice{FileID: "voice-1", FileUniqueID: "v", Duration: 3, MIMEType: "audio/ogg"}}},
		{UpdateID: 4, Message: &telegram.Message{MessageID: 13, Chat: chat, From: from, Date: now,
			Location: &telegram.Location{Latitude: 23.8103, Longitude: 90.4125}}},
	}
	for _, u := range updates {
		if status := b.deliver(t, u, hookSecret); status != http.StatusOK {
			t.Fatalf("update %d: status %d", u.UpdateID, status)
		}
	}
	one := func(m *sahay.Message) bool { return len(m.Attachments) == 1 }
	photo := b.waitMessage(t, "5151:10", one)
	if a := photo.Attachments[0]; a.ContentType != "image/jpeg" || photo.Content != "the box was broken" {
		t.Fatalf("photo: %+v", photo)
	}
	if a := b.waitMessage(t, "5151:11", one).Attachments[0]; a.FileName != "invoice.pdf" || a.ContentType != "application/pdf" {
		t.Fatalf("document: %+v", a)
	}
	if a := b.waitMessage(t, "5151:12", one).Attachments[0]; a.ContentType != "audio/ogg" {
		t.Fatalf("voice: %+v", a)
	}
	if loc := b.waitMessage(t, "5151:13", nil); !strings.Contains(loc.Content, "23.810300, 90.412500") {
		t.Fatalf("location: %q", loc.Content)
	}

	// A file Telegram does not know: the event fails with the error.
	b.deliver(t, telegram.Update{UpdateID: 5, Message: &telegram.Message{MessageID: 14, Chat: chat, From: from, Date: now,
		Document: &telegram.Document{FileID: "doc-late", FileUniqueID: "l", FileName: "late.pdf", MIMEType: "application/pdf"}}}, hookSecret)
	var failed struct {
		Items []struct {
			ID        int64  `json:"id"`
			DedupeKey string `json:"dedupe_key"`
			LastError string `json:"last_error"`
		}
	}
	path := fmt.Sprintf("/api/v1/inboxes/%d/events?state=failed", b.inbox.ID)
	deadline := time.Now().Add(15 * time.Second)
	for len(failed.Items) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the event with an unknown file did not fail within 15s")
		}
		time.Sleep(20 * time.Millisecond)
		b.s.Must(t, b.owner.Token, http.MethodGet, path, nil, http.StatusOK, &failed)
	}
	if e := failed.Items[0]; e.DedupeKey != "update:5" || !strings.Contains(e.LastError, "invalid file_id") {
		t.Fatalf("failed event %+v, want update:5 with Telegram's error", e)
	}
	agent := b.s.NewUser(t, b.owner, "agent")
	retry := fmt.Sprintf("/api/v1/inboxes/%d/events/%d/retry", b.inbox.ID, failed.Items[0].ID)
	if r := b.s.Call(t, agent.Token, http.MethodPost, retry, nil); r.Status == http.StatusNoContent {
		t.Fatal("an agent who is not an inbox member retried an event")
	}
	b.sim.AddFile("doc-late", []byte("%PDF-1.4 late"))
	b.s.Must(t, b.owner.Token, http.MethodPost, retry, nil, http.StatusNoContent, nil)
	if a := b.waitMessage(t, "5151:14", one).Attachments[0]; a.FileName != "late.pdf" {
		t.Fatalf("retried document: %+v", a)
	}
}

// A reply goes out through sendMessage to the customer's chat; a 429 is
// honoured: the second attempt waits the retry_after Telegram asked for.
func TestReply(t *testing.T) {
	t.Parallel()
	b := newBot(t, telegram.ModeWebhook)
	b.deliver(t, textUpdate(7, 777, 70, "hello"), hookSecret)
	m := b.waitMessage(t, "777:70", nil)
	b.sim.FailNext("sendMessage", 429, "Too Many Requests: retry after 2", 2)
	start := time.Now()
	var reply sahay.Message
	b.s.Must(t, b.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "আপনার অর্ডার আজ পাঠানো হবে"}, http.StatusCreated, &reply)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sent, err := b.sim.WaitSent(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Fatalf("sent after %s, before the 2s Telegram asked for", waited)
	}
	if sent[0].ChatID != 777 || sent[0].Text != "আপনার অর্ডার আজ পাঠানো হবে" || b.sim.Calls("sendMessage") != 2 {
		t.Fatalf("sent %+v after %d calls", sent, b.sim.Calls("sendMessage"))
	}
	want := fmt.Sprintf("777:%d", sent[0].MessageID)
	got := b.waitMessage(t, want, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
	if got.ID != reply.ID {
		t.Fatalf("external id %s is on message %d, want the reply %d", want, got.ID, reply.ID)
	}
}

// Creating an inbox stores it when Telegram cannot be reached, with a
// warning; "test connection" reports a refused token clearly.
func TestConnectAndTest(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	sim := telegramtest.New(t, token)
	owner := s.NewAccount(t, "Shop")
	var in sahay.Inbox
	s.Must(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Down", "channel": "telegram",
		"settings": map[string]any{"bot_token": token, "api_base_url": "http://127.0.0.1:1", "mode": "webhook"}}, http.StatusCreated, &in)
	if in.Warning == "" || strings.Contains(string(in.Settings), token) {
		t.Fatalf("inbox %+v: want a warning and no token in its settings", in)
	}
	var secrets map[string]string
	s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", in.ID), nil, http.StatusOK, &secrets)
	if secrets["bot_token"] != token || len(secrets["secret_token"]) < 32 {
		t.Fatalf("secrets %v: want the token and a generated webhook secret", secrets)
	}
	var res struct {
		OK    bool
		Error string
	}
	s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", in.ID), nil, http.StatusOK, &res)
	if res.OK || res.Error == "" {
		t.Fatalf("test of an unreachable API: %+v", res)
	}
	s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/inboxes/%d", in.ID), map[string]any{
		"settings": map[string]any{"api_base_url": sim.URL, "mode": "webhook", "bot_token": "1:wrongwrongwrongwrongwrong"}}, http.StatusOK, nil)
	s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", in.ID), nil, http.StatusOK, &res)
	if res.OK || !strings.Contains(res.Error, "BotFather") {
		t.Fatalf("test of a wrong token: %+v", res)
	}
	s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/inboxes/%d", in.ID), map[string]any{
		"settings": map[string]any{"api_base_url": sim.URL, "mode": "webhook", "bot_token": token}}, http.StatusOK, nil)
	s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", in.ID), nil, http.StatusOK, &res)
	if !res.OK {
		t.Fatalf("test of a good token: %+v", res)
	}
	for _, bad := range []map[string]any{{"bot_token": "nope"}, {"bot_token": token, "mode": "carrier-pigeon"}, {"bot_token": token, "api_base_url": "ftp://x"}} {
		if r := s.Call(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Bad", "channel": "telegram", "settings": bad}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("settings %v: status %d, want 422", bad, r.Status)
		}
	}
	r := s.Call(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Bad", "channel": "telegram", "settings": map[string]any{"mode": "polling"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.String(), "settings.bot_token (Bot token) is required") {
		t.Errorf("an inbox without its token: %s, want 422 naming settings.bot_token", r)
	}
	var channels struct {
		Items []struct {
			Name         string
			Testable     bool
			Capabilities struct {
				MaxText int `json:"max_text"`
			}
			Settings []struct {
				Key    string
				Secret bool
			}
		}
	}
	s.Must(t, owner.Token, http.MethodGet, "/api/v1/channels", nil, http.StatusOK, &channels)
	found := false
	for _, c := range channels.Items {
		if c.Name == "telegram" {
			found = c.Testable && c.Capabilities.MaxText == 4096 && len(c.Settings) > 0 && c.Settings[0].Key == "bot_token" && c.Settings[0].Secret
		}
	}
	if !found {
		t.Fatalf("channels %+v: want telegram with its limits and settings", channels)
	}
}

// In polling mode the updates come through getUpdates and are confirmed
// only once journalled.
func TestPolling(t *testing.T) {
	t.Parallel()
	b := newBot(t, telegram.ModePolling)
	b.sim.Push(textUpdate(0, 9090, 1, "polled"))
	b.waitMessage(t, "9090:1", nil)
	deadline := time.Now().Add(15 * time.Second)
	for b.sim.Pending() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the polled update was not confirmed within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A flood of requests to one inbox's webhook is cut short with 429 in the
// error shape, before anything is read or verified.
func TestWebhookRateLimited(t *testing.T) {
	t.Parallel()
	b := newBot(t, telegram.ModeWebhook)
	statuses := make(chan int, 400)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				status, err := telegramtest.DeliverTo(context.Background(), b.hook(), "", []byte(`{"update_id":1}`))
				if err != nil {
					t.Error(err)
					return
				}
				statuses <- status
			}
		}()
	}
	wg.Wait()
	close(statuses)
	limited := 0
	for s := range statuses {
		switch s {
		case http.StatusTooManyRequests:
			limited++
		case http.StatusUnauthorized:
		default:
			t.Fatalf("status %d, want 401 or 429", s)
		}
	}
	if limited == 0 {
		t.Fatal("400 requests at once were all let through")
	}
	// The bucket refills slowly: of a few more, one is refused in the
	// error shape.
	for range 5 {
		r := b.s.Call(t, "", http.MethodPost, fmt.Sprintf("/webhooks/%d", b.inbox.ID), map[string]int{"update_id": 1})
		if r.Status != http.StatusTooManyRequests {
			continue
		}
		if code, _ := r.Error(); code != sahay.ERATELIMITED || r.Header.Get("Retry-After") == "" {
			t.Fatalf("429 with code %q, Retry-After %q; want rate_limited with Retry-After", code, r.Header.Get("Retry-After"))
		}
		return
	}
	t.Fatal("the flood's bucket let 5 more requests through at once")
}
