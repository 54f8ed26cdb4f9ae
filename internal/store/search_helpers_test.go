package store_test

import (
	"context"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// searchConversations makes accounts A and B, conversations X and Y of A
// and Other of B, each in an inbox of its own.
func searchConversations(t *testing.T, st *store.Store) (a *sahay.Account, x, y, other *sahay.Conversation) {
	t.Helper()
	a = storetest.MustAccount(t, st, "A")
	b := storetest.MustAccount(t, st, "B")
	conv := func(accountID int64, name string) *sahay.Conversation {
		inbox := storetest.MustInbox(t, st, accountID, name, "api")
		contact := storetest.MustContact(t, st, &sahay.Contact{AccountID: accountID, Name: name})
		return storetest.MustConversation(t, st, &sahay.Conversation{AccountID: accountID, InboxID: inbox.ID, ContactID: contact.ID})
	}
	return a, conv(a.ID, "X"), conv(a.ID, "Y"), conv(b.ID, "Other")
}

// addCustomerMessage stores a customer's message of text in c.
func addCustomerMessage(ctx context.Context, tx *store.Tx, c *sahay.Conversation, text string) error {
	return tx.InsertMessage(ctx, &sahay.Message{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID,
		Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, SenderID: c.ContactID, Content: text})
}

// searcher returns a search of the account's messages that gives the ids
// found, newest first, failing the test on an error or on a message of
// another account.
func searcher(t *testing.T, st *store.Store, accountID int64) func(scope []int64, q string, limit int) []int64 {
	return func(scope []int64, q string, limit int) []int64 {
		t.Helper()
		hits, err := st.SearchMessages(context.Background(), accountID, scope, textnorm.Terms(q), limit)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, h := range hits {
			if h.Message.AccountID != accountID {
				t.Errorf("%q: message %d of account %d", q, h.Message.ID, h.Message.AccountID)
			}
			ids = append(ids, h.Message.ID)
		}
		return ids
	}
}

// searchKey names one search of searchAnswers: a scope by its index, a
// query and a limit.
type searchKey struct {
	scope int
	q     string
	limit int
}

// searchAnswers returns search's answer to each query in each scope, with
// a limit of 3 and of 100.
func searchAnswers(search func([]int64, string, int) []int64, scopes [][]int64, queries []string) map[searchKey][]int64 {
	out := map[searchKey][]int64{}
	for i, scope := range scopes {
		for _, q := range queries {
			for _, limit := range []int{3, 100} {
				out[searchKey{i, q, limit}] = search(scope, q, limit)
			}
		}
	}
	return out
}

// checkAnswers fails the test where search's answers differ from want.
func checkAnswers(t *testing.T, setting string, search func([]int64, string, int) []int64, scopes [][]int64, queries []string,
	want map[searchKey][]int64) {
	t.Helper()
	for k, got := range searchAnswers(search, scopes, queries) {
		if !slices.Equal(got, want[k]) {
			t.Errorf("%s, scope %v, %q, limit %d: %v, want %v", setting, scopes[k.scope], k.q, k.limit, got, want[k])
		}
	}
}
