package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// MinPasswordLength is the fewest characters (runes) a password may have.
const MinPasswordLength = 8

// MaxPasswordBytes caps password length so that a request cannot make the
// server hash megabytes of input.
const MaxPasswordBytes = 256

// Argon2id parameters for new hashes: OWASP's password storage guidance
// lists m=19 MiB, t=2, p=1 among its equivalent argon2id configurations. It
// is the one with the least memory, which keeps a small server's resident
// memory low after logins; the extra pass buys back the strength.
const (
	argon2Time    = 2
	argon2Memory  = 19 * 1024 // KiB
	argon2Threads = 1
	argon2KeyLen  = 32
	argon2SaltLen = 16
)

// Bounds on parameters read back from a stored hash, so that a corrupted or
// planted row cannot make a login allocate gigabytes or spin for minutes, and
// a truncated salt or key cannot make a match likely.
const (
	maxArgon2Time    = 16
	maxArgon2Memory  = 1024 * 1024 // KiB
	minArgon2SaltLen = 8
	minArgon2KeyLen  = 16
	maxArgon2KeyLen  = 64
)

// ErrBadHash reports a stored password hash that is not an argon2id PHC string
// this package can verify.
var ErrBadHash = errors.New("auth: malformed password hash")

// ErrPasswordTooShort reports a password below [MinPasswordLength].
var ErrPasswordTooShort = fmt.Errorf("auth: password must have at least %d characters", MinPasswordLength)

// ErrPasswordTooLong reports a password above [MaxPasswordBytes].
var ErrPasswordTooLong = fmt.Errorf("auth: password must be at most %d bytes", MaxPasswordBytes)

// ErrBusy reports that every argon2 slot stayed taken for [MaxHashWait], or
// that too many callers were already waiting: the caller should answer "try
// again later" rather than queue without end.
var ErrBusy = errors.New("auth: too many password checks at once")

// argon2Slots bounds concurrent argon2 computations. Each one allocates its
// memory parameter (19 MiB), so a burst of logins, or an attacker guessing
// passwords, would otherwise exhaust memory on a small server; excess
// callers wait for a slot, a bounded number of them for a bounded time.
var argon2Slots = make(chan struct{}, 2)

// argon2Queue admits the callers that may wait for a slot: the two running
// and at most maxHashWaiters waiting. A hash takes tens of milliseconds, so
// the queue drains well within [MaxHashWait].
var argon2Queue = make(chan struct{}, cap(argon2Slots)+maxHashWaiters)

const maxHashWaiters = 32

// argon2Running counts the computations holding a slot.
var argon2Running atomic.Int32

// MaxHashWait is the longest a caller waits for an argon2 slot.
const MaxHashWait = 3 * time.Second

// ValidatePassword reports whether p is acceptable as a new password.
func ValidatePassword(p string) error {
	if len(p) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	if utf8.RuneCountInString(p) < MinPasswordLength {
		return ErrPasswordTooShort
	}
	return nil
}

