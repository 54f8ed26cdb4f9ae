package whatsapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/channel/whatsapp"
)

const (
	appSecret   = "0123456789abcdef0123456789abcdef"
	verifyToken = "verify-me-please"
	phoneID     = "1122334455667"
	wabaID      = "1234567890987654321"
	customer    = "8801711223344"
)

// number is a WhatsApp inbox of a running Sahay, connected to a simulator.
type number struct {
	s     *apitest.Server
	sim   *metatest.Sim
	owner *apitest.User
	inbox *sahay.Inbox
}

func newNumber(t *testing.T) *number {
	t.Helper()
	n := &number{s: apitest.NewServer(t), sim: metatest.New(t, appSecret)}
	n.sim.AddObject(phoneID, map[string]any{"display_phone_number": "+880 1700-000000", "verified_name": "Shop"})
	n.owner = n.s.NewAccount(t, "Shop")
	n.inbox = n.s.NewInbox(t, n.owner, "WhatsApp", "whatsapp", map[string]any{
		"app_secret": appSecret, "verify_token": verifyToken, "access_token": metatest.Token,
		"phone_number_id": phoneID, "business_account_id": wabaID, "api_base_url": n.sim.URL})
	return n
}

func (n *number) hook() string { return fmt.Sprintf("%s/webhooks/%d", n.s.URL, n.inbox.ID) }

