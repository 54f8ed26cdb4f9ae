package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

func conversationIDs(cs []*sahay.Conversation) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func testConversationRoundTrip(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	u := MustUser(t, st, a.ID, "agent@example.com", sahay.RoleAgent)
	team := MustTeam(t, st, a.ID, "Billing")
	inbox := MustInbox(t, st, a.ID, "Web", "api")
	contact := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Meera"})
	vip := MustLabel(t, st, a.ID, "vip")
	bug := MustLabel(t, st, a.ID, "bug")
	base := time.Now().UTC().Truncate(time.Millisecond)
	c := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID,
		Priority: sahay.PriorityHigh, AssigneeID: u.ID, TeamID: team.ID, WaitingSince: ptr(base.Add(-time.Minute)),
		LastActivityAt: base, Language: "bn", Sentiment: -0.5, LastMessage: "কোথায়?"})
	d := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID})
	if c.DisplayID != 1 || d.DisplayID != 2 {
		t.Errorf("display ids = %d, %d, want 1, 2", c.DisplayID, d.DisplayID)
	}
	// Display numbers are per account.
	other := MustConversation(t, st, &sahay.Conversation{AccountID: b.ID, InboxID: MustInbox(t, st, b.ID, "B", "api").ID,
		ContactID: MustContact(t, st, &sahay.Contact{AccountID: b.ID, Name: "X"}).ID})
	if other.DisplayID != 1 {
		t.Errorf("first conversation of another account is #%d, want #1", other.DisplayID)
	}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, c, []int64{vip.ID, bug.ID}) })
	got, err := st.Conversation(ctx, a.ID, c.ID)
	must(t, err, "Conversation")
	if got.Status != sahay.StatusOpen || got.Priority != sahay.PriorityHigh || got.AssigneeID != u.ID || got.TeamID != team.ID ||
		got.WaitingSince == nil || !got.WaitingSince.Equal(base.Add(-time.Minute)) || !got.LastActivityAt.Equal(base) ||
		got.Language != "bn" || got.Sentiment != -0.5 || got.LastMessage != "কোথায়?" || got.FirstReplyAt != nil || got.ResolvedAt != nil {
		t.Errorf("Conversation = %+v", got)
	}
	if !slices.Equal(got.Labels, []string{"bug", "vip"}) {
		t.Errorf("labels = %v, want [bug vip] by name", got.Labels)
	}
	if got.Contact == nil || got.Contact.Name != "Meera" {
		t.Errorf("conversation contact = %+v, want Meera", got.Contact)
	}
	byNumber, err := st.ConversationByDisplayID(ctx, a.ID, 2)
	must(t, err, "ConversationByDisplayID")
	if byNumber.ID != d.ID {
		t.Errorf("conversation #2 = %d, want %d", byNumber.ID, d.ID)
	}
	_, err = st.Conversation(ctx, b.ID, c.ID)
	wantCode(t, err, sahay.ENOTFOUND, "Conversation through another account")

	resolved := base.Add(time.Second)
	next := *got
	next.Status, next.ResolvedAt, next.WaitingSince, next.FirstReplyAt = sahay.StatusResolved, &resolved, nil, &resolved
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateConversation(ctx, got, &next) })
	got, err = st.Conversation(ctx, a.ID, c.ID)
	must(t, err, "Conversation")
	if got.Status != sahay.StatusResolved || got.ResolvedAt == nil || !got.ResolvedAt.Equal(resolved) || got.WaitingSince != nil ||
		got.FirstReplyAt == nil || !got.UpdatedAt.After(got.CreatedAt.Add(-time.Millisecond)) {
		t.Errorf("resolved conversation = %+v", got)
	}

	snooze := base.Add(time.Hour)
	next = *got
	next.Status, next.SnoozedUntil, next.ResolvedAt = sahay.StatusSnoozed, &snooze, nil
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateConversation(ctx, got, &next) })
	due, err := st.DueSnoozed(ctx, snooze.Add(-time.Second).UnixMilli(), 10)
	must(t, err, "DueSnoozed")
	if len(due) != 0 {
		t.Errorf("DueSnoozed before the time = %v, want none", due)
	}
	due, err = st.DueSnoozed(ctx, snooze.UnixMilli(), 10)
	must(t, err, "DueSnoozed")
	if !slices.Equal(due, [][2]int64{{a.ID, c.ID}}) {
		t.Errorf("DueSnoozed at the time = %v, want [[%d %d]]", due, a.ID, c.ID)
	}
	CheckCounts(t, st, a.ID)
	CheckCounts(t, st, b.ID)
}

