package email

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/textproto"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // every charset a mail may declare
	"github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/charmap"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Limits of one parsed mail.
const (
	// MaxMessageBytes is the largest mail taken whole: a larger one is
	// kept as its headers and a note.
	MaxMessageBytes = 40 << 20
	// maxFileBytes is the largest attachment kept: core's limit.
	maxFileBytes = 25 << 20
	// maxFiles is the most attachments and inline images read of a mail.
	maxFiles = 20
	// maxParts is the most MIME parts read of a mail.
	maxParts = 200
	// maxContentBytes is the longest visible text of a message (core's
	// limit); maxTextBytes and maxHTMLBytes are the whole body's.
	maxContentBytes = 64 << 10
	maxTextBytes    = 256 << 10
	maxHTMLBytes    = 1 << 20
	// maxAddresses and maxKeptReferences bound what is kept of headers.
	maxAddresses      = 100
	maxKeptReferences = 50
	// maxIDBytes is the longest Message-ID used as an external id.
	maxIDBytes = 255
)

// EnvelopeToHeader is the journalled header that holds the address the
// SMTP listener received a mail for (RCPT TO), which may carry a reply
// token the mail's own headers do not show.
const EnvelopeToHeader = "Envelope-To"

// TruncatedHeader marks a journalled mail kept as its headers only, for
// it was larger than [MaxMessageBytes]; its value is the mail's size.
const TruncatedHeader = "X-Sahay-Truncated"

// Kinds of mail.
const (
	// KindMessage is a person's mail.
	KindMessage = "message"
	// KindAuto is an automatic answer (out of office, vacation, a list's
	// or a robot's mail): it never opens a conversation.
	KindAuto = "auto"
	// KindBounce is a delivery status notification or another report of
	// a mail that could not be delivered.
	KindBounce = "bounce"
)

// Mail is one parsed email, in the terms the inbound pipeline needs.
type Mail struct {
	Kind string
	// ID is the Message-ID without angle brackets, or "sha256:<hex>" of
	// the mail's bytes when it has none (or one too long to be an id).
	ID        string
	HasID     bool
	Subject   string
	From      sahay.EmailAddress
	To        []sahay.EmailAddress
	CC        []sahay.EmailAddress
	ReplyTo   []sahay.EmailAddress
	InReplyTo string
	// References are oldest first, as the header lists them.
	References []string
	Date       time.Time
	// Text is the whole plain-text body; Visible its new words, without
	// the quoted history and signature.
	Text    string
	Visible string
	// HTML is the sanitized HTML body, "" when the mail had none.
	HTML  string
	Files []File
	// Notes are what the agent should know of the mail that its body does
	// not show (a file not kept).
	Notes []string
	// Bounce is set on a delivery status notification that reports a
	// failure.
	Bounce *Bounce
	// Recipients are every address the mail was sent to, as its headers
	// name them (To, Cc, Delivered-To, X-Original-To), lower case.
	Recipients []string
}

// File is an attachment or inline image of a mail.
type File struct {
	Name        string
	ContentType string
	// ContentID is the Content-ID of an inline image, without angle
	// brackets.
	ContentID string
	Data      []byte
	// Size is the part's size; Data is nil when it was over the limit.
	Size int64
}

// Bounce is what a delivery status notification reports.
type Bounce struct {
	// MessageID is the Message-ID of the mail that was not delivered.
	MessageID string
	// Reason is the receiving server's words, or the status code.
	Reason string
}

// DedupeKey is the journal's key for a mail: the same mail fetched twice,
// or fetched and also delivered to the listener, is kept once.
func DedupeKey(raw []byte) string {
	if h, err := readHeader(raw); err == nil {
		if id, ok := headerMessageID(h); ok {
			return "message-id:" + id
		}
	}
	return hashID(raw)
}

func hashID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func readHeader(raw []byte) (mail.Header, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return mail.Header{}, err
	}
	return mail.Header{Header: e.Header}, nil
}

