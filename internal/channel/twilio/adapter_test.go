package twilio_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/twilio"
	"github.com/sahayhq/sahay/internal/channel/twilio/twiliotest"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

const (
	business = "+8809612345678"
	customer = "+8801711223344"
)

// number is a Twilio inbox of a running Sahay, connected to a simulator.
type number struct {
	s     *apitest.Server
	sim   *twiliotest.Sim
	owner *apitest.User
	inbox *sahay.Inbox
}

func newNumber(t *testing.T) *number {
	t.Helper()
	n := &number{s: apitest.NewServer(t), sim: twiliotest.New(t)}
	n.owner = n.s.NewAccount(t, "Shop")
	n.inbox = n.s.NewInbox(t, n.owner, "SMS", "twilio", map[string]any{
		"account_sid": twiliotest.AccountSID, "auth_token": twiliotest.AuthToken, "phone_number": business,
		"api_base_url": n.sim.URL, "public_url": n.s.URL})
	return n
}

func (n *number) hook(sub string) string {
	return fmt.Sprintf("%s/webhooks/%d%s", n.s.URL, n.inbox.ID, sub)
}

// text posts a customer's SMS signed as Twilio does.
func (n *number) text(t *testing.T, sid, body string) {
	t.Helper()
	resp, err := n.sim.Post(n.hook("/sms"), "", twiliotest.AuthToken, n.sim.SMS(sid, customer, business, body))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/xml" {
		t.Fatalf("sms: status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func (n *number) waitMessage(t *testing.T, externalID string) *sahay.Message {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := n.s.App.Store.MessageByExternalID(ctx, n.inbox.ID, externalID)
		if err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s: not stored within 15s: %v", externalID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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

func (n *number) events(t *testing.T, state string) []string {
	t.Helper()
	var l struct {
		Items []struct {
			DedupeKey string `json:"dedupe_key"`
		}
	}
	n.s.Must(t, n.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/events?state=%s", n.inbox.ID, state), nil, http.StatusOK, &l)
	var keys []string
	for _, e := range l.Items {
		keys = append(keys, e.DedupeKey)
	}
	return keys
}

// idle waits until no journalled event is pending: an event the journal
// holds is pending until its message is stored and a moment after.
func (n *number) idle(t *testing.T) {
	t.Helper()
	storetest.Eventually(t, 15*time.Second, "no journalled event pending", func() bool { return len(n.events(t, "pending")) == 0 })
}

func (n *number) reply(t *testing.T, conversationID int64, content string) sahay.Message {
	t.Helper()
	var m sahay.Message
	n.s.Must(t, n.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conversationID),
		map[string]any{"content": content}, http.StatusCreated, &m)
	return m
}

// A request without Twilio's signature, or signed with another token or
// for another address, is refused and stores nothing; a signed one is
// taken, also when signed for the address without its port.
func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	sid := twiliotest.NewSID("SM")
	form := n.sim.SMS(sid, customer, business, "hello")
	for name, post := range map[string]func() (*http.Response, error){
		"another token": func() (*http.Response, error) { return n.sim.Post(n.hook("/sms"), "", "0000000000000000", form) },
		"another address": func() (*http.Response, error) {
			return n.sim.Post(n.hook("/sms"), n.hook("/status"), twiliotest.AuthToken, form)
		},
		"no signature": func() (*http.Response, error) {
			return http.Post(n.hook("/sms"), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		},
	} {
		resp, err := post()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: status %d, want 401 or 403", name, resp.StatusCode)
		}
	}
	for _, state := range []string{"pending", "done", "failed"} {
		if keys := n.events(t, state); len(keys) != 0 {
			t.Fatalf("refused requests left %s events %v", state, keys)
		}
	}
	n.text(t, sid, "hello")
	m := n.waitMessage(t, sid)
	if m.Content != "hello" {
		t.Fatalf("message %+v", m)
	}
	// Signed for the address without its port, as Twilio's libraries
	// also accept.
	other := twiliotest.NewSID("SM")
	u, err := url.Parse(n.hook("/sms"))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = u.Hostname()
	resp, err := n.sim.Post(n.hook("/sms"), u.String(), twiliotest.AuthToken, n.sim.SMS(other, customer, business, "again"))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("signed without the port: %v %v", resp, err)
	}
	n.waitMessage(t, other)
	if resp, err := n.sim.Post(n.hook("/fax"), "", twiliotest.AuthToken, form); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a path Twilio does not use: %v %v, want 404", resp, err)
	}
}

