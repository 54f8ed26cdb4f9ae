package x_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/x"
	"github.com/sahayhq/sahay/internal/channel/x/xtest"
	"github.com/sahayhq/sahay/internal/store/storetest"
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
		"consumer_key": consumerKey, "consumer_secret": consumerSecret, "access_token": xtest.AccessToken,
		"access_token_secret": xtest.AccessTokenSecret, "user_id": xtest.Account.ID, "api_base_url": a.sim.BaseURL})
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
	// An event read as pending may be done by the next read: read until
	// none is pending, so no event is listed twice.
	var out []string
	storetest.Eventually(t, 10*time.Second, "no journalled event pending", func() bool {
		out = nil
		pending := 0
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
			if state == "pending" {
				pending = len(l.Items)
			}
		}
		return pending == 0
	})
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
// customer; the agent's reply is a direct message to them, its echo is
// not a second message, and the customer's read receipt marks it read.
func TestDirectMessages(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
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
		read, _ := json.Marshal(map[string]any{"for_user_id": xtest.Account.ID, "direct_message_mark_read_events": []any{map[string]any{
			"created_timestamp": fmt.Sprint(time.Now().UnixMilli()), "sender_id": customer,
			"target": map[string]any{"recipient_id": xtest.Account.ID}, "last_read_event_id": r.ExternalID}}})
		a.deliver(t, read)
		a.waitStatus(t, reply.ID, sahay.DeliveryRead)
		a.deliver(t, dm("954491830116155400", customer, xtest.Account.ID, "my order is late"))
		a.waitMessage(t, "954491830116155400", nil)
		if ms := a.messages(t, m.ConversationID); len(ms) != 3 {
			t.Fatalf("conversation holds %d messages, want the customer's two and the reply once: %+v", len(ms), ms)
		}
		if j := a.journal(t); len(j) != 4 {
			t.Fatalf("journal %v, want 4 events", j)
		}
	})
}

// A mention is a public conversation on the post it answers; the reply
// is a post in answer to the mention, a phone number in it is refused,
// and a private reply is a direct message to the mention's author.
func TestMentions(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
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
	})
}

// A 429 is retried after X's reset time, not before, and the reply is
// then sent once.
func TestRateLimited(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, dm("954491830116155600", customer, xtest.Account.ID, "hi"))
	m := a.waitMessage(t, "954491830116155600", nil)
	path := "/2/dm_conversations/with/" + customer + "/messages"
	// Past the job runner's first backoff (2s), so only X's reset explains the wait.
	reset := time.Unix(time.Now().Add(4*time.Second).Unix(), 0)
	a.sim.Fail(path, http.StatusTooManyRequests, reset)
	var reply sahay.Message
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "hello"}, http.StatusCreated, &reply)
	a.waitStatus(t, reply.ID, sahay.DeliverySent)
	calls := a.sim.Find(http.MethodPost, path)
	if len(calls) != 2 || calls[1].At.Before(reset) {
		t.Fatalf("%d calls, the last at %s: want the refused one and one at or after the reset %s", len(calls), calls[len(calls)-1].At, reset)
	}
}