// headerMessageID reads a mail's Message-ID, and reports whether it has one
// that can serve as its id.
func headerMessageID(h mail.Header) (string, bool) {
	id, err := h.MessageID()
	if err != nil || id == "" {
		id = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	id = cleanID(id)
	if id == "" || len(id) > maxIDBytes {
		return "", false
	}
	return id, true
}

// cleanID keeps an id's printable ASCII.
func cleanID(id string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			return -1
		}
		return r
	}, id)
}

// ErrNotMail is wrapped by the error of a body that is not a mail at all.
var ErrNotMail = errors.New("not an email message")

// Parse reads one mail as a mailbox or an SMTP client gives it (RFC 5322,
// MIME). It never fails on a mail's oddities (a broken part, an unknown
// charset, a missing header): what can be read is kept. It fails only on
// what is not a mail, such as a body without headers.
func Parse(raw []byte) (*Mail, error) {
	if len(raw) > MaxMessageBytes+1<<20 {
		return nil, fmt.Errorf("email: %w: %d bytes, over %d", ErrNotMail, len(raw), MaxMessageBytes)
	}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return nil, fmt.Errorf("email: %w: %v", ErrNotMail, err)
	}
	h := mail.Header{Header: e.Header}
	if h.Len() == 0 {
		return nil, fmt.Errorf("email: %w: no header", ErrNotMail)
	}
	m := &Mail{Kind: KindMessage}
	m.readHeader(h, raw)
	if size := h.Get(TruncatedHeader); size != "" {
		m.Notes = append(m.Notes, fmt.Sprintf("[This mail (%s bytes) was larger than %d MB: only its headers were kept. Read it in the mailbox.]",
			cleanLine(size), MaxMessageBytes>>20))
	} else {
		m.readBody(e)
	}
	m.finish()
	return m, nil
}

func (m *Mail) readHeader(h mail.Header, raw []byte) {
	m.ID, m.HasID = headerMessageID(h)
	if !m.HasID {
		m.ID = hashID(raw)
	}
	subject, _ := h.Subject()
	m.Subject = cleanLine(subject)
	from := addresses(h, "From")
	if len(from) == 0 {
		from = addresses(h, "Sender")
	}
	if len(from) > 0 {
		m.From = from[0]
	}
	m.To = addresses(h, "To")
	m.CC = addresses(h, "Cc")
	m.ReplyTo = addresses(h, "Reply-To")
	if ids := msgIDs(h, "In-Reply-To"); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = msgIDs(h, "References")
	if len(m.References) > maxKeptReferences {
		m.References = m.References[len(m.References)-maxKeptReferences:]
	}
	m.Date, _ = h.Date()
	for _, a := range slices.Concat(m.To, m.CC) {
		m.Recipients = append(m.Recipients, strings.ToLower(a.Address))
	}
	for _, key := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range h.Values(key) {
			if a, err := mail.ParseAddress(v); err == nil {
				m.Recipients = append(m.Recipients, strings.ToLower(a.Address))
			} else if v = strings.Trim(strings.TrimSpace(v), "<>"); strings.Contains(v, "@") {
				m.Recipients = append(m.Recipients, strings.ToLower(v))
			}
		}
	}
	if auto(h) {
		m.Kind = KindAuto
	}
	if bounceSender(h, m) {
		m.Kind = KindBounce
	}
}

// auto reports whether a mail's headers mark it as sent by a program:
// RFC 3834's Auto-Submitted, the vacation programs' X-Autoreply and
// X-Autorespond, a bulk or list Precedence, or a null return path.
func auto(h mail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("X-Autoresponse") != "" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return true
	}
	return false
}

// bounceSender reports a report of non-delivery that does not follow RFC
// 3464: the mailer daemon's own mail.
func bounceSender(h mail.Header, m *Mail) bool {
	mediaType, params, _ := h.ContentType()
	if mediaType == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") {
		return true
	}
	local, _, _ := strings.Cut(strings.ToLower(m.From.Address), "@")
	return local == "mailer-daemon" || local == "postmaster" && strings.TrimSpace(h.Get("Return-Path")) == "<>"
}

