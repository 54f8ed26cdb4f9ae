package widget

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// Timing of visitor sockets.
const (
	// idleTimeout closes a socket that sent nothing, not even a ping, for
	// this long; the widget pings every 25 seconds.
	idleTimeout  = 75 * time.Second
	writeTimeout = 10 * time.Second
	// maxQueue is how many frames may wait for a slow visitor before the
	// socket is closed; the widget reconnects and resumes by sequence.
	maxQueue = 256
	// maxReplay is how many events a resuming socket may read back before
	// it is told to reload instead.
	maxReplay = 5000
)

type subjectKey struct {
	inbox   int64
	subject string
}

// hub holds the visitor sockets of this node and routes committed events
// from the bus to the sockets of the conversation's visitor.
type hub struct {
	s *Server

	mu       sync.RWMutex
	convs    map[int64]map[*client]struct{}
	contacts map[int64]map[*client]struct{}
	subjects map[subjectKey]map[*client]struct{}
	inboxes  map[int64]map[*client]struct{}
	// presence is what each visitor on the site is doing, by subject.
	presence map[subjectKey]*presence
	// node names this node to the others; dirty holds the visitors whose
	// presence changed since it was last shared, and remote what other
	// nodes shared of theirs.
	node   string
	dirty  map[subjectKey]struct{}
	remote map[subjectKey]map[string]*remoteVisitor

	count atomic.Int64
}

func newHub(s *Server) *hub {
	return &hub{s: s, convs: map[int64]map[*client]struct{}{}, contacts: map[int64]map[*client]struct{}{},
		subjects: map[subjectKey]map[*client]struct{}{}, inboxes: map[int64]map[*client]struct{}{}, presence: map[subjectKey]*presence{},
		node: newNodeID(), dirty: map[subjectKey]struct{}{}, remote: map[subjectKey]map[string]*remoteVisitor{}}
}

func addTo[K comparable](m map[K]map[*client]struct{}, k K, c *client) {
	set := m[k]
	if set == nil {
		set = map[*client]struct{}{}
		m[k] = set
	}
	set[c] = struct{}{}
}

func removeFrom[K comparable](m map[K]map[*client]struct{}, k K, c *client) {
	if set := m[k]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

// client is one visitor socket.
type client struct {
	hub       *hub
	conn      *websocket.Conn
	ctx       context.Context
	cancel    context.CancelFunc
	inboxID   int64
	accountID int64
	subject   string
	contactID atomic.Int64
	lastRead  atomic.Int64 // unix nanoseconds of the last frame

	mu        sync.Mutex
	convs     []int64
	queue     []frame
	writing   bool
	replaying bool
	held      []frame
	closed    bool

	frames ratelimit.Bucket
	excess int
}

// frame is an encoded message to a visitor; seq orders event frames.
type frame struct {
	seq  int64
	data []byte
}

// register adds c to the hub's indexes.
func (h *hub) register(c *client, contactID int64, convs []int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{c.inboxID, c.subject}
	if len(h.subjects[key]) >= h.s.cfg.Limits.SocketsPerVisitor {
		return sahay.Errorf(sahay.ERATELIMITED, "too many open chat windows for this visitor")
	}
	addTo(h.subjects, key, c)
	addTo(h.inboxes, c.inboxID, c)
	if contactID != 0 {
		c.contactID.Store(contactID)
		addTo(h.contacts, contactID, c)
	}
	c.convs = convs
	for _, id := range convs {
		addTo(h.convs, id, c)
	}
	h.count.Add(1)
	return nil
}

func (h *hub) unregister(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{c.inboxID, c.subject}
	removeFrom(h.subjects, key, c)
	removeFrom(h.inboxes, c.inboxID, c)
	if id := c.contactID.Load(); id != 0 {
		removeFrom(h.contacts, id, c)
	}
	c.mu.Lock()
	for _, id := range c.convs {
		removeFrom(h.convs, id, c)
	}
	c.mu.Unlock()
	if len(h.subjects[key]) == 0 {
		if p := h.presence[key]; p != nil {
			p.leftAt = time.Now()
			h.touch(key)
		}
	}
	h.count.Add(-1)
}

// bindSubject links the sockets of a visitor to their contact, once the
// contact exists.
func (h *hub) bindSubject(inboxID int64, subject string, contactID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subjects[subjectKey{inboxID, subject}] {
		if c.contactID.Load() == 0 {
			c.contactID.Store(contactID)
			addTo(h.contacts, contactID, c)
		}
	}
}

// addConversation routes a conversation's events to its contact's sockets.
func (h *hub) addConversation(contactID, convID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.contacts[contactID] {
		c.mu.Lock()
		if !slices.Contains(c.convs, convID) {
			c.convs = append(c.convs, convID)
			addTo(h.convs, convID, c)
		}
		c.mu.Unlock()
	}
}

// owns reports whether conversation id is one of the socket's.
func (c *client) owns(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.convs, id)
}

