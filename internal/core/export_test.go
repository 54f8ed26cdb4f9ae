package core

import (
	"sync/atomic"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// AddChange moves c on by one count change, counted in the views a count
// row of the same inbox, team, assignee and label is.
func (c *Counts) AddChange(a *Actor, channelOf map[int64]string, ch sahay.CountChange) {
	c.add(a, channelOf, store.CountRow{InboxID: ch.InboxID, TeamID: ch.TeamID, AssigneeID: ch.AssigneeID,
		LabelID: ch.LabelID, Status: ch.Status, N: int64(ch.N)})
}

// SetScoreBatch makes the scorer read at most n events of an account per
// transaction until the test ends.
func SetScoreBatch(t interface{ Cleanup(func()) }, n int64) {
	old := scoreBatch.Swap(n)
	t.Cleanup(func() { scoreBatch.Store(old) })
}

// Waiting counts one more Receive call waiting for its batch until the
// returned function is called: the followers that give way to Receive
// wait for it.
func (s *Service) Waiting() (done func()) {
	s.receiving.Add(1)
	return func() { s.receiving.Add(-1) }
}

// GaveWay returns how many passes of the follower of lease who waited for
// Receive calls.
func (s *Service) GaveWay(who string) int64 {
	if n, ok := s.gaveWay.Load(who); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

// Follower leases, for GaveWay.
const (
	ReportLease      = reportLeaseName
	VoiceLease       = voiceLeaseName
	SearchIndexLease = searchIndexLeaseName
)
