package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/api"
	"github.com/sahayhq/sahay/internal/apitest"
)

// TestSignUp covers sign-up: off by default, and when the operator allows
// it, an account and its owner signed in at once, refused input that
// creates nothing, and a limit per client address.
func TestSignUp(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		form := func(email string) map[string]string {
			return map[string]string{"account_name": "Rahman Traders", "name": "Nusrat Rahman", "email": email, "password": "correct horse"}
		}
		signUp := func(t *testing.T, s *apitest.Server, from string, body any) *apitest.Response {
			t.Helper()
			return s.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/signup", Body: body,
				Header: http.Header{"X-Forwarded-For": {from}}})
		}
		allowed := func(t *testing.T, s *apitest.Server) bool {
			t.Helper()
			r := s.Call(t, "", http.MethodGet, "/api/v1/signup", nil)
			var out struct{ Allowed bool }
			if r.Status == http.StatusOK {
				r.Decode(t, &out)
			} else if code, msg := r.Error(); r.Status != http.StatusNotFound || code != sahay.ENOTFOUND || !strings.Contains(msg, "turned off") {
				t.Fatalf("GET /api/v1/signup: %s", r)
			}
			return out.Allowed
		}
		accounts := func(t *testing.T, s *apitest.Server) int {
			t.Helper()
			all, err := s.App.Store.Accounts(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return len(all)
		}

		t.Run("off", func(t *testing.T) {
			t.Parallel()
			s := apitest.NewServer(t)
			if allowed(t, s) {
				t.Fatal("sign-up is allowed without the switch")
			}
			r := signUp(t, s, "192.0.2.1", form("nusrat@example.com"))
			if code, msg := r.Error(); r.Status != http.StatusNotFound || code != sahay.ENOTFOUND || !strings.Contains(msg, "turned off") {
				t.Fatalf("sign-up while off: %s", r)
			}
			if n := accounts(t, s); n != 0 {
				t.Fatalf("%d accounts after a refused sign-up", n)
			}
		})

		t.Run("on", func(t *testing.T) {
			t.Parallel()
			s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_ALLOW_SIGNUP": "1", "SAHAY_TRUSTED_PROXIES": "1"}})
			if !allowed(t, s) {
				t.Fatal("sign-up is not allowed with the switch")
			}
			r := signUp(t, s, "192.0.2.1", form("Nusrat@Example.com"))
			if r.Status != http.StatusCreated {
				t.Fatalf("sign-up: %s", r)
			}
			var created struct {
				User    sahay.User
				Account sahay.Account
			}
			r.Decode(t, &created)
			if created.User.Role != sahay.RoleOwner || created.User.Email != "nusrat@example.com" || created.Account.Name != "Rahman Traders" || created.User.AccountID != created.Account.ID {
				t.Fatalf("sign-up created %+v", created)
			}
			// Signed in, as after a login, as the new account's owner.
			var cookie *http.Cookie
			for _, c := range r.Cookies {
				if c.Name == api.SessionCookie && c.Value != "" && c.HttpOnly {
					cookie = c
				}
			}
			if cookie == nil {
				t.Fatalf("sign-up set no session cookie: %v", r.Cookies)
			}
			me := s.Do(t, apitest.Request{Method: http.MethodGet, Path: "/api/v1/me", Cookies: []*http.Cookie{cookie}})
			var who struct {
				User    sahay.User
				Account sahay.Account
			}
			if me.Status != http.StatusOK {
				t.Fatalf("me with the sign-up's cookie: %s", me)
			}
			me.Decode(t, &who)
			if who.User.ID != created.User.ID || who.Account.ID != created.Account.ID {
				t.Fatalf("me = %+v", who)
			}
			login := s.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
				Body: map[string]string{"email": "nusrat@example.com", "password": "correct horse"}})
			if login.Status != http.StatusOK {
				t.Fatalf("login after sign-up: %s", login)
			}

			// Refused input creates nothing; each from its own address, so the
			// limit is not what answers.
			taken := form("NUSRAT@example.com")
			taken["account_name"] = "Another shop"
			for i, c := range []struct {
				body any
				want int
			}{
				{taken, http.StatusConflict},
				{`{"account_name": "Shop", "email": `, http.StatusBadRequest},
				{map[string]string{"name": "N", "email": "n@example.com", "password": "correct horse"}, http.StatusUnprocessableEntity},
				{map[string]string{"account_name": "   ", "email": "n@example.com", "password": "correct horse"}, http.StatusUnprocessableEntity},
				{map[string]string{"account_name": strings.Repeat("S", 10000), "email": "n@example.com", "password": "correct horse"}, http.StatusUnprocessableEntity},
				{map[string]string{"account_name": "Shop", "email": "not an email", "password": "correct horse"}, http.StatusUnprocessableEntity},
				{map[string]string{"account_name": "Shop", "email": "n@example.com", "password": "short"}, http.StatusUnprocessableEntity},
				{map[string]string{"account_name": "Shop", "name": "Da\x00na", "email": "n@example.com", "password": "correct horse"}, http.StatusUnprocessableEntity},
			} {
				r := signUp(t, s, "198.51.100."+strconv.Itoa(i+1), c.body)
				if code, msg := r.Error(); r.Status != c.want || code == "" || msg == "" {
					t.Errorf("sign-up %d: %s, want %d with the error shape", i, r, c.want)
				}
			}
			if n := accounts(t, s); n != 1 {
				t.Fatalf("%d accounts after refused sign-ups, want 1", n)
			}

			// One address: its burst, then 429 with Retry-After, even for a good
			// sign-up and whatever the client writes in X-Forwarded-For; another
			// address is not held back.
			for i := range 5 {
				if r := signUp(t, s, "203.0.113.9", map[string]string{"email": "x"}); r.Status != http.StatusUnprocessableEntity {
					t.Fatalf("attempt %d within the burst: %s", i+1, r)
				}
			}
			r = signUp(t, s, "192.0.2.77, 203.0.113.9", form("late@example.com"))
			if code, _ := r.Error(); r.Status != http.StatusTooManyRequests || code != sahay.ERATELIMITED {
				t.Fatalf("sign-up over the limit: %s", r)
			}
			if after, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || after < 1 {
				t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
			}
			if n := accounts(t, s); n != 1 {
				t.Fatalf("%d accounts after a limited sign-up, want 1", n)
			}
			if r := signUp(t, s, "203.0.113.10", form("other@example.com")); r.Status != http.StatusCreated {
				t.Fatalf("sign-up from another address: %s", r)
			}
		})
	})
}
