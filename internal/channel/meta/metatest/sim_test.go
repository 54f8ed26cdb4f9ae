package metatest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
)

func client(s *metatest.Sim) *meta.Client {
	return &meta.Client{BaseURL: s.URL, Token: metatest.Token}
}

func TestSendAPI(t *testing.T) {
	s := metatest.New(t, "secret")
	c := client(s)
	ctx := context.Background()
	var ms struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	body := map[string]any{"recipient": map[string]string{"id": "PSID"}, "messaging_type": "RESPONSE", "message": map[string]string{"text": "hi"}}
	if err := c.Do(ctx, http.MethodPost, meta.Path("PAGE", "messages"), nil, body, &ms); err != nil {
		t.Fatal(err)
	}
	if ms.RecipientID != "PSID" || !strings.HasPrefix(ms.MessageID, "m_") {
		t.Errorf("Messenger answer %+v", ms)
	}
	s.AddComment("C1", "IGSID-7")
	private := map[string]any{"recipient": map[string]string{"comment_id": "C1"}, "message": map[string]string{"text": "in DM"}}
	if err := c.Do(ctx, http.MethodPost, meta.Path("PAGE", "messages"), nil, private, &ms); err != nil || ms.RecipientID != "IGSID-7" {
		t.Errorf("private reply: %+v, %v", ms, err)
	}
	var wa struct {
		Contacts []struct {
			WaID string `json:"wa_id"`
		}
		Messages []struct{ ID string }
	}
	waBody := map[string]any{"messaging_product": "whatsapp", "to": "+972544401243", "type": "text", "text": map[string]any{"body": "Hello"}}
	if err := c.Do(ctx, http.MethodPost, meta.Path("PHONE", "messages"), nil, waBody, &wa); err != nil {
		t.Fatal(err)
	}
	if len(wa.Messages) != 1 || !strings.HasPrefix(wa.Messages[0].ID, "wamid.") || wa.Contacts[0].WaID != "972544401243" {
		t.Errorf("WhatsApp answer %+v", wa)
	}
	sent, err := s.Wait(ctx, http.MethodPost, "/*/messages", 3)
	if err != nil {
		t.Fatal(err)
	}
	if sent[2].Path != "/PHONE/messages" || sent[2].Param("to") != "+972544401243" || sent[2].Header.Get("Authorization") != "Bearer "+metatest.Token {
		t.Errorf("recorded %+v", sent[2])
	}
	if got := sent[0].Param("message"); got != `{"text":"hi"}` {
		t.Errorf("Param of an object = %s", got)
	}
}

func TestWrongTokenAndScriptedFailures(t *testing.T) {
	s := metatest.New(t, "secret")
	ctx := context.Background()
	msg := map[string]any{"recipient": map[string]string{"id": "PSID"}, "message": map[string]string{"text": "hi"}}
	wrong := &meta.Client{BaseURL: s.URL, Token: "stale"}
	var ge *meta.GraphError
	if err := wrong.Do(ctx, http.MethodPost, "/PAGE/messages", nil, msg, nil); !errors.As(err, &ge) || ge.Code != 190 || !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("wrong token: %v", err)
	}
	s.FailNext("/*/messages", 400, 10, 2018278, "(#10) This message is sent outside of allowed window.")
	s.Fail("/PHONE/*", metatest.Failure{Code: 130429, Message: "Rate limit hit", RetryAfter: 3})
	c := client(s)
	err := c.Do(ctx, http.MethodPost, "/PHONE/media", nil, nil, nil)
	var ra *channel.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 3*time.Second {
		t.Errorf("throttled: %v", err)
	}
	err = c.Do(ctx, http.MethodPost, "/PAGE/messages", nil, msg, nil)
	if !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), meta.ReasonMessagingWindow) {
		t.Errorf("window: %v", err)
	}
	if err := c.Do(ctx, http.MethodPost, "/PAGE/messages", nil, msg, nil); err != nil {
		t.Errorf("a failure answers once: %v", err)
	}
	if err := c.Do(ctx, http.MethodGet, "/PAGE/nothing", nil, nil, nil); !errors.As(err, &ge) || ge.Code != 2500 {
		t.Errorf("unknown path: %v", err)
	}
}

