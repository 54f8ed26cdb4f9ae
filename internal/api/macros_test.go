package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// macro is what the macros API answers.
type macro struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Visibility string `json:"visibility"`
	UserID     int64  `json:"user_id"`
	Actions    []struct {
		Action string `json:"action"`
	} `json:"actions"`
}

func TestMacros(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Sahay Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		colleague := s.NewUser(t, owner, sahay.RoleAgent)
		outsider := s.NewUser(t, owner, sahay.RoleAgent)
		shop := s.NewInbox(t, owner, "Shop", "api", nil, agent.ID, colleague.ID)
		s.NewInbox(t, owner, "Elsewhere", "api", nil, outsider.ID)
		var team struct{ ID int64 }
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/teams", map[string]string{"name": "Billing"}, http.StatusCreated, &team)
		labelIDs := map[string]int64{}
		for _, l := range []string{"vip", "refund", "gone"} {
			var label struct{ ID int64 }
			s.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": l}, http.StatusCreated, &label)
			labelIDs[l] = label.ID
		}
		act := func(action string, value any) map[string]any { return map[string]any{"action": action, "value": value} }
		newMacro := func(u *apitest.User, name, visibility string, actions ...map[string]any) macro {
			t.Helper()
			var m macro
			body := map[string]any{"name": name, "actions": actions}
			if visibility != "" {
				body["visibility"] = visibility
			}
			s.Must(t, u.Token, http.MethodPost, "/api/v1/macros", body, http.StatusCreated, &m)
			return m
		}
		n := 0
		receive := func() sahay.Conversation {
			t.Helper()
			n++
			return s.Receive(t, owner, shop.ID, fmt.Sprint("customer", n), "hello", fmt.Sprint("m", n)).Conversation
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
		run := func(u *apitest.User, conversationID, macroID int64) *apitest.Response {
			return s.Call(t, u.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", conversationID, macroID), nil)
		}
		names := func(list []macro) []string {
			var out []string
			for _, m := range list {
				out = append(out, m.Name)
			}
			return out
		}
		// unchanged fails the test when a conversation or its timeline
		// moved since before.
		unchanged := func(what string, before sahay.Conversation, beforeMessages int) {
			t.Helper()
			after := conversation(before.ID)
			if !slices.Equal(after.Labels, before.Labels) || after.Priority != before.Priority || after.Status != before.Status ||
				after.AssigneeID != before.AssigneeID || after.TeamID != before.TeamID {
				t.Errorf("%s changed the conversation: %+v, was %+v", what, after, before)
			}
			if got := len(messages(before.ID)); got != beforeMessages {
				t.Errorf("%s: %d timeline entries, was %d", what, got, beforeMessages)
			}
		}

		// Bad input answers 422 (400 for a body that is not the request's
		// JSON) and stores nothing.
		valid := map[string]any{"name": "x", "actions": []any{act("add_label", "vip")}}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for k, v := range valid {
				m[k] = v
			}
			m[k] = v
			return m
		}
		eleven := make([]any, 11)
		for i := range eleven {
			eleven[i] = act("add_label", "vip")
		}
		for _, bad := range []map[string]any{
			with("name", ""),
			with("name", strings.Repeat("n", 81)),
			with("visibility", "team"),
			with("actions", []any{}),
			with("actions", eleven),
			with("actions", "add_label"),
			with("actions", []any{act("delete_everything", nil)}),
			with("actions", []any{act("add_label", "no-such-label")}),
			with("actions", []any{act("assign_agent", 999999)}),
			with("actions", []any{act("assign_team", 999999)}),
			with("actions", []any{act("set_priority", 9)}),
			with("actions", []any{act("set_priority", "high")}),
			with("actions", []any{act("snooze", 0)}),
			with("actions", []any{act("send_message", " ")}),
			with("actions", []any{act("resolve", true)}),
			with("actions", []any{act("send_canned_response", 999999)}),
			// A macro acts on the conversation at hand: emailing someone
			// else and calling a webhook are the automation rules' alone.
			with("actions", []any{act("call_webhook", map[string]any{"url": "https://example.com/hook"})}),
			with("actions", []any{act("send_email", map[string]any{"inbox_id": shop.ID, "to": "a@example.com", "subject": "Hi", "content": "Hello"})}),
			with("actions", []any{map[string]any{"action": "resolve", "when": "now"}}),
			{"actions": []any{act("resolve", nil)}},
		} {
			wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/macros", bad), http.StatusUnprocessableEntity, "invalid")
		}
		wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/macros", with("colour", "red")), http.StatusBadRequest, "bad_request")
		// Agents make personal macros only.
		wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/macros", with("visibility", "account")), http.StatusForbidden, "forbidden")
		for _, u := range []*apitest.User{owner, agent} {
			if got := items[macro](t, s, u.Token, "/api/v1/macros"); len(got) != 0 {
				t.Fatalf("refused macros stored: %v", got)
			}
		}

		// Personal macros are their owner's alone; account macros are
		// everyone's to run and the administrators' to change.
		escalate := newMacro(owner, "Escalate", "account",
			act("add_label", "vip"), act("set_priority", 4), act("assign_team", team.ID),
			act("add_private_note", "Escalated: check the refund"), act("send_message", "We are on it."),
			act("assign_agent", colleague.ID))
		mine := newMacro(agent, "My refund", "", act("add_label", "refund"))
		if mine.Visibility != "personal" || mine.UserID != agent.ID || escalate.Visibility != "account" || escalate.UserID != 0 {
			t.Fatalf("macros: %+v, %+v", mine, escalate)
		}
		if got := names(items[macro](t, s, agent.Token, "/api/v1/macros")); !slices.Equal(got, []string{"Escalate", "My refund"}) {
			t.Errorf("the agent's macros: %v", got)
		}
		for _, u := range []*apitest.User{colleague, owner} {
			if got := names(items[macro](t, s, u.Token, "/api/v1/macros")); !slices.Equal(got, []string{"Escalate"}) {
				t.Errorf("user %d sees macros %v", u.ID, got)
			}
			wantError(t, s.Call(t, u.Token, http.MethodGet, fmt.Sprintf("/api/v1/macros/%d", mine.ID), nil), http.StatusNotFound, "not_found")
			wantError(t, s.Call(t, u.Token, http.MethodPatch, fmt.Sprintf("/api/v1/macros/%d", mine.ID), map[string]any{"name": "Ours"}), http.StatusNotFound, "not_found")
			wantError(t, s.Call(t, u.Token, http.MethodDelete, fmt.Sprintf("/api/v1/macros/%d", mine.ID), nil), http.StatusNotFound, "not_found")
		}
		wantError(t, s.Call(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/macros/%d", escalate.ID), map[string]any{"name": "Mine now"}), http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, agent.Token, http.MethodDelete, fmt.Sprintf("/api/v1/macros/%d", escalate.ID), nil), http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/macros/%d", mine.ID), map[string]any{"visibility": "account"}), http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/macros/%d", mine.ID), map[string]any{"actions": []any{act("add_label", "nope")}}), http.StatusUnprocessableEntity, "invalid")
		var got macro
		s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/macros/%d", escalate.ID), nil, http.StatusOK, &got)
		if got.Name != "Escalate" || len(got.Actions) != 6 {
			t.Errorf("after refused changes: %+v", got)
		}

		// A run applies every action in order, as the agent who ran it, and
		// the timeline says so first.
		c := receive()
		var ran sahay.Conversation
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", c.ID, escalate.ID), nil, http.StatusOK, &ran)
		if !slices.Equal(ran.Labels, []string{"vip"}) || ran.Priority != 4 || ran.TeamID != team.ID || ran.AssigneeID != colleague.ID {
			t.Errorf("after Escalate: %+v", ran)
		}
		var timeline []string
		var reply, note *sahay.Message
		for _, m := range messages(c.ID) {
			switch m.Kind {
			case sahay.MessageActivity:
				if m.SenderType != sahay.SenderUser || m.SenderID != agent.ID {
					t.Errorf("activity %q by %s %d, want the agent", m.Content, m.SenderType, m.SenderID)
				}
				timeline = append(timeline, m.Content)
			case sahay.MessageNote:
				note = &m
				timeline = append(timeline, "note")
			case sahay.MessageOutgoing:
				reply = &m
				timeline = append(timeline, "reply")
			}
		}
		want := []string{"macro:Escalate", "label_added:vip", "priority:4", fmt.Sprint("team:", team.ID), "note", "reply", fmt.Sprint("assignee:", colleague.ID)}
		if !slices.Equal(timeline, want) {
			t.Errorf("timeline:\n%v\nwant\n%v", timeline, want)
		}
		if reply == nil || reply.Content != "We are on it." || reply.SenderType != sahay.SenderUser || reply.SenderID != agent.ID {
			t.Errorf("the macro's reply: %+v", reply)
		}
		if note == nil || note.Content != "Escalated: check the refund" || note.SenderID != agent.ID {
			t.Errorf("the macro's note: %+v", note)
		}

		// Someone who may not see the conversation, or the macro, gets 404
		// and nothing changes.
		c = receive()
		before := len(messages(c.ID))
		wantError(t, run(outsider, c.ID, escalate.ID), http.StatusNotFound, "not_found")
		unchanged("an outsider's run", c, before)
		wantError(t, run(colleague, c.ID, mine.ID), http.StatusNotFound, "not_found")
		wantError(t, run(agent, c.ID, 999999), http.StatusNotFound, "not_found")
		unchanged("runs of invisible macros", c, before)

		// A personal macro runs for its owner.
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", c.ID, mine.ID), nil, http.StatusOK, &ran)
		if !slices.Equal(ran.Labels, []string{"refund"}) {
			t.Errorf("after My refund: %v", ran.Labels)
		}

		// Actions apply in their order.
		c = receive()
		on := newMacro(agent, "Off then on", "personal", act("remove_label", "refund"), act("add_label", "refund"), act("set_priority", 1), act("set_priority", 3))
		off := newMacro(agent, "On then off", "personal", act("add_label", "refund"), act("remove_label", "refund"), act("set_priority", 3), act("set_priority", 1))
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", c.ID, on.ID), nil, http.StatusOK, &ran)
		if !slices.Equal(ran.Labels, []string{"refund"}) || ran.Priority != 3 {
			t.Errorf("after Off then on: %v, priority %d", ran.Labels, ran.Priority)
		}
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", c.ID, off.ID), nil, http.StatusOK, &ran)
		if len(ran.Labels) != 0 || ran.Priority != 1 {
			t.Errorf("after On then off: %v, priority %d", ran.Labels, ran.Priority)
		}

		// A canned response goes out with its variables filled, as the
		// agent's reply.
		var canned struct{ ID int64 }
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/canned_responses", map[string]string{"short_code": "thanks", "content": "Thank you, {{contact.name}}! {{agent.name}}"}, http.StatusCreated, &canned)
		thanks := newMacro(agent, "Thanks", "", act("send_canned_response", canned.ID))
		thanked := receive()
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", thanked.ID, thanks.ID), nil, http.StatusOK, nil)
		if !slices.ContainsFunc(messages(thanked.ID), func(m sahay.Message) bool {
			return m.Kind == sahay.MessageOutgoing && m.Content == fmt.Sprintf("Thank you, customer%d! %s", n, agent.Name) && m.SenderID == agent.ID
		}) {
			t.Errorf("the canned reply: %+v", messages(thanked.ID))
		}

		// Snooze and resolve.
		later := newMacro(agent, "Later", "personal", act("snooze", 60))
		done := newMacro(agent, "Done", "personal", act("add_label", "vip"), act("resolve", nil))
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", c.ID, later.ID), nil, http.StatusOK, &ran)
		if ran.Status != sahay.StatusSnoozed || ran.SnoozedUntil == nil || time.Until(*ran.SnoozedUntil) < 55*time.Minute || time.Until(*ran.SnoozedUntil) > 61*time.Minute {
			t.Errorf("after Later: %s until %v", ran.Status, ran.SnoozedUntil)
		}
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", c.ID, done.ID), nil, http.StatusOK, &ran)
		if ran.Status != sahay.StatusResolved || !slices.Equal(ran.Labels, []string{"vip"}) {
			t.Errorf("after Done: %s %v", ran.Status, ran.Labels)
		}

		// A run that could not apply as a whole changes nothing: an
		// assignee who is not a member of the inbox, a label deleted since.
		c = receive()
		before = len(messages(c.ID))
		away := newMacro(owner, "To the outsider", "account", act("add_label", "vip"), act("assign_agent", outsider.ID))
		r := run(agent, c.ID, away.ID)
		wantError(t, r, http.StatusUnprocessableEntity, "invalid")
		if _, msg := r.Error(); !strings.Contains(msg, "action 2 (assign_agent)") || !strings.Contains(msg, "nothing was done") {
			t.Errorf("the refusal does not say which action: %s", msg)
		}
		stale := newMacro(agent, "Stale", "personal", act("set_priority", 2), act("add_label", "gone"))
		s.Must(t, owner.Token, http.MethodDelete, fmt.Sprintf("/api/v1/labels/%d", labelIDs["gone"]), nil, http.StatusNoContent, nil)
		wantError(t, run(agent, c.ID, stale.ID), http.StatusUnprocessableEntity, "invalid")
		unchanged("refused runs", c, before)

		// Changing and deleting: an account macro made personal becomes the
		// administrator's own.
		s.Must(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/macros/%d", mine.ID), map[string]any{"name": "Refund"}, http.StatusOK, &got)
		if got.Name != "Refund" || got.Visibility != "personal" || len(got.Actions) != 1 {
			t.Errorf("renamed: %+v", got)
		}
		s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/macros/%d", away.ID), map[string]any{"visibility": "personal"}, http.StatusOK, &got)
		if got.Visibility != "personal" || got.UserID != owner.ID {
			t.Errorf("made personal: %+v", got)
		}
		wantError(t, s.Call(t, agent.Token, http.MethodGet, fmt.Sprintf("/api/v1/macros/%d", away.ID), nil), http.StatusNotFound, "not_found")
		s.Must(t, agent.Token, http.MethodDelete, fmt.Sprintf("/api/v1/macros/%d", mine.ID), nil, http.StatusNoContent, nil)
		s.Must(t, owner.Token, http.MethodDelete, fmt.Sprintf("/api/v1/macros/%d", escalate.ID), nil, http.StatusNoContent, nil)
		if got := names(items[macro](t, s, agent.Token, "/api/v1/macros")); !slices.Equal(got, []string{"Off then on", "On then off", "Thanks", "Later", "Done", "Stale"}) {
			t.Errorf("after deleting: %v", got)
		}
	})
}
