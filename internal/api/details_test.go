package api_test

import (
	"net/http"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
)

// TestMeSaysWhetherEmailIsAvailable checks that the dashboard learns whether
// the server can send email, so it offers email notifications only then.
func TestMeSaysWhetherEmailIsAvailable(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		for _, tc := range []struct {
			name string
			env  map[string]string
			want bool
		}{
			{"without SMTP", nil, false},
			{"with SMTP", map[string]string{"SAHAY_SMTP_URL": "smtp://127.0.0.1:9/?from=sahay@example.com&tls=none"}, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := apitest.NewServerWith(t, apitest.Options{Env: tc.env})
				owner := s.NewAccount(t, "Shop")
				var me struct {
					EmailAvailable *bool `json:"email_available"`
				}
				s.Must(t, owner.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
				if me.EmailAvailable == nil || *me.EmailAvailable != tc.want {
					t.Errorf("email_available = %v, want %v", me.EmailAvailable, tc.want)
				}
			})
		}
	})
}

// TestSearchHitsNameTheContact checks that a message found by search names
// the contact of its conversation.
func TestSearchHitsNameTheContact(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Shop")
		inbox := s.NewInbox(t, owner, "Website", "api", nil, owner.ID)
		s.Receive(t, owner, inbox.ID, "Nasrin Akter", "Is the blue saree back in stock?", "m1")
		var r core.SearchResult
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/search?q=saree", nil, http.StatusOK, &r)
		if len(r.Messages) != 1 || r.Messages[0].ContactName != "Nasrin Akter" {
			t.Fatalf("search hits = %+v, want one naming Nasrin Akter", r.Messages)
		}
	})
}
