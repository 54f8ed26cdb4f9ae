package core

import (
	"errors"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
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
