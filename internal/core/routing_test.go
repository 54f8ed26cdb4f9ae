package core_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// routedAgent adds an agent of the inbox who speaks langs, online by
// choice, with a dashboard open on svc (closed at the end of the test,
// or earlier by calling the returned function).
func routedAgent(t *testing.T, f *fixture, svc *core.Service, inbox *sahay.Inbox, email string, langs ...string) (*sahay.User, func()) {
	t.Helper()
	ctx := context.Background()
	u := storetest.MustUser(t, f.st, f.account.ID, email, sahay.RoleAgent)
	if langs == nil {
		langs = []string{}
	}
	u, err := f.svc.UpdateUser(ctx, f.admin, u.ID, core.UserInput{Availability: ptr(sahay.AvailabilityOnline), Languages: &langs})
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.st.Inbox(ctx, f.account.ID, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetInboxMembers(ctx, f.admin, inbox.ID, append(in.MemberIDs, u.ID)); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	closed := svc.AgentConnected(a)
	t.Cleanup(closed)
	return u, closed
}

func setRouting(t *testing.T, f *fixture, inbox *sahay.Inbox, in core.RoutingInput) {
	t.Helper()
	if _, err := f.svc.SetInboxRouting(context.Background(), f.admin, inbox.ID, in); err != nil {
		t.Fatal(err)
	}
}

// waitRouted polls cond until it holds, failing the test after 30 s
// with the state cond last reported.
func waitRouted(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %s; now %s", what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func storedConversation(t *testing.T, st *store.Store, accountID, id int64) *sahay.Conversation {
	t.Helper()
	var c *sahay.Conversation
	storetest.MustWrite(t, st, func(tx *store.Tx) error {
		var err error
		c, err = tx.Conversation(context.Background(), accountID, id)
		return err
	})
	return c
}

// assignees returns each conversation's assignee.
func assignees(t *testing.T, st *store.Store, accountID int64, ids []int64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = storedConversation(t, st, accountID, id).AssigneeID
	}
	return out
}

func TestRoutingSettingsRefuseBadInput(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			in   core.RoutingInput
			want string
		}{
			{"unknown mode", core.RoutingInput{Mode: ptr("random")}, "mode must be"},
			{"negative grace", core.RoutingInput{ReassignAfterSeconds: ptr(-1)}, "reassign_after_seconds"},
			{"grace over a day", core.RoutingInput{ReassignAfterSeconds: ptr(86401)}, "reassign_after_seconds"},
			{"grace without availability", core.RoutingInput{OnlyAvailable: ptr(false)}, "needs only_available"},
		} {
			_, err := f.svc.SetInboxRouting(ctx, f.admin, f.mine.ID, tc.in)
			if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err = %v, want invalid naming %q", tc.name, err, tc.want)
			}
		}
		if _, err := f.svc.SetInboxRouting(ctx, f.agent, f.mine.ID, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)}); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Errorf("agent's change: err = %v, want forbidden", err)
		}
		if _, err := f.svc.SetTeamRouting(ctx, f.admin, 999999, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)}); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Errorf("unknown team: err = %v, want not_found", err)
		}
		got, err := f.svc.InboxRouting(ctx, f.admin, f.mine.ID)
		if err != nil || got != sahay.DefaultRouting() {
			t.Errorf("after refused changes: %+v, %v; want the defaults", got, err)
		}
		for _, c := range []sahay.Capacity{{Chat: ptr(-1)}, {Email: ptr(1001)}} {
			if _, err := f.svc.SetAccountCapacity(ctx, f.admin, c); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("account capacity %+v: err = %v, want invalid", c, err)
			}
			if _, err := f.svc.SetUserCapacity(ctx, f.admin, f.agentUser.ID, c); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("user capacity %+v: err = %v, want invalid", c, err)
			}
		}
		if _, err := f.svc.SetUserCapacity(ctx, f.agent, f.agentUser.ID, sahay.Capacity{Chat: ptr(50)}); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Errorf("agent's own capacity: err = %v, want forbidden", err)
		}
		if c, err := f.svc.AccountCapacity(ctx, f.admin); err != nil || *c.Chat != 5 || *c.Email != 10 {
			t.Errorf("account capacity = %+v, %v; want the defaults 5 and 10", c, err)
		}
		if c, err := f.svc.UserCapacity(ctx, f.agent, f.agentUser.ID); err != nil || c.Chat != nil || c.Email != nil {
			t.Errorf("agent's capacity = %+v, %v; want none of their own", c, err)
		}
		// Good input is kept.
		set, err := f.svc.SetInboxRouting(ctx, f.admin, f.mine.ID, core.RoutingInput{Mode: ptr(sahay.RoutingLeastLoaded), ReassignAfterSeconds: ptr(60)})
		if err != nil || set.Mode != sahay.RoutingLeastLoaded || set.ReassignAfterSeconds != 60 || !set.OnlyAvailable || !set.LanguageAware {
			t.Errorf("SetInboxRouting = %+v, %v", set, err)
		}
		if got, _ := f.svc.InboxRouting(ctx, f.admin, f.mine.ID); got != set {
			t.Errorf("InboxRouting = %+v, want %+v", got, set)
		}
		if c, err := f.svc.SetUserCapacity(ctx, f.admin, f.agentUser.ID, sahay.Capacity{Chat: ptr(2)}); err != nil || *c.Chat != 2 || c.Email != nil {
			t.Errorf("SetUserCapacity = %+v, %v", c, err)
		}
	})
}

