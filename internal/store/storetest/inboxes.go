package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

func testInboxes(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	u1 := MustUser(t, st, a.ID, "one@example.com", sahay.RoleAgent)
	u2 := MustUser(t, st, a.ID, "two@example.com", sahay.RoleAgent)
	// The store keeps credentials as the opaque string it is given; sealing
	// is the caller's business.
	const sealed1, sealed2 = "v1:bm9uY2U=:c2VhbGVkLW9uZQ==", "v1:bm9uY2U=:c2VhbGVkLXR3bw=="
	in := &sahay.Inbox{AccountID: a.ID, Name: "Shop API", Channel: "api", Settings: json.RawMessage(`{"webhook_url":"https://example.com/hook"}`),
		Secrets: map[string]string{"webhook_secret": "plain"}}
	MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.CreateInbox(ctx, in, sealed1); err != nil {
			return err
		}
		return tx.SetInboxMembers(ctx, in.ID, []int64{u2.ID, u1.ID, u2.ID})
	})
	sealed, err := st.InboxSecrets(ctx, in.ID)
	must(t, err, "InboxSecrets")
	if sealed != sealed1 {
		t.Errorf("InboxSecrets = %q, want %q", sealed, sealed1)
	}
	got, err := st.Inbox(ctx, a.ID, in.ID)
	must(t, err, "Inbox")
	if got.Name != "Shop API" || got.Channel != "api" || !jsonEqual(got.Settings, in.Settings) {
		t.Errorf("Inbox = %+v, settings %s", got, got.Settings)
	}
	if got.Secrets != nil {
		t.Errorf("Inbox read carries secrets %v; only InboxSecrets may return them, sealed", got.Secrets)
	}
	if !slices.Equal(got.MemberIDs, []int64{u1.ID, u2.ID}) {
		t.Errorf("members = %v, want [%d %d] once each", got.MemberIDs, u1.ID, u2.ID)
	}
	ids, err := st.UserInboxIDs(ctx, u1.ID)
	must(t, err, "UserInboxIDs")
	if !slices.Equal(ids, []int64{in.ID}) {
		t.Errorf("UserInboxIDs = %v, want [%d]", ids, in.ID)
	}

	got.Name, got.Settings = "Shop", json.RawMessage(`{"webhook_url":"https://example.com/v2"}`)
	MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.UpdateInbox(ctx, got, sealed2); err != nil {
			return err
		}
		return tx.SetInboxMembers(ctx, in.ID, []int64{u2.ID})
	})
	sealed, err = st.InboxSecrets(ctx, in.ID)
	must(t, err, "InboxSecrets")
	if sealed != sealed2 {
		t.Errorf("InboxSecrets after update = %q, want %q", sealed, sealed2)
	}
	list, err := st.Inboxes(ctx, a.ID)
	must(t, err, "Inboxes")
	if len(list) != 1 || list[0].Name != "Shop" || !slices.Equal(list[0].MemberIDs, []int64{u2.ID}) ||
		!jsonEqual(list[0].Settings, got.Settings) {
		t.Errorf("Inboxes = %+v", list)
	}
	ids, err = st.UserInboxIDs(ctx, u1.ID)
	must(t, err, "UserInboxIDs")
	if len(ids) != 0 || ids == nil {
		t.Errorf("UserInboxIDs of a removed member = %#v, want empty and non-nil (nil would mean every inbox)", ids)
	}

	// Another tenant sees nothing of it.
	_, err = st.Inbox(ctx, b.ID, in.ID)
	wantCode(t, err, sahay.ENOTFOUND, "Inbox through another account")
	other, err := st.Inboxes(ctx, b.ID)
	must(t, err, "Inboxes")
	if len(other) != 0 {
		t.Errorf("another account lists %d inboxes, want 0", len(other))
	}
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteInbox(ctx, b.ID, in.ID) })
	wantCode(t, err, sahay.ENOTFOUND, "DeleteInbox through another account")

	// An inbox saved without settings reads back as an empty object.
	bare := MustInbox(t, st, a.ID, "Bare", "api")
	got, err = st.Inbox(ctx, a.ID, bare.ID)
	must(t, err, "Inbox")
	if !jsonEqual(got.Settings, json.RawMessage(`{}`)) || got.MemberIDs == nil {
		t.Errorf("bare inbox settings %s members %#v, want {} and []", got.Settings, got.MemberIDs)
	}
	byID, err := st.InboxByID(ctx, bare.ID)
	must(t, err, "InboxByID")
	if byID.AccountID != a.ID {
		t.Errorf("InboxByID account = %d, want %d", byID.AccountID, a.ID)
	}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteInbox(ctx, a.ID, bare.ID) })
	_, err = st.InboxByID(ctx, bare.ID)
	wantCode(t, err, sahay.ENOTFOUND, "InboxByID of a deleted inbox")
}

