package store_test

import (
	"context"
	"fmt"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// TestSearchWindowFindsWhatThePlannerFinds checks that a query, which
// PostgreSQL search first looks for among the account's newest messages,
// then among as many as their matches forecast a page in, then in the GIN
// index, finds what the index finds, whether the window holds a page of
// matches, fewer, none, or every message: in every scope, for words that
// go together and words that do not, common, rare and absent words, and
// with another account's messages among the newest.
func TestSearchWindowFindsWhatThePlannerFinds(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		a, x, y, other := searchConversations(t, st)
		// Old matches in inbox X, then filler in Y, then new messages spread
		// over both inboxes and another account.
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			add := func(c *sahay.Conversation, text string) error { return addCustomerMessage(ctx, tx, c, text) }
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
		search := searcher(t, st, a.ID)
		scopes := [][]int64{nil, {x.InboxID}, {y.InboxID}, {x.InboxID, y.InboxID}}
		queries := []string{"cash delivery", "delivery cash", "cash deliv", "cash refund", "filler cash", "cash zebra", "cash",
			"please", "deliveryman", "zebra", "refund", "deliv"}
		// The GIN index's answers: a window of no message holds no page
		// and forecasts none.
		store.SetSearchWindow(t, 0)
		want := searchAnswers(search, scopes, queries)
		if got := want[searchKey{0, "cash deliv", 100}]; len(got) != 43 {
			t.Fatalf(`"cash deliv" finds %d messages, want 43`, len(got))
		}
		if got := want[searchKey{0, "cash refund", 100}]; len(got) != 30 {
			t.Fatalf(`"cash refund" finds %d messages, want 30`, len(got))
		}
		for _, rows := range []int{1, 4, 9, 40, 10_000} {
			store.SetSearchWindow(t, rows)
			checkAnswers(t, fmt.Sprintf("window %d", rows), search, scopes, queries, want)
		}
	})
}
