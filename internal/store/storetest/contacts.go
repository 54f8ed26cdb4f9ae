package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

func testContactIdentities(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	rahim := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "রহিম", Email: "rahim@example.com",
		Attributes: map[string]any{"plan": "gold"},
		Identities: []Identity{{Namespace: "whatsapp", ExternalID: "+8801711000000"}, {Namespace: "email", ExternalID: "rahim@example.com"}}})
	got, err := st.Contact(ctx, a.ID, rahim.ID)
	must(t, err, "Contact")
	if got.Name != "রহিম" || got.Attributes["plan"] != "gold" || len(got.Identities) != 2 ||
		got.Identities[0].Namespace != "whatsapp" || got.Identities[0].ExternalID != "+8801711000000" || got.Identities[0].ContactID != rahim.ID {
		t.Errorf("Contact = %+v", got)
	}

	// The same WhatsApp number cannot be a second person in the account.
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateContact(ctx, &sahay.Contact{AccountID: a.ID, Name: "Impostor",
			Identities: []Identity{{Namespace: "whatsapp", ExternalID: "+8801711000000"}}})
	})
	wantCode(t, err, sahay.ECONFLICT, "identity taken by another contact of the account")
	list, err := st.Contacts(ctx, a.ID, nil, "", 0, 100)
	must(t, err, "Contacts")
	if len(list) != 1 {
		t.Errorf("account has %d contacts after the refused one, want 1", len(list))
	}
	// Another business may know the same number.
	other := MustContact(t, st, &sahay.Contact{AccountID: b.ID, Name: "Rahim at B",
		Identities: []Identity{{Namespace: "whatsapp", ExternalID: "+8801711000000"}}})

	MustWrite(t, st, func(tx *store.Tx) error {
		for _, tc := range []struct {
			account, want int64
		}{{a.ID, rahim.ID}, {b.ID, other.ID}} {
			c, err := tx.ContactByIdentity(ctx, tc.account, "whatsapp", "+8801711000000")
			if err != nil {
				return fmt.Errorf("ContactByIdentity in account %d: %w", tc.account, err)
			}
			if c.ID != tc.want {
				t.Errorf("ContactByIdentity in account %d = %d, want %d", tc.account, c.ID, tc.want)
			}
		}
		_, err := tx.ContactByIdentity(ctx, a.ID, "telegram", "+8801711000000")
		if sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Errorf("ContactByIdentity of another namespace: %v, want not found", err)
		}
		// A new identity for an existing contact.
		return tx.AddIdentity(ctx, rahim, "telegram", "5551234")
	})
	got, err = st.Contact(ctx, a.ID, rahim.ID)
	must(t, err, "Contact")
	if len(got.Identities) != 3 {
		t.Errorf("identities after AddIdentity = %+v, want 3", got.Identities)
	}
	_, err = st.Contact(ctx, b.ID, rahim.ID)
	wantCode(t, err, sahay.ENOTFOUND, "Contact through another account")
}