func testNamedThings(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	u := MustUser(t, st, a.ID, "u@example.com", sahay.RoleAgent)
	team := MustTeam(t, st, a.ID, "বিক্রয়", u.ID)
	_, err := st.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateTeam(ctx, &sahay.Team{AccountID: a.ID, Name: "বিক্রয়"})
	})
	wantCode(t, err, sahay.ECONFLICT, "second team with the same name")
	MustTeam(t, st, b.ID, "বিক্রয়")
	got, err := st.Team(ctx, a.ID, team.ID)
	must(t, err, "Team")
	if got.Name != "বিক্রয়" || !slices.Equal(got.MemberIDs, []int64{u.ID}) {
		t.Errorf("Team = %+v", got)
	}
	teams, err := st.UserTeamIDs(ctx, u.ID)
	must(t, err, "UserTeamIDs")
	if !slices.Equal(teams, []int64{team.ID}) {
		t.Errorf("UserTeamIDs = %v", teams)
	}
	_, err = st.Team(ctx, b.ID, team.ID)
	wantCode(t, err, sahay.ENOTFOUND, "Team through another account")

	MustLabel(t, st, a.ID, "refund")
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateLabel(ctx, &sahay.Label{AccountID: a.ID, Name: "refund"})
	})
	wantCode(t, err, sahay.ECONFLICT, "second label with the same name")
	MustLabel(t, st, b.ID, "refund")
	vip := MustLabel(t, st, a.ID, "vip")
	vip.Name = "refund"
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.UpdateLabel(ctx, vip) })
	wantCode(t, err, sahay.ECONFLICT, "renaming a label onto another's name")

	c := &sahay.CannedResponse{AccountID: a.ID, ShortCode: "hello", Content: "নমস্কার!"}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateCannedResponse(ctx, c) })
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateCannedResponse(ctx, &sahay.CannedResponse{AccountID: a.ID, ShortCode: "hello", Content: "x"})
	})
	wantCode(t, err, sahay.ECONFLICT, "second canned response with the same short code")
	list, err := st.CannedResponses(ctx, a.ID)
	must(t, err, "CannedResponses")
	if len(list) != 1 || list[0].Content != "নমস্কার!" {
		t.Errorf("CannedResponses = %+v", list)
	}
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteCannedResponse(ctx, b.ID, c.ID) })
	wantCode(t, err, sahay.ENOTFOUND, "deleting a canned response through another account")
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// testInboxesBySettingID finds inboxes across accounts by the ids their
// settings name, following their creation, changes and removal.
func testInboxesBySettingID(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	create := func(accountID int64, channel, settings string) *sahay.Inbox {
		t.Helper()
		in := &sahay.Inbox{AccountID: accountID, Name: channel, Channel: channel, Settings: json.RawMessage(settings)}
		MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateInbox(ctx, in, "") })
		return in
	}
	find := func(channel, key, value string) []int64 {
		t.Helper()
		list, err := st.InboxesBySettingID(ctx, channel, key, value)
		must(t, err, "InboxesBySettingID")
		ids := []int64{}
		for _, in := range list {
			if in.Channel != channel {
				t.Errorf("InboxesBySettingID(%s) returned a %s inbox", channel, in.Channel)
			}
			ids = append(ids, in.ID)
		}
		return ids
	}
	shopA := create(a.ID, "messenger", `{"page_id":"1065","api_base_url":"https://graph.example/v25.0"}`)
	shopB := create(b.ID, "messenger", `{"page_id":"1065"}`)
	cafe := create(a.ID, "messenger", `{"page_id":"2077"}`)
	gram := create(b.ID, "instagram", `{"instagram_account_id":"1065","page_id":"2077"}`)
	create(a.ID, "messenger", `{"page_id":1065}`)
	create(a.ID, "messenger", `{"nested":{"page_id":"1065"}}`)
	create(a.ID, "messenger", `["page_id","1065"]`)

	for _, tt := range []struct {
		channel, key, value string
		want                []int64
	}{
		{"messenger", "page_id", "1065", []int64{shopA.ID, shopB.ID}},
		{"messenger", "page_id", "2077", []int64{cafe.ID}},
		{"instagram", "instagram_account_id", "1065", []int64{gram.ID}},
		{"instagram", "page_id", "2077", []int64{gram.ID}},
		{"messenger", "page_id", "999", []int64{}},
		{"whatsapp", "page_id", "1065", []int64{}},
	} {
		if got := find(tt.channel, tt.key, tt.value); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s=%s: %v, want %v", tt.channel, tt.key, tt.value, got, tt.want)
		}
	}
	if _, err := st.InboxesBySettingID(ctx, "messenger", "api_base_url", "https://graph.example/v25.0"); err == nil {
		t.Error("a setting not ending in _id was looked up")
	}

	// A changed id is found under its new value only; a removed inbox is
	// found no more.
	shopA.Settings = json.RawMessage(`{"page_id":"3088"}`)
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateInbox(ctx, shopA, "") })
	if got := find("messenger", "page_id", "1065"); !slices.Equal(got, []int64{shopB.ID}) {
		t.Errorf("after the change, 1065: %v", got)
	}
	if got := find("messenger", "page_id", "3088"); !slices.Equal(got, []int64{shopA.ID}) {
		t.Errorf("after the change, 3088: %v", got)
	}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteInbox(ctx, b.ID, shopB.ID) })
	if got := find("messenger", "page_id", "1065"); len(got) != 0 {
		t.Errorf("after the removal: %v", got)
	}
}
