package core

import (
	"context"
	"slices"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// SLAs: a policy sets targets for the first response, the next response
// and the resolution of the conversations it applies to, counted in the
// business hours of the conversation's inbox or in calendar time. The
// policy of a conversation is the one a rule's apply_sla action set on
// it, else the first, in position order, whose inbox, team, label and
// priority lists all match it (an empty list matches anything). Every
// account starts with one policy that matches everything: a first
// response within one hour.
const (
	// MaxSLAPolicies bounds an account's policies.
	MaxSLAPolicies = 100
	// MaxSLATarget bounds a target: 366 days.
	MaxSLATarget = 366 * 24 * 3600
	maxSLAList   = 100
)

// SLA targets.
const (
	SLAFirstResponse = "first_response"
	SLANextResponse  = "next_response"
	SLAResolution    = "resolution"
)

// SLAPolicyInput creates or changes a policy; nil fields stay as they
// are.
type SLAPolicyInput struct {
	Name                 *string   `json:"name"`
	Position             *int      `json:"position"`
	InboxIDs             *[]int64  `json:"inbox_ids"`
	TeamIDs              *[]int64  `json:"team_ids"`
	Labels               *[]string `json:"labels"`
	Priorities           *[]int    `json:"priorities"`
	FirstResponseSeconds *int64    `json:"first_response_seconds"`
	NextResponseSeconds  *int64    `json:"next_response_seconds"`
	ResolutionSeconds    *int64    `json:"resolution_seconds"`
	BusinessHours        *bool     `json:"business_hours"`
	WarnPercent          *int      `json:"warn_percent"`
	WarnSeconds          *int64    `json:"warn_seconds"`
}

// SLAPolicies lists the account's policies in the order they are tried.
func (s *Service) SLAPolicies(ctx context.Context, a *Actor) ([]*store.SLAPolicy, error) {
	return s.store.SLAPolicies(ctx, a.AccountID())
}

// SLAPolicy returns one of the account's policies.
func (s *Service) SLAPolicy(ctx context.Context, a *Actor, id int64) (*store.SLAPolicy, error) {
	return s.store.SLAPolicy(ctx, a.AccountID(), id)
}

// SaveSLAPolicy creates a policy (id 0) or changes one; administrators
// only. Everything is validated before anything is stored.
func (s *Service) SaveSLAPolicy(ctx context.Context, a *Actor, id int64, in SLAPolicyInput) (*store.SLAPolicy, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "only administrators change SLA policies")
	}
	p := &store.SLAPolicy{AccountID: a.AccountID()}
	if id != 0 {
		var err error
		if p, err = s.store.SLAPolicy(ctx, a.AccountID(), id); err != nil {
			return nil, err
		}
	} else {
		if in.Name == nil {
			return nil, sahay.Invalid("name is required")
		}
		list, err := s.store.SLAPolicies(ctx, a.AccountID())
		if err != nil {
			return nil, err
		}
		if len(list) >= MaxSLAPolicies {
			return nil, sahay.Invalid("an account has at most %d SLA policies", MaxSLAPolicies)
		}
		if in.Position == nil && len(list) > 0 {
			p.Position = list[len(list)-1].Position + 1
		}
	}
	if in.Name != nil {
		name, err := cleanName("name", *in.Name, 80)
		if err != nil {
			return nil, err
		}
		p.Name = name
	}
	if in.Position != nil {
		if *in.Position < 0 || *in.Position > 10000 {
			return nil, sahay.Invalid("position is 0 to 10000")
		}
		p.Position = *in.Position
	}
	if in.InboxIDs != nil {
		if len(*in.InboxIDs) > maxSLAList {
			return nil, sahay.Invalid("inbox_ids has at most %d inboxes", maxSLAList)
		}
		for _, iid := range *in.InboxIDs {
			if _, err := s.store.Inbox(ctx, a.AccountID(), iid); err != nil {
				return nil, sahay.Invalid("inbox_ids: there is no inbox %d", iid)
			}
		}
		p.InboxIDs = slices.Clone(*in.InboxIDs)
	}
	if in.TeamIDs != nil {
		if len(*in.TeamIDs) > maxSLAList {
			return nil, sahay.Invalid("team_ids has at most %d teams", maxSLAList)
		}
		for _, tid := range *in.TeamIDs {
			if _, err := s.store.Team(ctx, a.AccountID(), tid); err != nil {
				return nil, sahay.Invalid("team_ids: there is no team %d", tid)
			}
		}
		p.TeamIDs = slices.Clone(*in.TeamIDs)
	}
	if in.Labels != nil {
		if len(*in.Labels) > maxSLAList {
			return nil, sahay.Invalid("labels has at most %d labels", maxSLAList)
		}
		var labels []string
		for _, l := range *in.Labels {
			name, err := cleanName("a label", l, 80)
			if err != nil {
				return nil, err
			}
			labels = append(labels, name)
		}
		p.Labels = labels
	}
	if in.Priorities != nil {
		for _, n := range *in.Priorities {
			if n < sahay.PriorityNone || n > sahay.PriorityUrgent {
				return nil, sahay.Invalid("priorities are 0 (none) to 4 (urgent), not %d", n)
			}
		}
		p.Priorities = slices.Clone(*in.Priorities)
	}
	for _, t := range []struct {
		name string
		in   *int64
		out  *int64
	}{{"first_response_seconds", in.FirstResponseSeconds, &p.FirstResponseSeconds},
		{"next_response_seconds", in.NextResponseSeconds, &p.NextResponseSeconds},
		{"resolution_seconds", in.ResolutionSeconds, &p.ResolutionSeconds}} {
		if t.in == nil {
			continue
		}
		if *t.in < 0 || *t.in > MaxSLATarget {
			return nil, sahay.Invalid("%s is 0 (no target) to %d (366 days)", t.name, MaxSLATarget)
		}
		if *t.in != 0 && *t.in < 60 {
			return nil, sahay.Invalid("%s is at least 60 seconds", t.name)
		}
		*t.out = *t.in
	}
	if p.FirstResponseSeconds == 0 && p.NextResponseSeconds == 0 && p.ResolutionSeconds == 0 {
		return nil, sahay.Invalid("a policy sets at least one of first_response_seconds, next_response_seconds and resolution_seconds")
	}
	if in.BusinessHours != nil {
		p.BusinessHours = *in.BusinessHours
	}
	if in.WarnPercent != nil {
		if *in.WarnPercent < 0 || *in.WarnPercent > 99 {
			return nil, sahay.Invalid("warn_percent is 0 (none) to 99")
		}
		p.WarnPercent = *in.WarnPercent
	}
	if in.WarnSeconds != nil {
		if *in.WarnSeconds < 0 || *in.WarnSeconds > MaxSLATarget {
			return nil, sahay.Invalid("warn_seconds is 0 (none) to %d", MaxSLATarget)
		}
		p.WarnSeconds = *in.WarnSeconds
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		action := "sla_policy.update"
		if id == 0 {
			action = "sla_policy.create"
			if err := tx.CreateSLAPolicy(ctx, p); err != nil {
				return err
			}
		} else if err := tx.UpdateSLAPolicy(ctx, p); err != nil {
			return err
		}
		return audit(ctx, tx, a, action, "sla_policy", p.ID, map[string]any{"name": p.Name})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DeleteSLAPolicy removes a policy; administrators only.
func (s *Service) DeleteSLAPolicy(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return sahay.Errorf(sahay.EFORBIDDEN, "only administrators change SLA policies")
	}
	p, err := s.store.SLAPolicy(ctx, a.AccountID(), id)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSLAPolicy(ctx, a.AccountID(), id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "sla_policy.delete", "sla_policy", id, map[string]any{"name": p.Name})
	})
}

