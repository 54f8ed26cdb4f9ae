package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
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

// Webhook requests arriving together are journalled in one commit: each is
// answered once its event is committed, a request repeated at the same
// time is kept once, and every answered event's message is stored once.
func TestConcurrentWebhooksAreJournalledOnce(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newRelayFixture(t, open(t))
		const requests = 200
		var wg sync.WaitGroup
		for i := range requests {
			for range 2 {
				wg.Go(func() {
					e := relayEvent{ID: fmt.Sprintf("e-%d", i), Messages: []channel.Inbound{
						{ExternalID: fmt.Sprintf("m-%d", i), ContactID: fmt.Sprintf("cust-%d", i%17), Content: fmt.Sprintf("message %d", i)}}}
					body, _ := json.Marshal(e)
					r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/webhooks/%d", f.inbox.ID), bytes.NewReader(body))
					if _, err := f.svc.Webhook(ctx, f.inbox.ID, r, "", body); err != nil {
						t.Errorf("webhook %s: %v", e.ID, err)
					}
				})
			}
		}
		wg.Wait()
		// Answered means journalled: every event is there now. The states
		// are read one after another while events are processed, so an
		// event may be read pending and then done: count rows by id.
		rows := map[int64]bool{}
		for _, state := range []string{store.RawPending, store.RawDone, store.RawFailed} {
			got, err := f.st.RawEvents(ctx, f.inbox.AccountID, state, 2*requests)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				rows[e.ID] = true
			}
		}
		if journalled := len(rows); journalled != requests {
			t.Fatalf("%d events journalled after %d answered requests, each twice; want %d", journalled, 2*requests, requests)
		}
		storetest.Eventually(t, time.Minute, "every event to be processed", func() bool {
			_, pending, err := f.st.NextRawEventAt(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return !pending
		})
		for i := range requests {
			m, err := f.st.MessageByExternalID(ctx, f.inbox.ID, fmt.Sprintf("m-%d", i))
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if m.Content != fmt.Sprintf("message %d", i) {
				t.Errorf("message %d reads %q", i, m.Content)
			}
		}
		var stored int
		for c := range 17 {
			first, err := f.st.MessageByExternalID(ctx, f.inbox.ID, fmt.Sprintf("m-%d", c))
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := f.st.Messages(ctx, f.inbox.AccountID, first.ConversationID, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			stored += len(msgs)
		}
		if stored != requests {
			t.Errorf("%d messages stored, want %d, once each", stored, requests)
		}
	})
}
