package instagram_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/instagram"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
)

const (
	accountID = "17841405822304914"
	appSecret = "instagram_app_secret"
	igsid     = "1254459154682919"
)

// simInbox is an Instagram inbox whose API is the simulator.
func simInbox(sim *metatest.Sim) *sahay.Inbox {
	settings, _ := json.Marshal(map[string]string{"instagram_account_id": accountID, "api_base_url": sim.URL})
	return &sahay.Inbox{ID: 1, Channel: instagram.Name, Settings: settings, Secrets: map[string]string{
		"app_secret": appSecret, "verify_token": "verify-me-please", "access_token": metatest.Token}}
}

func outbound(inbox *sahay.Inbox, content string) channel.Outbound {
	return channel.Outbound{Inbox: inbox, Conversation: &sahay.Conversation{ID: 1}, Recipient: igsid,
		Message: &sahay.Message{Content: content}}
}

func get(r metatest.Request, keys ...string) any {
	var v any = r.JSON
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// A direct reply goes out as the account, split at 1000 characters, with
// Sahay's metadata; a file is uploaded for Instagram, then sent.
func TestSendDirect(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := instagram.New(true)
	out := outbound(simInbox(sim), strings.Repeat("Thank you for your order! ", 60)) // 1,560 characters
	out.Message.Attachments = []sahay.Attachment{{FileName: "size-chart.png", ContentType: "image/png"}}
	out.Open = func(context.Context, sahay.Attachment) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("\x89PNG\r\n\x1a\n chart")), nil
	}
	res, err := a.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	sent := sim.Find(http.MethodPost, "/"+accountID+"/messages")
	if len(sent) != 3 {
		t.Fatalf("%d sends, want 2 parts of text and the image", len(sent))
	}
	for _, r := range sent[:2] {
		text, _ := get(r, "message", "text").(string)
		if get(r, "recipient", "id") != igsid || get(r, "messaging_type") != "RESPONSE" || get(r, "message", "metadata") != meta.SentMetadata ||
			len([]rune(text)) > instagram.MaxText || text == "" {
			t.Fatalf("send %s", r.Body)
		}
	}
	up := sim.Find(http.MethodPost, "/"+accountID+"/message_attachments")
	if len(up) != 1 || up[0].Form.Get("platform") != "instagram" || !strings.Contains(up[0].Form.Get("message"), `"type":"image"`) {
		t.Fatalf("uploads %+v", up)
	}
	if get(sent[2], "message", "attachment", "type") != "image" || res.ExternalID == "" {
		t.Fatalf("image send %s, result %+v", sent[2].Body, res)
	}
}

// In a public conversation the reply answers the comment with /replies; a
// private reply goes by comment_id and names the commenter's IGSID.
func TestSendPublicAndPrivate(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := instagram.New(true)
	inbox := simInbox(sim)
	pub := outbound(inbox, "৳2,500, free delivery in Dhaka")
	pub.Conversation.Public, pub.ReplyTo = true, "17919697626119712"
	if _, err := a.Send(context.Background(), pub); err != nil {
		t.Fatal(err)
	}
	if rs := sim.Find(http.MethodPost, "/17919697626119712/replies"); len(rs) != 1 || rs[0].Param("message") != "৳2,500, free delivery in Dhaka" {
		t.Fatalf("replies %+v", rs)
	}
	sim.AddComment("17919697626119712", "2105722729836161")
	priv := outbound(inbox, "Sending the catalogue here")
	priv.Conversation.Public = true
	priv.Message.Details = &sahay.MessageDetails{PrivateReplyTo: "17919697626119712"}
	res, err := a.Send(context.Background(), priv)
	if err != nil {
		t.Fatal(err)
	}
	sent := sim.Find(http.MethodPost, "/"+accountID+"/messages")
	if len(sent) != 1 || get(sent[0], "recipient", "comment_id") != "17919697626119712" || res.Recipient != "2105722729836161" {
		t.Fatalf("private reply %+v, result %+v", sent, res)
	}
	priv.Message.Attachments = []sahay.Attachment{{FileName: "a.png"}}
	if _, err := a.Send(context.Background(), priv); !errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("private reply with a file: %v", err)
	}
}

