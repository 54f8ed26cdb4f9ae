package storetest

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// sortOrders are the list orders with the comparison each promises: the
// first conversation of a page sorts before the second.
var sortOrders = []struct {
	sort string
	less func(a, b *sahay.Conversation) int
}{
	{store.SortLastActivity, func(a, b *sahay.Conversation) int {
		return cmp.Or(b.LastActivityAt.Compare(a.LastActivityAt), cmp.Compare(b.ID, a.ID))
	}},
	{store.SortCreated, func(a, b *sahay.Conversation) int { return cmp.Compare(b.ID, a.ID) }},
	{store.SortPriority, func(a, b *sahay.Conversation) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), b.LastActivityAt.Compare(a.LastActivityAt), cmp.Compare(b.ID, a.ID))
	}},
	// Longest waiting first; conversations not waiting last.
	{store.SortWaiting, func(a, b *sahay.Conversation) int {
		switch {
		case a.WaitingSince == nil && b.WaitingSince != nil:
			return 1
		case a.WaitingSince != nil && b.WaitingSince == nil:
			return -1
		case a.WaitingSince != nil && !a.WaitingSince.Equal(*b.WaitingSince):
			return a.WaitingSince.Compare(*b.WaitingSince)
		}
		return cmp.Compare(b.ID, a.ID)
	}},
	// Most negative first.
	{store.SortSentiment, func(a, b *sahay.Conversation) int {
		return cmp.Or(cmp.Compare(a.Sentiment, b.Sentiment), cmp.Compare(b.ID, a.ID))
	}},
}

// moods are the moods tiedConversations gives: scores that tie, of each
// label, and none (not scored yet, sentiment 0).
var moods = []*sahay.Mood{
	{Sentiment: sahay.MoodNegative, Score: -0.75, Trend: sahay.TrendFalling, Average: -0.5, Emotion: "anger", Urgency: 0.75},
	{Sentiment: sahay.MoodNegative, Score: -0.5, Trend: sahay.TrendSteady, Average: -0.5},
	{Sentiment: sahay.MoodNeutral, Score: 0, Trend: sahay.TrendRising, Average: -0.25},
	{Sentiment: sahay.MoodPositive, Score: 0.5, Trend: sahay.TrendSteady, Average: 0.5, Emotion: "gratitude"},
	nil,
}

// tiedConversations inserts n conversations whose sort keys collide often:
// five activity instants, three priorities, three waiting instants or none.
func tiedConversations(t *testing.T, st *store.Store, w *world, n int) []*sahay.Conversation {
	r := rand.New(rand.NewPCG(42, 42))
	base := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	var out []*sahay.Conversation
	MustWrite(t, st, func(tx *store.Tx) error {
		for i := range n {
			c := w.randomConversation(r)
			c.LastActivityAt = base.Add(time.Duration(r.IntN(5)) * time.Second)
			c.Priority = r.IntN(3) * 2
			if r.IntN(4) != 0 {
				c.WaitingSince = ptr(base.Add(-time.Duration(r.IntN(3)) * time.Minute))
			}
			if i%7 == 0 {
				// Far in the past and future, to catch keys that overflow or
				// sort as text.
				c.LastActivityAt = time.UnixMilli(1).UTC()
				c.WaitingSince = ptr(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC))
			}
			if err := InsertConversation(context.Background(), tx, c); err != nil {
				return err
			}
			if m := moods[r.IntN(len(moods))]; m != nil {
				c.Mood, c.Sentiment = m, m.Score
				if err := tx.SetConversationMood(context.Background(), c); err != nil {
					return err
				}
			}
			out = append(out, c)
		}
		return nil
	})
	return out
}

