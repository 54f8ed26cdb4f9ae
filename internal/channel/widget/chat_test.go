package widget

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

func TestVisitorAndAgentChatBothWays(t *testing.T) {
	e := newEnv(t, `{"greeting":"Hello from the shop"}`, Limits{})
	s := e.session(SessionRequest{Locales: []string{"bn-BD", "en"}})
	if s.Locale != "bn" || s.Strings["send"] == "" || s.Settings.Greeting != "Hello from the shop" {
		t.Fatalf("session: locale %q, send %q, greeting %q", s.Locale, s.Strings["send"], s.Settings.Greeting)
	}
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "msg", "cid": "c-000001", "text": "আমার অর্ডার কোথায়?"})
	ack := ws.next("ack")
	convID := num(field(ack, "c", "id"))
	if field(ack, "m", "text") != "আমার অর্ডার কোথায়?" || convID == 0 {
		t.Fatalf("ack = %v", ack)
	}

	// The agent sees the conversation and answers through the outbound
	// pipeline; the visitor's socket receives the reply.
	list, _, err := e.svc.ListConversations(context.Background(), e.agent, core.ListQuery{})
	if err != nil || len(list) != 1 || list[0].ID != convID {
		t.Fatalf("agent list = %v, %v", list, err)
	}
	reply, err := e.svc.PostMessage(context.Background(), e.agent, convID, core.NewMessage{Content: "It ships today."})
	if err != nil {
		t.Fatal(err)
	}
	got := ws.nextWhere(func(f map[string]any) bool { return f["t"] == "msg" && num(field(f, "m", "id")) == reply.ID })
	if field(got, "m", "out") != true || field(got, "m", "sender") != "Ayesha" {
		t.Fatalf("reply frame = %v", got)
	}
	// The job runs the adapter's Send and the reply becomes "sent".
	ws.nextWhere(func(f map[string]any) bool {
		return f["t"] == "msg" && num(field(f, "m", "id")) == reply.ID && field(f, "m", "status") == "sent"
	})
	// A private note never reaches the visitor.
	if _, err := e.svc.PostMessage(context.Background(), e.agent, convID, core.NewMessage{Content: "VIP customer", Private: true}); err != nil {
		t.Fatal(err)
	}

	// History survives a reload: a new session with the same token sees
	// the conversation and both messages, and not the note.
	s2 := e.session(SessionRequest{Token: s.Token})
	if len(s2.Conversations) != 1 || s2.Visitor.ID != s.Visitor.ID {
		t.Fatalf("second session = %+v", s2)
	}
	var hist struct{ Messages []visitorMessage }
	e.call("GET", "/widget/v1/conversations/"+itoa(convID)+"/messages", s2.Token, nil, &hist)
	if len(hist.Messages) != 2 || hist.Messages[0].Out || !hist.Messages[1].Out {
		t.Fatalf("history = %+v", hist.Messages)
	}
	for _, m := range hist.Messages {
		if strings.Contains(m.Text, "VIP") {
			t.Fatal("a private note reached the visitor")
		}
	}
}

func TestReadReceiptsAndTypingBothWays(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	s := e.session(SessionRequest{})
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "msg", "cid": "c-000001", "text": "hi"})
	ack := ws.next("ack")
	convID := num(field(ack, "c", "id"))
	msgID := num(field(ack, "m", "id"))

	// Visitor typing reaches agents as an ephemeral event on the bus.
	sub, _ := e.svc.Bus().Subscribe(e.agent.AccountID())
	defer sub.Close()
	ws.send(map[string]any{"t": "typing", "c": convID, "on": true})
	waitEvent(t, sub.C, func(ev sahay.Event) bool {
		return ev.Type == sahay.EventTyping && ev.Seq == 0 && ev.ConversationID == convID
	})

	// Agent typing and "seen" reach the visitor.
	conv, _ := e.svc.Conversation(context.Background(), e.agent, convID)
	if err := e.svc.AgentTyping(context.Background(), e.agent, conv.ID, true); err != nil {
		t.Fatal(err)
	}
	typing := ws.next("typing")
	if typing["on"] != true || typing["name"] != "Ayesha" {
		t.Fatalf("typing frame = %v", typing)
	}
	if err := e.svc.AgentSeen(context.Background(), e.agent, convID, msgID); err != nil {
		t.Fatalf("seen: %v", err)
	}
	if seen := ws.next("seen"); num(seen["upto"]) != msgID {
		t.Fatalf("seen frame = %v", seen)
	}

	// The visitor reads the agent's reply: its status becomes "read".
	reply, _ := e.svc.PostMessage(context.Background(), e.agent, convID, core.NewMessage{Content: "Hello!"})
	ws.nextWhere(func(f map[string]any) bool { return f["t"] == "msg" && num(field(f, "m", "id")) == reply.ID })
	ws.send(map[string]any{"t": "seen", "c": convID, "upto": reply.ID, "read": true})
	ws.nextWhere(func(f map[string]any) bool {
		return f["t"] == "msg" && num(field(f, "m", "id")) == reply.ID && field(f, "m", "status") == "read"
	})
	// The send job may finish after the visitor read the reply; its "sent"
	// must not undo "read". Once no job is queued, it has finished.
	waitFor(t, "the send job to finish", func() bool {
		_, queued, err := e.store.NextJobAt(context.Background())
		return err == nil && !queued
	})
	m, err := e.store.Message(context.Background(), e.agent.AccountID(), reply.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != sahay.DeliveryRead {
		t.Fatalf("status = %s, want read", m.Status)
	}
}

