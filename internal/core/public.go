package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/pii"
	"github.com/sahayhq/sahay/internal/store"
)

// privateReplyWindow is how long after a comment Meta takes one private
// reply to it.
const privateReplyWindow = 7 * 24 * time.Hour

// piiNames are the kinds of personal data as the guard's error names them.
var piiNames = map[string]string{
	"email":        "an email address",
	"phone":        "a phone number",
	"order_number": "an order number",
	"address":      "an address",
	"card_number":  "a card number",
}

// checkPublicReply refuses a public reply that shows personal data, naming
// what it found, unless the agent confirmed it.
func checkPublicReply(content string) error {
	found := pii.Find(content)
	if len(found) == 0 {
		return nil
	}
	var parts []string
	for _, f := range found {
		name := piiNames[f.Kind]
		if name == "" {
			name = f.Kind
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", name, f.Text))
	}
	return sahay.Errorf(sahay.EPERSONALDATA, "this reply is public and shows %s: reply privately, or confirm to post it anyway",
		strings.Join(parts, ", "))
}

// PrivateReply answers the customer's latest comment in a public
// conversation privately, as the platform allows once per comment within
// seven days: the reply goes to their private conversation in the same
// inbox (opened if they have none), and the two conversations name each
// other. It returns the private conversation and the reply.
func (s *Service) PrivateReply(ctx context.Context, a *Actor, conversationID int64, content string) (*sahay.Conversation, *sahay.Message, error) {
	var err error
	if content, err = CleanText("content", content, MaxContentBytes); err != nil {
		return nil, nil, err
	}
	if content == "" {
		return nil, nil, sahay.Invalid("content is required")
	}
	public, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, nil, err
	}
	if !public.Public {
		return nil, nil, sahay.Invalid("the conversation is private already: reply in it")
	}
	inbox, err := s.store.Inbox(ctx, a.AccountID(), public.InboxID)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.channels.Describe(inbox.Channel)
	if err != nil {
		return nil, nil, err
	}
	if !d.Capabilities.PrivateReply {
		return nil, nil, sahay.Invalid("the %s channel cannot answer a comment privately", inbox.Channel)
	}
	comment, err := s.store.LastIncoming(ctx, a.AccountID(), public.ID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil, nil, sahay.Invalid("the conversation has no comment of the customer's to answer privately")
	}
	if err != nil {
		return nil, nil, err
	}
	if time.Since(comment.CreatedAt) > privateReplyWindow {
		return nil, nil, windowClosed("a comment can be answered privately only within 7 days of it: this one is older")
	}
	var private *sahay.Conversation
	var msg *sahay.Message
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		pub, err := tx.Conversation(ctx, a.AccountID(), public.ID)
		if err != nil {
			return err
		}
		c, err := tx.Message(ctx, a.AccountID(), comment.ID)
		if err != nil {
			return err
		}
		if c.Details != nil && c.Details.PrivateReply != 0 {
			return sahay.Errorf(sahay.ECONFLICT, "this comment was answered privately already: the platform takes one private reply per comment")
		}
		priv, created, err := s.privateConversation(ctx, tx, a, pub)
		if err != nil {
			return err
		}
		msg = &sahay.Message{AccountID: priv.AccountID, ConversationID: priv.ID, InboxID: priv.InboxID,
			Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser, SenderID: a.User.ID, Content: content,
			Status: sahay.DeliveryPending, Details: &sahay.MessageDetails{PrivateReplyTo: c.ExternalID}}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		payload, _ := json.Marshal(sendPayload{MessageID: msg.ID})
		if _, err := tx.EnqueueJob(ctx, priv.AccountID, jobSendMessage, string(payload), tx.Now()); err != nil {
			return err
		}
		if c.Details == nil {
			c.Details = &sahay.MessageDetails{}
		}
		c.Details.PrivateReply = msg.ID
		if err := tx.SetMessageDetails(ctx, c); err != nil {
			return err
		}
		next := *priv
		next.LinkedConversationID, next.LastActivityAt, next.LastMessage = pub.ID, tx.Now(), messagePreview(content, nil)
		if next.AssigneeID == 0 {
			next.AssigneeID = a.User.ID
		}
		if err := tx.UpdateConversation(ctx, priv, &next); err != nil {
			return err
		}
		private = &next
		pubNext := *pub
		pubNext.LinkedConversationID = next.ID
		if pubNext.FirstReplyAt == nil {
			now := tx.Now()
			pubNext.FirstReplyAt = &now
		}
		pubNext.WaitingSince = nil
		if err := tx.UpdateConversation(ctx, pub, &pubNext); err != nil {
			return err
		}
		if err := s.activity(ctx, tx, &pubNext, a.User.ID, fmt.Sprintf("private_reply:%d", next.ID)); err != nil {
			return err
		}
		if created {
			if err := tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationCreated{Conversation: &next}); err != nil {
				return err
			}
		}
		if err := tx.Emit(ctx, pubNext.AccountID, pubNext.InboxID, pubNext.ID, sahay.ConversationUpdated{Conversation: &pubNext}); err != nil {
			return err
		}
		if err := tx.Emit(ctx, c.AccountID, c.InboxID, c.ConversationID, sahay.MessageUpdated{Message: c}); err != nil {
			return err
		}
		return tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.MessageCreated{Conversation: &next, Message: msg})
	})
	if err != nil {
		return nil, nil, err
	}
	return private, msg, nil
}

