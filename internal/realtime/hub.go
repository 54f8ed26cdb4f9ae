// Package realtime pushes committed events to agents' browsers over
// WebSocket. A client that reconnects says the last sequence number it saw
// and receives every event it missed, in order, before live ones: nothing is
// lost across a dropped connection or a node restart, because the events
// table, not the bus, is the record.
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

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/ratelimit"

	"github.com/coder/websocket"
)

// Timing of the connection.
const (
	pingInterval = 30 * time.Second
	writeTimeout = 10 * time.Second
	replayPage   = 500
)

// Hub serves agent WebSockets.
type Hub struct {
	svc  *core.Service
	log  *slog.Logger
	mu   sync.Mutex
	conn map[*websocket.Conn]struct{}
	wg   sync.WaitGroup
	done chan struct{}
}

// NewHub returns a hub.
func NewHub(svc *core.Service, log *slog.Logger) *Hub {
	return &Hub{svc: svc, log: log, conn: map[*websocket.Conn]struct{}{}, done: make(chan struct{})}
}

// Close disconnects every client; they reconnect to another node or after a
// restart and resume where they were.
func (h *Hub) Close() {
	h.mu.Lock()
	select {
	case <-h.done:
	default:
		close(h.done)
	}
	for c := range h.conn {
		c.Close(websocket.StatusGoingAway, "server shutting down")
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// Connections returns the number of open connections.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conn)
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
	// Subscribe before reading the store, so no event falls between the
	// replay and the live stream.
	sub, err := h.svc.Bus().Subscribe(a.AccountID())
	if err != nil {
		return err
	}
	defer sub.Close()
	latest, err := h.svc.Store().LastEventSeq(r.Context(), a.AccountID())
	if err != nil {
		return err
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil // Accept has answered the client
	}
	// The connection is hijacked: the HTTP server no longer closes it. A
	// client that vanished without a close frame leaves only this to release
	// the descriptor; after a close handshake it does nothing.
	defer c.CloseNow()
	c.SetReadLimit(4096)
	h.mu.Lock()
	select {
	case <-h.done:
		h.mu.Unlock()
		c.Close(websocket.StatusGoingAway, "server shutting down")
		return nil
	default:
	}
	h.conn[c] = struct{}{}
	h.wg.Add(1)
	h.mu.Unlock()
	// The agent is at the dashboard while this socket is open.
	defer h.svc.AgentConnected(a)()
	defer func() {
		h.mu.Lock()
		delete(h.conn, c)
		h.mu.Unlock()
		h.wg.Done()
	}()
	// The request's context ends with the upgrade; the connection has its own.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.readFrames(ctx, cancel, c, a)

	s := &stream{h: h, c: c, actor: a, last: since}
	if since < 0 || since > latest {
		s.last = latest
	}
	if err := s.send(ctx, hello{Type: "hello", Seq: latest}); err != nil {
		return nil
	}
	if err := s.catchUp(ctx, latest); err != nil {
		c.Close(websocket.StatusInternalError, "replay failed")
		return nil
	}
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-sub.C:
			if !ok {
				// Dropped for falling behind: the client reconnects with its
				// last seq and catches up from the store.
				c.Close(websocket.StatusTryAgainLater, "fell behind; reconnect with since")
				return nil
			}
			if ev.Internal() {
				continue
			}
			if ev.Seq == 0 {
				// Presence, typing, seen: live only, never stored or replayed.
				if s.actor.CanSeeEvent(ev) && !fromSelf(ev, s.actor) {
					if err := s.send(ctx, ev); err != nil {
						return nil
					}
				}
				continue
			}
			if ev.Seq <= s.last {
				continue
			}
			if ev.Seq > s.last+1 {
				// Another node's event reached us first: read the gap.
				if err := s.catchUp(ctx, ev.Seq-1); err != nil {
					c.Close(websocket.StatusInternalError, "replay failed")
					return nil
				}
			}
			if err := s.deliver(ctx, ev); err != nil {
				return nil
			}
		case <-ping.C:
			pctx, pcancel := context.WithTimeout(ctx, writeTimeout)
			err := c.Ping(pctx)
			pcancel()
			if err != nil {
				return nil
			}
		}
	}
}

type stream struct {
	h     *Hub
	c     *websocket.Conn
	actor *core.Actor
	last  int64
}

func (s *stream) send(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return s.c.Write(wctx, websocket.MessageText, b)
}

// catchUp sends the stored events after s.last up to and including upTo.
func (s *stream) catchUp(ctx context.Context, upTo int64) error {
	for s.last < upTo {
		events, err := s.h.svc.Store().EventsAfter(ctx, s.actor.AccountID(), s.last, replayPage)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		for _, ev := range events {
			if ev.Seq > upTo {
				return nil
			}
			if err := s.deliver(ctx, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliver sends ev if the actor may see it, and advances s.last either way.
func (s *stream) deliver(ctx context.Context, ev sahay.Event) error {
	s.last = ev.Seq
	if ev.Type == sahay.EventInboxChanged && !s.actor.User.IsAdmin() {
		// Membership may have changed: reload what this agent may see.
		if a, err := s.h.svc.Actor(ctx, s.actor.User); err == nil {
			s.actor = a
		}
	}
	visible, err := s.h.svc.EventVisible(ctx, s.actor, ev)
	if err != nil || !visible {
		return err
	}
	return s.send(ctx, ev)
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

// readFrames reads the client's presence frames until the connection ends,
// then cancels the connection's context.
func (h *Hub) readFrames(ctx context.Context, cancel context.CancelFunc, c *websocket.Conn, a *core.Actor) {
	defer cancel()
	var frames ratelimit.Bucket
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		if ok, _ := frames.Take(frameRate, time.Now()); !ok {
			c.Close(websocket.StatusPolicyViolation, "too many frames")
			return
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil || f.Type != "presence" {
			s := errorFrame{Type: "error", Message: "unknown frame: send {\"type\":\"presence\",\"conversation_id\":N,\"state\":\"typing\"}"}
			(&stream{c: c}).send(ctx, s)
			continue
		}
		if err := h.svc.Presence(ctx, a, f.ConversationID, f.State); err != nil {
			(&stream{c: c}).send(ctx, errorFrame{Type: "error", Message: sahay.ErrorMessage(err)})
		}
	}
}

type errorFrame struct {
	Type    string `json:"type"`
	Message string `json:"message"`
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