func TestRoutingRoundRobinSpreadsEvenly(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		var agents []int64
		for i := range 3 {
			u, _ := routedAgent(t, f, f.svc, f.theirs, fmt.Sprintf("rr%d@dokan.example", i))
			agents = append(agents, u.ID)
		}
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)})
		var ids []int64
		for i := range 9 {
			ids = append(ids, f.receive(t, f.theirs, fmt.Sprintf("c%d", i), fmt.Sprintf("m%d", i), "hello").Conversation.ID)
		}
		var got []int64
		waitRouted(t, "every conversation assigned", func() (bool, string) {
			got = assignees(t, f.st, f.account.ID, ids)
			return !slices.Contains(got, 0), fmt.Sprint(got)
		})
		count := map[int64]int{}
		for _, id := range got {
			count[id]++
		}
		for _, a := range agents {
			if count[a] != 3 {
				t.Errorf("agent %d has %d conversations, want 3 each: %v", a, count[a], got)
			}
		}
		acts := activities(t, f, ids[0])
		if want := fmt.Sprintf("routed:%d:round_robin", got[0]); !slices.Contains(acts, want) {
			t.Errorf("timeline %v lacks %q", acts, want)
		}
	})
}

func TestRoutingPrefersTheCustomersLanguage(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		english, _ := routedAgent(t, f, f.svc, f.theirs, "en@dokan.example", "en")
		bengali, _ := routedAgent(t, f, f.svc, f.theirs, "bn@dokan.example", "bn-BD", "en")
		if _, err := f.svc.SetUserCapacity(ctx, f.admin, bengali.ID, sahay.Capacity{Chat: ptr(1)}); err != nil {
			t.Fatal(err)
		}
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingLeastLoaded)})
		first := f.receive(t, f.theirs, "rahim", "b1", "আমার অর্ডার কোথায়?").Conversation.ID
		waitRouted(t, "the Bengali conversation assigned", func() (bool, string) {
			c := storedConversation(t, f.st, f.account.ID, first)
			return c.AssigneeID != 0, fmt.Sprint(c.AssigneeID)
		})
		if got := storedConversation(t, f.st, f.account.ID, first).AssigneeID; got != bengali.ID {
			t.Fatalf("Bengali conversation went to %d, want the Bengali speaker %d", got, bengali.ID)
		}
		if acts := activities(t, f, first); !slices.Contains(acts, fmt.Sprintf("routed:%d:language", bengali.ID)) {
			t.Errorf("timeline %v does not say the language decided", acts)
		}
		// The speaker is full: the next Bengali conversation goes to
		// whoever can take it.
		second := f.receive(t, f.theirs, "karim", "b2", "দয়া করে সাহায্য করুন").Conversation.ID
		waitRouted(t, "the second Bengali conversation assigned", func() (bool, string) {
			c := storedConversation(t, f.st, f.account.ID, second)
			return c.AssigneeID != 0, fmt.Sprint(c.AssigneeID)
		})
		if got := storedConversation(t, f.st, f.account.ID, second).AssigneeID; got != english.ID {
			t.Errorf("with the speaker full, the conversation went to %d, want %d", got, english.ID)
		}
	})
}

