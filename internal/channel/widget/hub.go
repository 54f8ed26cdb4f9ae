package widget

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/realtime"
)

type subjectKey struct {
	inbox   int64
	subject string
}

// hub is the widget's side of the visitor sockets. The sockets themselves,
// and which events reach them, are realtime's visitor face; the widget
// encodes what a visitor sees, handles the frames a visitor sends, and
// keeps what each visitor is doing on the site.
type hub struct {
	s       *Server
	sockets *realtime.Visitors

	mu sync.RWMutex
	// presence is what each visitor on the site is doing, by subject.
	presence map[subjectKey]*presence
	// node names this node to the others; dirty holds the visitors whose
	// presence changed since it was last shared, and remote what other
	// nodes shared of theirs.
	node   string
	dirty  map[subjectKey]struct{}
	remote map[subjectKey]map[string]*remoteVisitor
}

func newHub(s *Server) *hub {
	h := &hub{s: s, presence: map[subjectKey]*presence{}, node: newNodeID(), dirty: map[subjectKey]struct{}{},
		remote: map[subjectKey]map[string]*remoteVisitor{}}
	h.sockets = realtime.NewVisitors(s.svc, realtime.VisitorConfig{
		Encode:            s.encodeEvent,
		Namespace:         core.WidgetIdentity,
		Arrived:           h.arrive,
		Left:              h.left,
		Event:             h.follow,
		Frames:            s.cfg.Limits.Frames,
		MaxExcess:         s.cfg.Limits.MaxExcess,
		FrameBytes:        s.cfg.Limits.FrameBytes,
		SocketsPerVisitor: s.cfg.Limits.SocketsPerVisitor,
		Log:               s.log,
	})
	return h
}

// follow reads the events the widget keeps up with besides its visitors'
// conversations.
func (h *hub) follow(ev sahay.Event) {
	switch ev.Type {
	case sahay.EventInboxChanged:
		h.s.cache.reset()
	case sahay.EventVisitorShared:
		h.remember(ev)
	}
}

// left marks a visitor whose last socket closed as gone.
func (h *hub) left(inboxID int64, subject string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{inboxID, subject}
	if p := h.presence[key]; p != nil {
		if !h.connected(key) {
			p.leftAt = time.Now()
			h.touch(key)
		}
	}
}

// sweep forgets visitors who left, until ctx ends.
func (h *hub) sweep(ctx context.Context) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h.mu.Lock()
		for k, p := range h.presence {
			if !p.leftAt.IsZero() && time.Since(p.leftAt) > presenceLinger && !h.connected(k) {
				delete(h.presence, k)
				delete(h.dirty, k)
			}
		}
		h.forgetRemote(time.Now())
		h.mu.Unlock()
	}
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
	s.hub.sockets.Serve(w, r, realtime.VisitorInfo{AccountID: v.inbox.AccountID, InboxID: v.inbox.ID, Subject: v.subject,
		ContactID: contactID, Conversations: convs}, after, func(c *realtime.Visitor, data []byte) { s.readFrame(c, v, data) })
}

// readFrame handles one frame from the visitor.
func (s *Server) readFrame(c *realtime.Visitor, v *visitor, data []byte) {
	var f inFrame
	if err := json.Unmarshal(data, &f); err != nil {
		reply(c, map[string]any{"t": "err", "code": sahay.EBADREQUEST, "message": "frames are JSON objects"})
		return
	}
	if err := httpx.CheckUTF8(data); err != nil {
		reply(c, map[string]any{"t": "err", "cid": f.CID, "code": sahay.ErrorCode(err), "message": sahay.ErrorMessage(err)})
		return
	}
	if err := s.handleFrame(c, v, f); err != nil {
		reply(c, map[string]any{"t": "err", "cid": f.CID, "code": sahay.ErrorCode(err), "message": sahay.ErrorMessage(err)})
	}
}

func reply(c *realtime.Visitor, v any) {
	if b, err := json.Marshal(v); err == nil {
		c.Send(b)
	}
}

func (s *Server) handleFrame(c *realtime.Visitor, v *visitor, f inFrame) error {
	switch f.T {
	case "ping":
		c.Send([]byte(`{"t":"pong"}`))
		return nil
	case "msg":
		if err := limitVisitor(v, s.limits.writesPerVisitor, "messages and updates from this visitor"); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(c.Context(), 30*time.Second)
		defer cancel()
		m, conv, err := s.receive(ctx, v, SendRequest{ClientID: f.CID, Text: f.Text, Campaign: f.Campaign, Conversation: f.Conv, New: f.New}, nil)
		if err != nil {
			return err
		}
		if !c.Owns(conv.ID) {
			s.hub.sockets.AddConversation(c.ContactID(), conv.ID)
		}
		reply(c, map[string]any{"t": "ack", "cid": f.CID, "m": m, "c": conv})
		return nil
	case "typing":
		if !c.Owns(f.Conv) {
			return sahay.NotFound("conversation")
		}
		return s.svc.ContactTyping(c.Context(), v.inbox.Inbox, f.Conv, c.ContactID(), f.On)
	case "seen":
		if !c.Owns(f.Conv) {
			return sahay.NotFound("conversation")
		}
		status := sahay.DeliveryDelivered
		if f.Read {
			status = sahay.DeliveryRead
		}
		ctx, cancel := context.WithTimeout(c.Context(), 10*time.Second)
		defer cancel()
		return s.svc.MarkRepliesSeen(ctx, c.AccountID(), f.Conv, f.Upto, status)
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

// writeError answers a failed socket upgrade in the JSON error shape.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, s.log, err)
}
