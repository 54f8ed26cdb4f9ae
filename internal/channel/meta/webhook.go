// Package meta is what the Messenger, Instagram and WhatsApp channels share:
// Meta's webhook handshake and payload signature, the split of a batched
// delivery into journal events, and a Graph API client whose errors say
// what went wrong in words an agent understands and carry the retry rules
// of [channel.RetryAfter] and [channel.Permanent].
package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// SignatureHeader carries the HMAC-SHA256 of a delivery's raw body, keyed
// with the app secret: "sha256=" and lowercase hex.
const SignatureHeader = "X-Hub-Signature-256"

// maxChallenge bounds the hub.challenge echoed back: Meta sends an integer.
const maxChallenge = 256

// Handshake answers Meta's subscription check, a GET with hub.mode=subscribe,
// hub.verify_token and hub.challenge: when the token is the inbox's, the
// answer is 200 with the challenge as plain text. A wrong or missing token
// is a *sahay.Error with code unauthorized.
func Handshake(r *http.Request, verifyToken string) (channel.Hook, error) {
	q := r.URL.Query()
	got := q.Get("hub.verify_token")
	if verifyToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(verifyToken)) != 1 {
		return channel.Hook{}, sahay.Errorf(sahay.EUNAUTHORIZED, "hub.verify_token does not match the inbox's verify token")
	}
	if mode := q.Get("hub.mode"); mode != "subscribe" {
		return channel.Hook{}, sahay.BadRequest("hub.mode is %q, want \"subscribe\"", mode)
	}
	challenge := q.Get("hub.challenge")
	if challenge == "" || len(challenge) > maxChallenge || strings.ContainsFunc(challenge, notPrintable) {
		return channel.Hook{}, sahay.BadRequest("hub.challenge must be 1 to %d printable characters", maxChallenge)
	}
	return channel.Hook{Status: http.StatusOK, Body: []byte(challenge), ContentType: "text/plain; charset=utf-8"}, nil
}

func notPrintable(r rune) bool { return r < 0x21 || r > 0x7e }

// Sign returns the X-Hub-Signature-256 value of body under appSecret, as
// Meta computes it.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks an X-Hub-Signature-256 header against the raw
// body, in constant time. Any failure (no app secret, a missing or malformed
// header, a signature of other bytes or another secret) is a *sahay.Error
// with code unauthorized saying which.
func VerifySignature(appSecret, header string, body []byte) error {
	if appSecret == "" {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "the inbox has no app secret to check %s with", SignatureHeader)
	}
	if header == "" {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "missing %s header", SignatureHeader)
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "malformed %s header: it must start with \"sha256=\"", SignatureHeader)
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil || len(sig) != sha256.Size {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "malformed %s header: want 64 hex digits after \"sha256=\"", SignatureHeader)
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "%s does not match the body: check the inbox's app secret", SignatureHeader)
	}
	return nil
}

// Webhook serves an inbox's webhook endpoint: a GET is the [Handshake], a
// POST a delivery whose signature is checked ([VerifySignature]) before it
// is [Split] into events. object is as for [Split].
func Webhook(r *http.Request, body []byte, appSecret, verifyToken, object string) (channel.Hook, error) {
	switch r.Method {
	case http.MethodGet:
		return Handshake(r, verifyToken)
	case http.MethodPost:
		if err := VerifySignature(appSecret, r.Header.Get(SignatureHeader), body); err != nil {
			return channel.Hook{}, err
		}
		events, err := Split(body, object)
		if err != nil {
			return channel.Hook{}, err
		}
		return channel.Hook{Events: events}, nil
	}
	return channel.Hook{}, sahay.NotFound("Meta webhook " + r.Method)
}