func TestRoutingLeastLoadedKeepsCapacityAndDrainsTheQueue(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if _, err := f.svc.SetAccountCapacity(ctx, f.admin, sahay.Capacity{Chat: ptr(1)}); err != nil {
			t.Fatal(err)
		}
		a1, _ := routedAgent(t, f, f.svc, f.theirs, "a1@dokan.example")
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingLeastLoaded)})
		var ids []int64
		for i := range 3 {
			ids = append(ids, f.receive(t, f.theirs, fmt.Sprintf("c%d", i), fmt.Sprintf("m%d", i), "hello").Conversation.ID)
		}
		waitRouted(t, "the first conversation assigned", func() (bool, string) {
			got := assignees(t, f.st, f.account.ID, ids)
			return got[0] == a1.ID, fmt.Sprint(got)
		})
		// A second agent comes online: the queue drains up to capacity.
		a2, _ := routedAgent(t, f, f.svc, f.theirs, "a2@dokan.example")
		waitRouted(t, "the second conversation assigned", func() (bool, string) {
			got := assignees(t, f.st, f.account.ID, ids)
			return got[1] == a2.ID, fmt.Sprint(got)
		})
		if got := storedConversation(t, f.st, f.account.ID, ids[2]).AssigneeID; got != 0 {
			t.Errorf("the third conversation went to %d over capacity", got)
		}
		// Resolving one frees a place.
		if _, err := f.svc.UpdateConversation(ctx, f.admin, ids[0], core.ConversationUpdate{Status: ptr(sahay.StatusResolved)}); err != nil {
			t.Fatal(err)
		}
		waitRouted(t, "the third conversation assigned", func() (bool, string) {
			got := assignees(t, f.st, f.account.ID, ids)
			return got[2] == a1.ID, fmt.Sprint(got)
		})
	})
}

func TestRoutingByTeam(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		inTeam, _ := routedAgent(t, f, f.svc, f.theirs, "team@dokan.example")
		outside, _ := routedAgent(t, f, f.svc, f.theirs, "outside@dokan.example")
		// A team member who does not work the inbox is never chosen.
		elsewhere, _ := routedAgent(t, f, f.svc, f.mine, "elsewhere@dokan.example")
		team, err := f.svc.SaveTeam(ctx, f.admin, 0, core.TeamInput{Name: ptr("Billing"), MemberIDs: &[]int64{inTeam.ID, elsewhere.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetTeamRouting(ctx, f.admin, team.ID, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 3 {
			id := f.receive(t, f.theirs, fmt.Sprintf("c%d", i), fmt.Sprintf("m%d", i), "bill").Conversation.ID
			if _, err := f.svc.UpdateConversation(ctx, f.admin, id, core.ConversationUpdate{TeamID: &team.ID}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		waitRouted(t, "the team's conversations assigned", func() (bool, string) {
			got := assignees(t, f.st, f.account.ID, ids)
			return !slices.Contains(got, 0), fmt.Sprint(got)
		})
		for _, a := range assignees(t, f.st, f.account.ID, ids) {
			if a != inTeam.ID {
				t.Errorf("a team conversation went to %d; want the one member who works the inbox, %d (not %d or %d)", a, inTeam.ID, outside.ID, elsewhere.ID)
			}
		}
	})
}

// TestRoutingPassesConversationsNobodyCanTake: more conversations than a
// page of the queue that nobody can take do not keep a later one, which
// someone can, from being routed.
func TestRoutingPassesConversationsNobodyCanTake(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		full, _ := routedAgent(t, f, f.svc, f.theirs, "full@dokan.example")
		free, _ := routedAgent(t, f, f.svc, f.mine, "free@dokan.example")
		if _, err := f.svc.SetUserCapacity(ctx, f.admin, full.ID, sahay.Capacity{Chat: ptr(0)}); err != nil {
			t.Fatal(err)
		}
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)})
		setRouting(t, f, f.mine, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)})
		var stuck []int64
		for i := range 70 {
			stuck = append(stuck, f.receive(t, f.theirs, fmt.Sprintf("s%d", i), fmt.Sprintf("s%d", i), "hello").Conversation.ID)
		}
		later := f.receive(t, f.mine, "late", "late", "hello").Conversation.ID
		waitRouted(t, "the later conversation assigned", func() (bool, string) {
			c := storedConversation(t, f.st, f.account.ID, later)
			return c.AssigneeID == free.ID, fmt.Sprint(c.AssigneeID)
		})
		for _, a := range assignees(t, f.st, f.account.ID, stuck) {
			if a != 0 {
				t.Fatalf("a conversation went to %d, whose capacity is 0", a)
			}
		}
	})
}

