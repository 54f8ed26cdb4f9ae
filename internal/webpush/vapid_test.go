package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

// mustVAPID returns a fresh VAPID identity for tests.
func mustVAPID(t *testing.T) *VAPID {
	t.Helper()
	private, _, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseVAPID(private, "mailto:ops@sahay.example")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGenerateVAPIDKeysParse(t *testing.T) {
	private, public, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(mustDecode(t, private)); n != 32 {
		t.Errorf("private key is %d bytes, want 32", n)
	}
	if raw := mustDecode(t, public); len(raw) != 65 || raw[0] != 4 {
		t.Errorf("public key is %d bytes starting %#x, want an uncompressed point (65 bytes, 0x04)", len(raw), raw[0])
	}
	v, err := ParseVAPID(private, "https://sahay.example/contact")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.PublicKey(); got != public {
		t.Fatalf("PublicKey() = %s, want the generated %s", got, public)
	}
}

func TestParseVAPIDRejects(t *testing.T) {
	private, _, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	// The order of P-256: the first scalar that is out of range.
	order := elliptic.P256().Params().N.FillBytes(make([]byte, 32))

	tests := []struct {
		name, private, subject, wantInMsg string
	}{
		{"not base64url", "not a key!", "mailto:ops@sahay.example", "vapid private key"},
		{"31 bytes", encodeBase64URL(make([]byte, 31)), "mailto:ops@sahay.example", "is 31 bytes, want 32"},
		{"public key given instead", encodeBase64URL(make([]byte, 65)), "mailto:ops@sahay.example", "is 65 bytes, want 32"},
		{"zero scalar", encodeBase64URL(make([]byte, 32)), "mailto:ops@sahay.example", "vapid private key"},
		{"scalar out of range", encodeBase64URL(order), "mailto:ops@sahay.example", "vapid private key"},
		{"bare address subject", private, "ops@sahay.example", "want a mailto: or https: URI"},
		{"empty mailto subject", private, "mailto:", "want a mailto: or https: URI"},
		{"http subject", private, "http://sahay.example", "want a mailto: or https: URI"},
		{"empty subject", private, "", "want a mailto: or https: URI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseVAPID(tt.private, tt.subject)
			if err == nil {
				t.Fatalf("ParseVAPID returned %+v, want an error", v)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantInMsg)
			}
		})
	}
}

func TestAuthorization(t *testing.T) {
	v := mustVAPID(t)
	exp := time.Now().Add(time.Hour)
	tests := []struct {
		endpoint, wantAud string
	}{
		{"https://fcm.googleapis.com/fcm/send/abc:def", "https://fcm.googleapis.com"},
		{"https://updates.push.services.mozilla.com/wpush/v2/gAAAA?x=1", "https://updates.push.services.mozilla.com"},
		{"https://Push.Example.net:443/p/1", "https://push.example.net"},
		{"https://push.example.net:8443/p/1", "https://push.example.net:8443"},
		{"https://[::1]:8443/p/1", "https://[::1]:8443"},
	}
	for _, tt := range tests {
		t.Run(tt.wantAud, func(t *testing.T) {
			header, err := v.Authorization(tt.endpoint, exp)
			if err != nil {
				t.Fatal(err)
			}
			claims, k, err := verifyVAPID(header)
			if err != nil {
				t.Fatalf("push service would refuse %q: %v", header, err)
			}
			if k != v.PublicKey() {
				t.Errorf("k = %s, want the VAPID public key %s", k, v.PublicKey())
			}
			want := vapidClaims{Aud: tt.wantAud, Exp: exp.Unix(), Sub: "mailto:ops@sahay.example"}
			if claims != want {
				t.Errorf("claims = %+v, want %+v", claims, want)
			}
		})
	}
}

func TestAuthorizationSignatureCoversClaims(t *testing.T) {
	v := mustVAPID(t)
	header, err := v.Authorization("https://push.example.net/p/1", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	forged := encodeBase64URL([]byte(`{"aud":"https://evil.example","exp":1,"sub":"mailto:ops@sahay.example"}`))
	start := strings.Index(header, ".") + 1
	end := start + strings.Index(header[start:], ".")
	tampered := header[:start] + forged + header[end:]
	if _, _, err := verifyVAPID(tampered); err == nil {
		t.Fatal("a token with replaced claims still verifies")
	}

	other := mustVAPID(t)
	swapped := header[:strings.Index(header, "k=")] + "k=" + other.PublicKey()
	if _, _, err := verifyVAPID(swapped); err == nil {
		t.Fatal("the token verifies with another server's key")
	}
}

func TestAuthorizationRejects(t *testing.T) {
	v := mustVAPID(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name      string
		vapid     *VAPID
		endpoint  string
		exp       time.Time
		wantInMsg string
	}{
		{"exp beyond 24h", v, "https://push.example.net/p/1", now.Add(24*time.Hour + time.Minute), "more than 24h away"},
		{"exp in the past", v, "https://push.example.net/p/1", now.Add(-time.Second), "not in the future"},
		{"http endpoint", v, "http://push.example.net/p/1", now.Add(time.Hour), "not an absolute https URL"},
		{"P-384 key", &VAPID{PrivateKey: p384, Subject: "mailto:ops@sahay.example"}, "https://push.example.net/p/1", now.Add(time.Hour), "not a P-256 key"},
		{"no key", &VAPID{Subject: "mailto:ops@sahay.example"}, "https://push.example.net/p/1", now.Add(time.Hour), "not a P-256 key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, err := tt.vapid.Authorization(tt.endpoint, tt.exp)
			if err == nil {
				t.Fatalf("Authorization = %q, want an error", header)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantInMsg)
			}
		})
	}
}

func TestAuthorizationAcceptsFull24Hours(t *testing.T) {
	v := mustVAPID(t)
	if _, err := v.Authorization("https://push.example.net/p/1", time.Now().Add(24*time.Hour)); err != nil {
		t.Fatalf("exp exactly 24h away: %v", err)
	}
}
