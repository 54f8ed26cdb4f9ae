package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// testMentions: mentions page newest first by (created_at, message id),
// each once whatever the ties, under every filter; their counts add up;
// a deleted keyword forgets the mentions only it matched; the cursor
// moves only from where it was.
func testMentions(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "Acme")
	owner := MustUser(t, st, a.ID, "owner@example.com", sahay.RoleOwner)
	pageInbox := MustInbox(t, st, a.ID, "Page", "messenger", owner.ID)
	siteInbox := MustInbox(t, st, a.ID, "Site", "api", owner.ID)
	brand := &store.MentionKeyword{AccountID: a.ID, Term: "Acme", Kind: "brand", Normalized: "acme"}
	word := &store.MentionKeyword{AccountID: a.ID, Term: "delivery", Kind: "keyword", Normalized: "delivery"}
	MustWrite(t, st, func(tx *store.Tx) error {
		for _, k := range []*store.MentionKeyword{brand, word} {
			if err := tx.CreateMentionKeyword(ctx, k); err != nil {
				return err
			}
		}
		return tx.StartMentionCursor(ctx, a.ID)
	})
	seq, err := st.LastEventSeq(ctx, a.ID)
	must(t, err, "last event")
	_, err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateMentionKeyword(ctx, &store.MentionKeyword{AccountID: a.ID, Term: "ACME", Normalized: "acme"})
	})
	wantCode(t, err, sahay.ECONFLICT, "a keyword that normalizes like another")

	// 30 mentions, three to a millisecond, across two inboxes, three
	// sentiments and the two keywords.
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	sentiments := []string{"negative", "neutral", "positive"}
	type want struct {
		id        int64
		at        time.Time
		inbox     int64
		sentiment string
		keywords  []int64
	}
	var all []want
	var matches []store.MentionMatch
	for i := range 30 {
		inbox := pageInbox
		if i%4 == 0 {
			inbox = siteInbox
		}
		contact := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: fmt.Sprint("c", i)})
		conv := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID, Public: true})
		at := base.Add(time.Duration(i/3) * time.Millisecond)
		m := MustMessage(t, st, conv, &sahay.Message{Content: fmt.Sprint("acme delivery ", i), Public: true, CreatedAt: at})
		keywords := []int64{brand.ID}
		if i%3 == 0 {
			keywords = append(keywords, word.ID)
		}
		w := want{m.ID, at, inbox.ID, sentiments[i%3], keywords}
		all = append(all, w)
		matches = append(matches, store.MentionMatch{AccountID: a.ID, MessageID: m.ID, InboxID: inbox.ID, Sentiment: w.sentiment, CreatedAt: at, KeywordIDs: keywords})
	}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.InsertMentions(ctx, matches) })
	// Matching the same again changes nothing.
	MustWrite(t, st, func(tx *store.Tx) error { return tx.InsertMentions(ctx, matches[:5]) })
	slices.SortFunc(all, func(x, y want) int { return cmp.Or(y.at.Compare(x.at), cmp.Compare(y.id, x.id)) })

	for _, f := range []struct {
		name string
		f    store.MentionFilter
		keep func(w want) bool
	}{
		{"all", store.MentionFilter{}, func(want) bool { return true }},
		{"keyword", store.MentionFilter{KeywordID: word.ID}, func(w want) bool { return slices.Contains(w.keywords, word.ID) }},
		{"sentiment", store.MentionFilter{Sentiment: "negative"}, func(w want) bool { return w.sentiment == "negative" }},
		{"inbox", store.MentionFilter{Inboxes: []int64{siteInbox.ID}}, func(w want) bool { return w.inbox == siteInbox.ID }},
		{"keyword, sentiment and inbox", store.MentionFilter{KeywordID: word.ID, Sentiment: "negative", Inboxes: []int64{pageInbox.ID}},
			func(w want) bool {
				return slices.Contains(w.keywords, word.ID) && w.sentiment == "negative" && w.inbox == pageInbox.ID
			}},
		{"no inbox", store.MentionFilter{Inboxes: []int64{}}, func(want) bool { return false }},
	} {
		var expect []int64
		for _, w := range all {
			if f.keep(w) {
				expect = append(expect, w.id)
			}
		}
		var got []int64
		filter := f.f
		filter.AccountID, filter.Limit = a.ID, 4
		for range 20 {
			page, next, err := st.Mentions(ctx, filter)
			must(t, err, "mentions "+f.name)
			for _, m := range page {
				got = append(got, m.Message.ID)
				if m.Message.Content == "" || len(m.KeywordIDs) == 0 {
					t.Fatalf("%s: mention %+v lacks its message or keywords", f.name, m)
				}
			}
			if filter.Cursor = next; next == "" {
				break
			}
		}
		if !slices.Equal(got, expect) {
			t.Errorf("%s: paged %v, want %v", f.name, got, expect)
		}
		counts, err := st.MentionCounts(ctx, store.MentionFilter{AccountID: a.ID, KeywordID: f.f.KeywordID, Sentiment: f.f.Sentiment, Inboxes: f.f.Inboxes}, base.Add(-time.Minute))
		must(t, err, "mention counts "+f.name)
		var n int64
		for _, b := range counts {
			n += b.N
		}
		if n != int64(len(expect)) {
			t.Errorf("%s: counted %d, want %d", f.name, n, len(expect))
		}
	}

	// Deleting the brand forgets the mentions only it matched.
	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteMentionKeyword(ctx, a.ID, brand.ID) })
	page, _, err := st.Mentions(ctx, store.MentionFilter{AccountID: a.ID, Limit: 100})
	must(t, err, "mentions after deleting a keyword")
	if len(page) != 10 {
		t.Errorf("%d mentions left, want the 10 that named delivery", len(page))
	}
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteMentionKeyword(ctx, a.ID, brand.ID) })
	wantCode(t, err, sahay.ENOTFOUND, "deleting a deleted keyword")

	// The cursor starts at the account's last event and moves only from
	// where it is.
	MustWrite(t, st, func(tx *store.Tx) error {
		if ok, err := tx.MoveMentionCursor(ctx, a.ID, seq+1, seq+5); err != nil || ok {
			return fmt.Errorf("moved from the wrong place: %v, %v", ok, err)
		}
		if ok, err := tx.MoveMentionCursor(ctx, a.ID, seq, seq+5); err != nil || !ok {
			return fmt.Errorf("did not move from its place: %v, %v", ok, err)
		}
		return nil
	})
	MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.DeleteMentionKeyword(ctx, a.ID, word.ID); err != nil {
			return err
		}
		return tx.StopMentionCursor(ctx, a.ID)
	})
	MustWrite(t, st, func(tx *store.Tx) error {
		if ok, err := tx.MoveMentionCursor(ctx, a.ID, seq+5, seq+6); err != nil || ok {
			return fmt.Errorf("the cursor stays when the account follows nothing: %v, %v", ok, err)
		}
		return nil
	})
}