// An inbox with a Page token (the Instagram API with Facebook Login)
// names the linked Page, and its direct messages, files and private
// replies go to the Page's Send API; public replies are the comment's.
func TestSendAsLinkedPage(t *testing.T) {
	const pageID = "106541234567891"
	sim := metatest.New(t, appSecret)
	a := instagram.New(true)
	inbox := simInbox(sim)
	inbox.Settings, _ = json.Marshal(map[string]string{"instagram_account_id": accountID, "page_id": pageID, "api_base_url": sim.URL})
	if err := a.Validate(inbox); err != nil {
		t.Fatal(err)
	}
	dm := outbound(inbox, "Your order left the shop")
	dm.Message.Attachments = []sahay.Attachment{{FileName: "receipt.png", ContentType: "image/png"}}
	dm.Open = func(context.Context, sahay.Attachment) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("\x89PNG\r\n\x1a\n receipt")), nil
	}
	if _, err := a.Send(context.Background(), dm); err != nil {
		t.Fatal(err)
	}
	sim.AddComment("17919697626119712", "2105722729836161")
	priv := outbound(inbox, "Sending the catalogue here")
	priv.Conversation.Public = true
	priv.Message.Details = &sahay.MessageDetails{PrivateReplyTo: "17919697626119712"}
	if _, err := a.Send(context.Background(), priv); err != nil {
		t.Fatal(err)
	}
	sent := sim.Find(http.MethodPost, "/"+pageID+"/messages")
	if len(sent) != 3 || get(sent[0], "recipient", "id") != igsid || get(sent[2], "recipient", "comment_id") != "17919697626119712" {
		t.Fatalf("sends as the Page %+v", sent)
	}
	if up := sim.Find(http.MethodPost, "/"+pageID+"/message_attachments"); len(up) != 1 || up[0].Form.Get("platform") != "instagram" {
		t.Fatalf("uploads as the Page %+v", up)
	}
	if n := len(sim.Find(http.MethodPost, "/"+accountID+"/*")); n != 0 {
		t.Fatalf("%d calls as the account", n)
	}

	inbox.Settings, _ = json.Marshal(map[string]string{"instagram_account_id": accountID, "page_id": "not a page"})
	if err := a.Validate(inbox); err == nil || !strings.Contains(err.Error(), "page_id") {
		t.Fatalf("a malformed page_id: %v", err)
	}
}

func TestModerate(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := instagram.New(true)
	inbox := simInbox(sim)
	for _, action := range []string{"hide", "unhide", "delete"} {
		if err := a.Moderate(context.Background(), inbox, "17919697626119712", action); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	posts := sim.Find(http.MethodPost, "/17919697626119712")
	if len(posts) != 2 || posts[0].Param("hide") != "true" || posts[1].Param("hide") != "false" ||
		len(sim.Find(http.MethodDelete, "/17919697626119712")) != 1 {
		t.Fatalf("moderation calls %+v", posts)
	}
}

func TestTestConnection(t *testing.T) {
	sim := metatest.New(t, appSecret)
	a := instagram.New(true)
	inbox := simInbox(sim)
	if err := a.Test(context.Background(), inbox); err == nil || !strings.Contains(err.Error(), "check the id") {
		t.Fatalf("unknown account: %v", err)
	}
	sim.AddObject(accountID, map[string]any{"username": "dhaka.saree.house"})
	if err := a.Test(context.Background(), inbox); err != nil {
		t.Fatal(err)
	}
	if r := sim.Find(http.MethodGet, "/"+accountID); r[len(r)-1].Query.Get("fields") != "id,username" {
		t.Fatalf("test read %v", r[len(r)-1].Query)
	}
	sim.SetToken("another")
	if err := a.Test(context.Background(), inbox); err == nil || !strings.Contains(err.Error(), "access token") {
		t.Fatalf("wrong token: %v", err)
	}
}
