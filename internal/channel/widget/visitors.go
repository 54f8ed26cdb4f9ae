package widget

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// A visitor's presence lives in the memory of the node that holds their
// socket. When several nodes share a bus ([Config.SharedBus]), each node
// tells the others what changed about its visitors, at most once per
// visitor per shareInterval, and again every shareRefresh while they stay,
// so every node can list every visitor. A node that stops telling (it
// stopped or died) drops out of the others' lists after remoteExpiry.
const (
	shareInterval = time.Second
	shareRefresh  = 30 * time.Second
	remoteExpiry  = 2*shareRefresh + 5*time.Second
)

// remoteVisitor is a visitor another node holds, as it last told.
type remoteVisitor struct {
	visitor  LiveVisitor
	received time.Time
}

func newNodeID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// touch marks a visitor's presence as changed, to be told to the other
// nodes. h.mu must be held.
func (h *hub) touch(k subjectKey) {
	if h.s.cfg.SharedBus {
		h.dirty[k] = struct{}{}
	}
}

// share tells the other nodes about changed visitors every shareInterval,
// and about every present visitor every shareRefresh, until ctx ends.
func (h *hub) share(ctx context.Context) {
	tick := time.NewTicker(shareInterval)
	defer tick.Stop()
	lastRefresh := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		refresh := time.Since(lastRefresh) >= shareRefresh
		if refresh {
			lastRefresh = time.Now()
		}
		type snapshot struct {
			accountID, inboxID int64
			visitor            LiveVisitor
		}
		var changed []snapshot
		h.mu.Lock()
		for k, p := range h.presence {
			if _, dirty := h.dirty[k]; !dirty && (!refresh || !h.connected(k)) {
				continue
			}
			changed = append(changed, snapshot{p.accountID, k.inbox, h.liveVisitor(k, p)})
		}
		clear(h.dirty)
		h.mu.Unlock()
		// Encoded outside the lock: a refresh may cover thousands of visitors.
		events := make([]sahay.Event, 0, len(changed))
		for _, c := range changed {
			visitor, err := json.Marshal(c.visitor)
			if err != nil {
				continue
			}
			ev, err := sahay.NewEvent(c.accountID, c.inboxID, 0, sahay.VisitorShared{Node: h.node, InboxID: c.inboxID, Visitor: visitor})
			if err != nil {
				continue
			}
			events = append(events, ev)
		}
		if len(events) > 0 {
			if err := h.s.svc.Bus().Publish(ctx, events); err != nil && ctx.Err() == nil {
				h.s.log.Warn("widget: share visitors", "err", err)
			}
		}
	}
}

// remember keeps what another node told about one of its visitors.
func (h *hub) remember(ev sahay.Event) {
	sv, err := sahay.Decode[sahay.VisitorShared](ev)
	if err != nil || sv.Node == h.node || sv.Node == "" {
		return
	}
	var v LiveVisitor
	if err := json.Unmarshal(sv.Visitor, &v); err != nil || !validSubject(v.ID) {
		return
	}
	k := subjectKey{sv.InboxID, v.ID}
	h.mu.Lock()
	byNode := h.remote[k]
	if byNode == nil {
		byNode = map[string]*remoteVisitor{}
		h.remote[k] = byNode
	}
	byNode[sv.Node] = &remoteVisitor{visitor: v, received: time.Now()}
	h.mu.Unlock()
}

// forgetRemote drops what other nodes stopped telling: a visitor who left
// after presenceLinger, and anyone not refreshed within remoteExpiry.
// h.mu must be held.
func (h *hub) forgetRemote(now time.Time) {
	for k, byNode := range h.remote {
		for node, r := range byNode {
			age := now.Sub(r.received)
			if age > remoteExpiry || (!r.visitor.Online && age > presenceLinger) {
				delete(byNode, node)
			}
		}
		if len(byNode) == 0 {
			delete(h.remote, k)
		}
	}
}

// online reports whether a visitor has a chat window open on this node or,
// as far as their shares tell, on another.
func (h *hub) online(inboxID int64, subject string) bool {
	k := subjectKey{inboxID, subject}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.connected(k) {
		return true
	}
	for _, r := range h.remote[k] {
		if r.visitor.Online {
			return true
		}
	}
	return false
}

// connected reports whether a visitor has a socket open on this node.
func (h *hub) connected(k subjectKey) bool {
	n, _ := h.sockets.Online(k.inbox, k.subject)
	return n > 0
}
