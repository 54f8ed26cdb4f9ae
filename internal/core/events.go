package core

import (
	"context"

	sahay "github.com/sahayhq/sahay"
)

// LastEventSeq returns the sequence number of the account's latest event:
// a client that starts now resumes after it.
func (s *Service) LastEventSeq(ctx context.Context, accountID int64) (int64, error) {
	return s.store.LastEventSeq(ctx, accountID)
}

// EventsAfter returns up to limit of the account's events after sequence
// number after, in order: what a client that resumes from after missed. The
// caller shows each one only to whom may see it.
func (s *Service) EventsAfter(ctx context.Context, accountID, after int64, limit int) ([]sahay.Event, error) {
	return s.store.EventsAfter(ctx, accountID, after, limit)
}
