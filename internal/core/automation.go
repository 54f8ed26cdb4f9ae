package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// Automation rules: on an event of a conversation, when a rule's
// conditions hold, its actions run through the same service methods an
// agent's requests do, as the account's automation actor, so timelines,
// counts, notifications and events follow as they would for an agent. The
// node holding the lease automationLeaseName follows the events of each
// account with rules past the account's automation cursor, as the scorer
// does; Receive never waits for it. Events that a rule's actions caused
// carry the rule's id and trigger no rule, so a rule cannot trigger itself
// or another in a loop; and a conversation takes at most
// automationRunsPerMinute runs a minute.
const (
	automationLeaseName = "automation-engine"
	automationLease     = 10 * time.Second
	automationPoll      = time.Second
	automationPause     = 100 * time.Millisecond
	automationAccounts  = 64
	automationBatch     = 256
	// automationRunsPerMinute caps the runs that act on one conversation.
	automationRunsPerMinute = 20
	// MaxAutomationRules bounds an account's rules.
	MaxAutomationRules = 100
	maxRuleConditions  = 20
	maxRuleActions     = 10
	maxAutomationRuns  = 100
)

// Events a rule runs on.
const (
	RuleMessageCreated       = "message_created"
	RuleConversationCreated  = "conversation_created"
	RuleConversationUpdated  = "conversation_updated"
	RuleConversationResolved = "conversation_resolved"
	// RuleContactCreated runs on a new contact: it has no conversation,
	// so its rules read only the contact and business hours, and only
	// send an email or call a webhook.
	RuleContactCreated = "contact_created"
	// RuleSLABreached runs when a target of a conversation's SLA policy
	// is breached (see sla_timer.go).
	RuleSLABreached = "sla_breached"
)

var ruleEvents = []string{RuleMessageCreated, RuleConversationCreated, RuleConversationUpdated, RuleConversationResolved, RuleContactCreated, RuleSLABreached}

// RuleConditions are a rule's conditions: all of All, or any of Any.
// Neither: the rule runs on every event of its kind.
type RuleConditions struct {
	All []RuleCondition `json:"all,omitempty"`
	Any []RuleCondition `json:"any,omitempty"`
}

// RuleCondition compares one attribute of the event with a value.
type RuleCondition struct {
	Attribute string `json:"attribute"`
	// Key is the contact attribute a contact_attribute condition reads.
	Key      string          `json:"key,omitempty"`
	Operator string          `json:"operator"`
	Value    json.RawMessage `json:"value"`
}

// RuleAction is one thing a rule does, with its value.
type RuleAction struct {
	Action string          `json:"action"`
	Value  json.RawMessage `json:"value,omitempty"`
}

// AutomationRuleInput creates or changes a rule; nil fields stay as they
// are.
type AutomationRuleInput struct {
	Name       *string         `json:"name"`
	Enabled    *bool           `json:"enabled"`
	Event      *string         `json:"event"`
	Conditions json.RawMessage `json:"conditions"`
	Actions    json.RawMessage `json:"actions"`
}

// kinds of attribute values.
const (
	kindNumber = "number"
	kindString = "string"
	kindBool   = "boolean"
)

type ruleAttribute struct {
	kind      string
	operators []string
	// allowed values of a string attribute; nil: any.
	allowed []string
}

var ruleAttributes = map[string]ruleAttribute{
	"inbox_id":     {kind: kindNumber, operators: []string{"equals", "not_equals", "in"}},
	"channel":      {kind: kindString, operators: []string{"equals", "not_equals", "in"}},
	"content":      {kind: kindString, operators: []string{"contains", "equals", "not_equals"}},
	"language":     {kind: kindString, operators: []string{"equals", "not_equals", "in"}},
	"sentiment":    {kind: kindString, operators: []string{"equals", "not_equals", "in"}, allowed: []string{sahay.MoodNegative, sahay.MoodNeutral, sahay.MoodPositive}},
	"urgency":      {kind: kindNumber, operators: []string{"gte"}},
	"labels":       {kind: kindString, operators: []string{"contains", "in"}},
	"priority":     {kind: kindNumber, operators: []string{"equals", "not_equals", "in", "gte"}},
	"status":       {kind: kindString, operators: []string{"equals", "not_equals", "in"}, allowed: sahay.Statuses},
	"message_type": {kind: kindString, operators: []string{"equals", "not_equals"}, allowed: []string{sahay.MessageIncoming, sahay.MessageOutgoing}},
	"private":      {kind: kindBool, operators: []string{"equals"}},
	// A conversation held in public: comments on a post, mentions.
	"public": {kind: kindBool, operators: []string{"equals"}},
	// The conversation's contact: one of its attributes (Key), compared
	// as text, and the value of its cart (its "cart_value" attribute).
	"contact_attribute": {kind: kindString, operators: []string{"equals", "not_equals", "contains"}},
	"cart_value":        {kind: kindNumber, operators: []string{"gte", "lte"}},
	// Whether the event came within the business hours of the
	// conversation's inbox (its own, else the account's).
	"business_hours": {kind: kindString, operators: []string{"equals"}, allowed: []string{"in", "out"}},
}

