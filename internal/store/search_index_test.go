package store_test

import (
	"context"
	"errors"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// On SQLite messages are indexed for search after they are stored: the
// transaction that stores them leaves the index alone, IndexMessages adds
// them a bounded batch at a time (never one a savepoint rolled back), a
// search first indexes what is left, and deleting a conversation whose
// messages are not indexed yet takes them out of search all the same.
func TestMessagesIndexedAfterTheyAreStored(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite)
	db := storetest.DB(t, st)
	a := storetest.MustAccount(t, st, "A")
	inbox := storetest.MustInbox(t, st, a.ID, "API", "api")
	contact := storetest.MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "C"})
	conv := storetest.MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID})
	indexed := func() (n int, to int64) {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'parcel'), indexed_to FROM search_cursor`).Scan(&n, &to); err != nil {
			t.Fatal(err)
		}
		return n, to
	}
	var last *sahay.Message
	for range 5 {
		last = storetest.MustMessage(t, st, conv, &sahay.Message{Content: "where is my parcel"})
	}
	// One stored in a savepoint that fails is never indexed.
	failed := errors.New("failed")
	storetest.MustWrite(t, st, func(tx *store.Tx) error {
		err := tx.Savepoint(ctx, func() error {
			if err := tx.InsertMessage(ctx, &sahay.Message{AccountID: a.ID, ConversationID: conv.ID, InboxID: inbox.ID,
				Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, Content: "parcel undone"}); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			return errors.New("the savepoint did not fail")
		}
		return nil
	})
	if n, to := indexed(); n != 0 || to != 0 {
		t.Fatalf("%d indexed up to %d before IndexMessages; want none", n, to)
	}
	more, err := st.IndexMessages(ctx, 3)
	if err != nil || !more {
		t.Fatalf("IndexMessages(3) = %v, %v; want more left", more, err)
	}
	if n, _ := indexed(); n != 3 {
		t.Fatalf("%d indexed after a batch of 3", n)
	}
	if more, err := st.IndexMessages(ctx, 3); err != nil || more {
		t.Fatalf("IndexMessages(3) again = %v, %v; want none left", more, err)
	}
	if n, to := indexed(); n != 5 || to != last.ID {
		t.Fatalf("%d indexed up to %d; want 5 up to %d", n, to, last.ID)
	}

	// A search finds what no one indexed yet.
	fresh := storetest.MustMessage(t, st, conv, &sahay.Message{Content: "parcel arrived broken"})
	hits, err := st.SearchMessages(ctx, a.ID, nil, []string{"broken"}, 10)
	if err != nil || len(hits) != 1 || hits[0].Message.ID != fresh.ID {
		t.Fatalf("search before the indexer ran: %v, %v", hits, err)
	}

	// Deleting a conversation whose newest message is not indexed leaves
	// none of them in the index.
	storetest.MustMessage(t, st, conv, &sahay.Message{Content: "parcel again"})
	storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteConversation(ctx, a.ID, conv.ID) })
	if n, _ := indexed(); n != 0 {
		t.Fatalf("%d index rows after the conversation was deleted", n)
	}
	if hits, err := st.SearchMessages(ctx, a.ID, nil, []string{"parcel"}, 10); err != nil || len(hits) != 0 {
		t.Fatalf("search after the conversation was deleted: %v, %v", hits, err)
	}
}
