package x

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
)

// DefaultBaseURL is the X API's address with its version; an inbox may
// name another in its api_base_url setting (a simulator in tests).
const DefaultBaseURL = "https://api.x.com/2"

// timeout bounds one API call.
const timeout = 30 * time.Second

// maxAnswer bounds an API answer read into memory.
const maxAnswer = 1 << 20

// defaultRetry is how long to wait after a 429 that names no reset time:
// X counts its DM limits per 15 minutes.
const defaultRetry = 15 * time.Minute

// Client calls the X API v2 with OAuth 1.0a user context.
type Client struct {
	// BaseURL is the API's address with its version, without a trailing
	// slash; empty means [DefaultBaseURL].
	BaseURL     string
	Credentials Credentials
	// HTTP makes the requests: for an inbox, a netguard client.
	HTTP *http.Client
	// Now is the clock a rate limit's reset time is read against; nil is
	// time.Now.
	Now func() time.Time
	// Bearer is the app's bearer token, for the calls X takes with
	// app-only authentication (managing webhooks); empty when the inbox
	// has none.
	Bearer string
}

// APIError is a refusal of the X API.
type APIError struct {
	Method, Path string
	Status       int
	// Detail is what X said of it.
	Detail string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("x: %s %s: %d %s", e.Method, e.Path, e.Status, e.Detail)
}

// Do calls method on path (such as "/users/me") with body sent as JSON
// unless nil, and decodes the answer into out unless nil. A 429 is a
// [channel.RetryAfter] until X's x-rate-limit-reset; a refusal of the
// credentials or of the app's access is [channel.Permanent]; 5xx and
// network failures are retried.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if body == nil {
		return c.send(ctx, method, path, "", nil, out, false)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("x: %s %s: %w", method, path, err)
	}
	return c.send(ctx, method, path, "application/json", data, out, false)
}

// DoApp is [Client.Do] with app-only authentication, the app's bearer
// token.
func (c *Client) DoApp(ctx context.Context, method, path string, body, out any) error {
	if c.Bearer == "" {
		return channel.Permanent(errors.New("x: the inbox has no bearer token for app-only calls"))
	}
	var data []byte
	contentType := ""
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return fmt.Errorf("x: %s %s: %w", method, path, err)
		}
		contentType = "application/json"
	}
	return c.send(ctx, method, path, contentType, data, out, true)
}

