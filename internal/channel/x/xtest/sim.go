// Package xtest is an X API server for tests: it answers the v2
// endpoints the "x" channel calls (users/me, direct messages, posts),
// refuses calls without an OAuth 1.0a header, records what was sent, can
// answer 429 with x-rate-limit-reset as X does, and delivers signed
// webhooks and CRC checks to Sahay as X does.
package xtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sahayhq/sahay/internal/channel/x"
)

// Account is the simulated support account.
var Account = x.User{ID: "4337869213", Name: "Harrison Test", Username: "Harris_0ff"}

// Request is a call the server received.
type Request struct {
	Method string
	Path   string
	Body   []byte
	// Authorization is the call's header.
	Authorization string
	// At is when the call was received.
	At time.Time
}

// JSON decodes the request's body.
func (r Request) JSON() map[string]any {
	var v map[string]any
	_ = json.Unmarshal(r.Body, &v)
	return v
}

type failure struct {
	status int
	reset  time.Time
}

// The access token and secret the server takes, the support account's,
// and the app's bearer token.
const (
	BearerToken       = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"
	AccessToken       = "4337869213-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
	AccessTokenSecret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
)

// Server is a running simulator. Its zero value is not usable: call [New].
type Server struct {
	// URL is the server's address; BaseURL, URL with "/2", is what an
	// inbox's api_base_url names.
	URL, BaseURL string
	// ConsumerKey and ConsumerSecret are the app's: calls must be signed
	// with them and [AccessToken], deliveries are signed with the secret.
	ConsumerKey, ConsumerSecret string

	srv *httptest.Server

	mu      sync.Mutex
	changed chan struct{}
	reqs    []Request
	next    int64
	fail    map[string][]failure
	files   map[string][]byte
	nonces  map[string]bool
	// media are the uploaded images by id.
	media map[string]Media
	// webhooks are the app's registered addresses, subscribed the
	// addresses the account is subscribed to, by webhook id.
	webhooks   []x.Registration
	subscribed map[string]bool
}

// Webhooks returns the app's registered webhooks and which of them the
// account is subscribed to.
func (s *Server) Webhooks() ([]x.Registration, map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	subs := map[string]bool{}
	for k, v := range s.subscribed {
		subs[k] = v
	}
	return append([]x.Registration(nil), s.webhooks...), subs
}

// Media is an image uploaded to POST /2/media/upload.
type Media struct {
	Category, Type, Name string
	Data                 []byte
}

// Uploaded returns the image uploaded under id.
func (s *Server) Uploaded(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	return m, ok
}

