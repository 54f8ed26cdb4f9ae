package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// webhook is an integrator's endpoint: it records every call and answers
// with the status it is set to (200 at first).
type webhook struct {
	*httptest.Server
	status atomic.Int32
	calls  chan webhookCall
}

type webhookCall struct {
	method string
	header http.Header
	body   []byte
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{calls: make(chan webhookCall, 16)}
	w.status.Store(http.StatusOK)
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.calls <- webhookCall{method: r.Method, header: r.Header.Clone(), body: body}
		rw.WriteHeader(int(w.status.Load()))
	}))
	t.Cleanup(w.Close)
	return w
}

// next waits for the next call.
func (w *webhook) next(t *testing.T) webhookCall {
	t.Helper()
	select {
	case c := <-w.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("the webhook was not called within 10s")
		return webhookCall{}
	}
}

// payload is the body of a reply webhook, as docs/API.md documents it.
type payload struct {
	Event          string `json:"event"`
	InboxID        int64  `json:"inbox_id"`
	ConversationID int64  `json:"conversation_id"`
	Contact        struct {
		Identifier string `json:"identifier"`
		Name       string `json:"name"`
		Email      string `json:"email"`
	} `json:"contact"`
	Message struct {
		ID      int64  `json:"id"`
		Content string `json:"content"`
	} `json:"message"`
}

// checkSignature verifies "t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>".
func checkSignature(t *testing.T, secret, header string, body []byte) {
	t.Helper()
	ts, sig, ok := strings.Cut(header, ",")
	ts, okT := strings.CutPrefix(ts, "t=")
	sig, okV := strings.CutPrefix(sig, "v1=")
	if !ok || !okT || !okV {
		t.Fatalf("signature header %q is not t=<unix>,v1=<hex>", header)
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		t.Fatalf("signature time %q: %v", ts, err)
	}
	if d := time.Since(time.Unix(unix, 0)); d < -time.Minute || d > 5*time.Minute {
		t.Errorf("signature time is %s away from now", d)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		t.Errorf("signature %q does not match HMAC-SHA256 of the body with the inbox's webhook secret", sig)
	}
}

