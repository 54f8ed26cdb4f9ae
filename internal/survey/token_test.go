package survey

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTokenRoundTripAndTamper(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	tok := Sign(key, Token{AccountID: 7, ConversationID: 42, Expires: now.Add(TTL)})
	got, err := Verify(key, tok, now)
	if err != nil || got.AccountID != 7 || got.ConversationID != 42 || !got.Expires.Equal(now.Add(TTL)) {
		t.Fatalf("verify %+v %v", got, err)
	}
	// Every one-character change of the token is refused.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	for i := range tok {
		for _, c := range alphabet {
			if byte(c) == tok[i] {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			if _, err := Verify(key, bad, now); err == nil {
				t.Fatalf("altered token %q accepted", bad)
			}
		}
	}
	for _, bad := range []string{"", ".", tok + "A", tok[:len(tok)-1], strings.Repeat("A", 300), strings.Replace(tok, ".", "", 1)} {
		if _, err := Verify(key, bad, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v, want invalid", bad, err)
		}
	}
	if _, err := Verify([]byte("another key, another server....."), tok, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("another key: %v, want invalid", err)
	}
	if _, err := Verify(key, tok, now.Add(TTL)); !errors.Is(err, ErrExpired) {
		t.Errorf("at expiry: %v, want expired", err)
	}
}

func TestLangAndTexts(t *testing.T) {
	for in, want := range map[string]string{"bn": "bn", "hi": "hi", "HI ": "hi", "en": "en", "fr": "en", "": "en"} {
		if got := Lang(in); got != want {
			t.Errorf("Lang(%q) = %q, want %q", in, got, want)
		}
	}
	// Every text is in every language, and the message has its link.
	for _, l := range Languages {
		if len(words[l]) != len(words["en"]) {
			t.Errorf("%s has %d texts, en %d", l, len(words[l]), len(words["en"]))
		}
		for _, k := range Keys() {
			if words[l][k] == "" {
				t.Errorf("%s lacks %s", l, k)
			}
		}
		if strings.Count(words[l]["message"], "%s") != 1 {
			t.Errorf("%s message has no single link verb", l)
		}
	}
}
