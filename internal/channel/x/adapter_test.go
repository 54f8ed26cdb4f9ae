package x_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/x"
	"github.com/sahayhq/sahay/internal/channel/x/xtest"
)

const (
	consumerKey    = "xvz1evFS4wEEPTGEFPHBog"
	consumerSecret = "test_consumer_secret"
	customer       = "3001969357"
)

// account is an X inbox of a running Sahay, on the simulator.
type account struct {
	s     *apitest.Server
	sim   *xtest.Server
	owner *apitest.User
	inbox *sahay.Inbox
}

func newAccount(t *testing.T) *account {
	t.Helper()
	a := &account{s: apitest.NewServer(t), sim: xtest.New(t, consumerKey, consumerSecret)}
	a.owner = a.s.NewAccount(t, "Shop")
	a.inbox = a.s.NewInbox(t, a.owner, "X", "x", map[string]any{
		"consumer_key": consumerKey, "consumer_secret": consumerSecret, "access_token": xtest.Account.ID + "-token",
		"access_token_secret": "token-secret", "user_id": xtest.Account.ID, "api_base_url": a.sim.BaseURL})
	return a
}

func (a *account) hook() string { return fmt.Sprintf("%s/webhooks/%d", a.s.URL, a.inbox.ID) }

func (a *account) deliver(t *testing.T, body []byte) {
	t.Helper()
	resp, err := a.sim.Deliver(a.hook(), body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: status %d", resp.StatusCode)
	}
}

// dm is an Account Activity delivery of one direct message.
func dm(id, from, to, text string) []byte {
	body, _ := json.Marshal(map[string]any{
		"for_user_id": xtest.Account.ID,
		"direct_message_events": []any{map[string]any{"type": "message_create", "id": id, "created_timestamp": fmt.Sprint(time.Now().UnixMilli()),
			"message_create": map[string]any{"target": map[string]any{"recipient_id": to}, "sender_id": from,
				"message_data": map[string]any{"text": text}}}},
		"users": map[string]any{customer: map[string]any{"id": customer, "name": "Jordan Brinks", "screen_name": "furiouscamper"}},
	})
	return body
}

// mentionPost is an Account Activity delivery of a post by the customer
// mentioning the account, in answer to replyTo.
func mentionPost(id, replyTo, text string) []byte {
	body, _ := json.Marshal(map[string]any{
		"for_user_id": xtest.Account.ID,
		"tweet_create_events": []any{map[string]any{"id_str": id, "text": text, "timestamp_ms": fmt.Sprint(time.Now().UnixMilli()),
			"in_reply_to_status_id_str": replyTo, "in_reply_to_user_id_str": xtest.Account.ID,
			"user":     map[string]any{"id_str": customer, "name": "Jordan Brinks", "screen_name": "furiouscamper"},
			"entities": map[string]any{"user_mentions": []any{map[string]any{"id_str": xtest.Account.ID, "screen_name": "Harris_0ff"}}}}},
	})
	return body
}

