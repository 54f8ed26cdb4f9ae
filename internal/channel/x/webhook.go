package x

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// SignatureHeader carries a delivery's signature: "sha256=" and the
// base64 HMAC-SHA256 of the raw body, keyed with the consumer secret.
const SignatureHeader = "X-Twitter-Webhooks-Signature"

// maxCRCToken bounds the crc_token answered.
const maxCRCToken = 512

// maxDedupeKey is the longest dedupe key kept as it is; a longer list of
// ids is kept as its hash.
const maxDedupeKey = 200

// Sign returns the base64 HMAC-SHA256 of message under the consumer
// secret, with "sha256=" before it: the CRC answer for a crc_token, and
// the signature of a delivery's body.
func Sign(consumerSecret string, message []byte) string {
	mac := hmac.New(sha256.New, []byte(consumerSecret))
	mac.Write(message)
	return "sha256=" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// CRC answers X's challenge-response check, a GET with crc_token: JSON
// {"response_token":"sha256=…"} signed with the consumer secret.
func CRC(r *http.Request, consumerSecret string) (channel.Hook, error) {
	token := r.URL.Query().Get("crc_token")
	if token == "" || len(token) > maxCRCToken {
		return channel.Hook{}, sahay.BadRequest("crc_token must be 1 to %d characters", maxCRCToken)
	}
	if consumerSecret == "" {
		return channel.Hook{}, sahay.Errorf(sahay.EUNAUTHORIZED, "the inbox has no consumer secret to answer X's CRC check with")
	}
	body, _ := json.Marshal(map[string]string{"response_token": Sign(consumerSecret, []byte(token))})
	return channel.Hook{Status: http.StatusOK, Body: body, ContentType: "application/json"}, nil
}

// VerifySignature checks a delivery's signature header against its raw
// body, in constant time; any failure is a *sahay.Error with code
// unauthorized saying which.
func VerifySignature(consumerSecret, header string, body []byte) error {
	if consumerSecret == "" {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "the inbox has no consumer secret to check %s with", SignatureHeader)
	}
	b64, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "missing or malformed %s header: it must start with \"sha256=\"", SignatureHeader)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sig) != sha256.Size {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "malformed %s header: want a base64 SHA-256 after \"sha256=\"", SignatureHeader)
	}
	mac := hmac.New(sha256.New, []byte(consumerSecret))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "%s does not match the body: check the inbox's consumer secret", SignatureHeader)
	}
	return nil
}

// Webhook serves an inbox's webhook endpoint: a GET is the [CRC] check, a
// POST a signed delivery, journalled whole under the ids it holds. A
// delivery holding nothing Sahay reads (typing, follows, likes) is
// answered and not journalled.
func Webhook(r *http.Request, body []byte, consumerSecret string) (channel.Hook, error) {
	switch r.Method {
	case http.MethodGet:
		return CRC(r, consumerSecret)
	case http.MethodPost:
		if err := VerifySignature(consumerSecret, r.Header.Get(SignatureHeader), body); err != nil {
			return channel.Hook{}, err
		}
		keys, err := dedupeKeys(body)
		if err != nil {
			return channel.Hook{}, sahay.BadRequest("%v", err)
		}
		if len(keys) == 0 {
			return channel.Hook{}, nil
		}
		return channel.Hook{Events: []channel.Raw{{DedupeKey: dedupeKey(keys), Body: body}}}, nil
	}
	return channel.Hook{}, sahay.NotFound("X webhook " + r.Method)
}

// dedupeKey joins a delivery's ids in order, or hashes them when they
// are many.
func dedupeKey(keys []string) string {
	sort.Strings(keys)
	k := strings.Join(keys, ",")
	if len(k) <= maxDedupeKey {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return "ids:" + hex.EncodeToString(sum[:])
}