// HashPassword returns an argon2id hash of password as a PHC string, the
// format other tools (and future parameter changes) can read back. It fails
// with [ErrBusy] when no slot frees in time, or with ctx's error.
func HashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argon2SaltLen)
	rand.Read(salt) // never fails: crypto/rand crashes the program instead
	key, err := deriveArgon2Key(ctx, password, salt, argon2Time, argon2Memory, argon2Threads, argon2KeyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argon2Memory, argon2Time, argon2Threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches encoded, a hash from
// [HashPassword]. It uses the parameters recorded in encoded, so hashes made
// before a parameter change keep working (see [NeedsRehash]). A malformed
// encoded gives [ErrBadHash]; a server too busy to check, [ErrBusy].
func CheckPassword(ctx context.Context, encoded, password string) (bool, error) {
	h, err := parseArgon2Hash(encoded)
	if err != nil {
		return false, err
	}
	key, err := deriveArgon2Key(ctx, password, h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// new hashes get, so a successful login should store a fresh hash.
func NeedsRehash(encoded string) bool {
	h, err := parseArgon2Hash(encoded)
	return err != nil || h.time != argon2Time || h.memory != argon2Memory || h.threads != argon2Threads ||
		len(h.key) != argon2KeyLen || len(h.salt) != argon2SaltLen
}

// deriveArgon2Key runs argon2id once a slot in [argon2Slots] is free.
//
// The password is NFC-normalized first because Bengali and Devanagari
// keyboards emit different code points for the same visible text, and a user
// must be able to log in from any of them.
func deriveArgon2Key(ctx context.Context, password string, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	select {
	case argon2Queue <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	defer func() { <-argon2Queue }()
	wait := time.NewTimer(MaxHashWait)
	defer wait.Stop()
	select {
	case argon2Slots <- struct{}{}:
	case <-wait.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	argon2Running.Add(1)
	defer func() {
		<-argon2Slots
		if argon2Running.Add(-1) == 0 {
			// The hash's memory is garbage now, but the runtime would keep it
			// (and the heap goal it raised) until the next collection, minutes
			// away on an idle server: give it back to the system while no other
			// hash is about to reuse it.
			debug.FreeOSMemory()
		}
	}()
	return argon2.IDKey([]byte(norm.NFC.String(password)), salt, passes, memory, threads, keyLen), nil
}

// argon2Hash is a parsed PHC string.
type argon2Hash struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

// parseArgon2Hash parses "$argon2id$v=19$m=…,t=…,p=…$salt$key".
func parseArgon2Hash(encoded string) (argon2Hash, error) {
	var h argon2Hash
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" || fields[1] != "argon2id" {
		return h, fmt.Errorf("%w: not an argon2id PHC string", ErrBadHash)
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("%w: unsupported version %q", ErrBadHash, fields[2])
	}

	params := strings.Split(fields[3], ",")
	if len(params) != 3 {
		return h, fmt.Errorf("%w: want m, t and p parameters, got %q", ErrBadHash, fields[3])
	}
	memory, err := parseArgon2Param(params[0], "m", 32)
	if err != nil {
		return h, err
	}
	time, err := parseArgon2Param(params[1], "t", 32)
	if err != nil {
		return h, err
	}
	threads, err := parseArgon2Param(params[2], "p", 8)
	if err != nil {
		return h, err
	}
	switch {
	case time < 1 || time > maxArgon2Time:
		return h, fmt.Errorf("%w: t=%d out of range", ErrBadHash, time)
	case threads < 1:
		return h, fmt.Errorf("%w: p=%d out of range", ErrBadHash, threads)
	case memory < 8*threads || memory > maxArgon2Memory:
		// Argon2 needs at least 8 KiB per lane.
		return h, fmt.Errorf("%w: m=%d out of range", ErrBadHash, memory)
	}
	h.time, h.memory, h.threads = uint32(time), uint32(memory), uint8(threads)

	if h.salt, err = base64.RawStdEncoding.Strict().DecodeString(fields[4]); err != nil {
		return h, fmt.Errorf("%w: salt: %v", ErrBadHash, err)
	}
	if len(h.salt) < minArgon2SaltLen {
		return h, fmt.Errorf("%w: salt is %d bytes", ErrBadHash, len(h.salt))
	}
	if h.key, err = base64.RawStdEncoding.Strict().DecodeString(fields[5]); err != nil {
		return h, fmt.Errorf("%w: key: %v", ErrBadHash, err)
	}
	if len(h.key) < minArgon2KeyLen || len(h.key) > maxArgon2KeyLen {
		return h, fmt.Errorf("%w: key is %d bytes", ErrBadHash, len(h.key))
	}
	return h, nil
}

// parseArgon2Param parses one "name=value" parameter of a PHC string.
func parseArgon2Param(param, name string, bitSize int) (uint64, error) {
	value, ok := strings.CutPrefix(param, name+"=")
	if !ok {
		return 0, fmt.Errorf("%w: want %s=, got %q", ErrBadHash, name, param)
	}
	n, err := strconv.ParseUint(value, 10, bitSize)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrBadHash, name, err)
	}
	return n, nil
}
