package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
)

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// apiVersion is the REST API's version, the first part of every path.
const apiVersion = "/2010-04-01"

// maxAnswer bounds an answer of the REST API read into memory.
const maxAnswer = 1 << 20

// defaultRetry is how long to wait when Twilio says "too many requests"
// without saying how long.
const defaultRetry = 10 * time.Second

// Client calls Twilio's REST API for one account, with HTTP basic
// authentication.
type Client struct {
	// BaseURL is the API's address without the version; empty means
	// [DefaultBaseURL].
	BaseURL    string
	AccountSID string
	AuthToken  string
	HTTP       *http.Client
}

// SentMessage is what Twilio answers of a message it accepted.
type SentMessage struct {
	SID         string `json:"sid"`
	Status      string `json:"status"`
	NumSegments string `json:"num_segments"`
}

// APIError is Twilio's answer to a refused request.
type APIError struct {
	HTTPStatus int
	Code       int    `json:"code"`
	Message    string `json:"message"`
}

func (e *APIError) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("twilio: HTTP %d: %s", e.HTTPStatus, e.Message)
	}
	return fmt.Sprintf("twilio: error %d: %s", e.Code, e.Message)
}

// Error codes Sahay explains.
const (
	CodeUnsubscribed   = 21610
	CodeInvalidNumber  = 21211
	CodeRegionDisabled = 21408
	CodeTooManyRequest = 20429
	CodeAuthentication = 20003
)

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) accountPath(rest string) string {
	return c.base() + apiVersion + "/Accounts/" + url.PathEscape(c.AccountSID) + rest
}

// SendSMS sends one message (Twilio splits it into segments), an MMS
// when it carries the files at media (addresses Twilio fetches), and
// asks for its delivery statuses at statusCallback.
func (c *Client) SendSMS(ctx context.Context, from, to, body, statusCallback string, media []string) (SentMessage, error) {
	form := url.Values{"From": {from}, "To": {to}}
	if body != "" {
		form.Set("Body", body)
	}
	for _, m := range media {
		form.Add("MediaUrl", m)
	}
	if statusCallback != "" {
		form.Set("StatusCallback", statusCallback)
	}
	var m SentMessage
	if err := c.do(ctx, http.MethodPost, c.accountPath("/Messages.json"), form, &m); err != nil {
		return SentMessage{}, sendError(err)
	}
	if m.SID == "" {
		return SentMessage{}, errors.New("twilio: send: the answer names no message SID")
	}
	return m, nil
}

// PlacedCall is what Twilio answers of a call it placed.
type PlacedCall struct {
	SID    string `json:"sid"`
	Status string `json:"status"`
}

// Call places a call from the number from to the number to. Once
// answered, the call follows the TwiML Twilio fetches from twimlURL; its
// statuses, from initiated to completed, are posted to statusCallback.
// Unanswered after timeout seconds, it ends.
func (c *Client) Call(ctx context.Context, from, to, twimlURL, statusCallback string, timeout int) (PlacedCall, error) {
	form := url.Values{"From": {from}, "To": {to}, "Url": {twimlURL}, "Timeout": {strconv.Itoa(timeout)}}
	if statusCallback != "" {
		form.Set("StatusCallback", statusCallback)
		form["StatusCallbackEvent"] = []string{"initiated", "ringing", "answered", "completed"}
	}
	var p PlacedCall
	if err := c.do(ctx, http.MethodPost, c.accountPath("/Calls.json"), form, &p); err != nil {
		return PlacedCall{}, callError(err)
	}
	if p.SID == "" {
		return PlacedCall{}, errors.New("twilio: call: the answer names no call SID")
	}
	return p, nil
}

// Account reads the account, to check its SID and token.
func (c *Client) Account(ctx context.Context) error {
	var a struct {
		SID    string `json:"sid"`
		Status string `json:"status"`
	}
	err := c.do(ctx, http.MethodGet, c.accountPath(".json"), nil, &a)
	var api *APIError
	if errors.As(err, &api) && (api.HTTPStatus == http.StatusUnauthorized || api.HTTPStatus == http.StatusNotFound || api.Code == CodeAuthentication) {
		return errors.New("Twilio refused the account SID or auth token: copy both again from the Twilio Console's Account Info")
	}
	if err != nil {
		return err
	}
	if a.Status != "" && a.Status != "active" {
		return fmt.Errorf("the Twilio account %s is %s, not active", a.SID, a.Status)
	}
	return nil
}

