package widget

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

func TestCartOrderAndShopifyReachTheContact(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	ctx := context.Background()
	s := e.session(SessionRequest{})
	e.call("POST", "/widget/v1/contact", s.Token, ContactRequest{Email: "asha@example.com", Attributes: map[string]any{"plan": "gold"}}, nil)
	if code, ecode := e.call("POST", "/widget/v1/commerce", s.Token, CommerceRequest{Cart: &CartInfo{Items: []Item{{Name: "Jamdani saree", Quantity: 1, Price: 9800}},
		Total: 9800, Currency: "BDT"}}, nil); code != 200 {
		t.Fatalf("setCart: %d %s", code, ecode)
	}
	contactID, _ := e.store.ContactIDByIdentity(ctx, e.agent.AccountID(), core.WidgetIdentity(e.inbox.ID), s.Visitor.ID)
	c, _ := e.store.Contact(ctx, e.agent.AccountID(), contactID)
	if c.Attributes["cart_value"] != "9800" || c.Attributes["cart_currency"] != "BDT" || c.Attributes["plan"] != "gold" {
		t.Fatalf("attributes after setCart = %v", c.Attributes)
	}

	// A Shopify order for the same email lands on the same contact; a
	// replayed webhook counts once; a bad signature is refused.
	name := "Website"
	if _, err := e.svc.UpdateInbox(ctx, e.agent, e.inbox.ID, core.InboxInput{Name: &name, Secrets: map[string]string{ShopifySecretKey: "shpss_test"}}); err != nil {
		t.Fatal(err)
	}
	e.widget.cache.reset()
	body := []byte(`{"id":820982911946154508,"email":"Asha@Example.com","total_price":"9800.00","currency":"BDT","financial_status":"paid",
		"fulfillment_status":null,"order_status_url":"https://shop.example/orders/1","line_items":[{"title":"Jamdani saree","quantity":1,"price":"9800.00","sku":"JS-1"}]}`)
	for range 2 {
		req, _ := http.NewRequest("POST", e.srv.URL+"/widget/shopify/"+e.token, bytes.NewReader(body))
		req.Header.Set(ShopifyHMACHeader, ShopifySignature("shpss_test", body))
		req.Header.Set(ShopifyTopicHeader, "orders/create")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("shopify webhook: %d %s", resp.StatusCode, raw)
		}
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/widget/shopify/"+e.token, bytes.NewReader(body))
	req.Header.Set(ShopifyHMACHeader, ShopifySignature("wrong", body))
	req.Header.Set(ShopifyTopicHeader, "orders/create")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("forged shopify webhook: %d", resp.StatusCode)
	}
	c, _ = e.store.Contact(ctx, e.agent.AccountID(), contactID)
	if c.Attributes["last_order_total"] != "9800.00" || c.Attributes["orders_count"] != float64(1) || c.Attributes["last_order_status"] != "paid" {
		t.Fatalf("attributes after order = %v", c.Attributes)
	}
	orders, err := e.svc.ContactOrders(ctx, e.agent, contactID)
	if err != nil || len(orders) != 2 {
		t.Fatalf("orders = %v, %v", orders, err)
	}
}

func TestCSATAfterResolve(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	ctx := context.Background()
	s := e.session(SessionRequest{})
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "msg", "cid": "c-000001", "text": "help"})
	convID := num(field(ws.next("ack"), "c", "id"))
	if code, ecode := e.call("POST", "/widget/v1/conversations/"+itoa(convID)+"/csat", s.Token, CSATRequest{Rating: 5}, nil); code != 409 {
		t.Fatalf("rating an open conversation: %d %s", code, ecode)
	}
	resolved := sahay.StatusResolved
	if _, err := e.svc.UpdateConversation(ctx, e.agent, convID, core.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	ws.nextWhere(func(f map[string]any) bool { return f["t"] == "conv" && field(f, "c", "status") == "resolved" })
	if code, ecode := e.call("POST", "/widget/v1/conversations/"+itoa(convID)+"/csat", s.Token, CSATRequest{Rating: 4, Comment: "খুব ভালো"}, nil); code != 200 {
		t.Fatalf("rating: %d %s", code, ecode)
	}
	var report struct {
		Count        int
		Satisfaction float64
	}
	e.call("GET", "/api/v1/inboxes/"+itoa(e.inbox.ID)+"/csat", "", nil, &report)
	if report.Count != 1 || report.Satisfaction != 1 {
		t.Fatalf("csat report = %+v", report)
	}
}