// send queues a frame for the visitor. A socket that falls maxQueue frames
// behind is closed; the widget reconnects and resumes by sequence.
func (c *client) send(f frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if c.replaying {
		c.held = append(c.held, f)
		if len(c.held) > maxQueue*4 {
			c.closeLocked(websocket.StatusPolicyViolation, "too far behind; reconnect")
		}
		return
	}
	c.enqueueLocked(f)
}

func (c *client) enqueueLocked(f frame) {
	if len(c.queue) >= maxQueue {
		c.closeLocked(websocket.StatusPolicyViolation, "too far behind; reconnect")
		return
	}
	c.queue = append(c.queue, f)
	if !c.writing {
		// A writer runs only while there is something to write, so an idle
		// socket costs one goroutine: its reader.
		c.writing = true
		go c.flush()
	}
}

func (c *client) flush() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.writing = false
			c.queue = nil
			c.mu.Unlock()
			return
		}
		f := c.queue[0]
		c.queue = c.queue[1:]
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
		err := c.conn.Write(ctx, websocket.MessageText, f.data)
		cancel()
		if err != nil {
			c.mu.Lock()
			c.closeLocked(websocket.StatusGoingAway, "write failed")
			c.mu.Unlock()
		}
	}
}

// closeLocked closes the socket; the reader then unregisters it.
func (c *client) closeLocked(code websocket.StatusCode, reason string) {
	if c.closed {
		return
	}
	c.closed = true
	go func() {
		c.conn.Close(code, reason)
		c.cancel()
	}()
}

// endReplay sends the frames held during replay that are newer than what
// was replayed.
func (c *client) endReplay(replayed int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.replaying = false
	for _, f := range c.held {
		if f.seq == 0 || f.seq > replayed {
			c.enqueueLocked(f)
		}
	}
	c.held = nil
}

// allow applies the frame rate limit.
func (c *client) allow(l Limits) bool {
	if ok, _ := c.frames.Take(l.Frames, time.Now()); !ok {
		c.excess++
		return false
	}
	return true
}

// follow routes bus events to sockets until ctx ends. If the bus drops the
// hub for being slow, every socket is told to resync and the hub
// resubscribes.
func (h *hub) follow(ctx context.Context) {
	for ctx.Err() == nil {
		sub, err := h.s.svc.Bus().Subscribe(0)
		if err != nil {
			h.s.log.Error("widget: subscribe to events", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
				continue
			}
		}
		h.route(ctx, sub.C)
		sub.Close()
		if ctx.Err() == nil {
			h.broadcast(frame{data: []byte(`{"t":"resync"}`)})
		}
	}
}

func (h *hub) route(ctx context.Context, events <-chan sahay.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			h.dispatch(ctx, ev)
		}
	}
}

func (h *hub) broadcast(f frame) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, set := range h.inboxes {
		for c := range set {
			c.send(f)
		}
	}
}

// dispatch sends one event to the sockets it concerns.
func (h *hub) dispatch(ctx context.Context, ev sahay.Event) {
	switch ev.Type {
	case sahay.EventInboxChanged:
		h.s.cache.reset()
		return
	case sahay.EventVisitorShared:
		h.remember(ev)
		return
	case sahay.EventConversationCreated, sahay.EventConversationUpdated, sahay.EventMessageCreated, sahay.EventMessageUpdated,
		sahay.EventTyping, sahay.EventSeen:
	default:
		return
	}
	if ev.Type == sahay.EventConversationCreated {
		h.bindCreated(ev)
	}
	convID := ev.ConversationID
	h.mu.RLock()
	n := len(h.convs[convID])
	h.mu.RUnlock()
	if n == 0 || convID == 0 {
		return
	}
	data, ok := h.s.encodeEvent(ctx, ev)
	if !ok {
		return
	}
	f := frame{seq: ev.Seq, data: data}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.convs[convID] {
		c.send(f)
	}
}