// Download reads a customer's file at a media URL Twilio gave, with the
// account's credentials when the URL is the API's own, refusing more than
// limit bytes with an error wrapping [channel.ErrTooLarge].
func (c *Client) Download(ctx context.Context, mediaURL string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, mediaURL, nil)
	if err != nil {
		return nil, channel.Permanent(fmt.Errorf("twilio: media URL: %w", err))
	}
	if sameOrigin(mediaURL, c.base()) {
		req.SetBasicAuth(c.AccountSID, c.AuthToken)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("twilio: media: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("twilio: media: HTTP %d", resp.StatusCode)
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized {
			return nil, channel.Permanent(err)
		}
		return nil, err
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("twilio: media of %d bytes: %w", resp.ContentLength, channel.ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("twilio: media: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("twilio: media over %d bytes: %w", limit, channel.ErrTooLarge)
	}
	return data, nil
}

// sameOrigin reports whether two URLs have the same scheme and host: the
// credentials go only to Twilio's API, never to another address.
func sameOrigin(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}

// do calls the API with a form (or none) and decodes the JSON answer.
func (c *Client) do(ctx context.Context, method, endpoint string, form url.Values, out any) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, body)
	if err != nil {
		return channel.Permanent(fmt.Errorf("twilio: %w", err))
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(c.AccountSID, c.AuthToken)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("twilio: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("twilio: read answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		e := &APIError{HTTPStatus: resp.StatusCode}
		if json.Unmarshal(data, e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(data[:min(len(data), 200)]))
		}
		if resp.StatusCode == http.StatusTooManyRequests || e.Code == CodeTooManyRequest {
			return channel.RetryAfter(e, retryAfter(resp.Header.Get("Retry-After")))
		}
		return e
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("twilio: answer: %w", err)
	}
	return nil
}

// retryAfter reads a Retry-After header's seconds.
func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s > 0 && s <= 3600 {
		return time.Duration(s) * time.Second
	}
	return defaultRetry
}

// Error codes of placing a call Sahay explains.
const (
	CodeCallGeoPermission = 21215
	CodeCallerIDInvalid   = 21210
)

// callError explains Twilio's refusal of a call to the agent who placed
// it, and marks what no retry can fix as permanent.
func callError(err error) error {
	var api *APIError
	if !errors.As(err, &api) {
		return err
	}
	var retry *channel.RetryAfterError
	if errors.As(err, &retry) {
		return err
	}
	switch {
	case api.Code == CodeInvalidNumber:
		return channel.Permanent(errors.New("Twilio says your phone number is not a valid phone number (error 21211): correct it in your profile"))
	case api.Code == CodeCallGeoPermission:
		return channel.Permanent(errors.New("calls to that country are not enabled for this Twilio account: " +
			"turn them on in the Twilio Console under Voice → Settings → Geo permissions (error 21215)"))
	case api.Code == CodeCallerIDInvalid:
		return channel.Permanent(errors.New("Twilio will not call from the inbox's number: it must be a Twilio number of the account " +
			"that can make calls (error 21210)"))
	case api.HTTPStatus == http.StatusUnauthorized || api.Code == CodeAuthentication:
		return channel.Permanent(errors.New("Twilio refused the account SID or auth token"))
	case api.HTTPStatus >= 500:
		return err
	default:
		return channel.Permanent(err)
	}
}

// sendError explains Twilio's refusal of a message to the agent, and
// marks what no retry can fix as permanent.
func sendError(err error) error {
	var api *APIError
	if !errors.As(err, &api) {
		return err
	}
	var retry *channel.RetryAfterError
	if errors.As(err, &retry) {
		return err
	}
	switch {
	case api.Code == CodeUnsubscribed:
		return channel.Permanent(errors.New("the customer replied STOP to this number and has unsubscribed: " +
			"Twilio will not deliver until they text START"))
	case api.Code == CodeInvalidNumber:
		return channel.Permanent(errors.New("Twilio says the customer's number is not a valid phone number (error 21211)"))
	case api.Code == CodeRegionDisabled:
		return channel.Permanent(errors.New("SMS to the customer's country is not enabled for this Twilio account: " +
			"turn it on in the Twilio Console under Messaging → Settings → Geo permissions (error 21408)"))
	case api.HTTPStatus == http.StatusUnauthorized || api.Code == CodeAuthentication:
		return channel.Permanent(errors.New("Twilio refused the account SID or auth token"))
	case api.HTTPStatus >= 500:
		return err
	default:
		return channel.Permanent(err)
	}
}
