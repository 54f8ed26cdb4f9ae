// Package metatest is a Graph API server for the tests of the Messenger,
// Instagram and WhatsApp channels. It speaks the endpoints those adapters
// call, with Meta's answers and error bodies (code 190 for a wrong token,
// scripted failures such as 131047 or 130429), records every request it
// receives, and delivers webhooks signed with the app secret as Meta does.
// It also plays Facebook Login for an app (see [Sim.SetApp]): a dialog that
// grants at once, the code and token exchanges, the user's Pages and their
// webhook subscriptions.
package metatest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
)

// Version is the Graph API version in the simulator's URL.
const Version = "v25.0"

// Token is the access token a new simulator accepts.
const Token = "sim-access-token"

// Request is a request the simulator received.
type Request struct {
	Method string
	// Path is below the version: "/PAGE_ID/messages".
	Path   string
	Query  url.Values
	Header http.Header
	// Body is the raw body; JSON is it decoded when it was JSON.
	Body []byte
	JSON map[string]any
	// Form holds the fields of a form or multipart body, Files the files
	// of a multipart one by field name.
	Form  url.Values
	Files map[string]File
}

// Param returns a parameter as Graph reads it: from the query, the form,
// or a JSON body's top level (a string as it is, anything else as JSON).
func (r Request) Param(name string) string {
	if v := r.Query.Get(name); v != "" {
		return v
	}
	if v := r.Form.Get(name); v != "" {
		return v
	}
	switch v := r.JSON[name].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// File is an uploaded or registered file.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Failure is an error answer the simulator gives in place of the next
// matching request's.
type Failure struct {
	// Status is the HTTP status, 400 when 0.
	Status  int
	Code    int
	Subcode int
	Message string
	// Details goes in error_data.details, as WhatsApp sends it.
	Details string
	// RetryAfter, when not 0, is sent as a Retry-After header in seconds.
	RetryAfter int
	// Transient sets is_transient.
	Transient bool
}

type queued struct {
	pattern string
	f       Failure
}

// Sim is a running simulator. Its zero value is not usable: call [New].
type Sim struct {
	// URL is the API's base URL with its version, to set as an inbox's
	// api_base_url.
	URL string
	// Root is the server's address without the version, where media
	// files are served.
	Root string
	// AppSecret signs the webhooks [Sim.Deliver] sends.
	AppSecret string

	srv *httptest.Server

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every request
	token     string
	requests  []Request
	failures  []queued
	next      int
	objects   map[string]map[string]any
	media     map[string]File
	public    map[string]File
	templates map[string][]Template
	commenter map[string]string
	login     login
}

// New starts a simulator whose webhooks are signed with appSecret; it
// accepts the access token [Token] and stops when the test ends.
func New(t interface {
	Cleanup(func())
	Helper()
}, appSecret string) *Sim {
	t.Helper()
	s := &Sim{
		AppSecret: appSecret,
		changed:   make(chan struct{}),
		token:     Token,
		next:      1000,
		objects:   map[string]map[string]any{},
		media:     map[string]File{},
		public:    map[string]File{},
		templates: map[string][]Template{},
		commenter: map[string]string{},
		login: login{codes: map[string]string{}, short: map[string]bool{}, long: map[string]bool{},
			subs: map[string][]string{}},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Root = s.srv.URL
	s.URL = s.srv.URL + "/" + Version
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server at once.
func (s *Sim) Close() { s.srv.Close() }

// SetToken changes the access token the simulator accepts; a request with
// another is refused with Meta's code 190.
func (s *Sim) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// AddObject makes GET /{id} answer with fields (and the id), as "test
// connection" reads a page, an Instagram account or a phone number.
func (s *Sim) AddObject(id string, fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[id] = fields
}

// AddMedia registers a WhatsApp media file: GET /{id} answers its URL on
// the simulator, which serves it to a request with the access token.
func (s *Sim) AddMedia(id, contentType string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[id] = File{Name: id, ContentType: contentType, Data: data}
}

// Media returns a media file, registered or uploaded.
func (s *Sim) Media(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.media[id]
	return f, ok
}

// AddPublicFile serves a file without authentication, as Messenger's and
// Instagram's attachment links are, and returns its URL.
func (s *Sim) AddPublicFile(name, contentType string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.public[name] = File{Name: name, ContentType: contentType, Data: data}
	return s.Root + "/cdn/" + url.PathEscape(name)
}

// AddComment names the author of a comment, who receives a private reply
// to it; unnamed comments have the author "commenter-<comment id>".
func (s *Sim) AddComment(commentID, authorID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commenter[commentID] = authorID
}

// Fail queues an error answer for the next request whose path (below the
// version) matches pattern, as [path.Match] reads it: "/*/messages".
func (s *Sim) Fail(pattern string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, queued{pattern, f})
}

// FailNext queues an error answer with an HTTP status, Meta's code and
// subcode, and message for the next request whose path matches pattern.
func (s *Sim) FailNext(pattern string, status, code, subcode int, message string) {
	s.Fail(pattern, Failure{Status: status, Code: code, Subcode: subcode, Message: message})
}

// Requests returns every request received so far, in order.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Find returns the requests with method (any when "") whose path matches
// pattern ([path.Match]).
func (s *Sim) Find(method, pattern string) []Request {
	return filter(s.Requests(), method, pattern)
}

// Wait waits until n requests match method and pattern, and returns them.
func (s *Sim) Wait(ctx context.Context, method, pattern string, n int) ([]Request, error) {
	for {
		s.mu.Lock()
		found, changed := filter(s.requests, method, pattern), s.changed
		s.mu.Unlock()
		if len(found) >= n {
			return found, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return found, fmt.Errorf("metatest: %d of %d requests %s %s: %w", len(found), n, method, pattern, ctx.Err())
		}
	}
}

func filter(rs []Request, method, pattern string) []Request {
	var out []Request
	for _, r := range rs {
		if ok, _ := path.Match(pattern, r.Path); ok && (method == "" || r.Method == method) {
			out = append(out, r)
		}
	}
	return out
}

// maxBody bounds a request body the simulator reads.
const maxBody = 64 << 20

// record reads a request into a [Request].
func record(r *http.Request, p string) (Request, error) {
	req := Request{Method: r.Method, Path: p, Query: r.URL.Query(), Header: r.Header.Clone(), Form: url.Values{}, Files: map[string]File{}}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return req, err
	}
	req.Body = body
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.Unmarshal(body, &req.JSON); err != nil {
			return req, fmt.Errorf("the body is not a JSON object: %v", err)
		}
	case "application/x-www-form-urlencoded":
		req.Form, err = url.ParseQuery(string(body))
	case "multipart/form-data":
		err = readMultipart(&req, body, params["boundary"])
	}
	return req, err
}

