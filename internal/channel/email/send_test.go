package email

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"
	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/email/smtptest"
)

// fakeCore answers what sending asks of core.
type fakeCore struct {
	Core
	messages []*sahay.Message
	users    map[int64]string
}

func (f *fakeCore) ReplyToken(_ context.Context, id int64) (string, error) {
	return strconv.FormatInt(id, 36) + "-testtoken", nil
}

func (f *fakeCore) UserName(_ context.Context, _, id int64) (string, error) {
	name, ok := f.users[id]
	if !ok {
		return "", sahay.NotFound("user")
	}
	return name, nil
}

func (f *fakeCore) CustomerMessages(_ context.Context, _ *sahay.Conversation, _ int64, _ int) ([]*sahay.Message, error) {
	return f.messages, nil
}

// sendEnv is an email inbox whose SMTP server runs in the test.
type sendEnv struct {
	t       *testing.T
	server  *smtptest.Server
	adapter *Adapter
	core    *fakeCore
	inbox   *sahay.Inbox
}

func newSendEnv(t *testing.T, sec smtptest.Security) *sendEnv {
	srv := smtptest.New(t, sec)
	core := &fakeCore{users: map[int64]string{7: "আশা Rahman"}}
	a := New(core, true)
	a.SetReplyDomain("Reply.Example.com")
	a.out.tlsConfig = &tls.Config{RootCAs: srv.RootCAs()}
	e := &sendEnv{t: t, server: srv, adapter: a, core: core}
	e.inbox = e.makeInbox(map[string]any{"smtp_tls": string(sec)})
	return e
}

func (e *sendEnv) makeInbox(extra map[string]any) *sahay.Inbox {
	set := map[string]any{"address": "support@shop.example.com", "smtp_host": e.server.Host, "smtp_port": e.server.Port,
		"smtp_username": e.server.Username}
	secrets := map[string]string{SMTPPasswordKey: e.server.Password}
	for k, v := range extra {
		if k == SMTPPasswordKey || k == DKIMPrivateKeyKey {
			secrets[k] = v.(string)
			continue
		}
		set[k] = v
	}
	b, _ := json.Marshal(set)
	inbox := &sahay.Inbox{ID: 3, AccountID: 1, Name: "Shop Support", Channel: Name, Settings: b, Secrets: secrets}
	if err := e.adapter.Validate(inbox); err != nil {
		e.t.Fatalf("inbox settings %s: %v", b, err)
	}
	return inbox
}

// reply is an agent's reply in a conversation whose customer wrote the
// thread's last mail.
func (e *sendEnv) reply(content string, mailFields *sahay.Email, files ...sahay.Attachment) channel.Outbound {
	conv := &sahay.Conversation{ID: 42, AccountID: 1, InboxID: e.inbox.ID}
	e.core.messages = []*sahay.Message{
		{ID: 10, Kind: sahay.MessageIncoming, ExternalID: "q1@mail.example.net", Email: &sahay.Email{
			Subject: "অর্ডার নম্বর ১২৩৪ কোথায়?", MessageID: "q1@mail.example.net"}},
		{ID: 11, Kind: sahay.MessageOutgoing, ExternalID: "a1@shop.example.com", Status: sahay.DeliverySent, Email: &sahay.Email{
			Subject: "Re: অর্ডার নম্বর ১২৩৪ কোথায়?", MessageID: "a1@shop.example.com", InReplyTo: "q1@mail.example.net",
			References: []string{"q1@mail.example.net"}}},
		{ID: 12, Kind: sahay.MessageIncoming, ExternalID: "q2@mail.example.net", Email: &sahay.Email{
			Subject: "RE: Re: অর্ডার নম্বর ১২৩৪ কোথায়?", MessageID: "q2@mail.example.net", InReplyTo: "a1@shop.example.com",
			References: []string{"q1@mail.example.net", "a1@shop.example.com"}}},
		{ID: 13, Kind: sahay.MessageNote, Content: "checking the courier"},
	}
	m := &sahay.Message{ID: 14, AccountID: 1, ConversationID: conv.ID, InboxID: e.inbox.ID, Kind: sahay.MessageOutgoing,
		SenderType: sahay.SenderUser, SenderID: 7, Content: content, Status: sahay.DeliveryPending, Email: mailFields,
		Attachments: files}
	return channel.Outbound{Inbox: e.inbox, Conversation: conv, Message: m, Recipient: "dana@mail.example.net",
		Contact: &sahay.Contact{ID: 5, Name: "Dana Roy"},
		Open: func(_ context.Context, a sahay.Attachment) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("file " + a.StorageKey)), nil
		}}
}

