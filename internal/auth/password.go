package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// MinPasswordLength is the fewest characters (runes) a password may have.
const MinPasswordLength = 8

// MaxPasswordBytes caps password length so that a request cannot make the
// server hash megabytes of input.
const MaxPasswordBytes = 256

// Argon2id parameters for new hashes: RFC 9106's second recommended option,
// with two lanes rather than four to suit small servers.
const (
	argon2Time    = 1
	argon2Memory  = 64 * 1024 // KiB
	argon2Threads = 2
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

// argon2Slots bounds concurrent argon2 computations. Each one allocates
// 64 MiB, so a burst of logins, or an attacker guessing passwords, would
// otherwise exhaust memory on a small server; excess callers wait instead.
var argon2Slots = make(chan struct{}, 2)

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
// format other tools (and future parameter changes) can read back.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argon2SaltLen)
	rand.Read(salt) // never fails: crypto/rand crashes the program instead
	key := deriveArgon2Key(password, salt, argon2Time, argon2Memory, argon2Threads, argon2KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argon2Memory, argon2Time, argon2Threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches encoded, a hash from
// [HashPassword]. It uses the parameters recorded in encoded, so hashes made
// before a parameter change keep working. A malformed encoded gives
// [ErrBadHash].
func CheckPassword(encoded, password string) (bool, error) {
	h, err := parseArgon2Hash(encoded)
	if err != nil {
		return false, err
	}
	key := deriveArgon2Key(password, h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// deriveArgon2Key runs argon2id once a slot in [argon2Slots] is free.
//
// The password is NFC-normalized first because Bengali and Devanagari
// keyboards emit different code points for the same visible text, and a user
// must be able to log in from any of them.
func deriveArgon2Key(password string, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	argon2Slots <- struct{}{}
	defer func() { <-argon2Slots }()
	return argon2.IDKey([]byte(norm.NFC.String(password)), salt, time, memory, threads, keyLen)
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
