package widget

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sahayhq/sahay/internal/ratelimit"
)

func TestBadInputIsRefusedAndOthersUntouched(t *testing.T) {
	e := newEnv(t, `{}`, Limits{FrameBytes: 4 << 10, Frames: ratelimit.Rate{Burst: 10, Every: time.Second / 5}, MaxExcess: 20})
	alice := e.session(SessionRequest{})
	bob := e.session(SessionRequest{})
	wa := e.dial(alice.Token, alice.Seq)
	wa.next("ready")
	wa.send(map[string]any{"t": "msg", "cid": "alice-001", "text": "alice's secret order"})
	aliceConv := num(field(wa.next("ack"), "c", "id"))
	wb := e.dial(bob.Token, bob.Seq)
	wb.next("ready")

	t.Run("another visitor's conversation is not found", func(t *testing.T) {
		if code, ecode := e.call("GET", "/widget/v1/conversations/"+itoa(aliceConv)+"/messages", bob.Token, nil, nil); code != 404 || ecode != "not_found" {
			t.Fatalf("bob reads alice's conversation: %d %s", code, ecode)
		}
		if code, _ := e.call("POST", "/widget/v1/conversations/"+itoa(aliceConv)+"/csat", bob.Token, map[string]any{"rating": 1}, nil); code != 404 {
			t.Fatalf("bob rates alice's conversation: %d", code)
		}
		wb.send(map[string]any{"t": "typing", "c": aliceConv, "on": true})
		if f := wb.next("err"); f["code"] != "not_found" {
			t.Fatalf("typing in alice's conversation: %v", f)
		}
		wb.send(map[string]any{"t": "seen", "c": aliceConv, "upto": 1 << 40, "read": true})
		if f := wb.next("err"); f["code"] != "not_found" {
			t.Fatalf("seen in alice's conversation: %v", f)
		}
		// Bob's socket still works.
		wb.send(map[string]any{"t": "ping"})
		wb.next("pong")
	})

	t.Run("a forged or tampered token is refused", func(t *testing.T) {
		payload, _, _ := strings.Cut(alice.Token, ".")
		_, mac, _ := strings.Cut(bob.Token, ".")
		for _, tok := range []string{payload + "." + mac, "garbage", alice.Token + "x"} {
			if code, ecode := e.call("GET", "/widget/v1/conversations", tok, nil, nil); code != 401 || ecode != "unauthorized" {
				t.Fatalf("token %q: %d %s", tok, code, ecode)
			}
		}
	})

	t.Run("frames faster than the limit are refused", func(t *testing.T) {
		for range 15 {
			wb.send(map[string]any{"t": "ping"})
		}
		if f := wb.nextWhere(func(f map[string]any) bool { return f["t"] == "err" }); f["code"] != "rate_limited" {
			t.Fatalf("burst: %v", f)
		}
		// Keeping on closes the socket with 1008.
		for range 40 {
			b := []byte(`{"t":"ping"}`)
			if wb.conn.Write(wb.ctx, websocket.MessageText, b) != nil {
				break
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for {
			_, _, err := wb.conn.Read(ctx)
			if err != nil {
				if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
					t.Fatalf("close = %v, want policy violation", err)
				}
				break
			}
		}
	})

	t.Run("an oversized frame closes only that socket", func(t *testing.T) {
		wc := e.dial(bob.Token, 0)
		wc.next("ready")
		wc.send(map[string]any{"t": "msg", "cid": "big-0001", "text": strings.Repeat("x", 8<<10)})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var err error
		for err == nil {
			_, _, err = wc.conn.Read(ctx)
		}
		if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
			t.Fatalf("close = %v, want message too big", err)
		}
	})

	t.Run("alice is untouched", func(t *testing.T) {
		wa.send(map[string]any{"t": "ping"})
		wa.next("pong")
		var hist struct{ Messages []visitorMessage }
		if code, _ := e.call("GET", "/widget/v1/conversations/"+itoa(aliceConv)+"/messages", alice.Token, nil, &hist); code != 200 || len(hist.Messages) != 1 {
			t.Fatalf("alice's history: %d %+v", code, hist)
		}
	})

	t.Run("a malformed body is a clear error", func(t *testing.T) {
		if code, ecode := e.call("POST", "/widget/v1/messages", alice.Token, map[string]any{"cid": "x", "text": "hi"}, nil); code != 422 || ecode != "invalid" {
			t.Fatalf("short cid: %d %s", code, ecode)
		}
		if code, ecode := e.call("POST", "/widget/v1/messages", alice.Token, map[string]any{"cid": "c-123456", "text": "hi", "admin": true}, nil); code != 400 || ecode != "bad_request" {
			t.Fatalf("unknown field: %d %s", code, ecode)
		}
		if code, ecode := e.call("POST", "/widget/v1/messages", alice.Token, []byte(`{"cid": "c-123457", "text": }`), nil); code != 400 || ecode != "bad_request" {
			t.Fatalf("syntax error: %d %s", code, ecode)
		}
	})
}