// received reads the one mail the server accepted.
func (e *sendEnv) received() (smtptest.Mail, *mail.Reader) {
	e.t.Helper()
	mails := e.server.Mails()
	if len(mails) != 1 {
		e.t.Fatalf("the server accepted %d mails, want 1", len(mails))
	}
	r, err := mail.CreateReader(bytes.NewReader(mails[0].Data))
	if err != nil {
		e.t.Fatalf("read the sent mail: %v\n%s", err, mails[0].Data)
	}
	return mails[0], r
}

func TestSendReply(t *testing.T) {
	for _, sec := range []smtptest.Security{"starttls", "tls", "none"} {
		t.Run(string(sec), func(t *testing.T) {
			e := newSendEnv(t, sec)
			out := e.reply("আপনার অর্ডার আজ পাঠানো হয়েছে।\n\nThanks <for> waiting & sorry.",
				&sahay.Email{CC: []sahay.EmailAddress{{Name: "Boss", Address: "boss@mail.example.net"}},
					BCC: []sahay.EmailAddress{{Address: "audit@shop.example.com"}}},
				sahay.Attachment{FileName: "রসিদ.pdf", ContentType: "application/pdf", StorageKey: "k1"})
			res, err := e.adapter.Send(context.Background(), out)
			if err != nil {
				t.Fatal(err)
			}
			got, r := e.received()
			h := r.Header

			if got.From != "support@shop.example.com" {
				t.Errorf("envelope sender %q", got.From)
			}
			wantRcpt := []string{"dana@mail.example.net", "boss@mail.example.net", "audit@shop.example.com"}
			if !slices.Equal(got.To, wantRcpt) {
				t.Errorf("envelope recipients %v, want %v", got.To, wantRcpt)
			}
			if h.Has("Bcc") || bytes.Contains(got.Data, []byte("audit@")) {
				t.Errorf("the mail names its Bcc recipient:\n%s", got.Data)
			}
			from, _ := h.AddressList("From")
			if len(from) != 1 || from[0].Name != "আশা Rahman via Shop Support" || from[0].Address != "support@shop.example.com" {
				t.Errorf("From %v", from)
			}
			if raw := h.Get("From"); !strings.Contains(raw, "=?utf-8?b?") {
				t.Errorf("From %q is not RFC 2047 encoded", raw)
			}
			to, _ := h.AddressList("To")
			if len(to) != 1 || to[0].Name != "Dana Roy" || to[0].Address != "dana@mail.example.net" {
				t.Errorf("To %v", to)
			}
			cc, _ := h.AddressList("Cc")
			if len(cc) != 1 || cc[0].Address != "boss@mail.example.net" {
				t.Errorf("Cc %v", cc)
			}
			replyTo, _ := h.AddressList("Reply-To")
			if len(replyTo) != 1 || replyTo[0].Address != "reply+16-testtoken@reply.example.com" {
				t.Errorf("Reply-To %v", replyTo)
			}
			subject, err := h.Subject()
			if err != nil || subject != "Re: অর্ডার নম্বর ১২৩৪ কোথায়?" {
				t.Errorf("Subject %q, %v; want one Re: before the Bengali subject", subject, err)
			}
			if raw := h.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?b?") {
				t.Errorf("Subject %q is not RFC 2047 B-encoded", raw)
			}
			id, _ := h.MessageID()
			if id == "" || id != res.ExternalID || !strings.HasSuffix(id, "@shop.example.com") {
				t.Errorf("Message-ID %q, external id %q; want the same, at the address's domain", id, res.ExternalID)
			}
			if irt, _ := h.MsgIDList("In-Reply-To"); !slices.Equal(irt, []string{"q2@mail.example.net"}) {
				t.Errorf("In-Reply-To %v, want the customer's last mail", irt)
			}
			wantRefs := []string{"q1@mail.example.net", "a1@shop.example.com", "q2@mail.example.net"}
			if refs, _ := h.MsgIDList("References"); !slices.Equal(refs, wantRefs) {
				t.Errorf("References %v, want %v", refs, wantRefs)
			}
			if d, err := h.Date(); err != nil || time.Since(d) > time.Minute {
				t.Errorf("Date %v, %v", d, err)
			}

			var texts []string
			var files []string
			for {
				p, err := r.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(p.Body)
				switch ph := p.Header.(type) {
				case *mail.InlineHeader:
					ct, _, _ := ph.ContentType()
					texts = append(texts, ct+": "+string(body))
				case *mail.AttachmentHeader:
					name, _ := ph.Filename()
					files = append(files, name+": "+string(body))
				}
			}
			if len(texts) != 2 || !strings.HasPrefix(texts[0], "text/plain: আপনার অর্ডার আজ পাঠানো হয়েছে।") ||
				!strings.HasPrefix(texts[1], "text/html: ") || !strings.Contains(texts[1], "Thanks &lt;for&gt; waiting &amp; sorry.") {
				t.Errorf("text parts %q", texts)
			}
			if !slices.Equal(files, []string{"রসিদ.pdf: file k1"}) {
				t.Errorf("attachments %q", files)
			}

			if res.Email == nil || res.Email.Subject != subject || res.Email.MessageID != id || res.Email.InReplyTo != "q2@mail.example.net" ||
				len(res.Email.BCC) != 1 || len(res.Email.CC) != 1 || res.Email.From.Name != "আশা Rahman via Shop Support" {
				t.Errorf("the email kept with the reply %+v", res.Email)
			}

			// Sending the same reply again (a retry) gives it the same id.
			again, err := e.adapter.Send(context.Background(), out)
			if err != nil || again.ExternalID != res.ExternalID {
				t.Errorf("second attempt: %q, %v; want the same Message-ID %q", again.ExternalID, err, res.ExternalID)
			}
		})
	}
}

