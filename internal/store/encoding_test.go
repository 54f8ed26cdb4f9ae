package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// Events whose data is encoded beside the transaction are committed in
// the order they were appended, numbered with the events appended around
// them, each with its own data, whether one goroutine or several encode
// them; one that cannot be encoded fails the transaction, and a savepoint
// that fails keeps those appended before it.
func TestAppendEncodingKeepsOrder(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		a := storetest.MustAccount(t, st, "A")
		metas := func(n int) []sahay.Event {
			evs := make([]sahay.Event, n)
			for i := range evs {
				evs[i] = sahay.Event{AccountID: a.ID, ConversationID: int64(i + 1), Type: sahay.EventMessageCreated}
			}
			return evs
		}
		encode := func(i int) ([]byte, error) {
			return json.Marshal(sahay.MessageCreated{Message: &sahay.Message{ID: int64(i + 1), Content: "নমস্কার"}})
		}
		var want []int64
		for _, n := range []int{1, 31, 32, 201} {
			before, err := sahay.NewEvent(a.ID, 0, 0, sahay.ContactUpdated{Contact: &sahay.Contact{ID: 7}})
			if err != nil {
				t.Fatal(err)
			}
			evs := storetest.MustWrite(t, st, func(tx *store.Tx) error {
				if err := tx.AppendEvent(ctx, before); err != nil {
					return err
				}
				if err := tx.AppendEncoding(ctx, metas(n), encode); err != nil {
					return err
				}
				// A savepoint that fails drops only its own events.
				err := tx.Savepoint(ctx, func() error {
					if err := tx.AppendEncoding(ctx, metas(3), encode); err != nil {
						return err
					}
					return errors.New("undone")
				})
				if err == nil {
					return errors.New("the savepoint did not fail")
				}
				return tx.AppendEvent(ctx, before)
			})
			if len(evs) != n+2 {
				t.Fatalf("%d encoded: %d events committed, want %d", n, len(evs), n+2)
			}
			for i, ev := range evs {
				want = append(want, ev.Seq)
				if i == 0 || i == n+1 {
					if ev.Type != sahay.EventContactUpdated {
						t.Fatalf("%d encoded: event %d is %s, want the one appended around them", n, i, ev.Type)
					}
					continue
				}
				p, err := sahay.Decode[sahay.MessageCreated](ev)
				if err != nil || ev.ConversationID != int64(i) || p.Message.ID != int64(i) {
					t.Fatalf("%d encoded: event %d is %+v (%v)", n, i, ev, err)
				}
			}
		}
		stored, err := st.EventsAfter(ctx, a.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for i, ev := range stored {
			got = append(got, ev.Seq)
			if ev.Seq != int64(i+1) || ev.Type == sahay.EventMessageCreated && !strings.Contains(string(ev.Data), fmt.Sprintf(`"id":%d`, ev.ConversationID)) {
				t.Fatalf("stored event %d: %+v", i, ev)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("stored %v, committed %v", got, want)
		}
		_, err = st.Write(ctx, func(tx *store.Tx) error {
			return tx.AppendEncoding(ctx, metas(201), func(i int) ([]byte, error) {
				if i == 157 {
					return nil, errors.New("event 157 cannot be encoded")
				}
				return encode(i)
			})
		})
		if err == nil || !strings.Contains(err.Error(), "event 157") {
			t.Fatalf("an event that cannot be encoded: %v", err)
		}
		if after, _ := st.EventsAfter(ctx, a.ID, 0, 1000); len(after) != len(stored) {
			t.Fatalf("%d events after the failed transaction, want %d", len(after), len(stored))
		}
	})
}
