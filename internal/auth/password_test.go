package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// mustHashPassword hashes password or fails the test.
func mustHashPassword(t *testing.T, password string) string {
	t.Helper()
	encoded, err := HashPassword(context.Background(), password)
	if err != nil {
		t.Fatalf("HashPassword(%q): %v", password, err)
	}
	return encoded
}

func TestHashPasswordFormat(t *testing.T) {
	encoded := mustHashPassword(t, "correct horse")
	const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
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
			got, err := CheckPassword(context.Background(), encoded, tt.tried)
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
		got, err := CheckPassword(context.Background(), encoded, password)
		if err != nil {
			t.Fatalf("CheckPassword(%q): %v", password, err)
		}
		if got != want {
			t.Errorf("CheckPassword(%q) = %v, want %v", password, got, want)
		}
	}
}

// TestOldHashesVerifyAndAskForRehash checks that a hash made with the
// parameters of earlier versions (64 MiB, one pass, two lanes) still lets
// its user in, and is reported for replacement, while a new hash is not.
func TestOldHashesVerifyAndAskForRehash(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("correct horse"), salt, 1, 64*1024, 2, 32)
	old := fmt.Sprintf("$argon2id$v=19$m=65536,t=1,p=2$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if ok, err := CheckPassword(context.Background(), old, "correct horse"); !ok || err != nil {
		t.Fatalf("CheckPassword(old hash) = %v, %v; want true, nil", ok, err)
	}
	if !NeedsRehash(old) {
		t.Errorf("NeedsRehash(old hash) = false, want true")
	}
	if fresh := mustHashPassword(t, "correct horse"); NeedsRehash(fresh) {
		t.Errorf("NeedsRehash(%q) = true for a new hash", fresh)
	}
}

// TestHashMemory checks what one password check costs in memory: a small
// server's resident memory after a login is its idle memory plus this.
func TestHashMemory(t *testing.T) {
	encoded := mustHashPassword(t, "correct horse")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := CheckPassword(context.Background(), encoded, "correct horse"); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	const limit = 24 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Errorf("one password check allocated %d MiB, want at most %d MiB", got>>20, limit>>20)
	}
	// Once no check runs, the memory goes back to the system rather than
	// staying in the process until a collection minutes later.
	if kept := after.HeapSys - after.HeapReleased; kept > 12<<20 {
		t.Errorf("after the check the heap keeps %d MiB from the system, want the hash's memory released", kept>>20)
	}
}

// TestHashQueueBounded checks that, with every slot taken, a caller waits a
// bounded time and a caller beyond the queue is refused at once, instead of
// every caller waiting without end.
func TestHashQueueBounded(t *testing.T) {
	encoded := mustHashPassword(t, "correct horse")
	for range cap(argon2Slots) {
		argon2Slots <- struct{}{}
	}
	released := false
	release := func() {
		if !released {
			released = true
			for range cap(argon2Slots) {
				<-argon2Slots
			}
		}
	}
	defer release()

	start := time.Now()
	if _, err := CheckPassword(context.Background(), encoded, "correct horse"); !errors.Is(err, ErrBusy) {
		t.Fatalf("CheckPassword with every slot taken = %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < MaxHashWait || waited > MaxHashWait+2*time.Second {
		t.Errorf("waited %s for a slot, want about %s", waited, MaxHashWait)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := CheckPassword(ctx, encoded, "correct horse"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CheckPassword past the caller's deadline = %v, want context.DeadlineExceeded", err)
	}

	// Fill the waiting room; one more caller is refused without waiting.
	for range cap(argon2Queue) {
		argon2Queue <- struct{}{}
	}
	start = time.Now()
	_, err := CheckPassword(context.Background(), encoded, "correct horse")
	for range cap(argon2Queue) {
		<-argon2Queue
	}
	if !errors.Is(err, ErrBusy) || time.Since(start) > time.Second {
		t.Errorf("CheckPassword with a full queue = %v after %s, want ErrBusy at once", err, time.Since(start))
	}

	release()
	if ok, err := CheckPassword(context.Background(), encoded, "correct horse"); !ok || err != nil {
		t.Errorf("CheckPassword once slots are free = %v, %v; want true, nil", ok, err)
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
			ok, err := CheckPassword(context.Background(), tt.encoded, "hunter22")
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
			if ok, err := CheckPassword(context.Background(), encoded, "correct horse"); !ok || err != nil {
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
