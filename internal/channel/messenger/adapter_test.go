package messenger_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
)

// page is a Messenger inbox of a running Sahay, on the simulator.
type page struct {
	s     *apitest.Server
	sim   *metatest.Sim
	owner *apitest.User
	inbox *sahay.Inbox
}

func newPage(t *testing.T) *page {
	t.Helper()
	p := &page{s: apitest.NewServer(t), sim: metatest.New(t, appSecret)}
	p.owner = p.s.NewAccount(t, "Shop")
	p.inbox = p.s.NewInbox(t, p.owner, "Facebook Page", "messenger", map[string]any{
		"app_secret": appSecret, "access_token": metatest.Token, "page_id": pageID, "api_base_url": p.sim.URL})
	return p
}

func (p *page) hook() string { return fmt.Sprintf("%s/webhooks/%d", p.s.URL, p.inbox.ID) }

// deliver posts a signed delivery of entries, as Meta does.
func (p *page) deliver(t *testing.T, entries ...any) {
	t.Helper()
	resp, err := p.sim.Deliver(p.hook(), metatest.Payload(meta.ObjectPage, entries...))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: status %d", resp.StatusCode)
	}
}

// entry is a page entry with messaging events.
func entry(events ...meta.MessagingEvent) map[string]any {
	return map[string]any{"id": pageID, "time": time.Now().UnixMilli(), "messaging": events}
}

func textEvent(from, mid, text string) meta.MessagingEvent {
	return meta.MessagingEvent{Sender: meta.MessagingParty{ID: from}, Recipient: meta.MessagingParty{ID: pageID},
		Timestamp: time.Now().UnixMilli(), Message: &meta.MessagingMessage{MID: mid, Text: text}}
}

