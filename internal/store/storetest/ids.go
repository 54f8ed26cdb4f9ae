package storetest

import (
	"context"
	"fmt"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// testIDsNeverReused deletes the newest thing of each kind and creates
// another: the new one must not get the deleted one's id, or an id a client
// or a link holds would silently point at something else.
func testIDsNeverReused(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	in := MustInbox(t, st, a.ID, "Messages", "api")
	contact := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Dana"})
	deleteConversation := func(id int64) error {
		return write(st, func(tx *store.Tx) error { return tx.DeleteConversation(ctx, a.ID, id) })
	}
	kinds := []idKind{
		{"inbox", func(i int) int64 { return MustInbox(t, st, a.ID, fmt.Sprintf("Inbox %d", i), "api").ID },
			func(id int64) error {
				return write(st, func(tx *store.Tx) error { return tx.DeleteInbox(ctx, a.ID, id) })
			}},
		{"user", func(i int) int64 { return MustUser(t, st, a.ID, fmt.Sprintf("u%d@example.com", i), sahay.RoleAgent).ID },
			func(id int64) error {
				return write(st, func(tx *store.Tx) error { return tx.DeleteUser(ctx, a.ID, id) })
			}},
		{"team", func(i int) int64 { return MustTeam(t, st, a.ID, fmt.Sprintf("Team %d", i)).ID },
			func(id int64) error {
				return write(st, func(tx *store.Tx) error { return tx.DeleteTeam(ctx, a.ID, id) })
			}},
		{"label", func(i int) int64 { return MustLabel(t, st, a.ID, fmt.Sprintf("label-%d", i)).ID },
			func(id int64) error {
				return write(st, func(tx *store.Tx) error { return tx.DeleteLabel(ctx, a.ID, id) })
			}},
		{"canned response", func(i int) int64 {
			c := &sahay.CannedResponse{AccountID: a.ID, ShortCode: fmt.Sprintf("c%d", i), Content: "Thanks!"}
			MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateCannedResponse(ctx, c) })
			return c.ID
		}, func(id int64) error {
			return write(st, func(tx *store.Tx) error { return tx.DeleteCannedResponse(ctx, a.ID, id) })
		}},
		{"contact", func(i int) int64 {
			return MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: fmt.Sprintf("Contact %d", i)}).ID
		}, func(id int64) error {
			return write(st, func(tx *store.Tx) error { return tx.DeleteContact(ctx, a.ID, id) })
		}},
		{"conversation", func(int) int64 {
			return MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: in.ID, ContactID: contact.ID}).ID
		}, deleteConversation},
		{"message", func(i int) int64 {
			conv := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: in.ID, ContactID: contact.ID})
			return MustMessage(t, st, conv, &sahay.Message{Content: fmt.Sprintf("message %d", i)}).ID
		}, func(id int64) error {
			// A message goes with its conversation.
			m, err := st.Message(ctx, a.ID, id)
			if err != nil {
				return err
			}
			return deleteConversation(m.ConversationID)
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			first := k.create(1)
			must(t, k.remove(first), "delete the "+k.name)
			if second := k.create(2); second == first {
				t.Fatalf("a new %s got id %d, the id of the one just deleted", k.name, first)
			}
		})
	}
}

// idKind creates (the i-th) and deletes one kind of thing.
type idKind struct {
	name   string
	create func(i int) int64
	remove func(id int64) error
}

func write(st *store.Store, fn func(tx *store.Tx) error) error {
	_, err := st.Write(context.Background(), fn)
	return err
}
