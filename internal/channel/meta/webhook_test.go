package meta

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
)

// Published and derived vectors of the X-Hub-Signature-256 algorithm.
const (
	whatsAppSecret    = "1222e786b144d0e85b9f365372d93676"
	whatsAppSignature = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"
	messengerSecret   = "test_app_secret"
	messengerSig      = "sha256=680a76d795a72e1b67c2b9af1c22ba97f49014f49ea73ff3dc6f20d48174f624"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignatureVectors(t *testing.T) {
	wa := readFixture(t, "whatsapp_signed.json")
	if len(wa) != 511 {
		t.Fatalf("WhatsApp vector body is %d bytes, want 511", len(wa))
	}
	ms := readFixture(t, "messenger_signed.json")
	for _, tt := range []struct {
		name, secret, sig string
		body              []byte
	}{
		{"WhatsApp (published)", whatsAppSecret, whatsAppSignature, wa},
		{"Messenger (derived)", messengerSecret, messengerSig, ms},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign(tt.secret, tt.body); got != tt.sig {
				t.Errorf("Sign = %s, want %s", got, tt.sig)
			}
			if err := VerifySignature(tt.secret, tt.sig, tt.body); err != nil {
				t.Errorf("VerifySignature: %v", err)
			}
			upper := "sha256=" + strings.ToUpper(strings.TrimPrefix(tt.sig, "sha256="))
			if err := VerifySignature(tt.secret, upper, tt.body); err != nil {
				t.Errorf("VerifySignature of upper-case hex: %v", err)
			}
		})
	}
}

func TestVerifySignatureRefuses(t *testing.T) {
	body := readFixture(t, "whatsapp_signed.json")
	reserialised := strings.Replace(string(body), `"entry":[`, `"entry": [`, 1)
	for _, tt := range []struct {
		name, secret, header string
		body                 []byte
		want                 string
	}{
		{"no app secret", "", whatsAppSignature, body, "no app secret"},
		{"missing header", whatsAppSecret, "", body, "missing X-Hub-Signature-256"},
		{"sha1 header", whatsAppSecret, "sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709", body, "must start with"},
		{"not hex", whatsAppSecret, "sha256=zz" + strings.Repeat("0", 62), body, "64 hex digits"},
		{"short", whatsAppSecret, "sha256=54edfa1d", body, "64 hex digits"},
		{"wrong secret", messengerSecret, whatsAppSignature, body, "does not match"},
		{"one byte changed", whatsAppSecret, whatsAppSignature, append(append([]byte{}, body[:len(body)-1]...), ' '), "does not match"},
		{"re-serialised body", whatsAppSecret, whatsAppSignature, []byte(reserialised), "does not match"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.secret, tt.header, tt.body)
			if sahay.ErrorCode(err) != sahay.EUNAUTHORIZED {
				t.Fatalf("err = %v, want unauthorized", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestHandshake(t *testing.T) {
	for _, tt := range []struct {
		name, query, token string
		code               string // "" for success
	}{
		{"meta's example", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock", "meatyhamhock", ""},
		{"wrong token", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=other", "meatyhamhock", sahay.EUNAUTHORIZED},
		{"no token", "hub.mode=subscribe&hub.challenge=1158201444", "meatyhamhock", sahay.EUNAUTHORIZED},
		{"inbox without token", "hub.mode=subscribe&hub.challenge=1&hub.verify_token=", "", sahay.EUNAUTHORIZED},
		{"wrong mode", "hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock", "meatyhamhock", sahay.EBADREQUEST},
		{"no challenge", "hub.mode=subscribe&hub.verify_token=meatyhamhock", "meatyhamhock", sahay.EBADREQUEST},
		{"markup challenge", "hub.mode=subscribe&hub.challenge=%3Cscript%3E+x&hub.verify_token=meatyhamhock", "meatyhamhock", sahay.EBADREQUEST},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/webhooks/1?"+tt.query, nil)
			hook, err := Handshake(r, tt.token)
			if got := sahay.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.code)
			}
			if tt.code != "" {
				return
			}
			if hook.Status != http.StatusOK || string(hook.Body) != "1158201444" || !strings.HasPrefix(hook.ContentType, "text/plain") {
				t.Errorf("hook = %d %q %q, want 200 with the challenge as text", hook.Status, hook.Body, hook.ContentType)
			}
			if len(hook.Events) != 0 {
				t.Errorf("a handshake journals nothing, got %d events", len(hook.Events))
			}
		})
	}
}

func TestWebhook(t *testing.T) {
	body := readFixture(t, "messenger_signed.json")
	post := func(sig string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/1", strings.NewReader(string(body)))
		if sig != "" {
			r.Header.Set(SignatureHeader, sig)
		}
		return r
	}
	hook, err := Webhook(post(messengerSig), body, messengerSecret, "tok", ObjectPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(hook.Events) != 1 || !strings.HasPrefix(hook.Events[0].DedupeKey, "entry:") {
		t.Fatalf("events = %+v, want one entry", hook.Events)
	}
	if _, err := Webhook(post(""), body, messengerSecret, "tok", ObjectPage); sahay.ErrorCode(err) != sahay.EUNAUTHORIZED {
		t.Errorf("unsigned delivery: err = %v, want unauthorized", err)
	}
	if _, err := Webhook(post(messengerSig), body, messengerSecret, "tok", ObjectWhatsApp); sahay.ErrorCode(err) != sahay.EBADREQUEST {
		t.Errorf("delivery for another object: err = %v, want bad_request", err)
	}
	get := httptest.NewRequest(http.MethodGet, "/webhooks/1?hub.mode=subscribe&hub.challenge=42&hub.verify_token=tok", nil)
	if hook, err := Webhook(get, nil, messengerSecret, "tok", ObjectPage); err != nil || string(hook.Body) != "42" {
		t.Errorf("handshake: %q, %v", hook.Body, err)
	}
	del := httptest.NewRequest(http.MethodDelete, "/webhooks/1", nil)
	if _, err := Webhook(del, nil, messengerSecret, "tok", ObjectPage); sahay.ErrorCode(err) != sahay.ENOTFOUND {
		t.Errorf("DELETE: err = %v, want not_found", err)
	}
}
