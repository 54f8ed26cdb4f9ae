package core

import (
	"encoding/json"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
)

// TestRuleConditions checks each condition kind against a message event
// and a conversation event, with the analyzer's reading fixed.
func TestRuleConditions(t *testing.T) {
	s := &Service{analyze: func(text string) nlp.Analysis {
		return nlp.Analysis{Language: "bn", Sentiment: "negative", Urgency: 0.8}
	}}
	conv := &sahay.Conversation{ID: 1, InboxID: 7, Status: sahay.StatusOpen, Priority: 2, Labels: []string{"vip"},
		Language: "en", Mood: &sahay.Mood{Sentiment: "positive", Urgency: 0.2}}
	msg := &sahay.Message{Kind: sahay.MessageIncoming, Content: "Café REFUND please"}
	onMessage := &ruleEvent{kind: RuleMessageCreated, conversation: conv, message: msg, inbox: &sahay.Inbox{ID: 7, Channel: "whatsapp"}}
	onUpdate := &ruleEvent{kind: RuleConversationUpdated, conversation: conv, inbox: &sahay.Inbox{ID: 7, Channel: "whatsapp"}}
	for _, c := range []struct {
		attribute, operator string
		value               any
		message, update     bool
	}{
		{"inbox_id", "equals", 7, true, true},
		{"inbox_id", "in", []int{3, 4}, false, false},
		{"channel", "not_equals", "email", true, true},
		// NFC and case: "Cafe\u0301" is "Café".
		{"content", "contains", "cafe\u0301 refund", true, false},
		{"content", "contains", "invoice", false, false},
		{"language", "equals", "bn", true, false},
		{"language", "equals", "en", false, true},
		{"sentiment", "in", []string{"negative"}, true, false},
		{"sentiment", "equals", "positive", false, true},
		{"urgency", "gte", 0.5, true, false},
		{"urgency", "gte", 0.1, true, true},
		{"labels", "contains", "vip", true, true},
		{"labels", "in", []string{"billing", "spam"}, false, false},
		{"priority", "gte", 2, true, true},
		{"priority", "not_equals", 2, false, false},
		{"status", "in", []string{"open", "pending"}, true, true},
		{"message_type", "equals", "incoming", true, false},
		{"message_type", "equals", "outgoing", false, false},
		{"private", "equals", false, true, false},
		{"public", "equals", false, true, true},
		{"public", "equals", true, false, false},
	} {
		v, _ := json.Marshal(c.value)
		cond := RuleCondition{Attribute: c.attribute, Operator: c.operator, Value: v}
		if _, err := checkConditions(mustJSON(t, RuleConditions{All: []RuleCondition{cond}})); err != nil {
			t.Errorf("%s %s %s: %v", c.attribute, c.operator, v, err)
			continue
		}
		if got := s.conditionHolds(cond, onMessage); got != c.message {
			t.Errorf("%s %s %s on a message: %v, want %v", c.attribute, c.operator, v, got, c.message)
		}
		if got := s.conditionHolds(cond, onUpdate); got != c.update {
			t.Errorf("%s %s %s on an update: %v, want %v", c.attribute, c.operator, v, got, c.update)
		}
	}

	// all needs every condition, any one of them.
	yes := RuleCondition{Attribute: "priority", Operator: "equals", Value: json.RawMessage(`2`)}
	no := RuleCondition{Attribute: "priority", Operator: "equals", Value: json.RawMessage(`3`)}
	for _, c := range []struct {
		conditions RuleConditions
		want       bool
	}{
		{RuleConditions{}, true},
		{RuleConditions{All: []RuleCondition{yes, yes}}, true},
		{RuleConditions{All: []RuleCondition{yes, no}}, false},
		{RuleConditions{Any: []RuleCondition{no, yes}}, true},
		{RuleConditions{Any: []RuleCondition{no, no}}, false},
	} {
		if got := s.conditionsHold(c.conditions, onUpdate); got != c.want {
			t.Errorf("%+v: %v, want %v", c.conditions, got, c.want)
		}
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRuleContactAndHoursConditions checks the conditions on the
// conversation's contact and on business hours, and the variables of a
// canned response.
func TestRuleContactAndHoursConditions(t *testing.T) {
	s := &Service{}
	in, out := true, false
	conv := &sahay.Conversation{ID: 1, InboxID: 7}
	rich := &ruleEvent{kind: RuleMessageCreated, conversation: conv, inHours: &in,
		contact: &sahay.Contact{Attributes: map[string]any{"city": "Dhaka", "cart_value": 2500.0, "vip": true, "orders_count": 3.0}}}
	bare := &ruleEvent{kind: RuleMessageCreated, conversation: conv, inHours: &out, contact: &sahay.Contact{}}
	for _, c := range []struct {
		attribute, key, operator string
		value                    any
		rich, bare               bool
	}{
		{"contact_attribute", "city", "equals", "DHAKA", true, false},
		{"contact_attribute", "city", "contains", "dha", true, false},
		{"contact_attribute", "city", "not_equals", "Sylhet", true, true},
		{"contact_attribute", "vip", "equals", "true", true, false},
		{"contact_attribute", "orders_count", "equals", "3", true, false},
		{"cart_value", "", "gte", 1000, true, false},
		{"cart_value", "", "lte", 1000, false, false},
		{"business_hours", "", "equals", "in", true, false},
		{"business_hours", "", "equals", "out", false, true},
	} {
		v, _ := json.Marshal(c.value)
		cond := RuleCondition{Attribute: c.attribute, Key: c.key, Operator: c.operator, Value: v}
		if _, err := checkConditions(mustJSON(t, RuleConditions{All: []RuleCondition{cond}})); err != nil {
			t.Errorf("%s %s %s %s: %v", c.attribute, c.key, c.operator, v, err)
			continue
		}
		if got := s.conditionHolds(cond, rich); got != c.rich {
			t.Errorf("%s %s %s %s on the rich contact: %v, want %v", c.attribute, c.key, c.operator, v, got, c.rich)
		}
		if got := s.conditionHolds(cond, bare); got != c.bare {
			t.Errorf("%s %s %s %s on the bare contact: %v, want %v", c.attribute, c.key, c.operator, v, got, c.bare)
		}
	}
	vars := map[string]string{"contact.name": "Nadia", "conversation.id": "42"}
	if got := fillVariables("Hi {{ contact.name }}, #{{conversation.id}} {{agent.name}} {{", vars); got != "Hi Nadia, #42 {{agent.name}} {{" {
		t.Errorf("fillVariables: %q", got)
	}
}
