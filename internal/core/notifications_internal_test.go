package core

import (
	"context"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// An assignment by routing or a rule has no person behind it: its email
// and push say the conversation was assigned, not that "Someone" did it.
func TestAssignmentWithoutAPersonIsWordedSo(t *testing.T) {
	s := &Service{store: storetest.Open(t, store.SQLite), publicURL: "https://support.example.com"}
	title, _, link := s.describe(context.Background(), &sahay.Notification{Kind: sahay.NotifyAssigned, ConversationID: 42})
	if title != "#42 was assigned to you" || link != "https://support.example.com/conversations/42" {
		t.Errorf("title %q, link %q", title, link)
	}
}
