package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// The SLA tests run the timer two hours ahead: a conversation received
// now has missed a ten-minute first response, and is past the warning
// (at half) of a three-hour resolution but not yet due.
const slaSkew = 2 * time.Hour

func slaPolicy(t *testing.T, svc *core.Service, admin *core.Actor) *store.SLAPolicy {
	t.Helper()
	name, first, resolution, warn := "Fast", int64(600), int64(3*3600), 50
	p, err := svc.SaveSLAPolicy(context.Background(), admin, 0, core.SLAPolicyInput{Name: &name,
		FirstResponseSeconds: &first, ResolutionSeconds: &resolution, WarnPercent: &warn})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// slaWait polls cond until it holds, failing after deadline.
func slaWait(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// slaCounts counts a conversation's SLA events by kind and target, its
// breach lines in the timeline, and the notifications of each kind the
// user has about it.
func slaCounts(t *testing.T, st *store.Store, svc *core.Service, a *core.Actor, convID int64) map[string]int {
	t.Helper()
	ctx := context.Background()
	out := map[string]int{}
	evs, err := st.SLAEvents(ctx, a.AccountID(), convID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		out[e.Kind+":"+e.Target]++
	}
	msgs, err := svc.Messages(ctx, a, convID, 0, 100)
	if err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND && sahay.ErrorCode(err) != sahay.EFORBIDDEN {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Kind == sahay.MessageActivity {
			out["line "+m.Content]++
		}
	}
	ns, _, err := svc.Notifications(ctx, a, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.ConversationID == convID && (n.Kind == core.NotifySLAWarning || n.Kind == core.NotifySLABreached) {
			out[n.Kind+" "+n.Body]++
		}
	}
	return out
}

var slaOnce = map[string]int{"breach:first_response": 1, "warning:resolution": 1, "line sla_breached:first_response": 1,
	"sla_breached first_response": 1, "sla_warning resolution": 1}

// slaAllRecorded reports whether everything slaOnce counts is there at
// least once: the timer records each target's warning and breach in a
// transaction of its own, so a breach can be seen before the warning of
// another target.
func slaAllRecorded(got map[string]int) bool {
	for k := range slaOnce {
		if got[k] == 0 {
			return false
		}
	}
	return true
}

func checkSLAOnce(t *testing.T, got map[string]int, what string) {
	t.Helper()
	for k, n := range slaOnce {
		if got[k] != n {
			t.Errorf("%s: %s %d times, want %d (all: %v)", what, k, got[k], n, got)
		}
	}
	for k := range got {
		if _, ok := slaOnce[k]; !ok && !strings.HasPrefix(k, "line ") || strings.HasPrefix(k, "line sla") && slaOnce[k] == 0 {
			t.Errorf("%s: unexpected %s (all: %v)", what, k, got)
		}
	}
}

// TestSLABreachRunsRules: a breach is recorded, notified and in the
// timeline once; it runs the rules on sla_breached, which escalate; a
// restarted service records nothing twice.
func TestSLABreachRunsRules(t *testing.T) {
	core.SetSLASkew(t, slaSkew)
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		ctx := context.Background()
		st := open(t)
		f := newFixture(t, st)
		slaPolicy(t, f.svc, f.admin)
		name, event := "Escalate", core.RuleSLABreached
		_, err := f.svc.SaveAutomationRule(ctx, f.admin, 0, core.AutomationRuleInput{Name: &name, Event: &event,
			Conditions: json.RawMessage(fmt.Sprintf(`{"all":[{"attribute":"inbox_id","operator":"equals","value":%d}]}`, f.mine.ID)),
			Actions:    json.RawMessage(`[{"action":"set_priority","value":4},{"action":"add_label","value":"late"}]`)})
		if err == nil || sahay.ErrorCode(err) != sahay.EINVALID {
			t.Fatalf("a rule with an unknown label: %v", err)
		}
		_, err = f.svc.SaveAutomationRule(ctx, f.admin, 0, core.AutomationRuleInput{Name: &name, Event: &event,
			Conditions: json.RawMessage(fmt.Sprintf(`{"all":[{"attribute":"inbox_id","operator":"equals","value":%d}]}`, f.mine.ID)),
			Actions:    json.RawMessage(`[{"action":"set_priority","value":4}]`)})
		if err != nil {
			t.Fatal(err)
		}
		late := f.receive(t, f.mine, "dana", "m1", "where is my parcel?").Conversation
		other := f.receive(t, f.theirs, "farid", "m2", "hello?").Conversation
		slaWait(t, 15*time.Second, "the rule on sla_breached escalating", func() bool {
			c, err := st.Conversation(ctx, f.account.ID, late.ID)
			return err == nil && c.Priority == sahay.PriorityUrgent
		})
		slaWait(t, 15*time.Second, "the warning and the breach", func() bool { return slaAllRecorded(slaCounts(t, st, f.svc, f.admin, late.ID)) })
		checkSLAOnce(t, slaCounts(t, st, f.svc, f.admin, late.ID), "first node")
		// The rule's condition keeps it to its inbox.
		slaWait(t, 15*time.Second, "the other inbox's breach", func() bool { return slaCounts(t, st, f.svc, f.admin, other.ID)["breach:first_response"] == 1 })
		if c, _ := st.Conversation(ctx, f.account.ID, other.ID); c.Priority != sahay.PriorityNone {
			t.Errorf("the other inbox's conversation was escalated: priority %d", c.Priority)
		}

		// Restarted: a conversation received after is handled, the earlier
		// ones not again.
		f.svc.Close()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		admin, err := svc.Actor(ctx, f.adminUser)
		if err != nil {
			t.Fatal(err)
		}
		f.svc = svc
		after := f.receive(t, f.mine, "emon", "m3", "anyone?").Conversation
		slaWait(t, 15*time.Second, "the restarted timer", func() bool { return slaAllRecorded(slaCounts(t, st, svc, admin, after.ID)) })
		checkSLAOnce(t, slaCounts(t, st, svc, admin, late.ID), "after the restart")
		checkSLAOnce(t, slaCounts(t, st, svc, admin, after.ID), "received after the restart")
	})
}

