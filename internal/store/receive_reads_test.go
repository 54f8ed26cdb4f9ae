package store_test

import (
	"context"
	"reflect"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// LockAndRead, whose four statements PostgreSQL receives together, reads
// what the four reads made one by one give: the accounts that exist, the
// platform ids stored, the contacts of identities and, for each contact
// that has one, the conversation OpenConversations finds (open before
// resolved, the newest first, in the inbox and topic asked for, with its
// labels), in two accounts at once.
func TestLockAndReadReadsWhatEachReadReads(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		a, b := storetest.MustAccount(t, st, "A"), storetest.MustAccount(t, st, "B")
		inA, inA2, inB := storetest.MustInbox(t, st, a.ID, "WhatsApp", "api"), storetest.MustInbox(t, st, a.ID, "Mail", "api"),
			storetest.MustInbox(t, st, b.ID, "WhatsApp", "api")
		label := storetest.MustLabel(t, st, a.ID, "refund")
		// The same number in both accounts, each its own contact.
		contact := func(acc *sahay.Account, number string) *sahay.Contact {
			c := storetest.MustContact(t, st, &sahay.Contact{AccountID: acc.ID, Name: number})
			storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.AddIdentity(ctx, c, "whatsapp", number) })
			return c
		}
		ca, ca2, cb := contact(a, "+8801700000001"), contact(a, "+8801700000002"), contact(b, "+8801700000001")
		conv := func(in *sahay.Inbox, c *sahay.Contact, status, topic string) *sahay.Conversation {
			return storetest.MustConversation(t, st, &sahay.Conversation{AccountID: in.AccountID, InboxID: in.ID, ContactID: c.ID,
				Status: status, Topic: topic})
		}
		conv(inA, ca, sahay.StatusResolved, "")
		open1 := conv(inA, ca, sahay.StatusOpen, "")
		storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, open1, []int64{label.ID}) })
		conv(inA, ca, sahay.StatusOpen, "order-9")
		conv(inA2, ca2, sahay.StatusResolved, "")
		conv(inB, cb, sahay.StatusPending, "")
		storetest.MustMessage(t, st, open1, &sahay.Message{Content: "hi", ExternalID: "wamid.1"})

		accounts := []int64{b.ID, a.ID, a.ID, 999999}
		keys := []store.MessageKey{{InboxID: inA.ID, ExternalID: "wamid.1"}, {InboxID: inB.ID, ExternalID: "wamid.1"},
			{InboxID: inA.ID, ExternalID: "wamid.2"}}
		id := func(acc *sahay.Account, number string) store.Identity {
			return store.Identity{AccountID: acc.ID, Namespace: "whatsapp", ExternalID: number}
		}
		ids := []store.Identity{id(a, "+8801700000001"), id(a, "+8801700000002"), id(b, "+8801700000001"), id(a, "+8801700000009")}
		senders := []store.SenderConversation{{Identity: ids[0], InboxID: inA.ID}, {Identity: ids[0], InboxID: inA.ID, Topic: "order-9"},
			{Identity: ids[0], InboxID: inA2.ID}, {Identity: ids[1], InboxID: inA2.ID}, {Identity: ids[2], InboxID: inB.ID},
			{Identity: ids[3], InboxID: inA.ID}}

		var together *store.ReceiveReads
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			var err error
			together, err = tx.LockAndRead(ctx, accounts, keys, ids, senders)
			return err
		})
		apart := &store.ReceiveReads{}
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			var err error
			if apart.Accounts, err = tx.LockedAccounts(ctx, accounts); err != nil {
				return err
			}
			if apart.Stored, err = tx.StoredExternalIDs(ctx, keys); err != nil {
				return err
			}
			if apart.Contacts, err = tx.ContactsByIdentities(ctx, ids); err != nil {
				return err
			}
			var convKeys []store.ConversationKey
			for _, s := range senders {
				if c := apart.Contacts[s.Identity]; c != nil {
					convKeys = append(convKeys, store.ConversationKey{AccountID: s.AccountID, ContactID: c.ID, InboxID: s.InboxID, Topic: s.Topic})
				}
			}
			apart.Conversations, err = tx.OpenConversations(ctx, convKeys)
			return err
		})
		if len(apart.Accounts) != 2 || len(apart.Stored) != 1 || len(apart.Contacts) != 3 || len(apart.Conversations) != 4 {
			t.Fatalf("one by one: %d accounts, %d stored ids, %d contacts, %d conversations; want 2, 1, 3, 4",
				len(apart.Accounts), len(apart.Stored), len(apart.Contacts), len(apart.Conversations))
		}
		if got := apart.Conversations[store.ConversationKey{AccountID: a.ID, ContactID: ca.ID, InboxID: inA.ID}]; got == nil ||
			got.ID != open1.ID || !reflect.DeepEqual(got.Labels, []string{"refund"}) {
			t.Fatalf("one by one, the open conversation is %+v; want %d labelled refund", got, open1.ID)
		}
		if !reflect.DeepEqual(together, apart) {
			t.Errorf("together:\n%+v\none by one:\n%+v", together, apart)
		}
	})
}