var ruleActions = []string{"assign_agent", "assign_team", "add_label", "remove_label", "set_priority", "send_message", "add_private_note", "resolve", "snooze",
	"send_canned_response", "send_email", "call_webhook", "apply_sla"}

// strictJSON decodes v, refusing unknown fields.
func strictJSON(raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// checkConditions validates a rule's conditions.
func checkConditions(raw json.RawMessage) (RuleConditions, error) {
	var c RuleConditions
	if len(raw) == 0 || string(raw) == "null" {
		return c, nil
	}
	if err := strictJSON(raw, &c); err != nil {
		return c, sahay.Invalid("conditions is {\"all\": [...]} or {\"any\": [...]}: %v", err)
	}
	if len(c.All) > 0 && len(c.Any) > 0 {
		return c, sahay.Invalid("conditions has all or any, not both")
	}
	list := append(slices.Clone(c.All), c.Any...)
	if len(list) > maxRuleConditions {
		return c, sahay.Invalid("a rule has at most %d conditions", maxRuleConditions)
	}
	for i, cond := range list {
		attr, ok := ruleAttributes[cond.Attribute]
		if !ok {
			return c, sahay.Invalid("condition %d: unknown attribute %q", i+1, cond.Attribute)
		}
		if cond.Attribute == "contact_attribute" {
			if k := strings.TrimSpace(cond.Key); k == "" || len(k) > 64 {
				return c, sahay.Invalid("condition %d: contact_attribute takes the attribute's key, 1 to 64 characters", i+1)
			}
		} else if cond.Key != "" {
			return c, sahay.Invalid("condition %d: only contact_attribute takes a key", i+1)
		}
		if !slices.Contains(attr.operators, cond.Operator) {
			return c, sahay.Invalid("condition %d: %s takes the operators %s, not %q", i+1, cond.Attribute, strings.Join(attr.operators, ", "), cond.Operator)
		}
		if _, err := conditionValues(cond, attr); err != nil {
			return c, sahay.Invalid("condition %d: %v", i+1, err)
		}
	}
	return c, nil
}

// conditionValues decodes a condition's value: a list for "in", one value
// otherwise.
func conditionValues(cond RuleCondition, attr ruleAttribute) ([]any, error) {
	var raw []json.RawMessage
	if cond.Operator == "in" {
		if err := json.Unmarshal(cond.Value, &raw); err != nil || len(raw) == 0 {
			return nil, fmt.Errorf("%s in takes a list of values", cond.Attribute)
		}
	} else {
		raw = []json.RawMessage{cond.Value}
	}
	out := make([]any, 0, len(raw))
	for _, r := range raw {
		var v any
		switch attr.kind {
		case kindNumber:
			var n float64
			if err := json.Unmarshal(r, &n); err != nil {
				return nil, fmt.Errorf("%s takes a number", cond.Attribute)
			}
			v = n
		case kindBool:
			var b bool
			if err := json.Unmarshal(r, &b); err != nil {
				return nil, fmt.Errorf("%s takes true or false", cond.Attribute)
			}
			v = b
		default:
			var s string
			if err := json.Unmarshal(r, &s); err != nil || strings.TrimSpace(s) == "" {
				return nil, fmt.Errorf("%s takes a text value", cond.Attribute)
			}
			if attr.allowed != nil && !slices.Contains(attr.allowed, s) {
				return nil, fmt.Errorf("%s is one of %s, not %q", cond.Attribute, strings.Join(attr.allowed, ", "), s)
			}
			v = s
		}
		out = append(out, v)
	}
	return out, nil
}

// checkActions validates a rule's actions against the account's users,
// teams and labels.
func (s *Service) checkActions(ctx context.Context, a *Actor, raw json.RawMessage) ([]RuleAction, error) {
	var actions []RuleAction
	if err := strictJSON(raw, &actions); err != nil {
		return nil, sahay.Invalid("actions is a list of {\"action\": ..., \"value\": ...}: %v", err)
	}
	if len(actions) == 0 {
		return nil, sahay.Invalid("a rule has at least one action")
	}
	if len(actions) > maxRuleActions {
		return nil, sahay.Invalid("a rule has at most %d actions", maxRuleActions)
	}
	for i, act := range actions {
		if !slices.Contains(ruleActions, act.Action) {
			return nil, sahay.Invalid("action %d: unknown action %q: use %s", i+1, act.Action, strings.Join(ruleActions, ", "))
		}
		if err := s.checkAction(ctx, a, act); err != nil {
			return nil, sahay.Invalid("action %d: %s: %v", i+1, act.Action, err)
		}
	}
	return actions, nil
}

func (s *Service) checkAction(ctx context.Context, a *Actor, act RuleAction) error {
	var n int64
	var text string
	switch act.Action {
	case "assign_agent", "assign_team", "set_priority", "snooze", "send_canned_response", "apply_sla":
		if err := json.Unmarshal(act.Value, &n); err != nil {
			return errors.New("value is a number")
		}
	case "add_label", "remove_label", "send_message", "add_private_note":
		if err := json.Unmarshal(act.Value, &text); err != nil || strings.TrimSpace(text) == "" {
			return errors.New("value is a text")
		}
	case "send_email":
		_, err := s.checkEmailAction(ctx, a, act.Value)
		return err
	case "call_webhook":
		_, err := s.checkWebhookAction(act.Value)
		return err
	case "resolve":
		if len(act.Value) != 0 && string(act.Value) != "null" {
			return errors.New("takes no value")
		}
	}
	switch act.Action {
	case "assign_agent":
		if _, err := s.store.User(ctx, a.AccountID(), n); err != nil {
			return fmt.Errorf("unknown user %d", n)
		}
	case "assign_team":
		if _, err := s.store.Team(ctx, a.AccountID(), n); err != nil {
			return fmt.Errorf("unknown team %d", n)
		}
	case "set_priority":
		if n < sahay.PriorityNone || n > sahay.PriorityUrgent {
			return errors.New("priority is 0 (none) to 4 (urgent)")
		}
	case "snooze":
		if n < 1 || n > 60*24*90 {
			return errors.New("value is the minutes to snooze, 1 to 129600")
		}
	case "add_label", "remove_label":
		if _, err := s.labelID(ctx, a, text); err != nil {
			return fmt.Errorf("unknown label %q", text)
		}
	case "send_message", "add_private_note":
		if _, err := CleanText("value", text, MaxContentBytes); err != nil {
			return err
		}
	case "send_canned_response":
		if _, err := s.cannedResponse(ctx, a.AccountID(), n); err != nil {
			return fmt.Errorf("unknown canned response %d", n)
		}
	case "apply_sla":
		if _, err := s.store.SLAPolicy(ctx, a.AccountID(), n); err != nil {
			return fmt.Errorf("unknown SLA policy %d", n)
		}
	}
	return nil
}

// AutomationRules lists the account's rules (administrators only).
func (s *Service) AutomationRules(ctx context.Context, a *Actor) ([]*store.AutomationRule, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	list, err := s.store.AutomationRules(ctx, a.AccountID())
	for i, r := range list {
		list[i] = shownRule(r)
	}
	return list, err
}

// AutomationRule returns one of the account's rules (administrators only).
func (s *Service) AutomationRule(ctx context.Context, a *Actor, id int64) (*store.AutomationRule, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	r, err := s.store.AutomationRule(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	return shownRule(r), nil
}

// SaveAutomationRule creates a rule (id 0) or changes one (administrators
// only). Everything is validated before anything is stored.
func (s *Service) SaveAutomationRule(ctx context.Context, a *Actor, id int64, in AutomationRuleInput) (*store.AutomationRule, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	r := &store.AutomationRule{AccountID: a.AccountID(), Enabled: true}
	if id != 0 {
		var err error
		if r, err = s.store.AutomationRule(ctx, a.AccountID(), id); err != nil {
			return nil, err
		}
	} else {
		if in.Name == nil || in.Event == nil || len(in.Actions) == 0 {
			return nil, sahay.Invalid("name, event and actions are required")
		}
		all, err := s.store.AutomationRules(ctx, a.AccountID())
		if err != nil {
			return nil, err
		}
		if len(all) >= MaxAutomationRules {
			return nil, sahay.Invalid("an account has at most %d automation rules", MaxAutomationRules)
		}
		r.Conditions = json.RawMessage(`{}`)
	}
	if in.Name != nil {
		name, err := cleanName("name", *in.Name, 80)
		if err != nil {
			return nil, err
		}
		r.Name = name
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if in.Event != nil {
		if !slices.Contains(ruleEvents, *in.Event) {
			return nil, sahay.Invalid("unknown event %q: use %s", *in.Event, strings.Join(ruleEvents, ", "))
		}
		r.Event = *in.Event
	}
	if in.Conditions != nil {
		c, err := checkConditions(in.Conditions)
		if err != nil {
			return nil, err
		}
		if r.Conditions, err = json.Marshal(c); err != nil {
			return nil, err
		}
	}
	if in.Actions != nil {
		actions, err := s.checkActions(ctx, a, in.Actions)
		if err != nil {
			return nil, err
		}
		if err := s.sealRuleSecrets(actions, r.Actions); err != nil {
			return nil, err
		}
		if r.Actions, err = json.Marshal(actions); err != nil {
			return nil, err
		}
	}
	if err := checkContactRule(r); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		action := "automation_rule.update"
		if id == 0 {
			action = "automation_rule.create"
			if err := tx.CreateAutomationRule(ctx, r); err != nil {
				return err
			}
		} else if err := tx.UpdateAutomationRule(ctx, r); err != nil {
			return err
		}
		return audit(ctx, tx, a, action, "automation_rule", r.ID, map[string]any{"name": r.Name, "event": r.Event})
	})
	if err != nil {
		return nil, err
	}
	return shownRule(r), nil
}

// DeleteAutomationRule removes a rule and its runs (administrators only).
func (s *Service) DeleteAutomationRule(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteAutomationRule(ctx, a.AccountID(), id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "automation_rule.delete", "automation_rule", id, nil)
	})
}

