package email_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/email/smtptest"
)

// mailEnv is a running Sahay with an email inbox whose SMTP server runs in
// the test, an agent who answers it and one who does not.
type mailEnv struct {
	s        *apitest.Server
	smtp     *smtptest.Server
	owner    *apitest.User
	agent    *apitest.User
	outsider *apitest.User
	inbox    *sahay.Inbox
}

func newMailEnv(t *testing.T) *mailEnv {
	e := &mailEnv{s: apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_EMAIL_REPLY_DOMAIN": "reply.shop.example.com"}})}
	e.smtp = smtptest.New(t, "none")
	e.owner = e.s.NewAccount(t, "Shop")
	e.agent = e.s.NewUser(t, e.owner, "agent")
	e.outsider = e.s.NewUser(t, e.owner, "agent")
	e.inbox = e.s.NewInbox(t, e.owner, "Shop Support", "email", map[string]any{"address": "support@shop.example.com",
		"smtp_host": e.smtp.Host, "smtp_port": e.smtp.Port, "smtp_username": e.smtp.Username, "smtp_password": e.smtp.Password,
		"smtp_tls": "none"}, e.agent.ID)
	return e
}

// waitMails waits for the SMTP server to have accepted n mails.
func (e *mailEnv) waitMails(t *testing.T, n int) []smtptest.Mail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		mails := e.smtp.Mails()
		if len(mails) >= n {
			return mails
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails accepted, want %d", len(mails), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSent waits for a message to be sent and returns it as the API shows it.
func (e *mailEnv) waitSent(t *testing.T, conversationID, messageID int64) sahay.Message {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var page struct{ Items []sahay.Message }
		e.s.Must(t, e.agent.Token, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conversationID), nil, http.StatusOK, &page)
		for _, m := range page.Items {
			if m.ID == messageID && m.Status != sahay.DeliveryPending {
				if m.Status != sahay.DeliverySent {
					t.Fatalf("message %d: %s %s", m.ID, m.Status, m.Error)
				}
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d not sent", messageID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func header(t *testing.T, m smtptest.Mail) *mail.Reader {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("read mail: %v", err)
	}
	return r
}

type started struct {
	Conversation sahay.Conversation `json:"conversation"`
	Message      sahay.Message      `json:"message"`
}

func TestOutgoingEmailConversation(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newMailEnv(t)
		var first started
		e.s.Must(t, e.agent.Token, "POST", "/api/v1/conversations", map[string]any{"inbox_id": e.inbox.ID,
			"to": "Dana Roy <Dana@Example.net>", "content": "আপনার অর্ডার পাঠানো হয়েছে।",
			"email": map[string]any{"subject": "আপনার অর্ডার #1234", "cc": []string{"boss@example.net"}, "bcc": []string{"audit@shop.example.com"}}},
			http.StatusCreated, &first)
		if first.Conversation.ID == 0 || first.Conversation.InboxID != e.inbox.ID || first.Conversation.AssigneeID != e.agent.User.ID ||
			first.Message.Status != sahay.DeliveryPending || first.Message.Email == nil || first.Message.Email.Subject != "আপনার অর্ডার #1234" ||
			first.Conversation.Subject != "আপনার অর্ডার #1234" {
			t.Fatalf("started %+v", first)
		}
		mails := e.waitMails(t, 1)
		h := header(t, mails[0]).Header
		if subject, _ := h.Subject(); subject != "আপনার অর্ডার #1234" {
			t.Errorf("Subject %q", subject)
		}
		if to, _ := h.AddressList("To"); len(to) != 1 || to[0].Address != "dana@example.net" || to[0].Name != "Dana Roy" {
			t.Errorf("To %v", to)
		}
		if h.Has("Bcc") || !slices.Contains(mails[0].To, "audit@shop.example.com") || !slices.Contains(mails[0].To, "boss@example.net") {
			t.Errorf("Bcc header %q, recipients %v", h.Get("Bcc"), mails[0].To)
		}
		if from, _ := h.AddressList("From"); len(from) != 1 || !strings.HasSuffix(from[0].Name, " via Shop Support") {
			t.Errorf("From %v", from)
		}
		if rt := h.Get("Reply-To"); !strings.HasPrefix(rt, "<reply+") || !strings.HasSuffix(rt, "@reply.shop.example.com>") {
			t.Errorf("Reply-To %q", rt)
		}
		firstID, _ := h.MessageID()
		sent := e.waitSent(t, first.Conversation.ID, first.Message.ID)
		if sent.ExternalID != firstID || sent.Email == nil || sent.Email.MessageID != firstID || len(sent.Email.BCC) != 1 ||
			sent.Email.From.Address != "support@shop.example.com" {
			t.Errorf("sent message %+v email %+v; want Message-ID %s", sent, sent.Email, firstID)
		}

		// The agent writes again, with a file: the thread goes on.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("content", "The receipt is attached.")
		mw.WriteField("email", `{"cc":["boss@example.net"]}`)
		fw, _ := mw.CreateFormFile("file", "receipt.txt")
		io.WriteString(fw, "paid in full")
		mw.Close()
		r := e.s.Do(t, apitest.Request{Token: e.agent.Token, Method: "POST",
			Path: fmt.Sprintf("/api/v1/conversations/%d/messages", first.Conversation.ID), Body: body.Bytes(),
			Header: http.Header{"Content-Type": {mw.FormDataContentType()}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("multipart reply: %s", r)
		}
		mails = e.waitMails(t, 2)
		mr := header(t, mails[1])
		if subject, _ := mr.Header.Subject(); subject != "Re: আপনার অর্ডার #1234" {
			t.Errorf("second Subject %q", subject)
		}
		if irt, _ := mr.Header.MsgIDList("In-Reply-To"); !slices.Equal(irt, []string{firstID}) {
			t.Errorf("second In-Reply-To %v, want %s", irt, firstID)
		}
		if cc := mr.Header.Get("Cc"); cc != "<boss@example.net>" {
			t.Errorf("second Cc %q", cc)
		}
		var files []string
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
				name, _ := ah.Filename()
				b, _ := io.ReadAll(p.Body)
				files = append(files, name+"="+string(b))
			}
		}
		if !slices.Equal(files, []string{"receipt.txt=paid in full"}) {
			t.Errorf("attachments %v", files)
		}

		// The same address is the same contact.
		var again started
		e.s.Must(t, e.agent.Token, "POST", "/api/v1/conversations", map[string]any{"inbox_id": e.inbox.ID,
			"to": "dana@example.net", "content": "One more thing", "email": map[string]any{"subject": "Another question"}},
			http.StatusCreated, &again)
		if again.Conversation.ContactID != first.Conversation.ContactID || again.Conversation.ID == first.Conversation.ID {
			t.Errorf("second conversation %+v, want a new one with contact %d", again.Conversation, first.Conversation.ContactID)
		}
		var byContact started
		e.s.Must(t, e.agent.Token, "POST", "/api/v1/conversations", map[string]any{"inbox_id": e.inbox.ID,
			"contact_id": first.Conversation.ContactID, "content": "Hello again", "email": map[string]any{"subject": "Hi"}},
			http.StatusCreated, &byContact)
		e.waitMails(t, 4)
	})
}