func TestRoutingWaitsForBusinessHours(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		agent, _ := routedAgent(t, f, f.svc, f.theirs, "day@dokan.example")
		// The account is closed every day of the week.
		closed := sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Dhaka", Days: map[string]string{}}
		if _, err := f.svc.UpdateAccount(ctx, f.admin, core.AccountInput{BusinessHours: &closed}); err != nil {
			t.Fatal(err)
		}
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)})
		night := f.receive(t, f.theirs, "owl", "n1", "anyone there?").Conversation.ID
		// Another account, always open, routes on the same passes: once
		// its conversation, which came after, is assigned, a pass has
		// seen the closed account's and left it queued.
		other := &fixture{st: f.st, svc: f.svc, hook: f.hook, account: storetest.MustAccount(t, f.st, "Haat")}
		other.adminUser = storetest.MustUser(t, f.st, other.account.ID, "owner@haat.example", sahay.RoleAdmin)
		var err error
		if other.admin, err = f.svc.Actor(ctx, other.adminUser); err != nil {
			t.Fatal(err)
		}
		settings := []byte(fmt.Sprintf(`{"webhook_url":%q}`, f.hook.srv.URL))
		if other.theirs, err = f.svc.CreateInbox(ctx, other.admin, core.InboxInput{Name: ptr("Haat"), Channel: f.theirs.Channel, Settings: settings,
			Secrets: map[string]string{apichannel.SecretKey: f.hookSecret}}); err != nil {
			t.Fatal(err)
		}
		otherAgent, _ := routedAgent(t, other, f.svc, other.theirs, "day@haat.example")
		setRouting(t, other, other.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)})
		day := other.receive(t, other.theirs, "lark", "d1", "hello").Conversation.ID
		waitRouted(t, "the open account's conversation assigned", func() (bool, string) {
			c := storedConversation(t, f.st, other.account.ID, day)
			return c.AssigneeID == otherAgent.ID, fmt.Sprint(c.AssigneeID)
		})
		if got := storedConversation(t, f.st, f.account.ID, night).AssigneeID; got != 0 {
			t.Errorf("the conversation outside business hours went to %d", got)
		}
		open := sahay.BusinessHours{}
		if _, err := f.svc.UpdateAccount(ctx, f.admin, core.AccountInput{BusinessHours: &open}); err != nil {
			t.Fatal(err)
		}
		waitRouted(t, "the queued conversation assigned once hours open", func() (bool, string) {
			c := storedConversation(t, f.st, f.account.ID, night)
			return c.AssigneeID == agent.ID, fmt.Sprint(c.AssigneeID)
		})
	})
}

