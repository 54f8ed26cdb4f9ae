package core

import (
	"context"
	"slices"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// follower is work that follows the accounts' events after Receive has
// stored them, on one node at a time: the node holding the lease named
// lease runs pass over and over while it reports work left, then waits to
// be woken by a message committed on any node, or for poll to pass.
// Passes that find the backlog read to its end are at least gap apart, so
// that messages trickling in are handled a few times a second in batches
// rather than each in a transaction of its own.
type follower struct {
	lease string
	ttl   time.Duration
	poll  time.Duration
	gap   time.Duration
	// pass handles one batch of each account with unread events and
	// reports whether work may be left.
	pass func(ctx context.Context) bool
	// wakeOn are the types of the events that wake it; nil: messages
	// created. nudge, when not nil, wakes it too.
	wakeOn []string
	nudge  <-chan struct{}
}

// follow runs f while this node holds f's lease, until the service stops.
// The context given to pass ends when the service closes.
func (s *Service) follow(f follower) {
	wake := make(chan struct{}, 1)
	wakeOn := f.wakeOn
	if wakeOn == nil {
		wakeOn = []string{sahay.EventMessageCreated}
	}
	s.wg.Go(func() { s.wakeOnEvents(wake, wakeOn) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.wg.Go(func() {
		<-s.stop
		cancel()
	})
	var held time.Time // until when the lease is ours; zero when not
	renew := func() bool {
		if !held.IsZero() && time.Until(held) > 2*f.ttl/3 {
			return true
		}
		until := time.Now().Add(f.ttl)
		ok, err := s.store.AcquireLease(ctx, f.lease, s.node, f.ttl)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("acquire lease", "lease", f.lease, "err", err)
		}
		if !ok {
			held = time.Time{}
			return false
		}
		held = until
		return true
	}
	t := time.NewTicker(f.poll)
	defer t.Stop()
	for {
		for renew() && f.pass(ctx) && !s.stopping() {
		}
		caughtUp := time.Now()
		select {
		case <-s.stop:
			if !held.IsZero() {
				if err := s.store.ReleaseLease(context.Background(), f.lease, s.node); err != nil {
					s.log.Warn("release lease", "lease", f.lease, "err", err)
				}
			}
			return
		case <-wake:
		case <-f.nudge:
		case <-t.C:
		}
		select {
		case <-s.stop:
		case <-time.After(f.gap - time.Since(caughtUp)):
		}
	}
}

// stopping reports whether the service is closing.
func (s *Service) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// wakeOnEvents wakes a follower when an event of one of types is
// committed on any node, until the service stops.
func (s *Service) wakeOnEvents(wake chan<- struct{}, types []string) {
	for {
		sub, err := s.bus.Subscribe(0)
		if err != nil {
			s.log.Error("subscribe to follow messages", "err", err)
			select {
			case <-s.stop:
				return
			case <-time.After(time.Second):
				continue
			}
		}
		dropped := false
		for !dropped {
			select {
			case <-s.stop:
				sub.Close()
				return
			case ev, ok := <-sub.C:
				if !ok {
					dropped = true
					break
				}
				if slices.Contains(types, ev.Type) {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			}
		}
		// The bus dropped a slow subscriber: wake the follower, which
		// reads what it missed from the store.
		sub.Close()
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}
