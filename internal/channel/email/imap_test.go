package email

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/email/emailtest"
)

const (
	mailUser     = "support@example.com"
	mailPassword = "app-password"
)

// mailServer is an in-process IMAP server with one user and its INBOX.
type mailServer struct {
	*emailtest.IMAPServer
}

func newMailServer(t *testing.T, idle bool) *mailServer {
	return &mailServer{emailtest.NewIMAPServer(t, mailUser, mailPassword, idle)}
}

func (m *mailServer) inbox(tlsMode string) *sahay.Inbox {
	set := m.Settings(mailUser, tlsMode)
	delete(set, "imap_password")
	settings, _ := json.Marshal(set)
	return &sahay.Inbox{ID: 1, Channel: Name, Settings: settings, Secrets: map[string]string{IMAPPasswordKey: mailPassword}}
}

// placeCore keeps the watcher's place in memory and fails on demand.
type placeCore struct {
	fakeCore
	mu     sync.Mutex
	cursor string
	// failSaves makes the next saves fail, as a crash after the journal's
	// commit would.
	failSaves int
}

func (f *placeCore) WorkerCursor(context.Context, int64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursor, nil
}

func (f *placeCore) SetWorkerCursor(_ context.Context, _ int64, v string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSaves > 0 {
		f.failSaves--
		return errors.New("crash before the place was saved")
	}
	f.cursor = v
	return nil
}

func (f *placeCore) place() cursor {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, _ := parseCursor(f.cursor)
	return c
}

// journal records what a watcher journals, keeping each key once as the
// real journal does, and fails on demand.
type journal struct {
	mu sync.Mutex
	// kept is each key committed, in order; offered counts every time a
	// key was offered.
	kept    []string
	offered map[string]int
	// failCalls makes the next calls fail, as a crash before the commit
	// would.
	failCalls int
	changed   chan struct{}
}

func newJournal() *journal {
	return &journal{offered: map[string]int{}, changed: make(chan struct{}, 100)}
}

func (j *journal) commit(_ context.Context, events []channel.Raw) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failCalls > 0 {
		j.failCalls--
		return errors.New("crash before the journal committed")
	}
	for _, e := range events {
		if j.offered[e.DedupeKey] == 0 {
			j.kept = append(j.kept, e.DedupeKey)
		}
		j.offered[e.DedupeKey]++
	}
	j.changed <- struct{}{}
	return nil
}

func (j *journal) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.kept)
}

// waitFor waits until the journal keeps n mails.
func (j *journal) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for j.count() < n {
		select {
		case <-j.changed:
		case <-deadline:
			t.Fatalf("journal keeps %d mails after 10s, want %d", j.count(), n)
		}
	}
}

// running is a watcher at work until stopped.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func startWork(a *Adapter, inbox *sahay.Inbox, j *journal) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Work(ctx, inbox, j.commit) }()
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("work ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("work did not stop within 10s of its context's end")
	}
}

// mailNumbered is a distinct mail of the test.
func mailNumbered(n int) []byte {
	return fmt.Appendf(nil, "From: Customer %d <c%d@example.org>\r\nTo: support@example.com\r\nSubject: Question %d\r\n"+
		"Message-ID: <q%d@example.org>\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\n\r\nQuestion number %d.\r\n", n, n, n, n, n)
}

func newTestAdapter(core Core) *Adapter {
	a := New(core, true)
	a.SetLog(slog.New(slog.DiscardHandler))
	a.pollInterval = 50 * time.Millisecond
	return a
}