func TestRoutingReassignsAfterTheAssigneeLeaves(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		leaving, leave := routedAgent(t, f, f.svc, f.theirs, "leaving@dokan.example")
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin), ReassignAfterSeconds: ptr(1)})
		id := f.receive(t, f.theirs, "c1", "m1", "hello").Conversation.ID
		waitRouted(t, "the conversation assigned", func() (bool, string) {
			c := storedConversation(t, f.st, f.account.ID, id)
			return c.AssigneeID == leaving.ID, fmt.Sprint(c.AssigneeID)
		})
		staying, _ := routedAgent(t, f, f.svc, f.theirs, "staying@dokan.example")
		left := time.Now()
		leave()
		waitRouted(t, "the conversation reassigned", func() (bool, string) {
			c := storedConversation(t, f.st, f.account.ID, id)
			return c.AssigneeID == staying.ID, fmt.Sprint(c.AssigneeID)
		})
		if waited := time.Since(left); waited < time.Second {
			t.Errorf("reassigned after %v, before the grace period of 1s", waited)
		}
		acts := activities(t, f, id)
		want := []string{fmt.Sprintf("routed:%d:round_robin", leaving.ID), fmt.Sprintf("requeued:%d:disconnected", leaving.ID), fmt.Sprintf("routed:%d:round_robin", staying.ID)}
		var got []string
		for _, a := range acts {
			if strings.HasPrefix(a, "routed:") || strings.HasPrefix(a, "requeued:") {
				got = append(got, a)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("timeline %v, want %v", got, want)
		}
		// Choosing busy counts as leaving too.
		if _, err := f.svc.UpdateUser(ctx, f.admin, staying.ID, core.UserInput{Availability: ptr(sahay.AvailabilityBusy)}); err != nil {
			t.Fatal(err)
		}
		waitRouted(t, "the busy agent's conversation back in the queue", func() (bool, string) {
			acts := activities(t, f, id)
			return slices.Contains(acts, fmt.Sprintf("requeued:%d:busy", staying.ID)), fmt.Sprint(acts)
		})
		if got := storedConversation(t, f.st, f.account.ID, id).AssigneeID; got != 0 {
			t.Errorf("with nobody available the conversation went to %d", got)
		}
	})
}

func TestRoutingWaitsForTheBotsHandOff(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		agent, _ := routedAgent(t, f, f.svc, f.theirs, "human@dokan.example")
		if _, err := f.svc.SetBotSettings(ctx, f.admin, f.theirs.ID, core.BotSettingsInput{Enabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)})
		botOwned := f.receive(t, f.theirs, "c1", "m1", "hello").Conversation
		if botOwned.Status != sahay.StatusPending {
			t.Fatalf("status %q, want pending with the bot on", botOwned.Status)
		}
		// The bot may hand off by itself; else a person takes it over.
		if _, err := f.svc.HandOff(ctx, f.admin, botOwned.ID, sahay.HandoffAsked, ""); err != nil && sahay.ErrorCode(err) != sahay.ECONFLICT {
			t.Fatal(err)
		}
		waitRouted(t, "the handed-off conversation assigned", func() (bool, string) {
			c := storedConversation(t, f.st, f.account.ID, botOwned.ID)
			return c.AssigneeID == agent.ID, fmt.Sprint(c.AssigneeID)
		})
		acts := activities(t, f, botOwned.ID)
		handoff := slices.IndexFunc(acts, func(a string) bool { return strings.HasPrefix(a, "handoff:") })
		routed := slices.Index(acts, fmt.Sprintf("routed:%d:round_robin", agent.ID))
		if handoff < 0 || routed < handoff {
			t.Errorf("timeline %v: want the hand-off before the routing", acts)
		}
	})
}

