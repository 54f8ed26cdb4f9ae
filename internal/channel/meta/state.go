package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// LoginState is what the state parameter of a sign-in with Facebook
// carries through the dialog and back: who started it, for which channel,
// until when it may return, and a nonce that makes it single-use.
type LoginState struct {
	Nonce     string    `json:"n"`
	AccountID int64     `json:"a"`
	UserID    int64     `json:"u"`
	Channel   string    `json:"c"`
	Expires   time.Time `json:"e"`
}

// Errors of [App.ParseState].
var (
	ErrStateInvalid = errors.New("the sign-in with Facebook did not come from this server: start it again from Sahay")
	ErrStateExpired = errors.New("the sign-in with Facebook took too long: start it again")
)

// stateKey keys the states' signatures: derived from the app secret, so
// every node of a cluster signs alike, and kept apart from its other use.
func (a *App) stateKey() []byte {
	m := hmac.New(sha256.New, []byte(a.Secret))
	m.Write([]byte("sahay: sign-in with Facebook state"))
	return m.Sum(nil)
}

// SignState encodes s and signs it: what the dialog is given as state.
func (a *App) SignState(s LoginState) string {
	payload, _ := json.Marshal(s)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(a.mac(p))
}

func (a *App) mac(payload string) []byte {
	m := hmac.New(sha256.New, a.stateKey())
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// ParseState checks a state's signature and expiry at now, and decodes
// it. A state it did not sign is [ErrStateInvalid], one past its expiry
// [ErrStateExpired]; that a state is used once is the caller's to check,
// by its nonce.
func (a *App) ParseState(state string, now time.Time) (LoginState, error) {
	p, sig, ok := strings.Cut(state, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(mac, a.mac(p)) {
		return LoginState{}, ErrStateInvalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return LoginState{}, ErrStateInvalid
	}
	var s LoginState
	if err := json.Unmarshal(payload, &s); err != nil || s.Nonce == "" {
		return LoginState{}, ErrStateInvalid
	}
	if !now.Before(s.Expires) {
		return LoginState{}, ErrStateExpired
	}
	return s, nil
}