// TestWatcherReadsNewMail connects a new inbox to a mailbox that has mail
// already: only what arrives from then on is journalled, at once (IDLE),
// each mail once, and the place is kept.
func TestWatcherReadsNewMail(t *testing.T) {
	srv := newMailServer(t, true)
	srv.Deliver(t, mailNumbered(0))
	core := &placeCore{}
	a := newTestAdapter(core)
	j := newJournal()
	w := startWork(a, srv.inbox(TLSNone), j)
	waitPlace(t, core, 1)
	for _, f := range []string{"gmail-reply.eml", "outlook-reply.eml", "no-message-id.eml"} {
		srv.Deliver(t, fixture(t, f))
	}
	j.waitFor(t, 3)
	w.stop(t)
	want := []string{"message-id:CAF3xK2Ld9=R8s+Tq@mail.gmail.com",
		"message-id:AM0PR01MB12345F0E5C1E2B8B6A1B2C3D4E5F6@AM0PR01MB1234.eurprd01.prod.outlook.com",
		DedupeKey(fixture(t, "no-message-id.eml"))}
	if strings.Join(j.kept, " ") != strings.Join(want, " ") {
		t.Errorf("journalled %q, want %q", j.kept, want)
	}
	for k, n := range j.offered {
		if n != 1 {
			t.Errorf("%s offered %d times", k, n)
		}
	}
	if p := core.place(); p.UID != 4 {
		t.Errorf("place %+v, want UID 4", p)
	}

	// Restarted, it reads only what arrived while it was stopped.
	srv.Deliver(t, mailNumbered(1))
	w = startWork(a, srv.inbox(TLSNone), j)
	j.waitFor(t, 4)
	w.stop(t)
	if j.kept[3] != "message-id:q1@example.org" || j.offered["message-id:q1@example.org"] != 1 || len(j.kept) != 4 {
		t.Errorf("after a restart: %q", j.kept)
	}
}

