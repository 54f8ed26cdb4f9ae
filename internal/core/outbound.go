package core

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

const jobSendMessage = "send_message"

type sendPayload struct {
	MessageID int64 `json:"message_id"`
}

// NewMessage is a reply or private note written by an agent.
type NewMessage struct {
	Content string `json:"content"`
	Private bool   `json:"private"`
	// Email is a reply's subject and copies, on a channel that has them.
	Email *EmailFields `json:"email,omitempty"`
	// Template sends an approved message template instead of content
	// (WhatsApp, outside the messaging window).
	Template *sahay.TemplateUse `json:"template,omitempty"`
	// ReplyTo is the id of a message of the conversation the reply quotes,
	// on a channel whose platform shows quotes (WhatsApp, Messenger).
	ReplyTo int64 `json:"reply_to,omitempty"`
	// AllowPersonalData posts a public reply that shows personal data
	// (a phone number, an email address…) after the agent confirmed it.
	AllowPersonalData bool     `json:"allow_personal_data,omitempty"`
	Files             []Upload `json:"-"`
}

// PostMessage adds an agent's reply or private note to a conversation. A
// reply is stored as pending together with its send job, in one
// transaction: once this returns, the reply will be sent or marked failed.
func (s *Service) PostMessage(ctx context.Context, a *Actor, conversationID int64, nm NewMessage) (*sahay.Message, error) {
	var err error
	if nm.Content, err = CleanText("content", nm.Content, MaxContentBytes); err != nil {
		return nil, err
	}
	if nm.Content == "" && len(nm.Files) == 0 && nm.Template == nil {
		return nil, sahay.Invalid("content is required")
	}
	visible, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	inbox, err := s.store.Inbox(ctx, a.AccountID(), visible.InboxID)
	if err != nil {
		return nil, err
	}
	var email *sahay.Email
	if nm.Email != nil {
		if email, err = s.emailOfReply(inbox, nm.Email, nm.Private); err != nil {
			return nil, err
		}
	}
	var details *sahay.MessageDetails
	switch {
	case nm.Private && nm.Template != nil:
		return nil, sahay.Invalid("template: a private note is not sent, so it is not a template")
	case !nm.Private:
		if details, err = s.replyDetails(ctx, inbox, visible, nm.Template, &nm.Content, time.Now()); err != nil {
			return nil, err
		}
		if nm.ReplyTo != 0 {
			quoted, err := s.store.Message(ctx, a.AccountID(), nm.ReplyTo)
			if err != nil || quoted.ConversationID != visible.ID || quoted.ExternalID == "" {
				return nil, sahay.Invalid("reply_to: message %d is not one of this conversation's messages on the platform", nm.ReplyTo)
			}
			if details == nil {
				details = &sahay.MessageDetails{}
			}
			details.ReplyTo = quoted.ExternalID
		}
		if visible.Public && !nm.AllowPersonalData {
			if err := checkPublicReply(nm.Content); err != nil {
				return nil, err
			}
		}
	}
	attachments, err := s.storeUploads(ctx, nm.Files)
	if err != nil {
		return nil, err
	}
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
			Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser, SenderID: a.User.ID, Content: nm.Content,
			Status: sahay.DeliveryPending, Attachments: attachments, Email: email, Details: details, Public: c.Public}
		// An agent bot speaks only while it owns the conversation, and
		// what it says is the bot's, not an agent's first reply.
		bot := a.IsBot()
		if bot {
			if c.Status != sahay.StatusPending {
				return sahay.Errorf(sahay.ECONFLICT, "conversation %d is with a person, not the bot", c.DisplayID)
			}
			msg.SenderType, msg.SenderID = sahay.SenderBot, 0
			if !nm.Private {
				if msg.Details == nil {
					msg.Details = &sahay.MessageDetails{}
				}
				msg.Details.Bot = &sahay.BotReply{Kind: sahay.BotAnswer, Source: AgentBotSource}
			}
		}
		if nm.Private {
			msg.Kind, msg.Status, msg.Public = sahay.MessageNote, "", false
		}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		next := *c
		next.LastActivityAt = tx.Now()
		if !nm.Private {
			payload, _ := json.Marshal(sendPayload{MessageID: msg.ID})
			if _, err := tx.EnqueueJob(ctx, c.AccountID, jobSendMessage, string(payload), tx.Now()); err != nil {
				return err
			}
			next.LastMessage = messagePreview(nm.Content, attachments)
			if !bot && next.FirstReplyAt == nil {
				now := tx.Now()
				next.FirstReplyAt = &now
			}
			next.WaitingSince = nil
			// The first agent to answer an unassigned conversation owns it.
			if next.AssigneeID == 0 {
				next.AssigneeID = a.User.ID
			}
		}
		if err := tx.UpdateConversation(ctx, c, &next); err != nil {
			return err
		}
		if err := tx.Emit(ctx, c.AccountID, c.InboxID, c.ID, sahay.MessageCreated{Conversation: &next, Message: msg}); err != nil {
			return err
		}
		if nm.Private {
			return s.notifyMentions(ctx, tx, a, &next, msg)
		}
		return nil
	})
	if err != nil {
		s.dropBlobs(ctx, attachments)
		return nil, err
	}
	return msg, nil
}

