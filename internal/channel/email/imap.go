package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
)

// The mailbox watcher: a leased worker per inbox that reads INBOX over
// IMAP. It journals each new mail, then saves its place (UIDVALIDITY and
// the last UID journalled) through core, so a restart starts where it
// stopped; a crash between the two fetches a few mails again, which the
// journal keeps once by their Message-ID.
const (
	// mailbox is the folder read.
	mailbox = "INBOX"
	// fetchBatch is how many mails one FETCH asks for; the place is saved
	// after each batch.
	fetchBatch = 10
	// idleRestart is how long one IDLE waits before it is restarted (and
	// the mailbox searched), well within the 29 minutes RFC 2177 allows a
	// server.
	idleRestart = 5 * time.Minute
	// idleDoneTimeout bounds the wait for the server to end an IDLE: a
	// connection that died silently is given up then.
	idleDoneTimeout = time.Minute
	// pollInterval is how often a server without IDLE is asked for new
	// mail.
	pollInterval = 30 * time.Second
	// uidValidityLookback is how far before the last save a changed
	// UIDVALIDITY makes the watcher read the mailbox again.
	uidValidityLookback = 24 * time.Hour
	// dialTimeout bounds connecting, the TLS handshake and logging in.
	dialTimeout = 30 * time.Second
)

// cursor is the watcher's place in a mailbox.
type cursor struct {
	UIDValidity uint32
	// UID is the last UID journalled.
	UID imap.UID
	// Saved is when it was saved.
	Saved time.Time
}

func (c cursor) String() string {
	return fmt.Sprintf("imap %d %d %d", c.UIDValidity, c.UID, c.Saved.Unix())
}

func parseCursor(s string) (cursor, bool) {
	f := strings.Fields(s)
	if len(f) != 4 || f[0] != "imap" {
		return cursor{}, false
	}
	v, err1 := strconv.ParseUint(f[1], 10, 32)
	uid, err2 := strconv.ParseUint(f[2], 10, 32)
	at, err3 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return cursor{}, false
	}
	return cursor{UIDValidity: uint32(v), UID: imap.UID(uid), Saved: time.Unix(at, 0)}, true
}

// NeedsWorker implements [channel.Worker]: an inbox with an IMAP server
// needs its mailbox watched.
func (a *Adapter) NeedsWorker(inbox *sahay.Inbox) bool {
	s, err := settings(inbox)
	return err == nil && s.IMAPHost != ""
}

// Work implements [channel.Worker]: it watches the inbox's mailbox until
// ctx ends, and returns an error for core to start it again after a pause
// when the connection fails.
func (a *Adapter) Work(ctx context.Context, inbox *sahay.Inbox, journal channel.Journal) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	arrived := make(chan struct{}, 1)
	c, err := a.dialIMAP(ctx, s, inbox.Secrets[IMAPPasswordKey], &imapclient.UnilateralDataHandler{
		Mailbox: func(data *imapclient.UnilateralDataMailbox) {
			if data.NumMessages != nil {
				select {
				case arrived <- struct{}{}:
				default:
				}
			}
		},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	// A command waiting on the server ends when ctx does.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	w := &watcher{a: a, c: c, inbox: inbox, journal: journal, arrived: arrived}
	if err := w.start(ctx); err != nil {
		return ctxErr(ctx, err)
	}
	for {
		if err := w.fetchNew(ctx); err != nil {
			return ctxErr(ctx, err)
		}
		if err := w.wait(ctx); err != nil {
			return ctxErr(ctx, err)
		}
	}
}

// ctxErr is nil once ctx has ended: the connection was closed on purpose.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

type watcher struct {
	a       *Adapter
	c       *imapclient.Client
	inbox   *sahay.Inbox
	journal channel.Journal
	arrived chan struct{}
	at      cursor
}

// start selects the mailbox and finds where to read from: the saved place,
// the mail that arrives from now on for a new inbox, or, when the
// mailbox's UIDVALIDITY changed (its UIDs were renumbered), every mail
// received since shortly before the last save.
func (w *watcher) start(ctx context.Context) error {
	sel, err := w.c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return fmt.Errorf("email: select %s: %w", mailbox, err)
	}
	saved, err := w.a.core.WorkerCursor(ctx, w.inbox.ID)
	if err != nil {
		return err
	}
	last := sel.UIDNext - 1
	if sel.UIDNext == 0 {
		last = 0
	}
	prev, ok := parseCursor(saved)
	switch {
	case !ok:
		w.at = cursor{UIDValidity: sel.UIDValidity, UID: last}
		return w.save(ctx)
	case prev.UIDValidity == sel.UIDValidity:
		w.at = prev
		return nil
	}
	w.a.log.Warn("email: the mailbox's UIDVALIDITY changed; reading it again since the last save",
		"inbox", w.inbox.ID, "was", prev.UIDValidity, "now", sel.UIDValidity)
	found, err := w.c.UIDSearch(&imap.SearchCriteria{Since: prev.Saved.Add(-uidValidityLookback)}, nil).Wait()
	if err != nil {
		return fmt.Errorf("email: search %s: %w", mailbox, err)
	}
	w.at = cursor{UIDValidity: sel.UIDValidity}
	if err := w.fetch(ctx, found.AllUIDs()); err != nil {
		return err
	}
	w.at.UID = max(w.at.UID, last)
	return w.save(ctx)
}

