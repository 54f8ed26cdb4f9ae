package notify_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/notify"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/webpush"
)

// sink is an SMTP server that keeps what it receives.
type sink struct {
	mu    sync.Mutex
	mails []mail
	got   chan struct{}
}

type mail struct {
	from, to string
	data     string
}

type session struct {
	s *sink
	m mail
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.m.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.data = string(b)
	s.s.mu.Lock()
	s.s.mails = append(s.s.mails, s.m)
	s.s.mu.Unlock()
	s.s.got <- struct{}{}
	return nil
}

func startSink(t *testing.T) (*sink, string) {
	t.Helper()
	k := &sink{got: make(chan struct{}, 16)}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: k}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return k, ln.Addr().String()
}

func TestParseSMTP(t *testing.T) {
	for _, bad := range []string{"", "http://x", "smtp://host:25", "smtp://host?from=not-an-address", "smtp://"} {
		if _, err := notify.ParseSMTP(bad); err == nil {
			t.Errorf("ParseSMTP(%q) succeeded", bad)
		}
	}
	if _, err := notify.ParseSMTP("smtps://u:p@mail.example.com?from=Support%20%3Csupport@example.com%3E"); err != nil {
		t.Fatal(err)
	}
}

func TestSMTPSend(t *testing.T) {
	k, addr := startSink(t)
	m, err := notify.ParseSMTP("smtp://" + addr + "?tls=none&from=Sahay%20%3Cnoreply@example.com%3E")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), "amina@example.com", "আমিনা, #12 আপনার", "line one\nline two"); err != nil {
		t.Fatal(err)
	}
	got := k.mails[0]
	if got.from != "noreply@example.com" || got.to != "amina@example.com" {
		t.Fatalf("envelope %s → %s", got.from, got.to)
	}
	if !strings.Contains(got.data, "Subject: =?utf-8?q?") || !strings.Contains(got.data, "line one\r\nline two") {
		t.Fatalf("message:\n%s", got.data)
	}
	if strings.Contains(got.data, "Reply-To:") {
		t.Errorf("a notification names a Reply-To:\n%s", got.data)
	}

	// A mail to a customer names where their answer goes.
	if err := m.SendReply(context.Background(), "dana@example.net", "reply+1-abc@reply.example.com", "New reply", "hello"); err != nil {
		t.Fatal(err)
	}
	<-k.got
	<-k.got
	if data := k.mails[1].data; !strings.Contains(data, "Reply-To: <reply+1-abc@reply.example.com>\r\n") {
		t.Errorf("message without its Reply-To:\n%s", data)
	}
	// An address that would break the header is left out.
	if err := m.SendReply(context.Background(), "dana@example.net", "x@y\r\nBcc: evil@example.com", "New reply", "hello"); err != nil {
		t.Fatal(err)
	}
	<-k.got
	if data := k.mails[2].data; strings.Contains(data, "Reply-To") || strings.Contains(data, "evil") {
		t.Errorf("a broken Reply-To reached the header:\n%s", data)
	}
}

