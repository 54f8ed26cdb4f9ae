package widget

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
)

// node starts another widget server on the same service and bus, as a
// second Sahay node would run, sharing its visitors.
func (e *env) node() *env {
	e.t.Helper()
	w := New(e.svc, Config{SharedBus: true})
	mux := http.NewServeMux()
	w.Routes(mux)
	for pattern, h := range w.AgentHandlers() {
		mux.Handle(pattern, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if err := h(rw, r, e.agent); err != nil {
				writeTestError(rw, err)
			}
		}))
	}
	srv := httptest.NewServer(mux)
	e.t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		w.Close()
	})
	n := *e
	n.widget, n.srv = w, srv
	return &n
}

func TestLiveVisitorsAcrossNodes(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	a, b := e.node(), e.node()
	s := a.session(SessionRequest{})
	ws := a.dial(s.Token, s.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "page", "page": map[string]any{"url": "https://shop.example/sarees/jamdani", "title": "Jamdani saree"},
		"visit": map[string]any{"start": time.Now().Add(-2 * time.Minute).UnixMilli(), "pages": 4, "visits": 1}})

	visitors := func(n *env) []LiveVisitor {
		var live struct{ Visitors []LiveVisitor }
		if code, ecode := n.call("GET", "/api/v1/inboxes/"+itoa(e.inbox.ID)+"/visitors", "", nil, &live); code != 200 {
			t.Fatalf("visitors: %d %s", code, ecode)
		}
		return live.Visitors
	}
	waitFor(t, "node B to list node A's visitor", func() bool {
		l := visitors(b)
		return len(l) == 1 && l[0].Page.Title == "Jamdani saree"
	})
	v := visitors(b)[0]
	if v.ID != s.Visitor.ID || !v.Online || v.PageCount != 4 || v.TimeOnSite < 119 || strings.Contains(v.Device, "?") {
		t.Fatalf("node B sees %+v", v)
	}
	// Node A lists its own visitor once, not again as shared back.
	if l := visitors(a); len(l) != 1 {
		t.Fatalf("node A lists %d visitors, want 1", len(l))
	}

	// An agent on node B starts a chat; the visitor on node A sees it open.
	if code, ecode := b.call("POST", "/api/v1/inboxes/"+itoa(e.inbox.ID)+"/visitors/"+v.ID+"/chat", "", map[string]any{"content": "Can I help you choose a colour?"}, nil); code != 200 {
		t.Fatalf("start chat: %d %s", code, ecode)
	}
	if got := ws.next("msg"); field(got, "m", "text") != "Can I help you choose a colour?" {
		t.Fatalf("proactive message = %v", got)
	}

	// The visitor leaves: node B shows them offline, since when, and
	// after a visitor who is on the site now.
	closed := time.Now()
	ws.conn.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "node B to see the visitor leave", func() bool {
		l := visitors(b)
		return len(l) == 1 && !l[0].Online
	})
	if left := visitors(b)[0].LeftAt; left == nil || left.Before(closed.Add(-time.Second)) || left.After(time.Now()) {
		t.Fatalf("the visitor who left has left_at %v, closed at %v", left, closed)
	}
	other := a.session(SessionRequest{})
	wo := a.dial(other.Token, other.Seq)
	wo.next("ready")
	wo.send(map[string]any{"t": "page", "page": map[string]any{"url": "https://shop.example/", "title": "Home"}})
	waitFor(t, "node B to list the visitor on the site first", func() bool {
		l := visitors(b)
		return len(l) == 2 && l[0].ID == other.Visitor.ID && l[0].Online && l[0].LeftAt == nil && !l[1].Online
	})
}

func TestSharedVisitorsExpireWhenTheirNodeStops(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	b := e.node()
	b.widget.hub.remember(sharedEvent(t, "dead-node", e.inbox.ID, LiveVisitor{ID: "v:0123456789abcdef0123", Online: true}))
	if l := b.widget.hub.liveVisitors(e.inbox.ID); len(l) != 1 {
		t.Fatalf("remembered visitor not listed: %+v", l)
	}
	b.widget.hub.mu.Lock()
	b.widget.hub.forgetRemote(time.Now().Add(remoteExpiry + time.Second))
	b.widget.hub.mu.Unlock()
	if l := b.widget.hub.liveVisitors(e.inbox.ID); len(l) != 0 {
		t.Fatalf("a silent node's visitor is still listed: %+v", l)
	}
	// Malformed or own payloads are ignored.
	b.widget.hub.remember(sharedEvent(t, b.widget.hub.node, e.inbox.ID, LiveVisitor{ID: "v:0123456789abcdef0123", Online: true}))
	b.widget.hub.remember(sharedEvent(t, "other", e.inbox.ID, LiveVisitor{ID: "../../etc", Online: true}))
	if l := b.widget.hub.liveVisitors(e.inbox.ID); len(l) != 0 {
		t.Fatalf("ignored payloads listed: %+v", l)
	}
}

func sharedEvent(t *testing.T, node string, inboxID int64, v LiveVisitor) sahay.Event {
	t.Helper()
	visitor, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := sahay.NewEvent(0, inboxID, 0, sahay.VisitorShared{Node: node, InboxID: inboxID, Visitor: visitor})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestCartReportedBeforeTheSocketIsKept: a shop page may call setCart before
// the widget's socket has connected; the live list still shows the cart.
func TestCartReportedBeforeTheSocketIsKept(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	s := e.session(SessionRequest{})
	if code, ecode := e.call("POST", "/widget/v1/commerce", s.Token, CommerceRequest{Cart: &CartInfo{Items: []Item{{Name: "Jamdani saree", Quantity: 1, Price: 9800}},
		Total: 9800, Currency: "BDT"}}, nil); code != 200 {
		t.Fatalf("commerce: %d %s", code, ecode)
	}
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	var live struct{ Visitors []LiveVisitor }
	e.call("GET", "/api/v1/inboxes/"+itoa(e.inbox.ID)+"/visitors", "", nil, &live)
	if len(live.Visitors) != 1 || !live.Visitors[0].Online || !strings.Contains(live.Visitors[0].Cart, "BDT") {
		t.Fatalf("visitors = %+v, want the visitor online with their cart", live.Visitors)
	}
}
