package messenger_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/messenger"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
)

const (
	pageID    = "106541234567890"
	appSecret = "test_app_secret"
	psid      = "6012345678901234"
)

// simInbox is a Messenger inbox whose Graph API is the simulator.
func simInbox(sim *metatest.Sim) *sahay.Inbox {
	settings, _ := json.Marshal(map[string]string{"page_id": pageID, "api_base_url": sim.URL})
	return &sahay.Inbox{ID: 1, Channel: messenger.Name, Settings: settings, Secrets: map[string]string{
		"app_secret": appSecret, "verify_token": "verify-me-please", "access_token": metatest.Token}}
}

func outbound(inbox *sahay.Inbox, content string) channel.Outbound {
	return channel.Outbound{Inbox: inbox, Conversation: &sahay.Conversation{ID: 1}, Recipient: psid,
		Message: &sahay.Message{Content: content}}
}

func body(t *testing.T, r metatest.Request) map[string]any {
	t.Helper()
	if r.JSON == nil {
		t.Fatalf("%s %s: not JSON: %s", r.Method, r.Path, r.Body)
	}
	return r.JSON
}

func get(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// A direct reply goes out with the Send API as the page, as a RESPONSE,
// carrying Sahay's metadata; a long one is split at 2000 characters; with
// the HUMAN_AGENT tag it is a tagged message.
func TestSendDirect(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := messenger.New(true)
	inbox := simInbox(sim)
	long := strings.Repeat("আপনার অর্ডার আজ পাঠানো হবে। ", 100) // 2,900 characters
	res, err := a.Send(context.Background(), outbound(inbox, long))
	if err != nil {
		t.Fatal(err)
	}
	sent := sim.Find(http.MethodPost, "/"+pageID+"/messages")
	if len(sent) != 2 {
		t.Fatalf("%d sends, want the text in 2 parts", len(sent))
	}
	for _, r := range sent {
		b := body(t, r)
		text, _ := get(b, "message", "text").(string)
		if get(b, "recipient", "id") != psid || b["messaging_type"] != "RESPONSE" || get(b, "message", "metadata") != meta.SentMetadata ||
			len([]rune(text)) > messenger.MaxText || r.Header.Get("Authorization") != "Bearer "+metatest.Token {
			t.Fatalf("send %s", r.Body)
		}
	}
	if !strings.HasPrefix(res.ExternalID, "m_") {
		t.Fatalf("result %+v, want the last message's id", res)
	}

	tagged := outbound(inbox, "Sorry for the wait: your refund is done.")
	tagged.Message.Details = &sahay.MessageDetails{Tag: "HUMAN_AGENT"}
	if _, err := a.Send(context.Background(), tagged); err != nil {
		t.Fatal(err)
	}
	sent = sim.Find(http.MethodPost, "/"+pageID+"/messages")
	if b := body(t, sent[len(sent)-1]); b["messaging_type"] != "MESSAGE_TAG" || b["tag"] != "HUMAN_AGENT" {
		t.Fatalf("tagged send %v", b)
	}
}

// A file is uploaded with the Attachment Upload API, then sent by its
// attachment_id.
func TestSendAttachment(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := messenger.New(true)
	out := outbound(simInbox(sim), "")
	out.Message.Attachments = []sahay.Attachment{{FileName: "invoice.pdf", ContentType: "application/pdf"}}
	out.Open = func(context.Context, sahay.Attachment) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("%PDF-1.4 invoice")), nil
	}
	if _, err := a.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	up := sim.Find(http.MethodPost, "/"+pageID+"/message_attachments")
	if len(up) != 1 || string(up[0].Files["filedata"].Data) != "%PDF-1.4 invoice" || !strings.Contains(up[0].Form.Get("message"), `"type":"file"`) {
		t.Fatalf("uploads %+v", up)
	}
	sent := sim.Find(http.MethodPost, "/"+pageID+"/messages")
	if len(sent) != 1 || get(body(t, sent[0]), "message", "attachment", "type") != "file" ||
		get(body(t, sent[0]), "message", "attachment", "payload", "attachment_id") == nil {
		t.Fatalf("sends %+v", sent)
	}
}

