package core

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Threads: a platform whose messages name what they answer (email) has
// its replies continue the conversation they answer, found by the reply
// token of the address the customer wrote to, or by the external ids of
// the messages the reply names.

// Limits of an email kept with its message.
const (
	// MaxEmailHTMLBytes is the longest sanitized HTML body kept.
	MaxEmailHTMLBytes = 1 << 20
	// MaxEmailTextBytes is the longest plain-text body kept.
	MaxEmailTextBytes = 256 << 10
	// MaxEmailAddresses is the most addresses kept of one header.
	MaxEmailAddresses = 100
	// MaxEmailReferences is the most Message-IDs kept of References.
	MaxEmailReferences = 50
	// maxSubjectBytes is the longest subject kept.
	maxSubjectBytes = 2000
)

// replyTokenKey names the shared key reply tokens are signed with.
const replyTokenKey = "reply_token_key"

// replyMACBytes is how much of the signature a token carries: 80 bits.
const replyMACBytes = 10

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ReplyToken returns the token of a conversation's reply address, such as
// reply+<token>@example.com: a mail sent to it continues the conversation
// whatever headers it carries. It is made of the conversation's id and a
// signature with a key every node shares, in lower case, since mail
// servers may change the case of an address.
func (s *Service) ReplyToken(ctx context.Context, conversationID int64) (string, error) {
	key, err := s.replyKey(ctx)
	if err != nil {
		return "", err
	}
	id := strconv.FormatInt(conversationID, 36)
	return id + "-" + replyMAC(key, id), nil
}

// ReplyInbox returns the inbox of the conversation a reply token names:
// where mail to its reply address goes. A token that is not Sahay's is
// not_found.
func (s *Service) ReplyInbox(ctx context.Context, token string) (*sahay.Inbox, error) {
	id, err := s.replyConversation(ctx, token)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, sahay.NotFound("reply address")
	}
	inboxID, err := s.store.ConversationInbox(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.store.InboxByID(ctx, inboxID)
}

// ReplyAddress returns a conversation's reply address at a domain whose
// mail reaches Sahay's SMTP listener: reply+<token>@domain.
func (s *Service) ReplyAddress(ctx context.Context, conversationID int64, domain string) (string, error) {
	token, err := s.ReplyToken(ctx, conversationID)
	if err != nil {
		return "", err
	}
	return "reply+" + token + "@" + domain, nil
}

// replyConversation returns the conversation a reply token names, or 0 for
// a token that is malformed or not Sahay's.
func (s *Service) replyConversation(ctx context.Context, token string) (int64, error) {
	id, mac, ok := strings.Cut(strings.ToLower(token), "-")
	if !ok || len(id) > 13 {
		return 0, nil
	}
	n, err := strconv.ParseInt(id, 36, 64)
	if err != nil || n <= 0 {
		return 0, nil
	}
	key, err := s.replyKey(ctx)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal([]byte(mac), []byte(replyMAC(key, id))) {
		return 0, nil
	}
	return n, nil
}

func replyMAC(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("reply-token:" + id))
	return tokenEncoding.EncodeToString(m.Sum(nil)[:replyMACBytes])
}