// slaMatches reports whether a policy's lists match a conversation.
func slaMatches(p *store.SLAPolicy, c *sahay.Conversation) bool {
	if len(p.InboxIDs) > 0 && !slices.Contains(p.InboxIDs, c.InboxID) {
		return false
	}
	if len(p.TeamIDs) > 0 && !slices.Contains(p.TeamIDs, c.TeamID) {
		return false
	}
	if len(p.Priorities) > 0 && !slices.Contains(p.Priorities, c.Priority) {
		return false
	}
	if len(p.Labels) > 0 && !slices.ContainsFunc(p.Labels, func(l string) bool { return slices.Contains(c.Labels, l) }) {
		return false
	}
	return true
}

// pickSLAPolicy returns the policy of a conversation among the account's
// policies (in position order): the applied one when it still exists,
// else the first that matches; nil when none does.
func pickSLAPolicy(policies []*store.SLAPolicy, applied int64, c *sahay.Conversation) *store.SLAPolicy {
	if applied != 0 {
		for _, p := range policies {
			if p.ID == applied {
				return p
			}
		}
	}
	for _, p := range policies {
		if slaMatches(p, c) {
			return p
		}
	}
	return nil
}

// ConversationSLA is a conversation's SLA clock: its policy and when each
// target that still runs is due. A due time is absent when the target is
// not set, is met, or does not run now (no customer message waiting for
// a next response; a resolved conversation). Breached names the targets
// missed: still unmet past their due time, or met late.
type ConversationSLA struct {
	PolicyID           int64      `json:"policy_id"`
	PolicyName         string     `json:"policy_name"`
	BusinessHours      bool       `json:"business_hours"`
	FirstResponseDueAt *time.Time `json:"first_response_due_at"`
	NextResponseDueAt  *time.Time `json:"next_response_due_at"`
	ResolutionDueAt    *time.Time `json:"resolution_due_at"`
	Breached           []string   `json:"breached"`
}

