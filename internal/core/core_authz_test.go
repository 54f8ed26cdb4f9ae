package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// TestAgentSeesOnlyTheirInboxes gives the agent a conversation in an inbox
// they work and one in an inbox they do not: the second must be invisible
// everywhere, as if it did not exist.
func TestAgentSeesOnlyTheirInboxes(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		own := f.receive(t, f.mine, "cust-own", "m1", "my order দিন").Conversation
		hidden := f.receive(t, f.theirs, "cust-hidden", "m1", "secret refund দিন please")
		other := hidden.Conversation
		label := storetest.MustLabel(t, f.st, f.account.ID, "vip")
		if _, err := f.svc.SetLabels(ctx, f.admin, other.ID, []string{label.Name}); err != nil {
			t.Fatal(err)
		}
		hiddenMessages := f.count(t, `SELECT COUNT(*) FROM messages WHERE conversation_id = $1`, other.ID)

		// The administrator sees both, so the checks below can fail.
		all, _, err := f.svc.ListConversations(ctx, f.admin, core.ListQuery{})
		if err != nil || len(all) != 2 {
			t.Fatalf("administrator lists %d conversations (%v), want 2", len(all), err)
		}

		_, err = f.svc.Conversation(ctx, f.agent, other.ID)
		wantCode(t, err, sahay.ENOTFOUND, "agent reads the hidden conversation")
		_, err = f.svc.Messages(ctx, f.agent, other.ID, 0, 50)
		wantCode(t, err, sahay.ENOTFOUND, "agent reads the hidden conversation's messages")
		_, err = f.svc.PostMessage(ctx, f.agent, other.ID, core.NewMessage{Content: "hi"})
		wantCode(t, err, sahay.ENOTFOUND, "agent replies in the hidden conversation")
		_, err = f.svc.PostMessage(ctx, f.agent, other.ID, core.NewMessage{Content: "note", Private: true})
		wantCode(t, err, sahay.ENOTFOUND, "agent writes a note in the hidden conversation")
		resolved := sahay.StatusResolved
		_, err = f.svc.UpdateConversation(ctx, f.agent, other.ID, core.ConversationUpdate{Status: &resolved})
		wantCode(t, err, sahay.ENOTFOUND, "agent resolves the hidden conversation")
		_, err = f.svc.SetLabels(ctx, f.agent, other.ID, nil)
		wantCode(t, err, sahay.ENOTFOUND, "agent relabels the hidden conversation")
		_, err = f.svc.RetryMessage(ctx, f.agent, hidden.Message.ID)
		wantCode(t, err, sahay.ENOTFOUND, "agent retries a message of the hidden conversation")
		// All or none: a bulk action naming the hidden conversation changes
		// nothing.
		_, err = f.svc.Bulk(ctx, f.agent, core.BulkUpdate{IDs: []int64{own.ID, other.ID}, Status: &resolved})
		wantCode(t, err, sahay.ENOTFOUND, "agent bulk-resolves a hidden conversation")
		if c, _ := f.svc.Conversation(ctx, f.agent, own.ID); c.Status != sahay.StatusOpen {
			t.Errorf("refused bulk action changed the agent's own conversation to %s", c.Status)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM messages WHERE conversation_id = $1`, other.ID); n != hiddenMessages {
			t.Errorf("hidden conversation has %d messages after the refused writes, want %d", n, hiddenMessages)
		}

		for _, q := range []core.ListQuery{
			{}, {Status: sahay.StatusOpen}, {Assignee: "none"}, {Channel: "api"}, {Label: label.Name},
			{InboxID: f.theirs.ID}, {Contact: other.ContactID}, {Sort: "waiting"}, {Sort: "priority"}, {Sort: "created"},
		} {
			list, _, err := f.svc.ListConversations(ctx, f.agent, q)
			if err != nil {
				t.Fatalf("ListConversations %+v: %v", q, err)
			}
			for _, c := range list {
				if c.ID == other.ID || c.InboxID != f.mine.ID {
					t.Errorf("ListConversations %+v shows conversation %d of inbox %d", q, c.ID, c.InboxID)
				}
			}
		}
		_, err = f.svc.ContactConversations(ctx, f.agent, other.ContactID)
		wantCode(t, err, sahay.ENOTFOUND, "agent lists the conversations of the hidden contact")
		inboxes, err := f.svc.Inboxes(ctx, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if len(inboxes) != 1 || inboxes[0].ID != f.mine.ID {
			t.Errorf("agent lists inboxes %v, want only %d", inboxes, f.mine.ID)
		}
		_, err = f.svc.Inbox(ctx, f.agent, f.theirs.ID)
		wantCode(t, err, sahay.ENOTFOUND, "agent reads the other inbox")

		counts, err := f.svc.Counts(ctx, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if counts.All[sahay.StatusOpen] != 1 || counts.Unassigned[sahay.StatusOpen] != 1 || counts.Channels["api"][sahay.StatusOpen] != 1 {
			t.Errorf("agent's counts = all %v unassigned %v channels %v, want only their one conversation", counts.All, counts.Unassigned, counts.Channels)
		}
		if _, ok := counts.Inboxes[f.theirs.ID]; ok {
			t.Errorf("agent's counts include the other inbox: %v", counts.Inboxes)
		}
		if n := counts.Labels[label.ID][sahay.StatusOpen]; n != 0 {
			t.Errorf("agent's label count includes the hidden conversation: %d", n)
		}
		adminCounts, err := f.svc.Counts(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		if adminCounts.All[sahay.StatusOpen] != 2 || adminCounts.Labels[label.ID][sahay.StatusOpen] != 1 {
			t.Errorf("administrator's counts = %v labels %v", adminCounts.All, adminCounts.Labels)
		}

		for _, q := range []string{"refund", "দিন", fmt.Sprint("#", other.DisplayID), fmt.Sprint(other.DisplayID)} {
			res, err := f.svc.Search(ctx, f.agent, q)
			if err != nil {
				t.Fatalf("Search %q: %v", q, err)
			}
			for _, h := range res.Messages {
				if h.Message.InboxID != f.mine.ID || strings.Contains(h.Message.Content, "secret") {
					t.Errorf("agent's search %q finds message %q of inbox %d", q, h.Message.Content, h.Message.InboxID)
				}
			}
			for _, c := range res.Conversations {
				if c.ID == other.ID {
					t.Errorf("agent's search %q finds the hidden conversation", q)
				}
			}
			adminRes, err := f.svc.Search(ctx, f.admin, q)
			if err != nil {
				t.Fatal(err)
			}
			found := slices.ContainsFunc(adminRes.Messages, func(h core.MessageHit) bool { return h.Message.ConversationID == other.ID }) ||
				slices.ContainsFunc(adminRes.Conversations, func(c *sahay.Conversation) bool { return c.ID == other.ID })
			if !found {
				t.Errorf("administrator's search %q does not find the conversation either; the check proves nothing", q)
			}
		}
		res, err := f.svc.Search(ctx, f.agent, "দিন")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Messages) != 1 || res.Messages[0].Message.ConversationID != own.ID {
			t.Errorf("agent's search finds %d messages, want their own one", len(res.Messages))
		}
		if len(res.Messages) == 1 && !strings.Contains(res.Messages[0].Highlight, "<mark>দিন</mark>") {
			t.Errorf("highlight = %q", res.Messages[0].Highlight)
		}

		// Events of the other inbox are not for the agent.
		for _, ev := range f.eventsAfter(t, 0) {
			if ev.InboxID == f.theirs.ID && f.agent.CanSeeEvent(ev) {
				t.Errorf("agent may see event %d:%s of the other inbox", ev.Seq, ev.Type)
			}
			if strings.Contains(string(ev.Data), f.hookSecret) {
				t.Errorf("event %d:%s carries the webhook secret", ev.Seq, ev.Type)
			}
		}
	})
}

// TestAgentSeesOnlyContactsOfTheirInboxes: an agent sees and changes a
// contact only through a conversation in one of their inboxes; any other
// contact of the account is not_found on every path.
func TestAgentSeesOnlyContactsOfTheirInboxes(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		contactOf := func(inbox *sahay.Inbox, who, name string) int64 {
			id := f.receive(t, inbox, who, who+"-1", "hello").Conversation.ContactID
			if _, err := f.svc.UpdateContact(ctx, f.admin, id, core.ContactInput{Name: &name}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		own := contactOf(f.mine, "cust-own", "Asha Own")
		hidden := contactOf(f.theirs, "cust-hidden", "Asha Hidden")
		shared := contactOf(f.theirs, "cust-shared", "Asha Shared")
		// The same customer reached through both inboxes, merged into one.
		if _, err := f.svc.MergeContacts(ctx, f.admin, shared, f.receive(t, f.mine, "cust-shared", "cust-shared-2", "again").Conversation.ContactID); err != nil {
			t.Fatal(err)
		}
		bareName := "Asha Bare"
		bare, err := f.svc.CreateContact(ctx, f.admin, core.ContactInput{Name: &bareName})
		if err != nil {
			t.Fatal(err)
		}
		nobodyUser := storetest.MustUser(t, f.st, f.account.ID, "nobody@dokan.example", sahay.RoleAgent)
		nobody, err := f.svc.Actor(ctx, nobodyUser)
		if err != nil {
			t.Fatal(err)
		}

		ids := func(cs []*sahay.Contact) []int64 {
			out := []int64{}
			for _, c := range cs {
				out = append(out, c.ID)
			}
			slices.Sort(out)
			return out
		}
		sorted := func(v ...int64) []int64 { slices.Sort(v); return v }
		for _, tc := range []struct {
			name  string
			actor *core.Actor
			want  []int64
		}{
			{"administrator", f.admin, sorted(own, hidden, shared, bare.ID)},
			{"agent", f.agent, sorted(own, shared)},
			{"agent of no inbox", nobody, []int64{}},
		} {
			for _, q := range []string{"", "asha"} {
				list, err := f.svc.ListContacts(ctx, tc.actor, core.ContactQuery{Query: q, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(list); !slices.Equal(got, tc.want) {
					t.Errorf("%s lists contacts %v for %q, want %v", tc.name, got, q, tc.want)
				}
			}
			res, err := f.svc.Search(ctx, tc.actor, "asha")
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(res.Contacts); !slices.Equal(got, tc.want) {
				t.Errorf("%s's search finds contacts %v, want %v", tc.name, got, tc.want)
			}
			for _, id := range []int64{own, hidden, shared, bare.ID} {
				_, err := f.svc.Contact(ctx, tc.actor, id)
				if slices.Contains(tc.want, id) {
					if err != nil {
						t.Errorf("%s reads visible contact %d: %v", tc.name, id, err)
					}
					continue
				}
				wantCode(t, err, sahay.ENOTFOUND, tc.name+" reads a contact of another inbox")
			}
		}

		for _, id := range []int64{hidden, bare.ID} {
			changed := "Renamed"
			_, err := f.svc.UpdateContact(ctx, f.agent, id, core.ContactInput{Name: &changed})
			wantCode(t, err, sahay.ENOTFOUND, "agent edits a contact of another inbox")
			_, err = f.svc.ContactConversations(ctx, f.agent, id)
			wantCode(t, err, sahay.ENOTFOUND, "agent lists the conversations of a contact of another inbox")
			_, err = f.svc.MergeContacts(ctx, f.agent, own, id)
			wantCode(t, err, sahay.ENOTFOUND, "agent merges a contact of another inbox into their own")
			_, err = f.svc.MergeContacts(ctx, f.agent, id, own)
			wantCode(t, err, sahay.ENOTFOUND, "agent merges their contact into one of another inbox")
		}
		if n := f.count(t, `SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND name = 'Renamed'`, f.account.ID); n != 0 {
			t.Errorf("refused edits renamed %d contacts", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM contacts WHERE id IN ($1, $2, $3)`, own, hidden, bare.ID); n != 3 {
			t.Errorf("refused merges left %d of the 3 contacts", n)
		}
		_, err = f.svc.CreateContact(ctx, f.agent, core.ContactInput{Name: &bareName})
		wantCode(t, err, sahay.EFORBIDDEN, "agent creates a contact no agent could see")

		// What the agent may see, the agent may change.
		phone := "+8801700000000"
		if _, err := f.svc.UpdateContact(ctx, f.agent, shared, core.ContactInput{Phone: &phone}); err != nil {
			t.Errorf("agent edits a contact of their inbox: %v", err)
		}

		// Changes to a contact reach only the agents who may see it.
		seq := f.lastSeq(t)
		note := "noted"
		for _, id := range []int64{own, hidden} {
			if _, err := f.svc.UpdateContact(ctx, f.admin, id, core.ContactInput{Attributes: &map[string]any{"note": note}}); err != nil {
				t.Fatal(err)
			}
		}
		events := f.eventsAfter(t, seq)
		if len(events) != 2 {
			t.Fatalf("%d events after two contact changes, want 2", len(events))
		}
		for i, want := range []bool{true, false} {
			visible, err := f.svc.EventVisible(ctx, f.agent, events[i])
			if err != nil {
				t.Fatal(err)
			}
			if visible != want {
				t.Errorf("agent may see the %s of contact %s: %v, want %v", events[i].Type, events[i].Data, visible, want)
			}
			if visible, err := f.svc.EventVisible(ctx, f.admin, events[i]); err != nil || !visible {
				t.Errorf("administrator may see the %s: %v, %v", events[i].Type, visible, err)
			}
		}
	})
}
