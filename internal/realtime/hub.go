// Package realtime pushes committed events to browsers over WebSocket: to
// agents' dashboards and to website visitors' chat windows. Both faces
// share one mechanism. A client that reconnects says the last sequence
// number it saw and receives every event it missed, in order, before live
// ones: nothing is lost across a dropped connection or a node restart,
// because the events table, not the bus, is the record. Each socket has a
// send queue written by a goroutine that runs only while there is something
// to write; a client that falls too far behind is closed and resumes by
// sequence. Frames a client sends are rate limited, connections are
// hijacked with small buffers, and a sweep closes silent ones.
//
// The faces differ in whom an event reaches. An agent's socket receives
// every event of the account that the agent may see ([Hub]); a visitor's,
// the events of the visitor's own conversations, encoded by the channel
// ([Visitors]).
package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// pingInterval is how long an agent's socket may stay silent before the
// server pings it: a dashboard whose connection died without a close
// frame is found and let go.
const pingInterval = 30 * time.Second

// Hub is the agent face: it serves agents' WebSockets.
type Hub struct {
	svc *core.Service
	log *slog.Logger

	mu     sync.Mutex
	agents map[int64]map[*agent]struct{} // by account
	closed bool
	conns  sync.WaitGroup

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// agent is one agent's socket. Its writer alone reads and changes actor
// and last.
type agent struct {
	socket
	h         *Hub
	accountID int64
	actor     *core.Actor
	// last is the sequence number of the last stored event written, or
	// skipped as not for this agent.
	last int64
}

// NewHub returns a running agent hub: it follows the bus until
// [Hub.Close].
func NewHub(svc *core.Service, log *slog.Logger) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{svc: svc, log: log, agents: map[int64]map[*agent]struct{}{}, ctx: ctx, cancel: cancel}
	h.wg.Add(2)
	go func() {
		defer h.wg.Done()
		// Events the bus dropped are read from the store.
		follow(ctx, svc.Bus(), log, h.dispatch, func() { h.each(func(a *agent) { a.send(item{catchUp: true}) }) })
	}()
	go func() {
		defer h.wg.Done()
		sweep(ctx, h.ping)
	}()
	return h
}

// Close disconnects every client; they reconnect to another node or after a
// restart and resume where they were.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.each(func(a *agent) { a.close(websocket.StatusGoingAway, "server shutting down") })
	h.conns.Wait()
	h.cancel()
	h.wg.Wait()
}

// Connections returns the number of open connections.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.agents {
		n += len(set)
	}
	return n
}

type hello struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}

// Serve upgrades the request and streams the actor's events until the
// client goes away. The query parameter since is the last sequence number
// the client has seen.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var since int64 = -1
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return sahay.Invalid("since must be a non-negative integer")
		}
		since = n
	}
	if !isWebSocket(r) {
		w.Header().Set("Upgrade", "websocket")
		return sahay.Errorf(sahay.EUPGRADE, "this is a WebSocket endpoint: connect with Upgrade: websocket")
	}
	conn, err := accept(w, r, nil, 4096)
	if err != nil {
		return nil // Accept has answered the client
	}
	// The connection is hijacked: the HTTP server no longer closes it. A
	// client that vanished without a close frame leaves only this to release
	// the descriptor; after a close handshake it does nothing.
	defer conn.CloseNow()
	c := &agent{h: h, accountID: a.AccountID(), actor: a}
	// Live events are held from here on, so none falls between the store's
	// latest and the live stream.
	c.init(h.ctx, conn, c, agentQueue, true)
	defer c.cancel()
	if !h.register(c) {
		conn.Close(websocket.StatusGoingAway, "server shutting down")
		return nil
	}
	defer h.unregister(c)
	// The agent is at the dashboard while this socket is open.
	defer h.svc.AgentConnected(a)()
	latest, err := h.svc.LastEventSeq(r.Context(), a.AccountID())
	if err != nil {
		conn.Close(websocket.StatusInternalError, "could not read the latest event")
		return nil
	}
	c.last = since
	if since < 0 || since > latest {
		c.last = latest
	}
	b, _ := json.Marshal(hello{Type: "hello", Seq: latest})
	c.enqueue(item{data: b})
	c.enqueue(item{catchUp: true})
	c.endReplay(0)
	h.read(c, a)
	// A close the server started ends with its handshake, not with the
	// connection cut.
	c.wait()
	return nil
}

func (h *Hub) register(c *agent) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	set := h.agents[c.accountID]
	if set == nil {
		set = map[*agent]struct{}{}
		h.agents[c.accountID] = set
	}
	set[c] = struct{}{}
	h.conns.Add(1)
	return true
}

func (h *Hub) unregister(c *agent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.agents[c.accountID], c)
	if len(h.agents[c.accountID]) == 0 {
		delete(h.agents, c.accountID)
	}
	h.conns.Done()
}

