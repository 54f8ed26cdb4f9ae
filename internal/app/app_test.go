package app_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	_ "github.com/jackc/pgx/v5/stdlib"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/demo"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// freshSchema returns a URL of the test PostgreSQL database whose
// search_path is a new, empty schema, dropped when the test ends.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("app_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func node(t *testing.T, dbURL, natsURL string) (*app.App, *httptest.Server, string) {
	t.Helper()
	cfg, err := config.Parse("test", []string{"-data", t.TempDir()}, func(k string) string {
		return map[string]string{"SAHAY_DATABASE_URL": dbURL, "SAHAY_NATS_URL": natsURL, "SAHAY_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	a, login, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	password := ""
	if login != nil {
		password = login.Password
	}
	return a, srv, password
}

func call(t *testing.T, method, url, token string, body any, want int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, raw)
	}
	if out != nil {
		json.Unmarshal(raw, out)
	}
}

// twoNodes starts two Sahay nodes on one fresh PostgreSQL schema with NATS
// between them, and returns them with an API token of the demo owner; it
// skips the test unless both services are configured.
func twoNodes(t *testing.T) (srvA, srvB *httptest.Server, token string) {
	t.Helper()
	pg, nats := os.Getenv("SAHAY_TEST_POSTGRES_URL"), os.Getenv("SAHAY_TEST_NATS_URL")
	if pg == "" || nats == "" {
		t.Skip("SAHAY_TEST_POSTGRES_URL and SAHAY_TEST_NATS_URL not both set: multi-node test skipped")
	}
	dbURL := freshSchema(t, pg)
	a, srvA, password := node(t, dbURL, nats)
	_, srvB, _ = node(t, dbURL, nats)
	if password == "" {
		t.Fatal("the first node did not seed the demo workspace")
	}
	token, _, err := a.Service.CreateAPITokenCLI(context.Background(), "owner@demo.sahay.local", "test")
	if err != nil {
		t.Fatal(err)
	}
	return srvA, srvB, token
}

