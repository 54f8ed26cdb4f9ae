package email

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustParse(t *testing.T, name string) *Mail {
	t.Helper()
	m, err := Parse(fixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestParseFixtures reads mail as Gmail, Outlook and Apple Mail write it,
// and the odd ones: what the timeline shows, what it folds away, and what
// threads the mail.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file    string
		kind    string
		subject string
		from    sahay.EmailAddress
		visible string
		// folded is text the whole body keeps and the visible part does not.
		folded    string
		inReplyTo string
		thread    []string
	}{
		{file: "gmail-reply.eml", kind: KindMessage, subject: "Re: Your order #1042",
			from:    sahay.EmailAddress{Name: "Dana Rahman", Address: "dana.rahman@gmail.com"},
			visible: "Thanks! The parcel arrived today, but the blue mug is missing.\nCould you send it separately?\n\nDana",
			folded:  "> Your order #1042 was shipped today.", inReplyTo: "sahay.a1b2c3@example.com",
			thread: []string{"sahay.a1b2c3@example.com"}},
		{file: "outlook-reply.eml", kind: KindMessage, subject: "RE: Your order #1043",
			from:    sahay.EmailAddress{Name: "John Miller", Address: "john.miller@outlook.com"},
			visible: "Hello,\n\nI’d like to return the lamp – it arrived broken. I paid € 49.\n\nBest regards\nJohn Miller",
			folded:  "Sent: Wednesday, December 2, 2026 12:03 PM", inReplyTo: "sahay.d4e5f6@example.com",
			thread: []string{"sahay.d4e5f6@example.com"}},
		{file: "apple-mail.eml", kind: KindMessage, subject: "Re: Delivery time",
			from:    sahay.EmailAddress{Name: "Priya Sharma", Address: "priya.sharma@icloud.com"},
			visible: "Here is a photo of the damaged box.", folded: "Sent from my iPhone",
			inReplyTo: "sahay.778899@example.com", thread: []string{"sahay.778899@example.com"}},
		{file: "html-only.eml", kind: KindMessage, subject: "Question about my invoice",
			from:    sahay.EmailAddress{Name: "Newsletter Reader", Address: "reader@example.org"},
			visible: "Hello, my invoice INV-77 shows the wrong address.\n\nclick my account\n\nThanks, Reader"},
		{file: "attachment-inline.eml", kind: KindMessage, subject: "Broken item, photo and receipt attached",
			from:    sahay.EmailAddress{Name: "Karim Uddin", Address: "karim@example.net"},
			visible: "The handle broke off, see the photo. The receipt is attached."},
		{file: "bengali-subject-b.eml", kind: KindMessage, subject: "আমার অর্ডার কোথায়?",
			from:    sahay.EmailAddress{Name: "রহিম উদ্দিন", Address: "rahim@example.com.bd"},
			visible: "আমি গত সপ্তাহে অর্ডার করেছি, এখনো পাইনি।"},
		{file: "hindi-subject-q.eml", kind: KindMessage, subject: "मेरा ऑर्डर कहाँ है?",
			from:    sahay.EmailAddress{Name: "अनीता वर्मा", Address: "anita@example.in"},
			visible: "मैंने पिछले हफ्ते ऑर्डर किया था।"},
		{file: "iso-8859-1.eml", kind: KindMessage, subject: "Café abîmé",
			from:    sahay.EmailAddress{Name: "François Lévesque", Address: "francois@example.fr"},
			visible: "Bonjour,\n\nLe café est arrivé abîmé. Pouvez-vous m'aider ?\n\nFrançois"},
		{file: "windows-1252.eml", kind: KindMessage, subject: "Late delivery",
			from:    sahay.EmailAddress{Name: "Sam Okafor", Address: "sam@example.co.uk"},
			visible: "He said “it will arrive Monday” – it did not. I paid € 20."},
		{file: "only-in-reply-to.eml", kind: KindMessage, subject: "Re: Your order #1042",
			from:    sahay.EmailAddress{Name: "Dana Rahman", Address: "dana.rahman@gmail.com"},
			visible: "And the mug arrived now, thanks.", inReplyTo: "sahay.a1b2c3@example.com",
			thread: []string{"sahay.a1b2c3@example.com"}},
		{file: "only-references.eml", kind: KindMessage, subject: "Re: Your order #1042",
			from:    sahay.EmailAddress{Name: "Dana Rahman", Address: "dana.rahman@gmail.com"},
			visible: "One more question about the invoice.",
			thread:  []string{"sahay.a1b2c3@example.com", "first@mail.gmail.com"}},
		{file: "no-message-id.eml", kind: KindMessage, subject: "hello",
			from: sahay.EmailAddress{Address: "old-client@example.net"}, visible: "Do you ship to Sylhet?"},
		{file: "reply-token.eml", kind: KindMessage, subject: "Re: Your chat with Shop",
			from:    sahay.EmailAddress{Name: "Visitor", Address: "visitor@example.org"},
			visible: "Yes, that size fits, thank you.", folded: "Example Org"},
		{file: "auto-reply.eml", kind: KindAuto, subject: "Automatic reply: Your order #1042",
			from:    sahay.EmailAddress{Name: "Dana Rahman", Address: "dana.rahman@gmail.com"},
			visible: "I am out of the office until Monday.", inReplyTo: "sahay.a1b2c3@example.com",
			thread: []string{"sahay.a1b2c3@example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m := mustParse(t, tc.file)
			if m.Kind != tc.kind {
				t.Errorf("kind %q, want %q", m.Kind, tc.kind)
			}
			if m.Subject != tc.subject {
				t.Errorf("subject %q, want %q", m.Subject, tc.subject)
			}
			if m.From != tc.from {
				t.Errorf("from %+v, want %+v", m.From, tc.from)
			}
			if m.Visible != tc.visible {
				t.Errorf("visible\n%q, want\n%q", m.Visible, tc.visible)
			}
			if tc.folded != "" && (!strings.Contains(m.Text, tc.folded) || strings.Contains(m.Visible, tc.folded)) {
				t.Errorf("%q should be in the whole text only:\ntext %q\nvisible %q", tc.folded, m.Text, m.Visible)
			}
			if m.InReplyTo != tc.inReplyTo {
				t.Errorf("in-reply-to %q, want %q", m.InReplyTo, tc.inReplyTo)
			}
			if got := m.thread(); !slices.Equal(got, tc.thread) {
				t.Errorf("thread %q, want %q", got, tc.thread)
			}
			for _, s := range []string{m.Subject, m.Text, m.Visible, m.HTML, m.From.Name} {
				if !utf8.ValidString(s) || strings.ContainsRune(s, '\uFFFD') {
					t.Errorf("not clean UTF-8: %q", s)
				}
			}
		})
	}
}

