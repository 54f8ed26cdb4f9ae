package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// automationRun is what GET /api/v1/automation_rules/{id}/runs lists.
type automationRun struct {
	ConversationID int64  `json:"conversation_id"`
	DisplayID      int64  `json:"conversation_display_id"`
	Outcome        string `json:"outcome"`
	Detail         string `json:"detail"`
}

func TestAutomationRules(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Sahay Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		inboxes := map[string]*sahay.Inbox{}
		for _, name := range []string{"and", "or", "loop", "lifecycle", "reply"} {
			inboxes[name] = s.NewInbox(t, owner, name, "api", nil, agent.ID)
		}
		var team struct{ ID int64 }
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/teams", map[string]string{"name": "Billing"}, http.StatusCreated, &team)
		for _, l := range []string{"billing", "vip", "closed", "later"} {
			s.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": l}, http.StatusCreated, nil)
		}
		inbox := func(name string) map[string]any {
			return map[string]any{"attribute": "inbox_id", "operator": "equals", "value": inboxes[name].ID}
		}
		rule := func(name, event string, conditions map[string]any, actions ...map[string]any) int64 {
			t.Helper()
			var r struct{ ID int64 }
			s.Must(t, owner.Token, http.MethodPost, "/api/v1/automation_rules",
				map[string]any{"name": name, "event": event, "conditions": conditions, "actions": actions}, http.StatusCreated, &r)
			return r.ID
		}
		act := func(action string, value any) map[string]any { return map[string]any{"action": action, "value": value} }
		n := 0
		receive := func(in, contact, text string) sahay.Conversation {
			t.Helper()
			n++
			return s.Receive(t, owner, inboxes[in].ID, contact, text, fmt.Sprint("m", n)).Conversation
		}
		conversation := func(id int64) sahay.Conversation {
			t.Helper()
			var c sahay.Conversation
			s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", id), nil, http.StatusOK, &c)
			return c
		}
		messages := func(id int64) []sahay.Message {
			return items[sahay.Message](t, s, owner.Token, fmt.Sprintf("/api/v1/conversations/%d/messages", id))
		}
		runs := func(rule int64) []automationRun {
			return items[automationRun](t, s, owner.Token, fmt.Sprintf("/api/v1/automation_rules/%d/runs", rule))
		}
		eventually := func(what string, ok func() bool) {
			t.Helper()
			for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("never: %s", what)
				}
			}
		}
		notes := func(id int64, text string) int {
			k := 0
			for _, m := range messages(id) {
				if m.Content == text {
					k++
				}
			}
			return k
		}

		// Only administrators write rules; invalid rules store nothing.
		valid := map[string]any{"name": "x", "event": "message_created", "actions": []any{act("add_label", "vip")}}
		wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/automation_rules", valid), http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, agent.Token, http.MethodGet, "/api/v1/automation_rules", nil), http.StatusForbidden, "forbidden")
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for k, v := range valid {
				m[k] = v
			}
			m[k] = v
			return m
		}
		cond := func(c map[string]any) map[string]any { return with("conditions", map[string]any{"all": []any{c}}) }
		for _, bad := range []map[string]any{
			with("event", "message_deleted"),
			with("name", ""),
			with("actions", []any{}),
			with("actions", []any{act("delete_everything", nil)}),
			with("actions", []any{act("add_label", "no-such-label")}),
			with("actions", []any{act("assign_agent", 999999)}),
			with("actions", []any{act("set_priority", 9)}),
			with("actions", []any{act("set_priority", "high")}),
			with("conditions", map[string]any{"all": []any{}, "none": []any{}}),
			cond(map[string]any{"attribute": "mood_ring", "operator": "equals", "value": "x"}),
			cond(map[string]any{"attribute": "content", "operator": "gte", "value": "x"}),
			cond(map[string]any{"attribute": "status", "operator": "equals", "value": "closed"}),
			cond(map[string]any{"attribute": "inbox_id", "operator": "in", "value": 3}),
			cond(map[string]any{"attribute": "priority", "operator": "equals", "value": "high"}),
		} {
			wantError(t, s.Call(t, owner.Token, http.MethodPost, "/api/v1/automation_rules", bad), http.StatusUnprocessableEntity, "invalid")
		}
		if got := items[struct{ ID int64 }](t, s, owner.Token, "/api/v1/automation_rules"); len(got) != 0 {
			t.Fatalf("invalid rules stored: %v", got)
		}

		// all: every condition must hold.
		and := rule("refunds", "message_created", map[string]any{"all": []any{inbox("and"),
			map[string]any{"attribute": "content", "operator": "contains", "value": "REFUND"},
			map[string]any{"attribute": "message_type", "operator": "equals", "value": "incoming"},
			map[string]any{"attribute": "private", "operator": "equals", "value": false}}},
			act("add_label", "billing"), act("set_priority", 3), act("assign_team", team.ID))
		// any: one condition is enough; Bengali text is detected as such.
		or := rule("escalate", "message_created", map[string]any{"any": []any{
			map[string]any{"attribute": "content", "operator": "contains", "value": "zzurgent"},
			map[string]any{"attribute": "language", "operator": "in", "value": []string{"bn"}}}},
			act("add_private_note", "escalated"))
		// Its own actions update the conversation again: it runs once.
		loop := rule("bump", "conversation_updated", map[string]any{"all": []any{inbox("loop"),
			map[string]any{"attribute": "priority", "operator": "gte", "value": 1}}},
			act("set_priority", 4), act("add_label", "vip"), act("add_private_note", "bumped"))
		created := rule("triage", "conversation_created", map[string]any{"all": []any{inbox("lifecycle"),
			map[string]any{"attribute": "channel", "operator": "equals", "value": "api"},
			map[string]any{"attribute": "status", "operator": "in", "value": []string{"open", "pending"}}}},
			act("assign_agent", agent.ID), act("add_label", "later"))
		resolved := rule("closing", "conversation_resolved", map[string]any{"all": []any{inbox("lifecycle")}},
			act("add_label", "closed"), act("remove_label", "later"))
		reply := rule("autoreply", "message_created", map[string]any{"all": []any{inbox("reply"),
			map[string]any{"attribute": "content", "operator": "contains", "value": "thanks"}}},
			act("send_message", "Happy to help!"), act("resolve", nil))
		snooze := rule("snoozer", "message_created", map[string]any{"all": []any{inbox("reply"),
			map[string]any{"attribute": "content", "operator": "contains", "value": "tomorrow"},
			map[string]any{"attribute": "labels", "operator": "contains", "value": "vip"}}},
			act("snooze", 60))
		if got := items[struct{ ID int64 }](t, s, owner.Token, "/api/v1/automation_rules"); len(got) != 7 {
			t.Fatalf("%d rules listed, want 7", len(got))
		}

		refund := receive("and", "rina", "I want a refund now")
		noRefund := receive("and", "joy", "where is my parcel")
		eventually("the refund rule acts", func() bool {
			c := conversation(refund.ID)
			return slices.Contains(c.Labels, "billing") && c.Priority == 3 && c.TeamID == team.ID
		})
		if c := conversation(noRefund.ID); len(c.Labels) != 0 || c.Priority != 0 {
			t.Errorf("a message not naming a refund: labels %v priority %d", c.Labels, c.Priority)
		}
		// An agent's note names a refund but is not incoming.
		s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", noRefund.ID),
			map[string]any{"content": "refund asked elsewhere", "private": true}, http.StatusCreated, nil)

		urgent := receive("or", "mita", "zzurgent: the box is broken")
		bengali := receive("or", "karim", "আমার অর্ডার এখনো আসেনি কেন")
		plain := receive("or", "anu", "just saying hello")
		eventually("the any rule acts twice", func() bool { return notes(urgent.ID, "escalated") == 1 && notes(bengali.ID, "escalated") == 1 })

		looped := receive("loop", "raj", "hello")
		// The scorer's own update of the conversation comes first, so that
		// the agent's is the only one not caused by the rule.
		eventually("the message is scored", func() bool { return conversation(looped.ID).Mood != nil })
		s.Must(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", looped.ID), map[string]any{"priority": 1}, http.StatusOK, nil)
		eventually("the loop rule acts", func() bool {
			c := conversation(looped.ID)
			return c.Priority == 4 && slices.Contains(c.Labels, "vip") && notes(looped.ID, "bumped") == 1
		})

		life := receive("lifecycle", "sara", "hi")
		eventually("the created rule acts", func() bool {
			c := conversation(life.ID)
			return c.AssigneeID == agent.ID && slices.Contains(c.Labels, "later")
		})
		s.Must(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", life.ID), map[string]any{"status": "resolved"}, http.StatusOK, nil)
		eventually("the resolved rule acts", func() bool {
			c := conversation(life.ID)
			return slices.Equal(c.Labels, []string{"closed"})
		})

		thanks := receive("reply", "tom", "thanks a lot")
		eventually("the reply rule acts", func() bool {
			return conversation(thanks.ID).Status == sahay.StatusResolved && notes(thanks.ID, "Happy to help!") == 1
		})
		later := receive("reply", "ana", "call me tomorrow")
		s.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", later.ID), map[string]any{"labels": []string{"vip"}}, http.StatusOK, nil)
		receive("reply", "ana", "tomorrow then")
		eventually("the snooze rule acts", func() bool { return conversation(later.ID).Status == sahay.StatusSnoozed })

		// Let the engine read whatever is left, then count the runs.
		time.Sleep(1500 * time.Millisecond)
		for _, c := range []struct {
			rule  int64
			convs []int64
		}{
			{and, []int64{refund.ID}}, {or, []int64{bengali.ID, urgent.ID}}, {loop, []int64{looped.ID}},
			{created, []int64{life.ID}}, {resolved, []int64{life.ID}}, {reply, []int64{thanks.ID}}, {snooze, []int64{later.ID}},
		} {
			var got []int64
			for _, r := range runs(c.rule) {
				if r.Outcome != "ok" {
					t.Errorf("rule %d run on %d: %s %s", c.rule, r.ConversationID, r.Outcome, r.Detail)
				}
				if want := conversation(r.ConversationID).DisplayID; r.DisplayID != want {
					t.Errorf("rule %d run on %d: display id %d, want %d", c.rule, r.ConversationID, r.DisplayID, want)
				}
				got = append(got, r.ConversationID)
			}
			if !slices.Equal(got, c.convs) {
				t.Errorf("rule %d ran on %v, want %v", c.rule, got, c.convs)
			}
		}
		// The list tells each rule's last run.
		for _, r := range items[struct {
			ID          int64
			LastRunAt   *time.Time `json:"last_run_at"`
			LastOutcome string     `json:"last_outcome"`
		}](t, s, owner.Token, "/api/v1/automation_rules") {
			if r.LastRunAt == nil || r.LastOutcome != "ok" {
				t.Errorf("rule %d lists its last run as %v %q", r.ID, r.LastRunAt, r.LastOutcome)
			}
		}
		if notes(plain.ID, "escalated") != 0 || notes(looped.ID, "bumped") != 1 {
			t.Errorf("escalated a plain message, or bumped more than once")
		}

		// Changed, disabled, deleted.
		var changed struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		}
		s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/automation_rules/%d", and), map[string]any{"name": "Refunds", "enabled": false}, http.StatusOK, &changed)
		if changed.Name != "Refunds" || changed.Enabled {
			t.Errorf("after PATCH: %+v", changed)
		}
		wantError(t, s.Call(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/automation_rules/%d", and), map[string]any{"event": "nope"}), http.StatusUnprocessableEntity, "invalid")
		s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/automation_rules/%d", and), nil, http.StatusOK, &changed)
		if changed.Name != "Refunds" {
			t.Errorf("an invalid PATCH changed the rule: %+v", changed)
		}
		again := receive("and", "lena", "refund please")
		s.Must(t, owner.Token, http.MethodDelete, fmt.Sprintf("/api/v1/automation_rules/%d", or), nil, http.StatusNoContent, nil)
		wantError(t, s.Call(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/automation_rules/%d/runs", or), nil), http.StatusNotFound, "not_found")
		time.Sleep(1500 * time.Millisecond)
		if c := conversation(again.ID); len(c.Labels) != 0 {
			t.Errorf("a disabled rule acted: labels %v", c.Labels)
		}
	})
}
