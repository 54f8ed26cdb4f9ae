package whatsapp

import (
	"encoding/json"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
)

// Namespace is whose ids a WhatsApp contact's identity holds: a wa_id is
// the customer's phone number, the same for every business number.
const Namespace = "whatsapp"

// maxEntry bounds one journalled entry: Meta's deliveries are far smaller.
const maxEntry = 4 << 20

// Parse reads one webhook entry, as the journal holds it, into the
// customers' messages and the delivery statuses in it: every change whose
// field is "messages", every message and status in each. A change about
// another business number than phoneNumberID (when both are known) is left
// out: its messages cannot be answered from this inbox. A message or
// status without its id, and a kind of change Sahay does not read, are
// left out too; a body that is not an entry is an error.
func Parse(body []byte, phoneNumberID string) (channel.Parsed, error) {
	var out channel.Parsed
	if len(body) > maxEntry {
		return out, fmt.Errorf("whatsapp: entry of %d bytes is over %d", len(body), maxEntry)
	}
	e, err := meta.ParseEntry(body)
	if err != nil {
		return channel.Parsed{}, fmt.Errorf("whatsapp: %w", err)
	}
	for i, c := range e.Changes {
		if c.Field != "messages" {
			continue
		}
		var v Value
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return channel.Parsed{}, fmt.Errorf("whatsapp: entry %s, change %d: %w", e.ID, i, err)
		}
		if phoneNumberID != "" && v.Metadata.PhoneNumberID != "" && v.Metadata.PhoneNumberID != phoneNumberID {
			continue
		}
		for _, m := range v.Messages {
			if in, ok := inbound(m, v.Contacts); ok {
				out.Messages = append(out.Messages, in)
			}
		}
		for _, s := range v.Statuses {
			if r, ok := receipt(s); ok {
				out.Receipts = append(out.Receipts, r)
			}
		}
	}
	return out, nil
}

// inbound turns a customer's message into the pipeline's terms.
func inbound(m Message, contacts []Contact) (channel.Inbound, bool) {
	if m.ID == "" || m.From == "" {
		return channel.Inbound{}, false
	}
	in := channel.Inbound{
		ExternalID: m.ID,
		Namespace:  Namespace,
		ContactID:  m.From,
		Name:       profileName(m.From, contacts),
		SentAt:     timestamp(m.Timestamp),
	}
	if digits(m.From) {
		in.Phone = "+" + m.From
	}
	var d sahay.MessageDetails
	in.Content = content(m, &d)
	for _, f := range []struct {
		kind string
		m    *Media
	}{{"image", m.Image}, {"video", m.Video}, {"audio", m.Audio}, {"voice", m.Voice}, {"document", m.Document}, {"sticker", m.Sticker}} {
		if f.m != nil && f.m.ID != "" {
			in.Files = append(in.Files, remoteFile(f.kind, f.m))
		}
	}
	if c := m.Context; c != nil && c.ID != "" {
		d.ReplyTo = c.ID
	}
	if !emptyDetails(d) {
		in.Details = &d
	}
	if in.Content == "" && len(in.Files) == 0 && d.ReactionTo == "" {
		in.Content = "[unsupported WhatsApp message: " + orDefault(m.Type, "no type") + "]"
	}
	return in, true
}

// content is what a message says in words, filling in d with what it
// carries besides: the text, a caption, a written form of a place, a
// contact card, a choice, a reaction, an order; an ad the customer came
// from follows on a line of its own.
func content(m Message, d *sahay.MessageDetails) string {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if m.Text != nil {
		add(m.Text.Body)
	}
	for _, f := range []*Media{m.Image, m.Video, m.Document, m.Audio, m.Voice, m.Sticker} {
		if f != nil {
			add(f.Caption)
		}
	}
	if l := m.Location; l != nil {
		d.Location = &sahay.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
		add(placeLine(l))
	}
	for _, c := range m.Contacts {
		sc := sharedContact(c)
		d.Contacts = append(d.Contacts, sc)
		add(strings.Join(append([]string{"👤 " + orDefault(sc.Name, "contact")}, append(sc.Phones, sc.Emails...)...), " "))
	}
	if c := choice(m); c != nil {
		d.Choice = c
		add(c.Title)
	}
	if r := m.Reaction; r != nil && r.MessageID != "" {
		d.ReactionTo = r.MessageID
		add(r.Emoji)
	}
	if i := m.Interactive; i != nil && i.NFMReply != nil {
		add(orDefault(i.NFMReply.Body, "[form sent: "+orDefault(i.NFMReply.Name, "flow")+"]"))
	}
	if o := m.Order; o != nil {
		add(orderText(o))
	}
	if s := m.System; s != nil {
		add(s.Body)
	}
	if m.Type == "unsupported" {
		what := "WhatsApp did not say what it was"
		if len(m.Errors) > 0 && errorWords(m.Errors[0]) != "" {
			what = errorWords(m.Errors[0])
		}
		add("[unsupported WhatsApp message: " + what + "]")
	}
	if r := m.Referral; r != nil {
		add(strings.TrimSpace("↪ from an ad: " + strings.TrimSpace(r.Headline+" "+r.SourceURL)))
	}
	return strings.Join(parts, "\n")
}

func emptyDetails(d sahay.MessageDetails) bool {
	return d.Location == nil && len(d.Contacts) == 0 && d.Choice == nil && d.ReactionTo == "" && d.ReplyTo == ""
}

// placeLine is a shared place in one line: its name and address, then
// its coordinates.
func placeLine(l *Location) string {
	var named []string
	for _, s := range []string{l.Name, l.Address} {
		if s = strings.TrimSpace(s); s != "" {
			named = append(named, s)
		}
	}
	coords := fmt.Sprintf("%.6f, %.6f", l.Latitude, l.Longitude)
	if len(named) == 0 {
		return "📍 " + coords
	}
	return "📍 " + strings.Join(named, ", ") + " (" + coords + ")"
}

