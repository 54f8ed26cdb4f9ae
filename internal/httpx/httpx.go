// Package httpx is the small HTTP toolkit every Sahay handler uses: handlers
// return errors, one function turns an error into the single JSON error
// shape, and request bodies are decoded strictly and within a size limit.
package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// MaxBody is the largest JSON request body accepted.
const MaxBody = 1 << 20

// HandlerFunc is an HTTP handler that returns its error instead of writing
// it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts h to http.Handler, writing any error it returns with
// [WriteError].
func Handle(log *slog.Logger, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteError(w, r, log, err)
		}
	})
}

// statuses maps error codes to HTTP statuses, in one place.
var statuses = map[string]int{
	sahay.EBADREQUEST:   http.StatusBadRequest,
	sahay.EINVALID:      http.StatusUnprocessableEntity,
	sahay.ENOTFOUND:     http.StatusNotFound,
	sahay.ECONFLICT:     http.StatusConflict,
	sahay.EUNAUTHORIZED: http.StatusUnauthorized,
	sahay.EFORBIDDEN:    http.StatusForbidden,
	sahay.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	sahay.ERATELIMITED:  http.StatusTooManyRequests,
	sahay.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// WriteError writes err as {"error":{"code","message"}}; internal errors are
// logged with their cause and shown with a generic message. A [Retry]
// error also sets Retry-After.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := sahay.ErrorCode(err)
	if code == sahay.EINTERNAL && log != nil {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var retry *Retry
	if errors.As(err, &retry) {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((retry.After+time.Second-1)/time.Second))))
	}
	var body ErrorBody
	body.Error.Code, body.Error.Message = code, sahay.ErrorMessage(err)
	WriteJSON(w, Status(code), body)
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// OK writes v as JSON with status 200.
func OK(w http.ResponseWriter, v any) error { return WriteJSON(w, http.StatusOK, v) }

// Decode reads a JSON body into v: at most [MaxBody] bytes, one value, no
// unknown fields. A body that cannot be read as v is a bad request (400),
// one over the limit too large (413); the values it holds are the caller's
// to judge (422).
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return sahay.BadRequest("Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var when *time.ParseError
		switch {
		case errors.As(err, &tooBig):
			return sahay.Errorf(sahay.ETOOLARGE, "request body is larger than %d bytes", MaxBody)
		case errors.Is(err, io.EOF):
			return sahay.BadRequest("request body is empty")
		case errors.As(err, &syntax):
			return sahay.BadRequest("malformed JSON at byte %d", syntax.Offset)
		case errors.As(err, &typ):
			return sahay.BadRequest("field %q must be %s", typ.Field, typ.Type)
		case errors.As(err, &when):
			return sahay.BadRequest("%q is not a time; times look like 2026-12-01T09:00:00Z", when.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return sahay.BadRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return sahay.BadRequest("malformed JSON: unexpected end")
		}
		return sahay.BadRequest("malformed JSON: %v", err)
	}
	if dec.More() {
		return sahay.BadRequest("request body has more than one JSON value")
	}
	return nil
}

// PathID parses the named path value as a positive id.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, sahay.NotFound(name)
	}
	return id, nil
}

// QueryInt parses an optional integer query parameter.
func QueryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, sahay.Invalid("%s must be a non-negative integer", name)
	}
	return n, nil
}

// NoContent writes 204.
func NoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
