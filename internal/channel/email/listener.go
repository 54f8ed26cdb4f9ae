package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Sahay's own SMTP listener, off unless the operator starts it: it takes
// mail for an email inbox's address (when Sahay is where that address's
// mail is delivered or forwarded, keeping the recipient) and for
// conversations' reply addresses, reply+<token>@<reply domain>, and
// journals it for the inbox as the mailbox watcher does. It relays
// nothing: any other recipient is refused.
const (
	// listenerTimeout bounds each read and write of an SMTP connection.
	listenerTimeout = time.Minute
	// maxRecipients is the most recipients one mail may name here.
	maxRecipients = 50
)

// Listen starts the SMTP listener on addr until [Adapter.Close]. It
// returns once it listens, with the address it listens on.
func (a *Adapter) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("email: SMTP listener: %w", err)
	}
	srv := smtp.NewServer(&listenerBackend{a: a})
	srv.Domain = a.out.replyDomain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	srv.ReadTimeout = listenerTimeout
	srv.WriteTimeout = listenerTimeout
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = maxRecipients
	srv.ErrorLog = listenerLog{a}
	a.listenMu.Lock()
	a.listener = srv
	a.listenMu.Unlock()
	a.listening.Add(1)
	go func() {
		defer a.listening.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			a.log.Error("email: SMTP listener stopped", "err", err)
		}
	}()
	return ln.Addr(), nil
}

// Close implements [channel.Closer]: it stops the SMTP listener, if it
// runs, and closes its connections.
func (a *Adapter) Close() {
	a.listenMu.Lock()
	srv := a.listener
	a.listener = nil
	a.listenMu.Unlock()
	if srv != nil {
		srv.Close()
	}
	a.listening.Wait()
}

type listenerLog struct{ a *Adapter }

func (l listenerLog) Printf(format string, v ...any) {
	l.a.log.Warn("email: SMTP listener: " + fmt.Sprintf(format, v...))
}

func (l listenerLog) Println(v ...any) { l.a.log.Warn("email: SMTP listener: " + fmt.Sprint(v...)) }

type listenerBackend struct{ a *Adapter }

func (b *listenerBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &listenerSession{a: b.a}, nil
}

// listenerSession is one SMTP conversation with a sending server.
type listenerSession struct {
	a  *Adapter
	to []delivery
}

// delivery is a recipient the listener took, and its inbox.
type delivery struct {
	inboxID int64
	to      string
}

func (s *listenerSession) Reset()                                    { s.to = nil }
func (s *listenerSession) Logout() error                             { return nil }
func (s *listenerSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *listenerSession) Rcpt(to string, _ *smtp.RcptOptions) error { return s.rcpt(to) }

var errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no mailbox here by that address"}

func (s *listenerSession) rcpt(to string) error {
	ctx, cancel := context.WithTimeout(context.Background(), listenerTimeout)
	defer cancel()
	inboxID, err := s.a.route(ctx, to)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return errNoMailbox
	}
	if err != nil {
		s.a.log.Warn("email: SMTP listener: route a recipient", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = append(s.to, delivery{inboxID: inboxID, to: strings.ToLower(to)})
	return nil
}

// route finds the inbox mail to an address goes to: the conversation's
// for a reply address of the reply domain, or the email inbox whose
// address it is.
func (a *Adapter) route(ctx context.Context, to string) (int64, error) {
	to = strings.ToLower(strings.Trim(strings.TrimSpace(to), "<>"))
	_, domain, _ := strings.Cut(to, "@")
	if token := ReplyToken(to); token != "" && domain == a.out.replyDomain {
		inbox, err := a.core.ReplyInbox(ctx, token)
		if err != nil {
			return 0, err
		}
		if inbox.Channel != Name {
			// A conversation of another channel (a website chat whose
			// reply was emailed to the visitor): an email inbox of the
			// account reads the mail, and core takes it on to the
			// conversation its token names.
			return a.accountMailbox(ctx, inbox.AccountID)
		}
		return inbox.ID, nil
	}
	inboxes, err := a.core.ChannelInboxes(ctx, Name)
	if err != nil {
		return 0, err
	}
	for _, in := range inboxes {
		if s, err := settings(in); err == nil && strings.EqualFold(s.Address, to) {
			return in.ID, nil
		}
	}
	return 0, sahay.NotFound("mailbox")
}

// accountMailbox is the email inbox of an account that reads mail for
// its other channels' reply addresses: its first.
func (a *Adapter) accountMailbox(ctx context.Context, accountID int64) (int64, error) {
	inboxes, err := a.core.ChannelInboxes(ctx, Name)
	if err != nil {
		return 0, err
	}
	var id int64
	for _, in := range inboxes {
		if in.AccountID == accountID && (id == 0 || in.ID < id) {
			id = in.ID
		}
	}
	if id == 0 {
		return 0, sahay.NotFound("reply address")
	}
	return id, nil
}

func (s *listenerSession) Data(r io.Reader) error {
	if len(s.to) == 0 {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "no valid recipients"}
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxMessageBytes+1))
	if err != nil {
		return err
	}
	if len(raw) > MaxMessageBytes {
		return smtp.ErrDataTooLarge
	}
	if _, err := Parse(raw); err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "not an email message"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), listenerTimeout)
	defer cancel()
	key := DedupeKey(raw)
	journalled := map[int64]bool{}
	for _, d := range s.to {
		if journalled[d.inboxID] {
			continue
		}
		if !s.a.limits.allow(d.inboxID, raw) {
			// The sending server tries again later, by when the sender's
			// bucket has refilled: nothing is lost.
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "too much mail from this sender; try again later"}
		}
		event := channel.Raw{DedupeKey: key, Body: raw, Headers: map[string]string{EnvelopeToHeader: d.to}}
		if err := s.a.core.JournalEvents(ctx, d.inboxID, []channel.Raw{event}); err != nil {
			s.a.log.Warn("email: SMTP listener: journal", "inbox", d.inboxID, "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		journalled[d.inboxID] = true
	}
	return nil
}