// New starts a simulator for an app; it stops when the test ends.
func New(t interface {
	Cleanup(func())
	Helper()
}, consumerKey, consumerSecret string) *Server {
	t.Helper()
	s := &Server{ConsumerKey: consumerKey, ConsumerSecret: consumerSecret, changed: make(chan struct{}),
		next: 1700000000000000000, fail: map[string][]failure{}, files: map[string][]byte{}, nonces: map[string]bool{}, media: map[string]Media{}, subscribed: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL, s.BaseURL = s.srv.URL, s.srv.URL+"/2"
	t.Cleanup(s.srv.Close)
	return s
}

// AddFile serves content at the returned address, behind OAuth as X's
// direct message files are.
func (s *Server) AddFile(name string, content []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files["/media/"+name] = content
	return s.URL + "/media/" + name
}

// Fail makes the next call to path (such as
// "/2/dm_conversations/with/3001969357/messages", or a prefix ending in
// "*") answer status; a 429 names reset in x-rate-limit-reset.
func (s *Server) Fail(path string, status int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[path] = append(s.fail[path], failure{status: status, reset: reset})
}

func (s *Server) failureLocked(path string) (failure, bool) {
	for p, fs := range s.fail {
		if len(fs) == 0 || !(p == path || strings.HasSuffix(p, "*") && strings.HasPrefix(path, strings.TrimSuffix(p, "*"))) {
			continue
		}
		s.fail[p] = fs[1:]
		return fs[0], true
	}
	return failure{}, false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	auth := r.Header.Get("Authorization")
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{Method: r.Method, Path: r.URL.Path, Body: body, Authorization: auth, At: time.Now()})
	close(s.changed)
	s.changed = make(chan struct{})
	f, failed := s.failureLocked(r.URL.Path)
	s.next++
	id := strconv.FormatInt(s.next, 10)
	file, isFile := s.files[r.URL.Path]
	s.mu.Unlock()

	if r.URL.Path == "/2/webhooks" || strings.HasPrefix(r.URL.Path, "/2/webhooks/") {
		// Webhooks are the app's: X takes its bearer token for them.
		if auth != "Bearer "+BearerToken {
			writeError(w, http.StatusUnauthorized, "Unauthorized", "app-only authentication (the app's bearer token) is required")
			return
		}
		s.webhook(w, r, body, id)
		return
	}
	if err := s.checkOAuth(r, auth); err != nil {
		writeError(w, http.StatusUnauthorized, "Unauthorized", err.Error())
		return
	}
	if failed {
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("x-rate-limit-limit", "15")
			w.Header().Set("x-rate-limit-remaining", "0")
			w.Header().Set("x-rate-limit-reset", strconv.FormatInt(f.reset.Unix(), 10))
			writeError(w, f.status, "Too Many Requests", "Too Many Requests")
			return
		}
		writeError(w, f.status, "Forbidden", "You are not permitted to perform this action.")
		return
	}
	switch {
	case isFile && r.Method == http.MethodGet:
		_, _ = w.Write(file)
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/me":
		writeJSON(w, map[string]any{"data": Account})
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/2/dm_conversations/with/") && strings.HasSuffix(r.URL.Path, "/messages"):
		participant := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/2/dm_conversations/with/"), "/messages")
		var v struct {
			Text        string `json:"text"`
			Attachments []struct {
				MediaID string `json:"media_id"`
			} `json:"attachments"`
		}
		if json.Unmarshal(body, &v) != nil || v.Text == "" && len(v.Attachments) == 0 {
			writeError(w, http.StatusBadRequest, "Invalid Request", "text or attachments are required")
			return
		}
		if len(v.Attachments) > 1 || len(v.Attachments) == 1 && !s.hasMedia(v.Attachments[0].MediaID, "dm_image") {
			writeError(w, http.StatusBadRequest, "Invalid Request", "attachments: one media uploaded as dm_image")
			return
		}
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, map[string]any{"data": map[string]string{"dm_conversation_id": Account.ID + "-" + participant, "dm_event_id": id}})
	case r.Method == http.MethodPost && r.URL.Path == "/2/tweets":
		var v struct {
			Text  string `json:"text"`
			Reply *struct {
				InReplyTo string `json:"in_reply_to_tweet_id"`
			} `json:"reply"`
			Media *struct {
				IDs []string `json:"media_ids"`
			} `json:"media"`
		}
		if json.Unmarshal(body, &v) != nil || v.Text == "" && v.Media == nil || len([]rune(v.Text)) > 280 {
			writeError(w, http.StatusBadRequest, "Invalid Request", "text must be 1 to 280 characters")
			return
		}
		if v.Media != nil {
			for _, m := range v.Media.IDs {
				if len(v.Media.IDs) > 4 || !s.hasMedia(m, "tweet_image") {
					writeError(w, http.StatusBadRequest, "Invalid Request", "media.media_ids: at most 4 media uploaded as tweet_image")
					return
				}
			}
		}
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, map[string]any{"data": map[string]string{"id": id, "text": v.Text}})
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/2/account_activity/webhooks/") && strings.HasSuffix(r.URL.Path, "/subscriptions/all"):
		hook := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/2/account_activity/webhooks/"), "/subscriptions/all")
		s.mu.Lock()
		known := slices.ContainsFunc(s.webhooks, func(h x.Registration) bool { return h.ID == hook })
		already := s.subscribed[hook]
		if known {
			s.subscribed[hook] = true
		}
		s.mu.Unlock()
		switch {
		case !known:
			writeError(w, http.StatusNotFound, "Not Found Error", "no webhook "+hook)
		case already:
			writeError(w, http.StatusConflict, "DuplicateSubscriptionFailed", "the account is already subscribed")
		default:
			writeJSON(w, map[string]any{"data": map[string]bool{"subscribed": true}})
		}
	case r.Method == http.MethodPost && r.URL.Path == "/2/media/upload":
		m, err := readMedia(r, body)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid Request", err.Error())
			return
		}
		s.mu.Lock()
		s.media[id] = m
		s.mu.Unlock()
		writeJSON(w, map[string]any{"data": map[string]any{"id": id, "media_key": "3_" + id, "size": len(m.Data)}})
	default:
		writeError(w, http.StatusNotFound, "Not Found Error", "no such endpoint "+r.Method+" "+r.URL.Path)
	}
}

