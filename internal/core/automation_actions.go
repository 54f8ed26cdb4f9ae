package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
	"github.com/sahayhq/sahay/internal/store"
)

// The automation actions that reach outside a conversation's timeline:
// a canned response, an email from the account's email inbox, and a
// signed call of an outgoing webhook, delivered from the jobs queue.

const (
	jobRuleWebhook = "automation_webhook"
	// RuleWebhookTimeout bounds one delivery of a rule's webhook; the
	// job's backoff retries a failed one a few times.
	RuleWebhookTimeout = 10 * time.Second
	// RuleWebhookSignatureHeader carries a rule webhook's signature, made
	// as [SignWebhook] makes an agent bot's.
	RuleWebhookSignatureHeader = "X-Sahay-Signature"
	minWebhookSecret           = 16
	maxWebhookSecret           = 200
	sealedPrefix               = "sealed:"
	maxEmailSubject            = 200
)

// rulesNeed reports whether any enabled rule's conditions read the
// contact, or business hours: what the engine reads for each event only
// then.
func rulesNeed(rules []*store.AutomationRule) (contact, hours bool) {
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		var c RuleConditions
		if json.Unmarshal(r.Conditions, &c) != nil {
			continue
		}
		for _, cond := range append(c.All, c.Any...) {
			switch cond.Attribute {
			case "contact_attribute", "cart_value":
				contact = true
			case "business_hours":
				hours = true
			}
		}
	}
	return contact, hours
}

// contactAttributes are the conditions a contact_created rule may have:
// its event has no conversation, no message, no inbox.
var contactAttributes = map[string]bool{"contact_attribute": true, "cart_value": true, "business_hours": true}

// contactActions are the actions a contact_created rule may have.
var contactActions = []string{"send_email", "call_webhook"}

// checkContactRule refuses, in a contact_created rule, a condition or
// action that needs a conversation.
func checkContactRule(r *store.AutomationRule) error {
	if r.Event != RuleContactCreated {
		return nil
	}
	var c RuleConditions
	if err := json.Unmarshal(r.Conditions, &c); err != nil {
		return err
	}
	for i, cond := range append(c.All, c.Any...) {
		if !contactAttributes[cond.Attribute] {
			return sahay.Invalid("condition %d: a contact_created rule reads only contact_attribute, cart_value and business_hours, not %s", i+1, cond.Attribute)
		}
	}
	var actions []RuleAction
	if err := json.Unmarshal(r.Actions, &actions); err != nil {
		return err
	}
	for i, act := range actions {
		if !slices.Contains(contactActions, act.Action) {
			return sahay.Invalid("action %d: a contact_created rule may only send_email or call_webhook, not %s: it has no conversation", i+1, act.Action)
		}
	}
	return nil
}

// runContactRule runs a rule's actions on a new contact and records the
// run, without a conversation; its detail ends with "contact <id>".
func (s *Service) runContactRule(ctx context.Context, actor *Actor, r *store.AutomationRule, re *ruleEvent) error {
	var actions []RuleAction
	if err := json.Unmarshal(r.Actions, &actions); err != nil {
		return fmt.Errorf("automation: rule %d actions: %w", r.ID, err)
	}
	run := &store.AutomationRun{RuleID: r.ID, EventSeq: re.seq, Outcome: store.RunOK, At: time.Now()}
	rctx := store.ByAutomation(ctx, r.ID, r.Name)
	var done []string
	for _, act := range actions {
		var err error
		switch act.Action {
		case "send_email":
			err = s.sendRuleEmail(rctx, actor, act.Value)
		case "call_webhook":
			err = s.queueWebhookCall(rctx, actor, nil, re.contact, act.Value)
		default:
			err = errors.New("needs a conversation")
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			run.Outcome = store.RunFailed
			done = append(done, fmt.Sprintf("%s: %v", act.Action, err))
			break
		}
		done = append(done, act.Action)
	}
	run.Detail = strings.Join(append(done, fmt.Sprintf("contact %d", re.contact.ID)), "; ")
	return s.store.RecordAutomationRun(ctx, actor.AccountID(), run)
}