func TestSendFirstMail(t *testing.T) {
	e := newSendEnv(t, "starttls")
	out := e.reply("Your order is ready.", &sahay.Email{Subject: "আপনার অর্ডার তৈরি"})
	e.core.messages = nil
	out.Message.SenderID = 0
	out.Message.SenderType = sahay.SenderBot
	out.Contact.Name = "dana"
	res, err := e.adapter.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	got, r := e.received()
	h := r.Header
	if subject, _ := h.Subject(); subject != "আপনার অর্ডার তৈরি" {
		t.Errorf("Subject %q, want the one given", subject)
	}
	if h.Has("In-Reply-To") || h.Has("References") {
		t.Errorf("a first mail answers something: In-Reply-To %q References %q", h.Get("In-Reply-To"), h.Get("References"))
	}
	if from, _ := h.AddressList("From"); len(from) != 1 || from[0].Name != "Shop Support" {
		t.Errorf("From %v, want the inbox's name for a reply of no agent", from)
	}
	if to := h.Get("To"); to != "<dana@mail.example.net>" {
		t.Errorf("To %q: a name made of the address is left out", to)
	}
	if !slices.Equal(got.To, []string{"dana@mail.example.net"}) || res.ExternalID == "" {
		t.Errorf("recipients %v, id %q", got.To, res.ExternalID)
	}
	ct, _, _ := h.ContentType()
	if ct != "multipart/alternative" {
		t.Errorf("Content-Type %q, want multipart/alternative without files", ct)
	}
}

func TestSendWithoutReplyDomain(t *testing.T) {
	e := newSendEnv(t, "none")
	e.adapter.SetReplyDomain("")
	if _, err := e.adapter.Send(context.Background(), e.reply("hi", nil)); err != nil {
		t.Fatal(err)
	}
	if _, r := e.received(); r.Header.Has("Reply-To") {
		t.Errorf("Reply-To %q without a reply domain", r.Header.Get("Reply-To"))
	}
}

