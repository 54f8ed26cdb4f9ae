package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// Timing of visitor sockets.
const (
	// visitorIdle closes a visitor socket that sent nothing, not even a
	// ping, for this long; the widget pings every 25 seconds.
	visitorIdle = 75 * time.Second
	// visitorReplay is how many events a resuming visitor socket may read
	// back before it is told to reload instead.
	visitorReplay = 5000
)

// Frames of the resume protocol a visitor's client speaks: "ready" with the
// sequence number it has caught up to, and "resync" when it must reload
// what it shows because events were lost to it.
var resyncFrame = []byte(`{"t":"resync"}`)

func readyFrame(seq int64) []byte {
	return []byte(`{"t":"ready","seq":` + strconv.FormatInt(seq, 10) + `}`)
}

// VisitorConfig is what a channel tells the visitor face about its
// customers' sockets.
type VisitorConfig struct {
	// Encode is the frame a visitor sees of an event of one of their own
	// conversations, or false for an event they must not see.
	Encode func(ctx context.Context, ev sahay.Event) ([]byte, bool)
	// Namespace is the contact identity namespace of an inbox's visitors:
	// a conversation created for a contact with an identity there reaches
	// the sockets of the visitor with that subject (a proactive chat).
	Namespace func(inboxID int64) string
	// Arrived is told of a socket once it is registered, before it reads;
	// Left when the last socket of a visitor has closed.
	Arrived func(v *Visitor, r *http.Request)
	Left    func(inboxID int64, subject string)
	// Event is told of every event on the bus, for what the channel follows
	// itself; it must not block.
	Event func(ev sahay.Event)
	// Frames is the rate of frames a visitor may send: a frame over it is
	// answered with an error, and MaxExcess of them close the socket.
	Frames    ratelimit.Rate
	MaxExcess int
	// FrameBytes is the largest frame a visitor may send.
	FrameBytes int64
	// SocketsPerVisitor is how many sockets one visitor may hold open.
	SocketsPerVisitor int
	Log               *slog.Logger
}

// VisitorInfo is who a new socket belongs to.
type VisitorInfo struct {
	AccountID, InboxID int64
	// Subject is the visitor's id in the inbox.
	Subject string
	// ContactID is the visitor's contact, 0 until they have one.
	ContactID int64
	// Conversations are the contact's conversations in the inbox.
	Conversations []int64
}

type subjectKey struct {
	inbox   int64
	subject string
}

// Visitors is the visitor face of the hub: each website visitor's sockets
// receive the events of the visitor's own conversations, as the channel
// encodes them.
type Visitors struct {
	svc *core.Service
	cfg VisitorConfig

	mu       sync.RWMutex
	convs    map[int64]map[*Visitor]struct{}
	contacts map[int64]map[*Visitor]struct{}
	subjects map[subjectKey]map[*Visitor]struct{}
	inboxes  map[int64]map[*Visitor]struct{}
	count    atomic.Int64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Visitor is one visitor socket.
type Visitor struct {
	socket
	h         *Visitors
	accountID int64
	inboxID   int64
	subject   string
	contactID atomic.Int64
	convs     []int64 // guarded by socket.mu
}

// NewVisitors returns a running visitor face: it follows the bus until
// [Visitors.Close].
func NewVisitors(svc *core.Service, cfg VisitorConfig) *Visitors {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Visitors{svc: svc, cfg: cfg, convs: map[int64]map[*Visitor]struct{}{}, contacts: map[int64]map[*Visitor]struct{}{},
		subjects: map[subjectKey]map[*Visitor]struct{}{}, inboxes: map[int64]map[*Visitor]struct{}{}, ctx: ctx, cancel: cancel}
	h.wg.Add(2)
	go func() {
		defer h.wg.Done()
		follow(ctx, svc.Bus(), cfg.Log, h.dispatch, func() { h.broadcast(resyncFrame) })
	}()
	go func() {
		defer h.wg.Done()
		sweep(ctx, h.closeSilent)
	}()
	return h
}

// Close disconnects every visitor and stops the face.
func (h *Visitors) Close() {
	h.cancel()
	h.each(func(v *Visitor) { v.close(websocket.StatusGoingAway, "server shutting down") })
	h.wg.Wait()
}

// Count returns the number of open visitor sockets.
func (h *Visitors) Count() int64 { return h.count.Load() }

// Serve upgrades a visitor's request: the socket replays the events of the
// visitor's conversations committed after seq after (0: none, it starts
// now), then streams live ones, and hands each frame the visitor sends,
// within the frame rate, to frames. It returns once the socket runs.
func (h *Visitors) Serve(w http.ResponseWriter, r *http.Request, who VisitorInfo, after int64, frames func(*Visitor, []byte)) {
	// Origins are the channel's to check, by its own settings.
	conn, err := accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true}, h.cfg.FrameBytes)
	if err != nil {
		return
	}
	v := &Visitor{h: h, accountID: who.AccountID, inboxID: who.InboxID, subject: who.Subject}
	v.init(h.ctx, conn, v, visitorQueue, after > 0)
	if err := h.register(v, who.ContactID, who.Conversations); err != nil {
		conn.Close(websocket.StatusTryAgainLater, sahay.ErrorMessage(err))
		v.cancel()
		return
	}
	if h.cfg.Arrived != nil {
		h.cfg.Arrived(v, r)
	}
	// The reader runs in a goroutine of its own and the handler returns:
	// the handler's stack grew deep while setting up (database, JSON), and
	// an idle socket should not keep it. A fresh goroutine's stack stays
	// small.
	go func() {
		defer func() {
			h.unregister(v)
			v.close(websocket.StatusNormalClosure, "")
		}()
		if after > 0 {
			h.replay(v, after)
		} else {
			seq, _ := h.svc.LastEventSeq(v.ctx, v.accountID)
			v.sendFrame(readyFrame(seq))
		}
		h.read(v, frames)
	}()
}

