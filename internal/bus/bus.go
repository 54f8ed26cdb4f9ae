// Package bus carries committed domain events from the node that committed
// them to every subscriber: realtime clients, automation, webhooks. Delivery
// is at most once; the events table is the source of truth, and a subscriber
// that sees a gap in sequence numbers reads the missing events from the store.
package bus

import (
	"context"
	"sync"

	sahay "github.com/sahayhq/sahay"
)

// Bus publishes events and lets subscribers receive them.
type Bus interface {
	// Publish sends committed events to the subscribers of their accounts.
	Publish(ctx context.Context, events []sahay.Event) error
	// Subscribe returns a subscription to every event of the account, or of
	// all accounts when accountID is 0.
	Subscribe(accountID int64) (*Subscription, error)
	Close() error
}

// Subscription delivers events on C until it is closed. If the subscriber
// falls behind by more than the buffer, C is closed: the subscriber must
// resubscribe and catch up from the store.
type Subscription struct {
	C      <-chan sahay.Event
	ch     chan sahay.Event
	cancel func()
	once   sync.Once
}

// Close ends the subscription.
func (s *Subscription) Close() { s.once.Do(s.cancel) }

// Buffer is how many events a subscriber may fall behind before it is
// dropped.
const Buffer = 1024

// Memory is the in-process bus of a single node.
type Memory struct {
	mu   sync.Mutex
	subs map[*Subscription]int64
}

var _ Bus = (*Memory)(nil)

// NewMemory returns an in-process bus.
func NewMemory() *Memory { return &Memory{subs: map[*Subscription]int64{}} }

// Publish implements [Bus].
func (m *Memory) Publish(ctx context.Context, events []sahay.Event) error {
	m.deliver(events)
	return nil
}

func (m *Memory) deliver(events []sahay.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ev := range events {
		for sub, account := range m.subs {
			if account != 0 && account != ev.AccountID {
				continue
			}
			select {
			case sub.ch <- ev:
			default:
				// Too slow: drop the subscriber rather than block everyone.
				delete(m.subs, sub)
				close(sub.ch)
			}
		}
	}
}

// Subscribe implements [Bus].
func (m *Memory) Subscribe(accountID int64) (*Subscription, error) {
	ch := make(chan sahay.Event, Buffer)
	sub := &Subscription{C: ch, ch: ch}
	sub.cancel = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.subs[sub]; ok {
			delete(m.subs, sub)
			close(ch)
		}
	}
	m.mu.Lock()
	m.subs[sub] = accountID
	m.mu.Unlock()
	return sub, nil
}

// Close implements [Bus].
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for sub := range m.subs {
		delete(m.subs, sub)
		close(sub.ch)
	}
	return nil
}
