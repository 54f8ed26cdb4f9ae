package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// testEmailThreads checks that an email message keeps its headers, body and
// inline images, is found by its subject, and that a reply finds its
// conversation by any message id it names, in its own inbox only.
func testEmailThreads(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	first := chat(t, st, a.ID, "Support mail")
	second := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: first.InboxID, ContactID: first.ContactID})
	elsewhere := chat(t, st, a.ID, "Sales mail")

	mail := &sahay.Email{Subject: "অর্ডার নম্বর 1234", From: sahay.EmailAddress{Name: "Dana", Address: "dana@example.com"},
		To: []sahay.EmailAddress{{Address: "support@example.com"}}, CC: []sahay.EmailAddress{},
		MessageID: "a1@mail.example.com", References: []string{"r0@example.com"},
		HTML: `<p>Hello <img data-cid="logo@x"></p>`, Text: "Hello\n\n> quoted"}
	m := MustMessage(t, st, first, &sahay.Message{Content: "Hello", ExternalID: "a1@mail.example.com", Email: mail,
		Attachments: []sahay.Attachment{{FileName: "logo.png", ContentType: "image/png", Size: 3, StorageKey: "k1", ContentID: "logo@x"}}})
	MustMessage(t, st, second, &sahay.Message{Content: "Another thread", ExternalID: "b1@mail.example.com"})
	MustMessage(t, st, elsewhere, &sahay.Message{Content: "Same id, other inbox", ExternalID: "c1@mail.example.com"})

	got, err := st.Message(ctx, a.ID, m.ID)
	must(t, err, "read email message")
	if !reflect.DeepEqual(got.Email, mail) {
		t.Errorf("email read back %+v, want %+v", got.Email, mail)
	}
	if len(got.Attachments) != 1 || got.Attachments[0].ContentID != "logo@x" {
		t.Errorf("attachments read back %+v, want the inline image's content id", got.Attachments)
	}
	plain, err := st.MessageByExternalID(ctx, second.InboxID, "b1@mail.example.com")
	must(t, err, "read plain message")
	if plain.Email != nil {
		t.Errorf("a message without email reads back with %+v", plain.Email)
	}
	if ids := searchIDs(t, st, a.ID, "অর্ডার"); len(ids) != 1 || ids[0] != m.ID {
		t.Errorf("search by the subject found %v, want [%d]", ids, m.ID)
	}

	if inboxID, err := st.ConversationInbox(ctx, second.ID); err != nil || inboxID != first.InboxID {
		t.Errorf("inbox of a conversation: %d, %v", inboxID, err)
	}
	_, err = st.ConversationInbox(ctx, 1<<40)
	wantCode(t, err, sahay.ENOTFOUND, "inbox of no conversation")

	for _, c := range []struct {
		ids  []string
		want int64
	}{
		{[]string{"a1@mail.example.com"}, first.ID},
		{[]string{"unknown@x", "b1@mail.example.com"}, second.ID},
		// The newest message named wins.
		{[]string{"a1@mail.example.com", "b1@mail.example.com"}, second.ID},
		{[]string{"c1@mail.example.com"}, 0},
		{[]string{"unknown@x"}, 0},
		{nil, 0},
	} {
		id, err := st.ThreadConversation(ctx, first.InboxID, c.ids)
		if c.want == 0 {
			wantCode(t, err, sahay.ENOTFOUND, "thread of unknown ids")
			continue
		}
		if err != nil || id != c.want {
			t.Errorf("thread of %v: %d, %v; want %d", c.ids, id, err, c.want)
		}
	}
}

// testInboxCursors checks that a worker's place is kept per inbox and
// replaced, and goes with its inbox.
func testInboxCursors(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	one := MustInbox(t, st, a.ID, "One", "email")
	two := MustInbox(t, st, a.ID, "Two", "email")
	if v, err := st.InboxCursor(ctx, one.ID); err != nil || v != "" {
		t.Fatalf("cursor never saved: %q, %v", v, err)
	}
	must(t, st.SetInboxCursor(ctx, one.ID, "1:10", time.Now()), "save cursor")
	must(t, st.SetInboxCursor(ctx, one.ID, "1:12", time.Now()), "replace cursor")
	must(t, st.SetInboxCursor(ctx, two.ID, "7:3", time.Now()), "save other cursor")
	if v, err := st.InboxCursor(ctx, one.ID); err != nil || v != "1:12" {
		t.Errorf("cursor: %q, %v; want 1:12", v, err)
	}
	if v, err := st.InboxCursor(ctx, two.ID); err != nil || v != "7:3" {
		t.Errorf("other inbox's cursor: %q, %v; want 7:3", v, err)
	}
}
