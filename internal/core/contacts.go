package core

import (
	"context"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// ContactInput creates or changes a contact.
type ContactInput struct {
	Name       *string         `json:"name"`
	Email      *string         `json:"email"`
	Phone      *string         `json:"phone"`
	Attributes *map[string]any `json:"attributes"`
}

// ContactQuery selects a page of contacts, as the API's query string does.
type ContactQuery struct {
	Query string
	// Label keeps the contacts with a conversation carrying the label.
	Label string
	// Channel keeps the contacts with a conversation in an inbox of the
	// channel.
	Channel string
	Before  int64
	Limit   int
}

// ListContacts returns a page of the contacts the actor may see: every
// contact of the account for owners and administrators, the contacts with a
// conversation in one of their inboxes for agents. The label and channel
// filters look at those same conversations.
func (s *Service) ListContacts(ctx context.Context, a *Actor, q ContactQuery) ([]*sahay.Contact, error) {
	f, err := s.contactFilter(ctx, a, q)
	if err != nil {
		return nil, err
	}
	return s.store.ListContacts(ctx, f)
}

func (s *Service) contactFilter(ctx context.Context, a *Actor, q ContactQuery) (store.ContactFilter, error) {
	f := store.ContactFilter{AccountID: a.AccountID(), Query: q.Query, Inboxes: a.Inboxes(), Before: q.Before, Limit: q.Limit}
	if len(q.Query) > 500 {
		return f, sahay.Invalid("q is longer than 500 bytes")
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	var err error
	f.LabelID, f.ConversationInboxes, err = s.labelAndChannel(ctx, a, q.Label, q.Channel)
	return f, err
}

// Contact returns a contact the actor may see.
func (s *Service) Contact(ctx context.Context, a *Actor, id int64) (*sahay.Contact, error) {
	if err := checkContact(ctx, s.store, a, id); err != nil {
		return nil, err
	}
	return s.store.Contact(ctx, a.AccountID(), id)
}

// contactChecker is the store or a transaction.
type contactChecker interface {
	ContactVisible(ctx context.Context, accountID, id int64, inboxes []int64) (bool, error)
}

// checkContact answers not_found for a contact the actor may not see, as
// for one that does not exist, so ids cannot be probed.
func checkContact(ctx context.Context, q contactChecker, a *Actor, id int64) error {
	ok, err := q.ContactVisible(ctx, a.AccountID(), id, a.Inboxes())
	if err != nil {
		return err
	}
	if !ok {
		return sahay.NotFound("contact")
	}
	return nil
}

func applyContact(c *sahay.Contact, in ContactInput) error {
	name, email, phone := c.Name, c.Email, c.Phone
	if in.Name != nil {
		name = *in.Name
	}
	if in.Email != nil {
		email = *in.Email
	}
	if in.Phone != nil {
		phone = *in.Phone
	}
	if err := cleanContact("", &name, &email, &phone); err != nil {
		return err
	}
	c.Name, c.Email, c.Phone = name, email, phone
	if in.Attributes != nil {
		if err := checkAttributes(*in.Attributes); err != nil {
			return err
		}
		c.Attributes = *in.Attributes
	}
	return nil
}

// cleanContact checks and normalizes what names a contact, the same for
// every way a contact is named: the API, a channel's message, the website
// widget. Field names in errors start with prefix.
func cleanContact(prefix string, name, email, phone *string) error {
	var err error
	if *name, err = cleanLine(prefix+"name", *name, MaxNameChars); err != nil {
		return err
	}
	if *email, err = cleanLine(prefix+"email", *email, MaxEmailChars); err != nil {
		return err
	}
	*email = strings.ToLower(*email)
	if *email != "" && !strings.Contains(*email, "@") {
		return sahay.Invalid("%semail %q is not an email address", prefix, *email)
	}
	*phone, err = cleanLine(prefix+"phone", *phone, MaxPhoneChars)
	return err
}

// CreateContact adds a contact by hand; administrators only, as a contact
// without conversations is visible to no agent.
func (s *Service) CreateContact(ctx context.Context, a *Actor, in ContactInput) (*sahay.Contact, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	c := &sahay.Contact{AccountID: a.AccountID()}
	if err := applyContact(c, in); err != nil {
		return nil, err
	}
	if c.Name == "" && c.Email == "" && c.Phone == "" {
		return nil, sahay.Invalid("a contact needs a name, email or phone")
	}
	if c.Email != "" {
		c.Identities = []sahay.ContactIdentity{{Namespace: "email", ExternalID: c.Email}}
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := createContact(ctx, tx, c); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), 0, 0, sahay.ContactUpdated{Contact: c})
	})
	return c, err
}

