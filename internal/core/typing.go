package core

import (
	"context"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// Typing and the team's reading of a conversation, on every channel that can
// show them: ephemeral events ([sahay.EventTyping], [sahay.EventSeen]).

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
	return s.publishEphemeral(ctx, c.AccountID, c.InboxID, c.ID,
		sahay.Typing{ConversationID: c.ID, From: sahay.TypingUser, UserID: a.User.ID, Name: first, On: on})
}

// ContactTyping tells the agents that the customer of a conversation is
// typing, or has stopped. The channel has checked that contactID is the
// customer it authenticated and that the conversation in the inbox is
// theirs.
func (s *Service) ContactTyping(ctx context.Context, inbox *sahay.Inbox, conversationID, contactID int64, on bool) error {
	return s.publishEphemeral(ctx, inbox.AccountID, inbox.ID, conversationID,
		sahay.Typing{ConversationID: conversationID, From: sahay.TypingContact, ContactID: contactID, On: on})
}

// AgentSeen records that the team has read a conversation the actor may see
// up to message upto; it never moves back. When it moves, the customer is
// told ([sahay.EventSeen]).
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
	return s.publishEphemeral(ctx, c.AccountID, c.InboxID, c.ID, sahay.Seen{ConversationID: c.ID, Upto: upto, UserID: a.User.ID})
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
			if err := tx.Emit(ctx, accountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m}); err != nil {
				return err
			}
		}
		return nil
	})
}

// publishEphemeral puts an unstored event (Seq 0) on the bus.
func (s *Service) publishEphemeral(ctx context.Context, accountID, inboxID, conversationID int64, p sahay.Payload) error {
	ev, err := sahay.NewEvent(accountID, inboxID, conversationID, p)
	if err != nil {
		return err
	}
	return s.bus.Publish(ctx, []sahay.Event{ev})
}
