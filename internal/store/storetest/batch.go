package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// testBatchWrites checks the statements group commit uses for a batch of
// received messages against their one-at-a-time counterparts: the account
// locked and read at once, each key's conversation as OpenConversation
// finds it, messages stored in order with ascending ids and indexed for
// search, a duplicate refused, and activity saved without moving a count.
func testBatchWrites(t *testing.T, st *store.Store) {
	t.Run("reads across accounts", func(t *testing.T) { testBatchReads(t, st) })
	ctx := context.Background()
	a := MustAccount(t, st, "Dokan")
	web := MustInbox(t, st, a.ID, "Web", "api")
	mail := MustInbox(t, st, a.ID, "Mail", "email")
	label := MustLabel(t, st, a.ID, "vip")
	rahim := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Rahim"})
	sita := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Sita"})
	nobody := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Nobody"})
	MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: web.ID, ContactID: rahim.ID, Status: sahay.StatusResolved})
	open := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: web.ID, ContactID: rahim.ID})
	MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, open, []int64{label.ID}) })
	resolved := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: mail.ID, ContactID: sita.ID, Status: sahay.StatusResolved})
	MustMessage(t, st, open, &sahay.Message{Content: "first", ExternalID: "m0"})

	keys := []store.ConversationKey{{AccountID: a.ID, ContactID: rahim.ID, InboxID: web.ID}, {AccountID: a.ID, ContactID: sita.ID, InboxID: mail.ID},
		{AccountID: a.ID, ContactID: nobody.ID, InboxID: web.ID}, {AccountID: a.ID, ContactID: sita.ID, InboxID: web.ID}}
	var msgs []*sahay.Message
	MustWrite(t, st, func(tx *store.Tx) error {
		got, err := tx.LockedAccount(ctx, a.ID)
		if err != nil {
			return err
		}
		if got.ID != a.ID || got.Name != "Dokan" || got.ReopenWindowSeconds != a.ReopenWindowSeconds {
			t.Errorf("LockedAccount = %+v, want %+v", got, a)
		}
		found, err := tx.OpenConversations(ctx, keys)
		if err != nil {
			return err
		}
		for _, k := range keys {
			one, err := tx.OpenConversation(ctx, k)
			if sahay.ErrorCode(err) == sahay.ENOTFOUND {
				one, err = nil, nil
			}
			if err != nil {
				return err
			}
			if fmt.Sprintf("%+v", found[k]) != fmt.Sprintf("%+v", one) {
				t.Errorf("OpenConversations[%+v] = %+v, OpenConversation = %+v", k, found[k], one)
			}
		}
		if found[keys[0]] == nil || found[keys[0]].ID != open.ID || len(found[keys[0]].Labels) != 1 || found[keys[1]] == nil || found[keys[1]].ID != resolved.ID {
			t.Errorf("OpenConversations = %+v, want the open %d with its label and the resolved %d", found, open.ID, resolved.ID)
		}

		for i, c := range []*sahay.Conversation{open, resolved, open} {
			ext := fmt.Sprint("m", i+1)
			if i == 2 {
				ext = ""
			}
			msgs = append(msgs, &sahay.Message{AccountID: a.ID, ConversationID: c.ID, InboxID: c.InboxID, Kind: sahay.MessageIncoming,
				SenderType: sahay.SenderContact, SenderID: c.ContactID, Content: fmt.Sprint("batched parcel ", i), ExternalID: ext})
		}
		if err := tx.InsertMessages(ctx, msgs); err != nil {
			return err
		}
		for i := 1; i < len(msgs); i++ {
			if msgs[i].ID <= msgs[i-1].ID {
				t.Errorf("InsertMessages ids %d, %d: want them ascending in order", msgs[i-1].ID, msgs[i].ID)
			}
		}
		c := *open
		c.LastMessage, c.LastActivityAt, c.Language = "batched parcel 2", tx.Now(), "bn"
		waiting := tx.Now()
		c.WaitingSince = &waiting
		r := *resolved
		r.LastMessage, r.LastActivityAt = "batched parcel 1", tx.Now()
		return tx.UpdateActivity(ctx, []*sahay.Conversation{&c, &r})
	})
	for _, m := range msgs {
		stored, err := st.Message(ctx, a.ID, m.ID)
		must(t, err, "Message")
		if stored.Content != m.Content || stored.ConversationID != m.ConversationID || stored.ExternalID != m.ExternalID {
			t.Errorf("message %d stored as %+v, want %+v", m.ID, stored, m)
		}
	}
	hits, err := st.SearchMessages(ctx, a.ID, nil, []string{"batched", "parcel"}, 10)
	must(t, err, "SearchMessages")
	if len(hits) != len(msgs) {
		t.Errorf("search finds %d of the %d messages stored together", len(hits), len(msgs))
	}
	c, err := st.Conversation(ctx, a.ID, open.ID)
	must(t, err, "Conversation")
	if c.LastMessage != "batched parcel 2" || c.Language != "bn" || c.WaitingSince == nil || c.Status != sahay.StatusOpen {
		t.Errorf("conversation after UpdateActivity = %+v", c)
	}
	r, err := st.Conversation(ctx, a.ID, resolved.ID)
	must(t, err, "Conversation")
	if r.LastMessage != "batched parcel 1" || r.WaitingSince != nil || r.Status != sahay.StatusResolved {
		t.Errorf("resolved conversation after UpdateActivity = %+v", r)
	}
	CheckCounts(t, st, a.ID)

	// Batches past the smallest statement size: 21 messages, 5
	// conversations.
	var many []*sahay.Message
	var convs []*sahay.Conversation
	for i := range 5 {
		ct := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: fmt.Sprint("Customer ", i)})
		convs = append(convs, MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: web.ID, ContactID: ct.ID}))
	}
	MustWrite(t, st, func(tx *store.Tx) error {
		for i := range 21 {
			many = append(many, &sahay.Message{AccountID: a.ID, ConversationID: convs[i%5].ID, InboxID: web.ID, Kind: sahay.MessageIncoming,
				SenderType: sahay.SenderContact, Content: fmt.Sprint("many ", i), ExternalID: fmt.Sprint("many-", i)})
		}
		if err := tx.InsertMessages(ctx, many); err != nil {
			return err
		}
		for i, c := range convs {
			c.LastMessage, c.LastActivityAt = fmt.Sprint("activity ", i), tx.Now()
		}
		return tx.UpdateActivity(ctx, convs)
	})
	for i, m := range many {
		stored, err := st.Message(ctx, a.ID, m.ID)
		must(t, err, "Message")
		if stored.Content != m.Content || stored.ConversationID != m.ConversationID || (i > 0 && m.ID <= many[i-1].ID) {
			t.Errorf("message %d of 21 stored as %+v with id %d, want %q in conversation %d, ids ascending", i, stored, m.ID, m.Content, m.ConversationID)
		}
	}
	for i, c := range convs {
		got, err := st.Conversation(ctx, a.ID, c.ID)
		must(t, err, "Conversation")
		if got.LastMessage != fmt.Sprint("activity ", i) {
			t.Errorf("conversation %d of 5: last message %q", i, got.LastMessage)
		}
	}

	// A platform id the inbox has fails the batch.
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertMessages(ctx, []*sahay.Message{
			{AccountID: a.ID, ConversationID: open.ID, InboxID: web.ID, Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, Content: "new", ExternalID: "m9"},
			{AccountID: a.ID, ConversationID: open.ID, InboxID: web.ID, Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, Content: "again", ExternalID: "m0"},
		})
	})
	if !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("InsertMessages with a stored platform id: %v, want ErrDuplicate", err)
	}
	if n := countMessages(t, st, open.ID); n != 3 {
		t.Errorf("conversation has %d messages after the refused batch, want 3", n)
	}
}

