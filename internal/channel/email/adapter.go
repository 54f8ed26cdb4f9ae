// Package email is the "email" channel: a mailbox read over IMAP (and,
// optionally, mail delivered to Sahay's own SMTP listener), each message
// threaded into the conversation it answers, and replies sent over SMTP.
package email

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
)

// Name is the channel's registry name.
const Name = "email"

// Namespace is whose ids an email contact's identity holds: an address is
// the same person whichever inbox they write to.
const Namespace = "email"

// Secret settings of an inbox, kept encrypted among its secrets.
const (
	IMAPPasswordKey = "imap_password"
	SMTPPasswordKey = "smtp_password"
)

// Ways a connection to a mail server is secured.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// MaxAttachmentBytes is the largest file a reply carries: what most mail
// providers accept.
const MaxAttachmentBytes = 25 << 20

// Settings are an email inbox's settings that are not secret.
type Settings struct {
	// Address is the inbox's own address (support@example.com): what
	// customers write to, and the From of replies.
	Address      string `json:"address"`
	IMAPHost     string `json:"imap_host,omitempty"`
	IMAPPort     Port   `json:"imap_port,omitempty"`
	IMAPUsername string `json:"imap_username,omitempty"`
	IMAPTLS      string `json:"imap_tls,omitempty"`
	SMTPHost     string `json:"smtp_host,omitempty"`
	SMTPPort     Port   `json:"smtp_port,omitempty"`
	SMTPUsername string `json:"smtp_username,omitempty"`
	SMTPTLS      string `json:"smtp_tls,omitempty"`
	DKIMSettings
}

// Port is a TCP port, given as a JSON number or a string of digits (as a
// form sends it).
type Port int

// UnmarshalJSON implements [json.Unmarshaler].
func (p *Port) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*p = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("a port is a number from 1 to 65535, not %s", b)
	}
	*p = Port(n)
	return nil
}

// IMAPAddress is the host:port of the inbox's IMAP server, with the
// port its security implies when none is set.
func (s Settings) IMAPAddress() string {
	port := int(s.IMAPPort)
	if port == 0 {
		port = 993
		if s.imapTLS() != TLSImplicit {
			port = 143
		}
	}
	return joinHostPort(s.IMAPHost, port)
}

// SMTPAddress is the host:port of the inbox's SMTP server.
func (s Settings) SMTPAddress() string {
	port := int(s.SMTPPort)
	if port == 0 {
		port = 587
		if s.smtpTLS() == TLSImplicit {
			port = 465
		}
	}
	return joinHostPort(s.SMTPHost, port)
}

func (s Settings) imapTLS() string {
	if s.IMAPTLS == "" {
		return TLSImplicit
	}
	return s.IMAPTLS
}

func (s Settings) smtpTLS() string {
	if s.SMTPTLS == "" {
		return TLSStartTLS
	}
	return s.SMTPTLS
}

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}

// Core is what the adapter needs of core: where its workers are in their
// mailboxes, the journal for mail that arrives at the SMTP listener, and
// the email inboxes to route that mail to. *core.Service implements it.
type Core interface {
	WorkerCursor(ctx context.Context, inboxID int64) (string, error)
	SetWorkerCursor(ctx context.Context, inboxID int64, value string) error
	JournalEvents(ctx context.Context, inboxID int64, events []channel.Raw) error
	ChannelInboxes(ctx context.Context, name string) ([]*sahay.Inbox, error)
	ReplyInbox(ctx context.Context, token string) (*sahay.Inbox, error)
	sender
}

// Adapter connects mailboxes.
type Adapter struct {
	core         Core
	allowPrivate bool
	out          sendOptions
	log          *slog.Logger
	limits       *senderLimits
	// pollInterval and idleRestart are [pollInterval] and [idleRestart];
	// tests shorten them.
	pollInterval time.Duration
	idleRestart  time.Duration
	// listener is the SMTP listener, when [Adapter.Listen] started it.
	listenMu  sync.Mutex
	listener  *smtp.Server
	listening sync.WaitGroup
}

// New returns the adapter. Every server an inbox names is kept off the
// server's own network unless allowPrivate.
func New(core Core, allowPrivate bool) *Adapter {
	return &Adapter{core: core, allowPrivate: allowPrivate, log: slog.Default(), limits: newSenderLimits(),
		pollInterval: pollInterval, idleRestart: idleRestart}
}

// SetLog sets where the mailbox watchers report what they skip and why
// they stopped.
func (a *Adapter) SetLog(log *slog.Logger) { a.log = log }

var (
	_ channel.Adapter   = (*Adapter)(nil)
	_ channel.Parser    = (*Adapter)(nil)
	_ channel.Worker    = (*Adapter)(nil)
	_ channel.Describer = (*Adapter)(nil)
	_ channel.Tester    = (*Adapter)(nil)
	_ channel.Closer    = (*Adapter)(nil)
)

// Namespace implements the outbound pipeline's lookup of the recipient.
func (a *Adapter) Namespace() string { return Namespace }

