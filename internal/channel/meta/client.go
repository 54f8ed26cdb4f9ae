package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/channel"
)

// DefaultBaseURL is the Graph API's address and version; an inbox may name
// another in its api_base_url setting (a simulator in tests).
const DefaultBaseURL = "https://graph.facebook.com/v25.0"

// BaseURLKey is the inbox setting that overrides [DefaultBaseURL].
const BaseURLKey = "api_base_url"

// DefaultTimeout bounds a Graph call whose client names no timeout.
const DefaultTimeout = 30 * time.Second

// transferTimeout bounds an upload or a download of a file.
const transferTimeout = 2 * time.Minute

// maxAnswer bounds a Graph answer read into memory.
const maxAnswer = 4 << 20

// Client calls the Graph API with one access token (a page's, an Instagram
// account's or a WhatsApp system user's). Its errors are classified as
// [Classify] does.
type Client struct {
	// BaseURL is the API's address with its version, without a trailing
	// slash; empty means [DefaultBaseURL].
	BaseURL string
	// Token is sent as "Authorization: Bearer"; empty sends none.
	Token string
	// HTTP makes the requests: for an inbox, a netguard client.
	HTTP *http.Client
	// Timeout bounds each call; 0 means [DefaultTimeout].
	Timeout time.Duration
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

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// Path joins ids and edges into a Graph path, each escaped:
// Path(pageID, "messages") is "/<pageID>/messages".
func Path(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("/" + url.PathEscape(p))
	}
	return b.String()
}

// Do calls the Graph API: method on path (such as Path(id, "messages")),
// with query, with body sent as JSON unless nil, and decodes the answer
// into out unless nil. A refusal is a *[GraphError], classified.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var (
		r           io.Reader
		contentType string
	)
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("meta: %s %s: %w", method, path, err)
		}
		r, contentType = bytes.NewReader(data), "application/json"
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	return c.call(ctx, method, path, query, contentType, r, out)
}

func (c *Client) call(ctx context.Context, method, path string, query url.Values, contentType string, body io.Reader, out any) error {
	target := c.base() + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("meta: %s %s: %w", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	c.authorize(req)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("meta: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("meta: %s %s: read the answer: %w", method, path, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("meta: %s %s: answer over %d bytes", method, path, maxAnswer)
	}
	if resp.StatusCode >= 400 {
		ge := parseError(resp, data)
		ge.Method, ge.Path = method, path
		return Classify(ge)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("meta: %s %s: answer %s is not the Graph API's: %w", method, path, resp.Status, err)
	}
	return nil
}

func (c *Client) authorize(req *http.Request) {
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
}

// FilePart is the file of a multipart upload.
type FilePart struct {
	// Field is the form field: "file" for WhatsApp, "filedata" for
	// Messenger and Instagram.
	Field       string
	Name        string
	ContentType string
	Content     io.Reader
}

// Upload posts fields and a file as multipart/form-data to path, streaming
// the file, and decodes the answer into out: WhatsApp's
// POST /{phone_number_id}/media (messaging_product, type, file) or
// Messenger's POST /{page_id}/message_attachments (message, filedata).
func (c *Client) Upload(ctx context.Context, path string, fields url.Values, file FilePart, out any) error {
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	written := make(chan struct{})
	go func() {
		defer close(written)
		pw.CloseWithError(writeForm(w, fields, file))
	}()
	err := c.call(ctx, http.MethodPost, path, nil, w.FormDataContentType(), pr, out)
	// An answer before the whole body was read (a refusal) stops the writer.
	pr.CloseWithError(errors.New("meta: upload ended"))
	<-written
	return err
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// writeForm writes the fields, in name order, then the file.
func writeForm(w *multipart.Writer, fields url.Values, file FilePart) error {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range fields[k] {
			if err := w.WriteField(k, v); err != nil {
				return err
			}
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`,
		quoteEscaper.Replace(file.Field), quoteEscaper.Replace(file.Name)))
	ct := file.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	part, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, file.Content); err != nil {
		return fmt.Errorf("meta: read the file to upload: %w", err)
	}
	return w.Close()
}

// Download fetches a file Meta named by URL (a WhatsApp media URL), with
// the client's token, refusing one over limit bytes with an error wrapping
// [channel.ErrTooLarge]. Only URLs Meta gave may be passed, since the token
// goes with the request; a client without a token fetches public URLs
// (Messenger's attachment links).
func (c *Client) Download(ctx context.Context, fileURL string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fileURL, nil)
	if err != nil {
		return nil, fmt.Errorf("meta: download: %w", err)
	}
	c.authorize(req)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("meta: download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		ge := parseError(resp, data)
		ge.Method, ge.Path = http.MethodGet, "(download)"
		return nil, Classify(ge)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("meta: download: %w: %d bytes, limit %d", channel.ErrTooLarge, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("meta: download: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("meta: download: %w: over %d bytes", channel.ErrTooLarge, limit)
	}
	return data, nil
}

// Media is what GET /{media_id} says of a WhatsApp media file.
type Media struct {
	ID       string `json:"id"`
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	FileSize int64  `json:"file_size"`
}

// Media returns where a WhatsApp media file can be downloaded from.
func (c *Client) Media(ctx context.Context, id string) (Media, error) {
	var m Media
	if err := c.Do(ctx, http.MethodGet, Path(id), nil, nil, &m); err != nil {
		return Media{}, err
	}
	if m.URL == "" {
		return Media{}, fmt.Errorf("meta: media %s has no url", id)
	}
	return m, nil
}
