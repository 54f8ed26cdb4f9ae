package meta

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
)

func TestDoSendsJSONWithBearer(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		io.WriteString(w, `{"recipient_id":"PSID","message_id":"m_1"}`)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL + "/v25.0/", Token: "page-token", HTTP: srv.Client()}
	var out struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	req := map[string]any{"recipient": map[string]string{"id": "PSID"}, "message": map[string]string{"text": "hello"}}
	if err := c.Do(context.Background(), http.MethodPost, Path("PAGE/1", "messages"), url.Values{"x": {"y z"}}, req, &out); err != nil {
		t.Fatal(err)
	}
	if out.MessageID != "m_1" || out.RecipientID != "PSID" {
		t.Errorf("out = %+v", out)
	}
	if got.URL.EscapedPath() != "/v25.0/PAGE%2F1/messages" || got.URL.Query().Get("x") != "y z" {
		t.Errorf("request to %s", got.URL)
	}
	if got.Header.Get("Authorization") != "Bearer page-token" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	if string(body) != `{"message":{"text":"hello"},"recipient":{"id":"PSID"}}` {
		t.Errorf("body %s", body)
	}
}

func TestDoWithoutBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete || r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
			t.Errorf("%s with %d bytes of %q", r.Method, r.ContentLength, r.Header.Get("Content-Type"))
		}
		io.WriteString(w, `{"success":true}`)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Token: "t", HTTP: srv.Client()}
	if err := c.Do(context.Background(), http.MethodDelete, Path("c1"), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDoBoundsTheCall(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Write(bytes.Repeat([]byte(" "), maxAnswer+10))
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), Timeout: 100 * time.Millisecond}
	start := time.Now()
	err := c.Do(context.Background(), http.MethodGet, "/slow", nil, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("slow answer: %v after %s", err, time.Since(start))
	}
	if errors.Is(err, channel.ErrPermanent) {
		t.Errorf("a timeout is worth a retry: %v", err)
	}
	c.Timeout = 0
	if err := c.Do(context.Background(), http.MethodGet, "/big", nil, nil, nil); err == nil || !strings.Contains(err.Error(), "answer over") {
		t.Errorf("oversized answer: %v", err)
	}
}

func TestDoNotGraph(t *testing.T) {
	c := graphServer(t, 200, nil, `<html>captive portal</html>`)
	var out map[string]any
	err := c.Do(context.Background(), http.MethodGet, "/1", nil, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "is not the Graph API's") {
		t.Errorf("err = %v", err)
	}
}

func TestUpload(t *testing.T) {
	type part struct{ name, filename, contentType, data string }
	var parts []part
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			t.Error(err)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Error(err)
				return
			}
			data, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)})
		}
		io.WriteString(w, `{"id":"media-1"}`)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Token: "wa-token", HTTP: srv.Client()}
	var out struct{ ID string }
	fields := url.Values{"type": {"image/png"}, "messaging_product": {"whatsapp"}}
	file := FilePart{Field: "file", Name: `a "photo".png`, ContentType: "image/png", Content: strings.NewReader("PNGDATA")}
	if err := c.Upload(context.Background(), Path("PHONE", "media"), fields, file, &out); err != nil {
		t.Fatal(err)
	}
	want := []part{
		{"messaging_product", "", "", "whatsapp"},
		{"type", "", "", "image/png"},
		{"file", `a "photo".png`, "image/png", "PNGDATA"},
	}
	if out.ID != "media-1" || auth != "Bearer wa-token" || len(parts) != 3 {
		t.Fatalf("id %q, auth %q, parts %+v", out.ID, auth, parts)
	}
	for i := range want {
		if parts[i] != want[i] {
			t.Errorf("part %d = %+v, want %+v", i, parts[i], want[i])
		}
	}
}

func TestUploadRefused(t *testing.T) {
	c := graphServer(t, 400, nil, graphError(100, 0, "Param file must be a file with one of the following types"))
	big := io.LimitReader(zeros{}, 8<<20)
	err := c.Upload(context.Background(), "/1/media", nil, FilePart{Field: "file", Name: "x.bin", Content: big}, nil)
	if !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("err = %v, want permanent", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer wa-token" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, graphError(190, 0, "Invalid OAuth access token"))
			return
		}
		switch r.URL.Path {
		case "/file":
			io.WriteString(w, "0123456789")
		case "/chunked":
			w.(http.Flusher).Flush() // no Content-Length
			io.WriteString(w, "0123456789")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &Client{Token: "wa-token", HTTP: srv.Client()}
	ctx := context.Background()
	if data, err := c.Download(ctx, srv.URL+"/file", 10); err != nil || string(data) != "0123456789" {
		t.Errorf("download = %q, %v", data, err)
	}
	for _, path := range []string{"/file", "/chunked"} {
		if _, err := c.Download(ctx, srv.URL+path, 9); !errors.Is(err, channel.ErrTooLarge) {
			t.Errorf("%s over the limit: %v, want ErrTooLarge", path, err)
		}
	}
	if _, err := c.Download(ctx, srv.URL+"/gone", 10); !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing file: %v", err)
	}
	wrong := &Client{Token: "old", HTTP: srv.Client()}
	if _, err := wrong.Download(ctx, srv.URL+"/file", 10); !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), ReasonToken) {
		t.Errorf("wrong token: %v", err)
	}
}