func testPagination(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := newWorld(t, st, "a")
	convs := tiedConversations(t, st, w, 61)
	tiedConversations(t, st, newWorld(t, st, "b"), 10)
	for _, order := range sortOrders {
		for _, filter := range []struct {
			name string
			f    store.ConversationFilter
			keep func(*sahay.Conversation) bool
		}{
			{"all", store.ConversationFilter{}, func(*sahay.Conversation) bool { return true }},
			{"open", store.ConversationFilter{Status: sahay.StatusOpen}, func(c *sahay.Conversation) bool { return c.Status == sahay.StatusOpen }},
			{"unassigned", store.ConversationFilter{Assignee: ptr(int64(0))}, func(c *sahay.Conversation) bool { return c.AssigneeID == 0 }},
			{"inbox", store.ConversationFilter{InboxID: w.inboxes[1].ID}, func(c *sahay.Conversation) bool { return c.InboxID == w.inboxes[1].ID }},
			{"negative", store.ConversationFilter{Mood: sahay.MoodNegative}, func(c *sahay.Conversation) bool {
				return c.Mood != nil && c.Mood.Sentiment == sahay.MoodNegative
			}},
			{"open neutral", store.ConversationFilter{Status: sahay.StatusOpen, Mood: sahay.MoodNeutral}, func(c *sahay.Conversation) bool {
				return c.Status == sahay.StatusOpen && c.Mood != nil && c.Mood.Sentiment == sahay.MoodNeutral
			}},
		} {
			want := slices.Clone(convs)
			want = slices.DeleteFunc(want, func(c *sahay.Conversation) bool { return !filter.keep(c) })
			slices.SortFunc(want, order.less)
			limits := []int{5}
			if filter.name == "all" {
				limits = []int{1, 7, 25}
			}
			for _, limit := range limits {
				f := filter.f
				f.AccountID, f.Sort, f.Limit = w.account.ID, order.sort, limit
				var got []int64
				seen := map[int64]bool{}
				pages := 0
				for {
					page, next, err := st.Conversations(ctx, f)
					must(t, err, "Conversations")
					pages++
					if len(page) > limit {
						t.Fatalf("sort %s %s: page of %d, limit %d", order.sort, filter.name, len(page), limit)
					}
					for _, c := range page {
						if seen[c.ID] {
							t.Fatalf("sort %s %s limit %d: conversation %d on two pages", order.sort, filter.name, limit, c.ID)
						}
						seen[c.ID] = true
						got = append(got, c.ID)
					}
					if next == "" {
						break
					}
					if len(page) < limit {
						t.Errorf("sort %s %s limit %d: short page %d with a next cursor", order.sort, filter.name, limit, len(page))
					}
					if pages > len(convs)+2 {
						t.Fatalf("sort %s %s limit %d: pagination does not end", order.sort, filter.name, limit)
					}
					f.Cursor = next
				}
				if w := conversationIDs(want); !slices.Equal(got, w) {
					t.Errorf("sort %s, filter %s, limit %d: pages give\n%v\nwant every conversation once in order\n%v",
						order.sort, filter.name, limit, got, w)
				}
			}
		}
	}
	_, _, err := st.Conversations(ctx, store.ConversationFilter{AccountID: w.account.ID, Sort: "random"})
	wantCode(t, err, sahay.EINVALID, "unknown sort")
	_, _, err = st.Conversations(ctx, store.ConversationFilter{AccountID: w.account.ID, Cursor: "not a cursor!"})
	wantCode(t, err, sahay.EINVALID, "malformed cursor")
	_, _, err = st.Conversations(ctx, store.ConversationFilter{AccountID: w.account.ID, Mood: "grumpy"})
	wantCode(t, err, sahay.EINVALID, "unknown mood")
	// A conversation's mood reads back as it was saved.
	for _, c := range convs {
		got, err := st.Conversation(ctx, w.account.ID, c.ID)
		must(t, err, "Conversation")
		if (got.Mood == nil) != (c.Mood == nil) || got.Mood != nil && *got.Mood != *c.Mood || got.Sentiment != c.Sentiment {
			t.Fatalf("conversation %d mood %+v sentiment %v, want %+v %v", c.ID, got.Mood, got.Sentiment, c.Mood, c.Sentiment)
		}
	}
}