// TestTwoNodes runs two Sahay nodes on one PostgreSQL database with NATS
// between them: a customer message received by one node reaches an agent
// connected to the other, and an agent who reconnects to the first node
// resumes without missing what happened meanwhile.
func TestTwoNodes(t *testing.T) {
	srvA, srvB, token := twoNodes(t)
	var inbox struct{ ID int64 }
	call(t, "POST", srvA.URL+"/api/v1/inboxes", token, map[string]any{"name": "App", "channel": "api"}, 201, &inbox)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dial := func(srv *httptest.Server, since int64) *websocket.Conn {
		url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/v1/realtime"
		if since >= 0 {
			url += fmt.Sprintf("?since=%d", since)
		}
		c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	type frame struct {
		Type string
		Seq  int64
		Data json.RawMessage
	}
	read := func(c *websocket.Conn) frame {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var f frame
		json.Unmarshal(b, &f)
		return f
	}
	wsB := dial(srvB, -1)
	defer wsB.CloseNow()
	hello := read(wsB)
	post := func(n int) {
		call(t, "POST", fmt.Sprintf("%s/api/v1/inboxes/%d/messages", srvA.URL, inbox.ID), token,
			map[string]any{"contact": map[string]string{"identifier": "c1"}, "content": fmt.Sprintf("message %d", n), "external_id": fmt.Sprintf("m%d", n)}, 201, nil)
	}
	post(1)
	var last int64 = hello.Seq
	for {
		f := read(wsB)
		if f.Seq != last+1 {
			t.Fatalf("node B delivered seq %d after %d", f.Seq, last)
		}
		last = f.Seq
		if f.Type == "message.created" && strings.Contains(string(f.Data), "message 1") {
			break
		}
	}
	wsB.Close(websocket.StatusNormalClosure, "")
	post(2)
	post(3)
	wsA := dial(srvA, last)
	defer wsA.CloseNow()
	read(wsA) // hello
	seen := 0
	for seen < 2 {
		f := read(wsA)
		if f.Seq != last+1 {
			t.Fatalf("resumed stream delivered seq %d after %d", f.Seq, last)
		}
		last = f.Seq
		if f.Type == "message.created" {
			seen++
		}
	}
}

// TestHealth checks the probes and that a second start on an existing data
// directory neither reseeds nor loses data.
func TestHealth(t *testing.T) {
	data := t.TempDir()
	open := func() (*app.App, string) {
		cfg, err := config.Parse("test", []string{"-data", data}, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		a, login, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		pw := ""
		if login != nil {
			pw = login.Password
		}
		return a, pw
	}
	a, password := open()
	if password == "" {
		t.Fatal("no demo workspace on a new data directory")
	}
	srv := httptest.NewServer(a.Handler())
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	resp, _ := http.Get(srv.URL + "/api/v1/nope")
	if resp.StatusCode != 404 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("unknown API route: %d, headers %v", resp.StatusCode, resp.Header)
	}
	demoWidgetIsTitledAfterTheShop(t, a, srv.URL)
	srv.Close()
	a.Close()

	a, password = open()
	defer a.Close()
	if password != "" {
		t.Fatal("the demo workspace was seeded again on an existing data directory")
	}
	accounts, err := a.Store.Accounts(context.Background())
	if err != nil || len(accounts) != 1 {
		t.Fatalf("accounts after restart: %d, %v", len(accounts), err)
	}
}

// demoWidgetIsTitledAfterTheShop checks that a visitor of the demo shop sees
// the shop's name above the chat, not the channel's.
func demoWidgetIsTitledAfterTheShop(t *testing.T, a *app.App, base string) {
	t.Helper()
	token, _, err := a.Service.CreateAPITokenCLI(context.Background(), demo.OwnerEmail, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, websiteToken := widgetInbox(t, base, token)
	var session struct {
		Settings struct{ Title string }
	}
	call(t, "POST", base+"/widget/v1/session", "", map[string]any{"inbox": websiteToken}, 200, &session)
	if session.Settings.Title != demo.ShopName {
		t.Fatalf("the demo widget is titled %q, want %q", session.Settings.Title, demo.ShopName)
	}
}

// TestTwoNodesShareLiveVisitors: a website visitor connected to one node is
// listed by the other, and an agent there can start a chat that reaches
// the visitor's socket.
func TestTwoNodesShareLiveVisitors(t *testing.T) {
	srvA, srvB, token := twoNodes(t)
	inboxID, websiteToken := widgetInbox(t, srvA.URL, token)
	var session struct {
		Token   string
		Visitor struct{ ID string }
	}
	call(t, "POST", srvA.URL+"/widget/v1/session", "", map[string]any{"inbox": websiteToken}, 200, &session)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srvA.URL, "http")+"/widget/v1/ws?token="+session.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	page, _ := json.Marshal(map[string]any{"t": "page", "page": map[string]string{"url": "https://shop.example/checkout", "title": "Checkout"}})
	if err := ws.Write(ctx, websocket.MessageText, page); err != nil {
		t.Fatal(err)
	}

	var live struct {
		Visitors []struct {
			ID     string
			Online bool
			Page   struct{ Title string }
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		call(t, "GET", fmt.Sprintf("%s/api/v1/inboxes/%d/visitors", srvB.URL, inboxID), token, nil, 200, &live)
		if len(live.Visitors) == 1 && live.Visitors[0].Page.Title == "Checkout" && live.Visitors[0].Online {
			break
		}
		if time.Now().After(deadline) {
			var onA struct{ Visitors []any }
			call(t, "GET", fmt.Sprintf("%s/api/v1/inboxes/%d/visitors", srvA.URL, inboxID), token, nil, 200, &onA)
			_, b, rerr := ws.Read(ctx)
			t.Fatalf("node B lists %+v, want the visitor on node A at Checkout; node A lists %+v; socket %s %v", live.Visitors, onA.Visitors, b, rerr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if live.Visitors[0].ID != session.Visitor.ID {
		t.Fatalf("node B lists visitor %q, want %q", live.Visitors[0].ID, session.Visitor.ID)
	}
	call(t, "POST", fmt.Sprintf("%s/api/v1/inboxes/%d/visitors/%s/chat", srvB.URL, inboxID, url.PathEscape(session.Visitor.ID)), token,
		map[string]string{"content": "Need a hand with checkout?"}, 200, nil)
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting on node A for the chat node B started: %v", err)
		}
		if strings.Contains(string(b), "Need a hand with checkout?") {
			break
		}
	}
}

// TestWebhookToPrivateAddressRefusedWhenCalled saves a webhook on the
// server's own network while the operator allows it, then restarts without
// the allowance: the reply fails for good at the dialer and the webhook is
// never called, the same refusal a name that rebinds to a private address
// meets.
func TestWebhookToPrivateAddressRefusedWhenCalled(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	calls := make(chan struct{}, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls <- struct{}{} }))
	defer hook.Close()
	open := func(allow string) *app.App {
		cfg, err := config.Parse("test", []string{"-data", data, "-no-demo"}, func(k string) string {
			return map[string]string{"SAHAY_ALLOW_PRIVATE_URLS": allow}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// reply posts an agent's reply in the conversation and waits for its
	// delivery to end in status.
	reply := func(a *app.App, ownerID, conversationID int64, status string) *sahay.Message {
		t.Helper()
		owner, err := a.Store.UserByID(ctx, ownerID)
		if err != nil {
			t.Fatal(err)
		}
		actor, err := a.Service.Actor(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		m, err := a.Service.PostMessage(ctx, actor, conversationID, core.NewMessage{Content: "on its way"})
		if err != nil {
			t.Fatal(err)
		}
		storetest.Eventually(t, 10*time.Second, "the reply to be "+status, func() bool {
			if m, err = a.Store.Message(ctx, m.AccountID, m.ID); err != nil {
				t.Fatal(err)
			}
			return m.Status == status
		})
		return m
	}

	a := open("1")
	_, owner, err := a.Service.CreateAccount(ctx, "Shop", "owner@example.com", "Owner", "password1")
	if err != nil {
		t.Fatal(err)
	}
	actor, err := a.Service.Actor(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	name := "App"
	inbox, err := a.Service.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: apichannel.Name,
		Settings: json.RawMessage(fmt.Sprintf(`{"webhook_url":%q}`, hook.URL))})
	if err != nil {
		t.Fatalf("saving a loopback webhook with private URLs allowed: %v", err)
	}
	r, err := a.Service.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c1", ExternalID: "m1", Content: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	reply(a, owner.ID, r.Conversation.ID, sahay.DeliverySent)
	<-calls
	a.Close()

	a = open("")
	defer a.Close()
	m := reply(a, owner.ID, r.Conversation.ID, sahay.DeliveryFailed)
	if !strings.Contains(m.Error, "not a public address") {
		t.Errorf("failed reply's error = %q, want it to say the address is not public", m.Error)
	}
	select {
	case <-calls:
		t.Error("the guarded server called the loopback webhook")
	default:
	}
}

// TestSlowBodiesClosed starts the real server with a one-second body
// timeout and checks that connections trickling a body a byte at a time are
// closed, while a body arriving steadily over longer than the timeout and a
// quiet WebSocket are served.
func TestSlowBodiesClosed(t *testing.T) {
	cfg, err := config.Parse("test", []string{"-data", t.TempDir(), "-addr", "127.0.0.1:0", "-no-demo"}, func(k string) string {
		return map[string]string{"SAHAY_BODY_TIMEOUT": "1s"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	addrc, served := make(chan string, 1), make(chan error, 1)
	go func() { served <- a.Serve(ctx, func(addr string) { addrc <- addr }) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	addr := <-addrc
	head := "POST /api/v1/auth/login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"

	t.Run("trickled-bodies", func(t *testing.T) {
		const conns = 10
		closed := make(chan time.Duration, conns)
		start := time.Now()
		for range conns {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			fmt.Fprintf(c, head, 100000)
			go func() {
				// A byte every 300 ms, until the server hangs up.
				for {
					if _, err := c.Write([]byte{' '}); err != nil {
						return
					}
					time.Sleep(300 * time.Millisecond)
				}
			}()
			go func() {
				io.Copy(io.Discard, c)
				closed <- time.Since(start)
			}()
		}
		deadline := time.After(15 * time.Second)
		for i := range conns {
			select {
			case <-closed:
			case <-deadline:
				t.Fatalf("%d of %d trickling connections still open after 15 s", conns-i, conns)
			}
		}
	})

	t.Run("steady-body-longer-than-the-timeout", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		body := `{"email":"nobody@example.test","password":"` + strings.Repeat("x", 4000) + `"}`
		fmt.Fprintf(c, head, len(body))
		// 1.5 KiB every 500 ms: 3 KiB/s, for two seconds.
		for chunk := range slices.Chunk([]byte(body), 1536) {
			if _, err := c.Write(chunk); err != nil {
				t.Fatalf("the server closed a steady upload: %v", err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer to a steady upload: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a steady upload got %d, want 401 for its credentials", resp.StatusCode)
		}
	})

	t.Run("quiet-websocket", func(t *testing.T) {
		_, owner, err := a.Service.CreateAccount(ctx, "Acme", "owner@example.test", "Owner", "correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		actor, err := a.Service.Actor(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := a.Service.CreateAPIToken(ctx, actor, "test")
		if err != nil {
			t.Fatal(err)
		}
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(dctx, "ws://"+addr+"/api/v1/realtime", &websocket.DialOptions{
			HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		if _, _, err := ws.Read(dctx); err != nil {
			t.Fatalf("hello: %v", err)
		}
		// Quiet for three body timeouts, then an event must still arrive.
		time.Sleep(3 * time.Second)
		call(t, http.MethodPost, "http://"+addr+"/api/v1/labels", token, map[string]string{"name": "after-quiet"}, http.StatusCreated, nil)
		_, raw, err := ws.Read(dctx)
		if err != nil {
			t.Fatalf("the socket did not outlive the body timeout: %v", err)
		}
		if !strings.Contains(string(raw), "after-quiet") {
			t.Errorf("frame after the quiet spell = %s, want the new label", raw)
		}
	})
}

// TestTwoNodesShareAgentPresence: an agent with the dashboard open on one
// node makes the website chat served by the other say the team is online,
// and closing it makes it say away again.
func TestTwoNodesShareAgentPresence(t *testing.T) {
	srvA, srvB, token := twoNodes(t)
	_, websiteToken := widgetInbox(t, srvB.URL, token)
	visitor := ""
	onlineOnB := func() bool {
		var session struct {
			Token    string
			Settings struct{ Online bool }
		}
		call(t, "POST", srvB.URL+"/widget/v1/session", "", map[string]any{"inbox": websiteToken, "token": visitor}, 200, &session)
		visitor = session.Token
		return session.Settings.Online
	}
	wait := func(want bool, what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for onlineOnB() != want {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	if onlineOnB() {
		t.Fatal("the website chat says online before any agent opened the dashboard")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srvA.URL, "http")+"/api/v1/realtime",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	wait(true, "node B's website chat to say online while the owner has the dashboard open on node A")
	ws.CloseNow()
	wait(false, "node B's website chat to say away once the dashboard on node A closed")
}

// widgetInbox returns the demo workspace's website chat inbox and its
// website token, as the API at base lists them.
func widgetInbox(t *testing.T, base, token string) (int64, string) {
	t.Helper()
	var inboxes struct {
		Items []struct {
			ID      int64
			Channel string
		}
	}
	call(t, "GET", base+"/api/v1/inboxes", token, nil, 200, &inboxes)
	for _, in := range inboxes.Items {
		if in.Channel == "widget" {
			var embed struct {
				WebsiteToken string `json:"website_token"`
			}
			call(t, "GET", fmt.Sprintf("%s/api/v1/inboxes/%d/widget", base, in.ID), token, nil, 200, &embed)
			return in.ID, embed.WebsiteToken
		}
	}
	t.Fatal("the demo workspace has no website chat inbox")
	return 0, ""
}