func (s *Service) replyKey(ctx context.Context) ([]byte, error) {
	v, err := s.store.ServerSetting(ctx, replyTokenKey, func() (string, error) {
		b := make([]byte, 32)
		rand.Read(b)
		return hex.EncodeToString(b), nil
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// resolveThread sets the conversation of a message that names what it
// answers: its reply token's, or else that of the newest message of the
// inbox among those it names. It leaves a message whose thread is not
// found as it is. It returns the inbox the message goes to: the one it
// was received in, or, for a reply token of a conversation of another
// inbox of the same account (a website visitor answering by email the
// reply the widget emailed them), that conversation's inbox.
func (s *Service) resolveThread(ctx context.Context, inbox *sahay.Inbox, in *channel.Inbound) (*sahay.Inbox, error) {
	if in.ConversationID != 0 || !threaded(in) {
		return inbox, nil
	}
	if in.ReplyToken != "" {
		id, err := s.replyConversation(ctx, in.ReplyToken)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			c, err := s.store.Conversation(ctx, inbox.AccountID, id)
			if err == nil && c.InboxID == inbox.ID {
				in.ConversationID = id
				return inbox, nil
			}
			if err == nil {
				return s.crossInboxReply(ctx, c, in)
			}
			if sahay.ErrorCode(err) != sahay.ENOTFOUND {
				return nil, err
			}
		}
	}
	if len(in.Thread) == 0 {
		return inbox, nil
	}
	id, err := s.store.ThreadConversation(ctx, inbox.ID, in.Thread)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return inbox, nil
	}
	if err != nil {
		return nil, err
	}
	in.ConversationID = id
	return inbox, nil
}

// crossInboxReply sends a reply to the conversation of another inbox of
// the account its token names. When the sender's address is the
// conversation's contact's, the message is theirs (a visitor known by
// their widget identity), not a new contact's.
func (s *Service) crossInboxReply(ctx context.Context, c *sahay.Conversation, in *channel.Inbound) (*sahay.Inbox, error) {
	target, _, err := s.receivingInbox(ctx, c.InboxID)
	if err != nil {
		return nil, err
	}
	contact, err := s.store.Contact(ctx, c.AccountID, c.ContactID)
	if err != nil {
		return nil, err
	}
	sender := in.Email
	if sender == "" {
		sender = in.ContactID
	}
	if contact.Email != "" && strings.EqualFold(contact.Email, sender) && len(contact.Identities) > 0 {
		id := contact.Identities[0]
		for _, ident := range contact.Identities {
			if ident.Namespace == in.Namespace {
				id = ident
			}
		}
		in.Namespace, in.ContactID = id.Namespace, id.ExternalID
	}
	in.InboxID, in.ConversationID = target.ID, c.ID
	return target, nil
}

// threaded reports whether a message names what it answers: its
// conversation is then whichever the thread found, whoever of the
// thread's participants wrote it.
func threaded(in *channel.Inbound) bool { return in.ReplyToken != "" || len(in.Thread) > 0 }

// cleanMail checks an email kept with a message.
func cleanMail(e *sahay.Email) error {
	var err error
	if e.Subject, err = cleanLine("email.subject", e.Subject, maxSubjectBytes); err != nil {
		return err
	}
	if len(e.Subject) > maxSubjectBytes {
		return sahay.Invalid("email.subject is longer than %d bytes", maxSubjectBytes)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"email.message_id", &e.MessageID}, {"email.in_reply_to", &e.InReplyTo}} {
		if err := checkIdentifier(f.name, *f.v); err != nil {
			return err
		}
	}
	if len(e.References) > MaxEmailReferences {
		return sahay.Invalid("email.references has more than %d ids", MaxEmailReferences)
	}
	for _, r := range e.References {
		if err := checkIdentifier("email.references", r); err != nil {
			return err
		}
	}
	if err := cleanAddress("email.from", &e.From); err != nil {
		return err
	}
	for _, list := range []struct {
		name string
		v    []sahay.EmailAddress
	}{{"email.to", e.To}, {"email.cc", e.CC}, {"email.bcc", e.BCC}} {
		if len(list.v) > MaxEmailAddresses {
			return sahay.Invalid("%s has more than %d addresses", list.name, MaxEmailAddresses)
		}
		for i := range list.v {
			if err := cleanAddress(list.name, &list.v[i]); err != nil {
				return err
			}
		}
	}
	if e.To == nil {
		e.To = []sahay.EmailAddress{}
	}
	if e.CC == nil {
		e.CC = []sahay.EmailAddress{}
	}
	if e.HTML, err = CleanText("email.html", e.HTML, MaxEmailHTMLBytes); err != nil {
		return err
	}
	if e.Text, err = CleanText("email.text", e.Text, MaxEmailTextBytes); err != nil {
		return err
	}
	return nil
}

func cleanAddress(field string, a *sahay.EmailAddress) error {
	var err error
	if a.Name, err = cleanLine(field+".name", a.Name, MaxNameChars); err != nil {
		return err
	}
	if a.Address, err = cleanLine(field+".address", a.Address, MaxEmailChars); err != nil {
		return err
	}
	return nil
}
