package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/store"
)

// Phone calls. A call is a timeline entry in the customer's conversation:
// a message whose Details.Call the phone channel's reports keep current
// (see [channel.CallEvent]). A call nobody answered, a voicemail, and a
// customer's request to be called from the website mark the conversation
// with the call-back label, and it waits, counted in first response time,
// until an agent calls back; the label goes once the agent's call is
// answered.

// PhonePattern is a phone number with its country code (E.164).
var PhonePattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// errCallUnknown is a report on a call or voicemail whose entry is not
// stored yet: the journal tries the report again later.
var errCallUnknown = errors.New("the call is not recorded yet")

// callRate is how often an agent may place calls: a few at once, then
// one every ten seconds.
var callRate = ratelimit.Rate{Burst: 5, Every: 10 * time.Second}

// callBackColor is the call-back label's colour when Sahay makes it.
const callBackColor = "#d97706"

// CallAgents returns the agents a phone inbox rings now, in order: the
// inbox's members (every user of the account when it has none) who are
// available (connected, and online by their choice) and have a phone
// number. When the account has a phone rota, only those of them on a
// phone shift now are rung, in the rota's order; when none of those is
// available, the others are, so that a call still reaches someone.
func (s *Service) CallAgents(ctx context.Context, inbox *sahay.Inbox) ([]channel.CallAgent, error) {
	users, err := s.store.Users(ctx, inbox.AccountID)
	if err != nil {
		return nil, err
	}
	onShift, scheduled, err := s.OnShift(ctx, inbox.AccountID, sahay.ShiftPhone, time.Now())
	if err != nil {
		return nil, err
	}
	var out, shift []channel.CallAgent
	for _, u := range users {
		if len(inbox.MemberIDs) > 0 && !slices.Contains(inbox.MemberIDs, u.ID) {
			continue
		}
		if u.Phone == "" || !s.Available(u) {
			continue
		}
		out = append(out, channel.CallAgent{UserID: u.ID, Name: u.Name, Phone: u.Phone})
	}
	for _, id := range onShift {
		if i := slices.IndexFunc(out, func(a channel.CallAgent) bool { return a.UserID == id }); i >= 0 {
			shift = append(shift, out[i])
		}
	}
	if scheduled && len(shift) > 0 {
		return shift, nil
	}
	return out, nil
}

// PhoneLine is what a website shows of a phone inbox: its number, and
// whether someone takes calls now (in its business hours, with an agent
// available to ring).
type PhoneLine struct {
	Number    string `json:"number"`
	Open      bool   `json:"open"`
	Available bool   `json:"available"`
}

// Line returns the phone line of an inbox of the account.
func (s *Service) Line(ctx context.Context, accountID, inboxID int64) (PhoneLine, error) {
	inbox, phone, err := s.phoneInbox(ctx, accountID, inboxID)
	if err != nil {
		return PhoneLine{}, err
	}
	var l PhoneLine
	now := time.Now()
	l.Number, l.Open = phone.Line(inbox, now)
	if l.Open {
		// An inbox without hours of its own keeps the account's.
		hours, err := s.EffectiveHours(ctx, accountID, ownHours(inbox))
		if err != nil {
			return PhoneLine{}, err
		}
		l.Open = hours.Open(now)
	}
	if l.Open {
		agents, err := s.CallAgents(ctx, inbox)
		if err != nil {
			return PhoneLine{}, err
		}
		l.Available = len(agents) > 0
	}
	return l, nil
}

func (s *Service) phoneInbox(ctx context.Context, accountID, inboxID int64) (*sahay.Inbox, channel.Phone, error) {
	inbox, err := s.InboxWithSecrets(ctx, accountID, inboxID)
	if err != nil {
		return nil, nil, err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil, nil, err
	}
	phone, ok := adapter.(channel.Phone)
	if !ok {
		return nil, nil, sahay.Invalid("inbox %d (%s) takes no phone calls", inbox.ID, inbox.Channel)
	}
	return inbox, phone, nil
}