func TestSendFailures(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(e *sendEnv)
		permanent bool
		says      []string
	}{
		{"wrong password", func(e *sendEnv) {
			e.inbox.Secrets[SMTPPasswordKey] = "wrong"
		}, true, []string{"refused the user name or password", "535", "Authentication failed"}},
		{"recipient refused", func(e *sendEnv) {
			e.server.Refuse(func(stage, arg string) error {
				if stage == "rcpt" {
					return smtptest.Reply(550, "No such user here")
				}
				return nil
			})
		}, true, []string{"refused the recipient dana@mail.example.net", "550", "No such user here"}},
		{"mail refused", func(e *sendEnv) {
			e.server.Refuse(func(stage, arg string) error {
				if stage == "data" {
					return smtptest.Reply(554, "Message rejected as spam")
				}
				return nil
			})
		}, true, []string{"refused the mail", "554", "spam"}},
		{"greylisted", func(e *sendEnv) {
			e.server.Refuse(func(stage, arg string) error {
				if stage == "data" {
					return smtptest.Reply(451, "Try again later")
				}
				return nil
			})
		}, false, []string{"451", "Try again later"}},
		{"server busy", func(e *sendEnv) {
			e.server.Refuse(func(stage, arg string) error {
				if stage == "mail" {
					return smtptest.Reply(421, "Too busy, closing")
				}
				return nil
			})
		}, false, []string{"421", "Too busy"}},
		{"no answer", func(e *sendEnv) {
			e.adapter.out.timeout = 300 * time.Millisecond
			e.server.Stall(2 * time.Second)
		}, false, []string{"did not answer in time"}},
		{"unreachable", func(e *sendEnv) {
			e.inbox = e.makeInbox(map[string]any{"smtp_port": 1, "smtp_tls": "none"})
		}, false, []string{"is unreachable"}},
		{"untrusted certificate", func(e *sendEnv) {
			e.adapter.out.tlsConfig = nil
		}, false, []string{"TLS failure", "certificate"}},
		{"TLS on a plain port", func(e *sendEnv) {
			e.inbox = e.makeInbox(map[string]any{"smtp_tls": "tls"})
		}, true, []string{"TLS failure", "does not speak TLS"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec := smtptest.Security("starttls")
			if c.name == "TLS on a plain port" {
				sec = "none"
			}
			e := newSendEnv(t, sec)
			c.setup(e)
			_, err := e.adapter.Send(context.Background(), e.reply("hello", nil))
			if err == nil {
				t.Fatal("sent")
			}
			if got := errors.Is(err, channel.ErrPermanent); got != c.permanent {
				t.Errorf("permanent = %v, want %v: %v", got, c.permanent, err)
			}
			for _, s := range c.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if n := len(e.server.Mails()); n != 0 {
				t.Errorf("%d mails accepted", n)
			}
		})
	}
}

func TestSendNeedsSMTPServer(t *testing.T) {
	a := New(&fakeCore{}, true)
	inbox := &sahay.Inbox{ID: 1, Name: "Mail", Channel: Name, Settings: json.RawMessage(`{"address":"support@example.com","imap_host":"imap.example.com"}`)}
	_, err := a.Send(context.Background(), channel.Outbound{Inbox: inbox, Conversation: &sahay.Conversation{ID: 1},
		Message: &sahay.Message{ID: 1}, Recipient: "dana@example.net"})
	if !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), "smtp_host") {
		t.Errorf("send without an SMTP server: %v", err)
	}
}

func TestCheckSMTP(t *testing.T) {
	e := newSendEnv(t, "starttls")
	if err := e.adapter.checkSMTP(context.Background(), e.inbox); err != nil {
		t.Errorf("good credentials: %v", err)
	}
	e.inbox.Secrets[SMTPPasswordKey] = "wrong"
	if err := e.adapter.checkSMTP(context.Background(), e.inbox); err == nil || !strings.Contains(err.Error(), "user name or password") {
		t.Errorf("wrong password: %v", err)
	}
	if n := len(e.server.Mails()); n != 0 {
		t.Errorf("checking sent %d mails", n)
	}
}

