package secretbox

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// testKey returns a fixed key whose bytes all equal b.
func testKey(b byte) []byte {
	return bytes.Repeat([]byte{b}, KeySize)
}

// mustNew returns a Box for key or fails the test.
func mustNew(t *testing.T, key []byte) *Box {
	t.Helper()
	box, err := New(key)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return box
}

// mustSeal seals plaintext or fails the test.
func mustSeal(t *testing.T, box *Box, plaintext []byte) string {
	t.Helper()
	sealed, err := box.Seal(plaintext)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return sealed
}

func TestNewKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New(%d-byte key) succeeded, want error", n)
		}
	}
}

func TestSealOpen(t *testing.T) {
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{"bot token", []byte("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11")},
		{"json credentials", []byte(`{"app_secret":"s3cr3t","verify_token":"তথ্য"}`)},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe}},
		{"one byte", []byte{'x'}},
		{"large", bytes.Repeat([]byte("credential "), 10000)},
	}
	box := mustNew(t, testKey(1))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := mustSeal(t, box, tt.plaintext)
			if !strings.HasPrefix(sealed, "v1:") {
				t.Errorf("Seal = %q, want v1: prefix", sealed)
			}
			got, err := box.Open(sealed)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open(Seal(%q)) = %q", tt.plaintext, got)
			}
		})
	}
}

func TestSealEmpty(t *testing.T) {
	box := mustNew(t, testKey(1))
	for _, plaintext := range [][]byte{nil, {}} {
		if sealed := mustSeal(t, box, plaintext); sealed != "" {
			t.Errorf("Seal(%#v) = %q, want empty", plaintext, sealed)
		}
	}
	got, err := box.Open("")
	if got != nil || err != nil {
		t.Errorf(`Open("") = %#v, %v; want nil, nil`, got, err)
	}
}

func TestSealHidesPlaintext(t *testing.T) {
	box := mustNew(t, testKey(1))
	token := []byte("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11")
	sealed := mustSeal(t, box, token)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]byte{[]byte(sealed), raw} {
		if bytes.Contains(s, token[:8]) {
			t.Errorf("sealed value %q reveals the token", s)
		}
	}
}

func TestSealUsesFreshNonce(t *testing.T) {
	box := mustNew(t, testKey(1))
	a, b := mustSeal(t, box, []byte("token")), mustSeal(t, box, []byte("token"))
	if a == b {
		t.Errorf("sealing the same plaintext twice gave %q both times", a)
	}
}

func TestOpenRejects(t *testing.T) {
	box := mustNew(t, testKey(1))
	sealed := mustSeal(t, box, []byte("123456:ABC-DEF1234ghIkl"))
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	if err != nil {
		t.Fatal(err)
	}
	reseal := func(b []byte) string { return "v1:" + base64.StdEncoding.EncodeToString(b) }
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return reseal(b)
	}

	tests := []struct {
		name, sealed string
		box          *Box
	}{
		{"wrong key", sealed, mustNew(t, testKey(2))},
		{"nonce altered", flip(0), box},
		{"ciphertext altered", flip(len(raw) / 2), box},
		{"tag altered", flip(len(raw) - 1), box},
		{"truncated", reseal(raw[:len(raw)-1]), box},
		{"shorter than a nonce", reseal(raw[:5]), box},
		{"appended", reseal(append(bytes.Clone(raw), 0)), box},
		{"no prefix", strings.TrimPrefix(sealed, "v1:"), box},
		{"unknown version", "v2:" + strings.TrimPrefix(sealed, "v1:"), box},
		{"not base64", "v1:!!!", box},
		{"prefix only", "v1:", box},
		{"plaintext", "123456:ABC-DEF1234ghIkl", box},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.box.Open(tt.sealed)
			if !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open(%q) error = %v, want ErrDecrypt", tt.sealed, err)
			}
			if got != nil {
				t.Errorf("Open(%q) = %q, want nil", tt.sealed, got)
			}
		})
	}
}

