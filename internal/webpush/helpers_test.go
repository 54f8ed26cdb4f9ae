package webpush

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// browser is the receiving end of a subscription: what a browser keeps.
type browser struct {
	private *ecdh.PrivateKey
	auth    []byte
}

// newBrowser subscribes a fresh browser at endpoint.
func newBrowser(t *testing.T, endpoint string) (browser, Subscription) {
	t.Helper()
	private, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b := browser{private: private, auth: make([]byte, 16)}
	rand.Read(b.auth)
	return b, Subscription{
		Endpoint: endpoint,
		Keys: Keys{
			P256dh: encodeBase64URL(private.PublicKey().Bytes()),
			Auth:   encodeBase64URL(b.auth),
		},
	}
}

// decrypt is what a browser does with a push message (RFC 8291 §3.4 and
// RFC 8188 §2), written from the RFCs to check [Encrypt]: it refuses what a
// browser refuses, so a body it opens is one a browser would show.
func (b browser) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, fmt.Errorf("body is %d bytes, shorter than a header", len(body))
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen {
		return nil, errors.New("body is shorter than its key id")
	}
	keyID, record := body[21:21+idlen], body[21+idlen:]
	if rs < 18 {
		return nil, fmt.Errorf("record size %d is below the minimum of 18", rs)
	}
	if len(record) > int(rs) {
		return nil, fmt.Errorf("record of %d bytes exceeds rs %d: push messages are one record", len(record), rs)
	}
	asPublic, err := ecdh.P256().NewPublicKey(keyID)
	if err != nil {
		return nil, fmt.Errorf("key id is not a P-256 public key: %w", err)
	}
	secret, err := b.private.ECDH(asPublic)
	if err != nil {
		return nil, err
	}
	cek, nonce, err := deriveKeys(secret, b.auth, b.private.PublicKey().Bytes(), keyID, salt)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, err
	}
	padded, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		return nil, err
	}
	end := len(padded) - 1
	for end >= 0 && padded[end] == 0 {
		end--
	}
	if end < 0 || padded[end] != paddingDelimiter {
		return nil, errors.New("record does not end with the last-record delimiter 0x02")
	}
	return padded[:end], nil
}

// vapidClaims are the claims of a VAPID token.
type vapidClaims struct {
	Aud string `json:"aud"`
	Exp int64  `json:"exp"`
	Sub string `json:"sub"`
}

// verifyVAPID checks an Authorization header as a push service does: the
// token is an ES256 JWT signed by the key in k. It returns the claims and k.
func verifyVAPID(authorization string) (vapidClaims, string, error) {
	var claims vapidClaims
	params, ok := strings.CutPrefix(authorization, "vapid ")
	if !ok {
		return claims, "", fmt.Errorf("authorization %q is not of the vapid scheme", authorization)
	}
	var token, k string
	for param := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(param), "=")
		switch name {
		case "t":
			token = value
		case "k":
			k = value
		}
	}
	rawKey, err := decodeBase64URL(k)
	if err != nil {
		return claims, "", fmt.Errorf("k: %w", err)
	}
	public, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), rawKey)
	if err != nil {
		return claims, "", fmt.Errorf("k: %w", err)
	}

	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims, "", fmt.Errorf("token has %d parts, want 3", len(parts))
	}
	var header struct{ Typ, Alg string }
	if err := decodeJSONPart(parts[0], &header); err != nil {
		return claims, "", fmt.Errorf("token header: %w", err)
	}
	if header.Typ != "JWT" || header.Alg != "ES256" {
		return claims, "", fmt.Errorf("token header is %+v, want typ JWT and alg ES256", header)
	}
	sig, err := decodeBase64URL(parts[2])
	if err != nil || len(sig) != 64 {
		return claims, "", fmt.Errorf("signature is not 64 bytes of base64url (r||s)")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(public, digest[:], r, s) {
		return claims, "", errors.New("signature does not verify with k")
	}
	if err := decodeJSONPart(parts[1], &claims); err != nil {
		return claims, "", fmt.Errorf("token claims: %w", err)
	}
	return claims, k, nil
}

func decodeJSONPart(part string, v any) error {
	raw, err := decodeBase64URL(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// mustDecode decodes base64url test data.
func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := decodeBase64URL(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}