// waitMessage waits until the inbox holds a message with the external id
// that satisfies ok, and returns it.
func (p *page) waitMessage(t *testing.T, externalID string, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := p.s.App.Store.MessageByExternalID(ctx, p.inbox.ID, externalID)
		if err == nil {
			if m, err = p.s.App.Store.Message(ctx, m.AccountID, m.ID); err != nil {
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

func (p *page) messages(t *testing.T, conversationID int64) []*sahay.Message {
	t.Helper()
	ms, err := p.s.App.Store.Messages(context.Background(), p.inbox.AccountID, conversationID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// journal lists the dedupe keys of the inbox's journalled events, in
// every state.
func (p *page) journal(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, state := range []string{"pending", "done", "failed"} {
		var l struct {
			Items []struct {
				DedupeKey string `json:"dedupe_key"`
				LastError string `json:"last_error"`
			}
		}
		p.s.Must(t, p.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=%s", p.inbox.ID, state), nil, http.StatusOK, &l)
		for _, e := range l.Items {
			out[state] = append(out[state], e.DedupeKey+" "+e.LastError)
		}
	}
	return out
}

// The webhook answers Meta's handshake with the inbox's verify token
// only; a delivery without the app's signature is refused and stores
// nothing.
func TestWebhookVerification(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	var secrets map[string]string
	p.s.Must(t, p.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", p.inbox.ID), nil, http.StatusOK, &secrets)
	if len(secrets["verify_token"]) < 32 || secrets["app_secret"] != appSecret {
		t.Fatalf("secrets %v: want the app secret and a generated verify token", secrets)
	}
	if err := metatest.Handshake(p.hook(), secrets["verify_token"]); err != nil {
		t.Fatal(err)
	}
	if err := metatest.Handshake(p.hook(), "not-the-token"); err == nil {
		t.Fatal("a handshake with another verify token was answered")
	}
	body := metatest.Payload(meta.ObjectPage, entry(textEvent(psid, "m_forged", "forged")))
	for _, sig := range []string{"", "sha256=" + fmt.Sprintf("%064x", 0), meta.Sign("another secret", body), "sha1=abc"} {
		resp, err := metatest.DeliverSigned(p.hook(), body, sig)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("signature %q: status %d, want 401 or 403", sig, resp.StatusCode)
		}
	}
	// A delivery for Instagram at a page's webhook is refused too.
	resp, err := p.sim.Deliver(p.hook(), metatest.Payload(meta.ObjectInstagram, entry(textEvent(psid, "m_ig", "ig"))))
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("instagram object at a page's webhook: %v %v, want 400", resp.StatusCode, err)
	}
	if j := p.journal(t); len(j) != 0 {
		t.Fatalf("refused deliveries journalled %v", j)
	}
}

// 50 messages in 5 entries of one delivery are 50 messages, each once,
// when the delivery comes three times; the journal holds one event per
// entry.
func TestWebhookBatch(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		p := newPage(t)
		var entries []any
		for e := range 5 {
			var events []meta.MessagingEvent
			for i := range 10 {
				n := e*10 + i
				events = append(events, textEvent(fmt.Sprintf("60000000000000%02d", n%5), fmt.Sprintf("m_batch_%02d", n), fmt.Sprintf("message %d", n)))
			}
			entries = append(entries, entry(events...))
		}
		body := metatest.Payload(meta.ObjectPage, entries...)
		for range 3 {
			resp, err := p.sim.Deliver(p.hook(), body)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("delivery: %v %v", resp, err)
			}
		}
		conversations := map[int64]bool{}
		for n := range 50 {
			m := p.waitMessage(t, fmt.Sprintf("m_batch_%02d", n), nil)
			if m.Content != fmt.Sprintf("message %d", n) || m.Kind != sahay.MessageIncoming {
				t.Fatalf("message %d: %+v", n, m)
			}
			conversations[m.ConversationID] = true
		}
		total := 0
		for id := range conversations {
			total += len(p.messages(t, id))
		}
		if len(conversations) != 5 || total != 50 {
			t.Fatalf("%d messages in %d conversations, want 50 in 5", total, len(conversations))
		}
		// The last event's messages are stored a moment before the event
		// is marked done.
		deadline := time.Now().Add(10 * time.Second)
		for j := p.journal(t); len(j["done"]) != 5 || len(j["pending"])+len(j["failed"]) != 0; j = p.journal(t) {
			if time.Now().After(deadline) {
				t.Fatalf("journal %v, want 5 done entries", j)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// A reply goes out through the Send API with Sahay's metadata; its echo
// is not a second message, while an answer a teammate wrote in Meta's
// own inbox is kept as the business's.
func TestReplyAndEchoes(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		p := newPage(t)
		p.deliver(t, entry(textEvent(psid, "m_hello", "hello, world!")))
		m := p.waitMessage(t, "m_hello", nil)
		var reply sahay.Message
		p.s.Must(t, p.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
			map[string]any{"content": "Hi! How can we help?"}, http.StatusCreated, &reply)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		sent, err := p.sim.Wait(ctx, http.MethodPost, "/"+pageID+"/messages", 1)
		if err != nil {
			t.Fatal(err)
		}
		if b := body(t, sent[0]); get(b, "recipient", "id") != psid || get(b, "message", "text") != "Hi! How can we help?" ||
			get(b, "message", "metadata") != meta.SentMetadata {
			t.Fatalf("sent %s", sent[0].Body)
		}
		sentID := p.waitSent(t, reply.ID).ExternalID
		echo := func(mid, text, metadata string) meta.MessagingEvent {
			return meta.MessagingEvent{Sender: meta.MessagingParty{ID: pageID}, Recipient: meta.MessagingParty{ID: psid}, Timestamp: time.Now().UnixMilli(),
				Message: &meta.MessagingMessage{MID: mid, Text: text, IsEcho: true, Metadata: metadata}}
		}
		// Meta echoes Sahay's send, then a teammate answers in Meta's inbox.
		p.deliver(t, entry(echo(sentID, "Hi! How can we help?", meta.SentMetadata), echo("m_meta_inbox", "We open at 10", "")))
		team := p.waitMessage(t, "m_meta_inbox", nil)
		if team.Kind != sahay.MessageOutgoing || team.ConversationID != m.ConversationID {
			t.Fatalf("the teammate's answer is %s in conversation %d, want outgoing in %d", team.Kind, team.ConversationID, m.ConversationID)
		}
		ms := p.messages(t, m.ConversationID)
		if len(ms) != 3 || ms[1].ID != reply.ID || ms[2].ID != team.ID {
			t.Fatalf("conversation holds %d messages, want the customer's, the reply once, and the teammate's: %+v", len(ms), ms)
		}
	})
}

// feedComment is a page entry with one comment on the post.
func feedComment(commentID, fromID, fromName, parentID, text string) map[string]any {
	return map[string]any{"id": pageID, "time": time.Now().Unix(), "changes": []map[string]any{{"field": "feed", "value": map[string]any{
		"item": "comment", "verb": "add", "comment_id": commentID, "post_id": "106541234567890_998877665544", "parent_id": parentID,
		"message": text, "from": map[string]string{"id": fromID, "name": fromName}, "created_time": time.Now().Unix(),
		"post": map[string]any{"id": "106541234567890_998877665544", "permalink_url": "https://www.facebook.com/106541234567890/posts/pfbid02abc"},
	}}}}
}

// A comment is a public conversation on its post; the reply is a comment
// under it, whose echo is not a second message; a private reply goes to
// the commenter by comment_id, and their answer in Messenger lands in the
// private conversation it opened; hiding and deleting reach Meta.
func TestComments(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	const commenter, post = "7301234567890123", "106541234567890_998877665544"
	p.deliver(t, feedComment("998877665544_1001", commenter, "Nusrat Jahan", post, "এই শাড়িটা কি লাল রঙে আছে?"))
	c := p.waitMessage(t, "998877665544_1001", nil)
	var conv sahay.Conversation
	p.s.Must(t, p.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", c.ConversationID), nil, http.StatusOK, &conv)
	if !c.Public || !conv.Public || conv.Post == nil || conv.Post.ID != post || conv.Post.Kind != "post" ||
		conv.Post.URL != "https://www.facebook.com/106541234567890/posts/pfbid02abc" {
		t.Fatalf("comment public=%v in conversation %+v (post %+v), want public on the post", c.Public, conv, conv.Post)
	}
	var msgs struct{ Items []map[string]any }
	p.s.Must(t, p.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), nil, http.StatusOK, &msgs)
	if len(msgs.Items) != 1 || msgs.Items[0]["public"] != true {
		t.Fatalf("messages %v, want the comment with \"public\": true", msgs.Items)
	}

	var reply sahay.Message
	p.s.Must(t, p.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID),
		map[string]any{"content": "হ্যাঁ, লাল আর নীল দুটোই আছে"}, http.StatusCreated, &reply)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	under, err := p.sim.Wait(ctx, http.MethodPost, "/998877665544_1001/comments", 1)
	if err != nil {
		t.Fatal(err)
	}
	if under[0].Param("message") != "হ্যাঁ, লাল আর নীল দুটোই আছে" || len(p.sim.Find(http.MethodPost, "/*/messages")) != 0 {
		t.Fatalf("public reply %s", under[0].Body)
	}
	if r := p.waitSent(t, reply.ID); !r.Public {
		t.Fatalf("the public reply %+v is not public", r)
	}
	// Meta's feed echoes the page's comment: it is the reply, not another
	// message.
	p.deliver(t, feedComment(p.waitSent(t, reply.ID).ExternalID, pageID, "Dhaka Saree House", "998877665544_1001", "হ্যাঁ, লাল আর নীল দুটোই আছে"))
	// A teammate answers on Facebook itself: it joins the conversation.
	p.deliver(t, feedComment("998877665544_1003", pageID, "Dhaka Saree House", "998877665544_1001", "Delivery is free in Dhaka"))
	if m := p.waitMessage(t, "998877665544_1003", nil); m.ConversationID != conv.ID || m.Kind != sahay.MessageOutgoing {
		t.Fatalf("the page's own comment: %s in %d, want outgoing in %d", m.Kind, m.ConversationID, conv.ID)
	}
	if ms := p.messages(t, conv.ID); len(ms) != 3 {
		t.Fatalf("public conversation holds %d messages, want the comment, the reply and the teammate's: %+v", len(ms), ms)
	}

	// Reply privately: Meta names the commenter's PSID, which their answer
	// comes from.
	p.sim.AddComment("998877665544_1001", psid)
	var priv struct {
		Conversation sahay.Conversation `json:"conversation"`
		Message      sahay.Message      `json:"message"`
	}
	p.s.Must(t, p.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/private_reply", conv.ID),
		map[string]any{"content": "Here is the price list"}, http.StatusCreated, &priv)
	dm, err := p.sim.Wait(ctx, http.MethodPost, "/"+pageID+"/messages", 1)
	if err != nil {
		t.Fatal(err)
	}
	if get(body(t, dm[0]), "recipient", "comment_id") != "998877665544_1001" || get(body(t, dm[0]), "message", "text") != "Here is the price list" {
		t.Fatalf("private reply %s", dm[0].Body)
	}
	p.waitSent(t, priv.Message.ID)
	if priv.Conversation.Public || priv.Conversation.LinkedConversationID != conv.ID {
		t.Fatalf("private conversation %+v, want private and linked to %d", priv.Conversation, conv.ID)
	}
	p.deliver(t, entry(textEvent(psid, "m_after_private", "ধন্যবাদ! লালটা নেব")))
	if m := p.waitMessage(t, "m_after_private", nil); m.ConversationID != priv.Conversation.ID {
		t.Fatalf("the commenter's answer landed in %d, want the private conversation %d", m.ConversationID, priv.Conversation.ID)
	}

	// The team answers in the private conversation: to the PSID, not to
	// the id the commenter had on the post.
	var dmReply sahay.Message
	p.s.Must(t, p.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", priv.Conversation.ID),
		map[string]any{"content": "লাল শাড়িটা আজ পাঠাচ্ছি"}, http.StatusCreated, &dmReply)
	p.waitSent(t, dmReply.ID)
	dm = p.sim.Find(http.MethodPost, "/"+pageID+"/messages")
	if last := body(t, dm[len(dm)-1]); get(last, "recipient", "id") != psid {
		t.Fatalf("reply in the private conversation went to %v, want the PSID %s", get(last, "recipient"), psid)
	}

	for _, action := range []string{"hide", "delete"} {
		p.s.Must(t, p.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/messages/%d/moderate", c.ID), map[string]any{"action": action}, http.StatusOK, nil)
	}
	if hs := p.sim.Find(http.MethodPost, "/998877665544_1001"); len(hs) != 1 || hs[0].Param("is_hidden") != "true" {
		t.Fatalf("hide calls %+v", hs)
	}
	if ds := p.sim.Find(http.MethodDelete, "/998877665544_1001"); len(ds) != 1 {
		t.Fatalf("delete calls %+v", ds)
	}
}

// waitSent waits until the reply is sent, and returns it with its
// external id.
func (p *page) waitSent(t *testing.T, id int64) *sahay.Message {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := p.s.App.Store.Message(context.Background(), p.inbox.AccountID, id)
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

// Delivery and read receipts end at "read" whatever their order: the read
// watermark first, the delivery by id after it. A reaction to the reply
// keeps what it is about.
func TestReceiptsAndReactions(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.deliver(t, entry(textEvent(psid, "m_q", "when do you open?")))
	m := p.waitMessage(t, "m_q", nil)
	var reply sahay.Message
	p.s.Must(t, p.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "At 10"}, http.StatusCreated, &reply)
	sent := p.waitSent(t, reply.ID)
	now := time.Now().Add(time.Second).UnixMilli()
	from := meta.MessagingParty{ID: psid}
	to := meta.MessagingParty{ID: pageID}
	p.deliver(t, entry(meta.MessagingEvent{Sender: from, Recipient: to, Timestamp: now, Read: &meta.MessagingRead{Watermark: now}}))
	p.waitMessage(t, sent.ExternalID, func(m *sahay.Message) bool { return m.Status == sahay.DeliveryRead })
	p.deliver(t, entry(meta.MessagingEvent{Sender: from, Recipient: to, Timestamp: now,
		Delivery: &meta.MessagingDelivery{MIDs: []string{sent.ExternalID}, Watermark: now}}))
	p.deliver(t, entry(
		meta.MessagingEvent{Sender: from, Recipient: to, Timestamp: now + 1, Reaction: &meta.MessagingReaction{MID: sent.ExternalID, Action: "react", Emoji: "👍"}},
		textEvent(psid, "m_after_reactions", "see you"),
	))
	p.waitMessage(t, "m_after_reactions", nil)
	if r := p.waitMessage(t, sent.ExternalID, nil); r.Status != sahay.DeliveryRead {
		t.Fatalf("the reply is %s after read then delivered, want read", r.Status)
	}
	ms := p.messages(t, m.ConversationID)
	var reactions []*sahay.Message
	for _, x := range ms {
		if x.Details != nil && x.Details.ReactionTo == sent.ExternalID {
			reactions = append(reactions, x)
		}
	}
	if len(reactions) != 1 || reactions[0].Content != "👍" || reactions[0].Kind != sahay.MessageIncoming {
		t.Fatalf("reactions %+v, want the customer's 👍", reactions)
	}
	if j := p.journal(t); len(j["failed"]) != 0 {
		t.Fatalf("failed events %v", j["failed"])
	}
}

// An inbox is created with the contract's settings: the tokens become
// secrets, the verify token is made when not given; a wrong setting is
// refused naming it; the channel declares its limits; test connection
// reads the Page.
func TestInboxSettings(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	sim := metatest.New(t, appSecret)
	owner := s.NewAccount(t, "Shop")
	var in sahay.Inbox
	s.Must(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Page", "channel": "messenger", "settings": map[string]any{
		"app_secret": appSecret, "verify_token": "my-verify", "access_token": metatest.Token, "page_id": pageID,
		"human_agent_tag": "true", "api_base_url": sim.URL}}, http.StatusCreated, &in)
	for _, secret := range []string{appSecret, "my-verify", metatest.Token} {
		if strings.Contains(string(in.Settings), secret) {
			t.Fatalf("settings %s show a secret", in.Settings)
		}
	}
	var res struct {
		OK    bool
		Error string
	}
	s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", in.ID), nil, http.StatusOK, &res)
	if res.OK || !strings.Contains(res.Error, pageID) {
		t.Fatalf("test of a page the API does not know: %+v", res)
	}
	sim.AddObject(pageID, map[string]any{"name": "Dhaka Saree House"})
	s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", in.ID), nil, http.StatusOK, &res)
	if !res.OK {
		t.Fatalf("test of the page: %+v", res)
	}
	good := map[string]any{"app_secret": appSecret, "access_token": metatest.Token, "page_id": pageID}
	for key, bad := range map[string]any{"page_id": "106 541", "human_agent_tag": "yes", "api_base_url": "ftp://graph", "instagram_account_id": "1", "access_token": ""} {
		settings := map[string]any{}
		for k, v := range good {
			settings[k] = v
		}
		settings[key] = bad
		r := s.Call(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Bad", "channel": "messenger", "settings": settings})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.String(), key) {
			t.Errorf("%s %q: %s, want 422 naming it", key, bad, r)
		}
	}
	var channels struct {
		Items []struct {
			Name         string
			Testable     bool
			Capabilities struct {
				MaxText        int   `json:"max_text"`
				MaxBytes       int64 `json:"max_attachment_bytes"`
				WindowHours    int   `json:"window_hours"`
				TagWindowHours int   `json:"tag_window_hours"`
				PublicComments bool  `json:"public_comments"`
				PrivateReply   bool  `json:"private_reply"`
				ReadReceipts   bool  `json:"read_receipts"`
			}
		}
	}
	s.Must(t, owner.Token, http.MethodGet, "/api/v1/channels", nil, http.StatusOK, &channels)
	found := map[string]bool{}
	for _, c := range channels.Items {
		k := c.Capabilities
		if (c.Name == "messenger" && k.MaxText == 2000 || c.Name == "instagram" && k.MaxText == 1000) && c.Testable && k.MaxBytes == 25<<20 &&
			k.WindowHours == 24 && k.TagWindowHours == 168 && k.PublicComments && k.PrivateReply && k.ReadReceipts {
			found[c.Name] = true
		}
	}
	if !found["messenger"] || !found["instagram"] {
		t.Fatalf("channels %+v: want messenger and instagram with their limits", channels.Items)
	}
}

// Files a message carries are fetched from Meta's CDN and kept as
// attachments; a shared link is a line of text.
func TestMedia(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	photo := p.sim.AddPublicFile("471234_n.png", "image/png", []byte("\x89PNG\r\n\x1a\n broken box"))
	invoice := p.sim.AddPublicFile("invoice.pdf", "application/pdf", []byte("%PDF-1.4 invoice"))
	ev := textEvent(psid, "m_media", "the box was broken")
	ev.Message.Attachments = []meta.MessagingAttachment{
		{Type: "image", Payload: meta.AttachmentLink{URL: photo}},
		{Type: "file", Payload: meta.AttachmentLink{URL: invoice}},
		{Type: "fallback", Payload: meta.AttachmentLink{URL: "https://shop.example/orders/77", Title: "Order #77"}},
	}
	p.deliver(t, entry(ev))
	m := p.waitMessage(t, "m_media", func(m *sahay.Message) bool { return len(m.Attachments) == 2 })
	if m.Content != "the box was broken\nOrder #77 https://shop.example/orders/77" ||
		m.Attachments[0].FileName != "471234_n.png" || m.Attachments[0].ContentType != "image/png" ||
		m.Attachments[1].FileName != "invoice.pdf" || m.Attachments[1].ContentType != "application/pdf" {
		t.Fatalf("message %q with %+v", m.Content, m.Attachments)
	}
}