// checkOAuth verifies a call's OAuth 1.0a header as X does: the app's
// consumer key and the account's token, HMAC-SHA1, a timestamp within
// five minutes, a nonce not seen before, and the signature of the
// method, address and query under the secrets.
func (s *Server) checkOAuth(r *http.Request, auth string) error {
	rest, ok := strings.CutPrefix(auth, "OAuth ")
	if !ok {
		return fmt.Errorf("no OAuth 1.0a user context header")
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return fmt.Errorf("malformed OAuth parameter %q", part)
		}
		dv, err := url.PathUnescape(v[1 : len(v)-1])
		if err != nil {
			return fmt.Errorf("malformed OAuth parameter %q", part)
		}
		params[k] = dv
	}
	if params["oauth_consumer_key"] != s.ConsumerKey || params["oauth_token"] != AccessToken {
		return fmt.Errorf("unknown consumer key or access token")
	}
	if params["oauth_signature_method"] != "HMAC-SHA1" || params["oauth_version"] != "1.0" {
		return fmt.Errorf("want HMAC-SHA1 and version 1.0")
	}
	ts, err := strconv.ParseInt(params["oauth_timestamp"], 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return fmt.Errorf("oauth_timestamp is not now")
	}
	s.mu.Lock()
	seen := s.nonces[params["oauth_nonce"]]
	s.nonces[params["oauth_nonce"]] = true
	s.mu.Unlock()
	if seen || params["oauth_nonce"] == "" {
		return fmt.Errorf("oauth_nonce used before")
	}
	creds := x.Credentials{ConsumerKey: s.ConsumerKey, ConsumerSecret: s.ConsumerSecret, AccessToken: AccessToken, AccessTokenSecret: AccessTokenSecret}
	want, err := creds.Authorization(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil, params["oauth_nonce"], time.Unix(ts, 0))
	if err != nil {
		return err
	}
	if !strings.Contains(want, `oauth_signature="`+percentEncodeSignature(params["oauth_signature"])+`"`) {
		return fmt.Errorf("could not authenticate you: the OAuth signature does not match")
	}
	return nil
}

// percentEncodeSignature encodes a base64 signature as the header does.
func percentEncodeSignature(sig string) string {
	return strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(sig)
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	writeJSON(w, map[string]any{"title": title, "detail": detail, "type": "about:blank", "status": status})
}

// Find lists the recorded calls of method to path (a prefix when it ends
// in "*").
func (s *Server) Find(method, path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.findLocked(method, path)
}

func (s *Server) findLocked(method, path string) []Request {
	var out []Request
	for _, r := range s.reqs {
		if r.Method == method && (r.Path == path || strings.HasSuffix(path, "*") && strings.HasPrefix(r.Path, strings.TrimSuffix(path, "*"))) {
			out = append(out, r)
		}
	}
	return out
}

// Wait waits until n calls of method to path were received, and returns
// them.
func (s *Server) Wait(ctx context.Context, method, path string, n int) ([]Request, error) {
	for {
		s.mu.Lock()
		got, changed := s.findLocked(method, path), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, fmt.Errorf("xtest: %d calls of %s %s, want %d: %w", len(got), method, path, n, ctx.Err())
		case <-changed:
		}
	}
}

// Deliver posts body to a webhook signed with the app's consumer secret,
// as X does.
func (s *Server) Deliver(hook string, body []byte) (*http.Response, error) {
	return DeliverSigned(hook, body, x.Sign(s.ConsumerSecret, body))
}