func testContactSearch(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	mk := func(account int64, name, email string) *sahay.Contact {
		return MustContact(t, st, &sahay.Contact{AccountID: account, Name: name, Email: email})
	}
	rahim := mk(a.ID, "রহিম উদ্দিন", "rahim@example.com")
	rahima := mk(a.ID, "রহিমা বেগম", "")
	amit := mk(a.ID, "अमित शर्मा", "amit@shop.in")
	karim := mk(a.ID, "Karim Hossain", "karim@example.com")
	// Decomposed vowel sign o (U+09C7 U+09BE), as some keyboards type it.
	sobhon := mk(a.ID, "\u09B6\u09C7\u09BE\u09AD\u09A8", "")
	mk(b.ID, "রহিম উদ্দিন", "rahim@other.example")

	for _, tc := range []struct {
		query string
		want  []*sahay.Contact
	}{
		{"রহিম উদ্দিন", []*sahay.Contact{rahim}},
		// The last term is a prefix: typing "রহিম" finds রহিমা too.
		{"রহিম", []*sahay.Contact{rahima, rahim}},
		// Earlier terms are whole words: রহিম is not রহিমা.
		{"রহিম বেগম", nil},
		{"বেগম", []*sahay.Contact{rahima}},
		{"উদ্দি", []*sahay.Contact{rahim}},
		{"शर्मा", []*sahay.Contact{amit}},
		{"अमि", []*sahay.Contact{amit}},
		{"karim", []*sahay.Contact{karim}},
		{"KARIM hoss", []*sahay.Contact{karim}},
		{"karim@example.com", []*sahay.Contact{karim}},
		{"example", []*sahay.Contact{karim, rahim}},
		{"shop.in", []*sahay.Contact{amit}},
		// Precomposed query, decomposed name.
		{"\u09B6\u09CB\u09AD\u09A8", []*sahay.Contact{sobhon}},
		{"nobody", nil},
		// A query with nothing to match matches nothing, not everyone.
		{"+++", nil},
		{" @ ", nil},
	} {
		got, err := st.Contacts(ctx, a.ID, nil, tc.query, 0, 50)
		must(t, err, "Contacts "+tc.query)
		if g, w := contactIDs(got), contactIDs(tc.want); !slices.Equal(g, w) {
			t.Errorf("Contacts(%q) = %v, want %v (newest first, this account only)", tc.query, g, w)
		}
	}

	// A renamed contact is found by the new name only.
	karim.Name = "করিম হোসেন"
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateContact(ctx, karim) })
	for query, want := range map[string][]*sahay.Contact{"Hossain": nil, "করিম": {karim}, "karim@example": {karim}} {
		got, err := st.Contacts(ctx, a.ID, nil, query, 0, 50)
		must(t, err, "Contacts")
		if g, w := contactIDs(got), contactIDs(want); !slices.Equal(g, w) {
			t.Errorf("after rename, Contacts(%q) = %v, want %v", query, g, w)
		}
	}
	// A deleted contact is not found.
	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteContact(ctx, a.ID, amit.ID) })
	got, err := st.Contacts(ctx, a.ID, nil, "शर्मा", 0, 50)
	must(t, err, "Contacts")
	if len(got) != 0 {
		t.Errorf("deleted contact still found: %v", contactIDs(got))
	}

	// Listing pages newest first.
	page1, err := st.Contacts(ctx, a.ID, nil, "", 0, 2)
	must(t, err, "Contacts")
	page2, err := st.Contacts(ctx, a.ID, nil, "", page1[len(page1)-1].ID, 10)
	must(t, err, "Contacts")
	if all := append(contactIDs(page1), contactIDs(page2)...); !slices.Equal(all, contactIDs([]*sahay.Contact{sobhon, karim, rahima, rahim})) {
		t.Errorf("contacts by page = %v", all)
	}
}

func contactIDs(cs []*sahay.Contact) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testMergeContacts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	inbox := MustInbox(t, st, a.ID, "WhatsApp", "whatsapp")
	mail := MustInbox(t, st, a.ID, "Email", "email")
	into := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Sunita",
		Attributes: map[string]any{"city": "Pune"},
		Identities: []Identity{{Namespace: "whatsapp", ExternalID: "+919800000000"}}})
	from := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "S. Rao", Email: "sunita@example.com", Phone: "+919800000000",
		Attributes: map[string]any{"city": "Mumbai", "plan": "pro"},
		Identities: []Identity{{Namespace: "email", ExternalID: "sunita@example.com"}}})
	c1 := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: into.ID})
	c2 := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: mail.ID, ContactID: from.ID})
	c3 := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: mail.ID, ContactID: from.ID, Status: sahay.StatusResolved})
	MustMessage(t, st, c2, &sahay.Message{Content: "refund please"})

	var merged *sahay.Contact
	MustWrite(t, st, func(tx *store.Tx) error {
		var err error
		merged, err = tx.MergeContacts(ctx, a.ID, into.ID, from.ID)
		return err
	})
	if merged.ID != into.ID || merged.Name != "Sunita" || merged.Email != "sunita@example.com" || merged.Phone != "+919800000000" {
		t.Errorf("merged contact = %+v, want into's name with from's email and phone", merged)
	}
	if merged.Attributes["city"] != "Pune" || merged.Attributes["plan"] != "pro" {
		t.Errorf("merged attributes = %v, want into's city and from's plan", merged.Attributes)
	}
	if len(merged.Identities) != 2 {
		t.Errorf("merged identities = %+v, want both", merged.Identities)
	}
	_, err := st.Contact(ctx, a.ID, from.ID)
	wantCode(t, err, sahay.ENOTFOUND, "merged-away contact")
	MustWrite(t, st, func(tx *store.Tx) error {
		c, err := tx.ContactByIdentity(ctx, a.ID, "email", "sunita@example.com")
		if err != nil {
			return err
		}
		if c.ID != into.ID {
			t.Errorf("email identity resolves to %d after merge, want %d", c.ID, into.ID)
		}
		return nil
	})
	convs, _, err := st.Conversations(ctx, store.ConversationFilter{AccountID: a.ID, ContactID: into.ID, Sort: store.SortCreated})
	must(t, err, "Conversations")
	if got, want := conversationIDs(convs), []int64{c3.ID, c2.ID, c1.ID}; !slices.Equal(got, want) {
		t.Errorf("conversations of the merged contact = %v, want %v", got, want)
	}
	for _, c := range convs {
		if c.Contact == nil || c.Contact.ID != into.ID {
			t.Errorf("conversation %d shows contact %+v, want %d", c.ID, c.Contact, into.ID)
		}
	}
	convs, _, err = st.Conversations(ctx, store.ConversationFilter{AccountID: a.ID, ContactID: from.ID})
	must(t, err, "Conversations")
	if len(convs) != 0 {
		t.Errorf("merged-away contact still has %d conversations", len(convs))
	}
	found, err := st.Contacts(ctx, a.ID, nil, "sunita@example.com", 0, 10)
	must(t, err, "Contacts")
	if !slices.Equal(contactIDs(found), []int64{into.ID}) {
		t.Errorf("search by the merged email = %v, want [%d]", contactIDs(found), into.ID)
	}
	found, err = st.Contacts(ctx, a.ID, nil, "Rao", 0, 10)
	must(t, err, "Contacts")
	if len(found) != 0 {
		t.Errorf("search by the merged-away name = %v, want nothing", contactIDs(found))
	}
	CheckCounts(t, st, a.ID)

	_, err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.MergeContacts(ctx, a.ID, into.ID, into.ID)
		return err
	})
	wantCode(t, err, sahay.EINVALID, "merging a contact into itself")
	stranger := MustContact(t, st, &sahay.Contact{AccountID: b.ID, Name: "Stranger"})
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.MergeContacts(ctx, a.ID, into.ID, stranger.ID)
		return err
	})
	wantCode(t, err, sahay.ENOTFOUND, "merging another account's contact")
	if _, err := st.Contact(ctx, b.ID, stranger.ID); err != nil {
		t.Errorf("other account's contact damaged by the refused merge: %v", err)
	}
}

