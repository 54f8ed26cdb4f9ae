// Package ai is Sahay's optional language model: a small client for an
// OpenAI-compatible chat-completions endpoint that an account configures
// by URL, key and model, and the few things Sahay asks of it — reply
// suggestions, conversation summaries, answers grounded in the team's own
// FAQ entries and articles, and rephrasings of an agent's draft. Nothing
// in Sahay needs it: every feature that uses it works, or is hidden,
// without it.
//
// The client speaks only the request and response shapes every such
// server shares (POST {base}/chat/completions with a bearer key, a model
// and messages; choices[0].message.content back). It bounds the time and
// the size of every answer, and keeps the key out of every error.
package ai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/netguard"
)

// Errors a call can wrap. Each says what went wrong in words an admin can
// act on; none carries the key.
var (
	// ErrNotConfigured says the account has no AI endpoint.
	ErrNotConfigured = errors.New("ai: no AI endpoint is configured")
	// ErrUnauthorized says the endpoint refused the key (401 or 403).
	ErrUnauthorized = errors.New("the AI endpoint refused the API key")
	// ErrRateLimited says the endpoint asked to slow down (429).
	ErrRateLimited = errors.New("the AI endpoint is rate limiting requests")
	// ErrTimeout says the endpoint did not answer in time.
	ErrTimeout = errors.New("the AI endpoint did not answer in time")
	// ErrBadResponse says the answer was not a chat completion.
	ErrBadResponse = errors.New("the AI endpoint's answer is not a chat completion")
	// ErrTooLarge says the answer was larger than [MaxResponseBytes].
	ErrTooLarge = errors.New("the AI endpoint's answer is too large")
	// ErrUnavailable says the endpoint could not be reached or failed.
	ErrUnavailable = errors.New("the AI endpoint is unavailable")
)

// Limits of one call.
const (
	// MaxResponseBytes bounds the body read from the endpoint.
	MaxResponseBytes = 1 << 20
	// Timeout bounds a whole call, connection and answer; a slower model
	// is not worth an agent's wait.
	Timeout = 60 * time.Second
	// MaxModelChars and MaxKeyChars bound the settings.
	MaxModelChars = 200
	MaxKeyChars   = 4096
)

// Config is an account's endpoint.
type Config struct {
	// BaseURL is the API's base, such as https://api.openai.com/v1; the
	// client posts to BaseURL + "/chat/completions".
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (a local server).
	APIKey string
	// Model names the model, such as gpt-4o-mini or llama3.1.
	Model string
	// Timeout bounds a call; 0 means [Timeout].
	Timeout time.Duration
}

// Client calls one endpoint. Create it with [New].
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a client of cfg's endpoint that makes its calls with hc,
// which should be a netguard client: the URL is an admin's.
func New(cfg Config, hc *http.Client) *Client {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = Timeout
	}
	return &Client{cfg: cfg, http: hc}
}

// HTTPClient returns the client for AI endpoints: netguard's (connections
// time out after 10 seconds; unless allowPrivate, nothing of the server's
// own network is reached), waiting for a model's answer up to [Timeout].
func HTTPClient(allowPrivate bool) *http.Client {
	hc := netguard.Client(allowPrivate)
	hc.Timeout = Timeout
	if t, ok := hc.Transport.(*http.Transport); ok {
		t.ResponseHeaderTimeout = Timeout
	}
	return hc
}

// Message is one message of a chat.
type Message struct {
	// Role is "system", "user" or "assistant".
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request tunes a completion; the zero value is the server's defaults.
type Request struct {
	Messages    []Message
	Temperature float64
	// MaxTokens bounds the answer's length; 0 leaves it to the server.
	MaxTokens int
}

type chatRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

type errorResponse struct {
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Complete asks the model and returns its answer's text.
func (c *Client) Complete(ctx context.Context, req Request) (string, error) {
	if c == nil || c.cfg.BaseURL == "" {
		return "", ErrNotConfigured
	}
	body, err := json.Marshal(chatRequest{Model: c.cfg.Model, Messages: req.Messages, Temperature: req.Temperature, MaxTokens: req.MaxTokens})
	if err != nil {
		return "", fmt.Errorf("ai: encode request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("ai: %w: the URL cannot be used", ErrUnavailable)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	if c.cfg.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return "", fmt.Errorf("ai: %w (after %s)", ErrTimeout, c.cfg.Timeout)
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("ai: %w", ctx.Err())
		}
		return "", fmt.Errorf("ai: %w: %s", ErrUnavailable, c.redact(err.Error()))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return "", fmt.Errorf("ai: %w (after %s)", ErrTimeout, c.cfg.Timeout)
		}
		return "", fmt.Errorf("ai: %w: reading the answer: %s", ErrUnavailable, c.redact(err.Error()))
	}
	if len(data) > MaxResponseBytes {
		return "", fmt.Errorf("ai: %w (over %d bytes)", ErrTooLarge, MaxResponseBytes)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		// The server's own message may quote part of the key.
		return "", fmt.Errorf("ai: %w (%s)", ErrUnauthorized, resp.Status)
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", fmt.Errorf("ai: %w%s", ErrRateLimited, c.detail(data))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return "", fmt.Errorf("ai: %w: it answered %s%s", ErrUnavailable, resp.Status, c.detail(data))
	}
	var out chatResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return "", fmt.Errorf("ai: %w: %v", ErrBadResponse, err)
	}
	if len(out.Choices) == 0 || out.Choices[0].Message.Content == nil {
		return "", fmt.Errorf("ai: %w: no choices[0].message.content", ErrBadResponse)
	}
	return strings.TrimSpace(*out.Choices[0].Message.Content), nil
}

// Test checks that the endpoint answers a tiny completion with this
// configuration, and how long it took.
func (c *Client) Test(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	_, err := c.Complete(ctx, Request{MaxTokens: 5, Messages: []Message{
		{Role: "system", Content: "You are a connection test."},
		{Role: "user", Content: "Reply with the single word OK."},
	}})
	return time.Since(start), err
}

// detail is the server's error message, when it sent one in the usual
// shape, cut short and with the key taken out.
func (c *Client) detail(data []byte) string {
	var e errorResponse
	if json.Unmarshal(data, &e) != nil || strings.TrimSpace(e.Error.Message) == "" {
		return ""
	}
	msg := []rune(strings.TrimSpace(e.Error.Message))
	if len(msg) > 200 {
		msg = append(msg[:200], '…')
	}
	return ": " + c.redact(string(msg))
}

// redact takes the key out of a text, in case a server or a transport
// error repeats it.
func (c *Client) redact(s string) string {
	if c.cfg.APIKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.cfg.APIKey, "[key]")
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
