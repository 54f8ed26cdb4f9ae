package core

import (
	"context"
	"encoding/json"
	"net/mail"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// EmailFields are what an agent writes of a reply on a channel whose
// messages have a subject and copies (email): its subject, and the
// addresses it is copied to. Left out, a reply answers the thread under
// its subject with "Re: ".
type EmailFields struct {
	Subject string   `json:"subject"`
	CC      []string `json:"cc"`
	BCC     []string `json:"bcc"`
}

// emailOfReply checks the email fields of a reply in an inbox and returns
// what is kept of them on the message: nil when none were given. Fields a
// channel does not take are refused, naming them.
func (s *Service) emailOfReply(inbox *sahay.Inbox, f *EmailFields, private bool) (*sahay.Email, error) {
	if f == nil {
		return nil, nil
	}
	d, err := s.channels.Describe(inbox.Channel)
	if err != nil {
		return nil, err
	}
	if !d.Capabilities.Subject && !d.Capabilities.CC {
		return nil, sahay.Invalid("email: the %s channel's messages have no subject or copies; email is for email inboxes", inbox.Channel)
	}
	if private {
		return nil, sahay.Invalid("email: a private note is not sent, so it has no subject or copies")
	}
	e := &sahay.Email{To: []sahay.EmailAddress{}}
	if e.Subject, err = cleanLine("email.subject", f.Subject, maxSubjectBytes); err != nil {
		return nil, err
	}
	if len(e.Subject) > maxSubjectBytes {
		return nil, sahay.Invalid("email.subject is longer than %d bytes", maxSubjectBytes)
	}
	if e.Subject != "" && !d.Capabilities.Subject {
		return nil, sahay.Invalid("email.subject: the %s channel's messages have no subject", inbox.Channel)
	}
	if (len(f.CC) > 0 || len(f.BCC) > 0) && !d.Capabilities.CC {
		return nil, sahay.Invalid("email.cc: the %s channel's messages are not copied to anyone", inbox.Channel)
	}
	if e.CC, err = emailAddresses("email.cc", f.CC); err != nil {
		return nil, err
	}
	if e.BCC, err = emailAddresses("email.bcc", f.BCC); err != nil {
		return nil, err
	}
	return e, nil
}

// emailAddresses checks a list of addresses an agent typed: each an
// address, with or without a name ("Dana <dana@example.com>"), once.
func emailAddresses(field string, list []string) ([]sahay.EmailAddress, error) {
	if len(list) > MaxEmailAddresses {
		return nil, sahay.Invalid("%s has more than %d addresses", field, MaxEmailAddresses)
	}
	out := []sahay.EmailAddress{}
	seen := map[string]bool{}
	for _, raw := range list {
		a, err := parseEmailAddress(field, raw)
		if err != nil {
			return nil, err
		}
		if key := strings.ToLower(a.Address); !seen[key] {
			seen[key] = true
			out = append(out, a)
		}
	}
	return out, nil
}

// parseEmailAddress reads one address an agent typed.
func parseEmailAddress(field, raw string) (sahay.EmailAddress, error) {
	v, err := cleanLine(field, raw, MaxEmailChars+MaxNameChars)
	if err != nil {
		return sahay.EmailAddress{}, err
	}
	a, err := mail.ParseAddress(v)
	if err != nil || !validDomain(a.Address) {
		return sahay.EmailAddress{}, sahay.Invalid("%s: %q is not an email address, such as dana@example.com", field, raw)
	}
	if len(a.Address) > MaxEmailChars {
		return sahay.EmailAddress{}, sahay.Invalid("%s: %q is longer than %d characters", field, raw, MaxEmailChars)
	}
	return sahay.EmailAddress{Name: a.Name, Address: a.Address}, nil
}

// validDomain reports whether an address's domain is a name with a dot:
// mail to a bare host name cannot leave the sender's server.
func validDomain(address string) bool {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return false
	}
	d := address[i+1:]
	return strings.Contains(d, ".") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}