func TestParseIDs(t *testing.T) {
	m := mustParse(t, "gmail-reply.eml")
	if m.ID != "CAF3xK2Ld9=R8s+Tq@mail.gmail.com" || !m.HasID {
		t.Errorf("id %q (%v)", m.ID, m.HasID)
	}
	raw := fixture(t, "no-message-id.eml")
	m, _ = Parse(raw)
	if m.HasID || !strings.HasPrefix(m.ID, "sha256:") || m.ID != DedupeKey(raw) {
		t.Errorf("mail without a Message-ID: id %q, dedupe key %q", m.ID, DedupeKey(raw))
	}
	if k := DedupeKey(fixture(t, "gmail-reply.eml")); k != "message-id:CAF3xK2Ld9=R8s+Tq@mail.gmail.com" {
		t.Errorf("dedupe key %q", k)
	}
	if e := m.email(); e.MessageID != "" {
		t.Errorf("a mail without a Message-ID shows %q", e.MessageID)
	}
}

// TestSanitizedHTML checks that nothing in a mail's HTML runs, loads or
// submits anything, and that its images wait for the agent.
func TestSanitizedHTML(t *testing.T) {
	m := mustParse(t, "html-only.eml")
	for _, bad := range []string{"<script", "alert", "onload", "onclick", "javascript:", "<style", "url(", "<form",
		"<input", "<iframe", "data:image", " src="} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("sanitized HTML keeps %q:\n%s", bad, m.HTML)
		}
	}
	for _, good := range []string{`<b>INV-77</b>`, `data-src="https://tracker.example.net/open.gif?id=42"`,
		`href="https://example.org/account"`, `rel="nofollow noreferrer noopener"`, `target="_blank"`, `style="color: red"`} {
		if !strings.Contains(m.HTML, good) {
			t.Errorf("sanitized HTML lacks %q:\n%s", good, m.HTML)
		}
	}
	m = mustParse(t, "attachment-inline.eml")
	if !strings.Contains(m.HTML, `<img data-cid="photo1@example.net" alt="photo">`) {
		t.Errorf("inline image not held by its content id:\n%s", m.HTML)
	}
	m = mustParse(t, "gmail-reply.eml")
	if !strings.Contains(m.HTML, `class="gmail_quote"`) {
		t.Errorf("the quote's class, which lets a reader fold it, was dropped:\n%s", m.HTML)
	}
}