// attributeText is a contact attribute's value as conditions compare it.
func attributeText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// cannedResponse returns one of the account's canned responses.
func (s *Service) cannedResponse(ctx context.Context, accountID, id int64) (*sahay.CannedResponse, error) {
	list, err := s.store.CannedResponses(ctx, accountID)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, sahay.NotFound("canned response")
}

// sendCanned replies with a canned response, its variables filled as the
// composer fills them ({{agent.name}} is the agent who runs a macro, and
// for a rule, which no agent writes, the account's name).
func (s *Service) sendCanned(ctx context.Context, a *Actor, conversationID, id int64) error {
	canned, err := s.cannedResponse(ctx, a.AccountID(), id)
	if err != nil {
		return fmt.Errorf("canned response %d is gone", id)
	}
	c, err := s.store.Conversation(ctx, a.AccountID(), conversationID)
	if err != nil {
		return err
	}
	values := map[string]string{"conversation.id": strconv.FormatInt(c.DisplayID, 10)}
	if contact, err := s.store.Contact(ctx, a.AccountID(), c.ContactID); err == nil {
		first, _, _ := strings.Cut(strings.TrimSpace(contact.Name), " ")
		values["contact.name"], values["contact.first_name"] = contact.Name, first
		values["contact.email"], values["contact.phone"] = contact.Email, contact.Phone
	}
	if a.User.ID != 0 {
		// A macro's actor: the agent who ran it.
		values["agent.name"] = a.User.Name
	} else if acc, err := s.store.Account(ctx, a.AccountID()); err == nil {
		values["agent.name"] = acc.Name
	}
	_, err = s.PostMessage(ctx, a, conversationID, NewMessage{Content: fillVariables(canned.Content, values)})
	return err
}

// fillVariables replaces {{name}} with its value; unknown names stay.
func fillVariables(text string, values map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			break
		}
		name := strings.TrimSpace(text[i+2 : i+j])
		b.WriteString(text[:i])
		if v, ok := values[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(text[i : i+j+2])
		}
		text = text[i+j+2:]
	}
	b.WriteString(text)
	return b.String()
}

