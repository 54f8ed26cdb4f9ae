package sahay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Every event type and its payload is declared in this file. A payload is
// the event's data: the store commits it as JSON, the bus carries it, and
// every reader (the realtime hub, core, the dashboard and the widget)
// decodes it with the same struct. Payload fields are declared in the
// alphabetical order of their JSON keys, the order the store writes them in
// when it adds "count_changes" (see [CountChange]).

// Event types of committed events.
const (
	EventConversationCreated = "conversation.created"
	EventConversationUpdated = "conversation.updated"
	EventConversationMerged  = "conversation.merged"
	EventMessageCreated      = "message.created"
	EventMessageUpdated      = "message.updated"
	EventContactUpdated      = "contact.updated"
	EventContactCreated      = "contact.created"
	EventContactMerged       = "contact.merged"
	EventLabelChanged        = "label.changed"
	EventInboxChanged        = "inbox.changed"
	EventNotification        = "notification.created"
	EventCSATCreated         = "csat.created"
)

// Types of ephemeral events: they travel on the bus with Seq 0, are never
// stored, and a subscriber must neither count them as a sequence gap nor
// replay them.
const (
	// EventPresence says who is viewing or typing in a conversation now.
	EventPresence = "presence"
	// EventTyping says someone is typing in a conversation.
	EventTyping = "conversation.typing"
	// EventSeen says the team has read a conversation up to a message.
	EventSeen = "conversation.seen"
)

// Types of internal events: only nodes exchange them (presence kept in one
// node's memory); clients never receive them.
const (
	// EventInternalPrefix starts the type of every internal event.
	EventInternalPrefix = "node."
	// EventAgentShared carries one agent's connection between nodes.
	EventAgentShared = EventInternalPrefix + "agent"
	// EventVisitorShared carries one website visitor's presence between
	// nodes.
	EventVisitorShared = EventInternalPrefix + "visitor"
)

// Payload is the data of an event; its type names the event type it is
// the data of.
type Payload interface {
	EventType() string
}

// ConversationCreated is the payload of [EventConversationCreated].
type ConversationCreated struct {
	Conversation *Conversation `json:"conversation"`
}

// ConversationUpdated is the payload of [EventConversationUpdated].
type ConversationUpdated struct {
	Conversation *Conversation `json:"conversation"`
}

// ConversationMerged is the payload of [EventConversationMerged]: the
// conversation another one was folded into, and which one that was.
type ConversationMerged struct {
	Conversation         *Conversation `json:"conversation"`
	MergedConversationID int64         `json:"merged_conversation_id"`
	MergedInboxID        int64         `json:"merged_inbox_id"`
}

// MessageCreated is the payload of [EventMessageCreated]. Conversation is
// the conversation as the message left it, when the message changed it.
//
// The message comes first in the data, so that a reader of the message
// alone stops there (see [Event.DecodeField]).
type MessageCreated struct {
	Message      *Message      `json:"message"`
	Conversation *Conversation `json:"conversation,omitempty"`
}

// MessageUpdated is the payload of [EventMessageUpdated].
type MessageUpdated struct {
	Message *Message `json:"message"`
}

// ContactCreated is the payload of [EventContactCreated]: a new contact,
// from a customer's first message, a form, an order or an agent.
type ContactCreated struct {
	Contact *Contact `json:"contact"`
}

// ContactUpdated is the payload of [EventContactUpdated].
type ContactUpdated struct {
	Contact *Contact `json:"contact"`
}

// ContactMerged is the payload of [EventContactMerged]: the contact another
// one was folded into, and which one that was.
type ContactMerged struct {
	Contact         *Contact `json:"contact"`
	MergedContactID int64    `json:"merged_contact_id"`
}

// LabelChanged is the payload of [EventLabelChanged]: the label saved, or
// the id of the label deleted.
type LabelChanged struct {
	DeletedLabelID int64  `json:"deleted_label_id,omitempty"`
	Label          *Label `json:"label,omitempty"`
}