func testPaginationInboxFilter(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := newWorld(t, st, "a")
	other := newWorld(t, st, "b")
	convs := tiedConversations(t, st, w, 40)
	tiedConversations(t, st, other, 15)
	for _, allowed := range [][]int64{
		{w.inboxes[0].ID},
		{w.inboxes[2].ID, w.inboxes[0].ID},
		{w.inboxes[0].ID, w.inboxes[1].ID, w.inboxes[2].ID},
		// Another account's inbox ids grant nothing.
		{other.inboxes[0].ID, other.inboxes[1].ID},
		{},
	} {
		want := 0
		for _, c := range convs {
			if slices.Contains(allowed, c.InboxID) {
				want++
			}
		}
		for _, order := range sortOrders {
			for _, inboxID := range []int64{0, w.inboxes[1].ID} {
				f := store.ConversationFilter{AccountID: w.account.ID, Inboxes: allowed, InboxID: inboxID, Sort: order.sort, Limit: 6}
				got := 0
				for {
					page, next, err := st.Conversations(ctx, f)
					must(t, err, "Conversations")
					for _, c := range page {
						if !slices.Contains(allowed, c.InboxID) || c.AccountID != w.account.ID {
							t.Fatalf("Inboxes %v sort %s: listed conversation %d of inbox %d, account %d", allowed, order.sort, c.ID, c.InboxID, c.AccountID)
						}
						if inboxID != 0 && c.InboxID != inboxID {
							t.Fatalf("InboxID %d: listed conversation of inbox %d", inboxID, c.InboxID)
						}
						got++
					}
					if next == "" {
						break
					}
					f.Cursor = next
				}
				if inboxID == 0 && got != want {
					t.Errorf("Inboxes %v sort %s: %d conversations, want %d", allowed, order.sort, got, want)
				}
			}
		}
	}
}

func testConversationFilters(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := newWorld(t, st, "a")
	convs := tiedConversations(t, st, w, 30)
	vip := w.labels[1]
	var labelled []int64
	for i, c := range convs {
		if i%3 == 0 {
			MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, c, []int64{vip.ID}) })
			labelled = append(labelled, c.ID)
		}
	}
	u := w.users[1].ID
	for _, tc := range []struct {
		name string
		f    store.ConversationFilter
		keep func(*sahay.Conversation) bool
	}{
		{"label", store.ConversationFilter{LabelID: vip.ID}, func(c *sahay.Conversation) bool { return slices.Contains(labelled, c.ID) }},
		{"assignee", store.ConversationFilter{Assignee: &u}, func(c *sahay.Conversation) bool { return c.AssigneeID == u }},
		{"team", store.ConversationFilter{TeamID: w.teams[0].ID}, func(c *sahay.Conversation) bool { return c.TeamID == w.teams[0].ID }},
		{"contact", store.ConversationFilter{ContactID: w.contacts[0].ID}, func(c *sahay.Conversation) bool { return c.ContactID == w.contacts[0].ID }},
		{"resolved in inbox 0 for team 1", store.ConversationFilter{Status: sahay.StatusResolved, InboxID: w.inboxes[0].ID, TeamID: w.teams[1].ID},
			func(c *sahay.Conversation) bool {
				return c.Status == sahay.StatusResolved && c.InboxID == w.inboxes[0].ID && c.TeamID == w.teams[1].ID
			}},
	} {
		var want []int64
		for _, c := range convs {
			if tc.keep(c) {
				want = append(want, c.ID)
			}
		}
		slices.Sort(want)
		f := tc.f
		f.AccountID = w.account.ID
		got := conversationIDs(allConversations(t, st, f))
		slices.Sort(got)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("filter %s = %v, want %v", tc.name, got, want)
		}
		for _, limit := range []int{1000, 2} {
			n, err := st.CountConversations(ctx, f, limit)
			must(t, err, "CountConversations")
			if wantN := int64(min(len(want), limit)); n != wantN {
				t.Errorf("CountConversations(%s, limit %d) = %d, want %d", tc.name, limit, n, wantN)
			}
		}
	}
	for _, c := range allConversations(t, st, store.ConversationFilter{AccountID: w.account.ID, LabelID: vip.ID}) {
		if !slices.Equal(c.Labels, []string{vip.Name}) {
			t.Errorf("labelled conversation %d lists labels %v", c.ID, c.Labels)
		}
	}
}
