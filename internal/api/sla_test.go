package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
)

// slaPolicy is what the SLA policies API answers.
type slaPolicy struct {
	ID                   int64    `json:"id"`
	Name                 string   `json:"name"`
	Position             int      `json:"position"`
	InboxIDs             []int64  `json:"inbox_ids"`
	Labels               []string `json:"labels"`
	Priorities           []int    `json:"priorities"`
	FirstResponseSeconds int64    `json:"first_response_seconds"`
	NextResponseSeconds  int64    `json:"next_response_seconds"`
	ResolutionSeconds    int64    `json:"resolution_seconds"`
	BusinessHours        bool     `json:"business_hours"`
	WarnPercent          int      `json:"warn_percent"`
}

type slaClock struct {
	PolicyID           int64      `json:"policy_id"`
	FirstResponseDueAt *time.Time `json:"first_response_due_at"`
	NextResponseDueAt  *time.Time `json:"next_response_due_at"`
	ResolutionDueAt    *time.Time `json:"resolution_due_at"`
	Breached           []string   `json:"breached"`
}

func TestSLAPolicies(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Sahay Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		shop := s.NewInbox(t, owner, "Shop", "api", nil, agent.ID)
		other := s.NewAccount(t, "Elsewhere")

		// A new account starts with one policy: a first response within
		// an hour.
		list := items[slaPolicy](t, s, owner.Token, "/api/v1/sla_policies")
		if len(list) != 1 || list[0].Name != "First response within one hour" || list[0].FirstResponseSeconds != 3600 ||
			list[0].NextResponseSeconds != 0 || list[0].ResolutionSeconds != 0 || list[0].BusinessHours {
			t.Fatalf("default policies: %+v", list)
		}
		def := list[0]

		// Every bad input is refused with a message, and stores nothing.
		for _, c := range []struct {
			name string
			body map[string]any
		}{
			{"no name", map[string]any{"first_response_seconds": 600}},
			{"no target", map[string]any{"name": "Empty"}},
			{"a negative target", map[string]any{"name": "x", "first_response_seconds": -1}},
			{"a target too short", map[string]any{"name": "x", "first_response_seconds": 5}},
			{"a target too long", map[string]any{"name": "x", "resolution_seconds": 400 * 24 * 3600}},
			{"a warning at 100%", map[string]any{"name": "x", "first_response_seconds": 600, "warn_percent": 100}},
			{"an unknown inbox", map[string]any{"name": "x", "first_response_seconds": 600, "inbox_ids": []int64{shop.ID + 1000}}},
			{"an unknown team", map[string]any{"name": "x", "first_response_seconds": 600, "team_ids": []int64{999999}}},
			{"a priority of 9", map[string]any{"name": "x", "first_response_seconds": 600, "priorities": []int{9}}},
			{"a blank label", map[string]any{"name": "x", "first_response_seconds": 600, "labels": []string{" "}}},
		} {
			r := s.Call(t, owner.Token, http.MethodPost, "/api/v1/sla_policies", c.body)
			wantError(t, r, http.StatusUnprocessableEntity, "invalid")
		}
		wantError(t, s.Call(t, owner.Token, http.MethodPost, "/api/v1/sla_policies", map[string]any{"name": "x", "first_response_seconds": "soon"}),
			http.StatusBadRequest, "bad_request")
		// Agents read the policies; only administrators change them.
		wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/sla_policies", map[string]any{"name": "Mine", "first_response_seconds": 600}),
			http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/sla_policies/%d", def.ID), map[string]any{"name": "Mine"}),
			http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/sla_policies/%d", def.ID),
			map[string]any{"first_response_seconds": 0}), http.StatusUnprocessableEntity, "invalid")
		if got := items[slaPolicy](t, s, agent.Token, "/api/v1/sla_policies"); len(got) != 1 || got[0].Name != def.Name || got[0].FirstResponseSeconds != 3600 {
			t.Fatalf("after refused changes: %+v", got)
		}
		// Another account's policy is not found.
		wantError(t, s.Call(t, other.Token, http.MethodGet, fmt.Sprintf("/api/v1/sla_policies/%d", def.ID), nil), http.StatusNotFound, "not_found")

		// A VIP policy tried first.
		var vip slaPolicy
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/sla_policies", map[string]any{
			"name": "VIP", "position": 0, "labels": []string{"vip"}, "first_response_seconds": 600,
			"next_response_seconds": 900, "resolution_seconds": 4 * 3600, "warn_percent": 50,
		}, http.StatusCreated, &vip)
		s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/sla_policies/%d", def.ID), map[string]any{"position": 1}, http.StatusOK, nil)
		if got := items[slaPolicy](t, s, owner.Token, "/api/v1/sla_policies"); len(got) != 2 || got[0].ID != vip.ID || got[1].ID != def.ID {
			t.Fatalf("order: %+v", got)
		}

		// A conversation's clock: the default policy's hour from its
		// creation.
		conv := s.Receive(t, owner, shop.ID, "customer", "hello", "m1").Conversation
		clock := func(id int64) *slaClock {
			t.Helper()
			var c *slaClock
			s.Must(t, agent.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/sla", id), nil, http.StatusOK, &c)
			return c
		}
		c := clock(conv.ID)
		if c == nil || c.PolicyID != def.ID || c.FirstResponseDueAt == nil || !c.FirstResponseDueAt.Equal(conv.CreatedAt.Add(time.Hour).Truncate(time.Millisecond)) ||
			c.NextResponseDueAt != nil || c.ResolutionDueAt != nil || len(c.Breached) != 0 {
			t.Fatalf("default clock: %+v (created %s)", c, conv.CreatedAt)
		}
		// Labelled vip, the VIP policy's ten minutes apply.
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "vip"}, http.StatusCreated, nil)
		s.Must(t, agent.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", conv.ID), map[string]any{"labels": []string{"vip"}}, http.StatusOK, nil)
		c = clock(conv.ID)
		if c.PolicyID != vip.ID || c.FirstResponseDueAt == nil || c.FirstResponseDueAt.Sub(conv.CreatedAt).Round(time.Second) != 10*time.Minute || c.ResolutionDueAt == nil {
			t.Fatalf("vip clock: %+v", c)
		}
		// The agent replies: the first response is met, nothing waits.
		s.Must(t, agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"content": "Hi!"}, http.StatusCreated, nil)
		c = clock(conv.ID)
		if c.FirstResponseDueAt != nil || c.NextResponseDueAt != nil || c.ResolutionDueAt == nil || len(c.Breached) != 0 {
			t.Fatalf("after the reply: %+v", c)
		}
		// The customer writes again: the next response is due.
		s.Receive(t, owner, shop.ID, "customer", "and?", "m2")
		if c = clock(conv.ID); c.NextResponseDueAt == nil {
			t.Fatalf("after the customer's second message: %+v", c)
		}
		// The list's clocks: the caller's conversations with a policy.
		var clocks struct {
			Items []struct {
				ConversationID int64 `json:"conversation_id"`
				slaClock
			}
		}
		s.Must(t, agent.Token, http.MethodGet, fmt.Sprintf("/api/v1/sla_clocks?ids=%d,%d", conv.ID, conv.ID+1000), nil, http.StatusOK, &clocks)
		if len(clocks.Items) != 1 || clocks.Items[0].ConversationID != conv.ID || clocks.Items[0].PolicyID != vip.ID || clocks.Items[0].NextResponseDueAt == nil {
			t.Fatalf("clocks: %+v", clocks)
		}
		wantError(t, s.Call(t, agent.Token, http.MethodGet, "/api/v1/sla_clocks?ids=1,x", nil), http.StatusUnprocessableEntity, "invalid")
		var many []string
		for i := range core.MaxSLAClocks + 1 {
			many = append(many, fmt.Sprint(i+1))
		}
		wantError(t, s.Call(t, agent.Token, http.MethodGet, "/api/v1/sla_clocks?ids="+strings.Join(many, ","), nil), http.StatusUnprocessableEntity, "invalid")
		if s.Must(t, other.Token, http.MethodGet, fmt.Sprintf("/api/v1/sla_clocks?ids=%d", conv.ID), nil, http.StatusOK, &clocks); len(clocks.Items) != 0 {
			t.Fatalf("another account's clocks: %+v", clocks)
		}

		// Resolved: no clock runs.
		s.Must(t, agent.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", conv.ID), map[string]any{"status": "resolved"}, http.StatusOK, nil)
		if c = clock(conv.ID); c.FirstResponseDueAt != nil || c.NextResponseDueAt != nil || c.ResolutionDueAt != nil || len(c.Breached) != 0 {
			t.Fatalf("resolved: %+v", c)
		}

		// Without any policy, no clock.
		for _, p := range []int64{vip.ID, def.ID} {
			s.Must(t, owner.Token, http.MethodDelete, fmt.Sprintf("/api/v1/sla_policies/%d", p), nil, http.StatusNoContent, nil)
		}
		wantError(t, s.Call(t, owner.Token, http.MethodDelete, fmt.Sprintf("/api/v1/sla_policies/%d", def.ID), nil), http.StatusNotFound, "not_found")
		conv2 := s.Receive(t, owner, shop.ID, "another", "hello", "m3").Conversation
		if c = clock(conv2.ID); c != nil {
			t.Fatalf("no policy: %+v", c)
		}
	})
}