// testContactScope limits contacts to those with a conversation in the
// given inboxes: the list, the search and the single check agree.
func testContactScope(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	one := MustInbox(t, st, a.ID, "One", "api")
	two := MustInbox(t, st, a.ID, "Two", "api")
	other := MustInbox(t, st, b.ID, "Other", "api")
	both := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Asha both"})
	first := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Asha first"})
	second := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Asha second"})
	none := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Asha none"})
	stranger := MustContact(t, st, &sahay.Contact{AccountID: b.ID, Name: "Asha stranger"})
	for _, c := range [][2]int64{{both.ID, one.ID}, {both.ID, two.ID}, {first.ID, one.ID}, {second.ID, two.ID}} {
		MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, ContactID: c[0], InboxID: c[1]})
	}
	MustConversation(t, st, &sahay.Conversation{AccountID: b.ID, InboxID: other.ID, ContactID: stranger.ID})

	for _, tc := range []struct {
		name    string
		inboxes []int64
		want    []int64
	}{
		{"every inbox", nil, []int64{none.ID, second.ID, first.ID, both.ID}},
		{"inbox one", []int64{one.ID}, []int64{first.ID, both.ID}},
		{"inbox two", []int64{two.ID}, []int64{second.ID, both.ID}},
		{"both inboxes", []int64{one.ID, two.ID}, []int64{second.ID, first.ID, both.ID}},
		{"no inbox", []int64{}, []int64{}},
		{"another account's inbox", []int64{other.ID}, []int64{}},
	} {
		for _, query := range []string{"", "asha"} {
			got, err := st.Contacts(ctx, a.ID, tc.inboxes, query, 0, 50)
			must(t, err, "Contacts")
			if !slices.Equal(contactIDs(got), tc.want) {
				t.Errorf("%s, query %q: contacts %v, want %v", tc.name, query, contactIDs(got), tc.want)
			}
		}
		for _, c := range []*sahay.Contact{both, first, second, none, stranger} {
			visible, err := st.ContactVisible(ctx, a.ID, c.ID, tc.inboxes)
			must(t, err, "ContactVisible")
			if want := slices.Contains(tc.want, c.ID); visible != want {
				t.Errorf("%s: ContactVisible(%s) = %v, want %v", tc.name, c.Name, visible, want)
			}
		}
	}
	MustWrite(t, st, func(tx *store.Tx) error {
		visible, err := tx.ContactVisible(ctx, a.ID, first.ID, []int64{two.ID})
		if err == nil && visible {
			t.Errorf("ContactVisible in a transaction shows inbox one's contact to inbox two")
		}
		return err
	})
}