// A customer's SMS, delivered three times, is one message from a contact
// known by their number; a reply goes out with the recorded form, and
// its statuses, arriving out of order and twice, end at delivered. On
// SQLite and PostgreSQL.
func TestConversation(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		n := newNumber(t)
		sid := twiliotest.NewSID("SM")
		for range 3 {
			n.text(t, sid, "আমার অর্ডার কোথায়?")
		}
		m := n.waitMessage(t, sid)
		conv, err := n.s.App.Store.Conversation(context.Background(), n.inbox.AccountID, m.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := n.s.App.Store.Contact(context.Background(), n.inbox.AccountID, conv.ContactID)
		if err != nil || c.Phone != customer || len(c.Identities) != 1 || c.Identities[0].Namespace != twilio.Namespace || c.Identities[0].ExternalID != customer {
			t.Fatalf("contact %+v %v", c, err)
		}
		ms, err := n.s.App.Store.Messages(context.Background(), n.inbox.AccountID, conv.ID, 0, 100)
		if err != nil || len(ms) != 1 || ms[0].Content != "আমার অর্ডার কোথায়?" {
			t.Fatalf("messages %+v %v", ms, err)
		}

		r := n.reply(t, conv.ID, "আপনার অর্ডার আজ পৌঁছাবে।")
		sent := n.waitReply(t, r.ID, func(m *sahay.Message) bool { return m.ExternalID != "" })
		got := n.sim.Sent()
		if len(got) != 1 || got[0].SID != sent.ExternalID {
			t.Fatalf("sent %+v, reply %+v", got, sent)
		}
		f := got[0].Form
		if f.Get("From") != business || f.Get("To") != customer || f.Get("Body") != "আপনার অর্ডার আজ পৌঁছাবে।" || f.Get("StatusCallback") != n.hook("/status") {
			t.Fatalf("form %v", f)
		}
		for _, status := range []string{"delivered", "sent", "queued", "delivered", "sent"} {
			resp, err := n.sim.Status(got[0], status, "")
			if err != nil || resp.StatusCode >= 300 {
				t.Fatalf("status %s: %v %v", status, resp, err)
			}
		}
		n.waitReply(t, r.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliveryDelivered })
		n.idle(t)
		if m := n.waitReply(t, r.ID, func(*sahay.Message) bool { return true }); m.Status != sahay.DeliveryDelivered {
			t.Fatalf("after every status: %s", m.Status)
		}
	})
}

// A customer who texts STOP is recorded as opted out, and a reply then
// fails at once with a reason the agent understands; START lifts it. On
// SQLite and PostgreSQL.
func TestStop(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, _ string) {
		n := newNumber(t)
		first := twiliotest.NewSID("SM")
		n.text(t, first, "hi")
		conv := n.waitMessage(t, first).ConversationID
		stop := twiliotest.NewSID("SM")
		n.text(t, stop, "Stop")
		n.waitMessage(t, stop)
		c, err := n.s.App.Store.Contact(context.Background(), n.inbox.AccountID, mustContact(t, n, conv))
		if err != nil || c.Attributes[twilio.AttrOptedOut] != true || c.Attributes[twilio.AttrKeyword] != "STOP" {
			t.Fatalf("contact %+v %v", c, err)
		}
		r := n.reply(t, conv, "We are sorry to see you go")
		failed := n.waitReply(t, r.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliveryFailed })
		if !strings.Contains(failed.Error, "replied STOP") || len(n.sim.Sent()) != 0 {
			t.Fatalf("reply %+v, sent %v", failed, n.sim.Sent())
		}
		start := twiliotest.NewSID("SM")
		n.text(t, start, "START")
		n.waitMessage(t, start)
		r = n.reply(t, conv, "Welcome back")
		n.waitReply(t, r.ID, func(m *sahay.Message) bool { return m.ExternalID != "" })
	})
}

func mustContact(t *testing.T, n *number, conversationID int64) int64 {
	t.Helper()
	c, err := n.s.App.Store.Conversation(context.Background(), n.inbox.AccountID, conversationID)
	if err != nil {
		t.Fatal(err)
	}
	return c.ContactID
}

