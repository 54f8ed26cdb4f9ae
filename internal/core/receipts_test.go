package core_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// relay is a channel of these tests: its webhook journals a request's
// JSON body as one event named by its "id", and Parse reads the event's
// messages and receipts from it, as a platform's batched payload would
// carry them.
type relay struct{}

const relayName = "relay"

// relayEvent is the body the relay's webhook takes.
type relayEvent struct {
	ID       string            `json:"id"`
	Messages []channel.Inbound `json:"messages"`
	Receipts []channel.Receipt `json:"receipts"`
}

func (relay) Validate(*sahay.Inbox) error { return nil }

func (relay) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	return channel.SendResult{ExternalID: fmt.Sprintf("relay-%d", out.Message.ID)}, nil
}

func (relay) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	var e relayEvent
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" {
		return channel.Hook{}, sahay.BadRequest("not a relay event")
	}
	return channel.Hook{Events: []channel.Raw{{DedupeKey: e.ID, Body: body}}}, nil
}

func (relay) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	var e relayEvent
	if err := json.Unmarshal(raw.Body, &e); err != nil {
		return channel.Parsed{}, err
	}
	return channel.Parsed{Messages: e.Messages, Receipts: e.Receipts}, nil
}

// relayFixture is a service with a relay inbox and a reply sent in it.
type relayFixture struct {
	st    *store.Store
	svc   *core.Service
	admin *core.Actor
	inbox *sahay.Inbox
	// reply is an agent's reply the relay sent.
	reply *sahay.Message
}

func newRelayFixture(t *testing.T, st *store.Store) *relayFixture {
	ctx := context.Background()
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	channels := channel.NewRegistry()
	channels.Register(relayName, relay{})
	f := &relayFixture{st: st, svc: core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channels,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})}
	t.Cleanup(f.svc.Close)
	account := storetest.MustAccount(t, st, "Haat")
	if f.admin, err = f.svc.Actor(ctx, storetest.MustUser(t, st, account.ID, "owner@haat.example", sahay.RoleAdmin)); err != nil {
		t.Fatal(err)
	}
	name := "Relay"
	if f.inbox, err = f.svc.CreateInbox(ctx, f.admin, core.InboxInput{Name: &name, Channel: relayName}); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Receive(ctx, channel.Inbound{InboxID: f.inbox.ID, ExternalID: "in-1", ContactID: "rina", Content: "Is my parcel on its way?"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := f.svc.PostMessage(ctx, f.admin, got.Conversation.ID, core.NewMessage{Content: "It left this morning."})
	if err != nil {
		t.Fatal(err)
	}
	f.reply = f.waitMessage(t, reply.ID, func(m *sahay.Message) bool { return m.Status == sahay.DeliverySent })
	if f.reply.ExternalID != fmt.Sprintf("relay-%d", reply.ID) {
		t.Fatalf("sent reply's external id = %q", f.reply.ExternalID)
	}
	return f
}

// deliver posts an event to the relay inbox's webhook and waits until the
// journal has processed it, returning the state it ended in.
func (f *relayFixture) deliver(t *testing.T, e relayEvent) string {
	t.Helper()
	body, _ := json.Marshal(e)
	r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/webhooks/%d", f.inbox.ID), strings.NewReader(string(body)))
	if _, err := f.svc.Webhook(context.Background(), f.inbox.ID, r, "", body); err != nil {
		t.Fatalf("webhook %s: %v", e.ID, err)
	}
	var state string
	storetest.Eventually(t, 10*time.Second, "event "+e.ID+" to be processed", func() bool {
		for _, s := range []string{store.RawDone, store.RawFailed} {
			events, err := f.svc.InboxEvents(context.Background(), f.admin, f.inbox.ID, s)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range events {
				if ev.DedupeKey == e.ID {
					state = ev.State
					return true
				}
			}
		}
		return false
	})
	return state
}

func (f *relayFixture) message(t *testing.T, id int64) *sahay.Message {
	t.Helper()
	m, err := f.st.Message(context.Background(), f.admin.AccountID(), id)
	if err != nil {
		t.Fatalf("Message %d: %v", id, err)
	}
	return m
}

func (f *relayFixture) waitMessage(t *testing.T, id int64, ok func(*sahay.Message) bool) *sahay.Message {
	t.Helper()
	var m *sahay.Message
	storetest.Eventually(t, 10*time.Second, fmt.Sprintf("message %d", id), func() bool {
		m = f.message(t, id)
		return ok(m)
	})
	return m
}

func TestReceiptsFromTheJournal(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newRelayFixture(t, open(t))
		ext := f.reply.ExternalID
		receipt := func(id, status, errText string) relayEvent {
			return relayEvent{ID: id, Receipts: []channel.Receipt{{ExternalID: ext, Status: status, Error: errText}}}
		}

		if state := f.deliver(t, receipt("r1", sahay.DeliveryDelivered, "")); state != store.RawDone {
			t.Fatalf("delivered receipt ended %s", state)
		}
		if got := f.message(t, f.reply.ID); got.Status != sahay.DeliveryDelivered {
			t.Errorf("after a delivered receipt the reply is %s", got.Status)
		}
		f.deliver(t, receipt("r2", sahay.DeliveryRead, ""))
		if got := f.message(t, f.reply.ID); got.Status != sahay.DeliveryRead {
			t.Errorf("after a read receipt the reply is %s", got.Status)
		}

		// Platforms deliver receipts out of order: an older one, or a
		// failure reported after the customer read the reply, changes
		// nothing.
		for _, e := range []relayEvent{receipt("r3", sahay.DeliveryDelivered, ""), receipt("r4", sahay.DeliverySent, ""),
			receipt("r5", sahay.DeliveryFailed, "recipient blocked")} {
			if state := f.deliver(t, e); state != store.RawDone {
				t.Errorf("late receipt %s ended %s, want done", e.ID, state)
			}
		}
		if got := f.message(t, f.reply.ID); got.Status != sahay.DeliveryRead || got.Error != "" {
			t.Errorf("after late receipts the reply is %s (%q), want read", got.Status, got.Error)
		}

		// A receipt for a message Sahay does not know is kept in the
		// journal, processed, and harms nothing.
		unknown := relayEvent{ID: "r6", Receipts: []channel.Receipt{{ExternalID: "relay-999999", Status: sahay.DeliveryRead}}}
		if state := f.deliver(t, unknown); state != store.RawDone {
			t.Errorf("receipt for an unknown message ended %s, want done", state)
		}
		// One the pipeline cannot take fails at once, for an admin to read,
		// and changes nothing.
		for _, bad := range []relayEvent{receipt("r7", "seen", ""), {ID: "r8", Receipts: []channel.Receipt{{Status: sahay.DeliveryFailed}}}} {
			if state := f.deliver(t, bad); state != store.RawFailed {
				t.Errorf("receipt %+v ended %s, want failed", bad.Receipts[0], state)
			}
		}
		if got := f.message(t, f.reply.ID); got.Status != sahay.DeliveryRead || got.Error != "" {
			t.Errorf("after bad receipts the reply is %s (%q), want read", got.Status, got.Error)
		}
	})
}

