package email

import (
	"fmt"
	"html"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/emersion/go-message/mail"
	sahay "github.com/sahayhq/sahay"
)

// outgoing is one mail to send: its headers, its text and its files.
type outgoing struct {
	From sahay.EmailAddress
	// ReplyTo is the conversation's reply address; "" leaves the header out.
	ReplyTo string
	To      []sahay.EmailAddress
	CC      []sahay.EmailAddress
	// BCC receive the mail but no header names them.
	BCC        []sahay.EmailAddress
	Subject    string
	MessageID  string
	InReplyTo  string
	References []string
	Date       time.Time
	Text       string
	Files      []outgoingFile
}

// outgoingFile is an attachment, read when the mail is written.
type outgoingFile struct {
	Name        string
	ContentType string
	Open        func() (io.ReadCloser, error)
}

// recipients are the envelope's recipients: every To, Cc and Bcc address,
// each once.
func (m *outgoing) recipients() []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]sahay.EmailAddress{m.To, m.CC, m.BCC} {
		for _, a := range list {
			key := strings.ToLower(a.Address)
			if !seen[key] {
				seen[key] = true
				out = append(out, a.Address)
			}
		}
	}
	return out
}

// write writes the mail: multipart/alternative of the text and a simple
// HTML rendering of it, inside multipart/mixed when it carries files.
// Header values outside ASCII are RFC 2047 encoded (base64, which keeps
// Bengali and Devanagari shorter than quoted-printable).
func (m *outgoing) write(w io.Writer) error {
	var h gomail.Header
	h.SetDate(m.Date)
	h.Set("From", formatAddress(m.From))
	h.Set("To", formatAddresses(m.To))
	if len(m.CC) > 0 {
		h.Set("Cc", formatAddresses(m.CC))
	}
	if m.ReplyTo != "" {
		h.Set("Reply-To", "<"+m.ReplyTo+">")
	}
	h.Set("Subject", encodeWords(m.Subject))
	h.SetMessageID(m.MessageID)
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	if len(m.References) > 0 {
		h.SetMsgIDList("References", m.References)
	}
	h.Set("MIME-Version", "1.0")

	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	if len(m.Files) == 0 {
		iw, err := gomail.CreateInlineWriter(w, h)
		if err != nil {
			return err
		}
		if err := writeAlternatives(iw, text); err != nil {
			return err
		}
		return iw.Close()
	}
	mw, err := gomail.CreateWriter(w, h)
	if err != nil {
		return err
	}
	iw, err := mw.CreateInline()
	if err != nil {
		return err
	}
	if err := writeAlternatives(iw, text); err != nil {
		return err
	}
	if err := iw.Close(); err != nil {
		return err
	}
	for _, f := range m.Files {
		if err := writeAttachment(mw, f); err != nil {
			return err
		}
	}
	return mw.Close()
}

func writeAlternatives(iw *gomail.InlineWriter, text string) error {
	for _, part := range []struct{ contentType, body string }{
		{"text/plain", text},
		{"text/html", htmlBody(text)},
	} {
		var ph gomail.InlineHeader
		ph.SetContentType(part.contentType, map[string]string{"charset": "utf-8"})
		pw, err := iw.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, part.body); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return nil
}

func writeAttachment(mw *gomail.Writer, f outgoingFile) error {
	ct := f.ContentType
	if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	var ah gomail.AttachmentHeader
	ah.SetContentType(ct, nil)
	ah.SetFilename(f.Name)
	aw, err := mw.CreateAttachment(ah)
	if err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("attachment %s: %w", f.Name, err)
	}
	defer r.Close()
	if _, err := io.Copy(aw, r); err != nil {
		return fmt.Errorf("attachment %s: %w", f.Name, err)
	}
	return aw.Close()
}

// encodeWords returns s as a header value: as it is when it is plain
// ASCII, RFC 2047 encoded words otherwise.
func encodeWords(s string) string {
	return mime.BEncoding.Encode("utf-8", s)
}

// formatAddress writes a mailbox as a header names it: Name <address>,
// the name quoted or encoded as it needs.
func formatAddress(a sahay.EmailAddress) string {
	if a.Name == "" {
		return "<" + a.Address + ">"
	}
	if isASCII(a.Name) {
		return (&mail.Address{Name: a.Name, Address: a.Address}).String()
	}
	return mime.BEncoding.Encode("utf-8", a.Name) + " <" + a.Address + ">"
}

func formatAddresses(list []sahay.EmailAddress) string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = formatAddress(a)
	}
	return strings.Join(out, ", ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] < ' ' {
			return false
		}
	}
	return true
}

// replyPrefix matches the answer markers mail programs put before a
// subject: Re:, RE:, Re[2]:, and the German and Scandinavian Aw: and Sv:.
var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|aw|sv)(\[\d+\])?\s*:\s*`)

// replySubject is the subject of an answer to a mail with subject s: one
// "Re: " before it, however many the thread has gathered.
func replySubject(s string) string {
	s = strings.TrimSpace(s)
	for {
		loc := replyPrefix.FindStringIndex(s)
		if loc == nil {
			break
		}
		s = s[loc[1]:]
	}
	if s == "" {
		return "Re:"
	}
	return "Re: " + s
}

// htmlBody renders a reply's text as simple HTML: paragraphs at blank
// lines, line breaks kept, the text escaped.
func htmlBody(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i, l := range lines {
			lines[i] = html.EscapeString(l)
		}
		b.WriteString("<p dir=\"auto\">")
		b.WriteString(strings.Join(lines, "<br>\n"))
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}