func (w *watcher) save(ctx context.Context) error {
	w.at.Saved = time.Now()
	return w.a.core.SetWorkerCursor(ctx, w.inbox.ID, w.at.String())
}

// fetchNew journals every mail after the last UID.
func (w *watcher) fetchNew(ctx context.Context) error {
	found, err := w.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{{Start: w.at.UID + 1, Stop: 0}}}}, nil).Wait()
	if err != nil {
		return fmt.Errorf("email: search %s: %w", mailbox, err)
	}
	var uids []imap.UID
	// "n:*" names the last mail even when its UID is below n.
	for _, uid := range found.AllUIDs() {
		if uid > w.at.UID {
			uids = append(uids, uid)
		}
	}
	return w.fetch(ctx, uids)
}

// fetch journals the mails of uids in batches, in UID order, saving the
// place after each batch.
func (w *watcher) fetch(ctx context.Context, uids []imap.UID) error {
	slices.Sort(uids)
	for len(uids) > 0 {
		batch := uids[:min(fetchBatch, len(uids))]
		uids = uids[len(batch):]
		events, err := w.fetchBatch(batch)
		if err != nil {
			return err
		}
		if len(events) > 0 {
			if err := w.journal(ctx, events); err != nil {
				return err
			}
		}
		w.at.UID = max(w.at.UID, batch[len(batch)-1])
		if err := w.save(ctx); err != nil {
			return err
		}
	}
	return nil
}

var (
	wholeMail = &imap.FetchItemBodySection{Peek: true}
	mailHead  = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
)

// fetchBatch reads a batch of mails: whole, or only their headers when
// they are larger than [MaxMessageBytes].
func (w *watcher) fetchBatch(uids []imap.UID) ([]channel.Raw, error) {
	sizes, err := w.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("email: fetch sizes: %w", err)
	}
	var small, large []imap.UID
	size := map[imap.UID]int64{}
	for _, m := range sizes {
		size[m.UID] = m.RFC822Size
		if m.RFC822Size > MaxMessageBytes {
			large = append(large, m.UID)
		} else {
			small = append(small, m.UID)
		}
	}
	var mails []*imapclient.FetchMessageBuffer
	for _, part := range []struct {
		uids    []imap.UID
		section *imap.FetchItemBodySection
	}{{small, wholeMail}, {large, mailHead}} {
		if len(part.uids) == 0 {
			continue
		}
		got, err := w.c.Fetch(imap.UIDSetNum(part.uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{part.section}}).Collect()
		if err != nil {
			return nil, fmt.Errorf("email: fetch: %w", err)
		}
		mails = append(mails, got...)
	}
	slices.SortFunc(mails, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	var events []channel.Raw
	for _, m := range mails {
		raw := m.FindBodySection(wholeMail)
		if raw == nil {
			head := m.FindBodySection(mailHead)
			if head == nil {
				continue // expunged meanwhile
			}
			raw = append([]byte(TruncatedHeader+": "+strconv.FormatInt(size[m.UID], 10)+"\r\n"), head...)
		}
		if !w.a.limits.allow(w.inbox.ID, raw) {
			w.a.log.Warn("email: sender over the rate limit; the mail stays in the mailbox only", "inbox", w.inbox.ID, "uid", m.UID)
			continue
		}
		events = append(events, channel.Raw{DedupeKey: DedupeKey(raw), Body: raw})
	}
	return events, nil
}

// wait returns when new mail may have arrived: at once when the server
// says so during IDLE, or after [pollInterval] on a server without IDLE.
func (w *watcher) wait(ctx context.Context) error {
	// A NOOP collects what the server has to say since the last search:
	// some servers do not repeat it once IDLE starts.
	if err := w.c.Noop().Wait(); err != nil {
		return fmt.Errorf("email: noop: %w", err)
	}
	select {
	case <-w.arrived:
		return nil
	default:
	}
	if caps := w.c.Caps(); !caps.Has(imap.CapIdle) && !caps.Has(imap.CapIMAP4rev2) {
		select {
		case <-ctx.Done():
		case <-w.arrived:
		case <-time.After(w.a.pollInterval):
		}
		return nil
	}
	idle, err := w.c.Idle()
	if err != nil {
		return fmt.Errorf("email: idle: %w", err)
	}
	t := time.NewTimer(w.a.idleRestart)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-w.arrived:
	case <-t.C:
	}
	done := make(chan error, 1)
	go func() {
		if err := idle.Close(); err != nil {
			done <- err
			return
		}
		done <- idle.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("email: end idle: %w", err)
		}
		return nil
	case <-time.After(idleDoneTimeout):
		w.c.Close()
		return errors.New("email: the IMAP server did not end IDLE within a minute")
	}
}

