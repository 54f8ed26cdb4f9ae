// Package twiliotest simulates Twilio for tests: its REST API (sending
// messages, placing calls, reading the account, serving customers' files
// and recordings) and its webhook requests, signed as Twilio signs them.
// Calls are driven as Twilio drives them (see [Call]): the simulator
// posts a call's requests and follows the TwiML it is answered with.
package twiliotest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sahayhq/sahay/internal/channel/twilio"
)

// Credentials of the simulated account.
const (
	AccountSID = "AC0123456789abcdef0123456789abcdef"
	AuthToken  = "f00dfeedf00dfeedf00dfeedf00dfeed"
)

// Sent is one message the REST API accepted: its form and SID, and the
// files of an MMS as fetched from its MediaUrl addresses.
type Sent struct {
	SID   string
	Form  url.Values
	Media [][]byte
}

// Request is a webhook request the simulator posted, which a test may
// post again as a platform's retry would.
type Request struct {
	URL  string
	Form url.Values
}

// Failure is an error the REST API answers the next message or call
// with.
type Failure struct {
	HTTPStatus int
	Code       int
	Message    string
	RetryAfter string
}

// Sim is a running simulated Twilio.
type Sim struct {
	URL string

	t      testing.TB
	client *http.Client

	mu         sync.Mutex
	sent       []Sent
	placed     []Sent
	failures   []Failure
	optedOut   map[string]bool
	media      map[string][]byte
	recordings map[string][]byte
	requests   []Request
}

// New starts a simulated Twilio, stopped when t ends.
func New(t testing.TB) *Sim {
	s := &Sim{t: t, optedOut: map[string]bool{}, media: map[string][]byte{}, recordings: map[string][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.messages)
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Calls.json", s.calls)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}", s.account)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Recordings/{file}", s.serveRecording)
	mux.HandleFunc("GET /media/{name}", s.serveMedia)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL, s.client = srv.URL, srv.Client()
	return s
}

// NewSID is a fresh SID with the prefix ("SM", "MM", "CA", "RE").
func NewSID(prefix string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Sent lists the messages the REST API accepted, in order.
func (s *Sim) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Placed lists the calls the REST API placed, in order.
func (s *Sim) Placed() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.placed...)
}

// Requests lists the webhook requests the simulator posted, in order.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Repeat posts a request again, signed, as Twilio's retry would.
func (s *Sim) Repeat(r Request) (*http.Response, error) {
	return s.Post(r.URL, "", AuthToken, r.Form)
}

// Fail makes the next send or call answer the failure.
func (s *Sim) Fail(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// AddMedia serves a customer's file at a media URL, which it returns.
func (s *Sim) AddMedia(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[name] = data
	return s.URL + "/media/" + name
}

func (s *Sim) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	return ok && user == AccountSID && pass == AuthToken
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": message, "status": status})
}

// failed answers the first scripted failure, if any; s.mu is held.
func (s *Sim) failed(w http.ResponseWriter) bool {
	if len(s.failures) == 0 {
		return false
	}
	f := s.failures[0]
	s.failures = s.failures[1:]
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	writeError(w, f.HTTPStatus, f.Code, f.Message)
	return true
}

func (s *Sim) messages(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) || r.PathValue("sid") != AccountSID {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 21100, err.Error())
		return
	}
	// Twilio fetches an MMS's files from their addresses, without
	// credentials, before it accepts the message.
	var media [][]byte
	for _, u := range r.PostForm["MediaUrl"] {
		data, err := fetchMedia(u)
		if err != nil {
			writeError(w, http.StatusBadRequest, 21620, "Invalid media URL(s): "+err.Error())
			return
		}
		media = append(media, data)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed(w) {
		return
	}
	to := r.PostForm.Get("To")
	if s.optedOut[to] {
		writeError(w, http.StatusBadRequest, twilio.CodeUnsubscribed, "Attempt to send to unsubscribed recipient")
		return
	}
	if r.PostForm.Get("From") == "" || to == "" || r.PostForm.Get("Body") == "" && len(media) == 0 {
		writeError(w, http.StatusBadRequest, 21604, "A 'To', 'From' and 'Body' or 'MediaUrl' are required")
		return
	}
	sid := NewSID("SM")
	if len(media) > 0 {
		sid = NewSID("MM")
	}
	s.sent = append(s.sent, Sent{SID: sid, Form: r.PostForm, Media: media})
	n, _ := twilio.Segments(r.PostForm.Get("Body"))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": sid, "status": "queued", "num_segments": fmt.Sprint(n),
		"to": to, "from": r.PostForm.Get("From"), "body": r.PostForm.Get("Body")})
}

// calls places a call: it is recorded, and a test drives it with
// [Sim.Outgoing].
func (s *Sim) calls(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) || r.PathValue("sid") != AccountSID {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 21100, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed(w) {
		return
	}
	f := r.PostForm
	if f.Get("To") == "" || f.Get("From") == "" {
		writeError(w, http.StatusBadRequest, 21201, "No 'To' number is specified")
		return
	}
	if f.Get("Url") == "" && f.Get("Twiml") == "" && f.Get("ApplicationSid") == "" {
		writeError(w, http.StatusBadRequest, 21205, "Url parameter is required")
		return
	}
	sid := NewSID("CA")
	s.placed = append(s.placed, Sent{SID: sid, Form: f})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": sid, "status": "queued", "to": f.Get("To"), "from": f.Get("From"),
		"direction": "outbound-api", "account_sid": AccountSID})
}