// The inbox takes the contract's settings, keeps the secrets out of
// them, refuses a wrong setting naming it, declares the channel's
// limits, and test connection reads the account.
func TestInboxSettings(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	for _, secret := range []string{consumerSecret, xtest.AccessToken, xtest.AccessTokenSecret} {
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
	a.s.Must(t, a.owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Other", "channel": "x", "settings": good}, http.StatusCreated, &other)
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", other.ID), nil, http.StatusOK, &res)
	if res.OK || !strings.HasPrefix(res.Error, "X refused the inbox's credentials") {
		t.Fatalf("test of wrong credentials: %+v", res)
	}
	good["access_token"], good["access_token_secret"] = xtest.AccessToken, xtest.AccessTokenSecret
	a.s.Must(t, a.owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Other", "channel": "x", "settings": good}, http.StatusCreated, &other)
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", other.ID), nil, http.StatusOK, &res)
	if res.OK || !strings.Contains(res.Error, "set user_id to "+xtest.Account.ID) {
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

// A reply X cannot take fails at once with a reason the agent
// understands: a direct message the app's access does not allow, a
// public reply over 280 characters.
func TestRefusedReplies(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, dm("954491830116155700", customer, xtest.Account.ID, "hi"))
	m := a.waitMessage(t, "954491830116155700", nil)
	path := "/2/dm_conversations/with/" + customer + "/messages"
	a.sim.Fail(path, http.StatusForbidden, time.Time{})
	var reply sahay.Message
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "hello"}, http.StatusCreated, &reply)
	if f := a.waitStatus(t, reply.ID, sahay.DeliveryFailed); !strings.Contains(f.Error, "the X API access of this app cannot send direct messages") {
		t.Fatalf("failed reply %q", f.Error)
	}
	if calls := a.sim.Find(http.MethodPost, path); len(calls) != 1 {
		t.Fatalf("%d calls, want the refused one only", len(calls))
	}

	a.deliver(t, mentionPost("1850000000000000010", "", "@Harris_0ff is the shop open?"))
	c := a.waitMessage(t, "1850000000000000010", nil)
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", c.ConversationID),
		map[string]any{"content": strings.Repeat("open every day ", 20)}, http.StatusCreated, &reply)
	if f := a.waitStatus(t, reply.ID, sahay.DeliveryFailed); !strings.Contains(f.Error, "at most 280 characters") {
		t.Fatalf("failed public reply %q", f.Error)
	}
	if posts := a.sim.Find(http.MethodPost, "/2/tweets"); len(posts) != 0 {
		t.Fatalf("a public reply over 280 characters was posted: %s", posts[0].Body)
	}
}

// What the account writes on X itself joins the conversations: a direct
// message from X's app is the business's answer, its post answering a
// mention joins the mention's public conversation.
func TestAnswersOnX(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, dm("954491830116155800", customer, xtest.Account.ID, "hi"))
	m := a.waitMessage(t, "954491830116155800", nil)
	a.deliver(t, dm("954491830116155801", xtest.Account.ID, customer, "We open at 10"))
	if team := a.waitMessage(t, "954491830116155801", nil); team.Kind != sahay.MessageOutgoing || team.ConversationID != m.ConversationID {
		t.Fatalf("the answer from X's app is %s in %d, want outgoing in %d", team.Kind, team.ConversationID, m.ConversationID)
	}

	a.deliver(t, mentionPost("1850000000000000020", "", "@Harris_0ff do you ship to Sylhet?"))
	c := a.waitMessage(t, "1850000000000000020", nil)
	own, _ := json.Marshal(map[string]any{"for_user_id": xtest.Account.ID, "tweet_create_events": []any{map[string]any{
		"id_str": "1850000000000000021", "text": "@furiouscamper yes, in 3 days", "in_reply_to_status_id_str": "1850000000000000020",
		"in_reply_to_user_id_str": customer, "user": map[string]any{"id_str": xtest.Account.ID, "name": "Harrison Test"}}}})
	a.deliver(t, own)
	if r := a.waitMessage(t, "1850000000000000021", nil); r.Kind != sahay.MessageOutgoing || r.ConversationID != c.ConversationID {
		t.Fatalf("the account's answer on X is %s in %d, want outgoing in %d", r.Kind, r.ConversationID, c.ConversationID)
	}
}

// An X Activity API delivery is read as Account Activity's, and its
// redeliveries store nothing twice.
func TestActivityAPIDelivery(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	body := []byte(`{"data":{"event_uuid":"-6850472171600526495","filter":{"user_id":"4337869213"},"event_type":"dm.received","tag":"dm-inbound","payload":{"direct_message_events":[{"type":"message_create","id":"954491830116155900","created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","message_data":{"text":"through XAA"}}}],"users":{"3001969357":{"data":{"id":"3001969357","name":"Jordan Brinks","username":"furiouscamper"}}}}}}`)
	a.deliver(t, body)
	a.deliver(t, body)
	if m := a.waitMessage(t, "954491830116155900", nil); m.Content != "through XAA" {
		t.Fatalf("message %+v", m)
	}
	if j := a.journal(t); len(j) != 1 || j[0] != "event:-6850472171600526495" {
		t.Fatalf("journal %v, want the event once", j)
	}
}

