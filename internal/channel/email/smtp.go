package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
)

// smtpTimeout bounds each read and each write on a connection to an SMTP
// server, the wait for its answer to a whole mail included.
const smtpTimeout = time.Minute

// smtpServer is where an inbox's replies go out.
type smtpServer struct {
	addr     string
	host     string
	security string
	username string
	password string
	// heloName is how Sahay introduces itself: the domain of the inbox's
	// address.
	heloName     string
	allowPrivate bool
	tlsConfig    *tls.Config
	timeout      time.Duration
}

// smtpServerOf is the SMTP server of an inbox with its secrets.
func (a *Adapter) smtpServerOf(s Settings, secrets map[string]string) smtpServer {
	sv := smtpServer{addr: s.SMTPAddress(), host: s.SMTPHost, security: s.smtpTLS(), username: s.SMTPUsername,
		password: secrets[SMTPPasswordKey], heloName: domainOf(s.Address), allowPrivate: a.allowPrivate,
		tlsConfig: a.out.tlsConfig, timeout: a.out.timeout}
	if sv.timeout <= 0 {
		sv.timeout = smtpTimeout
	}
	if sv.heloName == "" {
		sv.heloName = "localhost"
	}
	return sv
}

// session is one connection to an SMTP server, secured and signed in.
type session struct {
	c    *smtp.Client
	stop func() bool
}

func (s *session) close() {
	s.stop()
	s.c.Close()
}

