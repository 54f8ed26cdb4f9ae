// Package apitest starts a real Sahay for tests that speak HTTP to it: the
// whole program from [app.Open] on a fresh database behind an
// [httptest.Server], with helpers to create tenants, act as their users and
// read the realtime stream.
//
// The database is SQLite in a temporary directory. Inside [Dialects], which
// runs a test once on each database, a server of the "postgres" run gets a
// schema of its own in the PostgreSQL database of SAHAY_TEST_POSTGRES_URL,
// dropped when the test ends:
//
//	func TestX(t *testing.T) {
//		apitest.Dialects(t, func(t *testing.T, dialect string) {
//			s := apitest.NewServer(t)
//			…
//		})
//	}
package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"

	"github.com/coder/websocket"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop test schemas
)

// PostgresEnv names the environment variable with the URL of a PostgreSQL
// database the tests may create schemas in, for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "SAHAY_TEST_POSTGRES_URL"

// Dialects runs fn as one subtest per database: "sqlite" always, and
// "postgres" when [PostgresEnv] is set (skipped, saying why, otherwise).
// Every server started within a subtest, by the test or a helper it
// calls, uses that subtest's database.
func Dialects(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			if dialect == store.Postgres && os.Getenv(PostgresEnv) == "" {
				t.Skip(PostgresEnv + " not set: PostgreSQL run skipped")
			}
			dialects.Store(t.Name(), dialect)
			t.Cleanup(func() { dialects.Delete(t.Name()) })
			fn(t, dialect)
		})
	}
}

// dialects maps the name of each running [Dialects] subtest to its
// database.
var dialects sync.Map

// dialectOf returns the database of the [Dialects] subtest t is, or runs
// within; SQLite outside of one.
func dialectOf(t testing.TB) string {
	for name := t.Name(); ; {
		if d, ok := dialects.Load(name); ok {
			return d.(string)
		}
		i := strings.LastIndex(name, "/")
		if i < 0 {
			return store.SQLite
		}
		name = name[:i]
	}
}

// Password is the password of every user the helpers create.
const Password = "correct horse battery staple"

// Server is a running Sahay.
type Server struct {
	// URL is the base URL, without a trailing slash.
	URL string
	// App is the running program, for checks that look past the API.
	App *app.App

	client *http.Client
	emails atomic.Int64
}

// NewServer starts Sahay on a fresh database, without the demo workspace,
// and stops it when t ends. Configured URLs may reach private addresses:
// the tests' webhook and push servers listen on loopback.
func NewServer(t testing.TB) *Server {
	t.Helper()
	return NewServerWith(t, Options{})
}

// Options change how [NewServerWith] starts Sahay.
type Options struct {
	// GuardURLs refuses configured URLs of the server's own network, as a
	// production server does.
	GuardURLs bool
	// Env adds SAHAY_* variables to the server's environment, such as
	// SAHAY_ALLOW_SIGNUP=1.
	Env map[string]string
}

// NewServerWith is [NewServer] with options.
func NewServerWith(t testing.TB, o Options) *Server {
	t.Helper()
	logs := &testLog{t: t}
	// Registered first so it runs last: nothing logs to t once it has ended.
	t.Cleanup(logs.stop)

	env := map[string]string{"SAHAY_NO_DEMO": "1", "SAHAY_DATA_DIR": t.TempDir()}
	if !o.GuardURLs {
		env["SAHAY_ALLOW_PRIVATE_URLS"] = "1"
	}
	if dialectOf(t) == store.Postgres {
		env["SAHAY_DATABASE_URL"] = postgresSchema(t, os.Getenv(PostgresEnv))
	}
	// The server listens before it is opened, so its public URL is its
	// own address: links it makes (webhook addresses, file links) reach
	// it.
	var handler http.Handler
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	env["SAHAY_PUBLIC_URL"] = "http://" + hs.Listener.Addr().String()
	maps.Copy(env, o.Env)
	// Only the variables above: the machine's own SAHAY_* settings must not
	// reach a test server.
	cfg, err := config.Parse("sahay-test", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("apitest: config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	a, _, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatalf("apitest: open: %v", err)
	}
	handler = a.Handler()
	hs.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.API.Close(ctx)
		hs.Close()
		if err := a.Close(); err != nil {
			t.Errorf("apitest: close: %v", err)
		}
	})
	client := hs.Client()
	client.Timeout = 30 * time.Second
	return &Server{URL: hs.URL, App: a, client: client}
}