// UpdateContact changes a contact's fields.
func (s *Service) UpdateContact(ctx context.Context, a *Actor, id int64, in ContactInput) (*sahay.Contact, error) {
	var c *sahay.Contact
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := checkContact(ctx, tx, a, id); err != nil {
			return err
		}
		var err error
		if c, err = tx.Contact(ctx, a.AccountID(), id); err != nil {
			return err
		}
		if err := applyContact(c, in); err != nil {
			return err
		}
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), 0, 0, sahay.ContactUpdated{Contact: c})
	})
	return c, err
}

// DeleteContact removes a contact and their conversations; administrators
// only, as it erases history.
func (s *Service) DeleteContact(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := tx.DeleteContact(ctx, a.AccountID(), id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "contact.delete", "contact", id, nil)
	})
}

// MergeContacts folds contact other into contact id: one person reached on
// two channels becomes one contact with both identities and all
// conversations.
func (s *Service) MergeContacts(ctx context.Context, a *Actor, id, other int64) (*sahay.Contact, error) {
	var c *sahay.Contact
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		for _, cid := range []int64{id, other} {
			if err := checkContact(ctx, tx, a, cid); err != nil {
				return err
			}
		}
		var err error
		if c, err = tx.MergeContacts(ctx, a.AccountID(), id, other); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "contact.merge", "contact", id, map[string]int64{"merged_contact_id": other}); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), 0, 0, sahay.ContactMerged{Contact: c, MergedContactID: other})
	})
	return c, err
}

// ContactConversations lists a contact's conversations the actor may see.
func (s *Service) ContactConversations(ctx context.Context, a *Actor, id int64) ([]*sahay.Conversation, error) {
	if err := checkContact(ctx, s.store, a, id); err != nil {
		return nil, err
	}
	out, _, err := s.ListConversations(ctx, a, ListQuery{Contact: id, Limit: 100})
	return out, err
}

// SearchResult is what [Service.Search] finds.
type SearchResult struct {
	Messages      []MessageHit          `json:"messages"`
	Contacts      []*sahay.Contact      `json:"contacts"`
	Conversations []*sahay.Conversation `json:"conversations"`
}

// MessageHit is a found message with its matches marked.
type MessageHit struct {
	Message   *sahay.Message `json:"message"`
	DisplayID int64          `json:"display_id"`
	ContactID int64          `json:"contact_id"`
	// ContactName is the name of the conversation's contact, "" if unknown.
	ContactName string `json:"contact_name"`
	// Highlight is the message as escaped HTML with <mark> around matches.
	Highlight string `json:"highlight"`
}

// Search finds messages, contacts and conversations the actor may see.
// Text is normalized the same way it was indexed, so Bengali and Hindi
// words match whole, whatever form they were typed in.
func (s *Service) Search(ctx context.Context, a *Actor, q string) (*SearchResult, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, sahay.Invalid("q is required")
	}
	if len(q) > 500 {
		return nil, sahay.Invalid("q is longer than 500 bytes")
	}
	out := &SearchResult{Messages: []MessageHit{}, Contacts: []*sahay.Contact{}, Conversations: []*sahay.Conversation{}}
	terms := textnorm.Terms(q)
	hits, err := s.store.SearchMessages(ctx, a.AccountID(), a.Inboxes(), terms, 25)
	if err != nil {
		return nil, err
	}
	for _, h := range hits {
		out.Messages = append(out.Messages, MessageHit{Message: h.Message, DisplayID: h.DisplayID, ContactID: h.ContactID, ContactName: h.ContactName,
			Highlight: textnorm.HighlightHTML(h.Message.Content, terms, "<mark>", "</mark>")})
	}
	if out.Contacts, err = s.store.Contacts(ctx, a.AccountID(), a.Inboxes(), q, 0, 10); err != nil {
		return nil, err
	}
	// "#42" or "42" finds conversation 42.
	if n, ok := displayNumber(q); ok {
		if c, err := s.store.ConversationByDisplayID(ctx, a.AccountID(), n); err == nil && a.CanSeeInbox(c.InboxID) {
			out.Conversations = append(out.Conversations, c)
		}
	}
	return out, nil
}

func displayNumber(q string) (int64, bool) {
	q = strings.TrimPrefix(q, "#")
	var n int64
	for _, r := range q {
		if r < '0' || r > '9' || n > 1<<40 {
			return 0, false
		}
		n = n*10 + int64(r-'0')
	}
	return n, n > 0
}

// createContact stores a new contact and commits its contact.created
// event, which automation rules on contact_created follow.
func createContact(ctx context.Context, tx *store.Tx, c *sahay.Contact) error {
	if err := tx.CreateContact(ctx, c); err != nil {
		return err
	}
	return tx.Emit(ctx, c.AccountID, 0, 0, sahay.ContactCreated{Contact: c})
}
