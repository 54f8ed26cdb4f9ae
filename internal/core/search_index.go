package core

import (
	"context"
	"time"
)

// The search indexer (SQLite): received messages are indexed for search
// after they are stored, in transactions of their own, so that a batch of
// them holds the one writer for less; a search first indexes what is left
// (store.SearchMessages), so it finds every message stored before it.
const (
	searchIndexLeaseName = "search-index"
	searchIndexLease     = 30 * time.Second
	searchIndexPoll      = 5 * time.Second
	searchIndexPause     = 100 * time.Millisecond
	// searchIndexBatch is how many messages a transaction indexes at
	// most: a few tens of milliseconds of the writer.
	searchIndexBatch = 2000
)

// indexSearch runs the search indexer while this node holds its lease,
// until the service stops.
func (s *Service) indexSearch() {
	s.follow(follower{lease: searchIndexLeaseName, ttl: searchIndexLease, poll: searchIndexPoll, gap: searchIndexPause,
		pass: s.searchIndexPass})
}

// searchIndexPass indexes one batch of messages and reports whether more
// are left. Like the scorer it gives way to Receive calls waiting for their
// batch: during a burst the messages are indexed after it (or by a search).
func (s *Service) searchIndexPass(ctx context.Context) bool {
	s.yieldToReceive(ctx, searchIndexLeaseName)
	more, err := s.store.IndexMessages(ctx, searchIndexBatch)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("search index", "err", err)
		}
		return false
	}
	return more
}
