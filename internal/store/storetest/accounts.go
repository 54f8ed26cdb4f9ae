package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

func testAccounts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "দোকান")
	got, err := st.Account(ctx, a.ID)
	must(t, err, "Account")
	if got.Name != "দোকান" || got.TimeZone != "UTC" || !slices.Equal(got.Locales, []string{"en"}) || got.ReopenWindowSeconds != 7*24*3600 {
		t.Errorf("new account = %+v, want defaults UTC, [en], a week's reopen window", got)
	}
	if !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("created_at = %v, want %v", got.CreatedAt, a.CreatedAt)
	}
	got.TimeZone, got.Locales, got.ReopenWindowSeconds = "Asia/Dhaka", []string{"bn", "en"}, 60
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateAccount(ctx, got) })
	again, err := st.Account(ctx, a.ID)
	must(t, err, "Account")
	if again.TimeZone != "Asia/Dhaka" || !slices.Equal(again.Locales, []string{"bn", "en"}) || again.ReopenWindowSeconds != 60 {
		t.Errorf("updated account = %+v", again)
	}
	// Business hours: none at first, kept as written, always in the
	// account's time zone.
	if got.BusinessHours.Enabled || got.BusinessHours.TimeZone != "UTC" {
		t.Errorf("new account's business hours = %+v, want disabled in UTC", got.BusinessHours)
	}
	again.BusinessHours = sahay.BusinessHours{Enabled: true, TimeZone: "UTC", Days: map[string]string{"sun": "09:00-13:00,14:00-18:00", "thu": "22:00-02:00"},
		Holidays: []sahay.Holiday{{Date: "2026-12-16", Name: "বিজয় দিবস"}}}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateAccount(ctx, again) })
	hours, err := st.Account(ctx, a.ID)
	must(t, err, "Account")
	if h := hours.BusinessHours; !h.Enabled || h.TimeZone != "Asia/Dhaka" || h.Days["sun"] != "09:00-13:00,14:00-18:00" || h.Days["thu"] != "22:00-02:00" ||
		len(h.Holidays) != 1 || h.Holidays[0] != (sahay.Holiday{Date: "2026-12-16", Name: "বিজয় দিবস"}) {
		t.Errorf("account's business hours = %+v", h)
	}
	_, err = st.Account(ctx, a.ID+1000)
	wantCode(t, err, sahay.ENOTFOUND, "missing account")
	b := MustAccount(t, st, "Other")
	all, err := st.Accounts(ctx)
	must(t, err, "Accounts")
	if len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Errorf("Accounts = %d accounts, want the two created in order", len(all))
	}
	// Locking a missing account is refused rather than silently locking
	// nothing.
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.LockAccount(ctx, a.ID+1000) })
	wantCode(t, err, sahay.ENOTFOUND, "LockAccount of a missing account")
}

func testUsersDuplicateEmail(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	u := MustUser(t, st, a.ID, "  Asha@Example.COM ", sahay.RoleAgent)
	if u.Email != "asha@example.com" {
		t.Errorf("email stored as %q, want it trimmed and lower-cased", u.Email)
	}
	if u.Availability != sahay.AvailabilityOnline || u.Locale != "en" || u.Languages == nil {
		t.Errorf("new user defaults = %+v", u)
	}
	for _, acc := range []int64{a.ID, b.ID} {
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			return tx.CreateUser(ctx, &sahay.User{AccountID: acc, Email: "ASHA@example.com", Name: "Asha 2", Role: sahay.RoleAgent}, PasswordHash)
		})
		wantCode(t, err, sahay.ECONFLICT, "second user with the same email")
	}
	users, err := st.Users(ctx, a.ID)
	must(t, err, "Users")
	if len(users) != 1 {
		t.Errorf("account has %d users after the refused duplicate, want 1", len(users))
	}
	got, hash, err := st.UserByEmail(ctx, " ASHA@example.com")
	must(t, err, "UserByEmail")
	if got.ID != u.ID || hash != PasswordHash {
		t.Errorf("UserByEmail = user %d hash %q, want user %d and its hash", got.ID, hash, u.ID)
	}
	_, _, err = st.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, sahay.ENOTFOUND, "UserByEmail of an unknown email")
	_, err = st.User(ctx, b.ID, u.ID)
	wantCode(t, err, sahay.ENOTFOUND, "User read through another account")

	u.Name, u.Languages, u.Availability, u.Phone = "Asha Roy", []string{"bn", "hi"}, sahay.AvailabilityBusy, "+8801711223344"
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateUser(ctx, u) })
	got, err = st.User(ctx, a.ID, u.ID)
	must(t, err, "User")
	if got.Name != "Asha Roy" || !slices.Equal(got.Languages, []string{"bn", "hi"}) || got.Availability != sahay.AvailabilityBusy || got.Phone != u.Phone {
		t.Errorf("updated user = %+v", got)
	}
	// Signing in reads the user by email: every field, the phone too.
	got, hash, err = st.UserByEmail(ctx, "asha@example.com")
	must(t, err, "UserByEmail")
	if got.Name != "Asha Roy" || got.Phone != u.Phone || hash != PasswordHash {
		t.Errorf("UserByEmail after the update = %+v, hash %q", got, hash)
	}
}