// rateLimited is the answer to a frame over the rate.
var rateLimited, _ = json.Marshal(map[string]any{"t": "err", "code": sahay.ERATELIMITED, "message": "too many frames; slow down"})

func (h *Visitors) read(v *Visitor, frames func(*Visitor, []byte)) {
	for {
		data, err := v.read()
		if err != nil {
			return
		}
		if ok, excess := v.allow(h.cfg.Frames); !ok {
			if excess >= h.cfg.MaxExcess {
				v.close(websocket.StatusPolicyViolation, "too many frames; slow down")
				return
			}
			v.sendFrame(rateLimited)
			continue
		}
		frames(v, data)
	}
}

// replay sends the visitor's events committed after seq after, then the
// live ones held meanwhile.
func (h *Visitors) replay(v *Visitor, after int64) {
	last, tooMany, err := replay(v.ctx, h.svc, v.accountID, after, 0, visitorReplay, func(ev sahay.Event) error {
		if ev.Type == sahay.EventConversationCreated {
			h.bindCreated(ev)
		}
		if ev.ConversationID != 0 && v.Owns(ev.ConversationID) {
			v.enqueue(item{ev: ev})
		}
		return nil
	})
	defer v.endReplay(last)
	switch {
	case err != nil:
		v.close(websocket.StatusInternalError, "could not resume")
	case tooMany:
		// Too much happened while away: the client reloads its history.
		v.enqueue(item{data: resyncFrame})
	default:
		v.enqueue(item{data: readyFrame(last)})
	}
}

func (v *Visitor) writeItem(it item) error {
	data, ok := v.h.cfg.Encode(v.ctx, it.ev)
	if !ok {
		return nil
	}
	return v.write(data)
}

// AccountID is the visitor's account.
func (v *Visitor) AccountID() int64 { return v.accountID }

// InboxID is the inbox the visitor is on.
func (v *Visitor) InboxID() int64 { return v.inboxID }

// Subject is the visitor's id in the inbox.
func (v *Visitor) Subject() string { return v.subject }

// ContactID is the visitor's contact, 0 until they have one.
func (v *Visitor) ContactID() int64 { return v.contactID.Load() }

// Context ends when the socket closes.
func (v *Visitor) Context() context.Context { return v.ctx }

// Send queues an encoded frame for the visitor.
func (v *Visitor) Send(data []byte) { v.sendFrame(data) }

// Owns reports whether conversation id is one of the visitor's.
func (v *Visitor) Owns(id int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Contains(v.convs, id)
}

func addTo[K comparable](m map[K]map[*Visitor]struct{}, k K, v *Visitor) {
	set := m[k]
	if set == nil {
		set = map[*Visitor]struct{}{}
		m[k] = set
	}
	set[v] = struct{}{}
}