func TestParseFiles(t *testing.T) {
	m := mustParse(t, "attachment-inline.eml")
	if len(m.Files) != 2 {
		t.Fatalf("%d files, want the inline image and the receipt: %+v", len(m.Files), m.Files)
	}
	img, pdf := m.Files[0], m.Files[1]
	if img.Name != "handle.png" || img.ContentType != "image/png" || img.ContentID != "photo1@example.net" ||
		!strings.HasPrefix(string(img.Data), "\x89PNG") {
		t.Errorf("inline image %q %s %q %d bytes", img.Name, img.ContentType, img.ContentID, len(img.Data))
	}
	if pdf.Name != "আমার রসিদ.pdf" || pdf.ContentType != "application/pdf" || pdf.ContentID != "" ||
		!strings.HasPrefix(string(pdf.Data), "%PDF") {
		t.Errorf("attachment %q %s %q %d bytes", pdf.Name, pdf.ContentType, pdf.ContentID, len(pdf.Data))
	}
	p := m.Parsed(1, "support@example.com", "")
	if len(p.Messages) != 1 || len(p.Messages[0].Files) != 2 || p.Messages[0].Files[0].ContentID != "photo1@example.net" {
		t.Errorf("parsed files %+v", p.Messages)
	}
	m = mustParse(t, "apple-mail.eml")
	if len(m.Files) != 1 || m.Files[0].ContentID != "4C8B2D1E-0F3A-4B5C-9D6E-7F8091A2B3C4" {
		t.Errorf("Apple Mail's inline image: %+v", m.Files)
	}
}

func TestParsedNoise(t *testing.T) {
	if p := mustParse(t, "auto-reply.eml").Parsed(1, "support@example.com", ""); len(p.Messages)+len(p.Receipts) != 0 {
		t.Errorf("an auto-reply yields %+v, want nothing", p)
	}
	p := mustParse(t, "dsn-bounce.eml").Parsed(1, "support@example.com", "")
	if len(p.Messages) != 0 || len(p.Receipts) != 1 {
		t.Fatalf("a bounce yields %+v, want one receipt", p)
	}
	r := p.Receipts[0]
	if r.ExternalID != "sahay.bounced1@example.com" || r.Status != sahay.DeliveryFailed ||
		r.Error != "nobody@customer.example: 550 5.1.1 <nobody@customer.example>: Recipient address rejected: User unknown" {
		t.Errorf("bounce receipt %+v", r)
	}
	for _, tc := range []struct{ name, header string }{
		{"precedence bulk", "Precedence: bulk"}, {"precedence list", "Precedence: list"}, {"precedence junk", "Precedence: junk"},
		{"auto-submitted", "Auto-Submitted: auto-generated"}, {"x-autorespond", "X-Autorespond: yes"},
		{"null return path", "Return-Path: <>"},
	} {
		raw := tc.header + "\r\nFrom: a@example.org\r\nTo: support@example.com\r\nSubject: x\r\n\r\nbody\r\n"
		m, err := Parse([]byte(raw))
		if err != nil || m.Kind != KindAuto {
			t.Errorf("%s: kind %v, %v; want auto", tc.name, m, err)
		}
	}
	m, _ := Parse([]byte("Auto-Submitted: no\r\nFrom: a@example.org\r\nSubject: x\r\n\r\nbody\r\n"))
	if m.Kind != KindMessage {
		t.Errorf("Auto-Submitted: no is a person's mail, got %q", m.Kind)
	}
}

