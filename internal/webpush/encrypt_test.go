package webpush

import (
	"bytes"
	"crypto/ecdh"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// rfc8291Example is the worked example of RFC 8291, §5 and Appendix A.
type rfc8291Example struct {
	Plaintext  string `json:"plaintext"`
	AuthSecret string `json:"auth_secret"`
	UAPrivate  string `json:"ua_private"`
	UAPublic   string `json:"ua_public"`
	ASPrivate  string `json:"as_private"`
	ASPublic   string `json:"as_public"`
	Salt       string `json:"salt"`
	CEK        string `json:"cek"`
	Nonce      string `json:"nonce"`
	Body       string `json:"body"`
}

func loadRFC8291Example(t *testing.T) rfc8291Example {
	t.Helper()
	raw, err := os.ReadFile("testdata/rfc8291-example.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex rfc8291Example
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	return ex
}

func TestEncryptReproducesRFC8291Example(t *testing.T) {
	ex := loadRFC8291Example(t)
	sub := Subscription{Endpoint: "https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV", Keys: Keys{P256dh: ex.UAPublic, Auth: ex.AuthSecret}}
	uaPublic, auth, err := sub.keys()
	if err != nil {
		t.Fatal(err)
	}
	asPrivate, err := ecdh.P256().NewPrivateKey(mustDecode(t, ex.ASPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if got := encodeBase64URL(asPrivate.PublicKey().Bytes()); got != ex.ASPublic {
		t.Fatalf("sender public key = %s, want %s", got, ex.ASPublic)
	}

	// The intermediate values first, so that a mismatch says where it starts.
	secret, err := asPrivate.ECDH(uaPublic)
	if err != nil {
		t.Fatal(err)
	}
	cek, nonce, err := deriveKeys(secret, auth, uaPublic.Bytes(), asPrivate.PublicKey().Bytes(), mustDecode(t, ex.Salt))
	if err != nil {
		t.Fatal(err)
	}
	if got := encodeBase64URL(cek); got != ex.CEK {
		t.Errorf("CEK = %s, want %s", got, ex.CEK)
	}
	if got := encodeBase64URL(nonce); got != ex.Nonce {
		t.Errorf("NONCE = %s, want %s", got, ex.Nonce)
	}

	body, err := encrypt(uaPublic, auth, []byte(ex.Plaintext), 0, asPrivate, mustDecode(t, ex.Salt))
	if err != nil {
		t.Fatal(err)
	}
	if got := encodeBase64URL(body); got != ex.Body {
		t.Fatalf("body =\n%s\nwant\n%s", got, ex.Body)
	}

	// The same body must open with the receiver's private key: this is what
	// makes the test decrypt trustworthy for the other tests.
	uaPrivate, err := ecdh.P256().NewPrivateKey(mustDecode(t, ex.UAPrivate))
	if err != nil {
		t.Fatal(err)
	}
	plaintext, err := browser{private: uaPrivate, auth: auth}.decrypt(mustDecode(t, ex.Body))
	if err != nil {
		t.Fatalf("decrypt the RFC body: %v", err)
	}
	if string(plaintext) != ex.Plaintext {
		t.Fatalf("decrypted %q, want %q", plaintext, ex.Plaintext)
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		opts    []Option
		wantLen int // of the plaintext record, padding included
	}{
		{"empty", 0, nil, 0},
		{"short", 41, nil, 41},
		{"largest", MaxPayload, nil, MaxPayload},
		{"padded", 10, []Option{PadTo(256)}, 256},
		{"longer than padding", 300, []Option{PadTo(256)}, 300},
		{"padded to the largest", 1, []Option{PadTo(MaxPayload)}, MaxPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, sub := newBrowser(t, "https://push.example.net/push/abc")
			plaintext := bytes.Repeat([]byte("x"), tt.size)
			body, err := Encrypt(sub, plaintext, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if want := headerLen + tt.wantLen + 1 + tagLen; len(body) != want {
				t.Errorf("body is %d bytes, want %d", len(body), want)
			}
			if len(body) > maxBody {
				t.Errorf("body is %d bytes, push services need only accept %d", len(body), maxBody)
			}
			got, err := b.decrypt(body)
			if err != nil {
				t.Fatalf("browser cannot decrypt: %v", err)
			}
			if !bytes.Equal(got, plaintext) {
				t.Fatalf("browser read %d bytes %.20q, want %d bytes %.20q", len(got), got, len(plaintext), plaintext)
			}
		})
	}
}

func TestEncryptUsesFreshKeyAndSalt(t *testing.T) {
	_, sub := newBrowser(t, "https://push.example.net/push/abc")
	first, err := Encrypt(sub, []byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := Encrypt(sub, []byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first[:16], second[:16]) {
		t.Error("two messages share a salt")
	}
	if bytes.Equal(first[21:headerLen], second[21:headerLen]) {
		t.Error("two messages share a sender key")
	}
}

func TestEncryptRejects(t *testing.T) {
	_, good := newBrowser(t, "https://push.example.net/push/abc")
	// A 65-byte uncompressed encoding of a point that is not on the curve.
	offCurve := append([]byte{4}, bytes.Repeat([]byte{1}, 64)...)
	compressed := append([]byte{2}, bytes.Repeat([]byte{1}, 32)...)

	tests := []struct {
		name      string
		p256dh    string
		auth      string
		payload   int
		opts      []Option
		wantErr   error
		wantInMsg string
	}{
		{"p256dh not base64url", "not base64!", good.Keys.Auth, 1, nil, ErrInvalidSubscription, "p256dh"},
		{"p256dh missing", "", good.Keys.Auth, 1, nil, ErrInvalidSubscription, "p256dh is 0 bytes, want 65"},
		{"p256dh compressed", encodeBase64URL(compressed), good.Keys.Auth, 1, nil, ErrInvalidSubscription, "p256dh is 33 bytes, want 65"},
		{"p256dh one byte short", encodeBase64URL(mustDecode(t, good.Keys.P256dh)[:64]), good.Keys.Auth, 1, nil, ErrInvalidSubscription, "p256dh is 64 bytes, want 65"},
		{"p256dh off the curve", encodeBase64URL(offCurve), good.Keys.Auth, 1, nil, ErrInvalidSubscription, "not an uncompressed point on P-256"},
		{"auth not base64url", good.Keys.P256dh, "BTBZMqHH6r4Tts7J*aSIgg", 1, nil, ErrInvalidSubscription, "auth"},
		{"auth 15 bytes", good.Keys.P256dh, encodeBase64URL(make([]byte, 15)), 1, nil, ErrInvalidSubscription, "auth is 15 bytes, want 16"},
		{"auth 17 bytes", good.Keys.P256dh, encodeBase64URL(make([]byte, 17)), 1, nil, ErrInvalidSubscription, "auth is 17 bytes, want 16"},
		{"payload one byte too large", good.Keys.P256dh, good.Keys.Auth, MaxPayload + 1, nil, ErrPayloadTooLarge, "3994 bytes, at most 3993"},
		{"padding too large", good.Keys.P256dh, good.Keys.Auth, 1, []Option{PadTo(MaxPayload + 1)}, nil, "pad to 3994 bytes"},
		{"negative padding", good.Keys.P256dh, good.Keys.Auth, 1, []Option{PadTo(-1)}, nil, "pad to -1 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := Subscription{Endpoint: good.Endpoint, Keys: Keys{P256dh: tt.p256dh, Auth: tt.auth}}
			body, err := Encrypt(sub, make([]byte, tt.payload), tt.opts...)
			if err == nil {
				t.Fatalf("encrypted into %d bytes, want an error", len(body))
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantInMsg)
			}
		})
	}
}

func TestEncryptAcceptsPaddedBase64(t *testing.T) {
	b, sub := newBrowser(t, "https://push.example.net/push/abc")
	sub.Keys.P256dh += "="
	sub.Keys.Auth += "=="
	body, err := Encrypt(sub, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.decrypt(body); err != nil || string(got) != "hello" {
		t.Fatalf("decrypt = %q, %v; want hello", got, err)
	}
}

func TestSubscriptionValidate(t *testing.T) {
	_, good := newBrowser(t, "https://push.example.net/push/abc")
	tests := []struct {
		name     string
		endpoint string
		auth     string
		wantErr  bool
	}{
		{"browser subscription", good.Endpoint, good.Keys.Auth, false},
		{"endpoint with port", "https://push.example.net:8443/push/abc", good.Keys.Auth, false},
		{"plain http endpoint", "http://push.example.net/push/abc", good.Keys.Auth, true},
		{"relative endpoint", "/push/abc", good.Keys.Auth, true},
		{"empty endpoint", "", good.Keys.Auth, true},
		{"bad auth", good.Endpoint, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := Subscription{Endpoint: tt.endpoint, Keys: Keys{P256dh: good.Keys.P256dh, Auth: tt.auth}}
			err := sub.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidSubscription) {
				t.Errorf("error %q does not wrap ErrInvalidSubscription", err)
			}
		})
	}
}

func TestSubscriptionDecodesBrowserJSON(t *testing.T) {
	ex := loadRFC8291Example(t)
	raw := `{"endpoint":"https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV","expirationTime":null,` +
		`"keys":{"p256dh":"` + ex.UAPublic + `","auth":"` + ex.AuthSecret + `"}}`
	var sub Subscription
	if err := json.Unmarshal([]byte(raw), &sub); err != nil {
		t.Fatal(err)
	}
	if sub.Keys.P256dh != ex.UAPublic || sub.Keys.Auth != ex.AuthSecret {
		t.Fatalf("decoded keys %+v", sub.Keys)
	}
	if err := sub.Validate(); err != nil {
		t.Fatal(err)
	}
}