// TestMentionNotifies follows a mention from a private note to the
// mentioned agent: a stored notification, an event only they receive, and
// an email, while the author and an agent who turned email off get none.
func TestMentionNotifies(t *testing.T) {
	ctx := context.Background()
	k, addr := startSink(t)
	mailer, err := notify.ParseSMTP("smtp://" + addr + "?tls=none&from=noreply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "sahay.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	box, _ := secretbox.New(key)
	channels := channel.NewRegistry()
	b := bus.NewMemory()
	svc := core.New(core.Config{Store: st, Bus: b, Box: box, Channels: channels, Blobs: &blob.Disk{Dir: dir},
		Mailer: mailer, PublicURL: "https://support.example.com", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	channels.Register(apichannel.Name, apichannel.New(svc, false))
	t.Cleanup(func() { svc.Close(); st.Close() })

	_, owner, err := svc.CreateAccount(ctx, "Shop", "owner@example.com", "Owner", "password1")
	if err != nil {
		t.Fatal(err)
	}
	oa, _ := svc.Actor(ctx, owner)
	ptr := func(s string) *string { return &s }
	amina, err := svc.CreateUser(ctx, oa, core.UserInput{Email: ptr("amina@example.com"), Name: ptr("Amina Rahman"), Role: ptr("agent"), Password: ptr("password1")})
	if err != nil {
		t.Fatal(err)
	}
	ravi, err := svc.CreateUser(ctx, oa, core.UserInput{Email: ptr("ravi@example.com"), Name: ptr("Ravi"), Role: ptr("agent"), Password: ptr("password1")})
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := svc.Actor(ctx, ravi)
	if _, err := svc.SetNotifyPrefs(ctx, ra, sahay.NotifyPrefs{sahay.NotifyMentioned: {sahay.NotifyByEmail: false}}); err != nil {
		t.Fatal(err)
	}
	inbox, err := svc.CreateInbox(ctx, oa, core.InboxInput{Name: ptr("App"), Channel: "api"})
	if err != nil {
		t.Fatal(err)
	}
	svc.SetInboxMembers(ctx, oa, inbox.ID, []int64{amina.ID, ravi.ID})
	res, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c1", Content: "help"})
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := b.Subscribe(owner.AccountID)
	defer sub.Close()
	aa, _ := svc.Actor(ctx, amina)
	if _, err := svc.PostMessage(ctx, oa, res.Conversation.ID, core.NewMessage{Content: "@Amina Rahman and @Ravi, please call her back", Private: true}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-k.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no email")
	}
	if len(k.mails) != 1 || k.mails[0].to != "amina@example.com" || !strings.Contains(k.mails[0].data, "/conversations/") {
		t.Fatalf("emails: %+v", k.mails)
	}
	list, unread, err := svc.Notifications(ctx, aa, 0)
	if err != nil || unread != 1 || list[0].Kind != sahay.NotifyMentioned {
		t.Fatalf("amina's notifications: %+v unread %d err %v", list, unread, err)
	}
	if list, _, _ := svc.Notifications(ctx, ra, 0); len(list) != 1 {
		t.Fatalf("ravi has %d notifications, want 1 (in the dashboard, though not by email)", len(list))
	}
	if list, _, _ := svc.Notifications(ctx, oa, 0); len(list) != 0 {
		t.Fatalf("the author was notified of their own mention")
	}
	var seenForAmina, seenForRavi bool
	for done := false; !done; {
		select {
		case ev := <-sub.C:
			if ev.Type == sahay.EventNotification {
				seenForAmina = seenForAmina || (aa.CanSeeEvent(ev) && !oa.CanSeeEvent(ev))
				seenForRavi = seenForRavi || ra.CanSeeEvent(ev)
			}
		case <-time.After(200 * time.Millisecond):
			done = true
		}
	}
	if !seenForAmina || !seenForRavi {
		t.Fatalf("notification events: amina %v ravi %v", seenForAmina, seenForRavi)
	}
	if err := svc.MarkNotificationsRead(ctx, aa, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, unread, _ := svc.Notifications(ctx, aa, 0); unread != 0 {
		t.Fatalf("unread after marking read: %d", unread)
	}
}

// TestWebPush delivers a notification to a browser subscription through a
// push service that checks the encryption and the VAPID signature, and
// forgets a subscription the push service says is gone.
func TestWebPush(t *testing.T) {
	ctx := context.Background()
	browserKey, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, 16)
	rand.Read(auth)
	got := make(chan int, 4)
	var gone atomic.Bool
	push := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gone.Load() {
			w.WriteHeader(http.StatusGone)
			return
		}
		if r.Header.Get("Content-Encoding") != "aes128gcm" || !strings.HasPrefix(r.Header.Get("Authorization"), "vapid t=") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		got <- len(body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer push.Close()
	priv, _, _ := webpush.GenerateVAPIDKeys()
	vapid, err := webpush.ParseVAPID(priv, "mailto:ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	p := notify.NewWebPush(vapid, push.Client())
	sub := &sahay.PushSubscription{Endpoint: push.URL + "/send/abc",
		P256dh: base64.RawURLEncoding.EncodeToString(browserKey.PublicKey().Bytes()), Auth: base64.RawURLEncoding.EncodeToString(auth)}
	if err := p.Push(ctx, sub, []byte(`{"title":"#12"}`)); err != nil {
		t.Fatal(err)
	}
	if n := <-got; n <= 86 {
		t.Fatalf("push body of %d bytes", n)
	}
	gone.Store(true)
	if err := p.Push(ctx, sub, []byte(`{}`)); !errors.Is(err, core.ErrSubscriptionGone) {
		t.Fatalf("push to a gone subscription: %v", err)
	}
	if p.PublicKey() != vapid.PublicKey() {
		t.Fatal("public key differs from the VAPID key")
	}
}
