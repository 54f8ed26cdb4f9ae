// Package notify delivers notifications outside the dashboard: email to
// agents through an SMTP server, and Web Push to their browsers.
package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/sahayhq/sahay/internal/core"
)

// SMTP sends email through an SMTP server.
type SMTP struct {
	addr     string
	host     string
	from     *mail.Address
	auth     smtp.Auth
	implicit bool // TLS from the first byte (port 465)
	startTLS bool
	// TLSConfig overrides the TLS settings, e.g. to trust a test server.
	TLSConfig *tls.Config
}

var _ core.Mailer = (*SMTP)(nil)

// ParseSMTP reads a server URL: smtp://user:pass@host:587?from=Support%20<support@example.com>
// (STARTTLS when offered), smtps://…:465 (TLS from the start), or
// smtp://host:25?tls=none for a local relay.
func ParseSMTP(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("notify: SMTP URL %q: want smtp://user:pass@host:port?from=…", raw)
	}
	s := &SMTP{addr: u.Host, host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.startTLS = u.Query().Get("tls") != "none"
		if u.Port() == "" {
			s.addr = net.JoinHostPort(u.Hostname(), "587")
		}
	case "smtps":
		s.implicit = true
		if u.Port() == "" {
			s.addr = net.JoinHostPort(u.Hostname(), "465")
		}
	default:
		return nil, fmt.Errorf("notify: SMTP URL scheme %q: use smtp or smtps", u.Scheme)
	}
	from := u.Query().Get("from")
	if from == "" {
		return nil, fmt.Errorf("notify: SMTP URL needs ?from=sender address")
	}
	if s.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("notify: SMTP from %q: %w", from, err)
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	return s, nil
}

var _ core.ReplyMailer = (*SMTP)(nil)

// Send implements [core.Mailer].
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	return s.SendReply(ctx, to, "", subject, body)
}

// SendReply implements [core.ReplyMailer]: the mail names replyTo, when
// set, as the address answers go to.
func (s *SMTP) SendReply(ctx context.Context, to, replyTo, subject, body string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("notify: recipient %q: %w", to, err)
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	var conn net.Conn
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.host}
	}
	if s.implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsConfig}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("notify: connect %s: %w", s.addr, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	} else {
		conn.SetDeadline(time.Now().Add(time.Minute))
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify: smtp: %w", err)
	}
	defer c.Close()
	if s.startTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("notify: starttls: %w", err)
			}
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("notify: smtp auth: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("notify: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("notify: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: DATA: %w", err)
	}
	if _, err := w.Write(message(s.from, rcpt, replyTo, subject, body)); err != nil {
		return fmt.Errorf("notify: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: send: %w", err)
	}
	return c.Quit()
}

// message renders a plain-text UTF-8 email; the subject is encoded so that
// Bengali and Hindi names survive.
func message(from, to *mail.Address, replyTo, subject, body string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", to.String())
	if replyTo != "" && !strings.ContainsAny(replyTo, "\r\n<>") {
		fmt.Fprintf(&b, "Reply-To: <%s>\r\n", replyTo)
	}
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.sahay@%s>\r\n", time.Now().UnixNano(), strings.SplitN(from.Address, "@", 2)[1])
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	return b.Bytes()
}
