package sahay

import (
	"encoding/json"
	"strings"
	"time"
)

// Event types.
const (
	EventConversationCreated = "conversation.created"
	EventConversationUpdated = "conversation.updated"
	EventMessageCreated      = "message.created"
	EventMessageUpdated      = "message.updated"
	EventContactUpdated      = "contact.updated"
	EventContactMerged       = "contact.merged"
	EventLabelChanged        = "label.changed"
	EventInboxChanged        = "inbox.changed"
	EventConversationMerged  = "conversation.merged"
	EventNotification        = "notification.created"
	// Presence events are not stored and have no sequence number: who is
	// viewing or typing in a conversation now.
	EventPresence = "presence"
	// EventInternalPrefix starts the types of events that only nodes
	// exchange (a visitor's presence kept in one node's memory); clients
	// never receive them.
	EventInternalPrefix = "node."
)

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
	UserID    int64           `json:"user_id,omitempty"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// CountChange is a change to one maintained view count, made by the
// transaction that committed an event. The event's data carries the
// transaction's changes as "count_changes", so a client that holds the
// counts as of an earlier event moves them with the event itself. A change
// with a LabelID counts the conversations with that label; one without
// counts the conversations of an inbox, team, assignee and status.
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
