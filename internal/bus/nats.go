package bus

import (
	"context"
	"encoding/json"
	"fmt"

	sahay "github.com/sahayhq/sahay"

	"github.com/nats-io/nats.go"
)

// NATS is the bus of several nodes: each node publishes the events it
// commits to NATS, and every node's subscribers receive them.
type NATS struct {
	conn   *nats.Conn
	prefix string
	local  *Memory
	sub    *nats.Subscription
}

var _ Bus = (*NATS)(nil)

// NewNATS connects to the NATS server at url. Subjects are
// "<prefix>.<account id>".
func NewNATS(url, prefix string) (*NATS, error) {
	if prefix == "" {
		prefix = "sahay.events"
	}
	conn, err := nats.Connect(url, nats.Name("sahay"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("bus: connect nats %s: %w", url, err)
	}
	b := &NATS{conn: conn, prefix: prefix, local: NewMemory()}
	// One NATS subscription per node fans out to local subscribers, so the
	// broker's load does not grow with the number of browser tabs.
	b.sub, err = conn.Subscribe(prefix+".*", func(msg *nats.Msg) {
		var ev sahay.Event
		if json.Unmarshal(msg.Data, &ev) == nil {
			b.local.deliver([]sahay.Event{ev})
		}
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("bus: subscribe nats: %w", err)
	}
	if err := conn.Flush(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bus: nats: %w", err)
	}
	return b, nil
}

// Publish implements [Bus].
func (b *NATS) Publish(ctx context.Context, events []sahay.Event) error {
	for _, ev := range events {
		data, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("bus: encode event: %w", err)
		}
		if err := b.conn.Publish(fmt.Sprintf("%s.%d", b.prefix, ev.AccountID), data); err != nil {
			return fmt.Errorf("bus: publish: %w", err)
		}
	}
	return nil
}

// Subscribe implements [Bus].
func (b *NATS) Subscribe(accountID int64) (*Subscription, error) { return b.local.Subscribe(accountID) }

// Close implements [Bus].
func (b *NATS) Close() error {
	b.sub.Unsubscribe()
	b.conn.Close()
	return b.local.Close()
}