// privateConversation returns the private conversation in pub's inbox of
// pub's contact that is not resolved, or a new one, reporting whether it
// made it.
func (s *Service) privateConversation(ctx context.Context, tx *store.Tx, a *Actor, pub *sahay.Conversation) (*sahay.Conversation, bool, error) {
	c, err := tx.OpenConversation(ctx, store.ConversationKey{AccountID: a.AccountID(), ContactID: pub.ContactID, InboxID: pub.InboxID})
	switch {
	case err == nil && c.Status != sahay.StatusResolved:
		return c, false, nil
	case err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND:
		return nil, false, err
	}
	n, err := tx.NextConversationNumber(ctx, a.AccountID())
	if err != nil {
		return nil, false, err
	}
	c = &sahay.Conversation{AccountID: a.AccountID(), DisplayID: n, InboxID: pub.InboxID, ContactID: pub.ContactID,
		Status: sahay.StatusOpen, AssigneeID: a.User.ID, LastActivityAt: tx.Now(), Language: pub.Language}
	if err := tx.InsertConversation(ctx, c); err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// Moderation actions on a public comment.
const (
	ModerateHide   = "hide"
	ModerateUnhide = "unhide"
	ModerateDelete = "delete"
)

// ModerateComment hides, shows again or deletes a customer's public
// comment on its platform, and records it on the message and in the audit
// log.
func (s *Service) ModerateComment(ctx context.Context, a *Actor, messageID int64, action string) (*sahay.Message, error) {
	state := map[string]string{ModerateHide: "hidden", ModerateUnhide: "", ModerateDelete: "deleted"}
	next, ok := state[action]
	if !ok {
		return nil, sahay.Invalid("action must be hide, unhide or delete")
	}
	m, err := s.store.Message(ctx, a.AccountID(), messageID)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeInbox(m.InboxID) {
		return nil, sahay.NotFound("message")
	}
	if !m.Public || m.Kind != sahay.MessageIncoming || m.ExternalID == "" {
		return nil, sahay.Invalid("only a customer's public comment can be hidden or deleted")
	}
	if m.Details != nil && m.Details.Moderation == "deleted" {
		return nil, sahay.Invalid("the comment was deleted already")
	}
	inbox, err := s.InboxWithSecrets(ctx, a.AccountID(), m.InboxID)
	if err != nil {
		return nil, err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil, err
	}
	mod, ok := adapter.(channel.Moderator)
	if !ok {
		return nil, sahay.Invalid("the %s channel cannot hide or delete comments", inbox.Channel)
	}
	callCtx, cancel := context.WithTimeout(ctx, platformTimeout)
	defer cancel()
	if err := mod.Moderate(callCtx, inbox, m.ExternalID, action); err != nil {
		return nil, sahay.Errorf(sahay.EUNAVAILABLE, "the platform did not %s the comment: %s", action, platformReason(err))
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		cur, err := tx.Message(ctx, a.AccountID(), m.ID)
		if err != nil {
			return err
		}
		if cur.Details == nil {
			cur.Details = &sahay.MessageDetails{}
		}
		cur.Details.Moderation = next
		if err := tx.SetMessageDetails(ctx, cur); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "comment."+action, "message", cur.ID, map[string]any{
			"conversation_id": cur.ConversationID, "inbox_id": cur.InboxID, "external_id": cur.ExternalID, "content": preview(cur.Content),
		}); err != nil {
			return err
		}
		m = cur
		return tx.Emit(ctx, cur.AccountID, cur.InboxID, cur.ConversationID, sahay.MessageUpdated{Message: cur})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
