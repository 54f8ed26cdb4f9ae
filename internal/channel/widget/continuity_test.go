package widget

import (
	"context"
	"strings"
	"sync"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

// mailbox records the mail a test server sends.
type mailbox struct {
	mu   sync.Mutex
	sent []mail
}

type mail struct{ to, subject, body string }

func (m *mailbox) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail{to, subject, body})
	return nil
}

func (m *mailbox) all() []mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mail{}, m.sent...)
}

func TestRepliesReachAnAwayVisitorByEmail(t *testing.T) {
	e := newEnv(t, `{"title":"Nakshi Crafts","email_continuity":true}`, Limits{})
	box := &mailbox{}
	e.widget.cfg.Mailer = box
	bg := context.Background()

	// A visitor who gave their email writes, then closes the page.
	s := e.session(SessionRequest{})
	if code, ecode := e.call("POST", "/widget/v1/contact", s.Token, ContactRequest{Email: "asha@example.com"}, nil); code != 200 {
		t.Fatalf("contact: %d %s", code, ecode)
	}
	var sent sendAnswer
	e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000001", Text: "Is the red saree back in stock?"}, &sent)
	reply := func(text string) *sahay.Message {
		t.Helper()
		m, err := e.svc.PostMessage(bg, e.agent, sent.Conversation.ID, core.NewMessage{Content: text})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the reply to be sent", func() bool {
			got, err := e.store.Message(bg, e.inbox.AccountID, m.ID)
			return err == nil && got.Status == sahay.DeliverySent
		})
		return m
	}
	reply("Yes, it came in this morning.")
	mails := box.all()
	if len(mails) != 1 || mails[0].to != "asha@example.com" || mails[0].subject != "New reply from Nakshi Crafts" ||
		!strings.Contains(mails[0].body, "Yes, it came in this morning.") || !strings.Contains(mails[0].body, "Ayesha wrote") {
		t.Fatalf("mail = %+v", mails)
	}

	// A private note is never mailed.
	if _, err := e.svc.PostMessage(bg, e.agent, sent.Conversation.ID, core.NewMessage{Content: "VIP", Private: true}); err != nil {
		t.Fatal(err)
	}

	// With the chat open, the reply shows there and is not mailed: the
	// adapter decides before the reply is marked sent, which reply awaits.
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	shown := reply("Shall I keep one for you?")
	ws.nextWhere(func(f map[string]any) bool { return f["t"] == "msg" && num(field(f, "m", "id")) == shown.ID })
	if n := len(box.all()); n != 1 {
		t.Fatalf("%d mails while the chat was open, want still 1", n)
	}
	ws.conn.CloseNow()

	// An inbox without email continuity mails nothing.
	off := `{"email_continuity":false}`
	if _, err := e.svc.UpdateInbox(bg, e.agent, e.inbox.ID, core.InboxInput{Settings: []byte(off)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the visitor's socket to close", func() bool { return !e.widget.hub.online(e.inbox.ID, s.Visitor.ID) })
	reply("It is on hold until Friday.")
	if n := len(box.all()); n != 1 {
		t.Fatalf("%d mails with email continuity off, want still 1", n)
	}
}

func TestRepliesAreNotMailedWithoutAnAddress(t *testing.T) {
	e := newEnv(t, `{"email_continuity":true}`, Limits{})
	box := &mailbox{}
	e.widget.cfg.Mailer = box
	s := e.session(SessionRequest{})
	var sent sendAnswer
	e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000001", Text: "hello"}, &sent)
	m, err := e.svc.PostMessage(context.Background(), e.agent, sent.Conversation.ID, core.NewMessage{Content: "Hi! How can we help?"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply to be sent", func() bool {
		got, err := e.store.Message(context.Background(), e.inbox.AccountID, m.ID)
		return err == nil && got.Status == sahay.DeliverySent
	})
	if n := len(box.all()); n != 0 {
		t.Fatalf("%d mails to a visitor without an address", n)
	}
}