// TestRoutingTwoNodes runs two services on one PostgreSQL database with
// NATS between them, agents connected to either, and conversations
// arriving on both at once: round robin spreads them within one of each
// other, and least loaded never passes anyone's capacity.
func TestRoutingTwoNodes(t *testing.T) {
	pg, natsURL := os.Getenv(storetest.PostgresEnv), os.Getenv("SAHAY_TEST_NATS_URL")
	if pg == "" || natsURL == "" {
		t.Skip(storetest.PostgresEnv + " and SAHAY_TEST_NATS_URL not both set: two-node routing skipped")
	}
	for _, mode := range []string{sahay.RoutingRoundRobin, sahay.RoutingLeastLoaded} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, store.Postgres)
			prefix := fmt.Sprintf("routing%x", time.Now().UnixNano())
			node := func() *core.Service {
				b, err := bus.NewNATS(natsURL, prefix)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { b.Close() })
				return startService(t, st, true, func(c *core.Config) { c.Bus = b; c.SharedBus = true })
			}
			one, two := node(), node()
			t.Cleanup(two.Close)
			f := fixtureOf(t, st, one)
			nodes := []*core.Service{one, two}
			var agents []int64
			for i := range 3 {
				u, _ := routedAgent(t, f, nodes[i%2], f.theirs, fmt.Sprintf("n%d@dokan.example", i))
				agents = append(agents, u.ID)
			}
			// Each node sees every agent connected before routing starts.
			waitRouted(t, "both nodes to see the agents", func() (bool, string) {
				for _, n := range nodes {
					for _, id := range agents {
						if !n.AgentConnectedNow(id) {
							return false, fmt.Sprintf("user %d not seen", id)
						}
					}
				}
				return true, ""
			})
			capacity := 10
			if mode == sahay.RoutingLeastLoaded {
				capacity = 4
			}
			if _, err := f.svc.SetAccountCapacity(ctx, f.admin, sahay.Capacity{Chat: &capacity}); err != nil {
				t.Fatal(err)
			}
			setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(mode)})
			const arrivals = 20
			ids := make([]int64, arrivals)
			var wg sync.WaitGroup
			errs := make(chan error, arrivals+4)
			// Besides the lease holder, both nodes route over and over
			// while the conversations arrive: the account's lock alone
			// must keep turns, loads and assignments exact.
			stop := make(chan struct{})
			var routers sync.WaitGroup
			for i := range 4 {
				routers.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						if err := nodes[i%2].RouteNow(ctx, f.account.ID); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			for i := range arrivals {
				wg.Go(func() {
					r, err := nodes[i%2].Receive(ctx, channel.Inbound{InboxID: f.theirs.ID, ContactID: fmt.Sprintf("c%d", i), ExternalID: fmt.Sprintf("m%d", i), Content: "hello"})
					if err != nil {
						errs <- err
						return
					}
					ids[i] = r.Conversation.ID
				})
			}
			wg.Wait()
			want := arrivals
			if mode == sahay.RoutingLeastLoaded {
				want = 3 * capacity
			}
			var got []int64
			waitRouted(t, fmt.Sprintf("%d conversations assigned", want), func() (bool, string) {
				got = assignees(t, st, f.account.ID, ids)
				n := 0
				for _, a := range got {
					if a != 0 {
						n++
					}
				}
				return n >= want, fmt.Sprint(got)
			})
			close(stop)
			routers.Wait()
			close(errs)
			if err := errors.Join(slices.Collect(func(yield func(error) bool) {
				for err := range errs {
					if !yield(err) {
						return
					}
				}
			})...); err != nil {
				t.Fatal(err)
			}
			// Each conversation was routed once, to whom it has now.
			for i, id := range ids {
				var routed []string
				for _, a := range activities(t, f, id) {
					if strings.HasPrefix(a, "routed:") {
						routed = append(routed, a)
					}
				}
				want := 0
				if got[i] != 0 {
					want = 1
				}
				if len(routed) != want || want == 1 && !strings.HasPrefix(routed[0], fmt.Sprintf("routed:%d:", got[i])) {
					t.Errorf("conversation %d, assigned to %d, routed %v", id, got[i], routed)
				}
			}
			count := map[int64]int{}
			for _, a := range got {
				if a != 0 {
					count[a]++
				}
			}
			lo, hi := arrivals, 0
			for _, a := range agents {
				lo, hi = min(lo, count[a]), max(hi, count[a])
			}
			if mode == sahay.RoutingRoundRobin && hi-lo > 1 {
				t.Errorf("round robin spread %v: max %d, min %d", count, hi, lo)
			}
			if mode == sahay.RoutingLeastLoaded && (hi > capacity || lo != capacity) {
				t.Errorf("least loaded with capacity %d gave %v", capacity, count)
			}
		})
	}
}

