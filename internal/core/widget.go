package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/store"
)

// EventCSATCreated is committed when a customer rates a conversation.
const EventCSATCreated = "csat.created"

// WidgetIdentity names a website visitor's contact: the identity namespace
// "inbox:<id>" of the widget inbox and the visitor's subject.
func WidgetIdentity(inboxID int64) string { return identityNamespace(&sahay.Inbox{ID: inboxID}, "") }

// placeholderName is what a contact is called until they give a name: their
// identifier (a phone number, an email address), or, for an anonymous
// website visitor whose identifier is random ("v:7f3a…"), "Visitor 7F3A",
// which agents can read and tell apart.
func placeholderName(externalID string) string {
	if id, ok := strings.CutPrefix(externalID, "v:"); ok && len(id) >= 4 {
		return "Visitor " + strings.ToUpper(id[:4])
	}
	return externalID
}

// IsPlaceholderName reports whether name is one a real name may replace.
func IsPlaceholderName(name, externalID string) bool {
	return name == "" || name == externalID || name == placeholderName(externalID)
}

// ContactFields are what a website or shop tells about a customer. Empty
// fields change nothing; attributes are merged into the contact's.
type ContactFields struct {
	Name       string
	Email      string
	Phone      string
	Attributes map[string]any
	// Overwrite replaces name, email and phone the contact already has;
	// only a verified identity may.
	Overwrite bool
}

// UpsertChannelContact finds the contact of a channel identity, creating it
// if needed, and applies f. It is how a website names its visitor (the
// widget's setUser and pre-chat form) before or between messages.
func (s *Service) UpsertChannelContact(ctx context.Context, inbox *sahay.Inbox, namespace, externalID string, f ContactFields) (*sahay.Contact, error) {
	if err := checkIdentifier("contact identifier", externalID); err != nil {
		return nil, err
	}
	if err := checkFields(&f); err != nil {
		return nil, err
	}
	ns := identityNamespace(inbox, namespace)
	var c *sahay.Contact
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, inbox.AccountID); err != nil {
			return err
		}
		var err error
		c, err = tx.ContactByIdentity(ctx, inbox.AccountID, ns, externalID)
		created := false
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			c = &sahay.Contact{AccountID: inbox.AccountID, Identities: []sahay.ContactIdentity{{Namespace: ns, ExternalID: externalID}}}
			created, err = true, nil
		}
		if err != nil {
			return err
		}
		if !applyFields(c, f, externalID) && !created {
			return nil
		}
		if c.Name == "" {
			c.Name = placeholderName(externalID)
		}
		if created {
			err = tx.CreateContact(ctx, c)
		} else {
			err = tx.UpdateContact(ctx, c)
		}
		if err != nil {
			return err
		}
		return tx.Emit(ctx, inbox.AccountID, sahay.EventContactUpdated, 0, 0, map[string]any{"contact": c})
	})
	return c, err
}

func checkFields(f *ContactFields) error {
	if err := cleanContact("", &f.Name, &f.Email, &f.Phone); err != nil {
		return err
	}
	return checkAttributes(f.Attributes)
}

// applyFields sets f on c and reports whether anything changed. A name given
// replaces the placeholder c got from externalID (see [IsPlaceholderName]).
func applyFields(c *sahay.Contact, f ContactFields, externalID string) bool {
	changed := false
	for _, p := range []struct {
		dst *string
		v   string
	}{{&c.Name, f.Name}, {&c.Email, f.Email}, {&c.Phone, f.Phone}} {
		if p.v == "" || *p.dst == p.v {
			continue
		}
		// A visitor's placeholder name gives way to a real one.
		placeholder := p.dst == &c.Name && externalID != "" && IsPlaceholderName(c.Name, externalID)
		if *p.dst == "" || f.Overwrite || placeholder {
			*p.dst, changed = p.v, true
		}
	}
	if len(f.Attributes) > 0 {
		next := maps.Clone(c.Attributes)
		if next == nil {
			next = map[string]any{}
		}
		for k, v := range f.Attributes {
			if v == nil {
				delete(next, k)
			} else {
				next[k] = v
			}
		}
		if len(next) > MaxAttributes {
			return changed
		}
		if !jsonEqual(next, c.Attributes) {
			c.Attributes, changed = next, true
		}
	}
	return changed
}

func jsonEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
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