func waitEvent(t *testing.T, c <-chan sahay.Event, ok func(sahay.Event) bool) sahay.Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-c:
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatal("event did not arrive")
		}
	}
}

func TestResumeAfterReconnectReplaysMissedReplies(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	s := e.session(SessionRequest{})
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "msg", "cid": "c-000001", "text": "hi"})
	// The ack and the message's event race: read until both are in.
	var convID, last int64
	for convID == 0 || last == 0 {
		f := ws.nextWhere(func(f map[string]any) bool { return f["t"] == "ack" || f["t"] == "msg" })
		if f["t"] == "ack" {
			convID = num(field(f, "c", "id"))
		} else {
			last = num(f["seq"])
		}
	}
	ws.conn.Close(websocket.StatusNormalClosure, "")

	reply, err := e.svc.PostMessage(context.Background(), e.agent, convID, core.NewMessage{Content: "While you were away"})
	if err != nil {
		t.Fatal(err)
	}
	ws2 := e.dial(s.Token, last)
	got := ws2.next("msg")
	if num(field(got, "m", "id")) != reply.ID {
		t.Fatalf("replayed %v, want message %d", got, reply.ID)
	}
	ws2.next("ready")
}

func TestProactiveChatReachesVisitorWithoutContact(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	s := e.session(SessionRequest{})
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "page", "page": map[string]any{"url": "https://shop.example/cart", "title": "Cart"},
		"visit": map[string]any{"start": time.Now().Add(-time.Minute).UnixMilli(), "pages": 3, "referrer": "https://google.com", "visits": 2}})
	var live struct{ Visitors []LiveVisitor }
	waitFor(t, "the visitor on the cart page in the live list", func() bool {
		live.Visitors = nil
		e.call("GET", "/api/v1/inboxes/"+itoa(e.inbox.ID)+"/visitors", "", nil, &live)
		return len(live.Visitors) == 1 && live.Visitors[0].Page.Title == "Cart"
	})
	v := live.Visitors[0]
	if v.ID != s.Visitor.ID || !v.Returning || v.PageCount != 3 || v.TimeOnSite < 59 || v.Referrer != "https://google.com" {
		t.Fatalf("live visitor = %+v", v)
	}
	var started map[string]any
	if code, ecode := e.call("POST", "/api/v1/inboxes/"+itoa(e.inbox.ID)+"/visitors/"+v.ID+"/chat", "", map[string]any{"content": "Need help with your cart?"}, &started); code != 200 {
		t.Fatalf("start chat: %d %s", code, ecode)
	}
	got := ws.next("msg")
	if field(got, "m", "text") != "Need help with your cart?" {
		t.Fatalf("proactive message = %v", got)
	}
}

func itoa(n int64) string { return strconvFormat(n) }

// TestFramesSentRightAfterTheHandshake: the widget sends its page view the
// moment the socket opens, and those bytes may reach the server with the
// handshake. They must be read as the frames they are, not lost.
func TestFramesSentRightAfterTheHandshake(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	for range 100 {
		s := e.session(SessionRequest{})
		ws := e.dial(s.Token, s.Seq)
		ws.send(map[string]any{"t": "page", "page": map[string]any{"url": "https://shop.example/checkout", "title": "Checkout"}})
		ws.send(map[string]any{"t": "ping"})
		ws.next("pong")
		ws.conn.CloseNow()
	}
}