func TestOutgoingEmailRefused(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newMailEnv(t)
		api := e.s.NewInbox(t, e.owner, "API", "api", nil, e.agent.ID)
		got := e.s.Receive(t, e.owner, api.ID, "c-1", "hello", "m-1")
		ok := map[string]any{"inbox_id": e.inbox.ID, "to": "dana@example.net", "content": "Hi", "email": map[string]any{"subject": "Hello"}}
		with := func(k string, v any) map[string]any {
			out := map[string]any{}
			for key, val := range ok {
				out[key] = val
			}
			if v == nil {
				delete(out, k)
			} else {
				out[k] = v
			}
			return out
		}
		for _, c := range []struct {
			name   string
			token  string
			path   string
			body   map[string]any
			status int
			names  string
		}{
			{"no subject", e.agent.Token, "/api/v1/conversations", with("email", nil), 422, "email.subject"},
			{"blank subject", e.agent.Token, "/api/v1/conversations", with("email", map[string]any{"subject": " "}), 422, "email.subject"},
			{"bad cc", e.agent.Token, "/api/v1/conversations", with("email", map[string]any{"subject": "x", "cc": []string{"not an address"}}), 422, "email.cc"},
			{"bad bcc", e.agent.Token, "/api/v1/conversations", with("email", map[string]any{"subject": "x", "bcc": []string{"a@localhost"}}), 422, "email.bcc"},
			{"bad to", e.agent.Token, "/api/v1/conversations", with("to", "dana"), 422, "to"},
			{"no recipient", e.agent.Token, "/api/v1/conversations", with("to", nil), 422, "contact_id or to"},
			{"both recipients", e.agent.Token, "/api/v1/conversations", with("contact_id", got.Conversation.ContactID), 422, "not both"},
			{"no content", e.agent.Token, "/api/v1/conversations", with("content", nil), 422, "content"},
			{"not a member", e.outsider.Token, "/api/v1/conversations", ok, 404, "inbox"},
			{"unknown inbox", e.agent.Token, "/api/v1/conversations", with("inbox_id", 999999), 404, "inbox"},
			{"to on another channel", e.agent.Token, "/api/v1/conversations",
				map[string]any{"inbox_id": api.ID, "to": "dana@example.net", "content": "Hi"}, 422, "to"},
			{"email on another channel", e.agent.Token, fmt.Sprintf("/api/v1/conversations/%d/messages", got.Conversation.ID),
				map[string]any{"content": "hi", "email": map[string]any{"subject": "x"}}, 422, "email"},
			{"email on a note", e.agent.Token, "", map[string]any{"content": "note", "private": true, "email": map[string]any{"cc": []string{"a@example.net"}}}, 422, "email"},
			{"unknown email field", e.agent.Token, "/api/v1/conversations", with("email", map[string]any{"subject": "x", "to": []string{"a@example.net"}}), 400, "to"},
		} {
			path := c.path
			if path == "" {
				var s started
				e.s.Must(t, e.agent.Token, "POST", "/api/v1/conversations", ok, http.StatusCreated, &s)
				path = fmt.Sprintf("/api/v1/conversations/%d/messages", s.Conversation.ID)
			}
			r := e.s.Call(t, c.token, "POST", path, c.body)
			_, msg := r.Error()
			if r.Status != c.status || !strings.Contains(msg, c.names) {
				t.Errorf("%s: %d %s; want %d naming %q", c.name, r.Status, msg, c.status, c.names)
			}
		}
	})
}