// bindCreated routes a new conversation to its contact's sockets, matching
// sockets that have no contact yet by the contact's widget identity (a
// proactive chat to a visitor who never wrote).
func (h *hub) bindCreated(ev sahay.Event) {
	p, err := sahay.Decode[sahay.ConversationCreated](ev)
	if err != nil || p.Conversation == nil {
		return
	}
	c := p.Conversation
	if c.Contact != nil {
		ns := core.WidgetIdentity(c.InboxID)
		for _, id := range c.Contact.Identities {
			if id.Namespace == ns {
				h.bindSubject(c.InboxID, id.ExternalID, c.ContactID)
			}
		}
	}
	h.addConversation(c.ContactID, c.ID)
}

// encodeEvent turns an event into the frame a visitor sees, or reports
// false for an event the visitor must not see.
func (s *Server) encodeEvent(ctx context.Context, ev sahay.Event) ([]byte, bool) {
	p, err := ev.Payload()
	if err != nil {
		return nil, false
	}
	var out any
	switch p := p.(type) {
	case sahay.MessageCreated:
		out = s.visitorMessageFrame(ctx, ev.Seq, p.Message)
	case sahay.MessageUpdated:
		out = s.visitorMessageFrame(ctx, ev.Seq, p.Message)
	case sahay.ConversationCreated:
		out = visitorConversationFrame(ev.Seq, p.Conversation)
	case sahay.ConversationUpdated:
		out = visitorConversationFrame(ev.Seq, p.Conversation)
	case sahay.Typing:
		if p.From == sahay.TypingUser {
			out = map[string]any{"t": "typing", "c": ev.ConversationID, "on": p.On, "name": p.Name}
		}
	case sahay.Seen:
		out = map[string]any{"t": "seen", "c": ev.ConversationID, "upto": p.Upto}
	}
	if out == nil {
		return nil, false
	}
	b, err := json.Marshal(out)
	return b, err == nil
}

// visitorMessageFrame is the frame of a message event, or nil for a
// message the visitor must not see.
func (s *Server) visitorMessageFrame(ctx context.Context, seq int64, m *sahay.Message) any {
	if m == nil {
		return nil
	}
	vm, ok := s.toVisitorMessage(ctx, m)
	if !ok {
		return nil
	}
	return struct {
		T   string         `json:"t"`
		Seq int64          `json:"seq"`
		M   visitorMessage `json:"m"`
	}{"msg", seq, vm}
}

// visitorConversationFrame is the frame of a conversation event.
func visitorConversationFrame(seq int64, c *sahay.Conversation) any {
	if c == nil {
		return nil
	}
	return struct {
		T   string              `json:"t"`
		Seq int64               `json:"seq"`
		C   visitorConversation `json:"c"`
	}{"conv", seq, toVisitorConversation(c)}
}