// RetryMessage sends a failed reply again.
func (s *Service) RetryMessage(ctx context.Context, a *Actor, messageID int64) (*sahay.Message, error) {
	m, err := s.store.Message(ctx, a.AccountID(), messageID)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeInbox(m.InboxID) {
		return nil, sahay.NotFound("message")
	}
	if m.Kind != sahay.MessageOutgoing || m.Status != sahay.DeliveryFailed {
		return nil, sahay.Errorf(sahay.ECONFLICT, "only a failed reply can be retried; this one is %s", m.Status)
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		// Re-read under the lock: of two retries at once, one re-sends.
		if m, err = tx.Message(ctx, a.AccountID(), messageID); err != nil {
			return err
		}
		if m.Status != sahay.DeliveryFailed {
			return sahay.Errorf(sahay.ECONFLICT, "only a failed reply can be retried; this one is %s", m.Status)
		}
		m.Status, m.Error = sahay.DeliveryPending, ""
		if err := tx.SetMessageDelivery(ctx, m); err != nil {
			return err
		}
		payload, _ := json.Marshal(sendPayload{MessageID: m.ID})
		if _, err := tx.EnqueueJob(ctx, m.AccountID, jobSendMessage, string(payload), tx.Now()); err != nil {
			return err
		}
		return tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// runSend is the send job: it hands a pending reply to its inbox's adapter.
func (s *Service) runSend(ctx context.Context, job *store.Job) error {
	var p sendPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return channel.Permanent(fmt.Errorf("bad payload: %w", err))
	}
	m, err := s.store.Message(ctx, job.AccountID, p.MessageID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil // deleted with its conversation: nothing to send
	}
	if err != nil {
		return err
	}
	if m.Status != sahay.DeliveryPending {
		return nil // already sent by an earlier attempt whose job outlived its lease
	}
	out, adapter, err := s.outbound(ctx, m)
	if err != nil {
		return err
	}
	res, err := adapter.Send(ctx, out)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, m.AccountID); err != nil {
			return err
		}
		cur, err := tx.Message(ctx, m.AccountID, m.ID)
		if err != nil {
			return err
		}
		cur.ExternalID = res.ExternalID
		if res.Recipient != "" && res.Recipient != out.Recipient {
			if err := s.learnRecipient(ctx, tx, out.Contact, recipientNamespace(out.Inbox, adapter), res.Recipient); err != nil {
				return err
			}
		}
		if res.Email != nil {
			// The mail is out: headers that do not fit are not kept,
			// and the reply is still sent.
			if err := cleanMail(res.Email); err != nil {
				s.log.Warn("sent email not kept", "message", m.ID, "err", err)
			} else {
				cur.Email = res.Email
			}
		}
		if sahay.DeliveryRank(cur.Status) < sahay.DeliveryRank(sahay.DeliverySent) {
			cur.Status, cur.Error = sahay.DeliverySent, ""
		}
		if err := tx.SetMessageDelivery(ctx, cur); err != nil {
			return err
		}
		return tx.Emit(ctx, cur.AccountID, cur.InboxID, cur.ConversationID, sahay.MessageUpdated{Message: cur})
	})
}

// sendFailed marks a reply failed once its job has given up, so the agent
// sees it and can retry.
func (s *Service) sendFailed(ctx context.Context, job *store.Job, cause error) {
	var p sendPayload
	if json.Unmarshal([]byte(job.Payload), &p) != nil {
		return
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, job.AccountID); err != nil {
			return err
		}
		m, err := tx.Message(ctx, job.AccountID, p.MessageID)
		if err != nil {
			return err
		}
		m.Status, m.Error = sahay.DeliveryFailed, failureText(cause)
		if err := tx.SetMessageDelivery(ctx, m); err != nil {
			return err
		}
		return tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m})
	})
	if err != nil {
		s.log.Error("mark message failed", "message", p.MessageID, "err", err)
	}
}

