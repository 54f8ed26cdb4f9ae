package widget

import (
	"context"
	"strings"
	"sync"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store/storetest"
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

// replyMailbox is a mailbox whose mail names a Reply-To.
type replyMailbox struct {
	mailbox
	replyTo []string
}

func (m *replyMailbox) SendReply(ctx context.Context, to, replyTo, subject, body string) error {
	m.mu.Lock()
	m.replyTo = append(m.replyTo, replyTo)
	m.mu.Unlock()
	return m.Send(ctx, to, subject, body)
}

func TestAwayVisitorAnswersByEmail(t *testing.T) {
	e := newEnv(t, `{"title":"Nakshi Crafts","email_continuity":true}`, Limits{})
	box := &replyMailbox{}
	e.widget.cfg.Mailer = box
	e.widget.cfg.ReplyDomain = "reply.nakshi.example"
	bg := context.Background()

	s := e.session(SessionRequest{})
	if code, ecode := e.call("POST", "/widget/v1/contact", s.Token, ContactRequest{Email: "Asha@Example.com"}, nil); code != 200 {
		t.Fatalf("contact: %d %s", code, ecode)
	}
	var sent sendAnswer
	e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000001", Text: "Is the red saree back in stock?"}, &sent)
	m, err := e.svc.PostMessage(bg, e.agent, sent.Conversation.ID, core.NewMessage{Content: "Yes, it came in this morning."})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply to be sent", func() bool {
		got, err := e.store.Message(bg, e.inbox.AccountID, m.ID)
		return err == nil && got.Status == sahay.DeliverySent
	})
	mails := box.all()
	if len(mails) != 1 || len(box.replyTo) != 1 || !strings.Contains(mails[0].body, "Answer this email") {
		t.Fatalf("mails %+v, Reply-To %v", mails, box.replyTo)
	}
	replyTo := box.replyTo[0]
	token, ok := strings.CutPrefix(replyTo, "reply+")
	token, domain, _ := strings.Cut(token, "@")
	if !ok || domain != "reply.nakshi.example" || token == "" {
		t.Fatalf("Reply-To %q", replyTo)
	}

	// The visitor answers the mail: it reaches an email inbox of the
	// account (or the SMTP listener) and returns to the chat, as the
	// visitor's.
	mailInbox := storetest.MustInbox(t, e.store, e.inbox.AccountID, "Mail", "email")
	answer := channel.Inbound{InboxID: mailInbox.ID, ExternalID: "answer-1@mail.example.com", Namespace: "email",
		ContactID: "asha@example.com", Email: "asha@example.com", Name: "Asha", Content: "Please keep one for me",
		ReplyToken: strings.ToUpper(token), Mail: &sahay.Email{Subject: "Re: New reply from Nakshi Crafts",
			From: sahay.EmailAddress{Name: "Asha", Address: "asha@example.com"}, MessageID: "answer-1@mail.example.com"}}
	got, err := e.svc.Receive(bg, answer)
	if err != nil {
		t.Fatal(err)
	}
	visitor, err := e.store.Conversation(bg, e.inbox.AccountID, sent.Conversation.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Conversation.ID != sent.Conversation.ID || got.Message.InboxID != e.inbox.ID || got.Message.SenderID != visitor.ContactID {
		t.Errorf("the answer went to conversation %d (inbox %d) from contact %d; want the chat %d in inbox %d from the visitor %d",
			got.Conversation.ID, got.Message.InboxID, got.Message.SenderID, sent.Conversation.ID, e.inbox.ID, visitor.ContactID)
	}
	// The same mail again is the same message.
	if again, err := e.svc.Receive(bg, answer); err != nil || !again.Duplicate || again.Message.ID != got.Message.ID {
		t.Errorf("the answer received twice: %+v, %v", again, err)
	}

	// Someone else answering with the token joins the thread as themselves.
	other := answer
	other.ExternalID, other.ContactID, other.Email, other.Name = "answer-2@mail.example.com", "ravi@example.com", "ravi@example.com", "Ravi"
	if got, err := e.svc.Receive(bg, other); err != nil || got.Conversation.ID != sent.Conversation.ID || got.Message.SenderID == visitor.ContactID {
		t.Errorf("a cc'd answer: %+v, %v", got, err)
	}

	// A token that is not Sahay's opens nothing in the chat.
	forged := answer
	forged.ExternalID, forged.ReplyToken = "answer-3@mail.example.com", strings.Split(token, "-")[0]+"-aaaaaaaaaaaaaaaa"
	if got, err := e.svc.Receive(bg, forged); err != nil || got.Conversation.ID == sent.Conversation.ID || got.Message.InboxID != mailInbox.ID {
		t.Errorf("a forged token: %+v, %v", got, err)
	}
}