func TestAttachments(t *testing.T) {
	e := newEnv(t, `{}`, Limits{AttachmentBytes: 1 << 20})
	s := e.session(SessionRequest{})
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	upload := func(name, typ string, data []byte) (int, map[string]any) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("cid", "f-"+itoa(int64(len(data)))+"-x")
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + name + `"`}
		h["Content-Type"] = []string{typ}
		pw, _ := mw.CreatePart(h)
		pw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", e.srv.URL+"/widget/v1/attachments", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		decodeJSON(resp.Body, &out)
		return resp.StatusCode, out
	}
	code, out := upload("dot.png", "image/png", png)
	if code != 200 {
		t.Fatalf("upload: %d %v", code, out)
	}
	url, _ := field(out, "message", "files").([]any)[0].(map[string]any)["url"].(string)
	resp, err := http.Get(e.srv.URL + url + "?token=" + s.Token)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %v %v", resp, err)
	}
	if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "inline;") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("a png is served with Content-Disposition %q, X-Content-Type-Options %q", d, resp.Header.Get("X-Content-Type-Options"))
	}
	resp.Body.Close()
	other := e.session(SessionRequest{})
	if resp, _ := http.Get(e.srv.URL + url + "?token=" + other.Token); resp.StatusCode != 404 {
		t.Fatalf("another visitor downloads the file: %d", resp.StatusCode)
	}
	if code, out := upload("big.png", "image/png", append(png, make([]byte, 2<<20)...)); code != 413 {
		t.Fatalf("oversized file: %d %v", code, out)
	}
	if code, out := upload("run.exe", "application/x-msdownload", []byte("MZ")); code != 422 {
		t.Fatalf("executable: %d %v", code, out)
	}
	if code, out := upload("fake.png", "image/png", []byte("<script>alert(1)</script>")); code != 422 {
		t.Fatalf("html posing as png: %d %v", code, out)
	}
	if code, out := upload("notes.txt", "text/plain", []byte("<!DOCTYPE html><script>alert(1)</script>")); code != 422 {
		t.Fatalf("html posing as text: %d %v", code, out)
	}
	if code, out := upload("fake.png", "application/octet-stream", []byte("<script>alert(1)</script>")); code != 422 {
		t.Fatalf("html named .png without a type: %d %v", code, out)
	}
	if code, out := upload("photo.heic", "image/heic", []byte("....ftypheic")); code != 422 {
		t.Fatalf("a type the widget does not take: %d %v", code, out)
	}
}

type fakeMailer struct{ to, subject, body string }

func (m *fakeMailer) Send(_ context.Context, to, subject, body string) error {
	m.to, m.subject, m.body = to, subject, body
	return nil
}

func TestTranscript(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	s := e.session(SessionRequest{})
	var sent struct{ Conversation visitorConversation }
	e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000001", Text: "Where is my parcel?"}, &sent)
	path := "/widget/v1/conversations/" + itoa(sent.Conversation.ID) + "/transcript"
	if code, ecode := e.call("POST", path, s.Token, TranscriptRequest{Email: "asha@example.com"}, nil); code != 409 {
		t.Fatalf("without a mailer: %d %s", code, ecode)
	}
	m := &fakeMailer{}
	e.widget.cfg.Mailer = m
	if code, ecode := e.call("POST", path, s.Token, TranscriptRequest{Email: "asha@example.com"}, nil); code != 200 {
		t.Fatalf("with a mailer: %d %s", code, ecode)
	}
	if m.to != "asha@example.com" || !bytes.Contains([]byte(m.body), []byte("You: Where is my parcel?")) {
		t.Fatalf("mail to %q: %q", m.to, m.body)
	}
}