// In a public conversation the reply is a comment under the customer's
// latest one; a private reply goes to the commenter by comment_id, and
// the result names their messaging id.
func TestSendPublicAndPrivate(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := messenger.New(true)
	inbox := simInbox(sim)
	pub := outbound(inbox, "We have it in blue, yes!")
	pub.Conversation.Public, pub.ReplyTo, pub.Recipient = true, "998877665544_1122334455", "7301234567890123"
	res, err := a.Send(context.Background(), pub)
	if err != nil {
		t.Fatal(err)
	}
	cs := sim.Find(http.MethodPost, "/998877665544_1122334455/comments")
	if len(cs) != 1 || cs[0].Param("message") != "We have it in blue, yes!" || res.ExternalID == "" {
		t.Fatalf("comments %+v, result %+v", cs, res)
	}
	if len(sim.Find(http.MethodPost, "/*/messages")) != 0 {
		t.Fatal("a public reply also went out as a direct message")
	}
	pub.ReplyTo = ""
	if _, err := a.Send(context.Background(), pub); !errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("public reply with no comment to answer: %v", err)
	}

	sim.AddComment("998877665544_1122334455", "6099999999999999")
	priv := outbound(inbox, "Here is the price list")
	priv.Conversation.Public = true
	priv.Message.Details = &sahay.MessageDetails{PrivateReplyTo: "998877665544_1122334455"}
	res, err = a.Send(context.Background(), priv)
	if err != nil {
		t.Fatal(err)
	}
	sent := sim.Find(http.MethodPost, "/"+pageID+"/messages")
	if len(sent) != 1 || get(body(t, sent[0]), "recipient", "comment_id") != "998877665544_1122334455" ||
		get(body(t, sent[0]), "message", "text") != "Here is the price list" {
		t.Fatalf("private reply %+v", sent)
	}
	if res.Recipient != "6099999999999999" || res.ExternalID == "" {
		t.Fatalf("private reply result %+v, want the commenter's messaging id", res)
	}
	priv.Message.Content = strings.Repeat("x", messenger.MaxText+1)
	if _, err := a.Send(context.Background(), priv); !errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("private reply over one message: %v", err)
	}
}

// Meta's refusals reach the agent in words, with the retry rules: a
// closed window fails at once, throttling waits, a dead token says so.
func TestSendErrors(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := messenger.New(true)
	inbox := simInbox(sim)
	sim.FailNext("/*/messages", 400, 10, 2018278, "(#10) This message is sent outside of allowed window.")
	_, err := a.Send(context.Background(), outbound(inbox, "late"))
	if !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), "24-hour") {
		t.Fatalf("outside the window: %v", err)
	}
	sim.Fail("/*/messages", metatest.Failure{Status: 400, Code: 613, Message: "Calls to this api have exceeded the rate limit.", RetryAfter: 3})
	_, err = a.Send(context.Background(), outbound(inbox, "busy"))
	var ra *channel.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 3*time.Second {
		t.Fatalf("throttled: %v", err)
	}
	sim.SetToken("another")
	_, err = a.Send(context.Background(), outbound(inbox, "token"))
	if !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), "access token") {
		t.Fatalf("dead token: %v", err)
	}
}

func TestModerate(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := messenger.New(true)
	inbox := simInbox(sim)
	for _, action := range []string{"hide", "unhide", "delete"} {
		if err := a.Moderate(context.Background(), inbox, "998877665544_1122334455", action); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	posts := sim.Find(http.MethodPost, "/998877665544_1122334455")
	dels := sim.Find(http.MethodDelete, "/998877665544_1122334455")
	if len(posts) != 2 || posts[0].Param("is_hidden") != "true" || posts[1].Param("is_hidden") != "false" || len(dels) != 1 {
		t.Fatalf("moderation calls %+v %+v", posts, dels)
	}
	if err := a.Moderate(context.Background(), inbox, "c1", "pin"); sahay.ErrorCode(err) != sahay.EINVALID {
		t.Fatalf("unknown action: %v", err)
	}
}

// Test connection reads the page; a wrong token or page is told plainly.
func TestTestConnection(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := messenger.New(true)
	inbox := simInbox(sim)
	if err := a.Test(context.Background(), inbox); err == nil || !strings.Contains(err.Error(), "check the id") {
		t.Fatalf("unknown page: %v", err)
	}
	sim.AddObject(pageID, map[string]any{"name": "Dhaka Saree House"})
	if err := a.Test(context.Background(), inbox); err != nil {
		t.Fatal(err)
	}
	if r := sim.Find(http.MethodGet, "/"+pageID); r[len(r)-1].Query.Get("fields") != "id,name" {
		t.Fatalf("test read %v", r[len(r)-1].Query)
	}
	sim.SetToken("another")
	if err := a.Test(context.Background(), inbox); err == nil || !strings.Contains(err.Error(), "access token") {
		t.Fatalf("wrong token: %v", err)
	}
}

// A file a message carries is fetched from its address, within the limit.
func TestFetch(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := messenger.New(true)
	u := sim.AddPublicFile("photo.png", "image/png", []byte("\x89PNG\r\n\x1a\n tiny"))
	rc, err := a.Fetch(context.Background(), simInbox(sim), channel.RemoteFile{ID: u}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	if !strings.HasPrefix(string(data), "\x89PNG") {
		t.Fatalf("fetched %q", data)
	}
	if _, err := a.Fetch(context.Background(), simInbox(sim), channel.RemoteFile{ID: u}, 4); !errors.Is(err, channel.ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := messenger.New(false).Fetch(context.Background(), simInbox(sim), channel.RemoteFile{ID: u}, 1<<20); err == nil {
		t.Fatal("a file on a private address was fetched without allow-private")
	}
}