// closeAll disconnects every socket.
func (h *hub) closeAll() {
	h.mu.RLock()
	var all []*client
	for _, set := range h.inboxes {
		for c := range set {
			all = append(all, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range all {
		c.mu.Lock()
		c.closeLocked(websocket.StatusGoingAway, "server shutting down")
		c.mu.Unlock()
	}
}

// sweep closes silent sockets and forgets visitors who left.
func (h *hub) sweep(ctx context.Context) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cutoff := time.Now().Add(-idleTimeout).UnixNano()
		h.mu.Lock()
		for _, set := range h.inboxes {
			for c := range set {
				if c.lastRead.Load() < cutoff {
					c.mu.Lock()
					c.closeLocked(websocket.StatusPolicyViolation, "idle")
					c.mu.Unlock()
				}
			}
		}
		for k, p := range h.presence {
			if !p.leftAt.IsZero() && time.Since(p.leftAt) > presenceLinger && len(h.subjects[k]) == 0 {
				delete(h.presence, k)
				delete(h.dirty, k)
			}
		}
		h.forgetRemote(time.Now())
		h.mu.Unlock()
	}
}

// inFrame is a frame from the visitor.
type inFrame struct {
	T    string `json:"t"`
	CID  string `json:"cid"`
	Text string `json:"text"`
	Conv int64  `json:"c"`
	On   bool   `json:"on"`
	Upto int64  `json:"upto"`
	Read bool   `json:"read"`
	// Campaign answers a proactive campaign.
	Campaign string `json:"campaign"`
	// New starts another conversation (with t "msg"; Conv names the one a
	// message continues).
	New bool `json:"new"`
	// Page view and custom events.
	Page  *pageView       `json:"page"`
	Name  string          `json:"name"`
	Data  json.RawMessage `json:"data"`
	Visit *visitInfo      `json:"visit"`
}

// serveSocket upgrades a visitor's socket: GET /widget/v1/ws?token=…&after=SEQ.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	err := s.limitAddress(r, s.limits.requestsPerAddress, "requests from your address")
	var v *visitor
	if err == nil {
		v, err = s.parseVisitor(r.Context(), r.URL.Query().Get("token"))
	}
	if err == nil && !originAllowed(r, &v.inbox.settings) {
		err = errOrigin
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	contactID, err := s.contactID(r.Context(), v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var convs []int64
	if contactID != 0 {
		list, err := s.conversations(r.Context(), v.inbox, contactID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, c := range list {
			convs = append(convs, c.ID)
		}
	}
	conn, err := websocket.Accept(leanWriter{w}, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	conn.SetReadLimit(s.cfg.Limits.FrameBytes)
	ctx, cancel := context.WithCancel(s.ctx)
	c := &client{hub: s.hub, conn: conn, ctx: ctx, cancel: cancel, inboxID: v.inbox.ID, accountID: v.inbox.AccountID,
		subject: v.subject, replaying: after > 0}
	c.lastRead.Store(time.Now().UnixNano())
	if err := s.hub.register(c, contactID, convs); err != nil {
		conn.Close(websocket.StatusTryAgainLater, sahay.ErrorMessage(err))
		cancel()
		return
	}
	s.hub.arrive(c, r)
	// The reader runs in a goroutine of its own and the handler returns:
	// the handler's stack grew deep while setting up (database, JSON), and
	// an idle socket should not keep it. A fresh goroutine's stack stays
	// small.
	go func() {
		defer func() {
			s.hub.unregister(c)
			c.mu.Lock()
			c.closeLocked(websocket.StatusNormalClosure, "")
			c.mu.Unlock()
		}()
		if after > 0 {
			s.replay(c, after)
		} else {
			seq, _ := s.store.LastEventSeq(ctx, c.accountID)
			c.send(frame{data: []byte(`{"t":"ready","seq":` + strconv.FormatInt(seq, 10) + `}`)})
		}
		s.readLoop(c, v)
	}()
}

// leanWriter hands the WebSocket a hijacked connection with small buffers.
// Visitor frames are small, and net/http's 4 KB reader and writer would be
// a third of an idle socket's memory.
type leanWriter struct{ http.ResponseWriter }

func (w leanWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes the client sent right after its handshake (a first frame) may
	// already sit in net/http's buffer. They must come first from the
	// connection itself: the WebSocket library resets the reader we return
	// onto the connection, which would drop them from any reader of ours.
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		conn = &prefixedConn{Conn: conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)}
	}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, 512), bufio.NewWriterSize(conn, 512)), nil
}

// prefixedConn is a connection that first returns bytes read before it was
// hijacked.
type prefixedConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// replay sends the visitor's events committed after seq, then the live ones
// held meanwhile.
func (s *Server) replay(c *client, after int64) {
	last := after
	defer func() { c.endReplay(last) }()
	for read := 0; read < maxReplay; {
		evs, err := s.store.EventsAfter(c.ctx, c.accountID, last, 500)
		if err != nil {
			c.mu.Lock()
			c.closeLocked(websocket.StatusInternalError, "could not resume")
			c.mu.Unlock()
			return
		}
		for _, ev := range evs {
			last = ev.Seq
			if ev.Type == sahay.EventConversationCreated {
				s.hub.bindCreated(ev)
			}
			if ev.ConversationID == 0 || !c.owns(ev.ConversationID) {
				continue
			}
			if data, ok := s.encodeEvent(c.ctx, ev); ok {
				c.mu.Lock()
				c.enqueueLocked(frame{seq: ev.Seq, data: data})
				c.mu.Unlock()
			}
		}
		read += len(evs)
		if len(evs) < 500 {
			c.mu.Lock()
			c.enqueueLocked(frame{data: []byte(`{"t":"ready","seq":` + strconv.FormatInt(last, 10) + `}`)})
			c.mu.Unlock()
			return
		}
	}
	// Too much happened while away: the widget reloads its history.
	c.mu.Lock()
	c.enqueueLocked(frame{data: []byte(`{"t":"resync"}`)})
	c.mu.Unlock()
}