func TestDKIMSignature(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(edKey)
	rsaPub, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	keys := []struct {
		name, pem, record string
	}{
		{"rsa", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})),
			"v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(rsaPub)},
		{"ed25519", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
			"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edKey.Public().(ed25519.PublicKey))},
	}
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			e := newSendEnv(t, "none")
			e.inbox = e.makeInbox(map[string]any{"smtp_tls": "none", "dkim_domain": "shop.example.com", "dkim_selector": "sahay",
				DKIMPrivateKeyKey: strings.ReplaceAll(k.pem, "\n", " ")})
			if _, err := e.adapter.Send(context.Background(), e.reply("আপনার অর্ডার পাঠানো হয়েছে", nil,
				sahay.Attachment{FileName: "a.txt", ContentType: "text/plain", StorageKey: "k"})); err != nil {
				t.Fatal(err)
			}
			got, _ := e.received()
			lookups := 0
			verify := func(data []byte) []*dkim.Verification {
				vs, err := dkim.VerifyWithOptions(bytes.NewReader(data), &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
					lookups++
					if domain != "sahay._domainkey.shop.example.com" {
						return nil, errors.New("no such record " + domain)
					}
					return []string{k.record}, nil
				}})
				if err != nil {
					t.Fatal(err)
				}
				return vs
			}
			vs := verify(got.Data)
			if len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "shop.example.com" || lookups != 1 {
				t.Fatalf("verifications %+v (lookups %d)", vs, lookups)
			}
			for _, h := range []string{"from", "subject", "message-id", "in-reply-to", "references", "reply-to"} {
				if !slices.Contains(vs[0].HeaderKeys, h) && !slices.Contains(vs[0].HeaderKeys, strings.ToUpper(h[:1])+h[1:]) {
					found := false
					for _, k := range vs[0].HeaderKeys {
						found = found || strings.EqualFold(k, h)
					}
					if !found {
						t.Errorf("signature does not cover %s: %v", h, vs[0].HeaderKeys)
					}
				}
			}
			// A changed subject fails the signature.
			forged := bytes.Replace(got.Data, []byte("Subject: "), []byte("Subject: =?utf-8?q?X?= "), 1)
			if vs := verify(forged); len(vs) != 1 || vs[0].Err == nil {
				t.Errorf("a changed subject still verifies")
			}
		})
	}
}

func TestDKIMSettings(t *testing.T) {
	a := New(&fakeCore{}, true)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(edKey)
	good := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	notKey := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}))
	for _, c := range []struct {
		settings string
		key      string
		bad      string
	}{
		{`"dkim_domain":"example.com","dkim_selector":"s1"`, good, ""},
		{``, "", ""},
		{`"dkim_domain":"example.com"`, good, "dkim_selector"},
		{`"dkim_domain":"example.com","dkim_selector":"s1"`, "", "dkim_private_key"},
		{`"dkim_domain":"example.com","dkim_selector":"s1"`, "not a key", "dkim_private_key"},
		{`"dkim_domain":"example.com","dkim_selector":"s1"`, notKey, "dkim_private_key"},
		{`"dkim_domain":"not a domain","dkim_selector":"s1"`, good, "dkim_domain"},
	} {
		settings := `{"address":"support@example.com"`
		if c.settings != "" {
			settings += "," + c.settings
		}
		inbox := &sahay.Inbox{Channel: Name, Settings: json.RawMessage(settings + "}"), Secrets: map[string]string{}}
		if c.key != "" {
			inbox.Secrets[DKIMPrivateKeyKey] = c.key
		}
		err := a.Validate(inbox)
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("%s: %v", c.settings, err)
		case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%s with key %.20q: %v, want an error naming %s", c.settings, c.key, err, c.bad)
		}
	}
}

func TestReplySubject(t *testing.T) {
	for in, want := range map[string]string{
		"Order 1234":                "Re: Order 1234",
		"Re: Order 1234":            "Re: Order 1234",
		"RE: re: Re[2]: Order 1234": "Re: Order 1234",
		"AW: Sv: Bestellung":        "Re: Bestellung",
		"  ":                        "Re:",
		"অর্ডার":                    "Re: অর্ডার",
		"Fwd: Order":                "Re: Fwd: Order",
		"Regarding the order":       "Re: Regarding the order",
	} {
		if got := replySubject(in); got != want {
			t.Errorf("replySubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReferences(t *testing.T) {
	var long []string
	for i := range 30 {
		long = append(long, strconv.Itoa(i)+"@x")
	}
	got := references(long, "new@x")
	if len(got) != maxReferences || got[0] != "0@x" || got[len(got)-1] != "new@x" || got[len(got)-2] != "29@x" {
		t.Errorf("references of a long thread: %v", got)
	}
	if got := references(nil, "a@x"); !slices.Equal(got, []string{"a@x"}) {
		t.Errorf("references of a first mail: %v", got)
	}
}