// TestSLATimerTwoNodes: two services on one PostgreSQL database record and
// notify each warning and breach once, and the second goes on when the
// first stops.
func TestSLATimerTwoNodes(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skip(storetest.PostgresEnv + " not set: two-node SLA timer skipped")
	}
	core.SetSLASkew(t, slaSkew)
	ctx := context.Background()
	st := storetest.Open(t, store.Postgres)
	first := newService(t, st)
	f := fixtureOf(t, st, first)
	second := newService(t, st)
	t.Cleanup(second.Close)
	slaPolicy(t, f.svc, f.admin)
	var convs []int64
	for i := range 6 {
		convs = append(convs, f.receive(t, f.mine, fmt.Sprint("c", i), fmt.Sprint("m", i), "hello").Conversation.ID)
	}
	slaWait(t, 15*time.Second, "every warning and breach", func() bool {
		for _, id := range convs {
			if !slaAllRecorded(slaCounts(t, st, f.svc, f.admin, id)) {
				return false
			}
		}
		return true
	})
	first.Close()
	f.svc = second
	convs = append(convs, f.receive(t, f.mine, "late", "m-late", "hello").Conversation.ID)
	admin, err := second.Actor(ctx, f.adminUser)
	if err != nil {
		t.Fatal(err)
	}
	slaWait(t, 30*time.Second, "the second node taking over", func() bool {
		return slaAllRecorded(slaCounts(t, st, second, admin, convs[len(convs)-1]))
	})
	for _, id := range convs {
		checkSLAOnce(t, slaCounts(t, st, second, admin, id), fmt.Sprint("conversation ", id))
	}
}