// TestRosterAsksOtherNodesOnStart: a node that starts hears of the agents
// connected to other nodes at once, not at their next refresh (20 s), so
// the assigner on it does not take them for away.
func TestRosterAsksOtherNodesOnStart(t *testing.T) {
	pg, natsURL := os.Getenv(storetest.PostgresEnv), os.Getenv("SAHAY_TEST_NATS_URL")
	if pg == "" || natsURL == "" {
		t.Skip(storetest.PostgresEnv + " and SAHAY_TEST_NATS_URL not both set: two-node roster skipped")
	}
	st := storetest.Open(t, store.Postgres)
	prefix := fmt.Sprintf("roster%x", time.Now().UnixNano())
	node := func() *core.Service {
		b, err := bus.NewNATS(natsURL, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		svc := startService(t, st, true, func(c *core.Config) { c.Bus = b; c.SharedBus = true })
		t.Cleanup(svc.Close)
		return svc
	}
	first := node()
	f := fixtureOf(t, st, first)
	agent, _ := routedAgent(t, f, first, f.theirs, "early@dokan.example")
	later := node()
	deadline := time.Now().Add(5 * time.Second)
	for !later.AgentConnectedNow(agent.ID) {
		if time.Now().After(deadline) {
			t.Fatal("a node started after an agent connected elsewhere did not hear of them within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRoutingReassignsAcrossNodes: an agent whose dashboard was on one
// node closes it; whichever node routes hears of it over the bus and,
// after the grace period, routes their conversation to an agent on the
// other node.
func TestRoutingReassignsAcrossNodes(t *testing.T) {
	pg, natsURL := os.Getenv(storetest.PostgresEnv), os.Getenv("SAHAY_TEST_NATS_URL")
	if pg == "" || natsURL == "" {
		t.Skip(storetest.PostgresEnv + " and SAHAY_TEST_NATS_URL not both set: two-node reassignment skipped")
	}
	st := storetest.Open(t, store.Postgres)
	prefix := fmt.Sprintf("reassign%x", time.Now().UnixNano())
	node := func() *core.Service {
		b, err := bus.NewNATS(natsURL, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		svc := startService(t, st, true, func(c *core.Config) { c.Bus = b; c.SharedBus = true })
		t.Cleanup(svc.Close)
		return svc
	}
	one, two := node(), node()
	f := fixtureOf(t, st, one)
	leaving, leave := routedAgent(t, f, two, f.theirs, "leaving@dokan.example")
	waitRouted(t, "both nodes to see the first agent", func() (bool, string) {
		return one.AgentConnectedNow(leaving.ID) && two.AgentConnectedNow(leaving.ID), ""
	})
	setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingLeastLoaded), ReassignAfterSeconds: ptr(1)})
	id := f.receive(t, f.theirs, "c1", "m1", "hello").Conversation.ID
	waitRouted(t, "the conversation assigned", func() (bool, string) {
		c := storedConversation(t, st, f.account.ID, id)
		return c.AssigneeID == leaving.ID, fmt.Sprint(c.AssigneeID)
	})
	staying, _ := routedAgent(t, f, one, f.theirs, "staying@dokan.example")
	waitRouted(t, "both nodes to see the second agent", func() (bool, string) {
		return one.AgentConnectedNow(staying.ID) && two.AgentConnectedNow(staying.ID), ""
	})
	leave()
	waitRouted(t, "the conversation reassigned", func() (bool, string) {
		c := storedConversation(t, st, f.account.ID, id)
		return c.AssigneeID == staying.ID, fmt.Sprint(c.AssigneeID)
	})
	if acts := activities(t, f, id); !slices.Contains(acts, fmt.Sprintf("requeued:%d:disconnected", leaving.ID)) {
		t.Errorf("timeline %v does not say why the conversation was requeued", acts)
	}
}
