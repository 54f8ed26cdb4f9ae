package api_test

import (
	"fmt"
	"net/http"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// TestTypingSeenAndOrdersOnAnyChannel drives the agent's typing indicator,
// read marker and the contact's orders on an API-channel inbox: they are
// the API's routes, not the website widget's, and work without one.
func TestTypingSeenAndOrdersOnAnyChannel(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Shop")
		other := s.NewAccount(t, "Elsewhere")
		inbox := s.NewInbox(t, o, "Shop app", "api", nil)
		got := s.Receive(t, o, inbox.ID, "c1", "Is it in stock?", "m1")
		conv := got.Conversation
		convPath := fmt.Sprintf("/api/v1/conversations/%d", conv.ID)

		colleague := s.NewUser(t, o, sahay.RoleAdmin)
		st, _ := s.Connect(t, colleague.Token, "")

		s.Must(t, o.Token, http.MethodPost, convPath+"/typing", map[string]bool{"on": true}, http.StatusNoContent, nil)
		typing := st.Until(t, func(ev sahay.Event) bool { return ev.Type == sahay.EventTyping })
		if ev := typing[len(typing)-1]; ev.ConversationID != conv.ID {
			t.Errorf("typing event for conversation %d, want %d", ev.ConversationID, conv.ID)
		}

		s.Must(t, o.Token, http.MethodPost, convPath+"/seen", map[string]int64{"upto": got.Message.ID}, http.StatusNoContent, nil)
		wantError(t, s.Call(t, o.Token, http.MethodPost, convPath+"/seen", map[string]int64{"upto": 0}), http.StatusUnprocessableEntity, "invalid")
		wantError(t, s.Call(t, o.Token, http.MethodPost, convPath+"/typing", "on"), http.StatusBadRequest, "bad_request")

		// Another account sees none of it.
		wantError(t, s.Call(t, other.Token, http.MethodPost, convPath+"/typing", map[string]bool{"on": true}), http.StatusNotFound, "not_found")
		wantError(t, s.Call(t, other.Token, http.MethodPost, convPath+"/seen", map[string]int64{"upto": got.Message.ID}), http.StatusNotFound, "not_found")

		var orders struct {
			Orders []sahay.Order `json:"orders"`
		}
		contactPath := fmt.Sprintf("/api/v1/contacts/%d/orders", conv.Contact.ID)
		s.Must(t, o.Token, http.MethodGet, contactPath, nil, http.StatusOK, &orders)
		if orders.Orders == nil || len(orders.Orders) != 0 {
			t.Errorf("orders of a contact without any = %#v, want an empty list", orders.Orders)
		}
		wantError(t, s.Call(t, other.Token, http.MethodGet, contactPath, nil), http.StatusNotFound, "not_found")
	})
}
