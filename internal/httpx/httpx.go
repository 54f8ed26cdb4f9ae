// Package httpx is the small HTTP toolkit every Sahay handler uses: handlers
// return errors, one function turns an error into the single JSON error
// shape, and request bodies are decoded strictly and within a size limit.
package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	sahay.EUPGRADE:      http.StatusUpgradeRequired,
	sahay.EWINDOW:       http.StatusConflict,
	sahay.EPERSONALDATA: http.StatusConflict,
	sahay.EUNAVAILABLE:  http.StatusBadGateway,
	sahay.EINTERNAL:     http.StatusInternalServerError,
}

// Mux is where routes are registered: an [http.ServeMux], or something that
// also records what is registered on one.
type Mux interface {
	Handle(pattern string, handler http.Handler)
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
// logged with their cause and shown with a generic message. A rate_limited
// error ([sahay.RateLimited]) also sets Retry-After.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := sahay.ErrorCode(err)
	if code == sahay.EINTERNAL && log != nil {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e := (*sahay.Error)(nil); errors.As(err, &e) && e.Code == sahay.ERATELIMITED {
		// Whole seconds, rounded up and at least one: a client that waits
		// exactly this long is let in.
		w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64((e.RetryAfter+time.Second-1)/time.Second)), 10))
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return sahay.Errorf(sahay.ETOOLARGE, "request body is larger than %d bytes", MaxBody)
	} else if err != nil {
		return sahay.BadRequest("the request body could not be read")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
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
	return CheckUTF8(body)
}

// CheckUTF8 refuses a JSON document that [json.Decoder] has read if one of
// its strings is not valid UTF-8, raw or as an escaped lone surrogate
// ("\ud800"); the error names the field. The decoder would store such a
// string with U+FFFD in place of what was sent.
func CheckUTF8(doc []byte) error {
	if utf8.Valid(doc) && !bytes.Contains(doc, []byte(`\u`)) {
		return nil
	}
	c := &utf8Check{dec: json.NewDecoder(bytes.NewReader(doc)), doc: doc}
	tok, raw, err := c.next()
	if err != nil {
		return nil
	}
	return c.value("", tok, raw)
}

type utf8Check struct {
	dec   *json.Decoder
	doc   []byte
	start int64
}

// next returns the next token and the bytes it was read from.
func (c *utf8Check) next() (json.Token, []byte, error) {
	tok, err := c.dec.Token()
	end := c.dec.InputOffset()
	raw := c.doc[c.start:end]
	c.start = end
	return tok, raw, err
}

// value checks the value that starts with tok, at field.
func (c *utf8Check) value(field string, tok json.Token, raw []byte) error {
	switch tok {
	case json.Delim('{'):
		for {
			key, raw, err := c.next()
			if err != nil || key == json.Delim('}') {
				return nil
			}
			if badString(raw) {
				where := "the body"
				if field != "" {
					where = field
				}
				return sahay.Invalid("a field name in %s is not valid UTF-8", where)
			}
			name, _ := key.(string)
			if field != "" {
				name = field + "." + name
			}
			tok, raw, err := c.next()
			if err != nil {
				return nil
			}
			if err := c.value(name, tok, raw); err != nil {
				return err
			}
		}
	case json.Delim('['):
		for i := 0; ; i++ {
			tok, raw, err := c.next()
			if err != nil || tok == json.Delim(']') {
				return nil
			}
			if err := c.value(fmt.Sprintf("%s[%d]", field, i), tok, raw); err != nil {
				return err
			}
		}
	}
	if _, ok := tok.(string); ok && badString(raw) {
		if field == "" {
			field = "the body"
		}
		return sahay.Invalid("%s is not valid UTF-8", field)
	}
	return nil
}

// badString reports whether the JSON text of a string holds bytes that are
// not UTF-8 or a \u escape of a surrogate that is not part of a pair.
func badString(raw []byte) bool {
	if !utf8.Valid(raw) {
		return true
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1:])
		switch {
		case r >= 0xdc00 && r <= 0xdfff:
			return true
		case r >= 0xd800 && r <= 0xdbff:
			rest := raw[i+5:]
			if len(rest) < 6 || rest[0] != '\\' || rest[1] != 'u' {
				return true
			}
			if low := hex4(rest[2:]); low < 0xdc00 || low > 0xdfff {
				return true
			}
			i += 6
		}
		i += 4
	}
	return false
}

// hex4 reads the four hex digits of a \u escape, or -1.
func hex4(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return int(n)
}

// inlineTypes are the attachment types served for display (inline): raster
// images a browser decodes without running anything.
var inlineTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// ServeAttachment serves a stored file. Only the raster images of
// inlineTypes are shown inline; everything else is a download. Either way
// the browser may not guess another type (nosniff), and the file is
// sandboxed, so a file can never run as a page of this origin.
func ServeAttachment(w http.ResponseWriter, r *http.Request, a *sahay.Attachment, f io.ReadSeeker) {
	disposition := "attachment"
	if slices.Contains(inlineTypes, a.ContentType) {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.FileName}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, f)
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