func TestMedia(t *testing.T) {
	c := graphServer(t, 200, nil, `{"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1","mime_type":"image/jpeg","sha256":"abc","file_size":303833,"id":"1037543291543636"}`)
	m, err := c.Media(context.Background(), "1037543291543636")
	if err != nil || m.FileSize != 303833 || m.MimeType != "image/jpeg" || !strings.HasPrefix(m.URL, "https://lookaside") {
		t.Errorf("media = %+v, %v", m, err)
	}
}

func TestTest(t *testing.T) {
	ctx := context.Background()
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		io.WriteString(w, `{"display_phone_number":"+1 555-095-3877","verified_name":"Shop","id":"277321005464405"}`)
	}))
	defer srv.Close()
	var out struct {
		VerifiedName string `json:"verified_name"`
	}
	c := &Client{BaseURL: srv.URL, Token: "t", HTTP: srv.Client()}
	if err := c.Test(ctx, "277321005464405", TestFieldsPhone, &out); err != nil || out.VerifiedName != "Shop" || got.Get("fields") != TestFieldsPhone {
		t.Errorf("test = %+v, %v, fields %q", out, err, got.Get("fields"))
	}

	for _, tt := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"wrong token", 400, graphError(190, 0, "Invalid OAuth access token - Cannot parse access token"), "Meta refused the access token: it is invalid or expired — paste a new one (Meta error 190: Invalid OAuth"},
		{"wrong id", 400, graphError(100, 33, "Unsupported get request. Object with ID '999' does not exist"), `Meta has no object "999" this token can see`},
		{"no permission", 403, graphError(10, 0, "(#10) Application does not have permission"), `lacks a permission to read "999"`},
		{"server", 500, graphError(2, 0, "Service temporarily unavailable"), "the test failed: Meta's service is temporarily unavailable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := graphServer(t, tt.status, nil, tt.body)
			err := c.Test(ctx, "999", TestFieldsPage, nil)
			var ge *GraphError
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ge) {
				t.Errorf("err = %v\nwant it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "permanent failure") {
				t.Errorf("err = %v: an admin needs no retry rules", err)
			}
		})
	}
}

func TestTestUnreachable(t *testing.T) {
	ctx := context.Background()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hang)
	for _, tt := range []struct {
		name string
		c    *Client
		want string
	}{
		{"connection refused", &Client{BaseURL: closed.URL}, "cannot connect to 127.0.0.1"},
		{"unknown host", &Client{BaseURL: "https://graph.invalid/v25.0"}, "cannot find graph.invalid (DNS)"},
		{"untrusted certificate", &Client{BaseURL: tlsSrv.URL}, "TLS certificate of 127.0.0.1"},
		{"timeout", &Client{BaseURL: slow.URL, Timeout: 100 * time.Millisecond}, "did not answer in time"},
		{"private address", &Client{BaseURL: plain.URL, HTTP: netguard.Client(false)}, "not a public address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Test(ctx, "1", TestFieldsPage, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to say %q", err, tt.want)
			}
		})
	}
	var dnsErr *net.DNSError
	err := (&Client{BaseURL: "https://graph.invalid"}).Test(ctx, "1", TestFieldsPage, nil)
	if !errors.As(err, &dnsErr) {
		t.Errorf("the cause is kept: %v", err)
	}
	if err := (&Client{}).Test(ctx, "", TestFieldsPage, nil); err == nil || !strings.Contains(err.Error(), "no id") {
		t.Errorf("empty id: %v", err)
	}
}

func TestPath(t *testing.T) {
	if got := Path("123", "messages"); got != "/123/messages" {
		t.Errorf("Path = %q", got)
	}
	if got := Path("../me"); got != "/..%2Fme" {
		t.Errorf("Path escapes = %q", got)
	}
}
