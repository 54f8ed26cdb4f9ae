package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestEndToEnd starts the built binary on a new data directory and walks
// the path of a first user: log in with the printed demo password, receive
// a customer message through an API channel inbox, see it in the list and
// on the realtime WebSocket, reply, and see the reply delivered to the
// integrator's webhook.
func TestEndToEnd(t *testing.T) {
	bin := binary(t)
	addr := freeAddr(t)
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The integrator's webhook below listens on loopback.
	cmd := exec.CommandContext(ctx, bin, "serve", "-addr", addr, "-data", data, "-allow-private-urls")
	cmd.Env = append(os.Environ(), "SAHAY_DATABASE_URL=", "SAHAY_NATS_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", stderr.String())
		}
	}()
	password := readPassword(t, stdout)
	base := "http://" + addr

	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var login struct {
		User struct{ Email string }
	}
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": "owner@demo.sahay.local", "password": password}, 200, &login)
	if login.User.Email != "owner@demo.sahay.local" {
		t.Fatalf("logged in as %q", login.User.Email)
	}

	delivered := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p map[string]any
		json.NewDecoder(r.Body).Decode(&p)
		if r.Header.Get("X-Sahay-Signature") == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		delivered <- p
	}))
	defer hook.Close()
	var inbox struct{ ID int64 }
	c.do("POST", "/api/v1/inboxes", map[string]any{"name": "Shop app", "channel": "api", "settings": map[string]string{"webhook_url": hook.URL}}, 201, &inbox)

	// Open the agent's realtime stream before the customer writes.
	wsURL := "ws://" + addr + "/api/v1/realtime"
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookieHeader(jar, base)}}})
	if err != nil {
		t.Fatalf("dial realtime: %v", err)
	}
	defer ws.CloseNow()
	var hello struct {
		Type string
		Seq  int64
	}
	readJSON(t, ws, &hello)
	if hello.Type != "hello" {
		t.Fatalf("first frame %+v, want hello", hello)
	}

	var received struct {
		Conversation struct{ ID int64 }
		Duplicate    bool
	}
	msg := map[string]any{"contact": map[string]string{"identifier": "cust-7", "name": "Nusrat"}, "content": "আমার প্যাকেজ কোথায়?", "external_id": "app-msg-1"}
	c.do("POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), msg, 201, &received)
	c.do("POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), msg, 200, &received)
	if !received.Duplicate {
		t.Fatal("the same external_id twice was not reported as a duplicate")
	}

	var list struct {
		Items []struct {
			ID          int64
			LastMessage string `json:"last_message"`
		}
	}
	c.do("GET", fmt.Sprintf("/api/v1/conversations?inbox=%d", inbox.ID), nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].LastMessage != "আমার প্যাকেজ কোথায়?" {
		t.Fatalf("conversation list = %+v", list.Items)
	}
	ev := waitEvent(t, ws, "message.created")
	if ev.ConversationID != received.Conversation.ID {
		t.Fatalf("realtime event for conversation %d, want %d", ev.ConversationID, received.Conversation.ID)
	}
	var msgs struct{ Items []struct{ ID int64 } }
	c.do("GET", fmt.Sprintf("/api/v1/conversations/%d/messages", received.Conversation.ID), nil, 200, &msgs)
	if len(msgs.Items) != 1 {
		t.Fatalf("%d messages stored after a duplicate, want 1", len(msgs.Items))
	}

	var reply struct {
		ID     int64
		Status string
	}
	c.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", received.Conversation.ID), map[string]any{"content": "It left our warehouse today."}, 201, &reply)
	select {
	case p := <-delivered:
		if m, _ := p["message"].(map[string]any); m["content"] != "It left our warehouse today." {
			t.Fatalf("webhook payload %v", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reply never reached the webhook")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got struct {
			Items []struct {
				ID     int64
				Status string
			}
		}
		c.do("GET", fmt.Sprintf("/api/v1/conversations/%d/messages", received.Conversation.ID), nil, 200, &got)
		last := got.Items[len(got.Items)-1]
		if last.ID == reply.ID && last.Status == "sent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reply status %q, want sent", last.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	updated := waitEvent(t, ws, "message.updated")
	if updated.ConversationID != received.Conversation.ID {
		t.Fatalf("message.updated for conversation %d", updated.ConversationID)
	}
}

type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func (c *client) do(method, path string, body any, want int, out any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

type event struct {
	Type           string
	Seq            int64
	ConversationID int64 `json:"conversation_id"`
}

func waitEvent(t *testing.T, ws *websocket.Conn, typ string) event {
	t.Helper()
	for {
		var ev event
		readJSON(t, ws, &ev)
		if ev.Type == typ {
			return ev
		}
	}
}

func readJSON(t *testing.T, ws *websocket.Conn, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("realtime read: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("realtime frame %s: %v", b, err)
	}
}

func cookieHeader(jar http.CookieJar, base string) string {
	req, _ := http.NewRequest("GET", base, nil)
	var parts []string
	for _, c := range jar.Cookies(req.URL) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

var passwordLine = regexp.MustCompile(`with password (\S+)`)

func readPassword(t *testing.T, r io.Reader) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if m := passwordLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p := <-found:
		return p
	case <-time.After(60 * time.Second):
		t.Fatal("the server printed no demo login")
	}
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestFileModes starts the server on a new data directory with the usual
// umask and checks that the directory is its owner's alone and the
// database (with its -wal and -shm files), the key file and a backup are
// readable by their owner only.
func TestFileModes(t *testing.T) {
	bin := binary(t)
	defer syscall.Umask(syscall.Umask(0o022))
	data := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "-addr", freeAddr(t), "-data", data, "-no-demo")
	cmd.Env = append(os.Environ(), "SAHAY_DATABASE_URL=", "SAHAY_NATS_URL=", "SAHAY_SECRET_KEY=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on") {
				close(listening)
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(60 * time.Second):
		t.Fatal("the server never said it was listening")
	}

	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if _, errOut, code := sahay(t, nil, "backup", "-data", data, "-o", copyPath); code != 0 {
		t.Fatalf("backup: status %d: %s", code, errOut)
	}
	want := map[string]os.FileMode{
		data:                                0o700 | os.ModeDir,
		filepath.Join(data, "sahay.db"):     0o600,
		filepath.Join(data, "sahay.db-wal"): 0o600,
		filepath.Join(data, "sahay.db-shm"): 0o600,
		filepath.Join(data, "secret.key"):   0o600,
		copyPath:                            0o600,
	}
	for path, mode := range want {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
			t.Errorf("%s: %v, %v; want %v", path, fi.Mode(), err, mode)
		}
	}
	// Nothing else in the directory is readable by others either.
	filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v", path, fi.Mode())
		}
		return nil
	})
}
