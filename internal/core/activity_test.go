package core_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
)

// activities returns the timeline lines of a conversation, oldest first.
func activities(t *testing.T, f *fixture, id int64) []string {
	t.Helper()
	msgs, err := f.svc.Messages(context.Background(), f.admin, id, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, m := range msgs {
		if m.Kind == sahay.MessageActivity {
			out = append(out, m.Content)
		}
	}
	return out
}

// TestTimelineRecordsPriorityAndLabels checks that priority and label
// changes leave a line in the timeline as assignment does, and that a bulk
// label's event carries the labels it added.
func TestTimelineRecordsPriorityAndLabels(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		for _, name := range []string{"refund", "vip"} {
			color := "#dc2626"
			if _, err := f.svc.SaveLabel(ctx, f.admin, 0, core.LabelInput{Name: &name, Color: &color}); err != nil {
				t.Fatal(err)
			}
		}
		c := f.receive(t, f.mine, "c1", "m1", "Where is my order?").Conversation
		other := f.receive(t, f.mine, "c2", "m2", "Refund please").Conversation

		high := sahay.PriorityHigh
		if _, err := f.svc.UpdateConversation(ctx, f.admin, c.ID, core.ConversationUpdate{Priority: &high}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateConversation(ctx, f.admin, c.ID, core.ConversationUpdate{Priority: &high}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetLabels(ctx, f.admin, c.ID, []string{"refund", "vip"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetLabels(ctx, f.admin, c.ID, []string{"vip"}); err != nil {
			t.Fatal(err)
		}
		want := []string{"priority:3", "label_added:refund", "label_added:vip", "label_removed:refund"}
		if got := activities(t, f, c.ID); !slices.Equal(got, want) {
			t.Errorf("timeline = %q, want %q", got, want)
		}

		seq := f.lastSeq(t)
		if _, err := f.svc.Bulk(ctx, f.admin, core.BulkUpdate{IDs: []int64{c.ID, other.ID}, AddLabels: []string{"refund"}}); err != nil {
			t.Fatal(err)
		}
		if got, want := activities(t, f, other.ID), []string{"label_added:refund"}; !slices.Equal(got, want) {
			t.Errorf("timeline after the bulk label = %q, want %q", got, want)
		}
		updated := map[int64][]string{}
		for _, ev := range f.eventsAfter(t, seq) {
			if ev.Type != sahay.EventConversationUpdated {
				continue
			}
			var data struct{ Conversation sahay.Conversation }
			if err := json.Unmarshal(ev.Data, &data); err != nil {
				t.Fatal(err)
			}
			updated[data.Conversation.ID] = data.Conversation.Labels
		}
		for id, want := range map[int64][]string{c.ID: {"vip", "refund"}, other.ID: {"refund"}} {
			got := slices.Sorted(slices.Values(updated[id]))
			if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("bulk event for conversation %d has labels %q, want %q", id, updated[id], want)
			}
		}
	})
}

// TestPreviewOfAFileOnlyMessage checks that a message that is only a file
// shows the file's name in the conversation list.
func TestPreviewOfAFileOnlyMessage(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		r, err := f.svc.Receive(context.Background(), channel.Inbound{InboxID: f.mine.ID, ContactID: "c1", ExternalID: "m1",
			Attachments: []sahay.Attachment{{FileName: "receipt.txt", ContentType: "text/plain", Size: 12, StorageKey: "receipt"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Conversation.LastMessage; got != "📎 receipt.txt" {
			t.Errorf("preview of a file-only message = %q, want 📎 receipt.txt", got)
		}
		c, err := f.svc.Conversation(context.Background(), f.admin, r.Conversation.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.LastMessage != "📎 receipt.txt" {
			t.Errorf("stored preview = %q, want 📎 receipt.txt", c.LastMessage)
		}
	})
}
