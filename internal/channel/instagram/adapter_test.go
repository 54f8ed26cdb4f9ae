package instagram_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
)

// account is an Instagram inbox of a running Sahay, on the simulator.
type account struct {
	s     *apitest.Server
	sim   *metatest.Sim
	owner *apitest.User
	inbox *sahay.Inbox
}

func newAccount(t *testing.T) *account {
	t.Helper()
	a := &account{s: apitest.NewServer(t), sim: metatest.New(t, appSecret)}
	a.owner = a.s.NewAccount(t, "Shop")
	a.inbox = a.s.NewInbox(t, a.owner, "Instagram", "instagram", map[string]any{
		"app_secret": appSecret, "access_token": metatest.Token, "instagram_account_id": accountID, "api_base_url": a.sim.URL})
	return a
}

func (a *account) hook() string { return fmt.Sprintf("%s/webhooks/%d", a.s.URL, a.inbox.ID) }

func (a *account) deliver(t *testing.T, entries ...any) {
	t.Helper()
	resp, err := a.sim.Deliver(a.hook(), metatest.Payload(meta.ObjectInstagram, entries...))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: status %d", resp.StatusCode)
	}
}

func entry(events ...meta.MessagingEvent) map[string]any {
	return map[string]any{"id": accountID, "time": time.Now().UnixMilli(), "messaging": events}
}