// InboxChanged is the payload of [EventInboxChanged]: the inbox saved, the
// id of the inbox deleted, or an inbox's new members.
type InboxChanged struct {
	DeletedInboxID int64   `json:"deleted_inbox_id,omitempty"`
	Inbox          *Inbox  `json:"inbox,omitempty"`
	InboxID        int64   `json:"inbox_id,omitempty"`
	MemberIDs      []int64 `json:"member_ids,omitempty"`
}

// NotificationCreated is the payload of [EventNotification].
type NotificationCreated struct {
	Notification *Notification `json:"notification"`
}

// CSATCreated is the payload of [EventCSATCreated].
type CSATCreated struct {
	CSAT *CSAT `json:"csat"`
}

// Presence is the payload of [EventPresence]: an agent's state in a
// conversation (viewing, typing, idle or left).
type Presence struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	UserID int64  `json:"user_id"`
}

// Typing senders.
const (
	TypingContact = "contact"
	TypingUser    = "user"
)

// Typing is the payload of [EventTyping]. From is [TypingContact] (with
// ContactID) or [TypingUser] (with UserID and the agent's first name).
type Typing struct {
	ContactID      int64  `json:"contact_id,omitempty"`
	ConversationID int64  `json:"conversation_id"`
	From           string `json:"from"`
	Name           string `json:"name,omitempty"`
	On             bool   `json:"on"`
	UserID         int64  `json:"user_id,omitempty"`
}

// Seen is the payload of [EventSeen]: an agent read the conversation up to
// message Upto.
type Seen struct {
	ConversationID int64 `json:"conversation_id"`
	Upto           int64 `json:"upto"`
	UserID         int64 `json:"user_id"`
}

// AgentShared is the payload of [EventAgentShared]: a node says that one of
// its agents is connected, or no longer.
type AgentShared struct {
	Node      string `json:"node"`
	UserID    int64  `json:"user_id"`
	Connected bool   `json:"connected"`
}

// VisitorShared is the payload of [EventVisitorShared]: a node says what one
// of its website visitors is doing. Visitor is the widget's own record of
// the visitor, which only the widget reads.
type VisitorShared struct {
	Node    string          `json:"node"`
	InboxID int64           `json:"inbox_id"`
	Visitor json.RawMessage `json:"visitor"`
}

// EventType implements [Payload].
func (ConversationCreated) EventType() string { return EventConversationCreated }

// EventType implements [Payload].
func (ConversationUpdated) EventType() string { return EventConversationUpdated }

// EventType implements [Payload].
func (ConversationMerged) EventType() string { return EventConversationMerged }

// EventType implements [Payload].
func (MessageCreated) EventType() string { return EventMessageCreated }

// EventType implements [Payload].
func (MessageUpdated) EventType() string { return EventMessageUpdated }

// EventType implements [Payload].
func (ContactCreated) EventType() string { return EventContactCreated }

// EventType implements [Payload].
func (ContactUpdated) EventType() string { return EventContactUpdated }

// EventType implements [Payload].
func (ContactMerged) EventType() string { return EventContactMerged }

// EventType implements [Payload].
func (LabelChanged) EventType() string { return EventLabelChanged }

// EventType implements [Payload].
func (InboxChanged) EventType() string { return EventInboxChanged }

// EventType implements [Payload].
func (NotificationCreated) EventType() string { return EventNotification }

// EventType implements [Payload].
func (CSATCreated) EventType() string { return EventCSATCreated }

// EventType implements [Payload].
func (Presence) EventType() string { return EventPresence }

// EventType implements [Payload].
func (Typing) EventType() string { return EventTyping }

// EventType implements [Payload].
func (Seen) EventType() string { return EventSeen }

// EventType implements [Payload].
func (AgentShared) EventType() string { return EventAgentShared }

// EventType implements [Payload].
func (VisitorShared) EventType() string { return EventVisitorShared }