// send is [Client.Do] with a body of contentType already encoded; a
// body that is not a form is not part of the OAuth signature. app calls
// with the bearer token instead of the account's signature.
func (c *Client) send(ctx context.Context, method, path, contentType string, body []byte, out any, app bool) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	target := c.base() + path
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return fmt.Errorf("x: %s %s: %w", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if app {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	} else {
		auth, err := c.Credentials.Sign(method, target, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("x: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("x: %s %s: read the answer: %w", method, path, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("x: %s %s: answer over %d bytes", method, path, maxAnswer)
	}
	if resp.StatusCode >= 400 {
		return c.classify(&APIError{Method: method, Path: path, Status: resp.StatusCode, Detail: detail(data)}, resp.Header)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("x: %s %s: answer %s is not the X API's: %w", method, path, resp.Status, err)
	}
	return nil
}

// classify gives a refusal its retry rule and words an agent understands.
func (c *Client) classify(e *APIError, h http.Header) error {
	switch {
	case e.Status == http.StatusTooManyRequests:
		return channel.RetryAfter(fmt.Errorf("X's rate limit for this account or app is reached: %w", e), c.untilReset(h))
	case e.Status == http.StatusUnauthorized:
		return channel.Permanent(fmt.Errorf("X refused the inbox's credentials (consumer key and secret, access token and secret): check them and regenerate the access token if needed: %w", e))
	case e.Status == http.StatusForbidden && strings.HasPrefix(e.Path, "/dm_conversations"):
		return channel.Permanent(fmt.Errorf("the X API access of this app cannot send direct messages to this person: the app needs Read, write and Direct Messages permission and X API credits, and the person must accept messages from the account: %w", e))
	case e.Status == http.StatusForbidden:
		return channel.Permanent(fmt.Errorf("the X API access of this app does not allow this (its permissions, its credits, or the post's reply settings): %w", e))
	case e.Status >= 500:
		return e
	}
	return channel.Permanent(e)
}

// untilReset reads x-rate-limit-reset, seconds since 1970.
func (c *Client) untilReset(h http.Header) time.Duration {
	n, err := strconv.ParseInt(h.Get("x-rate-limit-reset"), 10, 64)
	if err != nil {
		return defaultRetry
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	d := time.Unix(n, 0).Sub(now())
	if d < time.Second {
		d = time.Second
	}
	if d > 24*time.Hour {
		d = 24 * time.Hour
	}
	return d
}

// detail is what an error answer says: v2's title and detail, or the
// messages of its errors.
func detail(data []byte) string {
	var v struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Errors []struct {
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &v) != nil {
		s := strings.TrimSpace(string(data))
		if len(s) > 200 {
			s = s[:200]
		}
		return s
	}
	parts := []string{}
	for _, s := range []string{v.Title, v.Detail} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	for _, e := range v.Errors {
		if m := cmp.Or(e.Message, e.Detail); m != "" {
			parts = append(parts, m)
		}
	}
	return strings.Join(parts, ": ")
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
	return http.DefaultClient
}

// User is an X account.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// Me reads the account the access token acts for: GET /users/me.
func (c *Client) Me(ctx context.Context) (User, error) {
	var out struct {
		Data User `json:"data"`
	}
	if err := c.Do(ctx, http.MethodGet, "/users/me", nil, &out); err != nil {
		return User{}, err
	}
	return out.Data, nil
}

// SendDM sends a direct message to a person: POST
// /dm_conversations/with/:participant_id/messages. It returns the
// message's dm_event_id.
func (c *Client) SendDM(ctx context.Context, participantID, text, mediaID string) (string, error) {
	var out struct {
		Data struct {
			DMEventID string `json:"dm_event_id"`
		} `json:"data"`
	}
	path := "/dm_conversations/with/" + url.PathEscape(participantID) + "/messages"
	body := map[string]any{}
	if text != "" {
		body["text"] = text
	}
	if mediaID != "" {
		body["attachments"] = []map[string]string{{"media_id": mediaID}}
	}
	if err := c.Do(ctx, http.MethodPost, path, body, &out); err != nil {
		return "", err
	}
	if out.Data.DMEventID == "" {
		return "", errors.New("x: the direct message was sent but X named no dm_event_id")
	}
	return out.Data.DMEventID, nil
}

// Reply posts text, with the images mediaIDs, in answer to a post: POST
// /tweets with reply.in_reply_to_tweet_id. It returns the new post's id.
func (c *Client) Reply(ctx context.Context, postID, text string, mediaIDs []string) (string, error) {
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	body := map[string]any{"reply": map[string]string{"in_reply_to_tweet_id": postID}}
	if text != "" {
		body["text"] = text
	}
	if len(mediaIDs) > 0 {
		body["media"] = map[string]any{"media_ids": mediaIDs}
	}
	if err := c.Do(ctx, http.MethodPost, "/tweets", body, &out); err != nil {
		return "", err
	}
	if out.Data.ID == "" {
		return "", errors.New("x: the reply was posted but X named no id")
	}
	return out.Data.ID, nil
}

// Media categories of [Client.UploadMedia].
const (
	MediaDM   = "dm_image"
	MediaPost = "tweet_image"
)

// UploadMedia uploads one image for a direct message ([MediaDM]) or a
// post ([MediaPost]): POST /media/upload as multipart/form-data, the file
// in its media part. It returns the media's id.
func (c *Client) UploadMedia(ctx context.Context, category, contentType, name string, data []byte) (string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("media_category", category)
	mw.WriteField("media_type", contentType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename=%q`, name))
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", fmt.Errorf("x: upload %s: %w", name, err)
	}
	part.Write(data)
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("x: upload %s: %w", name, err)
	}
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := c.send(ctx, http.MethodPost, "/media/upload", mw.FormDataContentType(), body.Bytes(), &out, false); err != nil {
		return "", err
	}
	if out.Data.ID == "" {
		return "", errors.New("x: the image was uploaded but X named no media id")
	}
	return out.Data.ID, nil
}

// Registration is a webhook address registered for the app.
type Registration struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Valid bool   `json:"valid"`
}

// Webhooks lists the app's webhooks: GET /webhooks (app-only).
func (c *Client) Webhooks(ctx context.Context) ([]Registration, error) {
	var out struct {
		Data []Registration `json:"data"`
	}
	if err := c.DoApp(ctx, http.MethodGet, "/webhooks", nil, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// AddWebhook registers an address for the app's deliveries: POST
// /webhooks (app-only). X checks it with a CRC request before it
// answers.
func (c *Client) AddWebhook(ctx context.Context, address string) (Registration, error) {
	var out struct {
		Data Registration `json:"data"`
	}
	if err := c.DoApp(ctx, http.MethodPost, "/webhooks", map[string]string{"url": address}, &out); err != nil {
		return Registration{}, err
	}
	if out.Data.ID == "" {
		return Registration{}, errors.New("x: the webhook was registered but X named no id")
	}
	return out.Data, nil
}

// RecheckWebhook asks X to check a webhook again (a CRC request) and mark
// it valid: PUT /webhooks/:id (app-only).
func (c *Client) RecheckWebhook(ctx context.Context, id string) error {
	return c.DoApp(ctx, http.MethodPut, "/webhooks/"+url.PathEscape(id), nil, nil)
}

// Subscribe has the account's activity delivered to a webhook: POST
// /account_activity/webhooks/:id/subscriptions/all (the account's own
// authorization).
func (c *Client) Subscribe(ctx context.Context, webhookID string) error {
	return c.Do(ctx, http.MethodPost, "/account_activity/webhooks/"+url.PathEscape(webhookID)+"/subscriptions/all", nil, nil)
}