// ruleEmail is the value of a send_email action: a new email from one of
// the account's email inboxes, through the outbound pipeline.
type ruleEmail struct {
	InboxID int64  `json:"inbox_id"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Content string `json:"content"`
}

func (s *Service) checkEmailAction(ctx context.Context, a *Actor, raw json.RawMessage) (ruleEmail, error) {
	var e ruleEmail
	if err := strictJSON(raw, &e); err != nil {
		return e, errors.New(`value is {"inbox_id", "to", "subject", "content"}`)
	}
	inbox, err := s.store.Inbox(ctx, a.AccountID(), e.InboxID)
	if err != nil {
		return e, fmt.Errorf("unknown inbox %d", e.InboxID)
	}
	if inbox.Channel != "email" {
		return e, fmt.Errorf("inbox %d is not an email inbox: email leaves through one", e.InboxID)
	}
	if _, err := parseEmailAddress("to", e.To); err != nil {
		return e, errors.New(sahay.ErrorMessage(err))
	}
	if e.Subject, err = cleanLine("subject", e.Subject, maxEmailSubject); err != nil || e.Subject == "" {
		return e, errors.New("subject is required, at most 200 characters on one line")
	}
	if e.Content, err = CleanText("content", e.Content, MaxContentBytes); err != nil || e.Content == "" {
		return e, errors.New("content is required")
	}
	return e, nil
}

// sendRuleEmail starts an email conversation to the action's address, as
// an agent starts one: the mail leaves through the inbox's SMTP server by
// the send job.
func (s *Service) sendRuleEmail(ctx context.Context, a *Actor, raw json.RawMessage) error {
	e, err := s.checkEmailAction(ctx, a, raw)
	if err != nil {
		return err
	}
	_, _, err = s.StartOutgoing(ctx, a, NewConversation{InboxID: e.InboxID, To: e.To, Content: e.Content, Email: &EmailFields{Subject: e.Subject}})
	return err
}

// ruleWebhook is the value of a call_webhook action. Secret signs each
// call; it is stored sealed and never shown again ("" in answers: keep
// the one stored).
type ruleWebhook struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

func (s *Service) checkWebhookAction(raw json.RawMessage) (ruleWebhook, error) {
	var w ruleWebhook
	if err := strictJSON(raw, &w); err != nil {
		return w, errors.New(`value is {"url", "secret"}`)
	}
	w.URL = strings.TrimSpace(w.URL)
	if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
		return w, errors.New("url is an http or https address")
	}
	if err := netguard.CheckURL(w.URL, s.allowPrivateURLs); err != nil {
		return w, fmt.Errorf("url: %v", err)
	}
	// No secret keeps the one the rule has for the URL (answers never
	// show it).
	if w.Secret != "" && !strings.HasPrefix(w.Secret, sealedPrefix) && (len(w.Secret) < minWebhookSecret || len(w.Secret) > maxWebhookSecret) {
		return w, fmt.Errorf("secret signs each call: %d to %d characters", minWebhookSecret, maxWebhookSecret)
	}
	return w, nil
}

// sealRuleSecrets seals the secrets of a rule's webhook actions before
// they are stored. An action without a secret keeps the one stored for
// the same URL in before; a sealed one must be this server's.
func (s *Service) sealRuleSecrets(actions []RuleAction, before json.RawMessage) error {
	var old []RuleAction
	_ = json.Unmarshal(before, &old)
	kept := map[string]string{}
	for _, o := range old {
		var w ruleWebhook
		if o.Action == "call_webhook" && json.Unmarshal(o.Value, &w) == nil {
			kept[w.URL] = w.Secret
		}
	}
	for i, act := range actions {
		if act.Action != "call_webhook" {
			continue
		}
		var w ruleWebhook
		if err := json.Unmarshal(act.Value, &w); err != nil {
			return err
		}
		w.URL = strings.TrimSpace(w.URL)
		switch {
		case w.Secret == "" && kept[w.URL] != "":
			w.Secret = kept[w.URL]
		case w.Secret == "":
			return sahay.Invalid("action %d: call_webhook: secret signs each call: %d to %d characters", i+1, minWebhookSecret, maxWebhookSecret)
		case strings.HasPrefix(w.Secret, sealedPrefix):
			if _, err := s.box.Open(strings.TrimPrefix(w.Secret, sealedPrefix)); err != nil {
				return sahay.Invalid("action %d: call_webhook: the secret is not one this server sealed: give it again", i+1)
			}
		default:
			sealed, err := s.box.Seal([]byte(w.Secret))
			if err != nil {
				return err
			}
			w.Secret = sealedPrefix + sealed
		}
		v, err := json.Marshal(w)
		if err != nil {
			return err
		}
		actions[i].Value = v
	}
	return nil
}

// shownRule is a rule as answers show it: its webhooks' secrets blank.
func shownRule(r *store.AutomationRule) *store.AutomationRule {
	var actions []RuleAction
	if json.Unmarshal(r.Actions, &actions) != nil {
		return r
	}
	changed := false
	for i, act := range actions {
		var w ruleWebhook
		if act.Action == "call_webhook" && json.Unmarshal(act.Value, &w) == nil && w.Secret != "" {
			w.Secret = ""
			actions[i].Value, _ = json.Marshal(w)
			changed = true
		}
	}
	if !changed {
		return r
	}
	out := *r
	out.Actions, _ = json.Marshal(actions)
	return &out
}

// RuleWebhookPayload is the JSON body of a rule's webhook call.
type RuleWebhookPayload struct {
	Event string `json:"event"`
	Rule  struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"rule"`
	AccountID int64 `json:"account_id"`
	// Conversation is absent on a contact_created rule's call.
	Conversation *sahay.Conversation `json:"conversation,omitempty"`
	Contact      *sahay.Contact      `json:"contact,omitempty"`
	SentAt       time.Time           `json:"sent_at"`
}