func (s *Sim) account(w http.ResponseWriter, r *http.Request) {
	sid, ok := strings.CutSuffix(r.PathValue("sid"), ".json")
	if !ok || !s.authorized(r) || sid != AccountSID {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"sid": AccountSID, "status": "active", "friendly_name": "Shop"})
}

func (s *Sim) serveMedia(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	s.mu.Lock()
	data, ok := s.media[r.PathValue("name")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

// AddRecording keeps a recording Twilio made, served as MP3 at its
// address with ".mp3"; it returns the address, as a RecordingUrl.
func (s *Sim) AddRecording(sid string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recordings[sid] = data
	return s.URL + "/2010-04-01/Accounts/" + AccountSID + "/Recordings/" + sid
}

func (s *Sim) serveRecording(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) || r.PathValue("sid") != AccountSID {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	sid, ok := strings.CutSuffix(r.PathValue("file"), ".mp3")
	s.mu.Lock()
	data, found := s.recordings[sid]
	s.mu.Unlock()
	if !ok || !found {
		writeError(w, http.StatusNotFound, 20404, "The requested resource was not found")
		return
	}
	w.Header().Set("Content-Type", "audio/mpeg")
	w.Write(data)
}

// Post sends a webhook request to hookURL signed with the token, as
// Twilio does; signedURL is the address signed, hookURL's when empty.
func (s *Sim) Post(hookURL, signedURL, token string, form url.Values) (*http.Response, error) {
	resp, _, err := s.post(hookURL, signedURL, token, form)
	return resp, err
}

// PostJSON sends body to hookURL as Twilio sends a JSON webhook: the
// body's SHA-256 in the URL's bodySHA256 parameter, and the URL signed
// with token.
func (s *Sim) PostJSON(hookURL, token string, body []byte) (*http.Response, error) {
	sum := sha256.Sum256(body)
	sep := "?"
	if strings.Contains(hookURL, "?") {
		sep = "&"
	}
	signed := hookURL + sep + "bodySHA256=" + hex.EncodeToString(sum[:])
	req, err := http.NewRequest(http.MethodPost, signed, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(token, signed, nil))
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp, nil
}

// post sends a signed webhook request, records it and returns the
// answer with its body.
func (s *Sim) post(hookURL, signedURL, token string, form url.Values) (*http.Response, []byte, error) {
	if signedURL == "" {
		signedURL = hookURL
	}
	req, err := http.NewRequest(http.MethodPost, hookURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(token, signedURL, form))
	s.mu.Lock()
	s.requests = append(s.requests, Request{URL: hookURL, Form: form})
	s.mu.Unlock()
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// SMS is the form of a customer's message to the number to, as Twilio
// posts it; a STOP keyword also unsubscribes the customer from the
// number, as Twilio's opt-out handling does, and START subscribes them
// again.
func (s *Sim) SMS(sid, from, to, body string, mediaURLs ...string) url.Values {
	switch twilio.ParseKeyword(body) {
	case twilio.KeywordStop:
		s.mu.Lock()
		s.optedOut[from] = true
		s.mu.Unlock()
	case twilio.KeywordStart:
		s.mu.Lock()
		delete(s.optedOut, from)
		s.mu.Unlock()
	}
	n, _ := twilio.Segments(body)
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {AccountSID},
		"From": {from}, "To": {to}, "Body": {body}, "NumSegments": {fmt.Sprint(n)}, "NumMedia": {fmt.Sprint(len(mediaURLs))},
		"SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}, "FromCountry": {"BD"}, "ToCountry": {"BD"}}
	for i, u := range mediaURLs {
		form.Set(fmt.Sprintf("MediaUrl%d", i), u)
		form.Set(fmt.Sprintf("MediaContentType%d", i), "image/jpeg")
	}
	return form
}

// Status posts a delivery status of a sent message to the StatusCallback
// it was sent with, signed with the account's token.
func (s *Sim) Status(m Sent, status, errorCode string) (*http.Response, error) {
	form := url.Values{"MessageSid": {m.SID}, "SmsSid": {m.SID}, "MessageStatus": {status}, "SmsStatus": {status},
		"AccountSid": {AccountSID}, "From": {m.Form.Get("From")}, "To": {m.Form.Get("To")}, "ApiVersion": {"2010-04-01"}}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	cb := m.Form.Get("StatusCallback")
	if cb == "" {
		return nil, fmt.Errorf("twiliotest: message %s was sent without a StatusCallback", m.SID)
	}
	return s.Post(cb, "", AuthToken, form)
}

// fetchMedia reads an MMS file as Twilio does: a plain GET, at most 5 MB.
func fetchMedia(u string) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", u, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 5<<20))
}