// NewConversation is an outgoing conversation an agent starts: a first
// message to a contact, or to an email address (which finds or makes its
// contact).
type NewConversation struct {
	InboxID   int64        `json:"inbox_id"`
	ContactID int64        `json:"contact_id"`
	To        string       `json:"to"`
	Content   string       `json:"content"`
	Email     *EmailFields `json:"email"`
	// Template starts a WhatsApp conversation with an approved message
	// template, the only message a business may send first there.
	Template *sahay.TemplateUse `json:"template,omitempty"`
	Files    []Upload           `json:"-"`
}

// StartOutgoing opens a new conversation with a first message from the
// agent, sent like a reply: an email to a customer, a new thread even
// when they have one open. The agent must see the inbox. On a channel
// whose messages have a subject (email), the subject is required.
func (s *Service) StartOutgoing(ctx context.Context, a *Actor, nc NewConversation) (*sahay.Conversation, *sahay.Message, error) {
	var err error
	if nc.Content, err = CleanText("content", nc.Content, MaxContentBytes); err != nil {
		return nil, nil, err
	}
	if nc.Content == "" && len(nc.Files) == 0 && nc.Template == nil {
		return nil, nil, sahay.Invalid("content is required")
	}
	if nc.InboxID == 0 {
		return nil, nil, sahay.Invalid("inbox_id is required")
	}
	if !a.CanSeeInbox(nc.InboxID) {
		return nil, nil, sahay.NotFound("inbox")
	}
	inbox, err := s.store.Inbox(ctx, a.AccountID(), nc.InboxID)
	if err != nil {
		return nil, nil, err
	}
	adapter, err := s.channels.Get(inbox.Channel)
	if err != nil {
		return nil, nil, err
	}
	ns := recipientNamespace(inbox, adapter)
	d, err := s.channels.Describe(inbox.Channel)
	if err != nil {
		return nil, nil, err
	}
	email, err := s.emailOfReply(inbox, nc.Email, false)
	if err != nil {
		return nil, nil, err
	}
	if d.Capabilities.Subject && (email == nil || email.Subject == "") {
		return nil, nil, sahay.Invalid("email.subject is required to start an email conversation")
	}
	// A new conversation has no message of the customer's: on a channel
	// with a messaging window only a template may open it.
	details, err := s.replyDetails(ctx, inbox, &sahay.Conversation{}, nc.Template, &nc.Content, time.Now())
	if err != nil {
		return nil, nil, err
	}
	var to sahay.EmailAddress
	switch {
	case nc.ContactID != 0 && nc.To != "":
		return nil, nil, sahay.Invalid("give contact_id or to, not both")
	case nc.ContactID != 0:
		if err := checkContact(ctx, s.store, a, nc.ContactID); err != nil {
			return nil, nil, err
		}
	case nc.To != "" && ns == PhoneNamespace:
		phone, err := phoneIdentity(nc.To)
		if err != nil {
			return nil, nil, err
		}
		to = sahay.EmailAddress{Address: phone}
	case nc.To != "":
		if ns != "email" {
			return nil, nil, sahay.Invalid("to: the %s channel does not reach people by email address; give contact_id", inbox.Channel)
		}
		if to, err = parseEmailAddress("to", nc.To); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, sahay.Invalid("contact_id or to is required")
	}
	attachments, err := s.storeUploads(ctx, nc.Files)
	if err != nil {
		return nil, nil, err
	}
	var conv *sahay.Conversation
	var msg *sahay.Message
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		contact, err := s.recipientContact(ctx, tx, a.AccountID(), ns, nc.ContactID, to)
		if err != nil {
			return err
		}
		n, err := tx.NextConversationNumber(ctx, a.AccountID())
		if err != nil {
			return err
		}
		now := tx.Now()
		conv = &sahay.Conversation{AccountID: a.AccountID(), DisplayID: n, InboxID: inbox.ID, ContactID: contact.ID,
			Status: sahay.StatusOpen, AssigneeID: a.User.ID, LastActivityAt: now}
		if email != nil {
			conv.Subject = email.Subject
		}
		if err := tx.InsertConversation(ctx, conv); err != nil {
			return err
		}
		msg = &sahay.Message{AccountID: conv.AccountID, ConversationID: conv.ID, InboxID: conv.InboxID,
			Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser, SenderID: a.User.ID, Content: nc.Content,
			Status: sahay.DeliveryPending, Attachments: attachments, Email: email, Details: details}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		payload, _ := json.Marshal(sendPayload{MessageID: msg.ID})
		if _, err := tx.EnqueueJob(ctx, conv.AccountID, jobSendMessage, string(payload), now); err != nil {
			return err
		}
		old := *conv
		conv.LastMessage = messagePreview(nc.Content, attachments)
		if err := tx.UpdateConversation(ctx, &old, conv); err != nil {
			return err
		}
		conv.Contact = contact
		if err := tx.Emit(ctx, conv.AccountID, conv.InboxID, conv.ID, sahay.ConversationCreated{Conversation: conv}); err != nil {
			return err
		}
		return tx.Emit(ctx, conv.AccountID, conv.InboxID, conv.ID, sahay.MessageCreated{Conversation: conv, Message: msg})
	})
	if err != nil {
		s.dropBlobs(ctx, attachments)
		return nil, nil, err
	}
	return conv, msg, nil
}

