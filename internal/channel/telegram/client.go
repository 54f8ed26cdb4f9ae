package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Bot API's address; an inbox may name another (a
// local Bot API server, or a simulator in tests).
const DefaultBaseURL = "https://api.telegram.org"

// MaxText is the longest text sendMessage takes, in characters.
const MaxText = 4096

// Client calls the Bot API for one bot.
type Client struct {
	// BaseURL is the API's address without a trailing slash; empty means
	// [DefaultBaseURL].
	BaseURL string
	Token   string
	// HTTP makes the requests. Long polling holds a request for as long as
	// its timeout, so the client's own timeout must be longer.
	HTTP *http.Client
}

// APIError is an answer of the Bot API with "ok": false.
type APIError struct {
	Method      string
	Code        int
	Description string
	// RetryAfter is how long the API asks to wait before the next request
	// (with code 429).
	RetryAfter time.Duration
	// MigrateToChatID is the new id of a group that became a supergroup.
	MigrateToChatID int64
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram: %s: %d %s", e.Method, e.Code, e.Description)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Permanent reports whether repeating the same request cannot succeed: a
// bad token, a blocked bot, a chat that no longer exists, a refused body.
// Too many requests, conflicts and server errors are worth another try.
func (e *APIError) Permanent() bool {
	switch e.Code {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 90 * time.Second}
}

// maxResponse bounds an answer: a getUpdates of 100 large updates fits.
const maxResponse = 32 << 20

// call posts params as JSON to a method and decodes its result into out.
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	return c.do(ctx, method, "application/json", bytes.NewReader(body), out)
}

func (c *Client) do(ctx context.Context, method, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base()+"/bot"+c.Token+"/"+method, body)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.redact(err))
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, c.redact(err))
	}
	defer resp.Body.Close()
	var r response
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&r); err != nil {
		return fmt.Errorf("telegram: %s: answer %s is not the Bot API's: %w", method, resp.Status, err)
	}
	if !r.OK {
		e := &APIError{Method: method, Code: r.ErrorCode, Description: r.Description}
		if e.Code == 0 {
			e.Code = resp.StatusCode
		}
		if p := r.Parameters; p != nil {
			e.RetryAfter = time.Duration(p.RetryAfter) * time.Second
			e.MigrateToChatID = p.MigrateToChatID
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("telegram: %s: result: %w", method, err)
	}
	return nil
}

// redact removes the bot token from an error: it is in every request's
// URL, and errors are logged and shown to admins.
func (c *Client) redact(err error) error {
	if c.Token == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, c.Token, "<token>")
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), c.Token, "<token>"))
}

// GetMe returns the bot's own user, and checks the token on the way.
func (c *Client) GetMe(ctx context.Context) (User, error) {
	var u User
	err := c.call(ctx, "getMe", struct{}{}, &u)
	return u, err
}

// SetWebhook asks Telegram to deliver updates to url, with secret in the
// X-Telegram-Bot-Api-Secret-Token header of each delivery.
func (c *Client) SetWebhook(ctx context.Context, hookURL, secret string) error {
	return c.call(ctx, "setWebhook", map[string]any{
		"url":             hookURL,
		"secret_token":    secret,
		"allowed_updates": AllowedUpdates,
	}, nil)
}

// DeleteWebhook stops webhook deliveries, which getUpdates needs.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	return c.call(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil)
}

// GetWebhookInfo reports the webhook Telegram delivers to.
func (c *Client) GetWebhookInfo(ctx context.Context) (WebhookInfo, error) {
	var w WebhookInfo
	err := c.call(ctx, "getWebhookInfo", struct{}{}, &w)
	return w, err
}

// AllowedUpdates are the kinds of update Sahay asks for.
var AllowedUpdates = []string{"message", "edited_message", "business_message", "edited_business_message"}

// GetUpdates long-polls for updates after offset-1, waiting up to timeout.
// Calling it with an offset confirms every update before that offset. The
// updates come back raw, as a webhook would receive each one.
func (c *Client) GetUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]json.RawMessage, error) {
	var raws []json.RawMessage
	err := c.call(ctx, "getUpdates", map[string]any{
		"offset":          offset,
		"timeout":         int(timeout / time.Second),
		"allowed_updates": AllowedUpdates,
	}, &raws)
	return raws, err
}

// SendMessage sends text to a chat, as an answer to replyTo when it is not 0.
func (c *Client) SendMessage(ctx context.Context, chatID int64, text string, replyTo int64) (Message, error) {
	params := map[string]any{"chat_id": chatID, "text": text}
	if replyTo != 0 {
		params["reply_parameters"] = map[string]any{"message_id": replyTo, "allow_sending_without_reply": true}
	}
	var m Message
	err := c.call(ctx, "sendMessage", params, &m)
	return m, err
}

// SendFile uploads a file to a chat: method is "sendPhoto" (field
// "photo") or "sendDocument" (field "document"), with an optional caption.
func (c *Client) SendFile(ctx context.Context, method string, chatID int64, name string, content io.Reader, caption string) (Message, error) {
	field := map[string]string{"sendPhoto": "photo", "sendDocument": "document", "sendVoice": "voice", "sendAudio": "audio", "sendVideo": "video"}[method]
	if field == "" {
		return Message{}, fmt.Errorf("telegram: %s is not a file method", method)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("chat_id", fmt.Sprint(chatID))
	if caption != "" {
		w.WriteField("caption", caption)
	}
	part, err := w.CreateFormFile(field, name)
	if err != nil {
		return Message{}, fmt.Errorf("telegram: %s: %w", method, err)
	}
	if _, err := io.Copy(part, content); err != nil {
		return Message{}, fmt.Errorf("telegram: %s: read the file: %w", method, err)
	}
	if err := w.Close(); err != nil {
		return Message{}, fmt.Errorf("telegram: %s: %w", method, err)
	}
	var m Message
	err = c.do(ctx, method, w.FormDataContentType(), &buf, &m)
	return m, err
}

// GetFile returns where a file can be downloaded from.
func (c *Client) GetFile(ctx context.Context, fileID string) (File, error) {
	var f File
	err := c.call(ctx, "getFile", map[string]any{"file_id": fileID}, &f)
	return f, err
}

// ErrTooLarge is returned by [Client.Download] for a file over its limit.
var ErrTooLarge = errors.New("telegram: file too large")

// Download fetches a file getFile named, refusing one over limit bytes.
func (c *Client) Download(ctx context.Context, f File, limit int64) ([]byte, error) {
	if f.FilePath == "" {
		return nil, fmt.Errorf("telegram: file %s has no path to download", f.FileID)
	}
	if f.FileSize > limit {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, f.FileSize, limit)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base()+"/file/bot"+c.Token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", c.redact(err))
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", c.redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: download %s: %s", f.FileID, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download %s: %w", f.FileID, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}