// postgresSchema creates a schema in the database at base and returns a URL
// whose connections use it; the schema is dropped when t ends.
func postgresSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("apitest: postgres: %v", err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("apitest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("apitest: drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("apitest: %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// testLog passes the server's warnings and errors to the test's log until
// the test ends.
type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Log("server: " + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) stop() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
}

// User is a user of the test server with the credentials to act as them.
type User struct {
	*sahay.User
	// Password signs in at /api/v1/auth/login.
	Password string
	// Token is an API token of the user.
	Token string
}

// NewAccount opens an account; its owner, who gets an API token, is
// returned.
func (s *Server) NewAccount(t testing.TB, name string) *User {
	t.Helper()
	ctx := context.Background()
	_, owner, err := s.App.Service.CreateAccount(ctx, name, s.email("owner"), name+" Owner", Password)
	if err != nil {
		t.Fatalf("apitest: create account: %v", err)
	}
	return s.withToken(t, owner)
}

// NewUser adds a user with the role to the account of admin, who must be
// an owner or administrator; the user gets an API token. Each user costs an
// argon2id hash: create a handful, not hundreds.
func (s *Server) NewUser(t testing.TB, admin *User, role string) *User {
	t.Helper()
	ctx := context.Background()
	a, err := s.App.Service.Actor(ctx, admin.User)
	if err != nil {
		t.Fatalf("apitest: actor: %v", err)
	}
	email, name, password := s.email(role), "Test "+role, Password
	u, err := s.App.Service.CreateUser(ctx, a, core.UserInput{Email: &email, Name: &name, Role: &role, Password: &password})
	if err != nil {
		t.Fatalf("apitest: create %s: %v", role, err)
	}
	return s.withToken(t, u)
}

func (s *Server) withToken(t testing.TB, u *sahay.User) *User {
	t.Helper()
	ctx := context.Background()
	a, err := s.App.Service.Actor(ctx, u)
	if err != nil {
		t.Fatalf("apitest: actor: %v", err)
	}
	token, _, err := s.App.Service.CreateAPIToken(ctx, a, "test")
	if err != nil {
		t.Fatalf("apitest: token: %v", err)
	}
	return &User{User: u, Password: Password, Token: token}
}

func (s *Server) email(role string) string {
	return fmt.Sprintf("%s-%d@example.test", role, s.emails.Add(1))
}

// Request is one API call.
type Request struct {
	Method string
	// Path starts with "/", e.g. "/api/v1/inboxes".
	Path string
	// Token, if set, is sent as "Authorization: Bearer <Token>".
	Token string
	// Body is sent as is when it is a string or []byte, as JSON otherwise;
	// nil sends no body.
	Body any
	// Header is added to the request; its Content-Type wins over the
	// default application/json.
	Header  http.Header
	Cookies []*http.Cookie
}

// Response is an answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Cookies are the cookies the response sets.
	Cookies []*http.Cookie
	request string
}

// Do sends r and reads the answer; a transport error fails the test.
func (s *Server) Do(t testing.TB, r Request) *Response {
	t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("apitest: encode body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(r.Method, s.URL+r.Path, body)
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for _, c := range r.Cookies {
		req.AddCookie(c)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("apitest: %s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("apitest: %s %s: read answer: %v", r.Method, r.Path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw, Cookies: resp.Cookies(),
		request: r.Method + " " + r.Path}
}

// Call sends a request with a bearer token and an optional body.
func (s *Server) Call(t testing.TB, token, method, path string, body any) *Response {
	t.Helper()
	return s.Do(t, Request{Method: method, Path: path, Token: token, Body: body})
}

// Must sends a request, fails the test unless the status is want, and
// decodes the answer into out unless out is nil.
func (s *Server) Must(t testing.TB, token, method, path string, body any, want int, out any) *Response {
	t.Helper()
	r := s.Call(t, token, method, path, body)
	if r.Status != want {
		t.Fatalf("%s: status %d, want %d: %s", r.request, r.Status, want, r.Body)
	}
	if out != nil {
		r.Decode(t, out)
	}
	return r
}

// Decode unmarshals the body into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s: decode %q: %v", r.request, r.Body, err)
	}
}

// Error returns the code and message of an error answer; both are empty
// when the body is not the API's error shape.
func (r *Response) Error() (code, message string) {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(r.Body, &e) != nil {
		return "", ""
	}
	return e.Error.Code, e.Error.Message
}

// String describes the response for failure messages.
func (r *Response) String() string {
	body := string(r.Body)
	if len(body) > 300 {
		body = body[:300] + "…"
	}
	return fmt.Sprintf("%s → %d %s", r.request, r.Status, body)
}

// NewInbox connects an inbox of the channel with the given settings as the
// administrator; members, if any, become its agents.
func (s *Server) NewInbox(t testing.TB, admin *User, name, channel string, settings map[string]any, members ...int64) *sahay.Inbox {
	t.Helper()
	body := map[string]any{"name": name, "channel": channel}
	if settings != nil {
		body["settings"] = settings
	}
	var in sahay.Inbox
	s.Must(t, admin.Token, http.MethodPost, "/api/v1/inboxes", body, http.StatusCreated, &in)
	if len(members) > 0 {
		s.Must(t, admin.Token, http.MethodPut, fmt.Sprintf("/api/v1/inboxes/%d/members", in.ID),
			map[string]any{"user_ids": members}, http.StatusOK, &in)
	}
	return &in
}

// Received is the answer of POST /api/v1/inboxes/{id}/messages.
type Received struct {
	Message      sahay.Message      `json:"message"`
	Conversation sahay.Conversation `json:"conversation"`
	Duplicate    bool               `json:"duplicate"`
}

// Receive posts a customer message into an API inbox as the administrator.
func (s *Server) Receive(t testing.TB, admin *User, inboxID int64, contact, content, externalID string) *Received {
	t.Helper()
	var out Received
	body := map[string]any{"contact": map[string]any{"identifier": contact, "name": contact}, "content": content,
		"external_id": externalID}
	s.Must(t, admin.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/messages", inboxID), body, http.StatusCreated, &out)
	return &out
}

// Stream is a realtime WebSocket connection.
type Stream struct {
	conn *websocket.Conn
}

// Dial opens the realtime WebSocket with header (for credentials) and query
// (for example "since=12"). It returns the handshake's answer when the
// server refused the upgrade.
func (s *Server) Dial(t testing.TB, header http.Header, query string) (*Stream, *http.Response, error) {
	t.Helper()
	u := "ws" + strings.TrimPrefix(s.URL, "http") + "/api/v1/realtime"
	if query != "" {
		u += "?" + query
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: header, HTTPClient: s.client})
	if err != nil {
		return nil, resp, err
	}
	c.SetReadLimit(1 << 20)
	st := &Stream{conn: c}
	t.Cleanup(st.Close)
	return st, resp, nil
}

// Connect opens the realtime WebSocket as the holder of token, reads the
// hello and returns the stream with the hello's sequence number.
func (s *Server) Connect(t testing.TB, token, query string) (*Stream, int64) {
	t.Helper()
	st, resp, err := s.Dial(t, http.Header{"Authorization": {"Bearer " + token}}, query)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("apitest: realtime dial (status %d): %v", status, err)
	}
	hello := st.Next(t)
	if hello.Type != "hello" {
		t.Fatalf("apitest: first realtime frame is %q, want hello", hello.Type)
	}
	return st, hello.Seq
}

