package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/api"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/store"

	"golang.org/x/crypto/argon2"
)

// TestSessions covers the dashboard's cookie sessions: login, logout,
// password changes and cross-origin request forgery.
func TestSessions(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")

		login := func(t *testing.T, email, password string) *apitest.Response {
			t.Helper()
			return s.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
				Body: map[string]string{"email": email, "password": password}})
		}
		session := func(t *testing.T, r *apitest.Response) *http.Cookie {
			t.Helper()
			for _, c := range r.Cookies {
				if c.Name == api.SessionCookie {
					return c
				}
			}
			t.Fatalf("%s sets no %s cookie", r, api.SessionCookie)
			return nil
		}
		signIn := func(t *testing.T, u *apitest.User) *http.Cookie {
			t.Helper()
			r := login(t, u.Email, u.Password)
			if r.Status != http.StatusOK {
				t.Fatalf("login: %s", r)
			}
			return session(t, r)
		}
		withCookie := func(t *testing.T, c *http.Cookie, method, path string, body any, header http.Header) *apitest.Response {
			t.Helper()
			return s.Do(t, apitest.Request{Method: method, Path: path, Body: body, Header: header, Cookies: []*http.Cookie{c}})
		}
		me := func(t *testing.T, c *http.Cookie) int {
			t.Helper()
			return withCookie(t, c, http.MethodGet, "/api/v1/me", nil, nil).Status
		}

		t.Run("login-sets-cookie", func(t *testing.T) {
			r := login(t, strings.ToUpper(o.Email), o.Password)
			if r.Status != http.StatusOK {
				t.Fatalf("login: %s", r)
			}
			var body struct {
				User sahay.User `json:"user"`
			}
			r.Decode(t, &body)
			if body.User.ID != o.ID {
				t.Errorf("login answered user %d, want %d", body.User.ID, o.ID)
			}
			c := session(t, r)
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Value == "" {
				t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/ and a value", c)
			}
			if d := time.Duration(c.MaxAge) * time.Second; d < 29*24*time.Hour || d > 31*24*time.Hour {
				t.Errorf("session cookie lasts %s, want 30 days", d)
			}
			if strings.Contains(r.String(), `"password`) {
				t.Errorf("login answer mentions the password hash: %s", r)
			}
			if got := me(t, c); got != http.StatusOK {
				t.Errorf("GET /me with the cookie: %d", got)
			}
		})

		t.Run("wrong-credentials", func(t *testing.T) {
			wrong := login(t, o.Email, "not the password")
			unknown := login(t, "nobody@example.test", "not the password")
			wantError(t, wrong, http.StatusUnauthorized, "unauthorized")
			wantError(t, unknown, http.StatusUnauthorized, "unauthorized")
			_, wrongMsg := wrong.Error()
			_, unknownMsg := unknown.Error()
			if wrongMsg != unknownMsg {
				t.Errorf("a wrong password says %q but an unknown email %q: the difference tells which emails exist", wrongMsg, unknownMsg)
			}
			if len(wrong.Cookies)+len(unknown.Cookies) != 0 {
				t.Error("a failed login set a cookie")
			}
		})

		t.Run("logout", func(t *testing.T) {
			c := signIn(t, o)
			r := withCookie(t, c, http.MethodPost, "/api/v1/auth/logout", nil, nil)
			if r.Status != http.StatusNoContent {
				t.Fatalf("logout: %s", r)
			}
			if cleared := session(t, r); cleared.Value != "" || cleared.MaxAge >= 0 {
				t.Errorf("logout's cookie = %+v, want it deleted", cleared)
			}
			wantError(t, withCookie(t, c, http.MethodGet, "/api/v1/me", nil, nil), http.StatusUnauthorized, "unauthorized")
			if r := s.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/logout"}); r.Status != http.StatusNoContent {
				t.Errorf("logout without a session: %s", r)
			}
		})

		t.Run("password-change-ends-other-sessions", func(t *testing.T) {
			u := s.NewUser(t, o, sahay.RoleAgent)
			here, elsewhere := signIn(t, u), signIn(t, u)
			change := func(current, next string) *apitest.Response {
				return withCookie(t, here, http.MethodPost, "/api/v1/me/password",
					map[string]string{"current_password": current, "new_password": next}, nil)
			}
			wantError(t, change("not the password", "a brand new passphrase"), http.StatusUnprocessableEntity, "invalid")
			wantError(t, change(u.Password, "short"), http.StatusUnprocessableEntity, "invalid")
			if me(t, elsewhere) != http.StatusOK {
				t.Fatal("a refused password change ended a session")
			}
			r := change(u.Password, "a brand new passphrase")
			if r.Status != http.StatusNoContent {
				t.Fatalf("change password: %s", r)
			}
			fresh := session(t, r)
			if got := me(t, elsewhere); got != http.StatusUnauthorized {
				t.Errorf("another session after the change: %d, want 401", got)
			}
			if got := me(t, here); got != http.StatusUnauthorized {
				t.Errorf("the old cookie of the changing session: %d, want 401", got)
			}
			if got := me(t, fresh); got != http.StatusOK {
				t.Errorf("the cookie set by the change: %d, want 200", got)
			}
			wantError(t, login(t, u.Email, u.Password), http.StatusUnauthorized, "unauthorized")
			if r := login(t, u.Email, "a brand new passphrase"); r.Status != http.StatusOK {
				t.Errorf("login with the new password: %s", r)
			}
		})

		t.Run("old-hash-rehashed-at-login", func(t *testing.T) {
			u := s.NewUser(t, o, sahay.RoleAgent)
			// The parameters of earlier versions: 64 MiB, one pass, two lanes.
			salt := []byte("0123456789abcdef")
			key := argon2.IDKey([]byte(u.Password), salt, 1, 64*1024, 2, 32)
			old := fmt.Sprintf("$argon2id$v=19$m=65536,t=1,p=2$%s$%s",
				base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
			ctx := context.Background()
			if _, err := s.App.Store.Write(ctx, func(tx *store.Tx) error { return tx.SetPassword(ctx, u.ID, old) }); err != nil {
				t.Fatal(err)
			}
			first := signIn(t, u)
			hash, err := s.App.Store.PasswordHash(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if hash == old || auth.NeedsRehash(hash) {
				t.Errorf("stored hash after a login with the old one = %q, want the current parameters", hash)
			}
			if me(t, first) != http.StatusOK {
				t.Error("the rehash ended the session it was made in")
			}
			signIn(t, u)
		})

		t.Run("cross-origin", func(t *testing.T) {
			c := signIn(t, o)
			contacts := func() int { return len(items[sahay.Contact](t, s, o.Token, "/api/v1/contacts")) }
			before := contacts()
			body := map[string]string{"name": "Forged"}
			for name, h := range map[string]http.Header{
				"sec-fetch-site": {"Sec-Fetch-Site": {"cross-site"}},
				"same-site":      {"Sec-Fetch-Site": {"same-site"}},
				"origin":         {"Origin": {"https://evil.example"}},
			} {
				t.Run(name, func(t *testing.T) {
					wantError(t, withCookie(t, c, http.MethodPost, "/api/v1/contacts", body, h), http.StatusForbidden, "forbidden")
				})
			}
			r := withCookie(t, c, http.MethodPost, "/api/v1/auth/logout", nil, http.Header{"Sec-Fetch-Site": {"cross-site"}})
			if r.Status != http.StatusForbidden || me(t, c) != http.StatusOK {
				t.Errorf("a cross-site logout: %s; the session must survive it", r)
			}
			if got := contacts(); got != before {
				t.Errorf("refused requests created %d contacts", got-before)
			}
			if r := withCookie(t, c, http.MethodGet, "/api/v1/contacts", nil, http.Header{"Sec-Fetch-Site": {"cross-site"}}); r.Status != http.StatusOK {
				t.Errorf("a cross-site GET: %s, want 200 (reads change nothing)", r)
			}
			if r := withCookie(t, c, http.MethodPost, "/api/v1/contacts", body, http.Header{"Sec-Fetch-Site": {"same-origin"}}); r.Status != http.StatusCreated {
				t.Errorf("a same-origin POST with the cookie: %s, want 201", r)
			}
			if r := s.Call(t, o.Token, http.MethodPost, "/api/v1/contacts", body); r.Status != http.StatusCreated {
				t.Errorf("a POST with a bearer token and no Sec-Fetch-Site: %s, want 201", r)
			}
		})

		t.Run("malformed-credentials", func(t *testing.T) {
			for name, h := range map[string]http.Header{
				"basic-scheme": {"Authorization": {"Basic b3duZXI6cGFzc3dvcmQ="}},
				"empty-bearer": {"Authorization": {"Bearer "}},
				"bogus-cookie": {"Cookie": {api.SessionCookie + "=bogus"}},
				// A bad token is refused even with a good cookie beside it.
				"bad-token-good-cookie": {"Authorization": {"Bearer sahay_bogus"}, "Cookie": {api.SessionCookie + "=" + signIn(t, o).Value}},
			} {
				r := s.Do(t, apitest.Request{Method: http.MethodGet, Path: "/api/v1/me", Header: h})
				if code, _ := r.Error(); r.Status != http.StatusUnauthorized || code != "unauthorized" {
					t.Errorf("%s: %s, want 401 unauthorized", name, r)
				}
			}
		})
	})
}