func TestMediaAndUploads(t *testing.T) {
	s := metatest.New(t, "secret")
	c := client(s)
	ctx := context.Background()
	s.AddMedia("MEDIA1", "image/jpeg", []byte("JPEG"))
	m, err := c.Media(ctx, "MEDIA1")
	if err != nil || m.MimeType != "image/jpeg" || m.FileSize != 4 || len(m.SHA256) != 64 {
		t.Fatalf("media %+v, %v", m, err)
	}
	if data, err := c.Download(ctx, m.URL, 100); err != nil || string(data) != "JPEG" {
		t.Errorf("download %q, %v", data, err)
	}
	anon := &meta.Client{}
	if _, err := anon.Download(ctx, m.URL, 100); !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("download without the token: %v", err)
	}
	link := s.AddPublicFile("cat.png", "image/png", []byte("PNG"))
	if data, err := anon.Download(ctx, link, 100); err != nil || string(data) != "PNG" {
		t.Errorf("public file %q, %v", data, err)
	}

	var up struct{ ID string }
	file := meta.FilePart{Field: "file", Name: "doc.pdf", ContentType: "application/pdf", Content: strings.NewReader("%PDF")}
	if err := c.Upload(ctx, "/PHONE/media", url.Values{"messaging_product": {"whatsapp"}, "type": {"application/pdf"}}, file, &up); err != nil {
		t.Fatal(err)
	}
	if f, ok := s.Media(up.ID); !ok || string(f.Data) != "%PDF" || f.Name != "doc.pdf" {
		t.Errorf("uploaded %+v", f)
	}
	var att struct {
		AttachmentID string `json:"attachment_id"`
	}
	file = meta.FilePart{Field: "filedata", Name: "a.png", ContentType: "image/png", Content: strings.NewReader("PNG")}
	fields := url.Values{"message": {`{"attachment":{"type":"image","payload":{"is_reusable":true}}}`}}
	if err := c.Upload(ctx, "/PAGE/message_attachments", fields, file, &att); err != nil || att.AttachmentID == "" {
		t.Errorf("attachment %+v, %v", att, err)
	}
	r := s.Find(http.MethodPost, "/PAGE/message_attachments")
	if len(r) != 1 || r[0].Form.Get("message") == "" || string(r[0].Files["filedata"].Data) != "PNG" {
		t.Errorf("recorded %+v", r)
	}
}

func TestTemplatesPage(t *testing.T) {
	s := metatest.New(t, "secret")
	c := client(s)
	for _, name := range []string{"order_update", "welcome", "receipt"} {
		s.AddTemplate("WABA", metatest.Template{Name: name, Language: "en_US", Status: "APPROVED", Category: "UTILITY",
			Components: []metatest.Component{{Type: "BODY", Text: "Hello {{1}}"}}})
	}
	type page struct {
		Data   []metatest.Template
		Paging struct {
			Cursors struct{ After string }
			Next    string
		}
	}
	var names []string
	q := url.Values{"limit": {"2"}}
	for range 3 {
		var p page
		if err := c.Do(context.Background(), http.MethodGet, "/WABA/message_templates", q, nil, &p); err != nil {
			t.Fatal(err)
		}
		for _, tp := range p.Data {
			names = append(names, tp.Name)
		}
		if p.Paging.Next == "" {
			break
		}
		q.Set("after", p.Paging.Cursors.After)
	}
	if strings.Join(names, ",") != "order_update,welcome,receipt" {
		t.Errorf("templates %v", names)
	}
}

func TestCommentsAndTestConnection(t *testing.T) {
	s := metatest.New(t, "secret")
	c := client(s)
	ctx := context.Background()
	var out struct{ ID string }
	if err := c.Do(ctx, http.MethodPost, "/C1/replies", url.Values{"message": {"thanks"}}, nil, &out); err != nil || out.ID == "" {
		t.Errorf("reply %+v, %v", out, err)
	}
	if err := c.Do(ctx, http.MethodPost, "/C1/comments", nil, map[string]string{"message": "thanks"}, &out); err != nil {
		t.Errorf("comment: %v", err)
	}
	if err := c.Do(ctx, http.MethodPost, "/C1", url.Values{"hide": {"true"}}, nil, nil); err != nil {
		t.Errorf("hide: %v", err)
	}
	if err := c.Do(ctx, http.MethodDelete, "/C1", nil, nil, nil); err != nil {
		t.Errorf("delete: %v", err)
	}
	s.AddObject("PAGE", map[string]any{"name": "Shop", "category": "Retail"})
	var page map[string]any
	if err := c.Test(ctx, "PAGE", meta.TestFieldsPage, &page); err != nil || page["name"] != "Shop" || page["category"] != nil {
		t.Errorf("test %v, %v", page, err)
	}
	if err := c.Test(ctx, "OTHER", meta.TestFieldsPage, nil); err == nil || !strings.Contains(err.Error(), `no object "OTHER"`) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	s := metatest.New(t, "app-secret")
	events := make(chan channel.Raw, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h, err := meta.Webhook(r, body, "app-secret", "verify-me", meta.ObjectPage)
		if sahay.ErrorCode(err) == sahay.EUNAUTHORIZED {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, ev := range h.Events {
			events <- ev
		}
		w.Write(h.Body)
	}))
	defer hook.Close()
	if err := s.Handshake(hook.URL, "verify-me"); err != nil {
		t.Errorf("handshake: %v", err)
	}
	if err := metatest.Handshake(hook.URL, "wrong"); err == nil {
		t.Error("handshake with a wrong token passed")
	}
	body := metatest.Payload(meta.ObjectPage,
		map[string]any{"id": "PAGE", "time": 1, "messaging": []any{}},
		`{"id":"PAGE","time":2,"messaging":[]}`)
	resp, err := s.Deliver(hook.URL, body)
	if err != nil || resp.StatusCode != 200 || len(events) != 2 {
		t.Fatalf("deliver: %v, %v, %d events", resp, err, len(events))
	}
	resp, err = metatest.DeliverSigned(hook.URL, body, "")
	if err != nil || resp.StatusCode != http.StatusForbidden || len(events) != 2 {
		t.Errorf("unsigned delivery: %v, %v", resp, err)
	}
	if s.Sign(body) != meta.Sign("app-secret", body) {
		t.Error("Sign disagrees with meta.Sign")
	}
}
