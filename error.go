// Package sahay holds Sahay's domain: the types every other package speaks
// (accounts, inboxes, contacts, conversations, messages, events) and the one
// error type that carries a code from the store up to the API.
package sahay

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The API maps each to one HTTP status in one place.
const (
	EBADREQUEST   = "bad_request"
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	ERATELIMITED  = "rate_limited"
	// EUPGRADE is a plain HTTP request to a WebSocket endpoint.
	EUPGRADE = "upgrade_required"
	// EWINDOW is a reply the platform would refuse: the customer last
	// wrote longer ago than its messaging window allows.
	EWINDOW = "window_closed"
	// EPERSONALDATA is a public reply that shows personal data; the agent
	// confirms it or sends it privately.
	EPERSONALDATA = "personal_data"
	// EUNAVAILABLE is a platform that failed to answer what was asked of
	// it.
	EUNAVAILABLE = "platform_unavailable"
)

// Error is a failure with a code and a message safe to show to the caller.
type Error struct {
	Code    string
	Message string
	// RetryAfter, on a rate_limited error, is how long the caller should
	// wait before trying again (the Retry-After header).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the public message of err; internal errors get a
// generic text so no detail leaks to the caller.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// NotFound is the error for a missing or invisible resource. Invisible and
// missing look the same so that ids of other tenants cannot be probed.
func NotFound(what string) *Error { return Errorf(ENOTFOUND, "%s not found", what) }

// BadRequest is the error for a request body that cannot be read as the
// request's JSON: a syntax error, a wrong type, an unknown field. A body that
// reads but holds values the rules refuse is [Invalid].
func BadRequest(format string, args ...any) *Error { return Errorf(EBADREQUEST, format, args...) }

// Invalid is the error for bad input.
func Invalid(format string, args ...any) *Error { return Errorf(EINVALID, format, args...) }

// RateLimited is the error for a caller who must wait before trying again.
func RateLimited(retryAfter time.Duration, format string, args ...any) *Error {
	e := Errorf(ERATELIMITED, format, args...)
	e.RetryAfter = retryAfter
	return e
}
