// Package survey is the customer's satisfaction survey sent on resolve:
// its signed link, the words of its message and page in English, Bengali
// and Hindi, and the page itself. It knows nothing of the database; core
// sends the survey and stores the answer.
package survey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TTL is how long a survey's link can be answered.
const TTL = 7 * 24 * time.Hour

// ErrInvalid is a token that was not made with the key, or was altered.
var ErrInvalid = errors.New("survey: invalid link")

// ErrExpired is a genuine token past its expiry.
var ErrExpired = errors.New("survey: expired link")

// Token is what a survey link carries.
type Token struct {
	AccountID      int64
	ConversationID int64
	Expires        time.Time
}

// Sign returns the link token of t: its fields then an HMAC-SHA256 of
// them with key, URL-safe.
func Sign(key []byte, t Token) string {
	body := fmt.Sprintf("1.%d.%d.%d", t.AccountID, t.ConversationID, t.Expires.Unix())
	return base64.RawURLEncoding.EncodeToString([]byte(body)) + "." + base64.RawURLEncoding.EncodeToString(mac(key, body))
}

func mac(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("sahay-survey\x00"))
	m.Write([]byte(body))
	return m.Sum(nil)
}

// maxToken bounds the token read from a URL.
const maxToken = 200

// Verify checks a token's signature, then its expiry at now.
func Verify(key []byte, s string, now time.Time) (Token, error) {
	if len(s) > maxToken {
		return Token{}, ErrInvalid
	}
	b64, sig64, ok := strings.Cut(s, ".")
	if !ok {
		return Token{}, ErrInvalid
	}
	// Strict: a token has one spelling, so no altered copy of it passes.
	raw, err1 := base64.RawURLEncoding.Strict().DecodeString(b64)
	sig, err2 := base64.RawURLEncoding.Strict().DecodeString(sig64)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, mac(key, string(raw))) {
		return Token{}, ErrInvalid
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 4 || parts[0] != "1" {
		return Token{}, ErrInvalid
	}
	var n [3]int64
	for i, p := range parts[1:] {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v <= 0 {
			return Token{}, ErrInvalid
		}
		n[i] = v
	}
	t := Token{AccountID: n[0], ConversationID: n[1], Expires: time.Unix(n[2], 0)}
	if !now.Before(t.Expires) {
		return t, ErrExpired
	}
	return t, nil
}