// recipientContact is the contact a new conversation is with: the one
// given by id, which must be reachable on the inbox's channel, or the one
// an email address belongs to, made when there is none.
func (s *Service) recipientContact(ctx context.Context, tx *store.Tx, accountID int64, ns string, id int64, to sahay.EmailAddress) (*sahay.Contact, error) {
	if id != 0 {
		c, err := tx.Contact(ctx, accountID, id)
		if err != nil {
			return nil, err
		}
		for _, ident := range c.Identities {
			if ident.Namespace == ns {
				return c, nil
			}
		}
		// A contact known by their email address elsewhere (the widget,
		// the API) is reached at it; one known by their phone number, on
		// WhatsApp.
		if ns == "email" && c.Email != "" && validDomain(c.Email) {
			if err := tx.AddIdentity(ctx, c, ns, strings.ToLower(c.Email)); err != nil {
				return nil, err
			}
			return c, nil
		}
		if ns == PhoneNamespace && c.Phone != "" {
			if phone, err := phoneIdentity(c.Phone); err == nil {
				if err := tx.AddIdentity(ctx, c, ns, phone); err != nil {
					return nil, err
				}
				return c, nil
			}
		}
		return nil, sahay.Invalid("contact_id: the contact has no identity on this inbox's channel")
	}
	key := strings.ToLower(to.Address)
	c, err := tx.ContactByIdentity(ctx, accountID, ns, key)
	if err == nil {
		return c, nil
	}
	if sahay.ErrorCode(err) != sahay.ENOTFOUND {
		return nil, err
	}
	c = &sahay.Contact{AccountID: accountID, Name: to.Name, Email: to.Address,
		Identities: []sahay.ContactIdentity{{Namespace: ns, ExternalID: key}}}
	if ns == PhoneNamespace {
		c.Email, c.Phone = "", "+"+key
	}
	if c.Name == "" {
		c.Name = placeholderName(key)
	}
	return c, createContact(ctx, tx, c)
}

// PhoneNamespace is whose ids a channel that reaches people by their phone
// number keeps (WhatsApp): the number's digits with its country code,
// without "+".
const PhoneNamespace = "whatsapp"

// phoneIdentity is a phone number an agent typed as a PhoneNamespace id:
// "+880 1712-345678" is "8801712345678".
func phoneIdentity(raw string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return "", sahay.Invalid("to: %q is not a phone number with its country code (+8801712345678)", raw)
		}
	}
	digits := b.String()
	if !strings.HasPrefix(strings.TrimSpace(raw), "+") || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return "", sahay.Invalid("to: %q is not a phone number with its country code (+8801712345678)", raw)
	}
	return digits, nil
}

// recipientNamespace is whose ids the contact identities an inbox's
// replies go to are: the channel's own namespace (email addresses are
// the same person in every inbox), or the inbox's.
func recipientNamespace(inbox *sahay.Inbox, adapter channel.Adapter) string {
	if n, ok := adapter.(interface{ Namespace() string }); ok {
		return n.Namespace()
	}
	return identityNamespace(inbox, "")
}
