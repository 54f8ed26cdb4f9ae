package storetest

import (
	"context"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// testContactFilters: contacts by the inboxes and labels of their
// conversations, with search, newest first, page by page.
func testContactFilters(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	web := MustInbox(t, st, a.ID, "Web", "widget")
	api := MustInbox(t, st, a.ID, "API", "api")
	vip := MustLabel(t, st, a.ID, "vip")
	mk := func(name string, inbox *sahay.Inbox, labels ...int64) *sahay.Contact {
		c := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: name})
		if inbox != nil {
			conv := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: c.ID})
			MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, conv, labels) })
		}
		return c
	}
	rahim := mk("রহিম উদ্দিন", web, vip.ID)
	amit := mk("अमित शर्मा", api)
	karim := mk("Karim Hossain", web)
	walkIn := mk("Karim Walk-in", nil)
	priya := mk("Priya Karim", api, vip.ID)
	MustContact(t, st, &sahay.Contact{AccountID: b.ID, Name: "Karim at B"})

	for _, tc := range []struct {
		name string
		f    store.ContactFilter
		want []int64
	}{
		{"all, newest first", store.ContactFilter{}, []int64{priya.ID, walkIn.ID, karim.ID, amit.ID, rahim.ID}},
		{"in the web inbox", store.ContactFilter{Inboxes: []int64{web.ID}}, []int64{karim.ID, rahim.ID}},
		{"in either inbox", store.ContactFilter{Inboxes: []int64{web.ID, api.ID}}, []int64{priya.ID, karim.ID, amit.ID, rahim.ID}},
		{"in no inbox", store.ContactFilter{Inboxes: []int64{}}, []int64{}},
		{"labelled vip", store.ContactFilter{LabelID: vip.ID}, []int64{priya.ID, rahim.ID}},
		{"labelled vip in the api inbox", store.ContactFilter{LabelID: vip.ID, Inboxes: []int64{api.ID}}, []int64{priya.ID}},
		{"with a conversation in the api inbox", store.ContactFilter{ConversationInboxes: []int64{api.ID}}, []int64{priya.ID, amit.ID}},
		{"labelled vip in the api inbox, seen from web", store.ContactFilter{LabelID: vip.ID, Inboxes: []int64{web.ID}, ConversationInboxes: []int64{api.ID}}, []int64{}},
		{"with a conversation in no inbox", store.ContactFilter{ConversationInboxes: []int64{}}, []int64{}},
		{"search karim", store.ContactFilter{Query: "karim"}, []int64{priya.ID, walkIn.ID, karim.ID}},
		{"search karim in the web inbox", store.ContactFilter{Query: "karim", Inboxes: []int64{web.ID}}, []int64{karim.ID}},
		{"search karim labelled vip", store.ContactFilter{Query: "kar", LabelID: vip.ID}, []int64{priya.ID}},
		{"search in Bengali", store.ContactFilter{Query: "রহিম", LabelID: vip.ID}, []int64{rahim.ID}},
		{"before karim", store.ContactFilter{Before: karim.ID}, []int64{amit.ID, rahim.ID}},
	} {
		f := tc.f
		f.AccountID, f.Limit = a.ID, 100
		got, err := st.ListContacts(ctx, f)
		must(t, err, "ListContacts "+tc.name)
		if !slices.Equal(contactIDs(got), tc.want) {
			t.Errorf("ListContacts(%s) = %v, want %v", tc.name, contactIDs(got), tc.want)
		}
	}
	// Pages of two walk every contact once.
	var seen []int64
	f := store.ContactFilter{AccountID: a.ID, Limit: 2}
	for {
		page, err := st.ListContacts(ctx, f)
		must(t, err, "ListContacts page")
		seen = append(seen, contactIDs(page)...)
		if len(page) < f.Limit {
			break
		}
		f.Before = page[len(page)-1].ID
	}
	if want := []int64{priya.ID, walkIn.ID, karim.ID, amit.ID, rahim.ID}; !slices.Equal(seen, want) {
		t.Errorf("pages = %v, want %v", seen, want)
	}
}

