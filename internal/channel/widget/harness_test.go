package widget

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// env is a running Sahay with one account, one admin agent and one widget
// inbox, served by an httptest server that mounts the widget's routes and,
// for agents, its agent handlers behind a fake authentication.
type env struct {
	t        *testing.T
	store    *store.Store
	svc      *core.Service
	channels *channel.Registry
	widget   *Server
	srv      *httptest.Server
	// mux serves srv: a test may add the routes of other parts of Sahay.
	mux   *http.ServeMux
	agent *core.Actor
	inbox *sahay.Inbox
	token string
}

func newEnv(t *testing.T, settings string, limits Limits) *env {
	t.Helper()
	return newEnvOn(t, storetest.Open(t, store.SQLite), settings, limits)
}

// newEnvOn is [newEnv] on a store of the test's, such as one of
// storetest.Dialects; the store outlives the env and is closed by its
// opener.
func newEnvOn(t *testing.T, st *store.Store, settings string, limits Limits) *env {
	t.Helper()
	ctx := context.Background()
	box, err := secretbox.New(bytes.Repeat([]byte{7}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	reg := channel.NewRegistry()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: reg, Log: log, Blobs: &blob.Disk{Dir: t.TempDir()}})
	w := New(svc, Config{Log: log, Limits: limits})
	reg.Register(Name, w.Adapter())

	var account sahay.Account
	account.Name = "Nakshi Crafts"
	if _, err := st.Write(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, &account) }); err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUserCLI(ctx, account.ID, "ayesha@example.com", "Ayesha Rahman", sahay.RoleOwner, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	actor, err := svc.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	name := "Website"
	inbox, err := svc.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: Name, Settings: json.RawMessage(settings)})
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseSettings(inbox.Settings)
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	w.Routes(mux)
	for pattern, h := range w.AgentHandlers() {
		mux.Handle(pattern, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if err := h(rw, r, actor); err != nil {
				writeTestError(rw, err)
			}
		}))
	}
	srv := httptest.NewServer(mux)
	e := &env{t: t, store: st, svc: svc, channels: reg, widget: w, srv: srv, mux: mux, agent: actor, inbox: inbox, token: set.WebsiteToken}
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		w.Close()
		svc.Close()
	})
	return e
}

func writeTestError(w http.ResponseWriter, err error) {
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"code": sahay.ErrorCode(err), "message": sahay.ErrorMessage(err)})
}

// call makes a JSON request (a []byte body is sent as it is) and decodes the
// answer into out; it returns the status and the error code of a failed call.
func (e *env) call(method, path, token string, body, out any, header ...string) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if raw, ok := body.([]byte); ok {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		var eb struct {
			Error struct{ Code string } `json:"error"`
		}
		json.Unmarshal(raw, &eb)
		return resp.StatusCode, eb.Error.Code
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, ""
}

// session starts a visitor session.
func (e *env) session(req SessionRequest) SessionResponse {
	e.t.Helper()
	if req.Inbox == "" {
		req.Inbox = e.token
	}
	var s SessionResponse
	if code, ecode := e.call("POST", "/widget/v1/session", "", req, &s); code != 200 {
		e.t.Fatalf("session: %d %s", code, ecode)
	}
	return s
}

// sock is a visitor's socket in a test.
type sock struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

func (e *env) dial(token string, after int64) *sock {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	e.t.Cleanup(cancel)
	url := strings.Replace(e.srv.URL, "http", "ws", 1) + "/widget/v1/ws?token=" + token
	if after > 0 {
		url += "&after=" + strconv.FormatInt(after, 10)
	}
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	e.t.Cleanup(func() { c.CloseNow() })
	return &sock{t: e.t, conn: c, ctx: ctx}
}

func (s *sock) send(f map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(f)
	if err := s.conn.Write(s.ctx, websocket.MessageText, b); err != nil {
		s.t.Fatal(err)
	}
}

// next reads frames until one of type typ arrives (or fails after 10 s).
func (s *sock) next(typ string) map[string]any {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			s.t.Fatalf("waiting for %q: %v", typ, err)
		}
		var f map[string]any
		json.Unmarshal(data, &f)
		if f["t"] == typ {
			return f
		}
	}
}

// nextWhere reads frames until one satisfies ok.
func (s *sock) nextWhere(ok func(map[string]any) bool) map[string]any {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			s.t.Fatalf("waiting for a frame: %v", err)
		}
		var f map[string]any
		json.Unmarshal(data, &f)
		if ok(f) {
			return f
		}
	}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func field(f map[string]any, path ...string) any {
	var v any = f
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }

func decodeJSON(r io.Reader, v any) { json.NewDecoder(r).Decode(v) }