func (a *account) waitMessage(t *testing.T, externalID string, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := a.s.App.Store.MessageByExternalID(ctx, a.inbox.ID, externalID)
		if err == nil {
			if m, err = a.s.App.Store.Message(ctx, m.AccountID, m.ID); err != nil {
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

func (a *account) waitStatus(t *testing.T, id int64, status string) *sahay.Message {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := a.s.App.Store.Message(context.Background(), a.inbox.AccountID, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status == status {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d is not %s within 15s: %+v", id, status, m)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *account) messages(t *testing.T, conversationID int64) []*sahay.Message {
	t.Helper()
	ms, err := a.s.App.Store.Messages(context.Background(), a.inbox.AccountID, conversationID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (a *account) journal(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, state := range []string{"pending", "done", "failed"} {
		var l struct {
			Items []struct {
				DedupeKey string `json:"dedupe_key"`
			}
		}
		a.s.Must(t, a.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=%s", a.inbox.ID, state), nil, http.StatusOK, &l)
		for _, e := range l.Items {
			out = append(out, e.DedupeKey)
		}
	}
	return out
}

// The webhook answers X's CRC check at any time with the published
// vector's algorithm, and refuses deliveries not signed with the
// consumer secret, storing nothing.
func TestWebhookCRCAndSignature(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	for _, token := range []string{"9b4507b3-9040-4669-9ca3-6b94edb50553", "another-check"} {
		if _, err := a.sim.CRC(a.hook(), token); err != nil {
			t.Fatal(err)
		}
	}
	body := dm("954491830116155396", customer, xtest.Account.ID, "forged")
	for _, sig := range []string{"", "sha256=" + strings.Repeat("A", 43) + "=", x.Sign("another secret", body), "sha1=abc"} {
		resp, err := xtest.DeliverSigned(a.hook(), body, sig)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("signature %q: status %d, want 401", sig, resp.StatusCode)
		}
	}
	if j := a.journal(t); len(j) != 0 {
		t.Fatalf("refused deliveries journalled %v", j)
	}
}

// A direct message delivered three times is one message from the named
// customer; the agent's reply is a direct message to them, and its echo
// is not a second message.
func TestDirectMessages(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	body := dm("954491830116155396", customer, xtest.Account.ID, "Hello World!")
	for range 3 {
		a.deliver(t, body)
	}
	m := a.waitMessage(t, "954491830116155396", nil)
	if m.Content != "Hello World!" || m.Kind != sahay.MessageIncoming || m.Public {
		t.Fatalf("message %+v", m)
	}
	var contact sahay.Contact
	var conv sahay.Conversation
	a.s.Must(t, a.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", m.ConversationID), nil, http.StatusOK, &conv)
	a.s.Must(t, a.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d", conv.ContactID), nil, http.StatusOK, &contact)
	if contact.Name != "Jordan Brinks" {
		t.Fatalf("contact %+v, want Jordan Brinks", contact)
	}
	var reply sahay.Message
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "Hi Jordan! How can we help?"}, http.StatusCreated, &reply)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	sent, err := a.sim.Wait(ctx, http.MethodPost, "/2/dm_conversations/with/"+customer+"/messages", 1)
	if err != nil {
		t.Fatal(err)
	}
	if sent[0].JSON()["text"] != "Hi Jordan! How can we help?" || !strings.HasPrefix(sent[0].Authorization, "OAuth ") {
		t.Fatalf("sent %s with %q", sent[0].Body, sent[0].Authorization)
	}
	r := a.waitStatus(t, reply.ID, sahay.DeliverySent)
	a.deliver(t, dm(r.ExternalID, xtest.Account.ID, customer, "Hi Jordan! How can we help?"))
	a.deliver(t, dm("954491830116155400", customer, xtest.Account.ID, "my order is late"))
	a.waitMessage(t, "954491830116155400", nil)
	if ms := a.messages(t, m.ConversationID); len(ms) != 3 {
		t.Fatalf("conversation holds %d messages, want the customer's two and the reply once: %+v", len(ms), ms)
	}
	if j := a.journal(t); len(j) != 3 {
		t.Fatalf("journal %v, want 3 events", j)
	}
}

// A mention is a public conversation on the post it answers; the reply
// is a post in answer to the mention, a phone number in it is refused,
// and a private reply is a direct message to the mention's author.
func TestMentions(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, mentionPost("1850000000000000001", "1849999999999999999", "@Harris_0ff my parcel never arrived"))
	c := a.waitMessage(t, "1850000000000000001", nil)
	var conv sahay.Conversation
	a.s.Must(t, a.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", c.ConversationID), nil, http.StatusOK, &conv)
	if !c.Public || !conv.Public || conv.Post == nil || conv.Post.ID != "1849999999999999999" ||
		conv.Post.URL != "https://x.com/i/web/status/1849999999999999999" {
		t.Fatalf("mention public=%v in %+v (post %+v), want public on the post it answers", c.Public, conv, conv.Post)
	}
	r := a.s.Call(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID),
		map[string]any{"content": "Call us on +8801712345678"})
	if code, _ := r.Error(); r.Status != http.StatusConflict || code != "personal_data" {
		t.Fatalf("a phone number in a public reply: %s, want 409 personal_data", r)
	}
	var reply sahay.Message
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID),
		map[string]any{"content": "Sorry to hear that! We'll look into it."}, http.StatusCreated, &reply)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	posts, err := a.sim.Wait(ctx, http.MethodPost, "/2/tweets", 1)
	if err != nil {
		t.Fatal(err)
	}
	b := posts[0].JSON()
	if b["text"] != "Sorry to hear that! We'll look into it." || fmt.Sprint(b["reply"]) != "map[in_reply_to_tweet_id:1850000000000000001]" {
		t.Fatalf("public reply %s", posts[0].Body)
	}
	if m := a.waitStatus(t, reply.ID, sahay.DeliverySent); !m.Public {
		t.Fatalf("the public reply %+v is not public", m)
	}

	var priv struct {
		Conversation sahay.Conversation `json:"conversation"`
		Message      sahay.Message      `json:"message"`
	}
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/private_reply", conv.ID),
		map[string]any{"content": "Please send us your order number"}, http.StatusCreated, &priv)
	dms, err := a.sim.Wait(ctx, http.MethodPost, "/2/dm_conversations/with/"+customer+"/messages", 1)
	if err != nil {
		t.Fatal(err)
	}
	if dms[0].JSON()["text"] != "Please send us your order number" {
		t.Fatalf("private reply %s", dms[0].Body)
	}
	a.waitStatus(t, priv.Message.ID, sahay.DeliverySent)
	if priv.Conversation.Public || priv.Conversation.LinkedConversationID != conv.ID {
		t.Fatalf("private conversation %+v, want private and linked to %d", priv.Conversation, conv.ID)
	}
	a.deliver(t, dm("954491830116155500", customer, xtest.Account.ID, "It's #4471"))
	if m := a.waitMessage(t, "954491830116155500", nil); m.ConversationID != priv.Conversation.ID {
		t.Fatalf("the answer landed in %d, want the private conversation %d", m.ConversationID, priv.Conversation.ID)
	}
}

// A 429 is retried after X's reset time, not before, and the reply is
// then sent once.
func TestRateLimited(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, dm("954491830116155600", customer, xtest.Account.ID, "hi"))
	m := a.waitMessage(t, "954491830116155600", nil)
	path := "/2/dm_conversations/with/" + customer + "/messages"
	a.sim.Fail(path, http.StatusTooManyRequests, time.Now().Add(2*time.Second))
	var reply sahay.Message
	start := time.Now()
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "hello"}, http.StatusCreated, &reply)
	a.waitStatus(t, reply.ID, sahay.DeliverySent)
	calls := a.sim.Find(http.MethodPost, path)
	if len(calls) != 2 || time.Since(start) < time.Second {
		t.Fatalf("%d calls in %s, want the refused one and one after the reset", len(calls), time.Since(start))
	}
}

