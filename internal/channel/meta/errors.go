package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
)

// GraphError is an error answer of the Graph API:
// {"error":{"message","type","code","error_subcode","fbtrace_id",…}}.
type GraphError struct {
	// Method and Path are the request Meta refused.
	Method, Path string
	// Status is the answer's HTTP status.
	Status  int
	Code    int
	Subcode int
	Type    string
	// Message is Meta's own text, for developers.
	Message string
	// Details is the further explanation some answers carry
	// (error_data.details, or error_user_msg).
	Details string
	TraceID string
	// Transient is Meta saying a retry may succeed (is_transient).
	Transient bool
	// RetryAfter is how long Meta asked to wait (a Retry-After header, or
	// the Business Use Case usage header's time to regain access).
	RetryAfter time.Duration
}

// Error reads as what the failure means to an agent first, then Meta's
// code and text for whoever looks into it.
func (e *GraphError) Error() string {
	return e.reason() + " (" + e.detail() + ")"
}

func (e *GraphError) reason() string {
	if r := Reason(e.Code, e.Subcode); r != "" {
		return r
	}
	switch {
	case e.Status == http.StatusTooManyRequests:
		return ReasonThrottled
	case e.Status >= 500:
		return ReasonMetaUnavailable
	}
	return "Meta refused the request"
}

