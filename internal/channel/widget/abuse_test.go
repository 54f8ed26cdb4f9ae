package widget

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestBadInputIsRefusedAndOthersUntouched(t *testing.T) {
	e := newEnv(t, `{}`, Limits{FrameBytes: 4 << 10, FramesPerSecond: 5, FrameBurst: 10, MaxExcess: 20})
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