func (s *Server) readLoop(c *client, v *visitor) {
	for {
		_, data, err := c.conn.Read(c.ctx)
		if err != nil {
			return
		}
		c.lastRead.Store(time.Now().UnixNano())
		if !c.allow(s.cfg.Limits) {
			if c.excess >= s.cfg.Limits.MaxExcess {
				c.conn.Close(websocket.StatusPolicyViolation, "too many frames; slow down")
				return
			}
			c.reply(map[string]any{"t": "err", "code": sahay.ERATELIMITED, "message": "too many frames; slow down"})
			continue
		}
		var f inFrame
		if err := json.Unmarshal(data, &f); err != nil {
			c.reply(map[string]any{"t": "err", "code": sahay.EBADREQUEST, "message": "frames are JSON objects"})
			continue
		}
		if err := httpx.CheckUTF8(data); err != nil {
			c.reply(map[string]any{"t": "err", "cid": f.CID, "code": sahay.ErrorCode(err), "message": sahay.ErrorMessage(err)})
			continue
		}
		if err := s.handleFrame(c, v, f); err != nil {
			c.reply(map[string]any{"t": "err", "cid": f.CID, "code": sahay.ErrorCode(err), "message": sahay.ErrorMessage(err)})
		}
	}
}

func (c *client) reply(v any) {
	b, err := json.Marshal(v)
	if err == nil {
		c.send(frame{data: b})
	}
}

func (s *Server) handleFrame(c *client, v *visitor, f inFrame) error {
	switch f.T {
	case "ping":
		c.send(frame{data: []byte(`{"t":"pong"}`)})
		return nil
	case "msg":
		if err := limitVisitor(v, s.limits.writesPerVisitor, "messages and updates from this visitor"); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
		defer cancel()
		m, conv, err := s.receive(ctx, v, SendRequest{ClientID: f.CID, Text: f.Text, Campaign: f.Campaign, Conversation: f.Conv, New: f.New}, nil)
		if err != nil {
			return err
		}
		c.mu.Lock()
		if !slices.Contains(c.convs, conv.ID) {
			c.mu.Unlock()
			s.hub.addConversation(c.contactID.Load(), conv.ID)
		} else {
			c.mu.Unlock()
		}
		c.reply(map[string]any{"t": "ack", "cid": f.CID, "m": m, "c": conv})
		return nil
	case "typing":
		if !c.owns(f.Conv) {
			return sahay.NotFound("conversation")
		}
		return s.publishEphemeral(c.accountID, c.inboxID, f.Conv,
			sahay.Typing{ConversationID: f.Conv, From: sahay.TypingContact, ContactID: c.contactID.Load(), On: f.On})
	case "seen":
		if !c.owns(f.Conv) {
			return sahay.NotFound("conversation")
		}
		status := sahay.DeliveryDelivered
		if f.Read {
			status = sahay.DeliveryRead
		}
		ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
		defer cancel()
		return s.svc.MarkRepliesSeen(ctx, c.accountID, f.Conv, f.Upto, status)
	case "page":
		if f.Page == nil {
			return sahay.Invalid("page is required")
		}
		s.hub.pageView(c, *f.Page, f.Visit)
		return nil
	case "event":
		if f.Name == "" || len(f.Name) > 100 || len(f.Data) > 2048 {
			return sahay.Invalid("an event has a name of at most 100 bytes and data of at most 2 KB")
		}
		s.hub.trackEvent(c, f.Name, f.Data)
		return nil
	}
	return sahay.Invalid("unknown frame type %q", f.T)
}

// publishEphemeral puts an unstored event on the bus.
func (s *Server) publishEphemeral(accountID, inboxID, convID int64, p sahay.Payload) error {
	ev, err := sahay.NewEvent(accountID, inboxID, convID, p)
	if err != nil {
		return err
	}
	return s.svc.Bus().Publish(s.ctx, []sahay.Event{ev})
}

// writeError answers a failed socket upgrade in the JSON error shape.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, s.log, err)
}