// Event is a committed state change. Seq is gapless per account in commit
// order, so a client that saw Seq n and asks for everything after n misses
// nothing.
type Event struct {
	AccountID      int64  `json:"account_id"`
	Seq            int64  `json:"seq"`
	Type           string `json:"type"`
	InboxID        int64  `json:"inbox_id"`
	ConversationID int64  `json:"conversation_id"`
	// UserID, when set, makes the event private to that user (a notification).
	UserID int64 `json:"user_id,omitempty"`
	// Data is the JSON of the event type's [Payload].
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// NewEvent returns an event of an account carrying p, not numbered: the
// store numbers the events it commits, and ephemeral and internal events
// go to the bus as they are.
func NewEvent(accountID, inboxID, conversationID int64, p Payload) (Event, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return Event{}, fmt.Errorf("sahay: encode %s event: %w", p.EventType(), err)
	}
	return Event{AccountID: accountID, Type: p.EventType(), InboxID: inboxID, ConversationID: conversationID,
		Data: data, CreatedAt: time.Now().UTC()}, nil
}

// Decode reads an event's data as its payload P, which must be the payload
// of the event's type.
func Decode[P Payload](ev Event) (P, error) {
	var p P
	if ev.Type != p.EventType() {
		return p, fmt.Errorf("sahay: a %s event does not carry %T", ev.Type, p)
	}
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return p, fmt.Errorf("sahay: decode %s event %d: %w", ev.Type, ev.Seq, err)
	}
	return p, nil
}

// DecodeField decodes the top-level field name of an event's data into
// v, and reports whether the data has it. The fields after it are not
// read: a follower that needs a message.created event's message skips
// the conversation that follows it.
func (e Event) DecodeField(name string, v any) (bool, error) {
	fail := func(err error) (bool, error) {
		return false, fmt.Errorf("sahay: decode %s of %s event %d: %w", name, e.Type, e.Seq, err)
	}
	dec := json.NewDecoder(bytes.NewReader(e.Data))
	if t, err := dec.Token(); err != nil {
		return fail(err)
	} else if t != json.Delim('{') {
		return fail(errors.New("data is not an object"))
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if t == name {
			if err := dec.Decode(v); err != nil {
				return fail(err)
			}
			return true, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fail(err)
		}
	}
	return false, nil
}

// Payload decodes an event's data as the payload of its type, for a reader
// that handles several types with a type switch.
func (e Event) Payload() (Payload, error) {
	switch e.Type {
	case EventConversationCreated:
		return Decode[ConversationCreated](e)
	case EventConversationUpdated:
		return Decode[ConversationUpdated](e)
	case EventConversationMerged:
		return Decode[ConversationMerged](e)
	case EventMessageCreated:
		return Decode[MessageCreated](e)
	case EventMessageUpdated:
		return Decode[MessageUpdated](e)
	case EventContactCreated:
		return Decode[ContactCreated](e)
	case EventContactUpdated:
		return Decode[ContactUpdated](e)
	case EventContactMerged:
		return Decode[ContactMerged](e)
	case EventLabelChanged:
		return Decode[LabelChanged](e)
	case EventInboxChanged:
		return Decode[InboxChanged](e)
	case EventNotification:
		return Decode[NotificationCreated](e)
	case EventCSATCreated:
		return Decode[CSATCreated](e)
	case EventPresence:
		return Decode[Presence](e)
	case EventTyping:
		return Decode[Typing](e)
	case EventSeen:
		return Decode[Seen](e)
	case EventAgentShared:
		return Decode[AgentShared](e)
	case EventVisitorShared:
		return Decode[VisitorShared](e)
	}
	return nil, fmt.Errorf("sahay: unknown event type %q", e.Type)
}

// CountChange is a change to one maintained view count, made by the
// transaction that committed an event. The store adds the transaction's
// changes to the data object of the first event it appends after them, as
// "count_changes", so a client that holds the counts as of an earlier event
// moves them with the event itself. A change with a LabelID counts the
// conversations with that label; one without counts the conversations of an
// inbox, team, assignee and status.
type CountChange struct {
	InboxID    int64  `json:"inbox_id"`
	TeamID     int64  `json:"team_id,omitempty"`
	AssigneeID int64  `json:"assignee_id,omitempty"`
	LabelID    int64  `json:"label_id,omitempty"`
	Status     string `json:"status"`
	N          int    `json:"n"`
}

// Internal reports whether the event is for nodes only, never for clients.
func (e Event) Internal() bool { return strings.HasPrefix(e.Type, EventInternalPrefix) }
