package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// maxTokenLifetime is the furthest in the future a VAPID token may expire
// (RFC 8292 §2).
const maxTokenLifetime = 24 * time.Hour

// jwtHeader is the encoded JOSE header of every VAPID token.
var jwtHeader = encodeBase64URL([]byte(`{"typ":"JWT","alg":"ES256"}`))

// VAPID identifies this server to push services (RFC 8292). Browsers
// subscribe with its public key as applicationServerKey, and the push service
// then accepts messages for those subscriptions only when signed with its
// private key: replacing the key orphans every existing subscription.
type VAPID struct {
	// PrivateKey is the P-256 signing key.
	PrivateKey *ecdsa.PrivateKey
	// Subject is how the push service's operator can reach this server's
	// operator, a "mailto:" or "https:" URI.
	Subject string
}

// GenerateVAPIDKeys generates a VAPID key pair: the private key as the
// base64url of its 32-octet scalar, which [ParseVAPID] reads, and the public
// key as the base64url of its uncompressed point, which browsers take as
// applicationServerKey.
func GenerateVAPIDKeys() (privateB64, publicB64 string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("webpush: generate vapid key: %w", err)
	}
	private, err := key.Bytes()
	if err != nil {
		return "", "", fmt.Errorf("webpush: encode vapid private key: %w", err)
	}
	public, err := key.PublicKey.Bytes()
	if err != nil {
		return "", "", fmt.Errorf("webpush: encode vapid public key: %w", err)
	}
	return encodeBase64URL(private), encodeBase64URL(public), nil
}

// ParseVAPID reads a private key made by [GenerateVAPIDKeys] and checks that
// subject is a "mailto:" or "https:" URI, which some push services require.
func ParseVAPID(privateB64, subject string) (*VAPID, error) {
	raw, err := decodeBase64URL(privateB64)
	if err != nil {
		return nil, fmt.Errorf("webpush: vapid private key: %w", err)
	}
	if len(raw) != 32 {
		return nil, fmt.Errorf("webpush: vapid private key is %d bytes, want 32", len(raw))
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("webpush: vapid private key: %w", err)
	}
	u, err := url.Parse(subject)
	contact := err == nil && (u.Scheme == "mailto" && u.Opaque != "" || u.Scheme == "https" && u.Host != "")
	if !contact {
		return nil, fmt.Errorf("webpush: vapid subject %q: want a mailto: or https: URI", subject)
	}
	return &VAPID{PrivateKey: key, Subject: subject}, nil
}

// PublicKey returns the base64url of the public key as an uncompressed point,
// which browsers take as applicationServerKey. It returns "" if PrivateKey is
// not a valid P-256 key.
func (v *VAPID) PublicKey() string {
	public, err := v.publicKey()
	if err != nil {
		return ""
	}
	return encodeBase64URL(public)
}

func (v *VAPID) publicKey() ([]byte, error) {
	if v.PrivateKey == nil || v.PrivateKey.Curve != elliptic.P256() {
		return nil, errors.New("webpush: vapid private key is not a P-256 key")
	}
	public, err := v.PrivateKey.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("webpush: vapid public key: %w", err)
	}
	return public, nil
}

// Authorization returns the Authorization header for a push message to
// endpoint: "vapid t=<token>, k=<public key>", where the token is a JWT
// signed with ES256 whose audience is the endpoint's origin and which expires
// at exp. exp must be in the future and at most 24 hours away.
func (v *VAPID) Authorization(endpoint string, exp time.Time) (string, error) {
	aud, err := origin(endpoint)
	if err != nil {
		return "", fmt.Errorf("webpush: vapid: %w", err)
	}
	now := time.Now()
	if !exp.After(now) {
		return "", fmt.Errorf("webpush: vapid: exp %s is not in the future", exp.Format(time.RFC3339))
	}
	if exp.Sub(now) > maxTokenLifetime {
		return "", fmt.Errorf("webpush: vapid: exp %s is more than 24h away, push services refuse it", exp.Format(time.RFC3339))
	}
	public, err := v.publicKey()
	if err != nil {
		return "", err
	}

	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub,omitempty"`
	}{aud, exp.Unix(), v.Subject})
	if err != nil {
		return "", fmt.Errorf("webpush: vapid claims: %w", err)
	}
	signingInput := jwtHeader + "." + encodeBase64URL(claims)
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, v.PrivateKey, digest[:])
	if err != nil {
		return "", fmt.Errorf("webpush: vapid sign: %w", err)
	}
	// JWS wants r and s as two fixed-width 32-octet integers (RFC 7518
	// §3.4), not the ASN.1 that ecdsa.SignASN1 produces.
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return "vapid t=" + signingInput + "." + encodeBase64URL(sig) + ", k=" + encodeBase64URL(public), nil
}
