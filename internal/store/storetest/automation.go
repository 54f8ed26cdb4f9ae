package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// testAutomation: rules are kept per account; the first starts the
// account's cursor at its latest event, which moves only from where it
// was; events written for a rule say so; runs are listed newest first and
// counted per conversation; deleting the last rule stops the cursor.
func testAutomation(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "Acme")
	other := MustAccount(t, st, "Other")
	owner := MustUser(t, st, a.ID, "owner@example.com", sahay.RoleOwner)
	inbox := MustInbox(t, st, a.ID, "Site", "api", owner.ID)
	conv := MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID,
		ContactID: MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "rina"}).ID})
	start, err := st.LastEventSeq(ctx, a.ID)
	must(t, err, "last event")

	r := &store.AutomationRule{AccountID: a.ID, Name: "refunds", Enabled: true, Event: "message_created",
		Conditions: json.RawMessage(`{"all":[]}`), Actions: json.RawMessage(`[{"action":"resolve"}]`)}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateAutomationRule(ctx, r) })
	got, err := st.AutomationRule(ctx, a.ID, r.ID)
	must(t, err, "rule")
	if got.Name != "refunds" || !got.Enabled || string(got.Actions) != `[{"action":"resolve"}]` {
		t.Errorf("rule read back as %+v", got)
	}
	_, err = st.AutomationRule(ctx, other.ID, r.ID)
	wantCode(t, err, sahay.ENOTFOUND, "another account's rule")
	got.Enabled, got.Name = false, "Refunds"
	MustWrite(t, st, func(tx *store.Tx) error { return tx.UpdateAutomationRule(ctx, got) })
	list, err := st.AutomationRules(ctx, a.ID)
	must(t, err, "rules")
	if len(list) != 1 || list[0].Enabled || list[0].Name != "Refunds" {
		t.Errorf("rules after update: %+v", list)
	}

	// The cursor starts at the latest event; new events are a backlog.
	backlog, err := st.AutomationBacklogs(ctx, 0, 10)
	must(t, err, "backlog")
	if len(backlog) != 0 {
		t.Fatalf("backlog before any event: %+v", backlog)
	}
	evs := MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.Emit(ctx, a.ID, inbox.ID, conv.ID, sahay.ConversationUpdated{Conversation: conv}); err != nil {
			return err
		}
		return tx.Emit(store.ByAutomationRule(ctx, r.ID), a.ID, inbox.ID, conv.ID, sahay.ConversationUpdated{Conversation: conv})
	})
	backlog, err = st.AutomationBacklogs(ctx, 0, 10)
	must(t, err, "backlog")
	if len(backlog) != 1 || backlog[0].AccountID != a.ID || backlog[0].Cursor != start || backlog[0].Last != start+2 {
		t.Fatalf("backlog %+v, want account %d from %d to %d", backlog, a.ID, start, start+2)
	}
	read, err := st.AutomationEvents(ctx, a.ID, start, start+2, []string{sahay.EventConversationUpdated})
	must(t, err, "events")
	if len(read) != 2 || len(evs) != 2 {
		t.Fatalf("read %d events, wrote %d, want 2", len(read), len(evs))
	}
	for i, want := range []int64{0, r.ID} {
		var mark struct {
			RuleID int64 `json:"automation_rule_id"`
		}
		must(t, json.Unmarshal(read[i].Data, &mark), "event data")
		if mark.RuleID != want {
			t.Errorf("event %d: automation_rule_id %d, want %d", i, mark.RuleID, want)
		}
	}
	moved, err := st.MoveAutomationCursor(ctx, a.ID, start+1, start+2)
	must(t, err, "move")
	if moved {
		t.Error("the cursor moved from where it was not")
	}
	moved, err = st.MoveAutomationCursor(ctx, a.ID, start, start+2)
	must(t, err, "move")
	if !moved {
		t.Error("the cursor did not move from where it was")
	}

	// Runs: newest first, counted per conversation since a time.
	now := time.Now().Truncate(time.Millisecond)
	for i, outcome := range []string{store.RunOK, store.RunFailed, store.RunOK} {
		run := &store.AutomationRun{RuleID: r.ID, ConversationID: conv.ID, EventSeq: start + 1, Outcome: outcome,
			Detail: outcome, At: now.Add(time.Duration(i-2) * time.Minute)}
		must(t, st.RecordAutomationRun(ctx, a.ID, run), "record run")
	}
	runs, err := st.AutomationRuns(ctx, a.ID, r.ID, 10)
	must(t, err, "runs")
	if len(runs) != 3 || runs[0].ID < runs[2].ID || !runs[0].At.Equal(now) || runs[1].Outcome != store.RunFailed {
		t.Errorf("runs %+v", runs)
	}
	if n, err := st.RecentAutomationRuns(ctx, conv.ID, now.Add(-90*time.Second)); err != nil || n != 1 {
		t.Errorf("recent runs: %d, %v; want the one ok run of the last 90 s", n, err)
	}

	// Deleting the last rule forgets its runs and stops the cursor.
	MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteAutomationRule(ctx, a.ID, r.ID) })
	_, err = st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteAutomationRule(ctx, a.ID, r.ID) })
	wantCode(t, err, sahay.ENOTFOUND, "a deleted rule")
	if runs, _ := st.AutomationRuns(ctx, a.ID, r.ID, 10); len(runs) != 0 {
		t.Errorf("runs of a deleted rule: %d", len(runs))
	}
	MustWrite(t, st, func(tx *store.Tx) error {
		return tx.Emit(ctx, a.ID, inbox.ID, conv.ID, sahay.ConversationUpdated{Conversation: conv})
	})
	if backlog, _ := st.AutomationBacklogs(ctx, 0, 10); len(backlog) != 0 {
		t.Errorf("backlog without rules: %+v", backlog)
	}
}
