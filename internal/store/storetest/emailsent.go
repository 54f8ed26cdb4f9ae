package storetest

import (
	"context"
	"reflect"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// testSentEmail checks that a sent reply keeps the email it was sent as,
// given with its delivery, and that a later receipt without one keeps it.
func testSentEmail(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	conv := chat(t, st, a.ID, "Support mail")
	asked := &sahay.Email{Subject: "নতুন অর্ডার", CC: []sahay.EmailAddress{{Address: "boss@example.com"}}}
	reply := MustMessage(t, st, conv, &sahay.Message{Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser, Content: "hi",
		Status: sahay.DeliveryPending, Email: asked})
	got, err := st.Message(ctx, a.ID, reply.ID)
	must(t, err, "Message")
	if got.Email == nil || got.Email.Subject != asked.Subject {
		t.Fatalf("pending reply's email %+v, want %+v", got.Email, asked)
	}

	sent := &sahay.Email{Subject: asked.Subject, From: sahay.EmailAddress{Name: "Asha via Support", Address: "support@example.com"},
		To: []sahay.EmailAddress{{Address: "dana@example.com"}}, CC: asked.CC, BCC: []sahay.EmailAddress{{Address: "audit@example.com"}},
		MessageID: "abc@example.com", InReplyTo: "q1@mail.example.com", References: []string{"q0@mail.example.com", "q1@mail.example.com"}}
	got.Status, got.ExternalID, got.Email = sahay.DeliverySent, sent.MessageID, sent
	MustWrite(t, st, func(tx *store.Tx) error { return tx.SetMessageDelivery(ctx, got) })
	got, err = st.MessageByExternalID(ctx, conv.InboxID, "abc@example.com")
	must(t, err, "MessageByExternalID")
	if got.Status != sahay.DeliverySent || !reflect.DeepEqual(got.Email, sent) {
		t.Errorf("sent reply %s %+v, want sent %+v", got.Status, got.Email, sent)
	}

	got.Status, got.Email = sahay.DeliveryFailed, nil
	MustWrite(t, st, func(tx *store.Tx) error { return tx.SetMessageDelivery(ctx, got) })
	got, err = st.Message(ctx, a.ID, reply.ID)
	must(t, err, "Message")
	if got.Status != sahay.DeliveryFailed || !reflect.DeepEqual(got.Email, sent) {
		t.Errorf("after a bounce %s %+v, want failed with %+v", got.Status, got.Email, sent)
	}
}
