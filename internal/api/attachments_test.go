package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// onePixelPNG is a valid 1×1 PNG.
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

// TestUploadsAreSniffed uploads files whose declared type lies about their
// content, and checks that they are refused, and that what is stored is
// served inline only when it is a raster image.
func TestUploadsAreSniffed(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")
		inbox := s.NewInbox(t, o, "Support", "api", nil)
		conv := s.Receive(t, o, inbox.ID, "dana", "here is my receipt", "d-1").Conversation.ID
		messages := fmt.Sprintf("/api/v1/conversations/%d/messages", conv)

		upload := func(t *testing.T, name, contentType string, body []byte) *apitest.Response {
			t.Helper()
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			mw.WriteField("content", "a file")
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
			if contentType != "" {
				h.Set("Content-Type", contentType)
			}
			p, _ := mw.CreatePart(h)
			p.Write(body)
			mw.Close()
			return s.Do(t, apitest.Request{Method: "POST", Path: messages, Token: o.Token, Body: b.Bytes(),
				Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
		}
		html := []byte("<!DOCTYPE html><html><body><script>fetch('/api/v1/me/tokens',{method:'POST'})</script></body></html>")
		jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 64)...)
		pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

		count := func(t *testing.T) int { return len(items[sahay.Message](t, s, o.Token, messages+"?limit=100")) }
		before := count(t)
		for _, c := range []struct {
			name, file, contentType string
			body                    []byte
		}{
			{"html declared as png", "cat.png", "image/png", html},
			{"html declared as jpeg", "cat.jpg", "image/jpeg", html},
			{"jpeg declared as png", "cat.png", "image/png", jpeg},
			{"html declared as text", "notes.txt", "text/plain", html},
			{"html declared as pdf", "invoice.pdf", "application/pdf", html},
			{"html with no type and a png name", "cat.png", "application/octet-stream", html},
			{"html as itself", "page.html", "text/html", html},
			{"svg", "logo.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
			{"empty png", "empty.png", "image/png", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantError(t, upload(t, c.file, c.contentType, c.body), http.StatusUnprocessableEntity, sahay.EINVALID)
			})
		}
		if after := count(t); after != before {
			t.Fatalf("refused uploads stored messages: %d, then %d", before, after)
		}

		for _, c := range []struct {
			name, file, contentType string
			body                    []byte
			wantType, disposition   string
		}{
			{"png", "dot.png", "image/png", onePixelPNG, "image/png", "inline"},
			{"png with no type", "dot.png", "", onePixelPNG, "image/png", "inline"},
			{"jpeg", "photo.jpg", "image/jpeg", jpeg, "image/jpeg", "inline"},
			{"pdf", "invoice.pdf", "application/pdf", pdf, "application/pdf", "attachment"},
			{"text", "notes.txt", "text/plain; charset=utf-8", []byte("order 1234, <b>twice</b>"), "text/plain", "attachment"},
		} {
			t.Run(c.name, func(t *testing.T) {
				var m sahay.Message
				r := upload(t, c.file, c.contentType, c.body)
				if r.Status != http.StatusCreated {
					t.Fatalf("upload: %s", r)
				}
				r.Decode(t, &m)
				if len(m.Attachments) != 1 || m.Attachments[0].ContentType != c.wantType {
					t.Fatalf("attachments = %+v, want one of type %s", m.Attachments, c.wantType)
				}
				got := s.Do(t, apitest.Request{Method: "GET", Path: fmt.Sprintf("/api/v1/attachments/%d", m.Attachments[0].ID), Token: o.Token})
				h := got.Header
				if got.Status != http.StatusOK || !bytes.Equal(got.Body, c.body) {
					t.Fatalf("download: %d, %d bytes", got.Status, len(got.Body))
				}
				if h.Get("Content-Type") != c.wantType || !strings.HasPrefix(h.Get("Content-Disposition"), c.disposition+";") ||
					h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
					t.Errorf("served with Content-Type %q, Content-Disposition %q, X-Content-Type-Options %q, Content-Security-Policy %q",
						h.Get("Content-Type"), h.Get("Content-Disposition"), h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
				}
			})
		}
	})
}
