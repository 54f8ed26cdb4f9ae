// Package telegramtest is a Telegram Bot API server for tests: it speaks
// the API's methods, envelopes and errors (429 with retry_after included)
// on a local address, queues updates for getUpdates, delivers them to a
// webhook with the secret header as Telegram does, and records what the
// bot sent.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/channel/telegram"
)

// Sent is a message the bot sent.
type Sent struct {
	Method  string
	ChatID  int64
	Text    string
	ReplyTo int64
	// FileName and File are the upload of sendPhoto or sendDocument.
	FileName  string
	File      []byte
	MessageID int64
}

type failure struct {
	code        int
	description string
	retryAfter  int
}

// Server is a running simulator. Its zero value is not usable: call [New].
type Server struct {
	// URL is the base URL to give a client or an inbox's api_base_url.
	URL string
	// Token is the only bot token the server accepts.
	Token string
	// Bot is the bot's own user, as getMe answers it.
	Bot telegram.User

	srv *httptest.Server

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced when updates or sends change
	updates    []json.RawMessage
	ids        []int64
	nextUpdate int64
	nextMsg    int64
	webhook    string
	secret     string
	sent       []Sent
	calls      map[string]int
	fail       map[string][]failure
	files      map[string][]byte // file_id → content
}

// New starts a simulator for a bot with the given token; it stops when the
// test ends.
func New(t interface {
	Cleanup(func())
	Helper()
}, token string) *Server {
	t.Helper()
	s := &Server{
		Token:      token,
		Bot:        telegram.User{ID: 7000001, IsBot: true, FirstName: "Shop Support", Username: "shop_support_bot"},
		changed:    make(chan struct{}),
		nextUpdate: 10000,
		nextMsg:    500,
		calls:      map[string]int{},
		fail:       map[string][]failure{},
		files:      map[string][]byte{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server at once.
func (s *Server) Close() { s.srv.Close() }

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// AddFile makes content downloadable under fileID, as getFile and the
// file endpoint serve it.
func (s *Server) AddFile(fileID string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = content
}

// Push queues an update for getUpdates. An update_id of 0 is given the
// next number. It returns the update as queued.
func (s *Server) Push(u telegram.Update) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.UpdateID == 0 {
		u.UpdateID = s.nextUpdate
	}
	s.nextUpdate = u.UpdateID + 1
	raw, _ := json.Marshal(u)
	s.updates = append(s.updates, raw)
	s.ids = append(s.ids, u.UpdateID)
	s.notifyLocked()
	return raw
}

// Deliver posts a raw update to the webhook the bot set, with its secret,
// as Telegram does, and returns the status the webhook answered.
func (s *Server) Deliver(ctx context.Context, raw []byte) (int, error) {
	s.mu.Lock()
	hook, secret := s.webhook, s.secret
	s.mu.Unlock()
	if hook == "" {
		return 0, fmt.Errorf("telegramtest: no webhook set")
	}
	return post(ctx, hook, secret, raw)
}

// DeliverTo posts a raw update to url with the given secret header
// (empty: none), for tests of refused deliveries.
func DeliverTo(ctx context.Context, url, secret string, raw []byte) (int, error) {
	return post(ctx, url, secret, raw)
}

func post(ctx context.Context, url, secret string, raw []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Webhook returns the webhook URL and secret the bot set.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// FailNext makes the next call of method answer with an error: code 429
// with retryAfter seconds, or any other code.
func (s *Server) FailNext(method string, code int, description string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method] = append(s.fail[method], failure{code, description, retryAfter})
}

// Sent returns what the bot has sent so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// WaitSent waits until the bot has sent n messages, and returns them.
func (s *Server) WaitSent(ctx context.Context, n int) ([]Sent, error) {
	for {
		s.mu.Lock()
		sent, changed := append([]Sent(nil), s.sent...), s.changed
		s.mu.Unlock()
		if len(sent) >= n {
			return sent, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return sent, fmt.Errorf("telegramtest: %d of %d messages sent: %w", len(sent), n, ctx.Err())
		}
	}
}

// Calls returns how many times method was called.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Pending returns how many queued updates getUpdates has not had confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, description string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": code, "description": description}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	writeJSON(w, code, body)
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if token != s.Token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	params, files, err := readParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	s.mu.Lock()
	s.calls[method]++
	if fs := s.fail[method]; len(fs) > 0 {
		f := fs[0]
		s.fail[method] = fs[1:]
		s.mu.Unlock()
		writeError(w, f.code, f.description, f.retryAfter)
		return
	}
	s.mu.Unlock()
	switch method {
	case "getMe":
		writeResult(w, s.Bot)
	case "setWebhook":
		s.setWebhook(w, params)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook, s.secret = "", ""
		s.mu.Unlock()
		writeResult(w, true)
	case "getWebhookInfo":
		s.mu.Lock()
		info := telegram.WebhookInfo{URL: s.webhook, PendingUpdateCount: len(s.updates)}
		s.mu.Unlock()
		writeResult(w, info)
	case "getUpdates":
		s.getUpdates(w, r, params)
	case "sendMessage", "sendPhoto", "sendDocument":
		s.send(w, method, params, files)
	case "getFile":
		id, _ := params["file_id"].(string)
		s.mu.Lock()
		content, ok := s.files[id]
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusBadRequest, "Bad Request: invalid file_id", 0)
			return
		}
		writeResult(w, telegram.File{FileID: id, FileSize: int64(len(content)), FilePath: "documents/" + id})
	default:
		writeError(w, http.StatusNotFound, "Not Found: method not found", 0)
	}
}