func message(from string, m *meta.MessagingMessage) meta.MessagingEvent {
	return meta.MessagingEvent{Sender: meta.MessagingParty{ID: from}, Recipient: meta.MessagingParty{ID: accountID},
		Timestamp: time.Now().UnixMilli(), Message: m}
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

func (a *account) journal(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, state := range []string{"pending", "done", "failed"} {
		var l struct{ Items []struct{} }
		a.s.Must(t, a.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=%s", a.inbox.ID, state), nil, http.StatusOK, &l)
		if len(l.Items) > 0 {
			out[state] = len(l.Items)
		}
	}
	return out
}

// The handshake takes the inbox's verify token only; an unsigned or
// wrongly signed delivery is refused and stores nothing.
func TestWebhookVerification(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	var secrets map[string]string
	a.s.Must(t, a.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", a.inbox.ID), nil, http.StatusOK, &secrets)
	if err := metatest.Handshake(a.hook(), secrets["verify_token"]); err != nil {
		t.Fatal(err)
	}
	if err := metatest.Handshake(a.hook(), "wrong"); err == nil {
		t.Fatal("a handshake with another verify token was answered")
	}
	body := metatest.Payload(meta.ObjectInstagram, entry(message(igsid, &meta.MessagingMessage{MID: "ig_forged", Text: "forged"})))
	for _, sig := range []string{"", meta.Sign("test_app_secret", body)} {
		resp, err := metatest.DeliverSigned(a.hook(), body, sig)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("signature %q: status %d, want 401 or 403", sig, resp.StatusCode)
		}
	}
	if j := a.journal(t); len(j) != 0 {
		t.Fatalf("refused deliveries journalled %v", j)
	}
}

// 50 messages in 5 entries are 50 messages, each once, when the delivery
// comes three times.
func TestWebhookBatch(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		a := newAccount(t)
		var entries []any
		for e := range 5 {
			var events []meta.MessagingEvent
			for i := range 10 {
				n := e*10 + i
				events = append(events, message(fmt.Sprintf("12544591546829%02d", n%5), &meta.MessagingMessage{MID: fmt.Sprintf("ig_batch_%02d", n), Text: fmt.Sprintf("message %d", n)}))
			}
			entries = append(entries, entry(events...))
		}
		body := metatest.Payload(meta.ObjectInstagram, entries...)
		for range 3 {
			if resp, err := a.sim.Deliver(a.hook(), body); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("delivery: %v %v", resp, err)
			}
		}
		conversations := map[int64]bool{}
		for n := range 50 {
			conversations[a.waitMessage(t, fmt.Sprintf("ig_batch_%02d", n), nil).ConversationID] = true
		}
		total := 0
		for id := range conversations {
			ms, err := a.s.App.Store.Messages(context.Background(), a.inbox.AccountID, id, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			total += len(ms)
		}
		if len(conversations) != 5 || total != 50 {
			t.Fatalf("%d messages in %d conversations, want 50 in 5", total, len(conversations))
		}
		// The last event's messages are stored a moment before the event
		// is marked done.
		deadline := time.Now().Add(10 * time.Second)
		for j := a.journal(t); j["done"] != 5 || len(j) != 1; j = a.journal(t) {
			if time.Now().After(deadline) {
				t.Fatalf("journal %v, want 5 done entries", j)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// An unsent message loses what it said; the account's own answer in
// Instagram is the business's.
func TestUnsentAndEchoes(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, entry(message(igsid, &meta.MessagingMessage{MID: "ig_oops", Text: "my card number is …"})))
	m := a.waitMessage(t, "ig_oops", nil)
	a.deliver(t, entry(message(igsid, &meta.MessagingMessage{MID: "ig_oops", IsDeleted: true}),
		meta.MessagingEvent{Sender: meta.MessagingParty{ID: accountID}, Recipient: meta.MessagingParty{ID: igsid}, Timestamp: time.Now().UnixMilli(),
			Message: &meta.MessagingMessage{MID: "ig_app_answer", Text: "Yes, in every size", IsEcho: true}}))
	a.waitMessage(t, "ig_oops", func(m *sahay.Message) bool { return m.Content == meta.Unsent })
	if e := a.waitMessage(t, "ig_app_answer", nil); e.Kind != sahay.MessageOutgoing || e.ConversationID != m.ConversationID {
		t.Fatalf("the account's own answer: %s in %d, want outgoing in %d", e.Kind, e.ConversationID, m.ConversationID)
	}
}

func igComment(field, id, fromID, username, mediaID, productType, parentID, text string) map[string]any {
	v := map[string]any{"id": id, "text": text, "from": map[string]string{"id": fromID, "username": username},
		"media": map[string]string{"id": mediaID, "media_product_type": productType}}
	if parentID != "" {
		v["parent_id"] = parentID
	}
	return map[string]any{"id": accountID, "time": time.Now().Unix(), "changes": []map[string]any{{"field": field, "value": v}}}
}

// waitSent waits until the reply is sent, and returns it with its
// external id.
func (a *account) waitSent(t *testing.T, id int64) *sahay.Message {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := a.s.App.Store.Message(context.Background(), a.inbox.AccountID, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status == sahay.DeliverySent && m.ExternalID != "" {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d was not sent within 15s: %+v", id, m)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A comment on a reel is a public conversation on it; a repeated ad
// comment is one message; the reply goes to /replies; a private reply
// goes by comment_id and the commenter's answer in Direct lands in the
// private conversation; hiding reaches Instagram.
func TestComments(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, igComment("comments", "17919697626119713", "17841400000000002", "rahim_uddin", "18033456789012345", "REELS", "", "কোথায় পাবো?"))
	c := a.waitMessage(t, "17919697626119713", nil)
	var conv sahay.Conversation
	a.s.Must(t, a.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", c.ConversationID), nil, http.StatusOK, &conv)
	if !c.Public || !conv.Public || conv.Post == nil || conv.Post.ID != "18033456789012345" || conv.Post.Kind != "reel" {
		t.Fatalf("comment public=%v in %+v (post %+v), want public on the reel", c.Public, conv, conv.Post)
	}
	ad := igComment("comments", "17919697626119714", "17841400000000002", "rahim_uddin", "18044444444444444", "AD", "", "Chittagong?")
	a.deliver(t, ad)
	a.deliver(t, ad, ad)
	adMsg := a.waitMessage(t, "17919697626119714", nil)
	if ms, _ := a.s.App.Store.Messages(context.Background(), a.inbox.AccountID, adMsg.ConversationID, 0, 10); len(ms) != 1 {
		t.Fatalf("the ad comment sent three times is %d messages", len(ms))
	}

	var reply sahay.Message
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID),
		map[string]any{"content": "Sending you the shop link in Direct"}, http.StatusCreated, &reply)
	a.waitSent(t, reply.ID)
	if rs := a.sim.Find(http.MethodPost, "/17919697626119713/replies"); len(rs) != 1 || rs[0].Param("message") != "Sending you the shop link in Direct" {
		t.Fatalf("public replies %+v", rs)
	}

	a.sim.AddComment("17919697626119713", igsid)
	var priv struct {
		Conversation sahay.Conversation `json:"conversation"`
		Message      sahay.Message      `json:"message"`
	}
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/private_reply", conv.ID),
		map[string]any{"content": "Here is the link: shop.example/reel-saree"}, http.StatusCreated, &priv)
	a.waitSent(t, priv.Message.ID)
	dm := a.sim.Find(http.MethodPost, "/"+accountID+"/messages")
	if len(dm) != 1 || get(dm[0], "recipient", "comment_id") != "17919697626119713" {
		t.Fatalf("private reply %+v", dm)
	}
	a.deliver(t, entry(message(igsid, &meta.MessagingMessage{MID: "ig_after_private", Text: "Thanks!"})))
	if m := a.waitMessage(t, "ig_after_private", nil); m.ConversationID != priv.Conversation.ID {
		t.Fatalf("the commenter's answer landed in %d, want the private conversation %d", m.ConversationID, priv.Conversation.ID)
	}

	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/messages/%d/moderate", c.ID), map[string]any{"action": "hide"}, http.StatusOK, nil)
	if hs := a.sim.Find(http.MethodPost, "/17919697626119713"); len(hs) != 1 || hs[0].Param("hide") != "true" {
		t.Fatalf("hide calls %+v", hs)
	}
}

// A story reply keeps the story in its details; Instagram's read receipt
// names the reply it read.
func TestStoryReplyAndSeen(t *testing.T) {
	t.Parallel()
	a := newAccount(t)
	a.deliver(t, entry(message(igsid, &meta.MessagingMessage{MID: "ig_story_reply", Text: "Is this still available?",
		ReplyTo: &meta.MessagingReplyTo{Story: &meta.MessagingStory{ID: "17915462958963110", URL: "https://lookaside.fbsbx.com/story"}}})))
	m := a.waitMessage(t, "ig_story_reply", nil)
	if d := m.Details; d == nil || d.Story == nil || d.Story.Kind != "reply" || d.Story.ID != "17915462958963110" {
		t.Fatalf("story reply details %+v", m.Details)
	}
	var reply sahay.Message
	a.s.Must(t, a.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "Yes!"}, http.StatusCreated, &reply)
	sent := a.waitSent(t, reply.ID)
	a.deliver(t, entry(meta.MessagingEvent{Sender: meta.MessagingParty{ID: igsid}, Recipient: meta.MessagingParty{ID: accountID},
		Timestamp: time.Now().UnixMilli(), Read: &meta.MessagingRead{MID: sent.ExternalID}}))
	a.waitMessage(t, sent.ExternalID, func(m *sahay.Message) bool { return m.Status == sahay.DeliveryRead })
}