// Next reads the next frame, failing the test after 10 seconds without
// one. A hello frame has only Type and Seq set.
func (st *Stream) Next(t testing.TB) sahay.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, raw, err := st.conn.Read(ctx)
	if err != nil {
		t.Fatalf("apitest: realtime read: %v", err)
	}
	var ev sahay.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("apitest: realtime frame %q: %v", raw, err)
	}
	return ev
}

// Until reads frames until one satisfies stop, and returns every frame read,
// that one included.
func (st *Stream) Until(t testing.TB, stop func(sahay.Event) bool) []sahay.Event {
	t.Helper()
	var out []sahay.Event
	for {
		ev := st.Next(t)
		out = append(out, ev)
		if stop(ev) {
			return out
		}
	}
}

// Send writes v as a JSON text frame.
func (st *Stream) Send(t testing.TB, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := st.conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("apitest: realtime write: %v", err)
	}
}

// Ended reads frames until the server closes the connection, failing the
// test after 10 seconds, and returns the close status it sent (-1 for
// none).
func (st *Stream) Ended(t testing.TB) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := st.conn.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatal("apitest: the realtime connection is still open")
			}
			return websocket.CloseStatus(err)
		}
	}
}

// Close closes the connection; closing twice is harmless.
func (st *Stream) Close() { st.conn.Close(websocket.StatusNormalClosure, "") }

// Drop closes the connection without a close frame, as a browser tab that
// is killed or a network that goes away does.
func (st *Stream) Drop() { st.conn.CloseNow() }

// WaitScored waits until the scorer has read every account's events, so
// that a test comparing the server's state before and after a request
// does not see the scorer's changes (a message's analysis, a
// conversation's mood and its event) land in between.
func (s *Server) WaitScored(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		backlog, err := s.App.Store.AnalysisBacklogs(context.Background(), 0, 1)
		if err != nil {
			t.Fatalf("apitest: analysis backlog: %v", err)
		}
		if len(backlog) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("apitest: the scorer did not catch up within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