func TestReceiptForAnEchoInTheSameEvent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newRelayFixture(t, open(t))
		// A teammate answered from the platform's own app; the platform
		// reports that message and, in the same batch, that it failed. A
		// second failure of the agent's reply arrives with them.
		e := relayEvent{ID: "batch-1",
			Messages: []channel.Inbound{{ExternalID: "phone-1", ContactID: "rina", Content: "Sent from the shop's phone", Echo: true}},
			Receipts: []channel.Receipt{
				{ExternalID: "phone-1", Status: sahay.DeliveryFailed, Error: "outside the messaging window"},
				{ExternalID: f.reply.ExternalID, Status: sahay.DeliveryFailed, Error: "recipient blocked"},
			}}
		if state := f.deliver(t, e); state != store.RawDone {
			t.Fatalf("batch ended %s", state)
		}
		echo, err := f.st.MessageByExternalID(context.Background(), f.inbox.ID, "phone-1")
		if err != nil {
			t.Fatalf("the echo was not stored: %v", err)
		}
		if echo.Kind != sahay.MessageOutgoing || echo.Status != sahay.DeliveryFailed || echo.Error != "outside the messaging window" {
			t.Errorf("echo stored as %s %s (%q), want outgoing failed with the platform's reason", echo.Kind, echo.Status, echo.Error)
		}
		if got := f.message(t, f.reply.ID); got.Status != sahay.DeliveryFailed || got.Error != "recipient blocked" {
			t.Errorf("reply after a failure receipt is %s (%q)", got.Status, got.Error)
		}

		// The platform sends the batch again as a new event: nothing is
		// stored twice.
		e.ID = "batch-2"
		if state := f.deliver(t, e); state != store.RawDone {
			t.Fatalf("repeated batch ended %s", state)
		}
		msgs, err := f.svc.Messages(context.Background(), f.admin, echo.ConversationID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 3 {
			t.Errorf("%d messages after a retried batch, want 3 (question, reply, echo)", len(msgs))
		}
	})
}