func failureText(err error) string {
	s := err.Error()
	// "permanent failure: " says why the reply is not retried, which the
	// agent sees by its status; the reason is what follows.
	s = strings.TrimPrefix(s, channel.ErrPermanent.Error()+": ")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// outbound gathers what an adapter needs to send m.
func (s *Service) outbound(ctx context.Context, m *sahay.Message) (channel.Outbound, channel.Adapter, error) {
	c, err := s.store.Conversation(ctx, m.AccountID, m.ConversationID)
	if err != nil {
		return channel.Outbound{}, nil, err
	}
	inbox, err := s.InboxWithSecrets(ctx, m.AccountID, m.InboxID)
	if err != nil {
		return channel.Outbound{}, nil, err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return channel.Outbound{}, nil, channel.Permanent(err)
	}
	contact, err := s.store.Contact(ctx, m.AccountID, c.ContactID)
	if err != nil {
		return channel.Outbound{}, nil, err
	}
	out := channel.Outbound{Inbox: inbox, Conversation: c, Contact: contact, Message: m,
		Open: func(ctx context.Context, a sahay.Attachment) (io.ReadCloser, error) {
			return s.OpenFile(ctx, a.StorageKey)
		},
		Link: func(a sahay.Attachment) (string, error) {
			return s.FileLink(m.AccountID, a, FileLinkTTL)
		}}
	switch last, err := s.store.LastIncoming(ctx, c.AccountID, c.ID); {
	case err == nil:
		out.ReplyTo = last.ExternalID
	case sahay.ErrorCode(err) != sahay.ENOTFOUND:
		return channel.Outbound{}, nil, err
	}
	ns := recipientNamespace(inbox, adapter)
	for _, id := range contact.Identities {
		if id.Namespace == ns {
			out.Recipient = id.ExternalID
		}
	}
	if out.Recipient == "" {
		return out, nil, channel.Permanent(fmt.Errorf("the contact has no identity on this channel"))
	}
	return out, adapter, nil
}

// learnRecipient adds the id a platform answered a reply under to its
// contact (a private reply names the commenter's messaging id), so that
// what they write from it reaches the same contact.
func (s *Service) learnRecipient(ctx context.Context, tx *store.Tx, contact *sahay.Contact, ns, id string) error {
	if _, err := tx.ContactByIdentity(ctx, contact.AccountID, ns, id); err == nil {
		return nil // known already, perhaps as someone else: left as it is
	} else if sahay.ErrorCode(err) != sahay.ENOTFOUND {
		return err
	}
	c, err := tx.Contact(ctx, contact.AccountID, contact.ID)
	if err != nil {
		return err
	}
	return tx.AddIdentity(ctx, c, ns, id)
}

// UpdateDelivery records a delivery or read receipt for a sent message:
// every channel's receipts come here, from the journal (see
// [channel.Receipt]) or from the API channel's statuses endpoint. A
// receipt older than what is recorded ("sent" after "read") changes
// nothing; a receipt for an unknown message is ignored.
func (s *Service) UpdateDelivery(ctx context.Context, inboxID int64, externalID, status, errText string) error {
	inbox, err := s.store.InboxByID(ctx, inboxID)
	if err != nil {
		return err
	}
	if externalID == "" {
		return sahay.Invalid("external_id is required")
	}
	switch status {
	case sahay.DeliverySent, sahay.DeliveryDelivered, sahay.DeliveryRead, sahay.DeliveryFailed:
	default:
		return sahay.Invalid("unknown delivery status %q", status)
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, inbox.AccountID); err != nil {
			return err
		}
		m, err := tx.MessageByExternalID(ctx, inboxID, externalID)
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if status == sahay.DeliveryFailed {
			if m.Status == sahay.DeliveryRead || m.Status == sahay.DeliveryFailed {
				return nil
			}
			m.Error = errText
		} else if sahay.DeliveryRank(status) <= sahay.DeliveryRank(m.Status) && m.Status != sahay.DeliveryFailed {
			return nil
		}
		m.Status = status
		if err := tx.SetMessageDelivery(ctx, m); err != nil {
			return err
		}
		return tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m})
	})
}

// updateDeliveryUpTo applies a watermark receipt: every reply sent to its
// recipient in the inbox at or before the watermark moves up to its
// status, never back. A recipient Sahay does not know changes nothing.
func (s *Service) updateDeliveryUpTo(ctx context.Context, inbox *sahay.Inbox, ns string, r channel.Receipt) error {
	var below []string
	switch r.Status {
	case sahay.DeliveryDelivered:
		below = []string{sahay.DeliverySent}
	case sahay.DeliveryRead:
		below = []string{sahay.DeliverySent, sahay.DeliveryDelivered}
	default:
		return sahay.Invalid("a watermark receipt is delivered or read, not %q", r.Status)
	}
	if r.Recipient == "" {
		return sahay.Invalid("a watermark receipt names its recipient")
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, inbox.AccountID); err != nil {
			return err
		}
		contact, err := tx.ContactByIdentity(ctx, inbox.AccountID, ns, r.Recipient)
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		msgs, err := tx.OutgoingUpTo(ctx, inbox.ID, contact.ID, r.Watermark, below)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			m.Status = r.Status
			if err := tx.SetMessageDelivery(ctx, m); err != nil {
				return err
			}
			if err := tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m}); err != nil {
				return err
			}
		}
		return nil
	})
}