// world is an account with inboxes, teams, users, labels and contacts to
// make conversations from.
type world struct {
	account  *sahay.Account
	inboxes  []*sahay.Inbox
	teams    []*sahay.Team
	users    []*sahay.User
	labels   []*sahay.Label
	contacts []*sahay.Contact
}

func newWorld(t *testing.T, st *store.Store, name string) *world {
	w := &world{account: MustAccount(t, st, name)}
	id := w.account.ID
	for i := range 3 {
		w.users = append(w.users, MustUser(t, st, id, fmt.Sprintf("agent%d@%s.example", i, name), sahay.RoleAgent))
	}
	for i := range 3 {
		w.inboxes = append(w.inboxes, MustInbox(t, st, id, fmt.Sprintf("inbox %d", i), "api", w.users[i].ID))
	}
	for i := range 2 {
		w.teams = append(w.teams, MustTeam(t, st, id, fmt.Sprintf("team %d", i), w.users[i].ID))
	}
	for _, n := range []string{"refund", "vip", "বাগ"} {
		w.labels = append(w.labels, MustLabel(t, st, id, n))
	}
	for i := range 6 {
		w.contacts = append(w.contacts, MustContact(t, st, &sahay.Contact{AccountID: id, Name: fmt.Sprintf("contact %d", i)}))
	}
	return w
}

func (w *world) randomConversation(r *rand.Rand) *sahay.Conversation {
	c := &sahay.Conversation{AccountID: w.account.ID, InboxID: w.inboxes[r.IntN(len(w.inboxes))].ID,
		ContactID: w.contacts[r.IntN(len(w.contacts))].ID, Status: sahay.Statuses[r.IntN(len(sahay.Statuses))]}
	if r.IntN(2) == 0 {
		c.AssigneeID = w.users[r.IntN(len(w.users))].ID
	}
	if r.IntN(2) == 0 {
		c.TeamID = w.teams[r.IntN(len(w.teams))].ID
	}
	return c
}