// Twilio's refusals reach the agent in their words: an opt-out Sahay did
// not see (21610), a bad number, a country not enabled.
func TestSendErrors(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	sid := twiliotest.NewSID("SM")
	n.text(t, sid, "hello")
	conv := n.waitMessage(t, sid).ConversationID
	for _, tt := range []struct {
		code int
		want string
	}{
		{21610, "replied STOP"},
		{21211, "not a valid phone number"},
		{21408, "Geo permissions"},
	} {
		n.sim.Fail(twiliotest.Failure{HTTPStatus: http.StatusBadRequest, Code: tt.code, Message: "refused"})
		r := n.reply(t, conv, "reply")
		failed := n.waitReply(t, r.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliveryFailed })
		if !strings.Contains(failed.Error, tt.want) {
			t.Errorf("%d: error %q, want %q", tt.code, failed.Error, tt.want)
		}
	}
}

// "Test connection" reads the account; a wrong token is explained.
func TestTestConnection(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	test := func(want string) {
		t.Helper()
		var res struct {
			OK    bool
			Error string
		}
		n.s.Must(t, n.owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/test", n.inbox.ID), nil, http.StatusOK, &res)
		if want == "" && !res.OK || want != "" && (res.OK || !strings.Contains(res.Error, want)) {
			t.Fatalf("test: %+v, want %q", res, want)
		}
	}
	test("")
	bad := n.s.NewInbox(t, n.owner, "SMS 2", "twilio", map[string]any{
		"account_sid": twiliotest.AccountSID, "auth_token": "00000000000000000000000000000000", "phone_number": business,
		"api_base_url": n.sim.URL, "public_url": n.s.URL})
	n.inbox = bad
	test("Twilio refused the account SID or auth token")
	for _, settings := range []map[string]any{
		{"account_sid": "123", "auth_token": twiliotest.AuthToken, "phone_number": business},
		{"account_sid": twiliotest.AccountSID, "auth_token": twiliotest.AuthToken, "phone_number": "01711223344"},
		{"account_sid": twiliotest.AccountSID, "phone_number": business},
		{"account_sid": twiliotest.AccountSID, "auth_token": twiliotest.AuthToken, "phone_number": business, "public_url": "ftp://x"},
	} {
		r := n.s.Call(t, n.owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "x", "channel": "twilio", "settings": settings})
		if r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
			t.Errorf("settings %v: %s", settings, r)
		}
	}
}