var tlsChoices = []string{TLSNone, TLSStartTLS, TLSImplicit}

// Describe implements [channel.Describer].
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{
			Attachments:        []string{"*/*"},
			MaxAttachmentBytes: MaxAttachmentBytes,
			Subject:            true,
			CC:                 true,
		},
		Settings: append([]channel.Setting{
			{Key: "address", Label: "Email address", Type: "string", Required: true,
				Help: "The address customers write to, such as support@example.com; replies are sent from it."},
			{Key: "imap_host", Label: "IMAP server", Type: "string",
				Help: "Where Sahay reads the mailbox, such as imap.gmail.com. Leave empty when mail is forwarded to Sahay's own SMTP listener instead."},
			{Key: "imap_port", Label: "IMAP port", Type: "integer", Default: "993"},
			{Key: "imap_username", Label: "IMAP user name", Type: "string",
				Help: "Usually the full address."},
			{Key: "imap_password", Label: "IMAP password", Type: "string", Secret: true,
				Help: "For Gmail, Outlook and Zoho, an app password made in the account's security settings."},
			{Key: "imap_tls", Label: "IMAP security", Type: "choice", Choices: tlsChoices, Default: TLSImplicit,
				Help: "tls: encrypted from the start (port 993); starttls: upgraded after connecting (port 143); none: unencrypted, only on a trusted network."},
			{Key: "smtp_host", Label: "SMTP server", Type: "string",
				Help: "Where Sahay sends replies, such as smtp.gmail.com."},
			{Key: "smtp_port", Label: "SMTP port", Type: "integer", Default: "587"},
			{Key: "smtp_username", Label: "SMTP user name", Type: "string"},
			{Key: "smtp_password", Label: "SMTP password", Type: "string", Secret: true},
			{Key: "smtp_tls", Label: "SMTP security", Type: "choice", Choices: tlsChoices, Default: TLSStartTLS,
				Help: "starttls on port 587, tls on port 465, none only on a trusted network."},
		}, dkimSettings...),
	}
}

// settings reads an inbox's settings.
func settings(inbox *sahay.Inbox) (Settings, error) {
	var s Settings
	if len(inbox.Settings) > 0 {
		var ports struct {
			IMAP json.RawMessage `json:"imap_port"`
			SMTP json.RawMessage `json:"smtp_port"`
		}
		if json.Unmarshal(inbox.Settings, &ports) == nil {
			for _, p := range []struct {
				key string
				v   json.RawMessage
			}{{"imap_port", ports.IMAP}, {"smtp_port", ports.SMTP}} {
				var port Port
				if len(p.v) > 0 && port.UnmarshalJSON(p.v) != nil {
					return s, sahay.Invalid("settings.%s must be a port, a number from 1 to 65535", p.key)
				}
			}
		}
		dec := json.NewDecoder(bytes.NewReader(inbox.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("email inbox settings: %v", err)
		}
	}
	return s, nil
}

// Validate implements [channel.Adapter].
func (a *Adapter) Validate(inbox *sahay.Inbox) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	addr, err := mail.ParseAddress(s.Address)
	if err != nil || addr.Address != s.Address {
		return sahay.Invalid("settings.address must be an email address, such as support@example.com")
	}
	if s.IMAPHost != "" {
		if err := netguard.CheckHost(s.IMAPHost, a.allowPrivate); err != nil {
			return sahay.Invalid("settings.imap_host %v", err)
		}
		if s.IMAPUsername == "" || inbox.Secrets[IMAPPasswordKey] == "" {
			return sahay.Invalid("settings.imap_username and settings.imap_password are required with an IMAP server")
		}
	}
	if s.SMTPHost != "" {
		if err := netguard.CheckHost(s.SMTPHost, a.allowPrivate); err != nil {
			return sahay.Invalid("settings.smtp_host %v", err)
		}
	}
	if _, err := dkimOptions(s, inbox.Secrets); err != nil {
		return err
	}
	for _, c := range []struct{ key, v string }{{"imap_tls", s.IMAPTLS}, {"smtp_tls", s.SMTPTLS}} {
		switch c.v {
		case "", TLSNone, TLSStartTLS, TLSImplicit:
		default:
			return sahay.Invalid("settings.%s must be none, starttls or tls", c.key)
		}
	}
	return nil
}

// Send implements [channel.Adapter]: the reply goes out over the inbox's
// SMTP server (see send.go). Its external id is the Message-ID it was
// sent with, and the headers it was sent with are kept on the message.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	return a.send(ctx, out)
}

// Parse implements [channel.Parser]: one journalled mail, as it was
// fetched from the mailbox or delivered to the SMTP listener. A person's
// mail is a message; an auto-reply nothing; a bounce a failed receipt for
// the reply it returns.
func (a *Adapter) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	m, err := Parse(raw.Body)
	if err != nil {
		return channel.Parsed{}, err
	}
	s, _ := settings(inbox)
	return m.Parsed(inbox.ID, s.Address, raw.Headers[EnvelopeToHeader]), nil
}