func removeFrom[K comparable](m map[K]map[*Visitor]struct{}, k K, v *Visitor) {
	if set := m[k]; set != nil {
		delete(set, v)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

func (h *Visitors) register(v *Visitor, contactID int64, convs []int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	key := subjectKey{v.inboxID, v.subject}
	if len(h.subjects[key]) >= h.cfg.SocketsPerVisitor {
		return sahay.Errorf(sahay.ERATELIMITED, "too many open chat windows for this visitor")
	}
	addTo(h.subjects, key, v)
	addTo(h.inboxes, v.inboxID, v)
	if contactID != 0 {
		v.contactID.Store(contactID)
		addTo(h.contacts, contactID, v)
	}
	v.convs = convs
	for _, id := range convs {
		addTo(h.convs, id, v)
	}
	h.count.Add(1)
	return nil
}

func (h *Visitors) unregister(v *Visitor) {
	h.mu.Lock()
	key := subjectKey{v.inboxID, v.subject}
	removeFrom(h.subjects, key, v)
	removeFrom(h.inboxes, v.inboxID, v)
	if id := v.contactID.Load(); id != 0 {
		removeFrom(h.contacts, id, v)
	}
	v.mu.Lock()
	for _, id := range v.convs {
		removeFrom(h.convs, id, v)
	}
	v.mu.Unlock()
	gone := len(h.subjects[key]) == 0
	h.count.Add(-1)
	h.mu.Unlock()
	if gone && h.cfg.Left != nil {
		h.cfg.Left(v.inboxID, v.subject)
	}
}

// BindContact links the sockets of a visitor to their contact, once the
// contact exists.
func (h *Visitors) BindContact(inboxID int64, subject string, contactID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for v := range h.subjects[subjectKey{inboxID, subject}] {
		if v.contactID.Load() == 0 {
			v.contactID.Store(contactID)
			addTo(h.contacts, contactID, v)
		}
	}
}

// AddConversation routes a conversation's events to its contact's sockets.
func (h *Visitors) AddConversation(contactID, convID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for v := range h.contacts[contactID] {
		v.mu.Lock()
		if !slices.Contains(v.convs, convID) {
			v.convs = append(v.convs, convID)
			addTo(h.convs, convID, v)
		}
		v.mu.Unlock()
	}
}

// Online returns how many sockets a visitor holds open on this node, and
// their contact.
func (h *Visitors) Online(inboxID int64, subject string) (int, int64) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	set := h.subjects[subjectKey{inboxID, subject}]
	var contactID int64
	for v := range set {
		contactID = v.contactID.Load()
	}
	return len(set), contactID
}

// Inboxes returns the inboxes of an account with visitor sockets open on
// this node.
func (h *Visitors) Inboxes(accountID int64) []int64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []int64
	for id, set := range h.inboxes {
		for v := range set {
			if v.accountID == accountID {
				out = append(out, id)
			}
			break
		}
	}
	return out
}

// SendInbox queues a frame for every visitor socket of an inbox.
func (h *Visitors) SendInbox(inboxID int64, data []byte) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for v := range h.inboxes[inboxID] {
		v.sendFrame(data)
	}
}

// dispatch sends one event to the sockets it concerns.
func (h *Visitors) dispatch(ev sahay.Event) {
	if h.cfg.Event != nil {
		h.cfg.Event(ev)
	}
	switch ev.Type {
	case sahay.EventConversationCreated:
		h.bindCreated(ev)
	case sahay.EventConversationUpdated, sahay.EventMessageCreated, sahay.EventMessageUpdated, sahay.EventTyping, sahay.EventSeen:
	default:
		return
	}
	if ev.ConversationID == 0 {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for v := range h.convs[ev.ConversationID] {
		v.send(item{ev: ev})
	}
}

// bindCreated routes a new conversation to its contact's sockets, matching
// sockets that have no contact yet by the contact's identity in the inbox
// (a proactive chat to a visitor who never wrote).
func (h *Visitors) bindCreated(ev sahay.Event) {
	p, err := sahay.Decode[sahay.ConversationCreated](ev)
	if err != nil || p.Conversation == nil {
		return
	}
	c := p.Conversation
	if c.Contact != nil && h.cfg.Namespace != nil {
		ns := h.cfg.Namespace(c.InboxID)
		for _, id := range c.Contact.Identities {
			if id.Namespace == ns {
				h.BindContact(c.InboxID, id.ExternalID, c.ContactID)
			}
		}
	}
	h.AddConversation(c.ContactID, c.ID)
}

func (h *Visitors) each(f func(*Visitor)) {
	h.mu.RLock()
	var all []*Visitor
	for _, set := range h.inboxes {
		for v := range set {
			all = append(all, v)
		}
	}
	h.mu.RUnlock()
	for _, v := range all {
		f(v)
	}
}

func (h *Visitors) broadcast(data []byte) { h.each(func(v *Visitor) { v.sendFrame(data) }) }

// closeSilent closes the sockets that sent nothing for visitorIdle.
func (h *Visitors) closeSilent(now time.Time) {
	cutoff := now.Add(-visitorIdle)
	h.each(func(v *Visitor) {
		if v.silentSince(cutoff) {
			v.close(websocket.StatusPolicyViolation, "idle")
		}
	})
}
