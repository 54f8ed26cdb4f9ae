package core

import (
	"fmt"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

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