// TestSLANotifiesAssigneeAndTeamLeads: a warning and a breach go to the
// conversation's assignee and the administrators among its team's
// members, not to other administrators nor to the team's agents.
func TestSLANotifiesAssigneeAndTeamLeads(t *testing.T) {
	core.SetSLASkew(t, slaSkew)
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		lead := storetest.MustUser(t, f.st, f.account.ID, "lead@dokan.example", sahay.RoleAdmin)
		member := storetest.MustUser(t, f.st, f.account.ID, "member@dokan.example", sahay.RoleAgent)
		name, members := "Billing", []int64{lead.ID, member.ID, f.agentUser.ID}
		team, err := f.svc.SaveTeam(ctx, f.admin, 0, core.TeamInput{Name: &name, MemberIDs: &members})
		if err != nil {
			t.Fatal(err)
		}
		conv := f.receive(t, f.mine, "dana", "m1", "refund please").Conversation
		assignee := f.agentUser.ID
		if _, err := f.svc.UpdateConversation(ctx, f.admin, conv.ID, core.ConversationUpdate{AssigneeID: &assignee, TeamID: &team.ID}); err != nil {
			t.Fatal(err)
		}
		// The policy comes last, so the timer finds the conversation as set.
		slaPolicy(t, f.svc, f.admin)
		actor := func(u *sahay.User) *core.Actor {
			a, err := f.svc.Actor(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		leadActor := actor(lead)
		slaWait(t, 15*time.Second, "the team lead's notifications", func() bool {
			got := slaCounts(t, f.st, f.svc, leadActor, conv.ID)
			return got["sla_breached first_response"] == 1 && got["sla_warning resolution"] == 1
		})
		if got := slaCounts(t, f.st, f.svc, f.agent, conv.ID); got["sla_breached first_response"] != 1 || got["sla_warning resolution"] != 1 {
			t.Errorf("the assignee's: %v", got)
		}
		for _, u := range []*sahay.User{f.adminUser, member} {
			if got := slaCounts(t, f.st, f.svc, actor(u), conv.ID); got["sla_breached first_response"] != 0 || got["sla_warning resolution"] != 0 {
				t.Errorf("%s was notified: %v", u.Email, got)
			}
		}
	})
}

// TestSLATimerReadsWhatChanged: once the timer has read an account's
// open conversations, a pass reads only those its events name and those
// with a warning or breach come due, not every open conversation again.
func TestSLATimerReadsWhatChanged(t *testing.T) {
	// Not parallel: the skew below is every service's.
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		slaPolicy(t, f.svc, f.admin)
		var convs []int64
		for i := range 30 {
			convs = append(convs, f.receive(t, f.mine, fmt.Sprint("c", i), fmt.Sprint("m", i), "hello").Conversation.ID)
		}
		checked := func() int64 { n, _ := f.svc.SLAChecked(); return n }
		// passes waits for n more passes of the timer and returns how
		// many conversations they read.
		passes := func(n int64) int64 {
			t.Helper()
			before, start := f.svc.SLAChecked()
			slaWait(t, 15*time.Second, fmt.Sprint(n, " passes of the timer"), func() bool { _, p := f.svc.SLAChecked(); return p >= start+n })
			return checked() - before
		}
		slaWait(t, 15*time.Second, "the first full pass", func() bool { return checked() >= 30 })
		// Quiet once the receiving's events are read: nothing changes and
		// nothing is due for ten minutes.
		slaWait(t, 15*time.Second, "a quiet pass", func() bool { return passes(1) == 0 })
		if n := passes(3); n != 0 {
			t.Fatalf("quiet passes read %d conversations, want 0", n)
		}
		// A reply: the pass reads that conversation.
		quiet := checked()
		if _, err := f.svc.PostMessage(ctx, f.agent, convs[3], core.NewMessage{Content: "on its way"}); err != nil {
			t.Fatal(err)
		}
		slaWait(t, 10*time.Second, "the replied conversation read", func() bool { return checked() > quiet })
		passes(2)
		if n := checked() - quiet; n > 2 {
			t.Errorf("after one reply the timer read %d conversations, want it alone", n)
		}
		// Two hours later every first response but the replied one is
		// breached, found without an event naming them.
		core.SetSLASkew(t, slaSkew)
		slaWait(t, 15*time.Second, "every breach", func() bool {
			for i, id := range convs {
				if got := slaCounts(t, f.st, f.svc, f.admin, id)["breach:first_response"]; got != 1 && i != 3 {
					return false
				}
			}
			return true
		})
		if got := slaCounts(t, f.st, f.svc, f.admin, convs[3])["breach:first_response"]; got != 0 {
			t.Errorf("the replied conversation's first response breached %d times", got)
		}
	})
}