func testCountsRandomOperations(t *testing.T, st *store.Store) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(2024, 7))
	w := newWorld(t, st, "a")
	neighbour := newWorld(t, st, "b")
	var live []int64
	for range 30 {
		live = append(live, MustConversation(t, st, w.randomConversation(r)).ID)
	}
	for range 5 {
		MustConversation(t, st, neighbour.randomConversation(r))
	}
	CheckCounts(t, st, w.account.ID)
	labelID := map[string]int64{}
	for _, l := range w.labels {
		labelID[l.Name] = l.ID
	}
	for op := range 200 {
		id := live[r.IntN(len(live))]
		var desc string
		MustWrite(t, st, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, w.account.ID); err != nil {
				return err
			}
			c, err := tx.Conversation(ctx, w.account.ID, id)
			if err != nil {
				return err
			}
			next := *c
			current := []int64{}
			for _, n := range c.Labels {
				current = append(current, labelID[n])
			}
			switch kind := r.IntN(10); kind {
			case 0, 1:
				next.Status = sahay.Statuses[r.IntN(len(sahay.Statuses))]
				desc = fmt.Sprintf("status %s -> %s", c.Status, next.Status)
			case 2:
				next.AssigneeID = w.users[r.IntN(len(w.users))].ID
				desc = fmt.Sprintf("assign %d -> %d", c.AssigneeID, next.AssigneeID)
			case 3:
				next.AssigneeID = 0
				desc = fmt.Sprintf("unassign %d", c.AssigneeID)
			case 4:
				next.TeamID = []int64{0, w.teams[0].ID, w.teams[1].ID}[r.IntN(3)]
				desc = fmt.Sprintf("team %d -> %d", c.TeamID, next.TeamID)
			case 5:
				l := w.labels[r.IntN(len(w.labels))].ID
				desc = fmt.Sprintf("add label %d to %v", l, current)
				if !slices.Contains(current, l) {
					current = append(current, l)
				}
				return tx.SetConversationLabels(ctx, c, current)
			case 6:
				if len(current) == 0 {
					desc = "remove a label of none"
					return nil
				}
				l := current[r.IntN(len(current))]
				desc = fmt.Sprintf("remove label %d from %v", l, current)
				return tx.SetConversationLabels(ctx, c, slices.DeleteFunc(slices.Clone(current), func(x int64) bool { return x == l }))
			case 7:
				if len(live) < 10 {
					desc = "insert instead of delete"
					n := w.randomConversation(r)
					if err := InsertConversation(ctx, tx, n); err != nil {
						return err
					}
					live = append(live, n.ID)
					return nil
				}
				desc = fmt.Sprintf("delete conversation with labels %v", current)
				live = slices.DeleteFunc(live, func(x int64) bool { return x == id })
				return tx.DeleteConversation(ctx, w.account.ID, id)
			case 8:
				n := w.randomConversation(r)
				desc = fmt.Sprintf("insert %s conversation", n.Status)
				if err := InsertConversation(ctx, tx, n); err != nil {
					return err
				}
				live = append(live, n.ID)
				return nil
			case 9:
				next.InboxID = w.inboxes[r.IntN(len(w.inboxes))].ID
				next.Status = sahay.Statuses[r.IntN(len(sahay.Statuses))]
				next.AssigneeID = 0
				desc = fmt.Sprintf("move inbox %d -> %d, status %s -> %s, unassign, labels %v", c.InboxID, next.InboxID, c.Status, next.Status, current)
			}
			return tx.UpdateConversation(ctx, c, &next)
		})
		if diff := CountsMismatch(t, st, w.account.ID); diff != "" {
			t.Fatalf("after operation %d on conversation %d (%s), counts differ:\n%s", op, id, desc, diff)
		}
	}
	CheckCounts(t, st, neighbour.account.ID)
}

// testCountsAfterDeletes deletes what conversations refer to and checks the
// counts follow.
func testCountsAfterDeletes(t *testing.T, st *store.Store) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	w := newWorld(t, st, "a")
	for range 40 {
		c := MustConversation(t, st, w.randomConversation(r))
		var labels []int64
		for _, l := range w.labels {
			if r.IntN(2) == 0 {
				labels = append(labels, l.ID)
			}
		}
		MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, c, labels) })
	}
	CheckCounts(t, st, w.account.ID)
	id := w.account.ID
	for _, step := range []struct {
		name string
		fn   func(tx *store.Tx) error
	}{
		{"delete label", func(tx *store.Tx) error { return tx.DeleteLabel(ctx, id, w.labels[0].ID) }},
		{"delete team", func(tx *store.Tx) error { return tx.DeleteTeam(ctx, id, w.teams[0].ID) }},
		{"delete user", func(tx *store.Tx) error { return tx.DeleteUser(ctx, id, w.users[0].ID) }},
		{"delete contact", func(tx *store.Tx) error { return tx.DeleteContact(ctx, id, w.contacts[0].ID) }},
		{"merge contacts", func(tx *store.Tx) error {
			_, err := tx.MergeContacts(ctx, id, w.contacts[1].ID, w.contacts[2].ID)
			return err
		}},
		{"delete inbox", func(tx *store.Tx) error { return tx.DeleteInbox(ctx, id, w.inboxes[1].ID) }},
	} {
		MustWrite(t, st, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, id); err != nil {
				return err
			}
			return step.fn(tx)
		})
		if diff := CountsMismatch(t, st, id); diff != "" {
			t.Fatalf("after %s, counts differ:\n%s", step.name, diff)
		}
	}
	// Nothing refers to the deleted things any more.
	all := allConversations(t, st, store.ConversationFilter{AccountID: id})
	for _, c := range all {
		if c.TeamID == w.teams[0].ID || c.AssigneeID == w.users[0].ID || c.ContactID == w.contacts[0].ID ||
			c.ContactID == w.contacts[2].ID || c.InboxID == w.inboxes[1].ID || slices.Contains(c.Labels, w.labels[0].Name) {
			t.Errorf("conversation %+v still refers to something deleted", c)
		}
	}
}