// dialIMAP connects to an inbox's IMAP server, secured as its settings
// say, and logs in. Every address is checked by netguard unless private
// addresses are allowed.
func (a *Adapter) dialIMAP(ctx context.Context, s Settings, password string, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	addr := s.IMAPAddress()
	conn, err := netguard.Dialer(a.allowPrivate).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, dialError("IMAP", addr, err)
	}
	// Every read and write of the login is bounded; the client bounds
	// each command's once logged in.
	conn.SetDeadline(time.Now().Add(dialTimeout))
	tlsConfig := &tls.Config{ServerName: s.IMAPHost, MinVersion: tls.VersionTLS12}
	opts := &imapclient.Options{TLSConfig: tlsConfig, UnilateralDataHandler: handler}
	var c *imapclient.Client
	switch s.imapTLS() {
	case TLSImplicit:
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, tlsError("IMAP", addr, err)
		}
		c = imapclient.New(tc, opts)
	case TLSStartTLS:
		if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			conn.Close()
			return nil, tlsError("IMAP", addr, err)
		}
	default:
		c = imapclient.New(conn, opts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("the IMAP server at %s did not greet: %w", addr, err)
	}
	if err := c.Login(s.IMAPUsername, password).Wait(); err != nil {
		c.Close()
		return nil, loginError("IMAP", s.IMAPUsername, err)
	}
	conn.SetDeadline(time.Time{})
	return c, nil
}

// Test implements [channel.Tester]: it logs in to the IMAP server and
// opens INBOX, then signs in to the SMTP server, and says in plain words
// what failed.
func (a *Adapter) Test(ctx context.Context, inbox *sahay.Inbox) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	if s.IMAPHost == "" && s.SMTPHost == "" {
		return errors.New("neither an IMAP nor an SMTP server is set")
	}
	if s.IMAPHost != "" {
		if err := a.testIMAP(ctx, s, inbox.Secrets[IMAPPasswordKey]); err != nil {
			return err
		}
	}
	if s.SMTPHost != "" {
		return a.checkSMTP(ctx, inbox)
	}
	return nil
}

func (a *Adapter) testIMAP(ctx context.Context, s Settings, password string) error {
	c, err := a.dialIMAP(ctx, s, password, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		select {
		case <-c.Closed():
			return fmt.Errorf("the IMAP server took the password of %q, then ended the session: the mailbox is not available on its side", s.IMAPUsername)
		default:
		}
		return fmt.Errorf("logged in to the IMAP server, but %s could not be opened: %w", mailbox, err)
	}
	c.Logout().Wait()
	return nil
}

// dialError says why a server could not be reached.
func dialError(proto, addr string, err error) error {
	var dns *net.DNSError
	switch {
	case errors.Is(err, netguard.ErrBlocked):
		return fmt.Errorf("the %s server %s is on the server's own network, which inboxes may not reach", proto, addr)
	case errors.As(err, &dns):
		return fmt.Errorf("the %s server %s was not found (%s): check the host name", proto, addr, dns.Err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("the %s server %s did not answer within %s: check the host, the port and any firewall", proto, addr, dialTimeout)
	}
	return fmt.Errorf("the %s server %s cannot be reached: %v", proto, addr, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// tlsError says why a secure connection failed.
func tlsError(proto, addr string, err error) error {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var header tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("TLS failure with the %s server %s: its certificate is not signed by a known authority", proto, addr)
	case errors.As(err, &hostname):
		return fmt.Errorf("TLS failure with the %s server %s: its certificate is for another name (%v)", proto, addr, err)
	case errors.As(err, &invalid):
		return fmt.Errorf("TLS failure with the %s server %s: its certificate is not valid (%v)", proto, addr, err)
	case errors.As(err, &header):
		return fmt.Errorf("TLS failure with the %s server %s: it does not answer in TLS on this port; try the other security setting (starttls or none) or its port", proto, addr)
	case isTimeout(err):
		return fmt.Errorf("TLS failure with the %s server %s: no answer within %s", proto, addr, dialTimeout)
	}
	return fmt.Errorf("TLS failure with the %s server %s: %v", proto, addr, err)
}

// loginError says why the server refused to log in.
func loginError(proto, user string, err error) error {
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo {
		return fmt.Errorf("the %s server refused the user name %q or its password (%s): check them; Gmail, Outlook and Zoho need an app password",
			proto, user, strings.TrimSpace(imapErr.Text))
	}
	if isTimeout(err) {
		return fmt.Errorf("the %s server did not answer the login within %s", proto, dialTimeout)
	}
	return fmt.Errorf("the %s server could not log in %q: %v", proto, user, err)
}
