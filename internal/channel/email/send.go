package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Sending: an agent's reply goes out over the inbox's SMTP server as a
// mail from the inbox's address, signed with the agent's name, answering
// the thread's last mail.

// maxReferences is how many Message-IDs a reply's References names: the
// thread's first and its latest.
const maxReferences = 20

// threadDepth is how many of a conversation's latest messages are read to
// find the mail a reply answers.
const threadDepth = 100

// sendOptions are how the adapter sends, beyond each inbox's settings.
type sendOptions struct {
	// replyDomain is the domain of conversations' reply addresses,
	// reply+<token>@replyDomain: mail to it reaches Sahay's SMTP
	// listener. Empty leaves Reply-To out.
	replyDomain string
	// tlsConfig, when set, is the base of every TLS connection's
	// configuration (tests trust their own server with it).
	tlsConfig *tls.Config
	// timeout bounds each read and write on an SMTP connection; 0 is
	// [smtpTimeout].
	timeout time.Duration
}

// SetReplyDomain sets the domain of conversations' reply addresses:
// every reply then carries Reply-To: reply+<token>@domain, and the
// customer's answer to it reaches the conversation whatever headers
// their mail program keeps. Mail for the domain must reach Sahay's SMTP
// listener (its MX record). An empty domain leaves Reply-To out, and
// answers come back to the inbox's address.
func (a *Adapter) SetReplyDomain(domain string) {
	a.out.replyDomain = strings.ToLower(strings.TrimSpace(domain))
}

// ReplyAddress is a conversation's reply address for a reply token
// (core's ReplyToken) and a domain.
func ReplyAddress(token, domain string) string { return "reply+" + token + "@" + domain }

// sender is what sending needs of core.
type sender interface {
	ReplyToken(ctx context.Context, conversationID int64) (string, error)
	UserName(ctx context.Context, accountID, userID int64) (string, error)
	CustomerMessages(ctx context.Context, c *sahay.Conversation, before int64, limit int) ([]*sahay.Message, error)
}

// send delivers an agent's reply: see [Adapter.Send].
func (a *Adapter) send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	s, err := settings(out.Inbox)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	if s.SMTPHost == "" {
		return channel.SendResult{}, channel.Permanent(errors.New("email: the inbox has no SMTP server to send replies through (settings.smtp_host)"))
	}
	dkimOpts, err := dkimOptions(s, out.Inbox.Secrets)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	mail, err := a.compose(ctx, s, out)
	if err != nil {
		return channel.SendResult{}, err
	}
	var buf bytes.Buffer
	if err := mail.write(&buf); err != nil {
		return channel.SendResult{}, fmt.Errorf("email: write the mail: %w", err)
	}
	msg := buf.Bytes()
	if dkimOpts != nil {
		if msg, err = signDKIM(msg, dkimOpts); err != nil {
			return channel.SendResult{}, channel.Permanent(err)
		}
	}
	if err := a.smtpServerOf(s, out.Inbox.Secrets).deliver(ctx, s.Address, mail.recipients(), msg); err != nil {
		return channel.SendResult{}, err
	}
	return channel.SendResult{ExternalID: mail.MessageID, Email: &sahay.Email{Subject: mail.Subject, From: mail.From,
		To: mail.To, CC: nonNil(mail.CC), BCC: mail.BCC, MessageID: mail.MessageID, InReplyTo: mail.InReplyTo,
		References: mail.References}}, nil
}