// ConversationSLA returns a conversation's SLA clock; nil when no policy
// applies to it.
func (s *Service) ConversationSLA(ctx context.Context, a *Actor, id int64) (*ConversationSLA, error) {
	c, err := s.Conversation(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.conversationSLA(ctx, c, time.Now())
}

func (s *Service) conversationSLA(ctx context.Context, c *sahay.Conversation, now time.Time) (*ConversationSLA, error) {
	policies, err := s.store.SLAPolicies(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	applied, err := s.store.AppliedSLAPolicy(ctx, c.AccountID, c.ID)
	if err != nil {
		return nil, err
	}
	p := pickSLAPolicy(policies, applied, c)
	if p == nil {
		return nil, nil
	}
	hours := sahay.BusinessHours{}
	if p.BusinessHours {
		if hours, err = s.HoursFor(ctx, c.AccountID, c.InboxID); err != nil {
			return nil, err
		}
	}
	return slaClock(p, hours, c, now), nil
}

// slaClock computes a conversation's clock under a policy and the
// business hours its targets count in (disabled hours: calendar time).
//   - The first response is due its target after the conversation was
//     created, until an agent first replies.
//   - The next response is due its target after the customer's oldest
//     unanswered message (waiting_since), once the first reply was made.
//   - The resolution is due its target after the conversation was
//     created, until it is resolved; a reopened conversation's clock runs
//     on from its creation.
func slaClock(p *store.SLAPolicy, hours sahay.BusinessHours, c *sahay.Conversation, now time.Time) *ConversationSLA {
	out := &ConversationSLA{PolicyID: p.ID, PolicyName: p.Name, BusinessHours: p.BusinessHours, Breached: []string{}}
	due := func(from time.Time, seconds int64) time.Time {
		return addBusiness(hours, from, time.Duration(seconds)*time.Second)
	}
	check := func(target string, d time.Time, metAt *time.Time) *time.Time {
		if metAt != nil {
			if metAt.After(d) {
				out.Breached = append(out.Breached, target)
			}
			return nil
		}
		if !now.Before(d) {
			out.Breached = append(out.Breached, target)
		}
		d = d.UTC()
		return &d
	}
	resolved := c.Status == sahay.StatusResolved
	if p.FirstResponseSeconds > 0 {
		met := c.FirstReplyAt
		d := due(c.CreatedAt, p.FirstResponseSeconds)
		if met == nil && resolved {
			// Resolved without a reply: nothing more is due.
			if c.ResolvedAt != nil && c.ResolvedAt.After(d) {
				out.Breached = append(out.Breached, SLAFirstResponse)
			}
		} else {
			out.FirstResponseDueAt = check(SLAFirstResponse, d, met)
		}
	}
	if p.NextResponseSeconds > 0 && c.FirstReplyAt != nil && c.WaitingSince != nil && !resolved {
		out.NextResponseDueAt = check(SLANextResponse, due(*c.WaitingSince, p.NextResponseSeconds), nil)
	}
	if p.ResolutionSeconds > 0 {
		var met *time.Time
		if resolved {
			met = c.ResolvedAt
			if met == nil {
				met = &c.UpdatedAt
			}
		}
		out.ResolutionDueAt = check(SLAResolution, due(c.CreatedAt, p.ResolutionSeconds), met)
	}
	return out
}

// addBusiness returns the time d of open hours after from: calendar time
// when the hours are disabled, or never close. Time outside the hours,
// holidays included, does not count. Hours that never open again give
// from+d in calendar time rather than no due time at all.
func addBusiness(h sahay.BusinessHours, from time.Time, d time.Duration) time.Time {
	if !h.Enabled {
		return from.Add(d)
	}
	t, ok := h.NextOpen(from)
	if !ok {
		return from.Add(d)
	}
	for range 5000 {
		closeAt, closes := h.NextClose(t)
		if !closes || closeAt.Sub(t) >= d {
			return t.Add(d)
		}
		d -= closeAt.Sub(t)
		if t, ok = h.NextOpen(closeAt); !ok {
			return closeAt.Add(d)
		}
	}
	return t.Add(d)
}

// slaTargetWords name the targets in email and push notifications.
var slaTargetWords = map[string]string{SLAFirstResponse: "first response", SLANextResponse: "next response", SLAResolution: "resolution"}

// applySLA sets the policy of a conversation, overriding the matching
// ones: a rule's apply_sla action.
func (s *Service) applySLA(ctx context.Context, a *Actor, conversationID, policyID int64) error {
	c, err := s.store.Conversation(ctx, a.AccountID(), conversationID)
	if err != nil {
		return err
	}
	if _, err := s.store.SLAPolicy(ctx, a.AccountID(), policyID); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error { return tx.ApplySLAPolicy(ctx, c.AccountID, c.ID, policyID) })
}

// MaxSLAClocks bounds the conversations of one ConversationSLAs call.
const MaxSLAClocks = 100

// ConversationClock is one conversation's SLA clock in a list of them.
type ConversationClock struct {
	ConversationID     int64      `json:"conversation_id"`
	PolicyID           int64      `json:"policy_id"`
	PolicyName         string     `json:"policy_name"`
	BusinessHours      bool       `json:"business_hours"`
	FirstResponseDueAt *time.Time `json:"first_response_due_at"`
	NextResponseDueAt  *time.Time `json:"next_response_due_at"`
	ResolutionDueAt    *time.Time `json:"resolution_due_at"`
	Breached           []string   `json:"breached"`
}

// ConversationSLAs returns the SLA clocks of the conversations the actor
// may see among ids, for a list of conversations: those with no policy,
// or not visible, are left out.
func (s *Service) ConversationSLAs(ctx context.Context, a *Actor, ids []int64) ([]ConversationClock, error) {
	if len(ids) > MaxSLAClocks {
		return nil, sahay.Invalid("ids names at most %d conversations", MaxSLAClocks)
	}
	policies, err := s.store.SLAPolicies(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	out := []ConversationClock{}
	if len(policies) == 0 {
		return out, nil
	}
	applied, err := s.store.AppliedSLAPolicies(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	hours := map[int64]sahay.BusinessHours{}
	now := time.Now()
	for _, id := range ids {
		c, err := s.Conversation(ctx, a, id)
		if sahay.ErrorCode(err) == sahay.ENOTFOUND || sahay.ErrorCode(err) == sahay.EFORBIDDEN {
			continue
		}
		if err != nil {
			return nil, err
		}
		p := pickSLAPolicy(policies, applied[c.ID], c)
		if p == nil {
			continue
		}
		h := sahay.BusinessHours{}
		if p.BusinessHours {
			var ok bool
			if h, ok = hours[c.InboxID]; !ok {
				if h, err = s.HoursFor(ctx, c.AccountID, c.InboxID); err != nil {
					return nil, err
				}
				hours[c.InboxID] = h
			}
		}
		k := slaClock(p, h, c, now)
		out = append(out, ConversationClock{ConversationID: c.ID, PolicyID: k.PolicyID, PolicyName: k.PolicyName, BusinessHours: k.BusinessHours,
			FirstResponseDueAt: k.FirstResponseDueAt, NextResponseDueAt: k.NextResponseDueAt, ResolutionDueAt: k.ResolutionDueAt, Breached: k.Breached})
	}
	return out, nil
}