func sharedContact(c ContactCard) sahay.SharedContact {
	sc := sahay.SharedContact{Name: strings.TrimSpace(c.Name.FormattedName)}
	if sc.Name == "" {
		sc.Name = strings.TrimSpace(c.Name.FirstName + " " + c.Name.LastName)
	}
	for _, p := range c.Phones {
		if p.Phone != "" {
			sc.Phones = append(sc.Phones, p.Phone)
		} else if p.WaID != "" {
			sc.Phones = append(sc.Phones, "+"+p.WaID)
		}
	}
	for _, e := range c.Emails {
		if e.Email != "" {
			sc.Emails = append(sc.Emails, e.Email)
		}
	}
	return sc
}

// choice is the reply button or list row an interactive message's answer
// picked, or the quick-reply button of a template.
func choice(m Message) *sahay.Choice {
	switch {
	case m.Interactive != nil && m.Interactive.ButtonReply != nil:
		return &sahay.Choice{ID: m.Interactive.ButtonReply.ID, Title: m.Interactive.ButtonReply.Title}
	case m.Interactive != nil && m.Interactive.ListReply != nil:
		return &sahay.Choice{ID: m.Interactive.ListReply.ID, Title: m.Interactive.ListReply.Title}
	case m.Button != nil:
		return &sahay.Choice{ID: m.Button.Payload, Title: m.Button.Text}
	}
	return nil
}

// orderText lists a cart, one product a line.
func orderText(o *Order) string {
	lines := []string{"🛒 Order"}
	if o.Text != "" {
		lines[0] += ": " + o.Text
	}
	for _, p := range o.ProductItems {
		lines = append(lines, fmt.Sprintf("%s × %s, %s %s each", number(p.Quantity), p.ProductRetailerID, number(p.ItemPrice), p.Currency))
	}
	return strings.Join(lines, "\n")
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// receipt turns a delivery status into the pipeline's terms: "played" (a
// voice note heard) counts as read. Other statuses are left out.
func receipt(s Status) (channel.Receipt, bool) {
	r := channel.Receipt{ExternalID: s.ID}
	switch s.Status {
	case "sent":
		r.Status = sahay.DeliverySent
	case "delivered":
		r.Status = sahay.DeliveryDelivered
	case "read", "played":
		r.Status = sahay.DeliveryRead
	case "failed":
		r.Status = sahay.DeliveryFailed
		r.Error = errorText(s.Errors, "WhatsApp did not deliver the message and gave no reason")
	default:
		return r, false
	}
	return r, s.ID != ""
}

// errorText says what the first of errs means: in plain words when its
// code has a known meaning, with WhatsApp's code and words; def when
// there is none.
func errorText(errs []Error, def string) string {
	if len(errs) == 0 {
		return def
	}
	code, words := errs[0].Code, errorWords(errs[0])
	reason := meta.Reason(code, 0)
	switch {
	case reason != "" && words != "":
		return fmt.Sprintf("%s (WhatsApp error %d: %s)", reason, code, words)
	case reason != "":
		return fmt.Sprintf("%s (WhatsApp error %d)", reason, code)
	case words == "":
		words = def
	}
	if code != 0 {
		words += fmt.Sprintf(" (WhatsApp error %d)", code)
	}
	return words
}

// errorWords is WhatsApp's title, message and details of an error, each
// once.
func errorWords(e Error) string {
	var words []string
	for _, s := range []string{e.Title, e.Message, e.ErrorData.Details} {
		if s = strings.TrimSpace(s); s != "" && !containsFold(words, s) {
			words = append(words, s)
		}
	}
	return strings.Join(words, ": ")
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// profileName is the WhatsApp profile name of the customer with wa_id id.
func profileName(id string, contacts []Contact) string {
	for _, c := range contacts {
		if c.WaID == id {
			return strings.TrimSpace(c.Profile.Name)
		}
	}
	if len(contacts) == 1 && contacts[0].WaID == "" {
		return strings.TrimSpace(contacts[0].Profile.Name)
	}
	return ""
}

// timestamp reads a Unix time in seconds, as a string; zero when it is
// not one.
func timestamp(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Default types and file extensions of each kind of media, for files
// WhatsApp names no type or name of.
var (
	defaultTypes = map[string]string{"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg",
		"voice": "audio/ogg", "document": "application/octet-stream", "sticker": "image/webp"}
	extensions = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
		"video/mp4": ".mp4", "video/3gpp": ".3gp", "audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/aac": ".aac",
		"audio/mp4": ".m4a", "audio/amr": ".amr", "application/pdf": ".pdf", "text/plain": ".txt"}
)

// remoteFile is a message's media as a file to fetch by its id.
func remoteFile(kind string, m *Media) channel.RemoteFile {
	if kind == "audio" && m.Voice {
		kind = "voice"
	}
	ct, _, err := mime.ParseMediaType(m.MimeType)
	if err != nil || !strings.Contains(ct, "/") {
		ct = defaultTypes[kind]
	}
	name := fileName(m.Filename, kind+"-"+safeName(m.ID)+extensions[ct])
	return channel.RemoteFile{ID: m.ID, Name: name, ContentType: ct}
}

// safeName keeps the characters of a platform id that are safe in a file
// name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
		if b.Len() >= 64 {
			break
		}
	}
	if b.Len() == 0 {
		return "whatsapp"
	}
	return b.String()
}

// fileName is the name a customer gave a file, without any folder part,
// control characters or invalid UTF-8, at most 200 bytes; def when nothing
// is left of it.
func fileName(name, def string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, "/\\"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return def
	}
	return name
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
