package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// Who is at the dashboard. An agent is connected while one of their
// dashboards holds a realtime socket on some node; their availability
// (online, busy, offline) is their own choice. An agent is available, and
// the website chat says the team is online, when they are connected and
// chose online.
//
// Each node knows its own sockets. When nodes share a bus
// ([Config.SharedBus]) a node tells the others when an agent's first
// socket on it opens and last one closes, and again every rosterRefresh
// while they stay; a node that stops telling (it stopped or died) drops
// out of the others' rosters after rosterExpiry.
//
// A node that starts asks the others to tell it of their agents at once
// (a share with no user), so that it knows them within rosterSettle
// rather than a refresh later: the assigner waits that long before
// routing on a node that has just started.
const (
	rosterRefresh = 20 * time.Second
	rosterExpiry  = 2*rosterRefresh + 5*time.Second
	rosterSettle  = 2 * time.Second
)

// roster is the service's record of connected agents.
type roster struct {
	node    string
	started time.Time
	mu      sync.Mutex
	// local counts each user's sockets on this node, by account.
	local map[int64]*localAgent
	// remote is when each other node last said a user is connected.
	remote map[int64]map[string]time.Time
	// changed is told the ids of users whose connection changed.
	changed []func(accountID, userID int64)
}

type localAgent struct {
	accountID int64
	sockets   int
}

func newRoster() *roster {
	b := make([]byte, 8)
	rand.Read(b)
	return &roster{node: hex.EncodeToString(b), started: time.Now(), local: map[int64]*localAgent{}, remote: map[int64]map[string]time.Time{}}
}

// AgentConnected records a realtime socket of the actor's; call the
// returned function when it closes.
func (s *Service) AgentConnected(a *Actor) (closed func()) {
	r := s.roster
	u := a.User
	r.mu.Lock()
	la := r.local[u.ID]
	if la == nil {
		la = &localAgent{accountID: u.AccountID}
		r.local[u.ID] = la
	}
	la.sockets++
	first := la.sockets == 1
	r.mu.Unlock()
	if first {
		s.shareAgent(u.AccountID, u.ID, true)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			la.sockets--
			last := la.sockets == 0
			if last {
				delete(r.local, u.ID)
			}
			r.mu.Unlock()
			if last {
				s.shareAgent(u.AccountID, u.ID, false)
			}
		})
	}
}

// AgentConnectedNow reports whether the user has a dashboard open on any
// node.
func (s *Service) AgentConnectedNow(userID int64) bool {
	r := s.roster
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.local[userID] != nil {
		return true
	}
	for _, at := range r.remote[userID] {
		if time.Since(at) <= rosterExpiry {
			return true
		}
	}
	return false
}

// Available reports whether u takes chats now: connected, and online by
// their own choice.
func (s *Service) Available(u *sahay.User) bool {
	return u.Availability == sahay.AvailabilityOnline && s.AgentConnectedNow(u.ID)
}

// rosterSettled reports whether this node has had time to hear of the
// agents connected to other nodes.
func (s *Service) rosterSettled() bool {
	return !s.sharedBus || time.Since(s.roster.started) >= rosterSettle
}

// OnAgentPresence registers f to hear of every change of an agent's
// connection, on this node or another.
func (s *Service) OnAgentPresence(f func(accountID, userID int64)) {
	s.roster.mu.Lock()
	s.roster.changed = append(s.roster.changed, f)
	s.roster.mu.Unlock()
}

func (s *Service) agentChanged(accountID, userID int64) {
	s.roster.mu.Lock()
	fs := s.roster.changed
	s.roster.mu.Unlock()
	for _, f := range fs {
		f(accountID, userID)
	}
}

// shareAgent tells the other nodes, if any, of a change on this one, and
// this node's listeners.
func (s *Service) shareAgent(accountID, userID int64, connected bool) {
	s.agentChanged(accountID, userID)
	if !s.sharedBus {
		return
	}
	s.publishAgents(map[int64]int64{userID: accountID}, connected)
}

func (s *Service) publishAgents(users map[int64]int64, connected bool) {
	events := make([]sahay.Event, 0, len(users))
	for userID, accountID := range users {
		ev, err := sahay.NewEvent(accountID, 0, 0, sahay.AgentShared{Node: s.roster.node, UserID: userID, Connected: connected})
		if err != nil {
			s.log.Error("share agent presence", "err", err)
			return
		}
		events = append(events, ev)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.bus.Publish(ctx, events); err != nil {
		s.log.Warn("share agent presence", "err", err)
	}
}

// followRoster keeps the record of other nodes' agents and refreshes this
// node's to them, until the service closes.
func (s *Service) followRoster() {
	tick := time.NewTicker(rosterRefresh)
	defer tick.Stop()
	for {
		sub, err := s.bus.Subscribe(0)
		if err != nil {
			s.log.Error("subscribe to agent presence", "err", err)
			select {
			case <-s.stop:
				return
			case <-time.After(time.Second):
				continue
			}
		}
		// Ask the other nodes for their agents now, rather than at their
		// next refresh.
		s.publishAgents(map[int64]int64{0: 0}, true)
		done := s.followRosterOn(sub.C, tick.C)
		sub.Close()
		if done {
			return
		}
	}
}

// followRosterOn reads events until the service closes (true) or the bus
// drops the subscription (false).
func (s *Service) followRosterOn(events <-chan sahay.Event, tick <-chan time.Time) bool {
	r := s.roster
	for {
		select {
		case <-s.stop:
			return true
		case <-tick:
			users := s.localAgents()
			r.mu.Lock()
			for id, byNode := range r.remote {
				for node, at := range byNode {
					if time.Since(at) > rosterExpiry {
						delete(byNode, node)
					}
				}
				if len(byNode) == 0 {
					delete(r.remote, id)
				}
			}
			r.mu.Unlock()
			if len(users) > 0 {
				s.publishAgents(users, true)
			}
		case ev, ok := <-events:
			if !ok {
				return false
			}
			if ev.Type != sahay.EventAgentShared {
				continue
			}
			sh, err := sahay.Decode[sahay.AgentShared](ev)
			if err != nil || sh.Node == r.node || sh.Node == "" {
				continue
			}
			if sh.UserID == 0 {
				// A node that started asks for this node's agents.
				if users := s.localAgents(); len(users) > 0 {
					s.publishAgents(users, true)
				}
				continue
			}
			r.mu.Lock()
			byNode := r.remote[sh.UserID]
			_, was := byNode[sh.Node]
			if sh.Connected {
				if byNode == nil {
					byNode = map[string]time.Time{}
					r.remote[sh.UserID] = byNode
				}
				byNode[sh.Node] = time.Now()
			} else {
				delete(byNode, sh.Node)
				if len(byNode) == 0 {
					delete(r.remote, sh.UserID)
				}
			}
			r.mu.Unlock()
			if was != sh.Connected {
				s.agentChanged(ev.AccountID, sh.UserID)
			}
		}
	}
}

// localAgents returns the account of each user with a socket on this node.
func (s *Service) localAgents() map[int64]int64 {
	r := s.roster
	r.mu.Lock()
	defer r.mu.Unlock()
	users := make(map[int64]int64, len(r.local))
	for id, la := range r.local {
		users[id] = la.accountID
	}
	return users
}