func testSessions(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	u := MustUser(t, st, a.ID, "agent@example.com", sahay.RoleAgent)
	now := time.Now()
	MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.CreateSession(ctx, "live", u.ID, now.Add(time.Hour)); err != nil {
			return err
		}
		return tx.CreateSession(ctx, "expired", u.ID, now.Add(-time.Second))
	})
	got, err := st.SessionUser(ctx, "live")
	must(t, err, "SessionUser of a live session")
	if got.ID != u.ID || got.Email != u.Email {
		t.Errorf("SessionUser = %+v, want user %d", got, u.ID)
	}
	_, err = st.SessionUser(ctx, "expired")
	wantCode(t, err, sahay.EUNAUTHORIZED, "SessionUser of an expired session")
	_, err = st.SessionUser(ctx, "never-issued")
	wantCode(t, err, sahay.EUNAUTHORIZED, "SessionUser of an unknown token")

	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteSession(ctx, "live") })
	_, err = st.SessionUser(ctx, "live")
	wantCode(t, err, sahay.EUNAUTHORIZED, "SessionUser after logout")

	// A new password ends every session of the user.
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateSession(ctx, "again", u.ID, now.Add(time.Hour)) })
	MustWrite(t, st, func(tx *store.Tx) error { return tx.SetPassword(ctx, u.ID, "new-hash") })
	_, err = st.SessionUser(ctx, "again")
	wantCode(t, err, sahay.EUNAUTHORIZED, "SessionUser after a password change")
	hash, err := st.PasswordHash(ctx, u.ID)
	must(t, err, "PasswordHash")
	if hash != "new-hash" {
		t.Errorf("password hash = %q, want new-hash", hash)
	}
}

func testAPITokens(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	u := MustUser(t, st, a.ID, "dev@example.com", sahay.RoleAdmin)
	v := MustUser(t, st, a.ID, "other@example.com", sahay.RoleAgent)
	tok := &sahay.APIToken{UserID: u.ID, Name: "ci"}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateAPIToken(ctx, tok, "token-hash") })
	got, err := st.TokenUser(ctx, "token-hash")
	must(t, err, "TokenUser")
	if got.ID != u.ID {
		t.Errorf("TokenUser = user %d, want %d", got.ID, u.ID)
	}
	toks, err := st.APITokens(ctx, u.ID)
	must(t, err, "APITokens")
	if len(toks) != 1 || toks[0].Name != "ci" || toks[0].LastUsedAt == nil || toks[0].RevokedAt != nil {
		t.Fatalf("APITokens after one use = %+v, want one unrevoked token with its use noted", toks)
	}
	// Another user cannot revoke it.
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.RevokeAPIToken(ctx, v.ID, tok.ID) })
	wantCode(t, err, sahay.ENOTFOUND, "revoking another user's token")
	if _, err := st.TokenUser(ctx, "token-hash"); err != nil {
		t.Fatalf("token refused after another user's failed revoke: %v", err)
	}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.RevokeAPIToken(ctx, u.ID, tok.ID) })
	_, err = st.TokenUser(ctx, "token-hash")
	wantCode(t, err, sahay.EUNAUTHORIZED, "TokenUser of a revoked token")
	_, err = st.TokenUser(ctx, "unknown-hash")
	wantCode(t, err, sahay.EUNAUTHORIZED, "TokenUser of an unknown token")
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.RevokeAPIToken(ctx, u.ID, tok.ID) })
	wantCode(t, err, sahay.ENOTFOUND, "revoking a revoked token")
	toks, err = st.APITokens(ctx, u.ID)
	must(t, err, "APITokens")
	if len(toks) != 1 || toks[0].RevokedAt == nil {
		t.Errorf("APITokens after revoke = %+v, want the token marked revoked", toks)
	}
}