// The inbox takes the contract's settings, keeps the secrets out of
// them, refuses a wrong setting naming it, declares the channel's
// limits, and test connection reads the account.
func TestInboxSettings(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	for _, secret := range []string{consumerSecret, "token-secret", xtest.Account.ID + "-token"} {
		if strings.Contains(string(a.inbox.Settings), secret) {
			t.Fatalf("settings %s show a secret", a.inbox.Settings)
		}
	}
	var res struct {
		OK    bool
		Error string
	}
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", a.inbox.ID), nil, http.StatusOK, &res)
	if !res.OK {
		t.Fatalf("test connection: %+v", res)
	}
	good := map[string]any{"consumer_key": consumerKey, "consumer_secret": consumerSecret, "access_token": "a-b",
		"access_token_secret": "c", "user_id": "1", "api_base_url": a.sim.BaseURL}
	for key, bad := range map[string]any{"user_id": "@shop", "consumer_key": "", "access_token": "has space", "api_base_url": "ftp://x", "page_id": "1"} {
		settings := map[string]any{}
		for k, v := range good {
			settings[k] = v
		}
		settings[key] = bad
		r := a.s.Call(t, a.owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Bad", "channel": "x", "settings": settings})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.String(), key) {
			t.Errorf("%s %q: %s, want 422 naming it", key, bad, r)
		}
	}
	var other sahay.Inbox
	good["user_id"] = "1"
	a.s.Must(t, a.owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Other", "channel": "x", "settings": good}, http.StatusCreated, &other)
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", other.ID), nil, http.StatusOK, &res)
	if res.OK || !strings.Contains(res.Error, xtest.Account.ID) {
		t.Fatalf("test of another account's token: %+v", res)
	}
	var channels struct {
		Items []struct {
			Name         string
			Testable     bool
			Capabilities struct {
				MaxText        int  `json:"max_text"`
				PublicComments bool `json:"public_comments"`
				PrivateReply   bool `json:"private_reply"`
			}
		}
	}
	a.s.Must(t, a.owner.Token, http.MethodGet, "/api/v1/channels", nil, http.StatusOK, &channels)
	for _, c := range channels.Items {
		if c.Name == "x" {
			if c.Capabilities.MaxText != 10000 || !c.Capabilities.PublicComments || !c.Capabilities.PrivateReply || !c.Testable {
				t.Fatalf("x channel %+v", c)
			}
			return
		}
	}
	t.Fatal("no x channel")
}