// message finds a message of a conversation by id.
func message(t *testing.T, s *apitest.Server, token string, conversationID, id int64) sahay.Message {
	t.Helper()
	for _, m := range items[sahay.Message](t, s, token, fmt.Sprintf("/api/v1/conversations/%d/messages?limit=200", conversationID)) {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %d is not in conversation %d", id, conversationID)
	return sahay.Message{}
}

// waitStatus waits until the message has the delivery status.
func waitStatus(t *testing.T, s *apitest.Server, token string, conversationID, id int64, status string) sahay.Message {
	t.Helper()
	var m sahay.Message
	waitFor(t, 10*time.Second, "message status "+status, func() (bool, string) {
		m = message(t, s, token, conversationID, id)
		return m.Status == status, m.Status + " " + m.Error
	})
	return m
}

// TestAPIChannel drives an API inbox through HTTP: a customer message in,
// its duplicate, an agent's reply out to the signed webhook, and delivery
// receipts back.
func TestAPIChannel(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		// Another account's conversation first, so that conversation ids and
		// conversation numbers differ.
		earlier := s.NewAccount(t, "Earlier")
		s.Receive(t, earlier, s.NewInbox(t, earlier, "Earlier", "api", nil).ID, "x", "first", "x-1")
		o := s.NewAccount(t, "Shop")
		hook := newWebhook(t)
		inbox := s.NewInbox(t, o, "Shop app", "api", map[string]any{"webhook_url": hook.URL})
		inboxPath := fmt.Sprintf("/api/v1/inboxes/%d", inbox.ID)
		var secrets map[string]string
		s.Must(t, o.Token, http.MethodGet, inboxPath+"/secrets", nil, http.StatusOK, &secrets)
		secret := secrets["webhook_secret"]
		if len(secret) < 32 {
			t.Fatalf("webhook_secret %q is missing or short", secret)
		}
		if strings.Contains(s.Must(t, o.Token, http.MethodGet, inboxPath, nil, http.StatusOK, nil).String(), secret) {
			t.Error("GET /inboxes/{id} shows the webhook secret")
		}

		in := map[string]any{"contact": map[string]string{"identifier": "c1", "name": "Nusrat", "email": "N@Example.com"},
			"content": "আমার প্যাকেজ কোথায়?", "external_id": "m1"}
		var first, again apitest.Received
		s.Must(t, o.Token, http.MethodPost, inboxPath+"/messages", in, http.StatusCreated, &first)
		conv := first.Conversation
		if first.Duplicate || first.Message.Kind != sahay.MessageIncoming || first.Message.Content != "আমার প্যাকেজ কোথায়?" ||
			first.Message.ExternalID != "m1" {
			t.Errorf("first message = %+v, duplicate %v", first.Message, first.Duplicate)
		}
		if conv.InboxID != inbox.ID || conv.Status != sahay.StatusOpen || conv.Contact == nil ||
			conv.Contact.Name != "Nusrat" || conv.Contact.Email != "n@example.com" {
			t.Errorf("conversation = %+v, contact %+v", conv, conv.Contact)
		}
		s.Must(t, o.Token, http.MethodPost, inboxPath+"/messages", in, http.StatusOK, &again)
		if !again.Duplicate || again.Message.ID != first.Message.ID || again.Conversation.ID != conv.ID {
			t.Errorf("second delivery of m1: duplicate %v, message %d, conversation %d; want true, %d, %d",
				again.Duplicate, again.Message.ID, again.Conversation.ID, first.Message.ID, conv.ID)
		}
		convPath := fmt.Sprintf("/api/v1/conversations/%d", conv.ID)
		var incoming []sahay.Message
		for _, m := range items[sahay.Message](t, s, o.Token, convPath+"/messages") {
			if m.Kind == sahay.MessageIncoming {
				incoming = append(incoming, m)
			}
		}
		if len(incoming) != 1 || incoming[0].ID != first.Message.ID {
			t.Errorf("conversation has incoming messages %+v, want only %d", incoming, first.Message.ID)
		}

		var reply sahay.Message
		s.Must(t, o.Token, http.MethodPost, convPath+"/messages", map[string]string{"content": "It left our warehouse today."},
			http.StatusCreated, &reply)
		if reply.Kind != sahay.MessageOutgoing || reply.Status != sahay.DeliveryPending {
			t.Errorf("reply = kind %s status %s, want outgoing pending", reply.Kind, reply.Status)
		}
		call := hook.next(t)
		if call.method != http.MethodPost || !strings.HasPrefix(call.header.Get("Content-Type"), "application/json") {
			t.Errorf("webhook got %s with Content-Type %q", call.method, call.header.Get("Content-Type"))
		}
		checkSignature(t, secret, call.header.Get("X-Sahay-Signature"), call.body)
		if got, want := call.header.Get("Idempotency-Key"), fmt.Sprintf("sahay-%d", reply.ID); got != want {
			t.Errorf("Idempotency-Key = %q, want %q", got, want)
		}
		var p payload
		if err := json.Unmarshal(call.body, &p); err != nil {
			t.Fatalf("webhook body %s: %v", call.body, err)
		}
		if p.Event != "message.created" || p.InboxID != inbox.ID || p.Message.ID != reply.ID ||
			p.Message.Content != "It left our warehouse today." || p.Contact.Identifier != "c1" || p.Contact.Name != "Nusrat" {
			t.Errorf("webhook payload = %s", call.body)
		}
		if p.ConversationID != conv.ID {
			t.Errorf("webhook conversation_id = %d, want the conversation's id %d (its number is %d)", p.ConversationID, conv.ID, conv.DisplayID)
		}
		sent := waitStatus(t, s, o.Token, conv.ID, reply.ID, sahay.DeliverySent)
		ext := fmt.Sprintf("sahay-%d", reply.ID)
		if sent.ExternalID != ext {
			t.Errorf("sent reply's external_id = %q, want %q", sent.ExternalID, ext)
		}

		// Receipts move the status forward only.
		receipt := func(status string) {
			t.Helper()
			s.Must(t, o.Token, http.MethodPost, inboxPath+"/statuses", map[string]string{"external_id": ext, "status": status},
				http.StatusNoContent, nil)
		}
		for _, step := range []struct{ receipt, want string }{
			{"delivered", sahay.DeliveryDelivered},
			{"read", sahay.DeliveryRead},
			{"delivered", sahay.DeliveryRead},
			{"sent", sahay.DeliveryRead},
			{"failed", sahay.DeliveryRead},
		} {
			receipt(step.receipt)
			if got := message(t, s, o.Token, conv.ID, reply.ID).Status; got != step.want {
				t.Errorf("after a %q receipt the reply is %q, want %q", step.receipt, got, step.want)
			}
		}
		// A receipt for a message the inbox never sent is ignored: it
		// changes no message. (The followers may commit events of their
		// own meanwhile, such as the scorer's about the conversation.)
		seq := lastSeq(t, s, o.AccountID)
		s.Must(t, o.Token, http.MethodPost, inboxPath+"/statuses", map[string]string{"external_id": "sahay-999999", "status": "read"},
			http.StatusNoContent, nil)
		after, err := s.App.Store.EventsAfter(context.Background(), o.AccountID, seq, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range after {
			if ev.Type == sahay.EventMessageUpdated {
				t.Errorf("a receipt for an unknown message committed %s: %s", ev.Type, ev.Data)
			}
		}

		t.Run("failed-reply-retried", func(t *testing.T) {
			flaky := newWebhook(t)
			flaky.status.Store(http.StatusBadRequest)
			inbox2 := s.NewInbox(t, o, "Flaky app", "api", map[string]any{"webhook_url": flaky.URL})
			conv2 := s.Receive(t, o, inbox2.ID, "c2", "hello?", "f-1").Conversation
			var reply2 sahay.Message
			s.Must(t, o.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conv2.ID),
				map[string]string{"content": "hello!"}, http.StatusCreated, &reply2)
			flaky.next(t)
			if m := waitStatus(t, s, o.Token, conv2.ID, reply2.ID, sahay.DeliveryFailed); m.Error == "" {
				t.Error("a failed reply has no error for the agent")
			}
			// A receipt sent to another inbox cannot touch this reply.
			s.Must(t, o.Token, http.MethodPost, inboxPath+"/statuses",
				map[string]string{"external_id": fmt.Sprintf("sahay-%d", reply2.ID), "status": "read"}, http.StatusNoContent, nil)
			if got := message(t, s, o.Token, conv2.ID, reply2.ID).Status; got != sahay.DeliveryFailed {
				t.Errorf("another inbox's receipt changed the reply to %q", got)
			}

			flaky.status.Store(http.StatusOK)
			var retried sahay.Message
			s.Must(t, o.Token, http.MethodPost, fmt.Sprintf("/api/v1/messages/%d/retry", reply2.ID), nil, http.StatusOK, &retried)
			if retried.Status != sahay.DeliveryPending || retried.Error != "" {
				t.Errorf("retried reply = status %q error %q, want pending without error", retried.Status, retried.Error)
			}
			call := flaky.next(t)
			if got, want := call.header.Get("Idempotency-Key"), fmt.Sprintf("sahay-%d", reply2.ID); got != want {
				t.Errorf("retry's Idempotency-Key = %q, want %q", got, want)
			}
			waitStatus(t, s, o.Token, conv2.ID, reply2.ID, sahay.DeliverySent)
		})

		select {
		case c := <-hook.calls:
			t.Errorf("the webhook was called again for a reply it had accepted: %s", c.body)
		default:
		}
	})
}