// ruleWebhookJob is what the webhook job carries: the call, made when
// the rule ran, and the rule's sealed secret.
type ruleWebhookJob struct {
	RuleID         int64           `json:"rule_id"`
	ConversationID int64           `json:"conversation_id"`
	URL            string          `json:"url"`
	Secret         string          `json:"secret"`
	Body           json.RawMessage `json:"body"`
}

// queueRuleWebhook queues a call of a rule's webhook with what the
// conversation is now; the jobs queue delivers it.
func (s *Service) queueRuleWebhook(ctx context.Context, a *Actor, conversationID int64, raw json.RawMessage) error {
	c, err := s.store.Conversation(ctx, a.AccountID(), conversationID)
	if err != nil {
		return err
	}
	contact, err := s.store.Contact(ctx, a.AccountID(), c.ContactID)
	if err != nil {
		contact = nil
	}
	return s.queueWebhookCall(ctx, a, c, contact, raw)
}

// queueWebhookCall queues a call of a rule's webhook about a conversation
// and its contact, or a contact alone (conversation nil).
func (s *Service) queueWebhookCall(ctx context.Context, a *Actor, c *sahay.Conversation, contact *sahay.Contact, raw json.RawMessage) error {
	var w ruleWebhook
	if err := json.Unmarshal(raw, &w); err != nil {
		return err
	}
	if !strings.HasPrefix(w.Secret, sealedPrefix) {
		return errors.New("the webhook's secret is not sealed: save the rule again")
	}
	var p RuleWebhookPayload
	p.Event, p.AccountID, p.Conversation, p.Contact, p.SentAt = "automation.rule", a.AccountID(), c, contact, time.Now().UTC()
	p.Rule.ID, p.Rule.Name = store.AutomationRuleOf(ctx)
	var conversationID int64
	if c != nil {
		conversationID = c.ID
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	job, err := json.Marshal(ruleWebhookJob{RuleID: p.Rule.ID, ConversationID: conversationID, URL: w.URL, Secret: w.Secret, Body: body})
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		_, err := tx.EnqueueJob(ctx, a.AccountID(), jobRuleWebhook, string(job), tx.Now())
		return err
	})
}

// runRuleWebhook delivers a rule's webhook call, signed. A network
// failure, a timeout, 408, 429 or 5xx is retried with the job's backoff;
// a refused address or another 4xx is not.
func (s *Service) runRuleWebhook(ctx context.Context, job *store.Job) error {
	var j ruleWebhookJob
	if err := json.Unmarshal([]byte(job.Payload), &j); err != nil {
		return channel.Permanent(err)
	}
	secret, err := s.box.Open(strings.TrimPrefix(j.Secret, sealedPrefix))
	if err != nil {
		return channel.Permanent(err)
	}
	return s.postWebhook(ctx, signedWebhook{URL: j.URL, Event: "automation.rule", Key: fmt.Sprintf("sahay-rule-%d", job.ID),
		Header: RuleWebhookSignatureHeader, Secret: secret, Body: j.Body, Timeout: RuleWebhookTimeout})
}

// ruleWebhookFailed records, on the rule's runs, a call that failed for
// good.
func (s *Service) ruleWebhookFailed(ctx context.Context, job *store.Job, cause error) {
	var j ruleWebhookJob
	if json.Unmarshal([]byte(job.Payload), &j) != nil || j.RuleID == 0 {
		return
	}
	run := &store.AutomationRun{RuleID: j.RuleID, ConversationID: j.ConversationID, Outcome: store.RunFailed,
		Detail: fmt.Sprintf("call_webhook: %v", cause), At: time.Now()}
	if err := s.store.RecordAutomationRun(ctx, job.AccountID, run); err != nil {
		s.log.Error("record automation webhook failure", "rule", j.RuleID, "err", err)
	}
}