// An MMS's files are fetched from Twilio with the account's credentials
// and kept with the message.
func TestMMS(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	photo := []byte("\xff\xd8\xff\xe0 a photo of the parcel")
	media := n.sim.AddMedia("ME0123456789abcdef0123456789abcdef", photo)
	sid := twiliotest.NewSID("MM")
	resp, err := n.sim.Post(n.hook("/sms"), "", twiliotest.AuthToken, n.sim.SMS(sid, customer, business, "এটা দেখুন", media))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("mms: %v %v", resp, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		m := n.waitMessage(t, sid)
		full, err := n.s.App.Store.Message(context.Background(), n.inbox.AccountID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Attachments) == 1 {
			a := full.Attachments[0]
			if a.Size != int64(len(photo)) || a.FileName != "ME0123456789abcdef0123456789abcdef.jpg" || a.ContentType != "image/jpeg" || full.Content != "এটা দেখুন" {
				t.Fatalf("message %+v, attachment %+v", full, a)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %+v: no attachment within 15s (failed events: %v)", full, n.events(t, "failed"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A reply over 1600 characters goes as several messages cut between
// words; "too many requests" is retried.
func TestLongReply(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	sid := twiliotest.NewSID("SM")
	n.text(t, sid, "hello")
	conv := n.waitMessage(t, sid).ConversationID
	n.sim.Fail(twiliotest.Failure{HTTPStatus: http.StatusTooManyRequests, Code: 20429, Message: "Too Many Requests", RetryAfter: "1"})
	long := strings.TrimSpace(strings.Repeat("আপনার অর্ডার ", 150))
	r := n.reply(t, conv, long)
	sent := n.waitReply(t, r.ID, func(m *sahay.Message) bool { return m.ExternalID != "" })
	got := n.sim.Sent()
	if len(got) != 2 || sent.ExternalID != got[1].SID {
		t.Fatalf("sent %d messages, reply %+v", len(got), sent)
	}
	var joined []string
	for _, s := range got {
		body := s.Form.Get("Body")
		if len([]rune(body)) > twilio.MaxText || strings.HasPrefix(body, " ") || strings.HasSuffix(body, " ") {
			t.Fatalf("part of %d characters: %q…", len([]rune(body)), body[:40])
		}
		joined = append(joined, body)
	}
	if strings.Join(joined, " ") != long {
		t.Fatal("the parts do not make the reply")
	}
}

// The address an admin pastes into the number's "A message comes in" is
// the inbox's webhook_url: the server's public URL and /sms.
func TestInboxWebhookURLIsTheMessagesOne(t *testing.T) {
	s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_PUBLIC_URL": "https://support.example.com"}})
	owner := s.NewAccount(t, "Shop")
	inbox := s.NewInbox(t, owner, "SMS", "twilio", map[string]any{
		"account_sid": twiliotest.AccountSID, "auth_token": twiliotest.AuthToken, "phone_number": business,
		"api_base_url": "https://api.twilio.example", "public_url": "https://support.example.com"})
	if want := fmt.Sprintf("https://support.example.com/webhooks/%d/sms", inbox.ID); inbox.WebhookURL != want {
		t.Errorf("webhook_url = %q, want %q", inbox.WebhookURL, want)
	}
}

// A reply's images go as one MMS whose files Twilio fetches from links
// that need no sign-in; a file an MMS does not carry is refused before
// anything is sent, and a link stops working when it is changed.
func TestOutgoingMMS(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	n.text(t, "SM00000000000000000000000000000031", "can you send a photo?")
	m := n.waitMessage(t, "SM00000000000000000000000000000031")
	photo := pngImage(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("content", "here it is")
	fw, _ := mw.CreateFormFile("file", "box.png")
	fw.Write(photo)
	mw.Close()
	r := n.s.Do(t, apitest.Request{Token: n.owner.Token, Method: http.MethodPost,
		Path: fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID), Body: body.Bytes(),
		Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
	if r.Status != http.StatusCreated {
		t.Fatalf("reply with a photo: %s", r)
	}
	var reply sahay.Message
	r.Decode(t, &reply)
	sent := n.waitReply(t, reply.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
	var mms *twiliotest.Sent
	for _, s := range n.sim.Sent() {
		if s.SID == sent.ExternalID {
			mms = &s
		}
	}
	if mms == nil || mms.Form.Get("Body") != "here it is" || len(mms.Media) != 1 || !bytes.Equal(mms.Media[0], photo) {
		t.Fatalf("MMS %+v", mms)
	}
	link := mms.Form.Get("MediaUrl")
	if !strings.HasPrefix(link, n.s.URL+"/files/") {
		t.Fatalf("media link %s", link)
	}
	// A changed token names nothing.
	i := len(n.s.URL + "/files/")
	forged := link[:i] + string(link[i]^1) + link[i+1:]
	resp, err := http.Get(forged)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a forged link answered %s", resp.Status)
	}
}

func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 3, 3))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A webhook with a JSON body, signed as Twilio signs one (the body's hash
// in the URL, the URL signed), is taken once however often it comes; a
// body changed after signing, or a hash that is not the body's, is
// refused and stores nothing.
func TestWebhookJSONBody(t *testing.T) {
	t.Parallel()
	n := newNumber(t)
	sid := twiliotest.NewSID("SM")
	body := []byte(fmt.Sprintf(`{"MessageSid":%q,"AccountSid":%q,"From":%q,"To":%q,"Body":"অর্ডার কোথায়?","NumMedia":0}`,
		sid, twiliotest.AccountSID, customer, business))
	for range 2 {
		resp, err := n.sim.PostJSON(n.hook("/sms"), twiliotest.AuthToken, body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("a signed JSON body: %v %v", resp, err)
		}
	}
	if m := n.waitMessage(t, sid); m.Content != "অর্ডার কোথায়?" {
		t.Fatalf("message %+v", m)
	}

	other := twiliotest.NewSID("SM")
	forged := []byte(strings.Replace(string(body), sid, other, 1))
	// The hash and signature of the first body, sent with another.
	sum := sha256.Sum256(body)
	u := n.hook("/sms") + "?bodySHA256=" + hex.EncodeToString(sum[:])
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(forged))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(twiliotest.AuthToken, u, nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a body changed after signing: status %d, want 401", resp.StatusCode)
	}
	if resp, err := n.sim.PostJSON(n.hook("/sms"), "0000000000000000", forged); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("signed with another token: %v %v, want 401", resp, err)
	}
	if resp, err := n.sim.PostJSON(n.hook("/sms"), twiliotest.AuthToken, []byte(`["not", "an", "object"]`)); err != nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a signed body that is not an object: %v %v, want 422", resp, err)
	}
	// The message's event may still be pending as the message shows;
	// refused requests leave no event, pending or not.
	n.idle(t)
	if keys := append(n.events(t, "done"), n.events(t, "failed")...); len(keys) != 1 || keys[0] != "sms:"+sid {
		t.Fatalf("events %v, want the one message's", keys)
	}
}