func addresses(h mail.Header, key string) []sahay.EmailAddress {
	list, err := h.AddressList(key)
	if err != nil {
		// A header mail.ParseAddressList refuses may still hold readable
		// addresses: take each that parses.
		list = nil
		for _, part := range strings.Split(h.Get(key), ",") {
			if a, err := mail.ParseAddress(part); err == nil {
				list = append(list, a)
			}
		}
	}
	var out []sahay.EmailAddress
	for _, a := range list {
		addr := cleanLine(a.Address)
		if addr == "" || len(out) == maxAddresses {
			continue
		}
		out = append(out, sahay.EmailAddress{Name: truncateRunes(cleanLine(a.Name), 200), Address: truncateRunes(addr, 254)})
	}
	return out
}

func msgIDs(h mail.Header, key string) []string {
	ids, err := h.MsgIDList(key)
	if err != nil || len(ids) == 0 {
		// Lenient: whatever sits between angle brackets, or the bare words.
		ids = nil
		v := h.Get(key)
		for {
			i := strings.IndexByte(v, '<')
			j := strings.IndexByte(v[i+1:], '>')
			if i < 0 || j < 0 {
				break
			}
			ids = append(ids, v[i+1:i+1+j])
			v = v[i+1+j+1:]
		}
		if len(ids) == 0 {
			ids = strings.Fields(v)
		}
	}
	var out []string
	for _, id := range ids {
		if id = cleanID(id); id != "" && len(id) <= maxIDBytes {
			out = append(out, id)
		}
	}
	return out
}

// readBody walks the MIME tree: the first plain-text and HTML bodies,
// every other part a file; a delivery report's status and the headers of
// the mail it returns.
func (m *Mail) readBody(e *message.Entity) {
	var texts, htmls []string
	var status []byte
	var returned mail.Header
	parts := 0
	err := e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return err
		}
		if parts++; parts > maxParts {
			return errTooManyParts
		}
		mediaType, params, _ := part.Header.ContentType()
		mediaType = strings.ToLower(mediaType)
		if mediaType == "" {
			mediaType = "text/plain"
		}
		if strings.HasPrefix(mediaType, "multipart/") {
			return nil
		}
		disposition, dparams, _ := part.Header.ContentDisposition()
		name := fileName(params, dparams)
		attached := strings.EqualFold(disposition, "attachment")
		switch {
		case !attached && name == "" && (mediaType == "text/plain" || mediaType == "text/html"):
			body, _ := io.ReadAll(io.LimitReader(part.Body, maxHTMLBytes*2))
			text := decodeText(body, err)
			if mediaType == "text/plain" {
				texts = append(texts, text)
			} else {
				htmls = append(htmls, text)
			}
			return nil
		case mediaType == "message/delivery-status" || mediaType == "message/global-delivery-status":
			status, _ = io.ReadAll(io.LimitReader(part.Body, 64<<10))
			return nil
		case (mediaType == "text/rfc822-headers" || mediaType == "message/rfc822" || mediaType == "message/global") && m.Kind == KindBounce:
			if r, _ := message.Read(io.LimitReader(part.Body, 1<<20)); r != nil {
				returned = mail.Header{Header: r.Header}
			}
			return nil
		}
		m.readFile(part, mediaType, name)
		return nil
	})
	if errors.Is(err, errTooManyParts) {
		m.Notes = append(m.Notes, fmt.Sprintf("[Only the first %d parts of this mail were read.]", maxParts))
	}
	m.Text = strings.Join(texts, "\n\n")
	if len(htmls) > 0 {
		m.HTML = Sanitize(strings.Join(htmls, "\n"))
		if m.Text == "" {
			m.Text = HTMLText(strings.Join(htmls, "\n"))
		}
	}
	if m.Kind == KindBounce {
		m.Bounce = readBounce(status, returned)
	}
}

var errTooManyParts = errors.New("too many parts")

