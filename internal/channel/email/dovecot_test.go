package email

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	sahay "github.com/sahayhq/sahay"
)

// IMAPEnv names a real IMAP server to test against, such as the Dovecot
// .ci/run starts: imap://user:password@127.0.0.1:port, without TLS.
const IMAPEnv = "SAHAY_TEST_IMAP_URL"

// realIMAP is the server IMAPEnv names, or the test is skipped.
func realIMAP(t *testing.T) *url.URL {
	t.Helper()
	raw := os.Getenv(IMAPEnv)
	if raw == "" {
		t.Skipf("%s is not set: no real IMAP server to test against (.ci/run starts Dovecot and sets it)", IMAPEnv)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "imap" || u.User == nil || u.Port() == "" {
		t.Fatalf("%s must be imap://user:password@host:port, not %q", IMAPEnv, raw)
	}
	return u
}

func realInbox(u *url.URL, password string) *sahay.Inbox {
	port, _ := strconv.Atoi(u.Port())
	settings, _ := json.Marshal(map[string]any{"address": "support@example.com", "imap_host": u.Hostname(), "imap_port": port,
		"imap_username": u.User.Username(), "imap_tls": TLSNone})
	return &sahay.Inbox{ID: 1, Channel: Name, Settings: settings, Secrets: map[string]string{IMAPPasswordKey: password}}
}

// appendMail puts a mail in the real server's INBOX over IMAP.
func appendMail(t *testing.T, u *url.URL, raw []byte) {
	t.Helper()
	c, err := imapclient.DialInsecure(u.Host, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	password, _ := u.User.Password()
	if err := c.Login(u.User.Username(), password).Wait(); err != nil {
		t.Fatal(err)
	}
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()
}

// TestDovecot runs the mailbox watcher and "test connection" against a
// real IMAP server: IDLE wakes the watcher, each mail is journalled once,
// a restart reads only what arrived meanwhile, and a wrong password is
// named as such.
func TestDovecot(t *testing.T) {
	u := realIMAP(t)
	password, _ := u.User.Password()
	core := &placeCore{}
	a := New(core, true)
	a.SetLog(slog.New(slog.DiscardHandler))
	inbox := realInbox(u, password)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.Test(ctx, inbox); err != nil {
		t.Fatalf("test connection: %v", err)
	}
	wrong := realInbox(u, password+"-wrong")
	if err := a.Test(ctx, wrong); err == nil || !strings.Contains(err.Error(), "refused the user name") {
		t.Errorf("wrong password: %v", err)
	}

	j := newJournal()
	w := startWork(a, inbox, j)
	deadline := time.Now().Add(10 * time.Second)
	for core.place().UIDValidity == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not start within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	mail := func(n int) []byte {
		return bytes.ReplaceAll(mailNumbered(n), []byte("@example.org>"), []byte(fmt.Sprintf(".%s@example.org>", run)))
	}
	for i := range 3 {
		appendMail(t, u, mail(i))
	}
	appendMail(t, u, fixture(t, "apple-mail.eml"))
	j.waitFor(t, 4)
	w.stop(t)
	appendMail(t, u, mail(3))
	w = startWork(a, inbox, j)
	j.waitFor(t, 5)
	w.stop(t)
	for key, n := range j.offered {
		if n != 1 {
			t.Errorf("%s offered %d times", key, n)
		}
	}
	if want := "message-id:q3." + run + "@example.org"; j.kept[4] != want {
		t.Errorf("after the restart: %q, want %s last", j.kept, want)
	}
}