// AutomationRuns lists a rule's latest runs, newest first (administrators
// only).
func (s *Service) AutomationRuns(ctx context.Context, a *Actor, id int64) ([]*store.AutomationRun, error) {
	if _, err := s.AutomationRule(ctx, a, id); err != nil {
		return nil, err
	}
	return s.store.AutomationRuns(ctx, a.AccountID(), id, maxAutomationRuns)
}

// runAutomation runs the engine while this node holds its lease, until
// the service stops.
func (s *Service) runAutomation() {
	s.follow(follower{lease: automationLeaseName, ttl: automationLease, poll: automationPoll, gap: automationPause, pass: s.automationPass})
}

// automationPass handles one batch of each account with rules and unread
// events, and reports whether work may be left.
func (s *Service) automationPass(ctx context.Context) bool {
	backlog, err := s.store.AutomationBacklogs(ctx, 0, automationAccounts)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("automation backlog", "err", err)
		}
		return false
	}
	more := len(backlog) == automationAccounts
	for _, b := range backlog {
		upTo := min(b.Last, b.Cursor+automationBatch)
		if err := s.automateAccount(ctx, b.AccountID, b.Cursor, upTo); err != nil {
			if ctx.Err() == nil {
				s.log.Error("automation", "account", b.AccountID, "err", err)
			}
			continue
		}
		more = more || upTo < b.Last
	}
	return more
}