// CallbackRequest is a customer's request to be called.
type CallbackRequest struct {
	Phone string `json:"phone"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// PreferredTime is when they would like the call, in their words.
	PreferredTime string `json:"preferred_time"`
	// Note is what they want to talk about.
	Note string `json:"note"`
}

// Limits of a callback request.
const (
	maxPreferredTimeChars = 100
	maxCallbackNoteChars  = 1000
)

// Check cleans the request and checks it as [Service.RequestCallback]
// does: a caller that counts requests against a limit checks first, so a
// mistyped number costs nothing.
func (r *CallbackRequest) Check() error {
	r.Phone = strings.Join(strings.Fields(r.Phone), "")
	if !PhonePattern.MatchString(r.Phone) {
		return sahay.Invalid("phone must be a number with its country code, like +8801712345678")
	}
	var err error
	if r.PreferredTime, err = cleanLine("preferred_time", r.PreferredTime, maxPreferredTimeChars); err != nil {
		return err
	}
	if r.Note, err = CleanText("note", r.Note, MaxContentBytes); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(r.Note); n > maxCallbackNoteChars {
		return sahay.Invalid("note is %d characters; at most %d", n, maxCallbackNoteChars)
	}
	return nil
}

// RequestCallback records a customer's request to be called by a phone
// inbox of the account: a conversation of theirs in that inbox, with the
// request as its entry, marked call-back.
func (s *Service) RequestCallback(ctx context.Context, accountID, inboxID int64, req CallbackRequest) (*sahay.Conversation, error) {
	if err := req.Check(); err != nil {
		return nil, err
	}
	inbox, _, err := s.phoneInbox(ctx, accountID, inboxID)
	if err != nil {
		return nil, err
	}
	adapter, _ := s.channels.Get(inbox.Channel)
	id := make([]byte, 12)
	rand.Read(id)
	res, err := s.Receive(ctx, channel.Inbound{
		InboxID: inbox.ID, ExternalID: "callback:" + hex.EncodeToString(id),
		Namespace: recipientNamespace(inbox, adapter), ContactID: req.Phone, Phone: req.Phone,
		Name: strings.TrimSpace(req.Name), Email: strings.TrimSpace(req.Email), Content: req.Note,
		Details: &sahay.MessageDetails{Call: &sahay.Call{Direction: sahay.CallbackRequest, From: req.Phone, PreferredTime: req.PreferredTime}},
	})
	if err != nil {
		return nil, err
	}
	if err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, accountID); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, accountID, res.Conversation.ID)
		if err != nil {
			return err
		}
		return s.setCallBack(ctx, tx, c, true)
	}); err != nil {
		return nil, err
	}
	return res.Conversation, nil
}

// StartCall calls a conversation's customer for the actor: the inbox's
// phone channel rings the actor's phone, then connects them to the
// customer. The call's entry is the returned message; calling back counts
// as the team's answer to a customer who waits.
func (s *Service) StartCall(ctx context.Context, a *Actor, conversationID int64) (*sahay.Message, error) {
	conv, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	inbox, phone, err := s.phoneInbox(ctx, a.AccountID(), conv.InboxID)
	if err != nil {
		return nil, sahay.Invalid("this conversation's inbox cannot place calls: calls go through a phone inbox")
	}
	if a.User.Phone == "" {
		return nil, sahay.Invalid("add your phone number to your profile first: Sahay calls you, then connects you to the customer")
	}
	if err := s.callsPerAgent.Allow(fmt.Sprint(a.User.ID), "calls placed"); err != nil {
		return nil, err
	}
	adapter, _ := s.channels.Get(inbox.Channel)
	contact, err := s.store.Contact(ctx, a.AccountID(), conv.ContactID)
	if err != nil {
		return nil, err
	}
	to := contact.Phone
	for _, id := range contact.Identities {
		if id.Namespace == recipientNamespace(inbox, adapter) {
			to = id.ExternalID
		}
	}
	if !PhonePattern.MatchString(to) {
		return nil, sahay.Invalid("the customer has no phone number to call")
	}
	from, _ := phone.Line(inbox, time.Now())
	var msg *sahay.Message
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, a.AccountID(), conversationID)
		if err != nil {
			return err
		}
		msg = &sahay.Message{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID,
			Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser, SenderID: a.User.ID, Status: sahay.DeliverySent,
			Details: &sahay.MessageDetails{Call: &sahay.Call{Direction: sahay.CallOutbound, Status: sahay.CallQueued,
				From: from, To: to, AgentID: a.User.ID}}}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		next := *c
		now := tx.Now()
		next.LastActivityAt, next.LastMessage = now, "📞 "+to
		if next.FirstReplyAt == nil {
			next.FirstReplyAt = &now
		}
		next.WaitingSince = nil
		if next.AssigneeID == 0 {
			next.AssigneeID = a.User.ID
		}
		if next.Status != sahay.StatusOpen {
			next.Status, next.SnoozedUntil, next.ResolvedAt = sahay.StatusOpen, nil, nil
		}
		if err := tx.UpdateConversation(ctx, c, &next); err != nil {
			return err
		}
		return tx.Emit(ctx, c.AccountID, c.InboxID, c.ID, sahay.MessageCreated{Conversation: &next, Message: msg})
	})
	if err != nil {
		return nil, err
	}
	callCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	sid, callErr := phone.Call(callCtx, inbox, channel.CallRequest{AgentPhone: a.User.Phone, CustomerPhone: to,
		CustomerName: contact.Name, MessageID: msg.ID})
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		m, err := tx.Message(ctx, a.AccountID(), msg.ID)
		if err != nil {
			return err
		}
		if callErr != nil {
			m.Status, m.Error = sahay.DeliveryFailed, failureText(callErr)
			m.Details.Call.Merge(sahay.Call{Status: sahay.CallFailed, Outcome: sahay.OutcomeFailed})
			if err := tx.SetMessageDetails(ctx, m); err != nil {
				return err
			}
		} else {
			m.ExternalID = sid
		}
		if err := tx.SetMessageDelivery(ctx, m); err != nil {
			return err
		}
		msg = m
		return tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m})
	})
	if callErr != nil {
		return nil, fmt.Errorf("the call could not be placed: %w", callErr)
	}
	return msg, err
}

// applyCall applies a phone channel's report on a call to its entry, and
// what follows for the conversation: a customer nobody answered waits for
// a call back; an answered call is the team's answer.
func (s *Service) applyCall(ctx context.Context, inbox *sahay.Inbox, ev channel.CallEvent) error {
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, inbox.AccountID); err != nil {
			return err
		}
		if ev.Recording != "" {
			if err := s.applyTranscript(ctx, tx, inbox, ev); err != nil {
				return err
			}
		}
		if ev.ExternalID == "" && ev.MessageID == 0 {
			return nil
		}
		m, err := s.callEntry(ctx, tx, inbox, ev)
		if err != nil {
			return err
		}
		before := *m.Details.Call
		before.Rang = slices.Clone(before.Rang)
		call := m.Details.Call
		call.Merge(ev.Call)
		if m.ExternalID == "" && ev.ExternalID != "" {
			m.ExternalID = ev.ExternalID
			if err := tx.SetMessageDelivery(ctx, m); err != nil {
				return err
			}
		} else if sameCall(&before, call) {
			return nil
		}
		if err := tx.SetMessageDetails(ctx, m); err != nil {
			return err
		}
		if err := tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m}); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, m.AccountID, m.ConversationID)
		if err != nil {
			return err
		}
		return s.followCall(ctx, tx, c, &before, call)
	})
}

// callEntry finds the entry of the call a report is on.
func (s *Service) callEntry(ctx context.Context, tx *store.Tx, inbox *sahay.Inbox, ev channel.CallEvent) (*sahay.Message, error) {
	var m *sahay.Message
	var err error = sahay.NotFound("call")
	if ev.ExternalID != "" {
		m, err = tx.MessageByExternalID(ctx, inbox.ID, ev.ExternalID)
	}
	if sahay.ErrorCode(err) == sahay.ENOTFOUND && ev.MessageID != 0 {
		m, err = tx.Message(ctx, inbox.AccountID, ev.MessageID)
		if err == nil && (m.InboxID != inbox.ID || (m.ExternalID != "" && ev.ExternalID != "" && m.ExternalID != ev.ExternalID)) {
			err = sahay.NotFound("call")
		}
	}
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil, fmt.Errorf("call %s: %w", ev.ExternalID, errCallUnknown)
	}
	if err != nil {
		return nil, err
	}
	if m.Details == nil || m.Details.Call == nil {
		return nil, channel.Permanent(fmt.Errorf("message %d is not a call", m.ID))
	}
	// A message read back is a copy the caller may change.
	m.Details.Call.Rang = slices.Clone(m.Details.Call.Rang)
	return m, nil
}

func sameCall(a, b *sahay.Call) bool {
	return a.Status == b.Status && a.Outcome == b.Outcome && a.AgentID == b.AgentID && a.DurationSeconds == b.DurationSeconds &&
		a.Voicemail == b.Voicemail && a.From == b.From && a.To == b.To && slices.Equal(a.Rang, b.Rang) &&
		a.PreferredTime == b.PreferredTime && equalTime(a.AnsweredAt, b.AnsweredAt) && equalTime(a.EndedAt, b.EndedAt)
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// followCall changes the conversation of a call whose entry changed from
// before to after.
func (s *Service) followCall(ctx context.Context, tx *store.Tx, c *sahay.Conversation, before, after *sahay.Call) error {
	next := *c
	switch {
	case after.NeedsCallBack() && !before.NeedsCallBack():
		if next.Status != sahay.StatusOpen {
			next.Status, next.SnoozedUntil, next.ResolvedAt = sahay.StatusOpen, nil, nil
		}
		if next.WaitingSince == nil {
			now := tx.Now()
			next.WaitingSince = &now
		}
		if err := s.saveCallConversation(ctx, tx, c, &next); err != nil {
			return err
		}
		return s.setCallBack(ctx, tx, &next, true)
	case after.Direction == sahay.CallInbound && after.Outcome == sahay.OutcomeAnswered && before.Outcome != sahay.OutcomeAnswered:
		// A person answered: the customer no longer waits, and whoever
		// took the call owns an unassigned conversation.
		at := tx.Now()
		if after.AnsweredAt != nil {
			at = *after.AnsweredAt
		}
		if next.FirstReplyAt == nil {
			next.FirstReplyAt = &at
		}
		next.WaitingSince = nil
		if next.AssigneeID == 0 && after.AgentID != 0 {
			next.AssigneeID = after.AgentID
		}
		return s.saveCallConversation(ctx, tx, c, &next)
	case after.Direction == sahay.CallOutbound && after.Outcome == sahay.OutcomeAnswered && before.Outcome != sahay.OutcomeAnswered:
		return s.setCallBack(ctx, tx, c, false)
	}
	return nil
}

func (s *Service) saveCallConversation(ctx context.Context, tx *store.Tx, c, next *sahay.Conversation) error {
	if err := tx.UpdateConversation(ctx, c, next); err != nil {
		return err
	}
	return tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationUpdated{Conversation: next})
}

// setCallBack adds or takes off a conversation's call-back label, making
// the label when the account has none.
func (s *Service) setCallBack(ctx context.Context, tx *store.Tx, c *sahay.Conversation, on bool) error {
	if slices.Contains(c.Labels, sahay.CallBackLabel) == on {
		return nil
	}
	names := slices.DeleteFunc(slices.Clone(c.Labels), func(n string) bool { return n == sahay.CallBackLabel })
	if on {
		names = append(names, sahay.CallBackLabel)
		labels, err := tx.Labels(ctx, c.AccountID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(labels, func(l *sahay.Label) bool { return l.Name == sahay.CallBackLabel }) {
			if err := tx.CreateLabel(ctx, &sahay.Label{AccountID: c.AccountID, Name: sahay.CallBackLabel, Color: callBackColor,
				Description: "The customer waits for a call back"}); err != nil {
				return err
			}
		}
	}
	ids, err := labelIDs(ctx, tx, c.AccountID, names)
	if err != nil {
		return err
	}
	if err := tx.SetConversationLabels(ctx, c, ids); err != nil {
		return err
	}
	next, err := tx.Conversation(ctx, c.AccountID, c.ID)
	if err != nil {
		return err
	}
	key := "label_removed:" + sahay.CallBackLabel
	if on {
		key = "label_added:" + sahay.CallBackLabel
	}
	if err := s.activity(ctx, tx, next, 0, key); err != nil {
		return err
	}
	return tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationUpdated{Conversation: next})
}

// applyTranscript gives a voicemail its transcript.
func (s *Service) applyTranscript(ctx context.Context, tx *store.Tx, inbox *sahay.Inbox, ev channel.CallEvent) error {
	m, err := tx.MessageByExternalID(ctx, inbox.ID, ev.Recording)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return fmt.Errorf("voicemail %s: %w", ev.Recording, errCallUnknown)
	}
	if err != nil {
		return err
	}
	if m.Details == nil || m.Details.Voicemail == nil {
		return channel.Permanent(fmt.Errorf("message %d is not a voicemail", m.ID))
	}
	state := "completed"
	if ev.TranscriptFailed {
		state = "failed"
	}
	text := strings.TrimSpace(ev.Transcript)
	if m.Details.Voicemail.Transcript == state && m.Content == text {
		return nil
	}
	m.Details.Voicemail.Transcript = state
	if err := tx.SetMessageDetails(ctx, m); err != nil {
		return err
	}
	if text != "" && text != m.Content {
		m.Content = text
		if err := tx.SetMessageContent(ctx, m); err != nil {
			return err
		}
	}
	return tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m})
}
