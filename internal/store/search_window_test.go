package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// TestSearchWindowFindsWhatThePlannerFinds checks that a query of several
// words, which PostgreSQL search first looks for among the newest
// messages, finds what the planner's query finds, whether the window holds
// a page of matches, fewer, none, or every message: in every scope, for
// words that go together and words that do not, and with another
// account's messages among the newest.
func TestSearchWindowFindsWhatThePlannerFinds(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		a := storetest.MustAccount(t, st, "A")
		b := storetest.MustAccount(t, st, "B")
		conv := func(accountID int64, name string) *sahay.Conversation {
			inbox := storetest.MustInbox(t, st, accountID, name, "api")
			contact := storetest.MustContact(t, st, &sahay.Contact{AccountID: accountID, Name: name})
			return storetest.MustConversation(t, st, &sahay.Conversation{AccountID: accountID, InboxID: inbox.ID, ContactID: contact.ID})
		}
		x, y, other := conv(a.ID, "X"), conv(a.ID, "Y"), conv(b.ID, "Other")
		// Old matches in inbox X, then filler in Y, then new messages spread
		// over both inboxes and another account.
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			add := func(c *sahay.Conversation, text string) error {
				return tx.InsertMessage(ctx, &sahay.Message{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID,
					Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, SenderID: c.ContactID, Content: text})
			}
			for i := range 40 {
				if err := add(x, fmt.Sprintf("cash on delivery please %d", i)); err != nil {
					return err
				}
			}
			for i := range 30 {
				if err := add(y, fmt.Sprintf("filler cash refund %d", i)); err != nil {
					return err
				}
			}
			for i, text := range []string{"Delivery by cash", "cash delivery", "refund my cash", "delivered, cash", "cash", "deliveryman cash"} {
				if err := add([]*sahay.Conversation{x, y, other}[i%3], text); err != nil {
					return err
				}
			}
			return nil
		})
		search := func(scope []int64, q string, limit int) []int64 {
			t.Helper()
			hits, err := st.SearchMessages(ctx, a.ID, scope, textnorm.Terms(q), limit)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, h := range hits {
				if h.Message.AccountID != a.ID {
					t.Errorf("%q: message %d of account %d", q, h.Message.ID, h.Message.AccountID)
				}
				ids = append(ids, h.Message.ID)
			}
			return ids
		}
		type key struct {
			scope int
			q     string
			limit int
		}
		scopes := [][]int64{nil, {x.InboxID}, {y.InboxID}, {x.InboxID, y.InboxID}}
		queries := []string{"cash delivery", "delivery cash", "cash deliv", "cash refund", "filler cash", "cash zebra", "cash"}
		// The planner's answers: a window of no message holds no page.
		want := map[key][]int64{}
		store.SetSearchWindow(t, 0)
		for i, scope := range scopes {
			for _, q := range queries {
				for _, limit := range []int{3, 100} {
					want[key{i, q, limit}] = search(scope, q, limit)
				}
			}
		}
		if got := want[key{0, "cash deliv", 100}]; len(got) != 43 {
			t.Fatalf(`"cash deliv" finds %d messages, want 43`, len(got))
		}
		if got := want[key{0, "cash refund", 100}]; len(got) != 30 {
			t.Fatalf(`"cash refund" finds %d messages, want 30`, len(got))
		}
		for _, rows := range []int{1, 4, 9, 40, 10_000} {
			store.SetSearchWindow(t, rows)
			for i, scope := range scopes {
				for _, q := range queries {
					for _, limit := range []int{3, 100} {
						if got, w := search(scope, q, limit), want[key{i, q, limit}]; !slices.Equal(got, w) {
							t.Errorf("window %d, scope %v, %q, limit %d: %v, want %v", rows, scope, q, limit, got, w)
						}
					}
				}
			}
		}
	})
}