// ruleEvent is an event as rules see it.
type ruleEvent struct {
	seq          int64
	kind         string
	at           time.Time
	conversation *sahay.Conversation
	message      *sahay.Message
	inbox        *sahay.Inbox
	// contact is the conversation's contact, read when a rule's
	// conditions need it; inHours whether the event came within business
	// hours, when a rule's need it.
	contact *sahay.Contact
	inHours *bool
}

// automateAccount runs the account's rules on its events with after < seq
// <= upTo. The cursor moves first: an event is acted on at most once,
// even if this node stops halfway.
func (s *Service) automateAccount(ctx context.Context, accountID, after, upTo int64) error {
	moved, err := s.store.MoveAutomationCursor(ctx, accountID, after, upTo)
	if err != nil || !moved {
		return err
	}
	evs, err := s.store.AutomationEvents(ctx, accountID, after, upTo,
		[]string{sahay.EventMessageCreated, sahay.EventConversationCreated, sahay.EventConversationUpdated, sahay.EventContactCreated})
	if err != nil || len(evs) == 0 {
		return err
	}
	rules, err := s.store.AutomationRules(ctx, accountID)
	if err != nil {
		return err
	}
	inboxes, err := s.store.Inboxes(ctx, accountID)
	if err != nil {
		return err
	}
	actor := &Actor{User: &sahay.User{AccountID: accountID, Role: sahay.RoleAdmin, Name: "Automation"}}
	needContact, needHours := rulesNeed(rules)
	var account *sahay.Account
	if needHours {
		if account, err = s.store.Account(ctx, accountID); err != nil {
			return err
		}
	}
	for _, ev := range evs {
		var mark struct {
			RuleID int64 `json:"automation_rule_id"`
		}
		if err := json.Unmarshal(ev.Data, &mark); err != nil {
			return fmt.Errorf("automation: event %d: %w", ev.Seq, err)
		}
		if mark.RuleID != 0 {
			continue // caused by a rule: never triggers one
		}
		for _, re := range s.ruleEvents(ctx, ev) {
			if re.conversation != nil {
				i := slices.IndexFunc(inboxes, func(in *sahay.Inbox) bool { return in.ID == re.conversation.InboxID })
				if i >= 0 {
					re.inbox = inboxes[i]
				}
			}
			re.at = ev.CreatedAt
			if needContact && re.contact == nil && re.conversation != nil && re.conversation.ContactID != 0 {
				if re.contact, err = s.store.Contact(ctx, accountID, re.conversation.ContactID); err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
					return err
				}
			}
			if needHours {
				in := true
				if re.inbox != nil {
					if h := accountHours(re.inbox, account); h != nil {
						in = h.Open(re.at)
					}
				} else if account.BusinessHours.Enabled {
					in = account.BusinessHours.Open(re.at)
				}
				re.inHours = &in
			}
			for _, r := range rules {
				if !r.Enabled || r.Event != re.kind {
					continue
				}
				if err := s.runRule(ctx, actor, r, re); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ruleEvents reads what rules see in an event: none or one.
func (s *Service) ruleEvents(ctx context.Context, ev sahay.Event) []*ruleEvent {
	p, err := ev.Payload()
	if err != nil {
		s.log.Warn("automation: read event", "seq", ev.Seq, "err", err)
		return nil
	}
	switch p := p.(type) {
	case sahay.MessageCreated:
		if p.Message == nil {
			return nil
		}
		// A conversation's timeline says when it was resolved: the
		// transition, not every later update of a resolved conversation.
		resolved := p.Message.Kind == sahay.MessageActivity && p.Message.Content == "status:"+sahay.StatusResolved
		_, breached := slaBreachTarget(p.Message.Content)
		breached = breached && p.Message.Kind == sahay.MessageActivity
		if p.Message.Kind == sahay.MessageActivity && !resolved && !breached {
			return nil
		}
		c := p.Conversation
		if c == nil {
			if c, err = s.store.Conversation(ctx, ev.AccountID, ev.ConversationID); err != nil {
				return nil
			}
		}
		if resolved {
			return []*ruleEvent{{seq: ev.Seq, kind: RuleConversationResolved, conversation: c}}
		}
		if breached {
			return []*ruleEvent{{seq: ev.Seq, kind: RuleSLABreached, conversation: c}}
		}
		return []*ruleEvent{{seq: ev.Seq, kind: RuleMessageCreated, conversation: c, message: p.Message}}
	case sahay.ContactCreated:
		if p.Contact != nil {
			return []*ruleEvent{{seq: ev.Seq, kind: RuleContactCreated, contact: p.Contact}}
		}
	case sahay.ConversationCreated:
		if p.Conversation != nil {
			return []*ruleEvent{{seq: ev.Seq, kind: RuleConversationCreated, conversation: p.Conversation}}
		}
	case sahay.ConversationUpdated:
		if p.Conversation != nil {
			return []*ruleEvent{{seq: ev.Seq, kind: RuleConversationUpdated, conversation: p.Conversation}}
		}
	}
	return nil
}

// runRule runs a rule's actions when its conditions hold for an event,
// and records what came of it.
func (s *Service) runRule(ctx context.Context, actor *Actor, r *store.AutomationRule, re *ruleEvent) error {
	var c RuleConditions
	if err := json.Unmarshal(r.Conditions, &c); err != nil {
		return fmt.Errorf("automation: rule %d conditions: %w", r.ID, err)
	}
	if !s.conditionsHold(c, re) {
		return nil
	}
	if re.conversation == nil {
		return s.runContactRule(ctx, actor, r, re)
	}
	run := &store.AutomationRun{RuleID: r.ID, ConversationID: re.conversation.ID, EventSeq: re.seq, Outcome: store.RunOK, At: time.Now()}
	n, err := s.store.RecentAutomationRuns(ctx, re.conversation.ID, time.Now().Add(-time.Minute))
	if err != nil {
		return err
	}
	if n >= automationRunsPerMinute {
		run.Outcome, run.Detail = store.RunSkipped, fmt.Sprintf("the conversation had %d runs in the last minute", n)
	} else {
		var actions []RuleAction
		if err := json.Unmarshal(r.Actions, &actions); err != nil {
			return fmt.Errorf("automation: rule %d actions: %w", r.ID, err)
		}
		rctx := store.ByAutomation(ctx, r.ID, r.Name)
		var done []string
		for _, act := range actions {
			if err := s.runAction(rctx, actor, re.conversation.ID, act); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				run.Outcome = store.RunFailed
				done = append(done, fmt.Sprintf("%s: %v", act.Action, err))
				break
			}
			done = append(done, act.Action)
		}
		run.Detail = strings.Join(done, "; ")
	}
	return s.store.RecordAutomationRun(ctx, actor.AccountID(), run)
}

// runAction does one action to a conversation, as actor.
func (s *Service) runAction(ctx context.Context, a *Actor, conversationID int64, act RuleAction) error {
	var n int64
	var text string
	switch act.Action {
	case "assign_agent", "assign_team", "set_priority", "snooze", "send_canned_response", "apply_sla":
		if err := json.Unmarshal(act.Value, &n); err != nil {
			return err
		}
	case "add_label", "remove_label", "send_message", "add_private_note":
		if err := json.Unmarshal(act.Value, &text); err != nil {
			return err
		}
	}
	var err error
	switch act.Action {
	case "assign_agent":
		_, err = s.UpdateConversation(ctx, a, conversationID, ConversationUpdate{AssigneeID: &n})
	case "assign_team":
		_, err = s.UpdateConversation(ctx, a, conversationID, ConversationUpdate{TeamID: &n})
	case "set_priority":
		p := int(n)
		_, err = s.UpdateConversation(ctx, a, conversationID, ConversationUpdate{Priority: &p})
	case "resolve":
		status := sahay.StatusResolved
		_, err = s.UpdateConversation(ctx, a, conversationID, ConversationUpdate{Status: &status})
	case "snooze":
		status, until := sahay.StatusSnoozed, time.Now().Add(time.Duration(n)*time.Minute)
		_, err = s.UpdateConversation(ctx, a, conversationID, ConversationUpdate{Status: &status, SnoozedUntil: &until})
	case "add_label", "remove_label":
		var c *sahay.Conversation
		if c, err = s.store.Conversation(ctx, a.AccountID(), conversationID); err != nil {
			return err
		}
		labels := slices.DeleteFunc(slices.Clone(c.Labels), func(l string) bool { return l == text })
		if act.Action == "add_label" {
			labels = append(labels, text)
		}
		if slices.Equal(labels, c.Labels) || (act.Action == "add_label" && slices.Contains(c.Labels, text)) {
			return nil
		}
		_, err = s.SetLabels(ctx, a, conversationID, labels)
	case "send_message", "add_private_note":
		_, err = s.PostMessage(ctx, a, conversationID, NewMessage{Content: text, Private: act.Action == "add_private_note"})
	case "send_canned_response":
		err = s.sendCanned(ctx, a, conversationID, n)
	case "send_email":
		err = s.sendRuleEmail(ctx, a, act.Value)
	case "call_webhook":
		err = s.queueRuleWebhook(ctx, a, conversationID, act.Value)
	case "apply_sla":
		err = s.applySLA(ctx, a, conversationID, n)
	}
	return err
}

// conditionsHold reports whether an event meets a rule's conditions.
func (s *Service) conditionsHold(c RuleConditions, re *ruleEvent) bool {
	if len(c.Any) > 0 {
		return slices.ContainsFunc(c.Any, func(cond RuleCondition) bool { return s.conditionHolds(cond, re) })
	}
	for _, cond := range c.All {
		if !s.conditionHolds(cond, re) {
			return false
		}
	}
	return true
}

// conditionHolds reports whether an event meets one condition. A message
// attribute of an event without a message never holds.
func (s *Service) conditionHolds(cond RuleCondition, re *ruleEvent) bool {
	attr := ruleAttributes[cond.Attribute]
	want, err := conditionValues(cond, attr)
	if err != nil {
		return false
	}
	c, m := re.conversation, re.message
	if c == nil && !contactAttributes[cond.Attribute] {
		return false // a contact's event has no conversation
	}
	var got any
	switch cond.Attribute {
	case "inbox_id":
		got = float64(c.InboxID)
	case "channel":
		if re.inbox == nil {
			return false
		}
		got = re.inbox.Channel
	case "priority":
		got = float64(c.Priority)
	case "public":
		got = c.Public
	case "status":
		got = c.Status
	case "contact_attribute":
		if re.contact == nil {
			return false
		}
		v, ok := re.contact.Attributes[strings.TrimSpace(cond.Key)]
		if !ok || v == nil {
			return cond.Operator == "not_equals"
		}
		text := fold(attributeText(v))
		if cond.Operator == "contains" {
			return strings.Contains(text, fold(want[0].(string)))
		}
		got, want = text, []any{fold(want[0].(string))}
	case "cart_value":
		if re.contact == nil {
			return false
		}
		v, ok := re.contact.Attributes["cart_value"].(float64)
		if !ok {
			return false
		}
		got = v
	case "business_hours":
		if re.inHours == nil {
			return false
		}
		got = "out"
		if *re.inHours {
			got = "in"
		}
	case "labels":
		for _, w := range want {
			if slices.Contains(c.Labels, w.(string)) {
				return true
			}
		}
		return false
	case "content", "message_type", "private", "language", "sentiment", "urgency":
		if m == nil {
			return s.moodHolds(cond, want, c)
		}
		switch cond.Attribute {
		case "content":
			if cond.Operator == "contains" {
				return strings.Contains(fold(m.Content), fold(want[0].(string)))
			}
			got = fold(m.Content)
			want = []any{fold(want[0].(string))}
		case "message_type":
			got = m.Kind
		case "private":
			got = m.Private()
		default:
			if m.Kind != sahay.MessageIncoming {
				return false
			}
			an := s.analyze(m.Content)
			switch cond.Attribute {
			case "language":
				got = an.Language
			case "sentiment":
				got = an.Sentiment
			case "urgency":
				return an.Urgency >= want[0].(float64)
			}
		}
	}
	return compare(cond.Operator, got, want)
}

// moodHolds reads language, sentiment and urgency of a conversation event
// from the conversation's mood; message attributes do not hold.
func (s *Service) moodHolds(cond RuleCondition, want []any, c *sahay.Conversation) bool {
	switch cond.Attribute {
	case "language":
		return c.Language != "" && compare(cond.Operator, c.Language, want)
	case "sentiment":
		return c.Mood != nil && compare(cond.Operator, c.Mood.Sentiment, want)
	case "urgency":
		return c.Mood != nil && c.Mood.Urgency >= want[0].(float64)
	}
	return false
}

func compare(op string, got any, want []any) bool {
	switch op {
	case "equals":
		return got == want[0]
	case "not_equals":
		return got != want[0]
	case "in":
		return slices.Contains(want, got)
	case "gte":
		g, ok := got.(float64)
		return ok && g >= want[0].(float64)
	case "lte":
		g, ok := got.(float64)
		return ok && g <= want[0].(float64)
	}
	return false
}

// fold is text as content conditions compare it: NFC, case folded.
func fold(s string) string { return strings.ToLower(textnorm.NFC(s)) }