func waitPlace(t *testing.T, core *placeCore, uid imap.UID) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for core.place().UID != uid || core.place().UIDValidity == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("place %+v, want UID %d", core.place(), uid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWatcherRestartMidFetch crashes the watcher in the middle of a long
// fetch, once before a batch is journalled and once after, before its
// place is saved: after the restarts every mail is journalled, none lost,
// and the only mails offered twice are the batch whose place was not
// saved, which the journal keeps once.
func TestWatcherRestartMidFetch(t *testing.T) {
	srv := newMailServer(t, true)
	core := &placeCore{}
	a := newTestAdapter(core)
	j := newJournal()
	w := startWork(a, srv.inbox(TLSNone), j)
	waitPlace(t, core, 0)
	w.stop(t)
	const n = 35
	for i := range n {
		srv.Deliver(t, mailNumbered(i))
	}
	inbox := srv.inbox(TLSNone)

	// The second batch's commit fails: the first is journalled and its
	// place saved, the rest waits in the mailbox.
	j.failCalls = 0
	ctx := context.Background()
	calls := 0
	err := a.Work(ctx, inbox, func(ctx context.Context, events []channel.Raw) error {
		if calls++; calls == 2 {
			return errors.New("crash before the journal committed")
		}
		return j.commit(ctx, events)
	})
	if err == nil || j.count() != fetchBatch || core.place().UID != fetchBatch {
		t.Fatalf("after the first crash: %v, %d journalled, place %+v", err, j.count(), core.place())
	}

	// The next batch is journalled, then the save of its place fails.
	core.failSaves = 1
	err = a.Work(ctx, inbox, j.commit)
	if err == nil || j.count() != 2*fetchBatch || core.place().UID != fetchBatch {
		t.Fatalf("after the second crash: %v, %d journalled, place %+v", err, j.count(), core.place())
	}

	w = startWork(a, inbox, j)
	j.waitFor(t, n)
	waitPlace(t, core, n)
	w.stop(t)
	twice := 0
	for i := range n {
		key := fmt.Sprintf("message-id:q%d@example.org", i)
		switch j.offered[key] {
		case 1:
		case 2:
			twice++
		default:
			t.Errorf("%s offered %d times", key, j.offered[key])
		}
	}
	if twice != fetchBatch || len(j.kept) != n {
		t.Errorf("%d mails offered twice, want the one batch (%d); %d kept, want %d", twice, fetchBatch, len(j.kept), n)
	}
}

// TestWatcherUIDValidityChange renumbers the mailbox while the watcher is
// stopped: it reads again what arrived since shortly before its last save,
// the journal keeps what it had once, and the new mail comes in.
func TestWatcherUIDValidityChange(t *testing.T) {
	srv := newMailServer(t, true)
	core := &placeCore{}
	a := newTestAdapter(core)
	j := newJournal()
	inbox := srv.inbox(TLSNone)
	w := startWork(a, inbox, j)
	waitPlace(t, core, 0)
	srv.Deliver(t, mailNumbered(1))
	srv.Deliver(t, mailNumbered(2))
	j.waitFor(t, 2)
	w.stop(t)
	before := core.place()

	srv.Renumber(t, mailNumbered(1), mailNumbered(2), mailNumbered(3))
	w = startWork(a, inbox, j)
	j.waitFor(t, 3)
	waitPlace(t, core, 3)
	w.stop(t)
	after := core.place()
	if after.UIDValidity == before.UIDValidity {
		t.Errorf("place kept UIDVALIDITY %d", after.UIDValidity)
	}
	if j.kept[2] != "message-id:q3@example.org" || len(j.kept) != 3 {
		t.Errorf("journal keeps %q", j.kept)
	}
}

// TestWatcherPollsWithoutIdle reads a server that does not offer IDLE.
func TestWatcherPollsWithoutIdle(t *testing.T) {
	srv := newMailServer(t, false)
	core := &placeCore{}
	a := newTestAdapter(core)
	j := newJournal()
	w := startWork(a, srv.inbox(TLSNone), j)
	waitPlace(t, core, 0)
	srv.Deliver(t, mailNumbered(7))
	j.waitFor(t, 1)
	w.stop(t)
}

// TestWatcherRateLimitsASender keeps a flood from one address out.
func TestWatcherRateLimitsASender(t *testing.T) {
	srv := newMailServer(t, true)
	core := &placeCore{}
	a := newTestAdapter(core)
	j := newJournal()
	w := startWork(a, srv.inbox(TLSNone), j)
	waitPlace(t, core, 0)
	for i := range senderRate.Burst + 5 {
		srv.Deliver(t, bytes.Replace(mailNumbered(i), fmt.Appendf(nil, "<c%d@example.org>", i), []byte("<loop@example.org>"), 1))
	}
	srv.Deliver(t, mailNumbered(100))
	waitPlace(t, core, imap.UID(senderRate.Burst+6))
	w.stop(t)
	if got := j.count(); got != senderRate.Burst+1 {
		t.Errorf("%d mails journalled, want the burst of %d and the other sender's", got, senderRate.Burst)
	}
}

// TestConnectionErrors is "test connection": each failure says what is
// wrong.
func TestConnectionErrors(t *testing.T) {
	srv := newMailServer(t, true)
	a := newTestAdapter(&placeCore{})
	ctx := context.Background()
	if err := a.Test(ctx, srv.inbox(TLSNone)); err != nil {
		t.Fatalf("working settings: %v", err)
	}
	wrong := srv.inbox(TLSNone)
	wrong.Secrets[IMAPPasswordKey] = "wrong"
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	unreachable := srv.inbox(TLSNone)
	unreachable.Settings = []byte(fmt.Sprintf(`{"address":"support@example.com","imap_host":"127.0.0.1","imap_port":%d,"imap_username":"u"}`, closedPort))
	unknown := srv.inbox(TLSNone)
	unknown.Settings = []byte(`{"address":"support@example.com","imap_host":"imap.invalid","imap_port":993,"imap_username":"u"}`)
	for _, tc := range []struct {
		name  string
		a     *Adapter
		inbox *sahay.Inbox
		want  string
	}{
		{"wrong password", a, wrong, `refused the user name "support@example.com" or its password`},
		{"TLS failure", a, srv.inbox(TLSImplicit), "TLS failure with the IMAP server"},
		{"STARTTLS not offered", a, srv.inbox(TLSStartTLS), "TLS failure with the IMAP server"},
		{"host unreachable", a, unreachable, "cannot be reached"},
		{"unknown host", a, unknown, "was not found"},
		{"private address", New(&placeCore{}, false), srv.inbox(TLSNone), "on the server's own network"},
	} {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := tc.a.Test(ctx, tc.inbox)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), mailPassword) {
			t.Errorf("%s: the error shows the password: %v", tc.name, err)
		}
	}
}
