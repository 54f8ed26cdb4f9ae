// Package secretbox encrypts channel credentials (bot tokens, app secrets)
// at rest, so that a leaked database dump or backup does not leak them too.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the key length in bytes: AES-256.
const KeySize = 32

// KeyFileName is the file in the data directory that holds the key when
// SAHAY_SECRET_KEY is not set.
const KeyFileName = "secret.key"

// prefix versions the sealed format so that a later change of cipher or key
// can tell old values from new ones.
const prefix = "v1:"

// ErrDecrypt reports a sealed value that cannot be opened: the wrong key, or
// data that was truncated or altered.
var ErrDecrypt = errors.New("secretbox: cannot decrypt")

// Box seals and opens values with one key; it is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box using key, which must be [KeySize] bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	// Random nonces mean no counter has to survive restarts; the 2^32
	// message limit is far beyond the number of credentials we store.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext into a printable string for a text column. Empty
// plaintext seals to "", so a channel without credentials stores nothing.
func (b *Box) Seal(plaintext []byte) (string, error) {
	if len(plaintext) == 0 {
		return "", nil
	}
	sealed := b.aead.Seal(nil, nil, plaintext, nil)
	return prefix + base64.StdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a string from [Box.Seal]. It returns nil for "", and an error
// wrapping [ErrDecrypt] for anything it cannot authenticate.
func (b *Box) Open(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	encoded, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return nil, fmt.Errorf("%w: unknown format", ErrDecrypt)
	}
	sealed, err := base64.StdEncoding.Strict().DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	plaintext, err := b.aead.Open(nil, nil, sealed, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: wrong key or altered data", ErrDecrypt)
	}
	return plaintext, nil
}

// LoadOrCreateKey returns the key to build a [Box] with.
//
// env is the value of SAHAY_SECRET_KEY: 32 bytes as base64 (standard or URL
// alphabet, padded or not) or as 64 hex digits. Setting it lets several
// servers share a key and keeps the key out of the data directory's backups.
// When env is empty the key is read from [KeyFileName] in dataDir, which is
// created with a new random key on first use.
func LoadOrCreateKey(env, dataDir string) ([]byte, error) {
	if env = strings.TrimSpace(env); env != "" {
		key, err := decodeKey(env)
		if err != nil {
			return nil, fmt.Errorf("secretbox: SAHAY_SECRET_KEY: %w", err)
		}
		return key, nil
	}
	if dataDir == "" {
		return nil, errors.New("secretbox: SAHAY_SECRET_KEY is not set and there is no data directory to keep a key in")
	}
	path := filepath.Join(dataDir, KeyFileName)
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKeyFile(path)
	}
	return key, err
}

// decodeKey decodes a key written as hex or in any common base64 variant.
func decodeKey(s string) ([]byte, error) {
	if len(s) == hex.EncodedLen(KeySize) {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.Strict().DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("key is %d bytes, want %d", len(key), KeySize)
		}
		return key, nil
	}
	return nil, fmt.Errorf("want %d bytes as base64 or %d hex digits", KeySize, hex.EncodedLen(KeySize))
}

// readKeyFile reads a base64 key written by [createKeyFile].
func readKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secretbox: read key: %w", err)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("secretbox: key file %s: %w", path, err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key file %s holds %d bytes, want %d", path, len(key), KeySize)
	}
	return key, nil
}

// createKeyFile writes a new random key to path, unless another process got
// there first, in which case it returns that process's key.
//
// It writes a temporary file and then links it into place. Unlike rename, a
// link fails if path already exists, so two servers starting together cannot
// each encrypt with a key that the other then overwrites.
func createKeyFile(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("secretbox: create key: %w", err)
	}
	key := make([]byte, KeySize)
	rand.Read(key) // never fails: crypto/rand crashes the program instead

	tmp, err := os.CreateTemp(dir, ".secret.key-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("secretbox: create key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return nil, fmt.Errorf("secretbox: write key: %w", err)
	}

	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	} else if err != nil {
		return nil, fmt.Errorf("secretbox: create key: %w", err)
	}
	// Losing the key in a crash would make every stored credential
	// unreadable, so make the new directory entry durable too.
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("secretbox: create key: %w", err)
	}
	return key, nil
}

// syncDir flushes dir's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if closeErr := d.Close(); err == nil {
		err = closeErr
	}
	return err
}