func (h *Hub) each(f func(*agent)) {
	h.mu.Lock()
	var all []*agent
	for _, set := range h.agents {
		for c := range set {
			all = append(all, c)
		}
	}
	h.mu.Unlock()
	for _, c := range all {
		f(c)
	}
}

// dispatch queues an event for the agents of its account; each agent's
// writer decides whether the agent may see it.
func (h *Hub) dispatch(ev sahay.Event) {
	if ev.Internal() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.agents[ev.AccountID] {
		c.send(item{ev: ev})
	}
}

// ping pings the agents' sockets that have been silent for pingInterval.
func (h *Hub) ping(now time.Time) {
	cutoff := now.Add(-pingInterval)
	h.each(func(c *agent) {
		if !c.silentSince(cutoff) {
			return
		}
		go func() {
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			defer cancel()
			if c.conn.Ping(ctx) != nil {
				c.close(websocket.StatusGoingAway, "no answer to ping")
				return
			}
			c.lastRead.Store(time.Now().UnixNano())
		}()
	})
}

// writeItem writes a queued event if the agent may see it, reading from
// the store first what the agent missed.
func (c *agent) writeItem(it item) error {
	if it.catchUp {
		return c.catchUp()
	}
	ev := it.ev
	if ev.Seq == 0 {
		// Presence, typing, seen: live only, never stored or replayed.
		if c.actor.CanSeeEvent(ev) && !fromSelf(ev, c.actor) {
			return c.writeEvent(ev)
		}
		return nil
	}
	if ev.Seq > c.last+1 {
		// Another node's event reached us first: read the gap.
		if err := c.catchUp(); err != nil {
			return err
		}
	}
	if ev.Seq <= c.last {
		return nil
	}
	return c.deliver(ev)
}

// catchUp writes the stored events after c.last.
func (c *agent) catchUp() error {
	_, _, err := replay(c.ctx, c.h.svc, c.accountID, c.last, 0, 0, c.deliver)
	return err
}

// deliver writes ev if the actor may see it, and advances c.last either way.
func (c *agent) deliver(ev sahay.Event) error {
	c.last = ev.Seq
	if ev.Type == sahay.EventInboxChanged && !c.actor.User.IsAdmin() {
		// Membership may have changed: reload what this agent may see.
		if a, err := c.h.svc.Actor(c.ctx, c.actor.User); err == nil {
			c.actor = a
		}
	}
	visible, err := c.h.svc.EventVisible(c.ctx, c.actor, ev)
	if err != nil || !visible {
		return err
	}
	return c.writeEvent(ev)
}

func (c *agent) writeEvent(ev sahay.Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return c.write(b)
}

// frame is what a client may send: {"type":"presence","conversation_id":7,"state":"typing"}.
type frame struct {
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id"`
	State          string `json:"state"`
}

// frameRate is the frames a client may send: ten at once, then ten a
// second; one more closes the connection.
var frameRate = ratelimit.Rate{Burst: 10, Every: time.Second / 10}

type errorFrame struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// read reads the client's presence frames until the connection ends. The
// frames act as a, the actor the socket opened with.
func (h *Hub) read(c *agent, a *core.Actor) {
	for {
		b, err := c.read()
		if err != nil {
			return
		}
		if ok, _ := c.allow(frameRate); !ok {
			c.close(websocket.StatusPolicyViolation, "too many frames")
			return
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil || f.Type != "presence" {
			c.reply(errorFrame{Type: "error", Message: "unknown frame: send {\"type\":\"presence\",\"conversation_id\":N,\"state\":\"typing\"}"})
			continue
		}
		if err := h.svc.Presence(c.ctx, a, f.ConversationID, f.State); err != nil {
			c.reply(errorFrame{Type: "error", Message: sahay.ErrorMessage(err)})
		}
	}
}

func (c *agent) reply(v any) {
	if b, err := json.Marshal(v); err == nil {
		c.sendFrame(b)
	}
}

// fromSelf reports whether an ephemeral event is the actor's own doing:
// their presence, typing or reading.
func fromSelf(ev sahay.Event, a *core.Actor) bool {
	p, err := ev.Payload()
	if err != nil {
		return false
	}
	switch p := p.(type) {
	case sahay.Presence:
		return p.UserID == a.User.ID
	case sahay.Typing:
		return p.From == sahay.TypingUser && p.UserID == a.User.ID
	case sahay.Seen:
		return p.UserID == a.User.ID
	}
	return false
}

// isWebSocket reports whether r asks to switch to the WebSocket protocol.
func isWebSocket(r *http.Request) bool {
	return headerHas(r.Header, "Connection", "upgrade") && headerHas(r.Header, "Upgrade", "websocket")
}

// headerHas reports whether a comma-separated header lists token.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