func TestAllowedDomains(t *testing.T) {
	e := newEnv(t, `{"allowed_domains":["shop.example.com","*.example.org"]}`, Limits{})
	for _, c := range []struct {
		header, value string
		ok            bool
	}{
		{"Origin", "https://shop.example.com", true},
		{"Origin", "https://www.example.org", true},
		{"Origin", "https://evil.example.net", false},
		{"Origin", "https://shop.example.com.evil.net", false},
		{"Origin", "null", false},
		{"Referer", "https://shop.example.com/cart?item=3", true},
		{"Referer", "https://evil.example.net/shop.example.com", false},
		{"Referer", "file:///home/me/page.html", false},
		{"X-Nothing", "", false},
	} {
		code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token}, nil, c.header, c.value)
		if (code == 200) != c.ok || !c.ok && ecode != "forbidden" {
			t.Errorf("%s %q: status %d %s, allowed %v", c.header, c.value, code, ecode, c.ok)
		}
	}
	var s SessionResponse
	if code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token}, &s, "Origin", "https://shop.example.com"); code != 200 {
		t.Fatalf("session: %d %s", code, ecode)
	}

	t.Run("a visitor's requests without a page are refused", func(t *testing.T) {
		if code, ecode := e.call("GET", "/widget/v1/conversations", s.Token, nil, nil); code != 403 || ecode != "forbidden" {
			t.Fatalf("conversations without Origin: %d %s", code, ecode)
		}
		if code, ecode := e.call("POST", "/widget/v1/messages", s.Token, map[string]any{"cid": "no-origin", "text": "hi"}, nil); code != 403 || ecode != "forbidden" {
			t.Fatalf("message without Origin: %d %s", code, ecode)
		}
		if code, _ := e.call("GET", "/widget/v1/conversations", s.Token, nil, nil, "Origin", "https://shop.example.com"); code != 200 {
			t.Fatalf("conversations from the shop: %d", code)
		}
	})

	t.Run("sockets from a foreign origin or none are refused", func(t *testing.T) {
		for _, origin := range []string{"https://evil.example.net", ""} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			hdr := http.Header{}
			if origin != "" {
				hdr.Set("Origin", origin)
			}
			_, resp, err := websocket.Dial(ctx, strings.Replace(e.srv.URL, "http", "ws", 1)+"/widget/v1/ws?token="+s.Token, &websocket.DialOptions{HTTPHeader: hdr})
			cancel()
			if err == nil || resp == nil || resp.StatusCode != 403 {
				t.Fatalf("socket from %q: %v %v", origin, resp, err)
			}
		}
	})

	t.Run("without allowed domains a request needs no page", func(t *testing.T) {
		open := newEnv(t, `{}`, Limits{})
		if code, ecode := open.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: open.token}, nil); code != 200 {
			t.Fatalf("session without Origin: %d %s", code, ecode)
		}
	})
}

// limited makes a JSON request from a client address (as the trusted
// proxy reports it) and returns the status, the error code and Retry-After.
func (e *env) limited(method, path, token, addr string, body any) (int, string, string) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&eb)
	return resp.StatusCode, eb.Error.Code, resp.Header.Get("Retry-After")
}

// floodUntilLimited repeats a request until it is refused, and checks the
// refusal: 429, rate_limited, a Retry-After. It checks that the requests
// that passed were the bucket's burst and what it refilled meanwhile.
func floodUntilLimited(t *testing.T, r ratelimit.Rate, tries int, do func(i int) (int, string, string)) {
	t.Helper()
	start := time.Now()
	for i := range tries {
		code, ecode, retry := do(i)
		if code == 200 {
			continue
		}
		if code != 429 || ecode != "rate_limited" {
			t.Fatalf("request %d: %d %s, want 429 rate_limited", i, code, ecode)
		}
		if n, err := strconv.Atoi(retry); err != nil || n < 1 {
			t.Fatalf("request %d: Retry-After %q", i, retry)
		}
		if most := r.Burst + int(time.Since(start)/r.Every); i < r.Burst || i > most {
			t.Fatalf("%d requests passed before the limit, want the burst of %d and at most %d", i, r.Burst, most)
		}
		return
	}
	t.Fatalf("all %d requests passed", tries)
}