// A direct message's file is fetched with the inbox's OAuth signature,
// within the size allowed.
func TestFetch(t *testing.T) {
	t.Parallel()
	sim := xtest.New(t, consumerKey, consumerSecret)
	photo := sim.AddFile("photo.jpg", []byte("\xff\xd8\xff broken box"))
	settings, _ := json.Marshal(map[string]string{"consumer_key": consumerKey, "user_id": xtest.Account.ID, "api_base_url": sim.BaseURL})
	inbox := &sahay.Inbox{Channel: "x", Settings: settings, Secrets: map[string]string{"consumer_secret": consumerSecret,
		"access_token": xtest.AccessToken, "access_token_secret": xtest.AccessTokenSecret}}
	ad := x.New("", true)
	f := channel.RemoteFile{ID: photo, Name: "photo.jpg", ContentType: "image/jpeg"}
	rc, err := ad.Fetch(context.Background(), inbox, f, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if string(data) != "\xff\xd8\xff broken box" {
		t.Fatalf("fetched %q", data)
	}
	if _, err := ad.Fetch(context.Background(), inbox, f, 4); !errors.Is(err, channel.ErrTooLarge) {
		t.Fatalf("a file over the limit: %v, want ErrTooLarge", err)
	}
	inbox.Secrets["access_token_secret"] = "wrong"
	if _, err := ad.Fetch(context.Background(), inbox, f, 1<<20); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a fetch with wrong credentials: %v, want 401", err)
	}
}

// reply posts an agent's reply with files, as the dashboard does.
func (a *account) reply(t *testing.T, conversationID int64, content string, files map[string][]byte) *apitest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("content", content)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(files[name])
	}
	mw.Close()
	return a.s.Do(t, apitest.Request{Token: a.owner.Token, Method: http.MethodPost,
		Path: fmt.Sprintf("/api/v1/conversations/%d/messages", conversationID), Body: body.Bytes(),
		Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
}

func pngImage(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Images go with replies: uploaded as X asks for direct messages and for
// posts, one a direct message, up to four a post; other files are refused
// before anything is sent.
func TestImages(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, dm("954491830116155800", customer, xtest.Account.ID, "photo of the invoice please"))
	m := a.waitMessage(t, "954491830116155800", nil)
	first, second := pngImage(t, 10), pngImage(t, 200)
	r := a.reply(t, m.ConversationID, "Here they are", map[string][]byte{"a.png": first, "b.png": second})
	if r.Status != http.StatusCreated {
		t.Fatalf("reply with images: %s", r)
	}
	var reply sahay.Message
	r.Decode(t, &reply)
	a.waitStatus(t, reply.ID, sahay.DeliverySent)
	dms := a.sim.Find(http.MethodPost, "/2/dm_conversations/with/"+customer+"/messages")
	if len(dms) != 2 {
		t.Fatalf("%d direct messages, want the text with the first image, then the second", len(dms))
	}
	for i, want := range [][]byte{first, second} {
		v := dms[i].JSON()
		atts, _ := v["attachments"].([]any)
		if len(atts) != 1 {
			t.Fatalf("direct message %d: %s", i, dms[i].Body)
		}
		up, ok := a.sim.Uploaded(atts[0].(map[string]any)["media_id"].(string))
		if !ok || up.Category != x.MediaDM || up.Type != "image/png" || !bytes.Equal(up.Data, want) {
			t.Fatalf("direct message %d carries %+v", i, up)
		}
	}
	if dms[0].JSON()["text"] != "Here they are" || dms[1].JSON()["text"] != nil {
		t.Fatalf("texts %s, %s", dms[0].Body, dms[1].Body)
	}

	a.deliver(t, mentionPost("1850000000000000020", "", "@Harris_0ff what does the box look like?"))
	c := a.waitMessage(t, "1850000000000000020", nil)
	r = a.reply(t, c.ConversationID, "", map[string][]byte{"box.png": first})
	if r.Status != http.StatusCreated {
		t.Fatalf("public reply with an image: %s", r)
	}
	r.Decode(t, &reply)
	a.waitStatus(t, reply.ID, sahay.DeliverySent)
	posts := a.sim.Find(http.MethodPost, "/2/tweets")
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	ids, _ := posts[0].JSON()["media"].(map[string]any)["media_ids"].([]any)
	if up, ok := a.sim.Uploaded(fmt.Sprint(ids[0])); len(ids) != 1 || !ok || up.Category != x.MediaPost {
		t.Fatalf("post %s carries %+v", posts[0].Body, up)
	}

	uploads := len(a.sim.Find(http.MethodPost, "/2/media/upload"))
	r = a.reply(t, m.ConversationID, "the manual", map[string][]byte{"manual.pdf": []byte("%PDF-1.4\n%%EOF\n")})
	if r.Status == http.StatusCreated {
		r.Decode(t, &reply)
		if f := a.waitStatus(t, reply.ID, sahay.DeliveryFailed); !strings.Contains(f.Error, "JPEG, PNG and WebP") {
			t.Fatalf("a PDF on X failed with %q", f.Error)
		}
	} else if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a PDF on X: %s", r)
	}
	if n := len(a.sim.Find(http.MethodPost, "/2/media/upload")); n != uploads {
		t.Fatalf("a refused file was uploaded")
	}
}