// connect dials the server, secures the connection as the inbox says and
// signs in. Its errors say what failed in words an admin can act on.
func (sv smtpServer) connect(ctx context.Context) (*session, error) {
	if err := netguard.CheckHost(sv.host, sv.allowPrivate); err != nil {
		return nil, channel.Permanent(fmt.Errorf("smtp_host %w", err))
	}
	raw, err := netguard.Dialer(sv.allowPrivate).DialContext(ctx, "tcp", sv.addr)
	if err != nil {
		return nil, sv.explain(ctx, "connect", err)
	}
	var conn net.Conn = deadlineConn{Conn: raw, timeout: sv.timeout}
	// A cancelled send closes the connection, which ends any read or write.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	fail := func(stage string, err error) (*session, error) {
		stop()
		raw.Close()
		return nil, sv.explain(ctx, stage, err)
	}
	tlsConfig := sv.tlsConfig.Clone()
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	tlsConfig.ServerName = sv.host
	tlsConfig.MinVersion = tls.VersionTLS12
	var c *smtp.Client
	switch sv.security {
	case TLSImplicit:
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("tls", err)
		}
		c = smtp.NewClient(tc)
	case TLSStartTLS:
		if c, err = smtp.NewClientStartTLS(conn, tlsConfig); err != nil {
			return fail("starttls", err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = sv.timeout, sv.timeout
	if err := c.Hello(sv.heloName); err != nil {
		return fail("hello", err)
	}
	if sv.username != "" {
		var auth sasl.Client
		switch {
		case c.SupportsAuth(sasl.Plain):
			auth = sasl.NewPlainClient("", sv.username, sv.password)
		case c.SupportsAuth(sasl.Login):
			auth = sasl.NewLoginClient(sv.username, sv.password)
		default:
			return fail("auth", errors.New("the server offers neither AUTH PLAIN nor AUTH LOGIN"))
		}
		if err := c.Auth(auth); err != nil {
			return fail("auth", err)
		}
	}
	return &session{c: c, stop: stop}, nil
}

// deliver sends one mail: from is the envelope sender, to every recipient.
func (sv smtpServer) deliver(ctx context.Context, from string, to []string, msg []byte) error {
	s, err := sv.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	opts := &smtp.MailOptions{}
	if ok, _ := s.c.Extension("SIZE"); ok {
		opts.Size = int64(len(msg))
	}
	if !isASCII(from) || !isASCII(strings.Join(to, "")) {
		opts.UTF8 = true
	}
	if err := s.c.Mail(from, opts); err != nil {
		return sv.explain(ctx, "mail", err)
	}
	for _, r := range to {
		if err := s.c.Rcpt(r, nil); err != nil {
			return sv.explain(ctx, "rcpt "+r, err)
		}
	}
	w, err := s.c.Data()
	if err != nil {
		return sv.explain(ctx, "data", err)
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return sv.explain(ctx, "data", err)
	}
	if err := w.Close(); err != nil {
		return sv.explain(ctx, "data", err)
	}
	// The mail is accepted; a failed goodbye changes nothing.
	s.c.Quit()
	return nil
}

// check connects and signs in without sending anything: "test connection".
func (sv smtpServer) check(ctx context.Context) error {
	s, err := sv.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.c.Noop(); err != nil {
		return sv.explain(ctx, "noop", err)
	}
	s.c.Quit()
	return nil
}

// explain turns a failure at a stage of the exchange into an error an
// admin or agent can act on. The server's refusals with a 5xx code are
// permanent: sending again would be refused again. Everything else
// (4xx, timeouts, a dropped connection) is retried by the send job.
func (sv smtpServer) explain(ctx context.Context, stage string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("email: sending through %s was interrupted: %w", sv.addr, ctx.Err())
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		reason := fmt.Sprintf("%d", se.Code)
		if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
			reason += fmt.Sprintf(" %d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
		if se.Message != "" {
			reason += " " + se.Message
		}
		var what string
		switch {
		case stage == "auth":
			what = fmt.Sprintf("the SMTP server %s refused the user name or password (check smtp_username and smtp_password; Gmail, Outlook and Zoho want an app password)", sv.addr)
		case strings.HasPrefix(stage, "rcpt "):
			what = fmt.Sprintf("the SMTP server %s refused the recipient %s", sv.addr, strings.TrimPrefix(stage, "rcpt "))
		case stage == "mail":
			what = fmt.Sprintf("the SMTP server %s refused the sender address", sv.addr)
		case stage == "data":
			what = fmt.Sprintf("the SMTP server %s refused the mail", sv.addr)
		case stage == "starttls":
			what = fmt.Sprintf("the SMTP server %s refused STARTTLS", sv.addr)
		default:
			what = fmt.Sprintf("the SMTP server %s answered with an error", sv.addr)
		}
		out := fmt.Errorf("email: %s: %s", what, reason)
		if se.Code >= 500 {
			return channel.Permanent(out)
		}
		return out
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &recordErr):
		return channel.Permanent(fmt.Errorf("email: TLS failure with the SMTP server %s: it does not speak TLS on this port (check smtp_tls and smtp_port: tls is port 465, starttls port 587)", sv.addr))
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr), errors.As(err, &invalidCert):
		return fmt.Errorf("email: TLS failure with the SMTP server %s: its certificate is not valid for %s: %w", sv.addr, sv.host, err)
	case stage == "tls" || stage == "starttls":
		if strings.Contains(err.Error(), "doesn't support STARTTLS") {
			return channel.Permanent(fmt.Errorf("email: the SMTP server %s does not offer STARTTLS (check smtp_tls and smtp_port: tls is port 465, starttls port 587)", sv.addr))
		}
		return fmt.Errorf("email: TLS failure with the SMTP server %s: %w", sv.addr, err)
	case errors.Is(err, netguard.ErrBlocked):
		return channel.Permanent(fmt.Errorf("email: the SMTP server %s is on a private network, which this server does not reach: %w", sv.addr, err))
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("email: the SMTP server %s did not answer in time (%s)", sv.addr, stage)
	case stage == "connect":
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return fmt.Errorf("email: the SMTP server %s is unreachable: no such host", sv.addr)
		}
		return fmt.Errorf("email: the SMTP server %s is unreachable: %w", sv.addr, err)
	case stage == "auth":
		return channel.Permanent(fmt.Errorf("email: cannot sign in to the SMTP server %s: %w", sv.addr, err))
	}
	return fmt.Errorf("email: SMTP %s with %s: %w", stage, sv.addr, err)
}

// deadlineConn bounds each read and write: a server that stops answering
// fails the send instead of holding it.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c deadlineConn) Read(b []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(b)
}

func (c deadlineConn) Write(b []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(b)
}

// domainOf is the domain of an address, in lower case.
func domainOf(address string) string {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(address[i+1:])
}
