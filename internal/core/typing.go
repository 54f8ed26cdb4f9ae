package core

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// Typing and the team's reading of a conversation, on every channel that can
// show them. These events travel on the bus with Seq 0: they are never
// stored, and a subscriber must neither count them as a sequence gap nor
// replay them.
const (
	// EventTyping says someone is typing in a conversation. Data:
	// {"conversation_id", "from": "contact"|"user", "user_id", "name", "on"}
	// from an agent, {"conversation_id", "from", "contact_id", "on"} from
	// the customer.
	EventTyping = "conversation.typing"
	// EventSeen says the team has read a conversation up to a message.
	// Data: {"conversation_id", "upto", "user_id"}.
	EventSeen = "conversation.seen"
)

// AgentTyping tells the customer of a conversation the actor may see that
// the actor is typing, or has stopped.
func (s *Service) AgentTyping(ctx context.Context, a *Actor, conversationID int64, on bool) error {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return err
	}
	// The customer sees the agent's first name, no more.
	first := ""
	if f := strings.Fields(a.User.Name); len(f) > 0 {
		first = f[0]
	}
	return s.publishEphemeral(ctx, c.AccountID, c.InboxID, c.ID, EventTyping, map[string]any{
		"conversation_id": c.ID, "from": "user", "user_id": a.User.ID, "name": first, "on": on})
}

// ContactTyping tells the agents that the customer of a conversation is
// typing, or has stopped. The channel has checked that contactID is the
// customer it authenticated and that the conversation in the inbox is
// theirs.
func (s *Service) ContactTyping(ctx context.Context, inbox *sahay.Inbox, conversationID, contactID int64, on bool) error {
	return s.publishEphemeral(ctx, inbox.AccountID, inbox.ID, conversationID, EventTyping, map[string]any{
		"conversation_id": conversationID, "from": "contact", "contact_id": contactID, "on": on})
}

// AgentSeen records that the team has read a conversation the actor may see
// up to message upto; it never moves back. When it moves, the customer is
// told ([EventSeen]).
func (s *Service) AgentSeen(ctx context.Context, a *Actor, conversationID, upto int64) error {
	if upto <= 0 {
		return sahay.Invalid("upto is the id of the last message read")
	}
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return err
	}
	var moved bool
	if err := s.write(ctx, func(tx *store.Tx) error {
		var err error
		moved, err = tx.MarkTeamSeen(ctx, c.AccountID, c.ID, upto)
		return err
	}); err != nil {
		return err
	}
	if !moved {
		return nil
	}
	return s.publishEphemeral(ctx, c.AccountID, c.InboxID, c.ID, EventSeen, map[string]any{"conversation_id": c.ID, "upto": upto, "user_id": a.User.ID})
}

// TeamSeen returns how far the team has read each of the conversations, by
// conversation id; a conversation nobody read is missing. The channel shows
// it to the conversations' customer.
func (s *Service) TeamSeen(ctx context.Context, accountID int64, conversationIDs []int64) (map[int64]int64, error) {
	return s.store.TeamSeen(ctx, accountID, conversationIDs)
}

// MarkRepliesSeen records that the customer's device received (status
// delivered) or displayed (status read) the replies of a conversation up to
// message id upto. The caller has checked that the customer owns the
// conversation.
func (s *Service) MarkRepliesSeen(ctx context.Context, accountID, conversationID, upto int64, status string) error {
	if status != sahay.DeliveryDelivered && status != sahay.DeliveryRead {
		return sahay.Invalid("status must be delivered or read")
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, accountID); err != nil {
			return err
		}
		ms, err := tx.UndeliveredReplies(ctx, accountID, conversationID, upto, status)
		if err != nil {
			return err
		}
		for _, m := range ms {
			m.Status, m.Error = status, ""
			if err := tx.SetMessageDelivery(ctx, m); err != nil {
				return err
			}
			if err := tx.Emit(ctx, accountID, sahay.EventMessageUpdated, m.InboxID, m.ConversationID, map[string]any{"message": m}); err != nil {
				return err
			}
		}
		return nil
	})
}

// publishEphemeral puts an unstored event (Seq 0) on the bus.
func (s *Service) publishEphemeral(ctx context.Context, accountID, inboxID, conversationID int64, typ string, data map[string]any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return s.bus.Publish(ctx, []sahay.Event{{AccountID: accountID, Type: typ, InboxID: inboxID, ConversationID: conversationID,
		Data: b, CreatedAt: time.Now().UTC()}})
}