// deliver posts a delivery signed as Meta does and returns the status.
func (n *number) deliver(t *testing.T, body []byte) int {
	t.Helper()
	resp, err := n.sim.Deliver(n.hook(), body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// entry is a webhook entry of the inbox's number with one change per
// value.
func entry(values ...whatsapp.Value) map[string]any {
	var changes []map[string]any
	for _, v := range values {
		v.MessagingProduct = "whatsapp"
		v.Metadata = whatsapp.Metadata{DisplayPhoneNumber: "8801700000000", PhoneNumberID: phoneID}
		changes = append(changes, map[string]any{"field": "messages", "value": v})
	}
	return map[string]any{"id": wabaID, "changes": changes}
}

func payload(entries ...any) []byte { return metatest.Payload(meta.ObjectWhatsApp, entries...) }

// texts is a value of text messages from one customer.
func texts(from, name string, msgs ...[2]string) whatsapp.Value {
	c := whatsapp.Contact{WaID: from}
	c.Profile.Name = name
	v := whatsapp.Value{Contacts: []whatsapp.Contact{c}}
	for _, m := range msgs {
		v.Messages = append(v.Messages, whatsapp.Message{From: from, ID: m[0], Timestamp: fmt.Sprint(time.Now().Unix()),
			Type: "text", Text: &whatsapp.Text{Body: m[1]}})
	}
	return v
}

func statuses(ss ...whatsapp.Status) whatsapp.Value {
	for i := range ss {
		ss[i].RecipientID, ss[i].Timestamp = customer, fmt.Sprint(time.Now().Unix())
	}
	return whatsapp.Value{Statuses: ss}
}

// waitMessage waits until the inbox holds a message with the external id
// that satisfies ok, and returns it.
func (n *number) waitMessage(t *testing.T, externalID string, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := n.s.App.Store.MessageByExternalID(ctx, n.inbox.ID, externalID)
		if err == nil {
			if m, err = n.s.App.Store.Message(ctx, m.AccountID, m.ID); err != nil {
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

// waitSent waits until a reply has the status wanted, and returns it.
func (n *number) waitReply(t *testing.T, id int64, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := n.s.App.Store.Message(context.Background(), n.inbox.AccountID, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("reply %d: %+v, not as expected within 20s", id, m)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (n *number) messages(t *testing.T, conversationID int64) []*sahay.Message {
	t.Helper()
	ms, err := n.s.App.Store.Messages(context.Background(), n.inbox.AccountID, conversationID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// events lists the dedupe keys of the inbox's journal events in a state.
func (n *number) events(t *testing.T, state string) []string {
	t.Helper()
	var l struct {
		Items []struct {
			DedupeKey string `json:"dedupe_key"`
			LastError string `json:"last_error"`
		}
	}
	n.s.Must(t, n.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=%s", n.inbox.ID, state), nil, http.StatusOK, &l)
	var keys []string
	for _, e := range l.Items {
		keys = append(keys, e.DedupeKey)
	}
	return keys
}

// waitProcessed waits until the journal holds n events, all done.
func (n *number) waitProcessed(t *testing.T, count int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		pending, done := n.events(t, "pending"), n.events(t, "done")
		if len(pending) == 0 && len(done) >= count {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("journal: %d pending, %d done (failed: %v), want %d done", len(pending), len(done), n.events(t, "failed"), count)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reply posts an agent's reply and returns it.
func (n *number) reply(t *testing.T, conversationID int64, body map[string]any) sahay.Message {
	t.Helper()
	var m sahay.Message
	n.s.Must(t, n.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conversationID), body, http.StatusCreated, &m)
	return m
}

// multipartReply posts an agent's reply with one file.
func (n *number) multipartReply(t *testing.T, conversationID int64, content, name string, data []byte) sahay.Message {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("content", content)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	r := n.s.Do(t, apitest.Request{Token: n.owner.Token, Method: http.MethodPost,
		Path: fmt.Sprintf("/api/v1/conversations/%d/messages", conversationID), Body: body.Bytes(),
		Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
	if r.Status != http.StatusCreated {
		t.Fatalf("multipart reply: %s", r)
	}
	var m sahay.Message
	r.Decode(t, &m)
	return m
}

// Meta's handshake answers the challenge with the inbox's verify token
// only; a delivery without the app secret's signature is refused and
// stores nothing; the published signed payload is taken as it was sent.
func TestWebhook(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	if err := metatest.Handshake(n.hook(), verifyToken); err != nil {
		t.Fatal(err)
	}
	if err := metatest.Handshake(n.hook(), "wrong"); err == nil {
		t.Fatal("the handshake passed with a wrong verify token")
	}
	body := payload(entry(texts(customer, "Rahim", [2]string{"wamid.w1", "hello"})))
	for _, sig := range []string{"", "sha256=" + strings.Repeat("0", 64), meta.Sign("another secret", body), "sha1=abc"} {
		resp, err := metatest.DeliverSigned(n.hook(), body, sig)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("signature %q: status %d, want 401 or 403", sig, resp.StatusCode)
		}
	}
	for _, state := range []string{"pending", "done", "failed"} {
		if keys := n.events(t, state); len(keys) != 0 {
			t.Fatalf("refused deliveries left %s events %v", state, keys)
		}
	}
	if resp, _ := metatest.DeliverSigned(n.hook()+"/extra", body, n.sim.Sign(body)); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a path below the webhook: %v, want 404", resp)
	}
	if status := n.deliver(t, body); status != http.StatusOK {
		t.Fatalf("signed delivery: status %d", status)
	}
	n.waitMessage(t, "wamid.w1", nil)

	// The published payload, byte for byte, with its published signature.
	published := n.s.NewInbox(t, n.owner, "PyWa", "whatsapp", map[string]any{
		"app_secret": "1222e786b144d0e85b9f365372d93676", "access_token": metatest.Token,
		"phone_number_id": "277321005464405", "api_base_url": n.sim.URL})
	raw := readFixture(t, "pywa_signed.json")
	resp, err := metatest.DeliverSigned(fmt.Sprintf("%s/webhooks/%d", n.s.URL, published.ID), raw,
		"sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("published payload: %v %v", resp, err)
	}
	n.inbox = published
	m := n.waitMessage(t, "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA", nil)
	c, err := n.s.App.Store.Contact(context.Background(), published.AccountID, mustConversation(t, n, m.ConversationID).ContactID)
	if err != nil || c.Name != "PyWa Tests" || c.Phone != "+972544401243" || len(c.Identities) != 1 ||
		c.Identities[0].Namespace != "whatsapp" || c.Identities[0].ExternalID != "972544401243" || m.Content != "Hey there! I am using PyWa." {
		t.Fatalf("message %+v, contact %+v %v", m, c, err)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustConversation(t *testing.T, n *number, id int64) *sahay.Conversation {
	t.Helper()
	c, err := n.s.App.Store.Conversation(context.Background(), n.inbox.AccountID, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A delivery of 50 messages over several entries and changes stores the
// 50; delivered three times, it stores nothing more. On SQLite and
// PostgreSQL.
func TestBatch(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		n := newNumber(t)
		var entries []any
		for e := range 5 {
			var values []whatsapp.Value
			for c := range 2 {
				from := fmt.Sprintf("88017000000%d%d", e, c)
				var msgs [][2]string
				for i := range 5 {
					msgs = append(msgs, [2]string{fmt.Sprintf("wamid.batch.%d.%d.%d", e, c, i), fmt.Sprintf("message %d of %s", i, from)})
				}
				values = append(values, texts(from, "Customer "+from, msgs...))
			}
			entries = append(entries, entry(values...))
		}
		body := payload(entries...)
		for range 3 {
			if status := n.deliver(t, body); status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
		}
		conversations := map[int64]bool{}
		for e := range 5 {
			for c := range 2 {
				for i := range 5 {
					conversations[n.waitMessage(t, fmt.Sprintf("wamid.batch.%d.%d.%d", e, c, i), nil).ConversationID] = true
				}
			}
		}
		n.waitProcessed(t, 5)
		total := 0
		for id := range conversations {
			ms := n.messages(t, id)
			total += len(ms)
			for i, m := range ms {
				if !strings.HasPrefix(m.Content, fmt.Sprintf("message %d of ", i)) {
					t.Errorf("conversation %d, message %d: %q", id, i, m.Content)
				}
			}
		}
		if len(conversations) != 10 || total != 50 {
			t.Fatalf("%d conversations with %d messages, want 10 with 50", len(conversations), total)
		}
		if keys := n.events(t, "done"); len(keys) != 5 {
			t.Fatalf("journal %v, want one event per entry", keys)
		}
	})
}

// A reply goes out as a text message; WhatsApp's statuses, out of order,
// end at read; a failed status carries WhatsApp's reason. On SQLite and
// PostgreSQL.
func TestReplyAndStatuses(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		n := newNumber(t)
		n.deliver(t, payload(entry(texts(customer, "Rahim", [2]string{"wamid.in1", "আমার অর্ডার কোথায়?"}))))
		in := n.waitMessage(t, "wamid.in1", nil)
		long := strings.Repeat("অর্ডার পাঠানো হয়েছে। ", 300)
		first := n.reply(t, in.ConversationID, map[string]any{"content": "আপনার অর্ডার আজ পাঠানো হবে"})
		sent := n.waitReply(t, first.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
		reqs := n.sim.Find(http.MethodPost, "/"+phoneID+"/messages")
		if len(reqs) != 1 || !strings.HasPrefix(sent.ExternalID, "wamid.") {
			t.Fatalf("%d sends, external id %q", len(reqs), sent.ExternalID)
		}
		want := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"8801711223344","type":"text","text":{"preview_url":false,"body":"আপনার অর্ডার আজ পাঠানো হবে"}}`
		if string(reqs[0].Body) != want || reqs[0].Header.Get("Authorization") != "Bearer "+metatest.Token {
			t.Fatalf("sent %s with %q, want %s", reqs[0].Body, reqs[0].Header.Get("Authorization"), want)
		}

		// read, then sent and delivered late: read stays.
		for _, st := range []string{"read", "sent", "delivered"} {
			n.deliver(t, payload(entry(statuses(whatsapp.Status{ID: sent.ExternalID, Status: st}))))
		}
		n.waitProcessed(t, 4)
		if m := n.waitReply(t, first.ID, func(*sahay.Message) bool { return true }); m.Status != sahay.DeliveryRead {
			t.Fatalf("after read, sent, delivered: %s", m.Status)
		}

		// A long reply goes as two messages; a failure after delivery is
		// reported with its reason.
		second := n.reply(t, in.ConversationID, map[string]any{"content": long})
		sent2 := n.waitReply(t, second.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
		reqs = n.sim.Find(http.MethodPost, "/"+phoneID+"/messages")
		if len(reqs) != 3 {
			t.Fatalf("%d sends, want 1 and then 2 parts", len(reqs))
		}
		for _, r := range reqs[1:] {
			var body whatsapp.OutgoingMessage
			json.Unmarshal(r.Body, &body)
			if body.Text == nil || len([]rune(body.Text.Body)) > whatsapp.MaxText {
				t.Fatalf("part %s", r.Body)
			}
		}
		n.deliver(t, payload(entry(statuses(whatsapp.Status{ID: sent2.ExternalID, Status: "delivered"},
			whatsapp.Status{ID: sent2.ExternalID, Status: "failed", Errors: []whatsapp.Error{{Code: 131026, Title: "Message undeliverable"}}}))))
		failed := n.waitReply(t, second.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliveryFailed })
		if !strings.Contains(failed.Error, meta.ReasonUndeliverable) || !strings.Contains(failed.Error, "131026") {
			t.Fatalf("failed reply's error %q", failed.Error)
		}
	})
}

// Outside the 24-hour window WhatsApp refuses a reply with 131047: the
// reply fails at once, saying to send a template; a throttled reply waits
// and goes out.
func TestWindowAndThrottling(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	n.deliver(t, payload(entry(texts(customer, "Rahim", [2]string{"wamid.old", "hello, last week"}))))
	in := n.waitMessage(t, "wamid.old", nil)
	n.sim.Fail("/*/messages", metatest.Failure{Code: 131047, Message: "Re-engagement message",
		Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."})
	late := n.reply(t, in.ConversationID, map[string]any{"content": "sorry for the wait"})
	failed := n.waitReply(t, late.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliveryFailed })
	if !strings.Contains(failed.Error, "outside the 24-hour window — send a template") {
		t.Fatalf("error %q", failed.Error)
	}
	if got := len(n.sim.Find(http.MethodPost, "/*/messages")); got != 1 {
		t.Fatalf("%d attempts, want 1: the window does not reopen by retrying", got)
	}

	n.sim.Fail("/*/messages", metatest.Failure{Code: 130429, Message: "Rate limit hit", RetryAfter: 1})
	start := time.Now()
	next := n.reply(t, in.ConversationID, map[string]any{"content": "we are on it"})
	n.waitReply(t, next.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("sent after %s, before the second Meta asked for", waited)
	}
}

// Photos, documents and voice notes arrive as attachments, fetched by
// media id with the token; an agent's file is uploaded, then sent by its
// id, with the reply's text as its caption.
func TestMedia(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00 the broken box")
	n.sim.AddMedia("media-photo", "image/jpeg", jpeg)
	n.sim.AddMedia("media-doc", "application/pdf", []byte("%PDF-1.4 invoice"))
	n.sim.AddMedia("media-voice", "audio/ogg", []byte("OggS voice"))
	c := whatsapp.Contact{WaID: customer}
	c.Profile.Name = "Rahim"
	ts := fmt.Sprint(time.Now().Unix())
	v := whatsapp.Value{Contacts: []whatsapp.Contact{c}, Messages: []whatsapp.Message{
		{From: customer, ID: "wamid.photo", Timestamp: ts, Type: "image", Image: &whatsapp.Media{ID: "media-photo", MimeType: "image/jpeg", Caption: "the box came broken"}},
		{From: customer, ID: "wamid.doc", Timestamp: ts, Type: "document", Document: &whatsapp.Media{ID: "media-doc", MimeType: "application/pdf", Filename: "invoice.pdf"}},
		{From: customer, ID: "wamid.voice", Timestamp: ts, Type: "audio", Audio: &whatsapp.Media{ID: "media-voice", MimeType: "audio/ogg; codecs=opus", Voice: true}},
	}}
	if status := n.deliver(t, payload(entry(v))); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	one := func(m *sahay.Message) bool { return len(m.Attachments) == 1 }
	photo := n.waitMessage(t, "wamid.photo", one)
	if a := photo.Attachments[0]; a.ContentType != "image/jpeg" || a.Size != int64(len(jpeg)) || photo.Content != "the box came broken" {
		t.Fatalf("photo %+v", photo)
	}
	if a := n.waitMessage(t, "wamid.doc", one).Attachments[0]; a.FileName != "invoice.pdf" || a.ContentType != "application/pdf" {
		t.Fatalf("document %+v", a)
	}
	if a := n.waitMessage(t, "wamid.voice", one).Attachments[0]; a.ContentType != "audio/ogg" {
		t.Fatalf("voice %+v", a)
	}
	for _, p := range []string{"/media-photo", "/media-files/media-photo"} {
		if rs := n.sim.Find(http.MethodGet, p); len(rs) != 1 || rs[0].Header.Get("Authorization") != "Bearer "+metatest.Token {
			t.Fatalf("GET %s: %d requests, want one with the token", p, len(rs))
		}
	}

	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR shipping label")
	reply := n.multipartReply(t, photo.ConversationID, "Here is your new shipping label", "label.png", png)
	n.waitReply(t, reply.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
	uploads := n.sim.Find(http.MethodPost, "/"+phoneID+"/media")
	if len(uploads) != 1 || string(uploads[0].Files["file"].Data) != string(png) || uploads[0].Form.Get("type") != "image/png" ||
		uploads[0].Form.Get("messaging_product") != "whatsapp" {
		t.Fatalf("uploads %+v", uploads)
	}
	sends := n.sim.Find(http.MethodPost, "/"+phoneID+"/messages")
	if len(sends) != 1 {
		t.Fatalf("%d sends, want the image alone with its caption", len(sends))
	}
	var body whatsapp.OutgoingMessage
	if err := json.Unmarshal(sends[0].Body, &body); err != nil || body.Type != "image" || body.Image == nil ||
		body.Image.Caption != "Here is your new shipping label" || body.Text != nil {
		t.Fatalf("sent %s", sends[0].Body)
	}
	if f, ok := n.sim.Media(body.Image.ID); !ok || string(f.Data) != string(png) {
		t.Fatalf("the image sent is not the one uploaded: %+v", body.Image)
	}
}

// A file WhatsApp no longer has fails the event, for an admin to read
// and retry.
func TestMissingMedia(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	v := whatsapp.Value{Messages: []whatsapp.Message{{From: customer, ID: "wamid.gone", Timestamp: "1", Type: "image",
		Image: &whatsapp.Media{ID: "media-gone", MimeType: "image/jpeg"}}}}
	n.deliver(t, payload(entry(v)))
	deadline := time.Now().Add(15 * time.Second)
	for len(n.events(t, "failed")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the event with a missing file did not fail within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Creating an inbox moves the tokens to its secrets and makes a verify
// token; "test connection" reads the number, and says what is wrong with
// a refused token or an unknown number; bad settings are refused.
func TestConnectAndTest(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	sim := metatest.New(t, appSecret)
	sim.AddObject(phoneID, map[string]any{"display_phone_number": "+880 1700-000000", "verified_name": "Shop"})
	owner := s.NewAccount(t, "Shop")
	settings := map[string]any{"app_secret": appSecret, "access_token": metatest.Token, "phone_number_id": phoneID, "api_base_url": sim.URL}
	var in sahay.Inbox
	s.Must(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "WhatsApp", "channel": "whatsapp", "settings": settings}, http.StatusCreated, &in)
	if strings.Contains(string(in.Settings), metatest.Token) || strings.Contains(string(in.Settings), appSecret) {
		t.Fatalf("settings %s hold a secret", in.Settings)
	}
	var secrets map[string]string
	s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/secrets", in.ID), nil, http.StatusOK, &secrets)
	if secrets["access_token"] != metatest.Token || secrets["app_secret"] != appSecret || len(secrets["verify_token"]) < 32 {
		t.Fatalf("secrets %v: want the tokens and a generated verify token", secrets)
	}
	if err := metatest.Handshake(fmt.Sprintf("%s/webhooks/%d", s.URL, in.ID), secrets["verify_token"]); err != nil {
		t.Fatal(err)
	}
	test := func(want string) {
		t.Helper()
		var res struct {
			OK    bool
			Error string
		}
		s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", in.ID), nil, http.StatusOK, &res)
		if want == "" && !res.OK || want != "" && (res.OK || !strings.Contains(res.Error, want)) {
			t.Fatalf("test: %+v, want %q", res, want)
		}
	}
	test("")
	sim.SetToken("another-token")
	test("Meta refused the access token")
	sim.SetToken(metatest.Token)
	s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/inboxes/%d", in.ID), map[string]any{
		"settings": map[string]any{"phone_number_id": "99999999999", "api_base_url": sim.URL}}, http.StatusOK, nil)
	test("99999999999")

	for _, bad := range []map[string]any{
		{"app_secret": appSecret, "access_token": "t", "phone_number_id": "+8801700000000"},
		{"app_secret": appSecret, "access_token": "t", "phone_number_id": phoneID, "business_account_id": "my business"},
		{"app_secret": appSecret, "access_token": "t", "phone_number_id": phoneID, "api_base_url": "ftp://x"},
		{"app_secret": appSecret, "access_token": "t", "phone_number_id": phoneID, "colour": "green"},
		{"access_token": "t", "phone_number_id": phoneID},
	} {
		if r := s.Call(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Bad", "channel": "whatsapp", "settings": bad}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("settings %v: %s, want 422", bad, r)
		}
	}
	var channels struct {
		Items []struct {
			Name         string
			Testable     bool
			Capabilities struct {
				MaxText      int  `json:"max_text"`
				WindowHours  int  `json:"window_hours"`
				Templates    bool `json:"templates"`
				ReadReceipts bool `json:"read_receipts"`
			}
		}
	}
	s.Must(t, owner.Token, http.MethodGet, "/api/v1/channels", nil, http.StatusOK, &channels)
	found := false
	for _, c := range channels.Items {
		if c.Name == "whatsapp" {
			found = c.Testable && c.Capabilities.MaxText == 4096 && c.Capabilities.WindowHours == 24 && c.Capabilities.Templates && c.Capabilities.ReadReceipts
		}
	}
	if !found {
		t.Fatalf("channels %+v: want whatsapp with its limits", channels)
	}
}

// An inbox's templates are synced from the account; a reply, and a new
// conversation, sent as a template go out as WhatsApp's template message
// with the values the agent gave, and read as the template's text.
func TestTemplateReplies(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	n.sim.AddTemplate(wabaID, metatest.Template{Name: "order_update", Language: "en_US", Status: "APPROVED", Category: "UTILITY",
		Components: []metatest.Component{{Type: "BODY", Text: "Hello {{1}}, your order {{2}} ships on {{3}}."}, {Type: "FOOTER", Text: "Shop"}}})
	n.sim.AddTemplate(wabaID, metatest.Template{Name: "draft", Language: "en_US", Status: "PENDING", Category: "MARKETING",
		Components: []metatest.Component{{Type: "BODY", Text: "Sale!"}}})
	var synced []sahay.Template
	n.s.Must(t, n.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/templates/sync", n.inbox.ID), nil, http.StatusOK, &synced)
	if len(synced) != 2 {
		t.Fatalf("synced %+v", synced)
	}
	n.deliver(t, payload(entry(texts(customer, "Rahim", [2]string{"wamid.t1", "any news?"}))))
	in := n.waitMessage(t, "wamid.t1", nil)
	use := map[string]any{"name": "order_update", "language": "en_US", "params": []string{"Rahim", "#1234", "Monday"}}
	reply := n.reply(t, in.ConversationID, map[string]any{"template": use})
	if reply.Content != "Hello Rahim, your order #1234 ships on Monday.\n\nShop" || reply.Details == nil || reply.Details.Template == nil {
		t.Fatalf("reply %+v", reply)
	}
	n.waitReply(t, reply.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
	sent := n.sim.Find(http.MethodPost, "/"+phoneID+"/messages")
	want := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"8801711223344","type":"template",` +
		`"template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[` +
		`{"type":"text","text":"Rahim"},{"type":"text","text":"#1234"},{"type":"text","text":"Monday"}]}]}}`
	if len(sent) != 1 || string(sent[0].Body) != want {
		t.Fatalf("sent %d: %s\nwant %s", len(sent), sent[0].Body, want)
	}

	// A new conversation with the same customer opens with a template.
	conv := mustConversation(t, n, in.ConversationID)
	var started struct {
		Conversation sahay.Conversation
		Message      sahay.Message
	}
	n.s.Must(t, n.owner.Token, http.MethodPost, "/api/v1/conversations", map[string]any{"inbox_id": n.inbox.ID, "contact_id": conv.ContactID,
		"template": map[string]any{"name": "order_update", "language": "en_US", "params": []string{"Rahim", "#1235", "Tuesday"}}}, http.StatusCreated, &started)
	n.waitReply(t, started.Message.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
	if sent := n.sim.Find(http.MethodPost, "/"+phoneID+"/messages"); len(sent) != 2 || !strings.Contains(string(sent[1].Body), `"text":"#1235"`) {
		t.Fatalf("sends %d", len(sent))
	}
	// A template not approved is refused before anything is sent.
	r := n.s.Call(t, n.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID),
		map[string]any{"template": map[string]any{"name": "draft", "language": "en_US"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.String(), "not approved") {
		t.Fatalf("a pending template: %s", r)
	}
}
