// Package emailtest runs mail servers in the test's process for the email
// channel's tests: an IMAP server whose mailbox a test fills.
package emailtest

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Mailbox is the folder the server holds and the channel reads.
const Mailbox = "INBOX"

// IMAPServer is an IMAP server on 127.0.0.1 with one user and its INBOX,
// without TLS.
type IMAPServer struct {
	Host     string
	Port     int
	User     string
	Password string
	user     *imapmemserver.User
}

// NewIMAPServer starts an IMAP server for user and password until the test
// ends. With idle false it offers IMAP4rev1 without IDLE, so a client must
// poll.
func NewIMAPServer(t testing.TB, user, password string, idle bool) *IMAPServer {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	if err := u.Create(Mailbox, nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}}
	if idle {
		caps[imap.CapIMAP4rev2] = struct{}{}
		caps[imap.CapIdle] = struct{}{}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return announcing{mem.NewSession().(imapserver.SessionIMAP4rev2)}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       quiet{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &IMAPServer{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, User: user, Password: password, user: u}
}

// announcing is a session that, like Dovecot, tells a client at the start
// of IDLE what changed in the mailbox since its last command; the memory
// server alone waits for the next change.
type announcing struct {
	imapserver.SessionIMAP4rev2
}

func (s announcing) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.SessionIMAP4rev2.Poll(w, true); err != nil {
		return err
	}
	return s.SessionIMAP4rev2.Idle(w, stop)
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

// Deliver puts a mail in INBOX, as a mail server does when it arrives;
// clients idling on the mailbox are told.
func (s *IMAPServer) Deliver(t testing.TB, raw []byte) {
	t.Helper()
	if _, err := s.user.Append(Mailbox, bytes.NewReader(raw), &imap.AppendOptions{Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// Renumber replaces INBOX by a new one holding raws: its UIDVALIDITY
// changes, as after the server's migration.
func (s *IMAPServer) Renumber(t testing.TB, raws ...[]byte) {
	t.Helper()
	if err := s.user.Delete(Mailbox); err != nil {
		t.Fatal(err)
	}
	if err := s.user.Create(Mailbox, nil); err != nil {
		t.Fatal(err)
	}
	for _, raw := range raws {
		s.Deliver(t, raw)
	}
}

// Settings are an email inbox's settings for this server, as the API
// takes them, with tlsMode for imap_tls.
func (s *IMAPServer) Settings(address, tlsMode string) map[string]any {
	return map[string]any{"address": address, "imap_host": s.Host, "imap_port": s.Port, "imap_username": s.User,
		"imap_password": s.Password, "imap_tls": tlsMode}
}
