package core_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

// applyCountChanges moves counts on by the count changes of the events after
// counts.Seq that the actor receives, as the dashboard does.
func applyCountChanges(t *testing.T, a *core.Actor, counts *core.Counts, events []sahay.Event, channelOf map[int64]string) {
	t.Helper()
	for _, ev := range events {
		if ev.Seq <= counts.Seq || !a.CanSeeEvent(ev) {
			continue
		}
		var data struct {
			CountChanges []sahay.CountChange `json:"count_changes"`
		}
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			t.Fatalf("event %d data: %v", ev.Seq, err)
		}
		for _, c := range data.CountChanges {
			counts.AddChange(a, channelOf, c)
		}
		counts.Seq = ev.Seq
	}
}

// dropZeros leaves out the statuses and views whose count is 0, which a
// fresh read omits.
func dropZeros(c *core.Counts) {
	flat := func(m map[string]int64) {
		for k, v := range m {
			if v == 0 {
				delete(m, k)
			}
		}
	}
	nested := func(m map[int64]map[string]int64) {
		for k, v := range m {
			flat(v)
			if len(v) == 0 {
				delete(m, k)
			}
		}
	}
	flat(c.All)
	flat(c.Mine)
	flat(c.Unassigned)
	nested(c.Inboxes)
	nested(c.Teams)
	nested(c.Labels)
	for k, v := range c.Channels {
		flat(v)
		if len(v) == 0 {
			delete(c.Channels, k)
		}
	}
}

// TestEventsCarryCountChanges checks that the counts as of one event, moved
// on by the count changes the later events carry, equal the counts read
// afterwards, for an admin and for an agent who sees one inbox.
func TestEventsCarryCountChanges(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		name, color := "refund", "#dc2626"
		_, err := f.svc.SaveLabel(ctx, f.admin, 0, core.LabelInput{Name: &name, Color: &color})
		if err != nil {
			t.Fatal(err)
		}
		old := f.receive(t, f.mine, "c0", "m0", "Already here").Conversation
		before := map[*core.Actor]*core.Counts{}
		for _, a := range []*core.Actor{f.admin, f.agent} {
			c, err := f.svc.Counts(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			before[a] = c
		}

		first := f.receive(t, f.mine, "c1", "m1", "Where is my order?").Conversation
		second := f.receive(t, f.theirs, "c2", "m2", "Refund please").Conversation
		if _, err := f.svc.UpdateConversation(ctx, f.admin, first.ID, core.ConversationUpdate{AssigneeID: &f.agentUser.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetLabels(ctx, f.admin, first.ID, []string{name}); err != nil {
			t.Fatal(err)
		}
		resolved := sahay.StatusResolved
		if _, err := f.svc.UpdateConversation(ctx, f.agent, first.ID, core.ConversationUpdate{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
		until := time.Now().Add(time.Hour)
		if _, err := f.svc.UpdateConversation(ctx, f.admin, second.ID, core.ConversationUpdate{SnoozedUntil: &until}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Bulk(ctx, f.admin, core.BulkUpdate{IDs: []int64{old.ID, second.ID}, Status: &resolved, AddLabels: []string{name}}); err != nil {
			t.Fatal(err)
		}
		f.receive(t, f.mine, "c1", "m3", "Back again")

		inboxes, err := f.svc.Inboxes(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		channelOf := map[int64]string{}
		for _, in := range inboxes {
			channelOf[in.ID] = in.Channel
		}
		for _, a := range []*core.Actor{f.admin, f.agent} {
			moved := before[a]
			applyCountChanges(t, a, moved, f.eventsAfter(t, moved.Seq), channelOf)
			now, err := f.svc.Counts(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			dropZeros(moved)
			if !reflect.DeepEqual(moved, now) {
				t.Errorf("%s: counts moved by the events = %+v, read afterwards = %+v", a.User.Email, moved, now)
			}
		}
	})
}