// detail is Meta's code and text, with the request and its trace id.
func (e *GraphError) detail() string {
	var b strings.Builder
	if e.Code != 0 {
		fmt.Fprintf(&b, "Meta error %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, "/%d", e.Subcode)
		}
	} else {
		fmt.Fprintf(&b, "HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Details != "" && e.Details != e.Message {
		b.WriteString(": " + e.Details)
	}
	if e.Path != "" {
		b.WriteString(", " + e.Method + " " + e.Path)
	}
	if e.TraceID != "" {
		b.WriteString(", fbtrace_id " + e.TraceID)
	}
	return b.String()
}

// Reasons in plain words, for the codes an agent or admin can act on.
const (
	ReasonWhatsAppWindow  = "outside the 24-hour window — send a template"
	ReasonMessagingWindow = "outside the 24-hour messaging window: the customer must write first (a human agent tag extends the window to 7 days when it is enabled)"
	ReasonUnavailable     = "the customer cannot be reached right now: the 24-hour messaging window has closed, or they blocked the page (a human agent tag extends the window to 7 days when it is enabled)"
	ReasonToken           = "the access token is invalid or expired — reconnect the inbox"
	ReasonPermission      = "the access token lacks a permission this needs — reconnect the inbox and grant every permission asked for"
	ReasonParameter       = "Meta refused a parameter of the request"
	ReasonTemplate        = "the template was refused: check its name, language and parameters against the approved template"
	ReasonUndeliverable   = "the message could not be delivered: the number may not use WhatsApp, or its owner must accept WhatsApp's latest terms"
	ReasonUnsupported     = "WhatsApp does not support this type of message"
	ReasonSpam            = "WhatsApp is limiting this number because too many of its messages were reported or blocked as spam"
	ReasonBlocked         = "Meta has blocked this account from sending for a policy violation"
	ReasonThrottled       = "Meta is rate limiting the requests: they are repeated after a pause"
	ReasonPairRate        = "too many messages to this customer in a short time: they are repeated after a pause"
	ReasonMetaUnavailable = "Meta's service is temporarily unavailable: the request is repeated later"
)

// Reason says in plain words what a Graph error code means, or "" for a
// code without a known meaning. WhatsApp delivery statuses carry the same
// codes in their errors.
func Reason(code, subcode int) string {
	switch {
	case code == 131047:
		return ReasonWhatsAppWindow
	case code == 10 && (subcode == 2018278 || subcode == 2534022):
		return ReasonMessagingWindow
	case code == 551:
		return ReasonUnavailable
	case code == 190 || code == 102:
		return ReasonToken
	case code == 10 || code == 3 || code >= 200 && code <= 299:
		return ReasonPermission
	case code == 100 || code == 131008 || code == 131009:
		return ReasonParameter
	case code >= 132000 && code <= 132999:
		return ReasonTemplate
	case code == 131026:
		return ReasonUndeliverable
	case code == 131051:
		return ReasonUnsupported
	case code == 131048:
		return ReasonSpam
	case code == 368:
		return ReasonBlocked
	case code == 131056:
		return ReasonPairRate
	case throttled(code):
		return ReasonThrottled
	case code == 1 || code == 2 || code == 131000 || code == 131016:
		return ReasonMetaUnavailable
	}
	return ""
}

// throttled reports whether a code is one of Meta's rate limits: app,
// user, page and custom limits, Business Use Case limits, WhatsApp
// throughput and pair rate.
func throttled(code int) bool {
	switch {
	case code == 4, code == 17, code == 32, code == 613:
		return true
	case code >= 80001 && code <= 80007:
		return true
	case code == 130429, code == 131056:
		return true
	}
	return false
}

// Backoffs when Meta asks to slow down without saying for how long.
const (
	DefaultBackoff    = 30 * time.Second
	ThroughputBackoff = 5 * time.Second
	// PairRateBackoff follows WhatsApp's pace of about one message to the
	// same customer every 6 seconds.
	PairRateBackoff = 7 * time.Second
)

// Backoff is how long to wait before repeating a request Meta throttled.
func (e *GraphError) Backoff() time.Duration {
	switch {
	case e.RetryAfter > 0:
		return e.RetryAfter
	case e.Code == 131056:
		return PairRateBackoff
	case e.Code == 130429:
		return ThroughputBackoff
	}
	return DefaultBackoff
}

// Throttled reports whether Meta refused the request for its rate.
func (e *GraphError) Throttled() bool {
	return e.Status == http.StatusTooManyRequests || throttled(e.Code)
}

// Retryable reports whether the same request may succeed later: Meta's
// server errors and the failures it marks transient.
func (e *GraphError) Retryable() bool {
	switch e.Code {
	case 1, 2, 131000, 131016:
		return true
	}
	return e.Transient || e.Status >= 500
}

// Classify marks an error for the callers' retry rules: a throttled
// request is [channel.RetryAfter] its backoff, a request Meta refused for
// good (a closed window, a bad token, a refused parameter) is
// [channel.Permanent], and the rest (network failures, Meta's server
// errors) are left to retry. An error already marked is returned as it is.
func Classify(err error) error {
	var ge *GraphError
	var ra *channel.RetryAfterError
	switch {
	case err == nil, errors.Is(err, channel.ErrPermanent), errors.As(err, &ra):
		return err
	case !errors.As(err, &ge):
		return err
	case ge.Throttled():
		return channel.RetryAfter(err, ge.Backoff())
	case ge.Retryable():
		return err
	}
	return channel.Permanent(err)
}

// graphAnswer is the body of an error answer.
type graphAnswer struct {
	Error *struct {
		Message     string          `json:"message"`
		Type        string          `json:"type"`
		Code        int             `json:"code"`
		Subcode     int             `json:"error_subcode"`
		TraceID     string          `json:"fbtrace_id"`
		IsTransient bool            `json:"is_transient"`
		UserMessage string          `json:"error_user_msg"`
		ErrorData   json.RawMessage `json:"error_data"`
	} `json:"error"`
}

// parseError reads an error answer; an answer without Graph's error
// object (a proxy's page, an empty body) has only its status.
func parseError(resp *http.Response, body []byte) *GraphError {
	e := &GraphError{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header)}
	var a graphAnswer
	if json.Unmarshal(body, &a) != nil || a.Error == nil {
		return e
	}
	e.Code, e.Subcode, e.Type = a.Error.Code, a.Error.Subcode, a.Error.Type
	e.Message, e.TraceID, e.Transient = a.Error.Message, a.Error.TraceID, a.Error.IsTransient
	e.Details = a.Error.UserMessage
	var data struct {
		Details string `json:"details"`
	}
	if json.Unmarshal(a.Error.ErrorData, &data) == nil && data.Details != "" {
		e.Details = data.Details
	}
	return e
}

// retryAfter reads how long Meta asked to wait: a Retry-After header in
// seconds or as a date, else the longest estimated_time_to_regain_access
// (minutes) of the X-Business-Use-Case-Usage header.
func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s > 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
		}
	}
	var usage map[string][]struct {
		Minutes int `json:"estimated_time_to_regain_access"`
	}
	if json.Unmarshal([]byte(h.Get("X-Business-Use-Case-Usage")), &usage) != nil {
		return 0
	}
	longest := 0
	for _, us := range usage {
		for _, u := range us {
			longest = max(longest, u.Minutes)
		}
	}
	return time.Duration(longest) * time.Minute
}
