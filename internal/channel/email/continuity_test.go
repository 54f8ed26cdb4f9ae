package email_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/email/smtptest"
	"github.com/sahayhq/sahay/internal/core"
)

// TestVisitorAnswersByEmail follows a website chat's reply emailed to an
// away visitor, and the visitor's answer to that mail, through Sahay's
// SMTP listener, back into the chat.
func TestVisitorAnswersByEmail(t *testing.T) {
	apitest.Dialects(t, visitorAnswersByEmail)
}

func visitorAnswersByEmail(t *testing.T, _ string) {
	out := smtptest.New(t, "none")
	smtpURL := fmt.Sprintf("smtp://%s:%s@%s?tls=none&from=%s", url.QueryEscape(out.Username), url.QueryEscape(out.Password),
		out.Addr(), url.QueryEscape("Nakshi <noreply@nakshi.example>"))
	s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_SMTP_URL": smtpURL,
		"SAHAY_EMAIL_LISTEN": "127.0.0.1:0", "SAHAY_EMAIL_REPLY_DOMAIN": "reply.nakshi.example"}})
	owner := s.NewAccount(t, "Nakshi")
	chat := s.NewInbox(t, owner, "Website", "widget", map[string]any{"email_continuity": true})
	s.NewInbox(t, owner, "Mail", "email", map[string]any{"address": "help@nakshi.example"})
	ctx := context.Background()
	svc := s.App.Service

	// A visitor who left their address asks, and leaves.
	asked, err := svc.Receive(ctx, channel.Inbound{InboxID: chat.ID, ContactID: "v:visitor-1", Email: "asha@example.com",
		Name: "Asha", Content: "Is the red saree back in stock?"})
	if err != nil {
		t.Fatal(err)
	}
	actor, err := svc.Actor(ctx, owner.User)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PostMessage(ctx, actor, asked.Conversation.ID, core.NewMessage{Content: "Yes, it came in this morning."}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(out.Mails()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the reply was not emailed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, err := mail.CreateReader(bytes.NewReader(out.Mails()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	replyTo, _ := r.Header.AddressList("Reply-To")
	if len(replyTo) != 1 || !strings.HasPrefix(replyTo[0].Address, "reply+") || !strings.HasSuffix(replyTo[0].Address, "@reply.nakshi.example") {
		t.Fatalf("Reply-To %v", replyTo)
	}

	// The visitor answers the mail; it reaches the listener.
	c, err := smtp.Dial(s.App.EmailListener.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw := "From: Asha <asha@example.com>\r\nTo: " + replyTo[0].Address + "\r\nSubject: Re: New reply from Website\r\n" +
		"Message-ID: <answer-1@example.com>\r\nDate: Sat, 05 Dec 2026 09:00:00 +0000\r\n\r\nPlease keep one for me.\r\n\r\n> Yes, it came in this morning.\r\n"
	if err := c.SendMail("asha@example.com", []string{replyTo[0].Address}, strings.NewReader(raw)); err != nil {
		t.Fatalf("the listener refused the answer: %v", err)
	}
	for {
		var page struct{ Items []sahay.Message }
		s.Must(t, owner.Token, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", asked.Conversation.ID), nil, 200, &page)
		var found *sahay.Message
		for i, m := range page.Items {
			if m.ExternalID == "answer-1@example.com" {
				found = &page.Items[i]
			}
		}
		if found != nil {
			if found.Content != "Please keep one for me." || found.SenderID != asked.Message.SenderID || found.InboxID != chat.ID {
				t.Errorf("the answer in the chat: %+v, want the visitor's new words", found)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the answer did not reach the chat: %+v", page.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