func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	id, ok := strings.CutPrefix(path, "documents/")
	s.mu.Lock()
	content, found := s.files[id]
	s.mu.Unlock()
	if token != s.Token || !ok || !found {
		http.NotFound(w, nil)
		return
	}
	w.Write(content)
}

func (s *Server) setWebhook(w http.ResponseWriter, params map[string]any) {
	url, _ := params["url"].(string)
	secret, _ := params["secret_token"].(string)
	if url != "" && !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://127.0.0.1") && !strings.HasPrefix(url, "http://localhost") {
		writeError(w, http.StatusBadRequest, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook", 0)
		return
	}
	for _, r := range secret {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') || len(secret) > 256 {
			writeError(w, http.StatusBadRequest, "Bad Request: secret token contains unallowed characters", 0)
			return
		}
	}
	s.mu.Lock()
	s.webhook, s.secret = url, secret
	s.mu.Unlock()
	writeResult(w, true)
}

// getUpdates answers as the Bot API does: an offset confirms every update
// before it; with a timeout it waits for one to arrive.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, params map[string]any) {
	offset := int64(number(params["offset"]))
	timeout := time.Duration(number(params["timeout"])) * time.Second
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		if s.webhook != "" {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0)
			return
		}
		if offset > 0 {
			keep := 0
			for i, id := range s.ids {
				if id >= offset {
					s.ids[keep], s.updates[keep] = id, s.updates[i]
					keep++
				}
			}
			s.ids, s.updates = s.ids[:keep], s.updates[:keep]
		}
		if len(s.updates) > 0 || timeout == 0 {
			out := append([]json.RawMessage{}, s.updates[:min(100, len(s.updates))]...)
			s.mu.Unlock()
			writeResult(w, out)
			return
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) send(w http.ResponseWriter, method string, params map[string]any, files map[string]upload) {
	chatID := int64(number(params["chat_id"]))
	if chatID == 0 {
		writeError(w, http.StatusBadRequest, "Bad Request: chat_id is empty", 0)
		return
	}
	if chatID == BlockedChat {
		writeError(w, http.StatusForbidden, "Forbidden: bot was blocked by the user", 0)
		return
	}
	sent := Sent{Method: method, ChatID: chatID}
	switch method {
	case "sendMessage":
		sent.Text, _ = params["text"].(string)
		if strings.TrimSpace(sent.Text) == "" {
			writeError(w, http.StatusBadRequest, "Bad Request: message text is empty", 0)
			return
		}
		if utf8.RuneCountInString(sent.Text) > telegram.MaxText {
			writeError(w, http.StatusBadRequest, "Bad Request: message is too long", 0)
			return
		}
		if rp, ok := params["reply_parameters"].(map[string]any); ok {
			sent.ReplyTo = int64(number(rp["message_id"]))
		}
	default:
		field := map[string]string{"sendPhoto": "photo", "sendDocument": "document"}[method]
		f, ok := files[field]
		if !ok {
			writeError(w, http.StatusBadRequest, "Bad Request: there is no "+field+" in the request", 0)
			return
		}
		sent.FileName, sent.File = f.name, f.content
		sent.Text, _ = params["caption"].(string)
	}
	s.mu.Lock()
	s.nextMsg++
	sent.MessageID = s.nextMsg
	s.sent = append(s.sent, sent)
	s.notifyLocked()
	s.mu.Unlock()
	bot := s.Bot
	writeResult(w, telegram.Message{MessageID: sent.MessageID, From: &bot, Chat: telegram.Chat{ID: chatID, Type: "private"},
		Date: time.Now().Unix(), Text: sent.Text})
}

// BlockedChat is a chat id whose user has blocked the bot: sends to it are
// refused with 403, as Telegram refuses them.
const BlockedChat = 666

type upload struct {
	name    string
	content []byte
}

// readParams reads a method's parameters from a JSON, form or multipart
// body, as the Bot API accepts all three.
func readParams(r *http.Request) (map[string]any, map[string]upload, error) {
	params := map[string]any{}
	files := map[string]upload{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&params); err != nil && err != io.EOF {
			return nil, nil, err
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(50 << 20); err != nil {
			return nil, nil, err
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			content, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			files[k] = upload{name: fhs[0].Filename, content: content}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
	}
	return params, files, nil
}

// number reads a parameter that JSON sends as a number and a form as a string.
func number(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case string:
		f, _ := strconv.ParseFloat(n, 64)
		return f
	}
	return 0
}