// TestConfiguredURLsOfThePrivateNetworkRefused saves URLs that point into
// the server's own network: a webhook and a Web Push endpoint. A server
// that does not allow private URLs refuses them with an error naming the
// field and stores nothing; one started with the allowance takes them.
func TestConfiguredURLsOfThePrivateNetworkRefused(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		g := apitest.NewServerWith(t, apitest.Options{GuardURLs: true})
		o := g.NewAccount(t, "Shop")
		inbox := g.NewInbox(t, o, "Shop app", "api", map[string]any{"webhook_url": "https://hooks.example.com/sahay"})
		inboxPath := fmt.Sprintf("/api/v1/inboxes/%d", inbox.ID)
		private := []string{
			"http://127.0.0.1:8080/hook", "http://localhost:9000/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
			"http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/", "http://10.0.0.7/",
			"http://192.168.1.1/", "http://100.64.0.1/", "http://0.0.0.0:8080/", "http://2130706433/", "http://[fe80::1]/",
		}
		sub := func(endpoint string) map[string]any {
			return map[string]any{"endpoint": endpoint, "keys": map[string]string{"p256dh": "BPk", "auth": "tBHItJI5svbpez7KI4CCXg"}}
		}
		for _, u := range private {
			r := g.Call(t, o.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Private " + u, "channel": "api",
				"settings": map[string]string{"webhook_url": u}})
			wantError(t, r, http.StatusUnprocessableEntity, "invalid")
			if _, msg := r.Error(); !strings.Contains(msg, "settings.webhook_url") || !strings.Contains(msg, "not a public address") {
				t.Errorf("creating an inbox with webhook %s: error %q does not name the field and the reason", u, msg)
			}
			r = g.Call(t, o.Token, http.MethodPatch, inboxPath, map[string]any{"settings": map[string]string{"webhook_url": u}})
			wantError(t, r, http.StatusUnprocessableEntity, "invalid")

			endpoint := strings.Replace(u, "http://", "https://", 1)
			r = g.Call(t, o.Token, http.MethodPost, "/api/v1/push/subscriptions", sub(endpoint))
			wantError(t, r, http.StatusUnprocessableEntity, "invalid")
			if _, msg := r.Error(); !strings.Contains(msg, "endpoint") {
				t.Errorf("subscribing %s: error %q does not name the endpoint", endpoint, msg)
			}
		}
		if n := len(items[sahay.Inbox](t, g, o.Token, "/api/v1/inboxes")); n != 1 {
			t.Errorf("%d inboxes after the refused ones, want 1", n)
		}
		var got sahay.Inbox
		g.Must(t, o.Token, http.MethodGet, inboxPath, nil, http.StatusOK, &got)
		if !strings.Contains(string(got.Settings), "https://hooks.example.com/sahay") {
			t.Errorf("refused changes altered the inbox's settings: %s", got.Settings)
		}
		subs, err := g.App.Store.PushSubscriptions(context.Background(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 0 {
			t.Errorf("refused push subscriptions were stored: %d", len(subs))
		}
		// A public push endpoint is still welcome.
		g.Must(t, o.Token, http.MethodPost, "/api/v1/push/subscriptions", sub("https://push.example.com/send/device-1"), http.StatusNoContent, nil)

		// The operator's allowance, as these tests' own simulators need.
		s := apitest.NewServer(t)
		so := s.NewAccount(t, "Lab")
		for _, u := range private[:3] {
			s.Must(t, so.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Lab " + u, "channel": "api",
				"settings": map[string]string{"webhook_url": u}}, http.StatusCreated, nil)
			s.Must(t, so.Token, http.MethodPost, "/api/v1/push/subscriptions", sub(strings.Replace(u, "http://", "https://", 1)),
				http.StatusNoContent, nil)
		}
	})
}