// testBatchReads checks the reads of a batch whose messages come from
// several accounts and inboxes: each key answered as in its own account,
// and never by another account's rows.
func testBatchReads(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "Haat")
	b := MustAccount(t, st, "Bazaar")
	aWeb, bWeb := MustInbox(t, st, a.ID, "Web", "api"), MustInbox(t, st, b.ID, "Web", "api")
	aRahim := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Rahim in A"})
	bRahim := MustContact(t, st, &sahay.Contact{AccountID: b.ID, Name: "Rahim in B"})
	// The same person on the same platform writes to both businesses.
	MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.AddIdentity(ctx, aRahim, "whatsapp", "+8801700000001"); err != nil {
			return err
		}
		return tx.AddIdentity(ctx, bRahim, "whatsapp", "+8801700000001")
	})
	aConv := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: aWeb.ID, ContactID: aRahim.ID})
	bConv := MustConversation(t, st, &sahay.Conversation{AccountID: b.ID, InboxID: bWeb.ID, ContactID: bRahim.ID})
	MustMessage(t, st, aConv, &sahay.Message{Content: "in A", ExternalID: "wamid.1"})
	MustMessage(t, st, bConv, &sahay.Message{Content: "in B", ExternalID: "wamid.2"})

	MustWrite(t, st, func(tx *store.Tx) error {
		stored, err := tx.StoredExternalIDs(ctx, []store.MessageKey{{InboxID: aWeb.ID, ExternalID: "wamid.1"}, {InboxID: bWeb.ID, ExternalID: "wamid.2"},
			{InboxID: aWeb.ID, ExternalID: "wamid.2"}, {InboxID: bWeb.ID, ExternalID: "wamid.3"}})
		if err != nil {
			return err
		}
		want := map[store.MessageKey]bool{{InboxID: aWeb.ID, ExternalID: "wamid.1"}: true, {InboxID: bWeb.ID, ExternalID: "wamid.2"}: true}
		if fmt.Sprint(stored) != fmt.Sprint(want) {
			t.Errorf("StoredExternalIDs = %v, want %v: an id is stored in its own inbox only", stored, want)
		}

		aID := store.Identity{AccountID: a.ID, Namespace: "whatsapp", ExternalID: "+8801700000001"}
		bID := store.Identity{AccountID: b.ID, Namespace: "whatsapp", ExternalID: "+8801700000001"}
		unknown := store.Identity{AccountID: b.ID, Namespace: "whatsapp", ExternalID: "+8801700000002"}
		contacts, err := tx.ContactsByIdentities(ctx, []store.Identity{aID, bID, unknown})
		if err != nil {
			return err
		}
		if len(contacts) != 2 || contacts[aID] == nil || contacts[aID].ID != aRahim.ID || contacts[bID] == nil || contacts[bID].ID != bRahim.ID {
			t.Errorf("ContactsByIdentities = %+v, want Rahim of each account (%d, %d) and nothing for the unknown number", contacts, aRahim.ID, bRahim.ID)
		}

		// A key naming one account's contact in another account finds
		// nothing.
		keys := []store.ConversationKey{{AccountID: a.ID, ContactID: aRahim.ID, InboxID: aWeb.ID}, {AccountID: b.ID, ContactID: bRahim.ID, InboxID: bWeb.ID},
			{AccountID: b.ID, ContactID: aRahim.ID, InboxID: aWeb.ID}}
		convs, err := tx.OpenConversations(ctx, keys)
		if err != nil {
			return err
		}
		if len(convs) != 2 || convs[keys[0]] == nil || convs[keys[0]].ID != aConv.ID || convs[keys[1]] == nil || convs[keys[1]].ID != bConv.ID {
			t.Errorf("OpenConversations = %+v, want %d for A's key and %d for B's only", convs, aConv.ID, bConv.ID)
		}
		return nil
	})
}
