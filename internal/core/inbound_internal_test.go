package core

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// A batch's events come out in the batch's order whether they are encoded
// one after another or on several cores, and any one's error is returned.
func TestEncodeEventsKeepsOrder(t *testing.T) {
	message := func(i int) (sahay.Event, error) {
		return sahay.NewEvent(1, 2, int64(i), sahay.MessageCreated{Message: &sahay.Message{ID: int64(i), Content: "নমস্কার"}})
	}
	for _, n := range []int{0, 1, encodeShare*2 - 1, encodeShare * 2, 201} {
		evs, err := encodeEvents(n, message)
		if err != nil || len(evs) != n {
			t.Fatalf("%d events: got %d, %v", n, len(evs), err)
		}
		for i, ev := range evs {
			p, err := sahay.Decode[sahay.MessageCreated](ev)
			if err != nil || ev.ConversationID != int64(i) || p.Message.ID != int64(i) {
				t.Fatalf("%d events: event %d is %+v (%v)", n, i, ev, err)
			}
		}
	}
	_, err := encodeEvents(201, func(i int) (sahay.Event, error) {
		if i == 157 {
			return sahay.Event{}, errors.New("event 157 cannot be encoded")
		}
		return message(i)
	})
	if err == nil || !strings.Contains(err.Error(), "event 157") {
		t.Fatalf("an event that cannot be encoded: %v", err)
	}
}

// A batch started beside another takes no call of a sender the other
// holds: each sender's calls are stored in the order they came. It takes
// the others in order, up to maxBatch.
func TestTakeBatchKeepsEachSendersOrder(t *testing.T) {
	inbox := &sahay.Inbox{ID: 7, AccountID: 1}
	call := func(contact, ext string) *receiveRequest {
		return &receiveRequest{inbox: inbox, in: channel.Inbound{ContactID: contact, ExternalID: ext}}
	}
	names := func(rs []*receiveRequest) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.in.ExternalID)
		}
		return strings.Join(out, " ")
	}
	busy := map[store.Identity]int{sender(call("a", "")): 1}
	pending := []*receiveRequest{call("a", "a2"), call("b", "b1"), call("a", "a3"), call("c", "c1"), call("b", "b2")}
	batch, left := takeBatch(pending, busy)
	if got, want := names(batch), "b1 c1 b2"; got != want {
		t.Errorf("batch %q, want %q", got, want)
	}
	if got, want := names(left), "a2 a3"; got != want {
		t.Errorf("left %q, want %q", got, want)
	}

	pending = nil
	for i := range maxBatch + 3 {
		pending = append(pending, call(fmt.Sprint("s", i), fmt.Sprint(i)))
	}
	batch, left = takeBatch(pending, map[store.Identity]int{})
	if len(batch) != maxBatch || len(left) != 3 || batch[0] != pending[0] || left[0] != pending[maxBatch] {
		t.Errorf("%d calls: batch of %d, %d left; want the first %d, then the rest", len(pending), len(batch), len(left), maxBatch)
	}
}