// compose makes the mail of a reply.
func (a *Adapter) compose(ctx context.Context, s Settings, out channel.Outbound) (*outgoing, error) {
	core := a.core
	domain := domainOf(s.Address)
	token, err := core.ReplyToken(ctx, out.Conversation.ID)
	if err != nil {
		return nil, err
	}
	m := &outgoing{Date: time.Now(), Text: out.Message.Content, MessageID: messageID(token, out.Message.ID, domain)}
	if a.out.replyDomain != "" {
		m.ReplyTo = ReplyAddress(token, a.out.replyDomain)
	}
	m.From = sahay.EmailAddress{Name: out.Inbox.Name, Address: s.Address}
	if out.Message.SenderType == sahay.SenderUser && out.Message.SenderID != 0 {
		name, err := core.UserName(ctx, out.Message.AccountID, out.Message.SenderID)
		if err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return nil, err
		}
		m.From.Name = fromName(name, out.Inbox.Name)
	}
	m.To = []sahay.EmailAddress{{Name: contactName(out.Contact, out.Recipient), Address: out.Recipient}}
	parent, err := threadParent(ctx, core, out)
	if err != nil {
		return nil, err
	}
	var given sahay.Email
	if out.Message.Email != nil {
		given = *out.Message.Email
	}
	m.CC, m.BCC = given.CC, given.BCC
	switch {
	case strings.TrimSpace(given.Subject) != "":
		m.Subject = strings.TrimSpace(given.Subject)
	case parent != nil:
		m.Subject = replySubject(parent.Email.Subject)
	default:
		m.Subject = out.Inbox.Name
	}
	if parent != nil {
		m.InReplyTo = parent.Email.MessageID
		m.References = references(parent.Email.References, parent.Email.MessageID)
	}
	for _, att := range out.Message.Attachments {
		m.Files = append(m.Files, outgoingFile{Name: att.FileName, ContentType: att.ContentType,
			Open: func() (io.ReadCloser, error) { return out.Open(ctx, att) }})
	}
	return m, nil
}

// fromName is the name a reply is sent under: the agent's, and the
// inbox's after "via", so the customer knows both who answered and where
// ("Asha via Acme Support"). A reply of no agent (a bot, an automation)
// goes under the inbox's name alone.
func fromName(agent, inbox string) string {
	agent = strings.TrimSpace(agent)
	switch {
	case agent == "":
		return inbox
	case inbox == "":
		return agent
	}
	return agent + " via " + inbox
}

// contactName is the name a reply addresses the customer by: none when
// the contact's name is only made of their address.
func contactName(c *sahay.Contact, address string) string {
	if c == nil {
		return ""
	}
	name := strings.TrimSpace(c.Name)
	local, _, _ := strings.Cut(address, "@")
	if strings.EqualFold(name, address) || strings.EqualFold(name, local) {
		return ""
	}
	return name
}

// threadParent is the mail a reply answers: the conversation's latest
// received mail, or else its latest sent one; nil when it has none (a new
// outgoing conversation's first mail).
func threadParent(ctx context.Context, core sender, out channel.Outbound) (*sahay.Message, error) {
	msgs, err := core.CustomerMessages(ctx, out.Conversation, 0, threadDepth)
	if err != nil {
		return nil, err
	}
	var sent *sahay.Message
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.ID == out.Message.ID || m.Email == nil || m.Email.MessageID == "" {
			continue
		}
		switch m.Kind {
		case sahay.MessageIncoming:
			return m, nil
		case sahay.MessageOutgoing:
			if sent == nil && m.ExternalID != "" {
				sent = m
			}
		}
	}
	return sent, nil
}

// references is the References of an answer to a mail: the mail's own
// References and its Message-ID, at most [maxReferences] of them, keeping
// the thread's first.
func references(parentRefs []string, parentID string) []string {
	refs := make([]string, 0, len(parentRefs)+1)
	for _, r := range parentRefs {
		if r != "" && r != parentID {
			refs = append(refs, r)
		}
	}
	refs = append(refs, parentID)
	if len(refs) > maxReferences {
		refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
	}
	return refs
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// messageID is the Message-ID of a reply, without angle brackets: the
// same for every attempt to send it, so that a mail delivered twice is
// recognised as one, and unguessable without the conversation's reply
// token, so that nobody outside the thread can name it to join the
// conversation.
func messageID(token string, messageID int64, domain string) string {
	sum := sha256.Sum256([]byte("message-id:" + token + ":" + strconv.FormatInt(messageID, 10)))
	return idEncoding.EncodeToString(sum[:15]) + "@" + domain
}

func nonNil(list []sahay.EmailAddress) []sahay.EmailAddress {
	if list == nil {
		return []sahay.EmailAddress{}
	}
	return list
}

// checkSMTP checks that an inbox's SMTP server takes its credentials:
// it connects, secures the connection as smtp_tls says and signs in,
// sending nothing.
func (a *Adapter) checkSMTP(ctx context.Context, inbox *sahay.Inbox) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	if s.SMTPHost == "" {
		return sahay.Invalid("settings.smtp_host is not set: replies cannot be sent")
	}
	if _, err := dkimOptions(s, inbox.Secrets); err != nil {
		return err
	}
	return a.smtpServerOf(s, inbox.Secrets).check(ctx)
}
