package webpush

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTTL is how long a push service keeps a message for a browser that is
// offline when [Sender.TTL] is zero.
const DefaultTTL = 24 * time.Hour

// tokenLifetime is how long each VAPID token lives: half the most RFC 8292
// allows, so that a push service whose clock runs ahead still accepts it.
const tokenLifetime = 12 * time.Hour

// Sender hands push messages to push services. VAPID must be set.
type Sender struct {
	// Client sends the requests; nil means [http.DefaultClient]. Endpoints
	// come from browsers, so on a public server it should be a client that
	// refuses to connect to private addresses.
	Client *http.Client
	// VAPID signs every request.
	VAPID *VAPID
	// TTL is how long the push service keeps a message it cannot deliver yet,
	// in whole seconds; zero means [DefaultTTL].
	TTL time.Duration
}

// StatusError is a push service's refusal of a message, other than [ErrGone].
// Push services answer 413 for a body too large, 429 when rate limiting, and
// 400 or 403 when the request or its VAPID token is invalid.
type StatusError struct {
	StatusCode int
	// Body is the start of the response body, where push services say why.
	Body string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("push service answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Send encrypts payload for sub and hands it to sub's push service, which
// delivers it to the browser. urgency is "very-low", "low", "normal" or
// "high" (RFC 8030 §5.3), or "" for the push service's default.
//
// The error wraps [ErrGone] if the subscription should be deleted,
// [ErrInvalidSubscription] if it can never work, [ErrPayloadTooLarge] if
// payload exceeds [MaxPayload], and is a [*StatusError] if the push service
// refused the message for another reason.
func (s *Sender) Send(ctx context.Context, sub Subscription, payload []byte, urgency string) error {
	if s.VAPID == nil {
		return errors.New("webpush: sender has no VAPID key")
	}
	switch urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		return fmt.Errorf("webpush: urgency %q: want very-low, low, normal or high", urgency)
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < 0 {
		return fmt.Errorf("webpush: negative TTL %s", ttl)
	}
	if err := sub.Validate(); err != nil {
		return err
	}
	aud, _ := origin(sub.Endpoint) // Validate has checked the endpoint.

	body, err := Encrypt(sub, payload)
	if err != nil {
		return err
	}
	auth, err := s.VAPID.Authorization(sub.Endpoint, time.Now().Add(tokenLifetime))
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webpush: send to %s: %w", aud, err)
	}
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("TTL", strconv.FormatInt(int64(ttl/time.Second), 10))
	if urgency != "" {
		req.Header.Set("Urgency", urgency)
	}
	req.Header.Set("Authorization", auth)

	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// A *url.Error quotes the endpoint, which is a secret; keep its cause.
		if uerr, ok := errors.AsType[*url.Error](err); ok {
			err = uerr.Err
		}
		return fmt.Errorf("webpush: send to %s: %w", aud, err)
	}
	defer resp.Body.Close()
	// Only the start of the body is of use, to say why a message was refused;
	// an error reading it would say nothing about the message.
	start, _ := io.ReadAll(io.LimitReader(resp.Body, 512))

	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return fmt.Errorf("webpush: send to %s: %s: %w", aud, resp.Status, ErrGone)
	default:
		return fmt.Errorf("webpush: send to %s: %w", aud, &StatusError{StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(start))})
	}
}
