// Package webpush sends Web Push notifications to browsers.
//
// [Encrypt] encrypts a payload for one browser subscription (RFC 8291, with
// the "aes128gcm" content coding of RFC 8188); [VAPID] identifies this server
// to push services (RFC 8292); [Sender] puts the two together and hands the
// message to the subscription's push service (RFC 8030).
//
// Every message is a single record, as RFC 8291 requires, and is not padded
// unless the caller asks with [PadTo].
package webpush

import (
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

var (
	// ErrGone reports that the push service no longer knows the subscription
	// (404 or 410): the browser unsubscribed or the subscription expired, so
	// it should be deleted.
	ErrGone = errors.New("webpush: subscription is gone")

	// ErrInvalidSubscription reports a subscription whose endpoint or keys
	// cannot be used. It will never work, so it should be rejected or deleted.
	ErrInvalidSubscription = errors.New("webpush: invalid subscription")

	// ErrPayloadTooLarge reports a payload longer than [MaxPayload].
	ErrPayloadTooLarge = errors.New("webpush: payload too large")
)

// Subscription is a browser's push subscription, in the shape that
// PushSubscription.toJSON() gives, so it can be decoded and stored as is.
type Subscription struct {
	// Endpoint is the push resource URL. Whoever holds it can send to the
	// browser, so it is kept out of logs and errors.
	Endpoint string `json:"endpoint"`
	Keys     Keys   `json:"keys"`
}

// Keys are a subscription's encryption keys, base64url-encoded.
type Keys struct {
	// P256dh is the browser's P-256 public key, an uncompressed point of 65 octets.
	P256dh string `json:"p256dh"`
	// Auth is the browser's authentication secret of 16 octets.
	Auth string `json:"auth"`
}

// Validate reports whether a message can be sent to s, with an error wrapping
// [ErrInvalidSubscription] that says what is wrong if not. It is for checking
// a subscription when a browser hands it over, before storing it.
func (s Subscription) Validate() error {
	if _, err := origin(s.Endpoint); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSubscription, err)
	}
	_, _, err := s.keys()
	return err
}

// keys decodes and checks the browser's public key and authentication secret.
func (s Subscription) keys() (*ecdh.PublicKey, []byte, error) {
	p256dh, err := decodeBase64URL(s.Keys.P256dh)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: p256dh: %w", ErrInvalidSubscription, err)
	}
	if len(p256dh) != 65 {
		return nil, nil, fmt.Errorf("%w: p256dh is %d bytes, want 65 (an uncompressed P-256 point)", ErrInvalidSubscription, len(p256dh))
	}
	uaPublic, err := ecdh.P256().NewPublicKey(p256dh)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: p256dh is not an uncompressed point on P-256", ErrInvalidSubscription)
	}
	auth, err := decodeBase64URL(s.Keys.Auth)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: auth: %w", ErrInvalidSubscription, err)
	}
	if len(auth) != 16 {
		return nil, nil, fmt.Errorf("%w: auth is %d bytes, want 16", ErrInvalidSubscription, len(auth))
	}
	return uaPublic, auth, nil
}

// origin returns the origin of an endpoint, scheme://host[:port] as RFC 6454
// serialises it, which is the audience of its VAPID token. Only https
// endpoints are accepted: browsers never hand out others, and the message
// must not travel in the clear.
func origin(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		// The parse error would repeat the endpoint, which is a secret.
		return "", errors.New("endpoint is not an absolute https URL")
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && port != "443" {
		host += ":" + port
	}
	return "https://" + host, nil
}

// encodeBase64URL encodes b as base64url without padding, the encoding of
// every key and token in Web Push.
func encodeBase64URL(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeBase64URL decodes base64url with or without padding: browsers omit
// it, but some stores add it back.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