// StartConversation opens a conversation with a contact of a channel
// identity (creating the contact if needed) and sends the agent's first
// message through the outbound pipeline: a proactive chat. An unresolved
// conversation of the contact in the inbox is reused.
func (s *Service) StartConversation(ctx context.Context, a *Actor, inboxID int64, externalID, content string) (*sahay.Conversation, *sahay.Message, error) {
	inbox, err := s.Inbox(ctx, a, inboxID)
	if err != nil {
		return nil, nil, err
	}
	if content, err = CleanText("content", content, MaxContentBytes); err != nil {
		return nil, nil, err
	}
	if content == "" {
		return nil, nil, sahay.Invalid("content is required")
	}
	contact, err := s.UpsertChannelContact(ctx, inbox, "", externalID, ContactFields{})
	if err != nil {
		return nil, nil, err
	}
	var conv *sahay.Conversation
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, inbox.AccountID); err != nil {
			return err
		}
		c, err := tx.OpenConversation(ctx, inbox.AccountID, inbox.ID, contact.ID)
		if err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return err
		}
		if c != nil && c.Status != sahay.StatusResolved {
			conv = c
			return nil
		}
		n, err := tx.NextConversationNumber(ctx, inbox.AccountID)
		if err != nil {
			return err
		}
		conv = &sahay.Conversation{AccountID: inbox.AccountID, DisplayID: n, InboxID: inbox.ID, ContactID: contact.ID,
			Status: sahay.StatusOpen, AssigneeID: a.User.ID}
		if err := tx.InsertConversation(ctx, conv); err != nil {
			return err
		}
		conv.Contact = contact
		return tx.Emit(ctx, inbox.AccountID, sahay.EventConversationCreated, inbox.ID, conv.ID, map[string]any{"conversation": conv})
	})
	if err != nil {
		return nil, nil, err
	}
	m, err := s.PostMessage(ctx, a, conv.ID, NewMessage{Content: content})
	if err != nil {
		return nil, nil, err
	}
	return conv, m, nil
}

// RateConversation stores a customer's 1 to 5 rating of a resolved
// conversation they own.
func (s *Service) RateConversation(ctx context.Context, accountID, conversationID, contactID int64, rating int, comment string) (*store.CSAT, error) {
	if rating < 1 || rating > 5 {
		return nil, sahay.Invalid("rating must be 1 to 5")
	}
	comment, err := CleanText("comment", comment, 2000)
	if err != nil {
		return nil, err
	}
	var out *store.CSAT
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, accountID); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, accountID, conversationID)
		if err != nil {
			return err
		}
		if c.ContactID != contactID {
			return sahay.NotFound("conversation")
		}
		if c.Status != sahay.StatusResolved {
			return sahay.Errorf(sahay.ECONFLICT, "only a resolved conversation can be rated")
		}
		out = &store.CSAT{ConversationID: c.ID, AccountID: accountID, InboxID: c.InboxID, ContactID: contactID,
			AssigneeID: c.AssigneeID, Rating: rating, Comment: comment}
		if err := tx.SaveCSAT(ctx, out); err != nil {
			return err
		}
		return tx.Emit(ctx, accountID, EventCSATCreated, c.InboxID, c.ID, map[string]any{"csat": out})
	})
	return out, err
}

// RecordOrder stores a cart, checkout or order and keeps a summary of the
// contact's latest ones in its attributes ("cart_value", "last_order_total",
// "orders_count", …), where routing and automation conditions can read
// them. A contact is found by contactID, else by the order's email (created
// with an email identity if new); an order of nobody known is stored alone.
func (s *Service) RecordOrder(ctx context.Context, o *store.Order) error {
	o.Email = strings.ToLower(strings.TrimSpace(o.Email))
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, o.AccountID); err != nil {
			return err
		}
		if o.ContactID == 0 && o.Email != "" {
			id, err := tx.ContactIDByEmail(ctx, o.AccountID, o.Email)
			switch {
			case err == nil:
				o.ContactID = id
			case sahay.ErrorCode(err) == sahay.ENOTFOUND:
				c := &sahay.Contact{AccountID: o.AccountID, Name: o.Email, Email: o.Email,
					Identities: []sahay.ContactIdentity{{Namespace: "email", ExternalID: o.Email}}}
				if err := tx.CreateContact(ctx, c); err != nil {
					return err
				}
				o.ContactID = c.ID
			default:
				return err
			}
		}
		isNew, err := tx.UpsertOrder(ctx, o)
		if err != nil {
			return err
		}
		if o.ContactID == 0 {
			return nil
		}
		c, err := tx.Contact(ctx, o.AccountID, o.ContactID)
		if err != nil {
			return err
		}
		now := tx.Now().Format(time.RFC3339)
		attrs := map[string]any{}
		switch o.Kind {
		case "cart", "checkout":
			attrs["cart_value"], attrs["cart_currency"], attrs["cart_updated_at"] = o.Total, o.Currency, now
		case "order":
			attrs["last_order_id"], attrs["last_order_total"], attrs["last_order_currency"] = o.ExternalID, o.Total, o.Currency
			attrs["last_order_status"], attrs["last_order_at"] = o.Status, now
			n, _ := c.Attributes["orders_count"].(float64)
			if isNew {
				n++
			}
			attrs["orders_count"] = n
			if o.Source == "widget" || o.Source == "shopify" {
				// An order empties the cart it came from.
				attrs["cart_value"] = nil
			}
		}
		if !applyFields(c, ContactFields{Attributes: attrs}, "") {
			return nil
		}
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		return tx.Emit(ctx, o.AccountID, sahay.EventContactUpdated, 0, 0, map[string]any{"contact": c})
	})
}

// StoreFile checks and stores a file a customer sends through a channel, and
// returns the attachment to pass in [channel.Inbound.Attachments].
func (s *Service) StoreFile(ctx context.Context, up Upload) (sahay.Attachment, error) {
	atts, err := s.storeUploads(ctx, []Upload{up})
	if err != nil {
		return sahay.Attachment{}, err
	}
	return atts[0], nil
}

// OpenFile returns the stored file of an attachment's storage key; the
// caller has checked that the reader may see it.
func (s *Service) OpenFile(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	f, err := s.blobs.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, sahay.NotFound("attachment file")
	}
	return f, err
}
