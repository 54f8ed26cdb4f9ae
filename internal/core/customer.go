package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/store"
)

// What a channel does for the customer it serves, on any channel: name them,
// show them their conversations, messages and files, start a conversation
// with them. The channel has authenticated the customer (a signed token, a
// platform's verified webhook) and names them by their identity in the
// inbox; core decides what that identity may see and change.

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
			err = createContact(ctx, tx, c)
		} else {
			err = tx.UpdateContact(ctx, c)
		}
		if err != nil {
			return err
		}
		return tx.Emit(ctx, inbox.AccountID, 0, 0, sahay.ContactUpdated{Contact: c})
	})
	return c, err
}

// ContactName returns the name of the contact a channel identity belongs
// to, "" when the contact has only a placeholder (the identity itself,
// such as their phone number). It is how a phone channel tells an agent
// who is calling.
func (s *Service) ContactName(ctx context.Context, inbox *sahay.Inbox, namespace, externalID string) (string, error) {
	id, err := s.store.ContactIDByIdentity(ctx, inbox.AccountID, identityNamespace(inbox, namespace), externalID)
	if err != nil {
		return "", err
	}
	c, err := s.store.Contact(ctx, inbox.AccountID, id)
	if err != nil {
		return "", err
	}
	if IsPlaceholderName(c.Name, externalID) {
		return "", nil
	}
	return c.Name, nil
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
		c, err := tx.OpenConversation(ctx, store.ConversationKey{AccountID: inbox.AccountID, ContactID: contact.ID, InboxID: inbox.ID})
		if err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return err
		}
		if c != nil && c.Status != sahay.StatusResolved {
			c.Contact = contact
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
		return tx.Emit(ctx, inbox.AccountID, inbox.ID, conv.ID, sahay.ConversationCreated{Conversation: conv})
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

// CustomerFile opens a file of one of the contact's conversations in the
// inbox, by its storage key; any other file is not_found.
func (s *Service) CustomerFile(ctx context.Context, inbox *sahay.Inbox, contactID int64, key string) (*sahay.Attachment, io.ReadSeekCloser, error) {
	a, conversationID, err := s.store.AttachmentByKey(ctx, inbox.AccountID, key)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.CustomerConversation(ctx, inbox, contactID, conversationID); err != nil {
		return nil, nil, sahay.NotFound("attachment")
	}
	f, err := s.OpenFile(ctx, a.StorageKey)
	if err != nil {
		return nil, nil, err
	}
	return a, f, nil
}

// ChannelContactID returns the id of the contact of a channel identity
// (namespace "" is the inbox's own, as in [Service.UpsertChannelContact]),
// or not_found.
func (s *Service) ChannelContactID(ctx context.Context, inbox *sahay.Inbox, namespace, externalID string) (int64, error) {
	return s.store.ContactIDByIdentity(ctx, inbox.AccountID, identityNamespace(inbox, namespace), externalID)
}

// ChannelContact returns the contact of a channel identity, or not_found.
func (s *Service) ChannelContact(ctx context.Context, inbox *sahay.Inbox, namespace, externalID string) (*sahay.Contact, error) {
	id, err := s.ChannelContactID(ctx, inbox, namespace, externalID)
	if err != nil {
		return nil, err
	}
	return s.store.Contact(ctx, inbox.AccountID, id)
}

// CustomerConversation returns a conversation of the contact in the inbox.
// Another contact's, another inbox's and a missing one are alike not_found,
// so ids cannot be probed.
func (s *Service) CustomerConversation(ctx context.Context, inbox *sahay.Inbox, contactID, id int64) (*sahay.Conversation, error) {
	c, err := s.store.Conversation(ctx, inbox.AccountID, id)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND || err == nil && (contactID == 0 || c.ContactID != contactID || c.InboxID != inbox.ID) {
		return nil, sahay.NotFound("conversation")
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CustomerConversations returns the contact's latest conversations in the
// inbox, latest activity first, at most limit (1 to 100).
func (s *Service) CustomerConversations(ctx context.Context, inbox *sahay.Inbox, contactID int64, limit int) ([]*sahay.Conversation, error) {
	if limit <= 0 || limit > 100 {
		return nil, sahay.Invalid("limit must be 1 to 100")
	}
	cs, _, err := s.store.Conversations(ctx, store.ConversationFilter{AccountID: inbox.AccountID, InboxID: inbox.ID, ContactID: contactID, Limit: limit})
	return cs, err
}

// CustomerMessages returns a page of a conversation's timeline, oldest
// first: at most limit (1 to 200) messages before message id before (0 for
// the latest). c comes from [Service.CustomerConversation]. The timeline
// holds private notes and activity lines too: the channel shows the
// customer only their messages and the replies.
func (s *Service) CustomerMessages(ctx context.Context, c *sahay.Conversation, before int64, limit int) ([]*sahay.Message, error) {
	if limit <= 0 || limit > 200 {
		return nil, sahay.Invalid("limit must be 1 to 200")
	}
	return s.store.Messages(ctx, c.AccountID, c.ID, before, limit)
}

// UserName returns the name of a user of the account, as a channel signs a
// reply to its customer.
func (s *Service) UserName(ctx context.Context, accountID, userID int64) (string, error) {
	u, err := s.store.User(ctx, accountID, userID)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// InboxAgents returns the users who answer an inbox: its members and the
// account's administrators.
func (s *Service) InboxAgents(ctx context.Context, inbox *sahay.Inbox) ([]*sahay.User, error) {
	users, err := s.store.Users(ctx, inbox.AccountID)
	if err != nil {
		return nil, err
	}
	in, err := s.store.Inbox(ctx, inbox.AccountID, inbox.ID)
	if err != nil {
		return nil, err
	}
	out := []*sahay.User{}
	for _, u := range users {
		if u.IsAdmin() || slices.Contains(in.MemberIDs, u.ID) {
			out = append(out, u)
		}
	}
	return out, nil
}