func readMultipart(req *Request, body []byte, boundary string) error {
	r := http.Request{Header: http.Header{"Content-Type": {"multipart/form-data; boundary=" + boundary}}, Body: io.NopCloser(bytes.NewReader(body))}
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return err
		}
		if part.FileName() != "" {
			req.Files[part.FormName()] = File{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data}
		} else {
			req.Form.Add(part.FormName(), string(data))
		}
	}
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request) {
	if name, ok := strings.CutPrefix(r.URL.Path, "/cdn/"); ok {
		s.servePublic(w, name)
		return
	}
	if s.serveLogin(w, r) {
		return
	}
	p, versioned := strings.CutPrefix(r.URL.Path, "/"+Version)
	req, err := record(r, p)
	s.mu.Lock()
	s.requests = append(s.requests, req)
	close(s.changed)
	s.changed = make(chan struct{})
	token, known := s.token, s.tokenKnown(bearer(req))
	s.mu.Unlock()
	if !authorized(r, token) && !known {
		writeError(w, Failure{Status: http.StatusUnauthorized, Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"})
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/media-files/"); ok {
		s.serveMedia(w, id)
		return
	}
	if !versioned || p == "" {
		writeError(w, Failure{Code: 2500, Message: "Unknown path components: " + r.URL.Path})
		return
	}
	if err != nil {
		writeError(w, Failure{Code: 100, Message: "(#100) " + err.Error()})
		return
	}
	if f, ok := s.failure(p); ok {
		writeError(w, f)
		return
	}
	s.route(w, req)
}

func authorized(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		got = r.URL.Query().Get("access_token")
	}
	return got != "" && got == token
}

// failure takes the first queued failure for path p.
func (s *Sim) failure(p string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.failures {
		if ok, _ := path.Match(q.pattern, p); ok {
			s.failures = append(s.failures[:i:i], s.failures[i+1:]...)
			return q.f, true
		}
	}
	return Failure{}, false
}

func (s *Sim) id() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	return fmt.Sprint(s.next)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, f Failure) {
	if f.Status == 0 {
		f.Status = http.StatusBadRequest
	}
	e := map[string]any{"message": f.Message, "type": "OAuthException", "code": f.Code, "fbtrace_id": "SimTrace" + fmt.Sprint(f.Code)}
	if f.Subcode != 0 {
		e["error_subcode"] = f.Subcode
	}
	if f.Details != "" {
		e["error_data"] = map[string]any{"details": f.Details}
	}
	if f.Transient {
		e["is_transient"] = true
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	writeJSON(w, f.Status, map[string]any{"error": e})
}