// With the app's bearer token, saving an inbox registers its webhook
// address with X (which checks it with a CRC request first), subscribes
// the account, checks an address X holds as invalid again, and says
// clearly what X refused.
func TestConnectRegistersTheWebhook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := xtest.New(t, consumerKey, consumerSecret)
	inboxes := map[string]*sahay.Inbox{}
	var ad *x.Adapter
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hook, err := ad.Webhook(inboxes[r.URL.Path], r, "", nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		w.Write(hook.Body)
	}))
	t.Cleanup(server.Close)
	ad = x.New(server.URL, true)
	newInbox := func(id int64, bearer string) *sahay.Inbox {
		settings, _ := json.Marshal(map[string]string{"consumer_key": consumerKey, "user_id": xtest.Account.ID, "api_base_url": sim.BaseURL})
		in := &sahay.Inbox{ID: id, Channel: "x", Settings: settings, Secrets: map[string]string{"consumer_secret": consumerSecret,
			"access_token": xtest.AccessToken, "access_token_secret": xtest.AccessTokenSecret, "bearer_token": bearer}}
		inboxes[fmt.Sprintf("/webhooks/%d", id)] = in
		return in
	}

	if err := ad.Connect(ctx, newInbox(6, "")); err != nil || len(sim.Find(http.MethodGet, "/2/webhooks")) != 0 {
		t.Fatalf("without a bearer token: %v, %d calls", err, len(sim.Find(http.MethodGet, "/2/webhooks")))
	}
	inbox := newInbox(7, xtest.BearerToken)
	for range 2 {
		if err := ad.Connect(ctx, inbox); err != nil {
			t.Fatal(err)
		}
	}
	hooks, subscribed := sim.Webhooks()
	if len(hooks) != 1 || hooks[0].URL != server.URL+"/webhooks/7" || !hooks[0].Valid || !subscribed[hooks[0].ID] {
		t.Fatalf("webhooks %+v, subscribed %v", hooks, subscribed)
	}

	sim.Invalidate()
	if err := ad.Connect(ctx, inbox); err != nil {
		t.Fatal(err)
	}
	if hooks, _ = sim.Webhooks(); !hooks[0].Valid || len(sim.Find(http.MethodPut, "/2/webhooks/*")) != 1 {
		t.Fatalf("an invalid webhook was not checked again: %+v", hooks)
	}

	if err := ad.Connect(ctx, newInbox(8, xtest.BearerToken)); err == nil || !strings.Contains(err.Error(), "one webhook") {
		t.Fatalf("a second address for the app: %v", err)
	}
	if err := ad.Connect(ctx, newInbox(9, "not-the-token")); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong bearer token: %v", err)
	}
}