// readFile keeps a part as a file, within the limits.
func (m *Mail) readFile(part *message.Entity, mediaType, name string) {
	data, _ := io.ReadAll(io.LimitReader(part.Body, maxFileBytes+1))
	f := File{Name: name, ContentType: mediaType, Data: data, Size: int64(len(data))}
	if id := part.Header.Get("Content-Id"); id != "" {
		f.ContentID = cleanID(strings.TrimSpace(id))
	}
	if f.Name == "" {
		f.Name = defaultName(mediaType, len(m.Files)+1)
	}
	if len(m.Files) >= maxFiles {
		m.Notes = append(m.Notes, fmt.Sprintf("[%s: not kept, at most %d files per mail]", f.Name, maxFiles))
		return
	}
	if len(data) > maxFileBytes {
		// Core notes the file as too large from its size.
		f.Data = []byte{}
	}
	m.Files = append(m.Files, f)
}

// fileName is a part's file name, decoded (RFC 2047 or RFC 2231), without
// a path.
func fileName(params, dparams map[string]string) string {
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
		name = dec
	}
	name = toUTF8([]byte(name))
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" {
		return ""
	}
	return truncateRunes(cleanLine(name), 200)
}

func defaultName(mediaType string, n int) string {
	ext := ""
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		ext = exts[0]
	}
	switch mediaType {
	case "image/jpeg":
		ext = ".jpg"
	case "message/rfc822":
		ext = ".eml"
	case "text/plain":
		ext = ".txt"
	}
	return fmt.Sprintf("attachment-%d%s", n, ext)
}

// decodeText returns a text part as UTF-8: go-message decoded a known
// charset already; a part in an unknown charset, or undeclared bytes that
// are not UTF-8, are read as Windows-1252, which every byte is.
func decodeText(body []byte, err error) string {
	if message.IsUnknownCharset(err) || !utf8.Valid(body) {
		return toUTF8(body)
	}
	return string(body)
}

// toUTF8 returns b as UTF-8, reading it as Windows-1252 when it is not.
func toUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// readBounce reads a delivery status notification (RFC 3464): the first
// recipient whose delivery failed, with the server's reason, and the
// Message-ID of the returned mail. It returns nil when no delivery failed
// (a delay, a success report).
func readBounce(status []byte, returned mail.Header) *Bounce {
	var b Bounce
	if returned.Len() > 0 {
		b.MessageID, _ = headerMessageID(returned)
	}
	failed := false
	if len(status) > 0 {
		tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(status)))
		// The per-message fields, then one group per recipient.
		tp.ReadMIMEHeader()
		for {
			rcpt, err := tp.ReadMIMEHeader()
			if len(rcpt) > 0 && strings.EqualFold(strings.TrimSpace(rcpt.Get("Action")), "failed") {
				failed = true
				reason := strings.TrimSpace(rcpt.Get("Diagnostic-Code"))
				if _, text, ok := strings.Cut(reason, ";"); ok {
					reason = strings.TrimSpace(text)
				}
				if reason == "" {
					reason = "status " + strings.TrimSpace(rcpt.Get("Status"))
				}
				if to := strings.TrimSpace(rcpt.Get("Final-Recipient")); to != "" {
					if _, addr, ok := strings.Cut(to, ";"); ok {
						to = strings.TrimSpace(addr)
					}
					reason = to + ": " + reason
				}
				b.Reason = truncateRunes(cleanLine(reason), 500)
				break
			}
			if err != nil {
				break
			}
		}
	}
	if !failed || b.MessageID == "" {
		return nil
	}
	return &b
}

// finish cuts the visible words out of the text, and fits every field to
// what is kept of a message.
func (m *Mail) finish() {
	m.Text = truncateBytes(cleanText(m.Text), maxTextBytes)
	if len(m.HTML) > maxHTMLBytes {
		m.HTML = ""
		m.Notes = append(m.Notes, fmt.Sprintf("[The HTML of this mail was larger than %d KB: only its text is kept.]", maxHTMLBytes>>10))
	}
	m.Visible = Fold(m.Text)
	if notes := strings.Join(m.Notes, "\n"); notes != "" {
		m.Visible = strings.TrimSpace(m.Visible + "\n\n" + notes)
	}
	if m.Visible == "" && len(m.Files) == 0 {
		m.Visible = m.Subject
	}
	if m.Visible == "" && len(m.Files) == 0 {
		m.Visible = "(empty mail)"
	}
	m.Visible = truncateBytes(m.Visible, maxContentBytes)
}

