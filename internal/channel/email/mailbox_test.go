package email_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/email/emailtest"
	"github.com/sahayhq/sahay/internal/channel/email/smtptest"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// desk is an email inbox of a running Sahay, reading an in-process IMAP
// server's mailbox.
type desk struct {
	s     *apitest.Server
	imap  *emailtest.IMAPServer
	owner *apitest.User
	inbox *sahay.Inbox
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	d := &desk{s: apitest.NewServer(t), imap: emailtest.NewIMAPServer(t, "support@example.com", "app-password", true)}
	d.owner = d.s.NewAccount(t, "Shop")
	d.inbox = d.s.NewInbox(t, d.owner, "Support", "email", d.imap.Settings("support@example.com", "none"))
	// The watcher has started once it has saved its place.
	deadline := time.Now().Add(15 * time.Second)
	for {
		if v, _ := d.s.App.Store.InboxCursor(context.Background(), d.inbox.ID); v != "" {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatal("the mailbox watcher did not start within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// message waits until the inbox holds the message with the external id.
func (d *desk) message(t *testing.T, externalID string) *sahay.Message {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := d.s.App.Store.MessageByExternalID(ctx, d.inbox.ID, externalID)
		if err == nil {
			if m, err = d.s.App.Store.Message(ctx, m.AccountID, m.ID); err != nil {
				t.Fatal(err)
			}
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s not stored within 15s: %v", externalID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processed waits until the journal has processed the mail with the key.
func (d *desk) processed(t *testing.T, key string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		events, err := d.s.App.Store.RawEvents(context.Background(), d.inbox.AccountID, store.RawDone, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.DedupeKey == key {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("journal event %s not processed within 15s", key)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func reply(from, id, headers, body string) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: support@example.com\r\nSubject: Re: আমার অর্ডার কোথায়?\r\nMessage-ID: <%s>\r\n%s"+
		"Date: Fri, 4 Dec 2026 13:00:00 +0600\r\n\r\n%s\r\n", from, id, headers, body)
}

// TestMailboxToConversations reads mail from a mailbox into conversations:
// a new thread opens one, replies by In-Reply-To, References or the reply
// token continue it (from any of its participants), a new mail from the
// same customer opens another; auto-replies stay out, and a bounce fails
// the reply it returns.
func TestMailboxToConversations(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		d := newDesk(t)
		ctx := context.Background()

		d.imap.Deliver(t, readFixture(t, "bengali-subject-b.eml"))
		first := d.message(t, "bn-1@example.com.bd")
		if first.Content != "আমি গত সপ্তাহে অর্ডার করেছি, এখনো পাইনি।" || first.Email == nil ||
			first.Email.Subject != "আমার অর্ডার কোথায়?" || first.Email.From.Name != "রহিম উদ্দিন" ||
			first.Email.MessageID != "bn-1@example.com.bd" {
			t.Fatalf("first message %+v email %+v", first, first.Email)
		}

		d.imap.Deliver(t, reply("Colleague <colleague@example.com.bd>", "r1@example.com.bd", "In-Reply-To: <bn-1@example.com.bd>\r\n", "I'm waiting too."))
		d.imap.Deliver(t, reply("Rahim <rahim@example.com.bd>", "r2@example.com.bd", "References: <x@y>\r\n <r1@example.com.bd>\r\n", "Any news?"))
		d.imap.Deliver(t, reply("Rahim <rahim@example.com.bd>", "new@example.com.bd", "", "Another question."))
		r1, r2, other := d.message(t, "r1@example.com.bd"), d.message(t, "r2@example.com.bd"), d.message(t, "new@example.com.bd")
		if r1.ConversationID != first.ConversationID || r2.ConversationID != first.ConversationID {
			t.Errorf("replies landed in %d and %d, want the thread's %d", r1.ConversationID, r2.ConversationID, first.ConversationID)
		}
		if r1.SenderID == first.SenderID {
			t.Error("the colleague's reply is attributed to the first sender")
		}
		if other.ConversationID == first.ConversationID {
			t.Error("a new thread from the same customer continued the old conversation")
		}

		// The reply address's token finds the conversation with no header
		// naming it.
		token, err := d.s.App.Service.ReplyToken(ctx, other.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		d.imap.Deliver(t, []byte("From: Rahim <rahim@example.com.bd>\r\nTo: reply+"+token+"@example.com\r\nSubject: again\r\n"+
			"Message-ID: <tok@example.com.bd>\r\n\r\nBy the token.\r\n"))
		if m := d.message(t, "tok@example.com.bd"); m.ConversationID != other.ConversationID {
			t.Errorf("token reply in %d, want %d", m.ConversationID, other.ConversationID)
		}
		forged := strings.Replace(token, token[len(token)-3:], "aaa", 1)
		d.imap.Deliver(t, []byte("From: Rahim <rahim@example.com.bd>\r\nTo: reply+"+forged+"@example.com\r\nSubject: again\r\n"+
			"Message-ID: <forged@example.com.bd>\r\n\r\nA forged token.\r\n"))
		if m := d.message(t, "forged@example.com.bd"); m.ConversationID == other.ConversationID {
			t.Error("a forged token continued the conversation")
		}

		// Inline images and attachments are kept, with the HTML naming the
		// inline image by its content id.
		d.imap.Deliver(t, readFixture(t, "attachment-inline.eml"))
		att := d.message(t, "attach-1@example.net")
		if len(att.Attachments) != 2 || att.Attachments[0].ContentID != "photo1@example.net" ||
			att.Attachments[1].FileName != "আমার রসিদ.pdf" || att.Attachments[1].ContentType != "application/pdf" {
			t.Errorf("attachments %+v", att.Attachments)
		}
		if !strings.Contains(att.Email.HTML, `data-cid="photo1@example.net"`) {
			t.Errorf("html %q", att.Email.HTML)
		}

		// A bounce fails the reply it returns, with the server's reason.
		conv, err := d.s.App.Store.Conversation(ctx, first.AccountID, first.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		sent := storetest.MustMessage(t, d.s.App.Store, conv, &sahay.Message{Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser,
			Content: "We will check.", Status: sahay.DeliverySent, ExternalID: "sahay.bounced1@example.com"})
		d.imap.Deliver(t, readFixture(t, "dsn-bounce.eml"))
		d.imap.Deliver(t, readFixture(t, "auto-reply.eml"))
		d.processed(t, "message-id:20261203100005.4F1A2B3C@mx.example.com")
		d.processed(t, "message-id:auto-1@mail.gmail.com")
		got, err := d.s.App.Store.Message(ctx, sent.AccountID, sent.ID)
		if err != nil || got.Status != sahay.DeliveryFailed || !strings.Contains(got.Error, "User unknown") {
			t.Errorf("bounced reply: %+v, %v", got, err)
		}
		for _, id := range []string{"auto-1@mail.gmail.com", "20261203100005.4F1A2B3C@mx.example.com"} {
			if _, err := d.s.App.Store.MessageByExternalID(ctx, d.inbox.ID, id); sahay.ErrorCode(err) != sahay.ENOTFOUND {
				t.Errorf("%s stored as a message: %v", id, err)
			}
		}

		// The API shows the email with the message.
		var page struct{ Items []sahay.Message }
		d.s.Must(t, d.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", first.ConversationID), nil, http.StatusOK, &page)
		if len(page.Items) == 0 || page.Items[0].Email == nil || page.Items[0].Email.Subject != "আমার অর্ডার কোথায়?" ||
			len(page.Items[0].Email.To) != 1 || page.Items[0].Email.To[0].Address != "support@example.com" {
			t.Errorf("messages through the API: %+v", page.Items)
		}
		// The conversation carries the subject it was opened with, for
		// the conversation list.
		var opened sahay.Conversation
		d.s.Must(t, d.owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", first.ConversationID), nil, http.StatusOK, &opened)
		if opened.Subject != "আমার অর্ডার কোথায়?" {
			t.Errorf("conversation subject %q", opened.Subject)
		}
	})
}

// TestSMTPListener delivers mail to Sahay's own SMTP listener: for an
// inbox's address, for a conversation's reply address; anything else is
// refused, and nothing that is not mail is taken.
func TestSMTPListener(t *testing.T) {
	s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{
		"SAHAY_EMAIL_LISTEN": "127.0.0.1:0", "SAHAY_EMAIL_REPLY_DOMAIN": "reply.example.com"}})
	owner := s.NewAccount(t, "Shop")
	inbox := s.NewInbox(t, owner, "Forwarded", "email", map[string]any{"address": "help@shop.example"})
	d := &desk{s: s, owner: owner, inbox: inbox}
	addr := s.App.EmailListener.String()
	send := func(to string, raw []byte) error {
		c, err := smtp.Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.SendMail("sender@example.org", []string{to}, bytes.NewReader(raw))
	}

	if err := send("Help@Shop.Example", readFixture(t, "hindi-subject-q.eml")); err != nil {
		t.Fatalf("mail for the inbox's address: %v", err)
	}
	first := d.message(t, "hi-1@example.in")
	if first.Email == nil || first.Email.Subject != "मेरा ऑर्डर कहाँ है?" {
		t.Errorf("message %+v", first)
	}
	// The same mail again (a server's retry) is kept once.
	if err := send("help@shop.example", readFixture(t, "hindi-subject-q.eml")); err != nil {
		t.Fatal(err)
	}

	token, err := s.App.Service.ReplyToken(context.Background(), first.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: Anita <anita@example.in>\r\nTo: help@shop.example\r\nSubject: thanks\r\nMessage-ID: <via-token@example.in>\r\n\r\nThank you!\r\n")
	if err := send("reply+"+token+"@reply.example.com", raw); err != nil {
		t.Fatalf("mail for a reply address: %v", err)
	}
	if m := d.message(t, "via-token@example.in"); m.ConversationID != first.ConversationID {
		t.Errorf("reply by the envelope's token in %d, want %d", m.ConversationID, first.ConversationID)
	}

	for _, to := range []string{"nobody@shop.example", "reply+" + token + "@elsewhere.example", "reply+1-aaaaaaaaaaaaaaaa@reply.example.com"} {
		err := send(to, raw)
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Code != 550 {
			t.Errorf("mail for %s: %v, want 550", to, err)
		}
	}
	err = send("help@shop.example", []byte("no header at all"))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 554 {
		t.Errorf("not a mail: %v, want 554", err)
	}
	var page struct{ Items []sahay.Message }
	d.s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", first.ConversationID), nil, http.StatusOK, &page)
	if len(page.Items) != 2 {
		t.Errorf("conversation holds %d messages, want the mail once and the reply", len(page.Items))
	}
}

// TestReplyRoundTrip follows a thread both ways: a customer's mail read
// from the mailbox, the agent's reply sent over SMTP, the customer's
// answer naming only that reply's Message-ID back in the conversation, and
// a bounce of the reply failing it.
func TestReplyRoundTrip(t *testing.T) {
	s := apitest.NewServer(t)
	in := emailtest.NewIMAPServer(t, "support@example.com", "app-password", true)
	out := smtptest.New(t, "none")
	owner := s.NewAccount(t, "Shop")
	set := in.Settings("support@example.com", "none")
	set["smtp_host"], set["smtp_port"], set["smtp_username"], set["smtp_password"], set["smtp_tls"] =
		out.Host, out.Port, out.Username, out.Password, "none"
	d := &desk{s: s, imap: in, owner: owner, inbox: s.NewInbox(t, owner, "Support", "email", set)}
	deadline := time.Now().Add(15 * time.Second)
	for v, _ := s.App.Store.InboxCursor(context.Background(), d.inbox.ID); v == ""; v, _ = s.App.Store.InboxCursor(context.Background(), d.inbox.ID) {
		if time.Now().After(deadline) {
			t.Fatal("the mailbox watcher did not start within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	in.Deliver(t, readFixture(t, "bengali-subject-b.eml"))
	first := d.message(t, "bn-1@example.com.bd")
	var sent sahay.Message
	s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", first.ConversationID),
		map[string]any{"content": "আপনার অর্ডার আজ পাঠানো হয়েছে।"}, http.StatusCreated, &sent)
	for len(out.Mails()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the reply was not sent within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, err := mail.CreateReader(bytes.NewReader(out.Mails()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	replyID, _ := r.Header.MessageID()
	if replyID == "" {
		t.Fatal("the reply has no Message-ID")
	}

	in.Deliver(t, reply("Rahim <rahim@example.com.bd>", "answer@example.com.bd", "In-Reply-To: <"+replyID+">\r\n", "পেয়েছি, ধন্যবাদ।"))
	if m := d.message(t, "answer@example.com.bd"); m.ConversationID != first.ConversationID {
		t.Errorf("the answer to the reply landed in %d, want %d", m.ConversationID, first.ConversationID)
	}

	bounce := bytes.ReplaceAll(readFixture(t, "dsn-bounce.eml"), []byte("sahay.bounced1@example.com"), []byte(replyID))
	in.Deliver(t, bounce)
	for {
		m, err := s.App.Store.Message(context.Background(), first.AccountID, sent.ID)
		if err == nil && m.Status == sahay.DeliveryFailed && strings.Contains(m.Error, "User unknown") {
			break
		}
		if time.Now().After(deadline.Add(15 * time.Second)) {
			t.Fatalf("the bounced reply: %+v, %v", m, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