// allConversations pages through every conversation of the filter.
func allConversations(t *testing.T, st *store.Store, f store.ConversationFilter) []*sahay.Conversation {
	t.Helper()
	var out []*sahay.Conversation
	f.Limit = 100
	for range 1000 {
		page, next, err := st.Conversations(context.Background(), f)
		must(t, err, "Conversations")
		out = append(out, page...)
		if next == "" {
			return out
		}
		f.Cursor = next
	}
	t.Fatalf("Conversations never reached the last page")
	return nil
}

func testOpenConversation(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	inbox := MustInbox(t, st, a.ID, "Web", "api")
	elsewhere := MustInbox(t, st, a.ID, "Mail", "email")
	contact := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "C"})
	find := func() *sahay.Conversation {
		var c *sahay.Conversation
		MustWrite(t, st, func(tx *store.Tx) error {
			var err error
			c, err = tx.OpenConversation(ctx, store.ConversationKey{AccountID: a.ID, ContactID: contact.ID, InboxID: inbox.ID})
			if sahay.ErrorCode(err) == sahay.ENOTFOUND {
				c, err = nil, nil
			}
			return err
		})
		return c
	}
	if c := find(); c != nil {
		t.Fatalf("OpenConversation with none = %d", c.ID)
	}
	old := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID, Status: sahay.StatusResolved})
	MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: elsewhere.ID, ContactID: contact.ID})
	if c := find(); c == nil || c.ID != old.ID {
		t.Fatalf("OpenConversation with one resolved = %+v, want %d", c, old.ID)
	}
	open := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID, Status: sahay.StatusSnoozed})
	MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID, Status: sahay.StatusResolved})
	if c := find(); c == nil || c.ID != open.ID {
		t.Fatalf("OpenConversation = %+v, want the unresolved %d over newer resolved ones", c, open.ID)
	}
}

// testEventsCarryCountChanges checks that an event carries the view count
// changes its transaction made before it, whatever its own data, and that
// the next event of the transaction carries only its own.
func testEventsCarryCountChanges(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "Dokan")
	in := MustInbox(t, st, a.ID, "Web", "api")
	ct := MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Rahim"})
	c := &sahay.Conversation{AccountID: a.ID, InboxID: in.ID, ContactID: ct.ID, Status: sahay.StatusOpen}
	events := MustWrite(t, st, func(tx *store.Tx) error {
		if err := InsertConversation(ctx, tx, c); err != nil {
			return err
		}
		if err := tx.Emit(ctx, a.ID, in.ID, c.ID, sahay.ConversationCreated{Conversation: c}); err != nil {
			return err
		}
		return tx.Emit(ctx, a.ID, in.ID, c.ID, sahay.ConversationUpdated{Conversation: c})
	})
	changes := func(ev sahay.Event) []sahay.CountChange {
		var data struct {
			CountChanges []sahay.CountChange `json:"count_changes"`
		}
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			t.Fatalf("event data %s: %v", ev.Data, err)
		}
		return data.CountChanges
	}
	want := []sahay.CountChange{{InboxID: in.ID, Status: sahay.StatusOpen, N: 1}}
	if len(events) != 2 || !slices.Equal(changes(events[0]), want) || len(changes(events[1])) != 0 {
		t.Fatalf("events %v, want the first to carry %v and the second none", events, want)
	}
}
