package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// The journal processor takes many due events at once and processes
// different customers' events together: every journalled message is stored
// once, a repeated delivery adds nothing, and each customer's messages and
// edits are applied in the order their events were journalled, also when
// one event carries messages of two customers; a receipt is applied after
// the message an earlier event stored.
func TestJournalProcessesManyEventsInOrder(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newRelayFixture(t, open(t))
		const customers, rounds = 12, 25
		contact := func(c int) string { return fmt.Sprintf("cust-%d", c%customers) }
		// want is each customer's messages in journal order; edited their
		// contents after the edits.
		want := map[string][]string{}
		content := map[string]string{}
		var events []relayEvent
		for r := range rounds {
			for c := range customers {
				e := relayEvent{ID: fmt.Sprintf("e-%d-%d", r, c)}
				add := func(in channel.Inbound) {
					e.Messages = append(e.Messages, in)
					if !in.Edit {
						want[in.ContactID] = append(want[in.ContactID], in.ExternalID)
					}
					content[in.ExternalID] = in.Content
				}
				add(channel.Inbound{ExternalID: fmt.Sprintf("m-%d-%d", c, r), ContactID: contact(c), Content: fmt.Sprintf("message %d", r)})
				if r%5 == 4 {
					add(channel.Inbound{ExternalID: fmt.Sprintf("m-%d-%d", c, r-2), ContactID: contact(c), Edit: true,
						Content: fmt.Sprintf("message %d, edited", r-2)})
				}
				if r%7 == 3 {
					add(channel.Inbound{ExternalID: fmt.Sprintf("x-%d-%d", c, r), ContactID: contact(c + 1), Content: fmt.Sprintf("forwarded %d", r)})
				}
				if r == 10 {
					add(channel.Inbound{ExternalID: fmt.Sprintf("echo-%d", c), ContactID: contact(c), Echo: true, Content: "Sent from the shop's phone"})
				}
				events = append(events, e)
				if r == 11 {
					// The platform reports, in an event of its own, that
					// the echo failed: the receipt waits for the echo.
					events = append(events, relayEvent{ID: fmt.Sprintf("receipt-%d", c), Receipts: []channel.Receipt{
						{ExternalID: fmt.Sprintf("echo-%d", c), Status: sahay.DeliveryFailed, Error: "recipient blocked"}}})
				}
			}
		}

		// Journalled to be due only once all are in, so that the processor
		// claims them in full batches; each is delivered twice.
		due := time.Now().Add(3 * time.Second)
		for _, e := range events {
			body, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				fresh, err := f.st.JournalRawEvent(ctx, &store.RawEvent{AccountID: f.inbox.AccountID, InboxID: f.inbox.ID,
					DedupeKey: e.ID, Body: body}, due)
				if err != nil {
					t.Fatal(err)
				}
				if fresh != (i == 0) {
					t.Fatalf("event %s delivered %d times: journalled as new %v", e.ID, i+1, fresh)
				}
			}
		}
		if time.Now().After(due) {
			t.Log("the events were due before all were journalled")
		}

		storetest.Eventually(t, time.Minute, "every event to be processed", func() bool {
			_, pending, err := f.st.NextRawEventAt(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return !pending
		})
		for _, state := range []string{store.RawDone, store.RawFailed} {
			got, err := f.st.RawEvents(ctx, f.inbox.AccountID, state, 2*len(events))
			if err != nil {
				t.Fatal(err)
			}
			if n := map[string]int{store.RawDone: len(events)}[state]; len(got) != n {
				t.Fatalf("%d events %s, want %d", len(got), state, n)
			}
		}
		for c := range customers {
			ids := want[contact(c)]
			first, err := f.st.MessageByExternalID(ctx, f.inbox.ID, ids[0])
			if err != nil {
				t.Fatalf("%s's first message: %v", contact(c), err)
			}
			msgs, err := f.st.Messages(ctx, f.inbox.AccountID, first.ConversationID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range msgs {
				got = append(got, m.ExternalID)
				if m.Content != content[m.ExternalID] {
					t.Errorf("message %s reads %q, want %q", m.ExternalID, m.Content, content[m.ExternalID])
				}
			}
			if i := slices.Index(got, fmt.Sprintf("echo-%d", c)); i >= 0 && (msgs[i].Status != sahay.DeliveryFailed || msgs[i].Error != "recipient blocked") {
				t.Errorf("%s's echo is %s (%q) after the receipt, want failed", contact(c), msgs[i].Status, msgs[i].Error)
			}
			if !slices.Equal(got, ids) {
				t.Errorf("%s's conversation holds\n%v\nwant, in journal order, once each\n%v", contact(c), got, ids)
			}
		}
	})
}
