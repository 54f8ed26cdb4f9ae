package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// Routing settings and capacities are read and changed over the API; bad
// values are refused with 422 naming the field, and change nothing.
func TestRoutingSettingsAPI(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Dokan")
		agent := s.NewUser(t, o, sahay.RoleAgent)
		inbox := s.NewInbox(t, o, "Shop", "api", map[string]any{"webhook_url": "https://example.com/hook"})
		path := fmt.Sprintf("/api/v1/inboxes/%d/routing", inbox.ID)

		var got sahay.RoutingSettings
		s.Must(t, o.Token, http.MethodGet, path, nil, http.StatusOK, &got)
		if got != sahay.DefaultRouting() {
			t.Errorf("new inbox's routing = %+v, want the defaults", got)
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"mode": "random"}, "mode"},
			{map[string]any{"mode": "round_robin", "reassign_after_seconds": -5}, "reassign_after_seconds"},
			{map[string]any{"mode": "round_robin", "only_available": false}, "only_available"},
		} {
			r := s.Call(t, o.Token, http.MethodPut, path, tc.body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), tc.field) || !strings.Contains(string(r.Body), sahay.EINVALID) {
				t.Errorf("%v: %d %s, want 422 invalid naming %s", tc.body, r.Status, r.Body, tc.field)
			}
		}
		s.Must(t, agent.Token, http.MethodPut, path, map[string]any{"mode": "round_robin"}, http.StatusForbidden, nil)
		s.Must(t, o.Token, http.MethodGet, path, nil, http.StatusOK, &got)
		if got != sahay.DefaultRouting() {
			t.Errorf("after refused changes: %+v, want the defaults", got)
		}
		s.Must(t, o.Token, http.MethodPut, path, map[string]any{"mode": "least_loaded", "reassign_after_seconds": 120}, http.StatusOK, &got)
		if want := (sahay.RoutingSettings{Mode: "least_loaded", OnlyAvailable: true, LanguageAware: true, ReassignAfterSeconds: 120}); got != want {
			t.Errorf("changed routing = %+v, want %+v", got, want)
		}
		s.Must(t, o.Token, http.MethodGet, "/api/v1/teams/999999/routing", nil, http.StatusNotFound, nil)

		var c sahay.Capacity
		r := s.Call(t, o.Token, http.MethodPut, "/api/v1/routing/capacity", map[string]any{"chat": -1})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "chat capacity") {
			t.Errorf("negative capacity: %d %s, want 422 naming chat capacity", r.Status, r.Body)
		}
		s.Must(t, o.Token, http.MethodPut, "/api/v1/routing/capacity", map[string]any{"chat": 3}, http.StatusOK, &c)
		if c.Chat == nil || *c.Chat != 3 || c.Email == nil || *c.Email != 10 {
			t.Errorf("account capacity = %+v, want 3 chats and the default 10 emails", c)
		}
		userPath := fmt.Sprintf("/api/v1/users/%d/capacity", agent.ID)
		s.Must(t, agent.Token, http.MethodPut, userPath, map[string]any{"chat": 9}, http.StatusForbidden, nil)
		s.Must(t, o.Token, http.MethodPut, userPath, map[string]any{"chat": 2, "email": nil}, http.StatusOK, &c)
		s.Must(t, agent.Token, http.MethodGet, userPath, nil, http.StatusOK, &c)
		if c.Chat == nil || *c.Chat != 2 || c.Email != nil {
			t.Errorf("agent's capacity = %+v, want 2 chats and the account's emails", c)
		}
	})
}