// DeliverSigned posts body to a webhook with the given signature header
// (empty: none).
func DeliverSigned(hook string, body []byte, signature string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(x.SignatureHeader, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

// CRC makes X's challenge-response check of a webhook and returns its
// response_token, or an error when the webhook did not answer 200 JSON
// or answered another token than the consumer secret makes.
func (s *Server) CRC(hook, token string) (string, error) {
	resp, err := http.Get(hook + "?crc_token=" + url.QueryEscape(token))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var v struct {
		ResponseToken string `json:"response_token"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("xtest: CRC answered %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return "", fmt.Errorf("xtest: CRC answer: %w", err)
	}
	if want := x.Sign(s.ConsumerSecret, []byte(token)); v.ResponseToken != want {
		return v.ResponseToken, fmt.Errorf("xtest: CRC answered %q, want %q", v.ResponseToken, want)
	}
	return v.ResponseToken, nil
}

func (s *Server) hasMedia(id, category string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	return ok && m.Category == category
}

// readMedia reads an upload as X takes it: multipart/form-data with the
// file in "media" and its media_category.
func readMedia(r *http.Request, body []byte) (Media, error) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return Media{}, fmt.Errorf("the body must be multipart/form-data")
	}
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(8 << 20)
	if err != nil {
		return Media{}, fmt.Errorf("the body must be multipart/form-data: %v", err)
	}
	defer form.RemoveAll()
	var m Media
	if v := form.Value["media_category"]; len(v) == 1 {
		m.Category = v[0]
	}
	if m.Category != "dm_image" && m.Category != "tweet_image" {
		return Media{}, fmt.Errorf("media_category must be one of tweet_image, dm_image, subtitles")
	}
	files := form.File["media"]
	if len(files) != 1 {
		return Media{}, fmt.Errorf("media is required")
	}
	f, err := files[0].Open()
	if err != nil {
		return Media{}, err
	}
	defer f.Close()
	if m.Data, err = io.ReadAll(f); err != nil {
		return Media{}, err
	}
	if len(m.Data) == 0 || len(m.Data) > 5<<20 {
		return Media{}, fmt.Errorf("media must be 1 byte to 5 MB")
	}
	m.Type, m.Name = files[0].Header.Get("Content-Type"), files[0].Filename
	return m, nil
}

// webhook serves the app's webhook management: list, register (one
// address per app, checked with a CRC request first, as X does) and
// check again.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request, body []byte, id string) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2/webhooks":
		hooks, _ := s.Webhooks()
		writeJSON(w, map[string]any{"data": hooks, "meta": map[string]int{"result_count": len(hooks)}})
	case r.Method == http.MethodPost && r.URL.Path == "/2/webhooks":
		var v struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(body, &v) != nil || v.URL == "" {
			writeError(w, http.StatusBadRequest, "Invalid Request", "url is required")
			return
		}
		s.mu.Lock()
		full := len(s.webhooks) > 0
		s.mu.Unlock()
		if full {
			writeError(w, http.StatusForbidden, "Forbidden", "WebhookLimitExceeded: the app has its one webhook")
			return
		}
		if _, err := s.CRC(v.URL, "crc-"+id); err != nil {
			writeError(w, http.StatusBadRequest, "Invalid Request", "CrcValidationFailed: "+err.Error())
			return
		}
		hook := x.Registration{ID: id, URL: v.URL, Valid: true}
		s.mu.Lock()
		s.webhooks = append(s.webhooks, hook)
		s.mu.Unlock()
		writeJSON(w, map[string]any{"data": hook})
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/2/webhooks/"):
		hookID := strings.TrimPrefix(r.URL.Path, "/2/webhooks/")
		s.mu.Lock()
		i := slices.IndexFunc(s.webhooks, func(h x.Registration) bool { return h.ID == hookID })
		var address string
		if i >= 0 {
			address = s.webhooks[i].URL
		}
		s.mu.Unlock()
		if i < 0 {
			writeError(w, http.StatusNotFound, "Not Found Error", "no webhook "+hookID)
			return
		}
		_, err := s.CRC(address, "crc-"+id)
		s.mu.Lock()
		s.webhooks[i].Valid = err == nil
		s.mu.Unlock()
		writeJSON(w, map[string]any{"data": map[string]bool{"attempted": true}})
	default:
		writeError(w, http.StatusNotFound, "Not Found Error", "no such endpoint "+r.Method+" "+r.URL.Path)
	}
}

// Invalidate marks the app's webhooks invalid, as X does when a CRC check
// fails.
func (s *Server) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.webhooks {
		s.webhooks[i].Valid = false
	}
}
