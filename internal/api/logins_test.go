package api_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
)

// loginFrom signs in through a trusted proxy that names the client addr.
func loginFrom(t *testing.T, s *apitest.Server, addr, email, password string) *apitest.Response {
	t.Helper()
	return s.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body:   map[string]string{"email": email, "password": password},
		Header: http.Header{"X-Forwarded-For": {addr}}})
}

// wantRateLimited fails the test unless r is a 429 rate_limited answer with
// a Retry-After of at least one second and at most max.
func wantRateLimited(t *testing.T, r *apitest.Response, max time.Duration) {
	t.Helper()
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > max {
		t.Errorf("Retry-After = %q, want 1 to %s in seconds", r.Header.Get("Retry-After"), max)
	}
}

// TestLoginAccountLimit makes wrong passwords for one user from many
// addresses: after the allowed number the account pauses, even for the
// right password, its user and the account's owner are notified, and once
// the pause is over the right password works and the count starts again.
func TestLoginAccountLimit(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_TRUSTED_PROXIES": "1"}})
		o := s.NewAccount(t, "Acme")
		u := s.NewUser(t, o, sahay.RoleAgent)

		for i := range core.AccountFreeFailures {
			// A new address each time: the account's limit does not depend on it.
			addr := "198.51.100." + strconv.Itoa(i+1)
			wantError(t, loginFrom(t, s, addr, u.Email, "not the password"), http.StatusUnauthorized, "unauthorized")
		}
		wantRateLimited(t, loginFrom(t, s, "198.51.100.99", u.Email, u.Password), core.LoginBasePause)
		wantRateLimited(t, loginFrom(t, s, "198.51.100.99", u.Email, "not the password"), core.LoginBasePause)

		for _, who := range []*apitest.User{u, o} {
			var got struct {
				Items []sahay.Notification `json:"items"`
			}
			s.Must(t, who.Token, http.MethodGet, "/api/v1/notifications", nil, http.StatusOK, &got)
			n := 0
			for _, x := range got.Items {
				if x.Kind == sahay.NotifyLoginLocked && x.ActorID == u.ID {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s (%s) has %d login_locked notifications about user %d, want 1: %+v", who.Email, who.Role, n, u.ID, got.Items)
			}
		}

		// The pause ends: move it into the past, as the clock would.
		ctx := context.Background()
		if _, err := s.App.Store.Write(ctx, func(tx *store.Tx) error {
			return tx.SetLoginLock(ctx, u.ID, time.Now().Add(-time.Second))
		}); err != nil {
			t.Fatal(err)
		}
		if r := loginFrom(t, s, "198.51.100.99", u.Email, u.Password); r.Status != http.StatusOK {
			t.Fatalf("the right password after the pause: %s", r)
		}
		// A success forgets the wrong passwords: the next wrong one is 401 again.
		for range core.AccountFreeFailures - 1 {
			wantError(t, loginFrom(t, s, "198.51.100.98", u.Email, "not the password"), http.StatusUnauthorized, "unauthorized")
		}
		if r := loginFrom(t, s, "198.51.100.98", u.Email, u.Password); r.Status != http.StatusOK {
			t.Errorf("the right password below the limit: %s", r)
		}
	})
}

// TestLoginAddressLimit guesses many emails from one address: after the
// allowed number that address waits, even for a real user's right password,
// while other addresses sign in as usual.
func TestLoginAddressLimit(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_TRUSTED_PROXIES": "1"}})
		o := s.NewAccount(t, "Acme")
		const guesser = "203.0.113.7"
		for i := range core.AddressFreeFailures {
			wantError(t, loginFrom(t, s, guesser, "guess"+strconv.Itoa(i)+"@example.test", "not the password"),
				http.StatusUnauthorized, "unauthorized")
		}
		wantRateLimited(t, loginFrom(t, s, guesser, o.Email, o.Password), core.LoginBasePause)
		if r := loginFrom(t, s, "203.0.113.8", o.Email, o.Password); r.Status != http.StatusOK {
			t.Errorf("another address's right password: %s", r)
		}
		// Without a trusted proxy the header names nobody: the peer is the client.
		plain := apitest.NewServer(t)
		p := plain.NewAccount(t, "Plain")
		for i := range core.AddressFreeFailures {
			r := loginFrom(t, plain, "203.0.113."+strconv.Itoa(10+i), "guess"+strconv.Itoa(i)+"@example.test", "not the password")
			wantError(t, r, http.StatusUnauthorized, "unauthorized")
		}
		wantRateLimited(t, loginFrom(t, plain, "203.0.113.200", p.Email, p.Password), core.LoginBasePause)
	})
}

// TestLoginFloodLeavesHashing floods the server with wrong passwords from
// one address and checks that a real user elsewhere still signs in
// promptly: the flood is refused before hashing instead of queueing ahead
// of everyone.
func TestLoginFloodLeavesHashing(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_TRUSTED_PROXIES": "1"}})
		o := s.NewAccount(t, "Acme")
		var wg sync.WaitGroup
		var mu sync.Mutex
		limited := 0
		for i := range 80 {
			wg.Go(func() {
				r := loginFrom(t, s, "203.0.113.66", "flood"+strconv.Itoa(i)+"@example.test", "not the password")
				if r.Status == http.StatusTooManyRequests {
					mu.Lock()
					limited++
					mu.Unlock()
				}
			})
		}
		start := time.Now()
		r := loginFrom(t, s, "198.51.100.1", o.Email, o.Password)
		took := time.Since(start)
		wg.Wait()
		if r.Status != http.StatusOK {
			t.Fatalf("a real sign-in during the flood: %s", r)
		}
		if took > 5*time.Second {
			t.Errorf("a real sign-in during the flood took %s, want a few hashes' time", took)
		}
		if limited < 80-core.AddressFreeFailures {
			t.Errorf("%d of 80 flooding sign-ins refused with 429, want at least %d", limited, 80-core.AddressFreeFailures)
		}
	})
}