func TestParsedThreading(t *testing.T) {
	p := mustParse(t, "reply-token.eml").Parsed(7, "support@example.com", "")
	in := p.Messages[0]
	if in.ReplyToken != "1f-abcdefghijklmnop" || in.InboxID != 7 || in.Namespace != Namespace ||
		in.ContactID != "visitor@example.org" || !in.NewConversation || in.Mail == nil || in.Mail.Subject != "Re: Your chat with Shop" {
		t.Errorf("inbound %+v", in)
	}
	// The listener's envelope address counts too.
	p = mustParse(t, "no-message-id.eml").Parsed(7, "support@example.com", "Reply+2A-ZZZ@example.com")
	if got := p.Messages[0].ReplyToken; got != "2a-zzz" {
		t.Errorf("token from the envelope %q", got)
	}
	for addr, want := range map[string]string{"reply+abc-123@x.org": "abc-123", "<REPLY+Abc@x.org>": "abc",
		"reply@x.org": "", "reply+@x.org": "", "support@x.org": "", "reply+a b@x.org": "", "reply+abc": ""} {
		if got := ReplyToken(addr); got != want {
			t.Errorf("ReplyToken(%q) = %q, want %q", addr, got, want)
		}
	}
	// The inbox's own address writing is the business speaking.
	raw := "From: Support <Support@Example.com>\r\nTo: dana@example.org\r\nMessage-ID: <o1@example.com>\r\nSubject: x\r\n\r\nHello\r\n"
	m, _ := Parse([]byte(raw))
	if p := m.Parsed(1, "support@example.com", ""); !p.Messages[0].Echo {
		t.Errorf("mail from the inbox's address is not an echo: %+v", p.Messages[0])
	}
}

func TestParseRefusesWhatIsNotMail(t *testing.T) {
	for _, raw := range []string{"", "\r\n\r\n", "no header here"} {
		if m, err := Parse([]byte(raw)); err == nil && m.From.Address != "" {
			t.Errorf("Parse(%q) = %+v", raw, m)
		}
	}
	if _, err := Parse([]byte{}); err == nil {
		t.Error("an empty body parsed")
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"plain", "Hello\nthere", "Hello\nthere"},
		{"attribution wrapped", "Yes please.\n\nOn Wed, 2 Dec 2026 at 18:03, Shop Support <\nsupport@example.com> wrote:\n> Shall we?", "Yes please."},
		{"bengali attribution", "ধন্যবাদ।\n\n২ ডিসেম্বর ২০২৬, Shop Support লিখেছেন:\n> আপনার অর্ডার পাঠানো হয়েছে।", "ধন্যবাদ।"},
		{"hindi attribution", "धन्यवाद।\n\n2 दिसंबर 2026 को Shop Support ने लिखा:\n> आपका ऑर्डर भेज दिया गया है।", "धन्यवाद।"},
		{"signature", "See you.\n-- \nDana\n+880 1700", "See you."},
		{"forwarded", "FYI\n\n---------- Forwarded message ---------\nFrom: x", "FYI"},
		{"inline answers kept", "> Which colour?\nBlue.\n> Which size?\nLarge.", "> Which colour?\nBlue.\n> Which size?\nLarge."},
		{"only quote", "> just a quote", "> just a quote"},
		{"outlook header", "Fine.\n\nFrom: Shop <s@x.org>\nSent: Monday\nTo: me\nSubject: Re", "Fine."},
		{"a from line alone is words", "From: my old address I wrote before\nnothing else", "From: my old address I wrote before\nnothing else"},
	}
	for _, tc := range tests {
		if got := Fold(tc.text); got != tc.want {
			t.Errorf("%s: Fold = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// FuzzParse feeds the MIME path anything: it must never panic, and what it
// returns must be clean for core (valid UTF-8, within the limits).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		raw, _ := os.ReadFile(name)
		f.Add(raw)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x--\r\n"))
	f.Add([]byte("Subject: =?utf-8?B?////?=\r\nFrom: =?x-unknown?Q?=FF?= <a@b>\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n\xff\xfe"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		for _, s := range []string{m.Subject, m.Text, m.Visible, m.HTML, m.From.Name, m.From.Address, m.ID} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
		}
		if len(m.Visible) > maxContentBytes || len(m.Text) > maxTextBytes || len(m.HTML) > maxHTMLBytes {
			t.Fatalf("over the limits: %d %d %d", len(m.Visible), len(m.Text), len(m.HTML))
		}
		p := m.Parsed(1, "support@example.com", "")
		for _, in := range p.Messages {
			if in.Content == "" && len(in.Files) == 0 {
				t.Fatalf("a message with nothing in it: %+v", in)
			}
		}
	})
}