func TestAnonymousEndpointsAreLimited(t *testing.T) {
	t.Run("one visitor's messages", func(t *testing.T) {
		e := newEnv(t, `{}`, Limits{})
		flood, calm := e.session(SessionRequest{}), e.session(SessionRequest{})
		floodUntilLimited(t, Limits{}.withDefaults().WritesPerVisitor, 300, func(i int) (int, string, string) {
			return e.limited("POST", "/widget/v1/messages", flood.Token, "", map[string]any{"cid": fmt.Sprintf("flood-%04d", i), "text": "buy now"})
		})
		if code, ecode := e.call("POST", "/widget/v1/messages", calm.Token, map[string]any{"cid": "calm-0001", "text": "hello"}, nil); code != 200 {
			t.Fatalf("another visitor is refused: %d %s", code, ecode)
		}
	})

	t.Run("one visitor's messages over the socket", func(t *testing.T) {
		e := newEnv(t, `{}`, Limits{Frames: ratelimit.Rate{Burst: 1000, Every: time.Second / 1000}, MaxExcess: 1000, WritesPerVisitor: ratelimit.Rate{Burst: 5, Every: 10 * time.Second}})
		s := e.session(SessionRequest{})
		ws := e.dial(s.Token, s.Seq)
		ws.next("ready")
		for i := range 6 {
			ws.send(map[string]any{"t": "msg", "cid": fmt.Sprintf("sock-%04d", i), "text": "hi"})
		}
		for range 5 {
			ws.next("ack")
		}
		if f := ws.next("err"); f["code"] != "rate_limited" || f["cid"] != "sock-0005" {
			t.Fatalf("the sixth message: %v", f)
		}
	})

	t.Run("sessions from one address", func(t *testing.T) {
		e := newEnv(t, `{}`, Limits{})
		floodUntilLimited(t, Limits{}.withDefaults().SessionsPerAddress, 300, func(int) (int, string, string) {
			return e.limited("POST", "/widget/v1/session", "", "", SessionRequest{Inbox: e.token})
		})
	})

	t.Run("X-Forwarded-For is believed only from a trusted proxy", func(t *testing.T) {
		slow := ratelimit.Rate{Burst: 3, Every: 100 * time.Second}
		e := newEnv(t, `{}`, Limits{SessionsPerAddress: slow})
		floodUntilLimited(t, slow, 10, func(i int) (int, string, string) {
			return e.limited("POST", "/widget/v1/session", "", fmt.Sprintf("203.0.113.%d", i), SessionRequest{Inbox: e.token})
		})
		e.widget.cfg.TrustedProxies = 1
		for i := range 10 {
			if code, ecode, _ := e.limited("POST", "/widget/v1/session", "", fmt.Sprintf("198.51.100.%d", i), SessionRequest{Inbox: e.token}); code != 200 {
				t.Fatalf("address %d behind the trusted proxy: %d %s", i, code, ecode)
			}
		}
		floodUntilLimited(t, slow, 10, func(i int) (int, string, string) {
			return e.limited("POST", "/widget/v1/session", "", fmt.Sprintf("198.51.100.%d, 192.0.2.1", i), SessionRequest{Inbox: e.token})
		})
	})

	t.Run("new visitors of one inbox", func(t *testing.T) {
		e := newEnv(t, `{}`, Limits{})
		e.widget.cfg.TrustedProxies = 1
		var refused SessionResponse
		floodUntilLimited(t, Limits{}.withDefaults().NewContactsPerInbox, 200, func(i int) (int, string, string) {
			addr := fmt.Sprintf("10.%d.%d.1", i/250, i%250)
			if code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token}, &refused, "X-Forwarded-For", addr); code != 200 {
				t.Fatalf("session %d: %d %s", i, code, ecode)
			}
			return e.limited("POST", "/widget/v1/messages", refused.Token, addr, map[string]any{"cid": "first-01", "text": "hello"})
		})
		v, err := e.widget.parseVisitor(context.Background(), refused.Token)
		if err != nil {
			t.Fatal(err)
		}
		if id, err := e.widget.contactID(context.Background(), v); err != nil || id != 0 {
			t.Fatalf("the refused visitor became contact %d (%v)", id, err)
		}
	})
}

// TestABusyShopIsNotLimited: a busy shop's peak stays within the limits,
// even with its visitors behind one carrier's address: a hundred page
// views at the same moment, each loading the visitor's conversations, and
// thirty of them chatting, with a cart, at once.
func TestABusyShopIsNotLimited(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	for v := range 100 {
		var s SessionResponse
		if code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token}, &s); code != 200 {
			t.Fatalf("visitor %d: session %d %s", v, code, ecode)
		}
		if code, ecode := e.call("GET", "/widget/v1/conversations", s.Token, nil, nil); code != 200 {
			t.Fatalf("visitor %d: conversations %d %s", v, code, ecode)
		}
		if v >= 30 {
			continue
		}
		var conv struct{ Conversation visitorConversation }
		for m := range 8 {
			if code, ecode := e.call("POST", "/widget/v1/messages", s.Token, map[string]any{"cid": fmt.Sprintf("msg-%04d", m), "text": "is this in stock?"}, &conv); code != 200 {
				t.Fatalf("visitor %d, message %d: %d %s", v, m, code, ecode)
			}
		}
		if code, ecode := e.call("POST", "/widget/v1/commerce", s.Token, map[string]any{"cart": map[string]any{"items": []any{}, "total": 850, "currency": "BDT"}}, nil); code != 200 {
			t.Fatalf("visitor %d: cart %d %s", v, code, ecode)
		}
		if code, ecode := e.call("GET", "/widget/v1/conversations/"+itoa(conv.Conversation.ID)+"/messages", s.Token, nil, nil); code != 200 {
			t.Fatalf("visitor %d: history %d %s", v, code, ecode)
		}
	}
}
