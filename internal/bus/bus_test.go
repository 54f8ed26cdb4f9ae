package bus_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
)

// modes runs a test on the memory bus always and on NATS when
// SAHAY_TEST_NATS_URL is set. newBus may be called several times to stand
// for several nodes.
func modes(t *testing.T, fn func(t *testing.T, newBus func() bus.Bus)) {
	t.Run("memory", func(t *testing.T) {
		b := bus.NewMemory()
		t.Cleanup(func() { b.Close() })
		fn(t, func() bus.Bus { return b })
	})
	t.Run("nats", func(t *testing.T) {
		url := os.Getenv("SAHAY_TEST_NATS_URL")
		if url == "" {
			t.Skip("SAHAY_TEST_NATS_URL not set: NATS bus skipped")
		}
		prefix := fmt.Sprintf("sahaytest.%d", time.Now().UnixNano())
		fn(t, func() bus.Bus {
			b, err := bus.NewNATS(url, prefix)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b
		})
	})
}

func receive(t *testing.T, sub *bus.Subscription) sahay.Event {
	t.Helper()
	select {
	case ev, ok := <-sub.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return sahay.Event{}
}

func TestBusDeliversPerAccount(t *testing.T) {
	modes(t, func(t *testing.T, newBus func() bus.Bus) {
		publisher, other := newBus(), newBus()
		one, err := other.Subscribe(1)
		if err != nil {
			t.Fatal(err)
		}
		defer one.Close()
		all, _ := other.Subscribe(0)
		defer all.Close()
		events := []sahay.Event{{AccountID: 2, Seq: 1, Type: "x"}, {AccountID: 1, Seq: 1, Type: "a"}, {AccountID: 1, Seq: 2, Type: "b"}}
		if err := publisher.Publish(context.Background(), events); err != nil {
			t.Fatal(err)
		}
		for _, want := range []int64{1, 2} {
			if ev := receive(t, one); ev.AccountID != 1 || ev.Seq != want {
				t.Fatalf("account 1 subscriber got %+v, want seq %d", ev, want)
			}
		}
		for range events {
			receive(t, all)
		}
	})
}

func TestBusDropsSlowSubscriber(t *testing.T) {
	b := bus.NewMemory()
	defer b.Close()
	slow, _ := b.Subscribe(1)
	events := make([]sahay.Event, bus.Buffer+1)
	for i := range events {
		events[i] = sahay.Event{AccountID: 1, Seq: int64(i + 1)}
	}
	b.Publish(context.Background(), events)
	n := 0
	for range slow.C {
		n++
	}
	if n != bus.Buffer {
		t.Fatalf("slow subscriber got %d events before being dropped, want %d", n, bus.Buffer)
	}
	slow.Close() // closing a dropped subscription is harmless
}