// testSavedViews: views round-trip, names are unique per owner, and the
// list holds what a reader may see.
func testSavedViews(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	ana := MustUser(t, st, a.ID, "ana@example.com", sahay.RoleAgent)
	bo := MustUser(t, st, a.ID, "bo@example.com", sahay.RoleAgent)
	billing := MustTeam(t, st, a.ID, "Billing", ana.ID)
	sales := MustTeam(t, st, a.ID, "Sales", bo.ID)
	outsider := MustUser(t, st, b.ID, "x@example.com", sahay.RoleOwner)

	mk := func(u *sahay.User, name, visibility string, team int64) *sahay.SavedView {
		v := &sahay.SavedView{AccountID: u.AccountID, UserID: u.ID, Name: name, Visibility: visibility, TeamID: team,
			Filters: sahay.ViewFilters{Status: sahay.StatusOpen, Label: "বিল", Assignee: "none", TeamID: team, Sort: "waiting"}}
		MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateView(ctx, v) })
		return v
	}
	mine := mk(ana, "My refunds", sahay.ViewPrivate, 0)
	bosPrivate := mk(bo, "Bo's queue", sahay.ViewPrivate, 0)
	billingView := mk(bo, "Billing queue", sahay.ViewTeam, billing.ID)
	salesView := mk(bo, "Sales queue", sahay.ViewTeam, sales.ID)
	everyone := mk(bo, "Everyone", sahay.ViewAccount, 0)
	mk(outsider, "Elsewhere", sahay.ViewAccount, 0)

	got, err := st.View(ctx, a.ID, mine.ID)
	must(t, err, "View")
	if got.Name != "My refunds" || got.Filters != mine.Filters || got.UserID != ana.ID || got.Visibility != sahay.ViewPrivate || got.CreatedAt.IsZero() {
		t.Errorf("View = %+v, want %+v", got, mine)
	}
	_, err = st.View(ctx, b.ID, mine.ID)
	wantCode(t, err, sahay.ENOTFOUND, "View through another account")

	// Bo may reuse Ana's name; Ana may not have two of one name.
	mk(bo, "My refunds", sahay.ViewPrivate, 0)
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateView(ctx, &sahay.SavedView{AccountID: a.ID, UserID: ana.ID, Name: "My refunds", Visibility: sahay.ViewPrivate})
	})
	wantCode(t, err, sahay.ECONFLICT, "second view of the same name")

	names := func(f store.ViewsFilter) []int64 {
		vs, err := st.Views(ctx, f)
		must(t, err, "Views")
		var ids []int64
		for _, v := range vs {
			ids = append(ids, v.ID)
		}
		return ids
	}
	// By name: Billing queue, Everyone, My refunds, Sales queue.
	if got, want := names(store.ViewsFilter{AccountID: a.ID, UserID: ana.ID, Teams: []int64{billing.ID}}),
		[]int64{billingView.ID, everyone.ID, mine.ID}; !slices.Equal(got, want) {
		t.Errorf("Ana's views = %v, want %v", got, want)
	}
	if got, want := names(store.ViewsFilter{AccountID: a.ID, UserID: ana.ID, AllTeams: true}),
		[]int64{billingView.ID, everyone.ID, mine.ID, salesView.ID}; !slices.Equal(got, want) {
		t.Errorf("views with every team's = %v, want %v", got, want)
	}
	for _, id := range names(store.ViewsFilter{AccountID: a.ID, UserID: ana.ID, AllTeams: true}) {
		if id == bosPrivate.ID {
			t.Errorf("another user's private view is listed")
		}
	}

	mine.Name, mine.Visibility, mine.TeamID = "Refunds", sahay.ViewTeam, billing.ID
	mine.Filters = sahay.ViewFilters{Channel: "widget"}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateView(ctx, mine) })
	got, err = st.View(ctx, a.ID, mine.ID)
	must(t, err, "View")
	if got.Name != "Refunds" || got.Visibility != sahay.ViewTeam || got.TeamID != billing.ID || got.Filters != (sahay.ViewFilters{Channel: "widget"}) {
		t.Errorf("updated view = %+v", got)
	}
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.DeleteView(ctx, b.ID, mine.ID)
	})
	wantCode(t, err, sahay.ENOTFOUND, "DeleteView through another account")
	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteView(ctx, a.ID, mine.ID) })
	_, err = st.View(ctx, a.ID, mine.ID)
	wantCode(t, err, sahay.ENOTFOUND, "deleted view")
	// A deleted view's id is never given to another: a link to it must not
	// open someone else's view.
	last := mk(ana, "Newest", sahay.ViewPrivate, 0)
	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteView(ctx, a.ID, last.ID) })
	if next := mk(ana, "After", sahay.ViewPrivate, 0); next.ID <= last.ID {
		t.Errorf("view id %d reused after deleting %d", next.ID, last.ID)
	}
}
