package realtime

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
)

// TestFollowResubscribesBeforeCatchingUp: when the bus drops a slow
// subscriber, follow subscribes again before it tells the sockets to read
// what they missed, so an event published at that moment is not lost
// between the store read and the new subscription.
func TestFollowResubscribesBeforeCatchingUp(t *testing.T) {
	b := &watchedBus{Memory: bus.NewMemory(), subscribed: make(chan struct{}, 4)}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	got := make(chan sahay.Event, 4*bus.Buffer)
	lost := make(chan struct{}, 4)
	dispatch := func(ev sahay.Event) {
		if ev.Seq == 1 {
			<-release // a slow reader: the bus fills up behind it
		}
		got <- ev
	}
	onLost := func() {
		// What a socket's catch-up might race with: an event committed
		// and published just now.
		b.Publish(ctx, []sahay.Event{{AccountID: 1, Seq: 99_999, Type: "label.created"}})
		lost <- struct{}{}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		follow(ctx, b, slog.New(slog.NewTextHandler(io.Discard, nil)), dispatch, onLost)
	}()
	defer func() { cancel(); <-done }()

	<-b.subscribed
	b.Publish(ctx, []sahay.Event{{AccountID: 1, Seq: 1, Type: "label.created"}})
	flood := make([]sahay.Event, bus.Buffer+2)
	for i := range flood {
		flood[i] = sahay.Event{AccountID: 1, Seq: int64(i + 2), Type: "label.created"}
	}
	b.Publish(ctx, flood) // more than the buffer: the subscription is dropped
	close(release)

	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("the dropped subscription was never reported lost")
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-got:
			if ev.Seq == 99_999 {
				return
			}
		case <-deadline:
			t.Fatal("the event published when the loss was reported never arrived: follow reported the loss before subscribing again")
		}
	}
}

// watchedBus says when a subscription is made.
type watchedBus struct {
	*bus.Memory
	subscribed chan struct{}
}

func (b *watchedBus) Subscribe(accountID int64) (*bus.Subscription, error) {
	sub, err := b.Memory.Subscribe(accountID)
	b.subscribed <- struct{}{}
	return sub, err
}