// cleanText keeps newlines and tabs of a text and drops every other
// control character, which no message may hold.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.TrimSpace(s)
}

// cleanLine makes a header's value one line of text.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, toUTF8([]byte(s)))
	return strings.Join(strings.Fields(s), " ")
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Parsed turns a mail into what the inbound pipeline takes. address is the
// inbox's own address; envelopeTo the address the SMTP listener received
// it for, if it came that way.
func (m *Mail) Parsed(inboxID int64, address, envelopeTo string) channel.Parsed {
	switch m.Kind {
	case KindBounce:
		if m.Bounce == nil {
			return channel.Parsed{}
		}
		return channel.Parsed{Receipts: []channel.Receipt{{ExternalID: m.Bounce.MessageID, Status: sahay.DeliveryFailed, Error: m.Bounce.Reason}}}
	case KindAuto:
		return channel.Parsed{}
	}
	sender := strings.ToLower(m.From.Address)
	if sender == "" || !strings.Contains(sender, "@") {
		return channel.Parsed{}
	}
	in := channel.Inbound{InboxID: inboxID, ExternalID: m.ID, Namespace: Namespace, ContactID: sender,
		Name: m.From.Name, Email: m.From.Address, Content: m.Visible, SentAt: m.Date, NewConversation: true,
		ReplyToken: m.replyToken(address, envelopeTo), Thread: m.thread(), Mail: m.email()}
	if strings.EqualFold(sender, address) {
		// The inbox's own address wrote it: a teammate's mail from the
		// mailbox itself, or Sahay's own reply copied back.
		in.Echo = true
	}
	for _, f := range m.Files {
		in.Files = append(in.Files, channel.RemoteFile{ID: f.ContentID, Name: f.Name, ContentType: f.ContentType,
			Size: f.Size, Data: f.Data, ContentID: f.ContentID})
	}
	return channel.Parsed{Messages: []channel.Inbound{in}}
}

// thread is the Message-IDs the mail answers, newest first.
func (m *Mail) thread() []string {
	var ids []string
	if m.InReplyTo != "" {
		ids = append(ids, m.InReplyTo)
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		if !slices.Contains(ids, m.References[i]) {
			ids = append(ids, m.References[i])
		}
	}
	return ids
}

// replyToken finds the token of a reply address, reply+<token>@domain,
// among the mail's recipients.
func (m *Mail) replyToken(address, envelopeTo string) string {
	candidates := m.Recipients
	if envelopeTo != "" {
		candidates = append([]string{strings.ToLower(envelopeTo)}, candidates...)
	}
	for _, r := range candidates {
		if t := ReplyToken(r); t != "" {
			return t
		}
	}
	return ""
}

// ReplyToken returns the token of a reply address (reply+<token>@domain),
// or "" for any other address.
func ReplyToken(address string) string {
	local, _, ok := strings.Cut(strings.ToLower(strings.Trim(strings.TrimSpace(address), "<>")), "@")
	if !ok {
		return ""
	}
	token, ok := strings.CutPrefix(local, "reply+")
	if !ok || token == "" || len(token) > 64 || strings.Trim(token, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return ""
	}
	return token
}

func (m *Mail) email() *sahay.Email {
	e := &sahay.Email{Subject: truncateBytes(m.Subject, 2000), From: m.From, To: m.To, CC: m.CC, InReplyTo: m.InReplyTo,
		References: m.References, HTML: m.HTML, Text: m.Text}
	if m.HasID {
		e.MessageID = m.ID
	}
	if e.To == nil {
		e.To = []sahay.EmailAddress{}
	}
	if e.CC == nil {
		e.CC = []sahay.EmailAddress{}
	}
	return e
}
