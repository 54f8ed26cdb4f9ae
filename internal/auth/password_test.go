package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/argon2"
)

// mustHashPassword hashes password or fails the test.
func mustHashPassword(t *testing.T, password string) string {
	t.Helper()
	encoded, err := HashPassword(password)
	if err != nil {
		t.Fatalf("HashPassword(%q): %v", password, err)
	}
	return encoded
}

func TestHashPasswordFormat(t *testing.T) {
	encoded := mustHashPassword(t, "correct horse")
	const prefix = "$argon2id$v=19$m=65536,t=1,p=2$"
	if !strings.HasPrefix(encoded, prefix) {
		t.Fatalf("HashPassword = %q, want prefix %q", encoded, prefix)
	}
	fields := strings.Split(strings.TrimPrefix(encoded, prefix), "$")
	if len(fields) != 2 {
		t.Fatalf("HashPassword = %q, want salt and key after parameters", encoded)
	}
	for i, want := range []int{argon2SaltLen, argon2KeyLen} {
		b, err := base64.RawStdEncoding.DecodeString(fields[i])
		if err != nil || len(b) != want {
			t.Errorf("field %q decodes to %d bytes (err %v), want %d", fields[i], len(b), err, want)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, hashed, tried string
		want                bool
	}{
		{"same password", "correct horse", "correct horse", true},
		{"wrong password", "correct horse", "correct horsf", false},
		{"empty attempt", "correct horse", "", false},
		{"case matters", "correct horse", "Correct horse", false},
		{"bengali password", "আমার গোপন কথা", "আমার গোপন কথা", true},
		// The same visible word from two keyboards: precomposed vs
		// decomposed o-kar.
		{"bengali typed decomposed", "\u0995\u09CB\u09A5\u09BE\u09DF", "\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded := mustHashPassword(t, tt.hashed)
			got, err := CheckPassword(encoded, tt.tried)
			if err != nil {
				t.Fatalf("CheckPassword: %v", err)
			}
			if got != tt.want {
				t.Errorf("CheckPassword(hash of %q, %q) = %v, want %v", tt.hashed, tt.tried, got, tt.want)
			}
		})
	}
}

func TestHashPasswordSalted(t *testing.T) {
	a, b := mustHashPassword(t, "correct horse"), mustHashPassword(t, "correct horse")
	if a == b {
		t.Errorf("two hashes of the same password are equal: %q", a)
	}
}

// TestCheckPasswordUsesStoredParameters checks that raising the cost for new
// hashes would not lock out users whose hashes were made with older settings.
func TestCheckPasswordUsesStoredParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("correct horse"), salt, 2, 8*1024, 1, 24)
	encoded := fmt.Sprintf("$argon2id$v=19$m=8192,t=2,p=1$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))

	for password, want := range map[string]bool{"correct horse": true, "wrong horse": false} {
		got, err := CheckPassword(encoded, password)
		if err != nil {
			t.Fatalf("CheckPassword(%q): %v", password, err)
		}
		if got != want {
			t.Errorf("CheckPassword(%q) = %v, want %v", password, got, want)
		}
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	valid := func(params string) string {
		return "$argon2id$v=19$" + params + "$" + salt + "$" + key
	}

	tests := []struct {
		name, encoded string
	}{
		{"empty", ""},
		{"plain text", "hunter22"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=65536,t=1,p=2$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=65536,t=1,p=2$" + salt + "$" + key},
		{"missing version", "$argon2id$m=65536,t=1,p=2$" + salt + "$" + key},
		{"missing key", "$argon2id$v=19$m=65536,t=1,p=2$" + salt},
		{"extra field", valid("m=65536,t=1,p=2") + "$x"},
		{"missing parameter", valid("m=65536,t=1")},
		{"parameters reordered", valid("t=1,m=65536,p=2")},
		{"parameter not a number", valid("m=lots,t=1,p=2")},
		{"negative parameter", valid("m=65536,t=-1,p=2")},
		{"zero time", valid("m=65536,t=0,p=2")},
		{"zero threads", valid("m=65536,t=1,p=0")},
		{"threads overflow", valid("m=65536,t=1,p=256")},
		{"memory below 8 KiB per lane", valid("m=8,t=1,p=2")},
		{"memory too large", valid("m=4194304,t=1,p=2")},
		{"time too large", valid("m=65536,t=1000,p=2")},
		{"salt not base64", "$argon2id$v=19$m=65536,t=1,p=2$!!!$" + key},
		{"salt padded", "$argon2id$v=19$m=65536,t=1,p=2$" + salt + "==$" + key},
		{"salt too short", "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$" + key},
		{"key too short", "$argon2id$v=19$m=65536,t=1,p=2$" + salt + "$aGFzaA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(tt.encoded, "hunter22")
			if !errors.Is(err, ErrBadHash) {
				t.Errorf("CheckPassword(%q) error = %v, want ErrBadHash", tt.encoded, err)
			}
			if ok {
				t.Errorf("CheckPassword(%q) = true for a malformed hash", tt.encoded)
			}
		})
	}
}

// TestCheckPasswordConcurrent checks that callers queue for argon2 slots
// rather than deadlocking or failing.
func TestCheckPasswordConcurrent(t *testing.T) {
	encoded := mustHashPassword(t, "correct horse")
	var wg sync.WaitGroup
	for range 2*cap(argon2Slots) + 1 {
		wg.Go(func() {
			if ok, err := CheckPassword(encoded, "correct horse"); !ok || err != nil {
				t.Errorf("CheckPassword = %v, %v; want true, nil", ok, err)
			}
		})
	}
	wg.Wait()
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name, password string
		want           error
	}{
		{"empty", "", ErrPasswordTooShort},
		{"seven characters", "1234567", ErrPasswordTooShort},
		{"eight characters", "12345678", nil},
		// Seven Bengali letters are 21 bytes but still seven characters.
		{"seven bengali characters", "কখগঘঙচছ", ErrPasswordTooShort},
		{"eight bengali characters", "কখগঘঙচছজ", nil},
		{"at the byte limit", strings.Repeat("a", MaxPasswordBytes), nil},
		{"over the byte limit", strings.Repeat("a", MaxPasswordBytes+1), ErrPasswordTooLong},
		{"multibyte over the byte limit", strings.Repeat("ক", 86), ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidatePassword(tt.password); !errors.Is(err, tt.want) {
				t.Errorf("ValidatePassword(%q) = %v, want %v", tt.password, err, tt.want)
			}
		})
	}
}
