package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

const (
	// headerLen is the length of the aes128gcm header: salt (16), record
	// size (4), key id length (1) and the sender's public key (65).
	headerLen = 16 + 4 + 1 + 65

	// recordSize is the rs field of the header. A message is one record, so
	// it only needs to exceed the record; 4096 is what RFC 8291 uses.
	recordSize = 4096

	// tagLen is the length of the AES-GCM authentication tag.
	tagLen = 16

	// paddingDelimiter ends the plaintext of the last record (RFC 8188 §2).
	paddingDelimiter = 0x02

	// maxBody is the largest body every push service must accept (RFC 8030 §7.2).
	maxBody = 4096
)

// MaxPayload is the most plaintext, padding included, that one push message
// carries: 4096 octets of body less the header, the padding delimiter and
// the authentication tag (RFC 8291 §4).
const MaxPayload = maxBody - headerLen - 1 - tagLen

// Option changes how [Encrypt] builds a message.
type Option func(*options)

type options struct {
	padTo int
}

// PadTo pads the plaintext with zero octets up to n octets, so that the push
// service cannot tell messages apart by their length (RFC 8291 §7). A
// plaintext of n octets or more is not padded. n must be at most [MaxPayload].
func PadTo(n int) Option {
	return func(o *options) { o.padTo = n }
}

// Encrypt encrypts plaintext for the browser that owns sub, as the body of a
// push message with Content-Encoding aes128gcm. Each call uses a fresh
// ephemeral key and salt, so the same plaintext never encrypts the same way
// twice.
//
// It returns an error wrapping [ErrInvalidSubscription] if sub's keys are
// malformed, and [ErrPayloadTooLarge] if plaintext exceeds [MaxPayload].
func Encrypt(sub Subscription, plaintext []byte, opts ...Option) ([]byte, error) {
	uaPublic, authSecret, err := sub.keys()
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.padTo < 0 || o.padTo > MaxPayload {
		return nil, fmt.Errorf("webpush: pad to %d bytes: want 0 to %d", o.padTo, MaxPayload)
	}
	if len(plaintext) > MaxPayload {
		return nil, fmt.Errorf("%w: %d bytes, at most %d fit in one push message", ErrPayloadTooLarge, len(plaintext), MaxPayload)
	}
	asPrivate, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("webpush: generate sender key: %w", err)
	}
	salt := make([]byte, 16)
	rand.Read(salt) // crypto/rand.Read never fails; it crashes the program instead.
	return encrypt(uaPublic, authSecret, plaintext, max(o.padTo-len(plaintext), 0), asPrivate, salt)
}

// encrypt is [Encrypt] with the number of padding octets, the sender's
// ephemeral key and the salt chosen by the caller, so that tests can
// reproduce the example of RFC 8291.
func encrypt(uaPublic *ecdh.PublicKey, authSecret, plaintext []byte, padding int, asPrivate *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	secret, err := asPrivate.ECDH(uaPublic)
	if err != nil {
		return nil, fmt.Errorf("webpush: ecdh: %w", err)
	}
	asPublic := asPrivate.PublicKey().Bytes()
	cek, nonce, err := deriveKeys(secret, authSecret, uaPublic.Bytes(), asPublic, salt)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, err
	}

	body := make([]byte, 0, headerLen+len(plaintext)+1+padding+tagLen)
	body = append(body, salt...)
	body = binary.BigEndian.AppendUint32(body, recordSize)
	body = append(body, byte(len(asPublic)))
	body = append(body, asPublic...)

	// The record is the plaintext, the delimiter and zero padding. The nonce
	// is used as derived: it is XORed with the record's sequence number,
	// which is zero for the only record.
	record := make([]byte, len(plaintext)+1+padding)
	copy(record, plaintext)
	record[len(plaintext)] = paddingDelimiter
	return gcm.Seal(body, nonce, record, nil), nil
}

// deriveKeys derives a message's content-encryption key and nonce from the
// ECDH secret, the browser's authentication secret, both public keys and the
// salt (RFC 8291 §3.3-3.4, RFC 8188 §2.2-2.3).
func deriveKeys(ecdhSecret, authSecret, uaPublic, asPublic, salt []byte) (cek, nonce []byte, err error) {
	keyInfo := "WebPush: info\x00" + string(uaPublic) + string(asPublic)
	ikm, err := hkdf.Key(sha256.New, ecdhSecret, authSecret, keyInfo, 32)
	if err != nil {
		return nil, nil, fmt.Errorf("webpush: derive ikm: %w", err)
	}
	cek, err = hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, nil, fmt.Errorf("webpush: derive content key: %w", err)
	}
	nonce, err = hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, nil, fmt.Errorf("webpush: derive nonce: %w", err)
	}
	return cek, nonce, nil
}

// newGCM returns AES-128-GCM keyed with cek.
func newGCM(cek []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, fmt.Errorf("webpush: aes: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webpush: gcm: %w", err)
	}
	return gcm, nil
}