func TestLoadOrCreateKeyFromEnv(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	// These bytes encode with both + and / in standard base64, so the
	// URL-alphabet cases really differ.
	urlKey := bytes.Repeat([]byte{0xfb, 0xff, 0xbf}, 11)[:KeySize]

	tests := []struct {
		name, env string
		want      []byte
	}{
		{"hex", hex.EncodeToString(key), key},
		{"upper-case hex", strings.ToUpper(hex.EncodeToString(key)), key},
		{"base64 padded", base64.StdEncoding.EncodeToString(key), key},
		{"base64 unpadded", base64.RawStdEncoding.EncodeToString(key), key},
		{"base64 url padded", base64.URLEncoding.EncodeToString(urlKey), urlKey},
		{"base64 url unpadded", base64.RawURLEncoding.EncodeToString(urlKey), urlKey},
		{"base64 standard alphabet", base64.StdEncoding.EncodeToString(urlKey), urlKey},
		{"trailing newline", base64.StdEncoding.EncodeToString(key) + "\n", key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			got, err := LoadOrCreateKey(tt.env, dir)
			if err != nil {
				t.Fatalf("LoadOrCreateKey(%q): %v", tt.env, err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("LoadOrCreateKey(%q) = %x, want %x", tt.env, got, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("key file written although env key was given (stat error %v)", err)
			}
		})
	}
}

func TestLoadOrCreateKeyBadEnv(t *testing.T) {
	tests := []struct {
		name, env string
	}{
		{"passphrase", "correct horse battery staple"},
		{"base64 of 16 bytes", base64.StdEncoding.EncodeToString(make([]byte, 16))},
		{"base64 of 33 bytes", base64.StdEncoding.EncodeToString(make([]byte, 33))},
		{"63 hex digits", strings.Repeat("a", 63)},
		{"hex of 31 bytes", hex.EncodeToString(make([]byte, 31))},
		{"64 non-hex characters", strings.Repeat("z", 64) + "!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := LoadOrCreateKey(tt.env, t.TempDir())
			if err == nil {
				t.Errorf("LoadOrCreateKey(%q) = %x, want error", tt.env, key)
			}
		})
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := LoadOrCreateKey("", dir)
	if err != nil {
		t.Fatalf("first LoadOrCreateKey: %v", err)
	}
	if len(first) != KeySize {
		t.Fatalf("key is %d bytes, want %d", len(first), KeySize)
	}
	path := filepath.Join(dir, KeyFileName)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %v, want 0600", mode)
	}

	second, err := LoadOrCreateKey("", dir)
	if err != nil {
		t.Fatalf("second LoadOrCreateKey: %v", err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("key changed between loads: %x then %x", first, second)
	}

	// Values sealed before a restart must open after it.
	sealed := mustSeal(t, mustNew(t, first), []byte("token"))
	if got, err := mustNew(t, second).Open(sealed); err != nil || string(got) != "token" {
		t.Errorf("Open after reload = %q, %v; want token", got, err)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("data directory holds %d entries, want only %s", len(entries), KeyFileName)
	}
}

func TestLoadOrCreateKeyConcurrent(t *testing.T) {
	dir := t.TempDir()
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			key, err := LoadOrCreateKey("", dir)
			if err != nil {
				t.Errorf("LoadOrCreateKey: %v", err)
			}
			keys[i] = key
		})
	}
	wg.Wait()
	for i, key := range keys {
		if !bytes.Equal(key, keys[0]) {
			t.Errorf("caller %d got key %x, caller 0 got %x", i, key, keys[0])
		}
	}
}

func TestLoadOrCreateKeyErrors(t *testing.T) {
	tests := []struct {
		name, contents string
	}{
		{"not base64", "not a key\n"},
		{"wrong length", base64.StdEncoding.EncodeToString(make([]byte, 16)) + "\n"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, KeyFileName)
			if err := os.WriteFile(path, []byte(tt.contents), 0o600); err != nil {
				t.Fatal(err)
			}
			if key, err := LoadOrCreateKey("", dir); err == nil {
				t.Errorf("LoadOrCreateKey with key file %q = %x, want error", tt.contents, key)
			}
			// A damaged key must never be silently replaced: that would
			// orphan every credential sealed with the old one.
			if data, err := os.ReadFile(path); err != nil || string(data) != tt.contents {
				t.Errorf("key file now %q (err %v), want it left as %q", data, err, tt.contents)
			}
		})
	}

	t.Run("no data directory", func(t *testing.T) {
		if key, err := LoadOrCreateKey("", ""); err == nil {
			t.Errorf(`LoadOrCreateKey("", "") = %x, want error`, key)
		}
	})
}
