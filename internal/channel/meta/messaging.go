package meta

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// SentMetadata is the metadata Sahay sends with every message
// ("message":{"metadata":…}). Meta hands it back in the message's echo,
// which is how an echo of Sahay's own send is told from a teammate's
// answer in Meta's inbox: the first is dropped, the second kept.
const SentMetadata = "sahay"

// Unsent is the content an unsent message takes in place of what it said:
// the customer took it back, and it is not kept.
const Unsent = "[the customer unsent this message]"

// unsupported is the content of a message Sahay cannot show, so the team
// still knows the customer wrote.
const unsupported = "[a message Sahay cannot show]"

// MessagingEvent is one element of an entry's messaging[] (or standby[])
// list, as Messenger and Instagram send them: exactly one of its pointers
// is set.
type MessagingEvent struct {
	Sender    MessagingParty `json:"sender"`
	Recipient MessagingParty `json:"recipient"`
	// Timestamp is in milliseconds since 1970 (seconds in some Instagram
	// examples: both are read).
	Timestamp   int64              `json:"timestamp"`
	Message     *MessagingMessage  `json:"message,omitempty"`
	MessageEdit *MessagingEdit     `json:"message_edit,omitempty"`
	Reaction    *MessagingReaction `json:"reaction,omitempty"`
	Postback    *MessagingPostback `json:"postback,omitempty"`
	Delivery    *MessagingDelivery `json:"delivery,omitempty"`
	Read        *MessagingRead     `json:"read,omitempty"`
}

// MessagingParty is a sender or recipient: a page or Instagram account, or
// a customer's page-scoped id (PSID, IGSID).
type MessagingParty struct {
	ID string `json:"id"`
}

// MessagingMessage is a message, or the echo of one the business sent.
type MessagingMessage struct {
	MID         string                `json:"mid"`
	Text        string                `json:"text,omitempty"`
	QuickReply  *QuickReply           `json:"quick_reply,omitempty"`
	ReplyTo     *MessagingReplyTo     `json:"reply_to,omitempty"`
	Attachments []MessagingAttachment `json:"attachments,omitempty"`
	IsEcho      bool                  `json:"is_echo,omitempty"`
	AppID       json.Number           `json:"app_id,omitempty"`
	// Metadata is what the sender of an echoed message attached to it.
	Metadata      string `json:"metadata,omitempty"`
	IsDeleted     bool   `json:"is_deleted,omitempty"`
	IsUnsupported bool   `json:"is_unsupported,omitempty"`
}

// QuickReply is the quick reply button a customer tapped.
type QuickReply struct {
	Payload string `json:"payload"`
}

// MessagingReplyTo is what a message answers: another message, or (on
// Instagram) a story.
type MessagingReplyTo struct {
	MID   string          `json:"mid,omitempty"`
	Story *MessagingStory `json:"story,omitempty"`
}

// MessagingStory is an Instagram story a message answers.
type MessagingStory struct {
	ID  string `json:"id,omitempty"`
	URL string `json:"url,omitempty"`
}

// MessagingAttachment is a file or a shared item of a message. Type is
// image, audio, video, file, fallback (a link), share, story_mention,
// reel, ig_reel, post, ig_post, location, template…
type MessagingAttachment struct {
	Type    string         `json:"type"`
	Payload AttachmentLink `json:"payload"`
}

// AttachmentLink is an attachment's payload: where its file is on Meta's
// CDN, or what a shared item links to.
type AttachmentLink struct {
	URL       string       `json:"url,omitempty"`
	Title     string       `json:"title,omitempty"`
	StickerID json.Number  `json:"sticker_id,omitempty"`
	Coords    *Coordinates `json:"coordinates,omitempty"`
}

// Coordinates are a shared location's.
type Coordinates struct {
	Lat  float64 `json:"lat"`
	Long float64 `json:"long"`
}

// MessagingEdit is a customer's new version of a message.
type MessagingEdit struct {
	MID     string      `json:"mid"`
	Text    string      `json:"text"`
	NumEdit json.Number `json:"num_edit,omitempty"`
}

// MessagingReaction is a reaction to a message, or its removal
// (Action "unreact").
type MessagingReaction struct {
	MID      string `json:"mid"`
	Action   string `json:"action,omitempty"`
	Reaction string `json:"reaction,omitempty"`
	Emoji    string `json:"emoji,omitempty"`
}

// MessagingPostback is a button of a template or menu the customer tapped.
type MessagingPostback struct {
	MID     string `json:"mid,omitempty"`
	Title   string `json:"title"`
	Payload string `json:"payload"`
}

// MessagingDelivery reports messages delivered to the customer: those
// listed, and every one sent at or before Watermark (milliseconds).
type MessagingDelivery struct {
	MIDs      []string `json:"mids,omitempty"`
	Watermark int64    `json:"watermark,omitempty"`
}

// MessagingRead reports that the customer read every message sent at or
// before Watermark (Messenger), or the message MID (Instagram).
type MessagingRead struct {
	Watermark int64  `json:"watermark,omitempty"`
	MID       string `json:"mid,omitempty"`
}

// Messaging turns an entry's messaging events into messages and receipts.
// account is the page's or Instagram account's id, the entry's: what it
// sends is the business speaking. Contacts are page-scoped ids, so their
// namespace is the inbox's (""). Events Sahay does not handle (referrals,
// opt-ins, handovers) yield nothing; an event that is not JSON of the
// documented shape, or a message without its id, is an error.
func Messaging(account string, events []json.RawMessage) (channel.Parsed, error) {
	var p channel.Parsed
	for i, raw := range events {
		var e MessagingEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return channel.Parsed{}, fmt.Errorf("meta: messaging[%d]: %w", i, err)
		}
		if err := e.add(account, &p); err != nil {
			return channel.Parsed{}, fmt.Errorf("meta: messaging[%d]: %w", i, err)
		}
	}
	return p, nil
}

// add appends what the event says to p.
func (e *MessagingEvent) add(account string, p *channel.Parsed) error {
	at := EventTime(e.Timestamp)
	if e.Message != nil || e.MessageEdit != nil || e.Reaction != nil || e.Postback != nil {
		if contact, _ := e.customer(account); contact == "" || e.Message != nil && e.Message.IsEcho && e.Recipient.ID == "" {
			return fmt.Errorf("no customer: a sender and a recipient are required")
		}
	}
	switch {
	case e.Message != nil:
		in, ok, err := e.message(account, at)
		if err != nil || !ok {
			return err
		}
		p.Messages = append(p.Messages, in)
	case e.MessageEdit != nil:
		ed := e.MessageEdit
		if ed.MID == "" {
			return fmt.Errorf("message_edit without mid")
		}
		if ed.Text == "" {
			return nil // nothing to change the message to
		}
		contact, echo := e.customer(account)
		p.Messages = append(p.Messages, channel.Inbound{ExternalID: ed.MID, ContactID: contact, Content: ed.Text,
			SentAt: at, Edit: true, Echo: echo})
	case e.Reaction != nil:
		in, err := e.reaction(account, at)
		if err != nil {
			return err
		}
		p.Messages = append(p.Messages, in)
	case e.Postback != nil:
		pb := e.Postback
		id := pb.MID
		if id == "" {
			id = "postback:" + e.Sender.ID + ":" + strconv.FormatInt(e.Timestamp, 10)
		}
		content := pb.Title
		if content == "" {
			content = pb.Payload
		}
		p.Messages = append(p.Messages, channel.Inbound{ExternalID: id, ContactID: e.Sender.ID, Content: content, SentAt: at,
			Details: &sahay.MessageDetails{Choice: &sahay.Choice{ID: pb.Payload, Title: pb.Title}}})
	case e.Delivery != nil:
		for _, mid := range e.Delivery.MIDs {
			if mid != "" {
				p.Receipts = append(p.Receipts, channel.Receipt{ExternalID: mid, Status: sahay.DeliveryDelivered})
			}
		}
		if e.Delivery.Watermark > 0 {
			p.Receipts = append(p.Receipts, channel.Receipt{Status: sahay.DeliveryDelivered,
				Watermark: EventTime(e.Delivery.Watermark), Recipient: e.Sender.ID})
		}
	case e.Read != nil:
		if e.Read.MID != "" {
			p.Receipts = append(p.Receipts, channel.Receipt{ExternalID: e.Read.MID, Status: sahay.DeliveryRead})
		}
		if e.Read.Watermark > 0 {
			p.Receipts = append(p.Receipts, channel.Receipt{Status: sahay.DeliveryRead,
				Watermark: EventTime(e.Read.Watermark), Recipient: e.Sender.ID})
		}
	}
	return nil
}

// message reads a message event; ok is false for one to drop: the echo
// of a message Sahay sent.
func (e *MessagingEvent) message(account string, at time.Time) (channel.Inbound, bool, error) {
	m := e.Message
	if m.MID == "" {
		return channel.Inbound{}, false, fmt.Errorf("message without mid")
	}
	contact, echo := e.customer(account)
	if m.IsEcho && !echo {
		contact, echo = e.Recipient.ID, true
	}
	if echo && m.Metadata == SentMetadata {
		return channel.Inbound{}, false, nil
	}
	in := channel.Inbound{ExternalID: m.MID, ContactID: contact, SentAt: at, Echo: echo}
	if m.IsDeleted {
		in.Content, in.Edit = Unsent, true
		return in, true, nil
	}
	var details sahay.MessageDetails
	lines := []string{}
	if m.Text != "" {
		lines = append(lines, m.Text)
	}
	if m.QuickReply != nil {
		details.Choice = &sahay.Choice{ID: m.QuickReply.Payload, Title: m.Text}
	}
	if r := m.ReplyTo; r != nil {
		details.ReplyTo = r.MID
		if s := r.Story; s != nil {
			details.Story = &sahay.Story{Kind: "reply", ID: s.ID, URL: s.URL}
		}
	}
	for i, a := range m.Attachments {
		if f, ok := remoteFile(a, m.MID, i); ok {
			in.Files = append(in.Files, f)
			continue
		}
		switch a.Type {
		case "story_mention":
			details.Story = &sahay.Story{Kind: "mention", URL: a.Payload.URL}
		case "location":
			if c := a.Payload.Coords; c != nil {
				details.Location = &sahay.Location{Latitude: c.Lat, Longitude: c.Long, Name: a.Payload.Title}
				lines = append(lines, fmt.Sprintf("📍 %.6f, %.6f", c.Lat, c.Long))
			}
		default:
			if l := linkLine(a); l != "" {
				lines = append(lines, l)
			}
		}
	}
	in.Content = strings.Join(lines, "\n")
	if details.Choice != nil || details.ReplyTo != "" || details.Story != nil || details.Location != nil {
		in.Details = &details
	}
	if in.Content == "" && len(in.Files) == 0 && in.Details == nil || m.IsUnsupported && in.Content == "" {
		in.Content = unsupported
	}
	return in, true, nil
}

// reaction reads a reaction event: a message of its own whose content is
// the emoji (empty when the reaction was taken back), named by the
// message it is to, the reacting person and the time, so a repeated
// delivery is kept once.
func (e *MessagingEvent) reaction(account string, at time.Time) (channel.Inbound, error) {
	r := e.Reaction
	if r.MID == "" {
		return channel.Inbound{}, fmt.Errorf("reaction without mid")
	}
	action := r.Action
	if action == "" {
		action = "react"
	}
	contact, echo := e.customer(account)
	in := channel.Inbound{ExternalID: "reaction:" + r.MID + ":" + e.Sender.ID + ":" + strconv.FormatInt(e.Timestamp, 10) + ":" + action,
		ContactID: contact, SentAt: at, Echo: echo, Details: &sahay.MessageDetails{ReactionTo: r.MID}}
	if action != "unreact" {
		in.Content = r.Emoji
		if in.Content == "" {
			in.Content = reactionEmoji[r.Reaction]
		}
	}
	return in, nil
}

// customer is the customer's id of an event, and whether the business
// sent it (then the customer is its recipient).
func (e *MessagingEvent) customer(account string) (string, bool) {
	if account != "" && e.Sender.ID == account {
		return e.Recipient.ID, true
	}
	return e.Sender.ID, false
}

// reactionEmoji stands for a reaction Meta names without its emoji.
var reactionEmoji = map[string]string{
	"smile": "😆", "angry": "😠", "sad": "😢", "wow": "😮", "love": "❤️", "like": "👍", "dislike": "👎", "other": "👍",
}

// fileKinds are the attachment types that are files on Meta's CDN, with
// the type a file is taken as when its address names no extension.
var fileKinds = map[string]string{
	"image": "image/jpeg", "video": "video/mp4", "audio": "audio/mp4", "file": "",
}

// remoteFile makes a file attachment a file to fetch, its CDN address as
// its id. The name is the address's last path segment when it has an
// extension, else the kind, the message's id and the position.
func remoteFile(a MessagingAttachment, mid string, i int) (channel.RemoteFile, bool) {
	def, ok := fileKinds[a.Type]
	if !ok || a.Payload.URL == "" {
		return channel.RemoteFile{}, false
	}
	u, err := url.Parse(a.Payload.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return channel.RemoteFile{}, false
	}
	name := path.Base(u.Path)
	ext := path.Ext(name)
	ct := ""
	if ext != "" {
		ct, _, _ = mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(ext)))
	}
	if sub, ok := strings.CutPrefix(ct, "video/"); ok && a.Type == "audio" {
		ct = "audio/" + sub // a voice clip comes as .mp4
	}
	if ct == "" {
		ct = def
	}
	if ext == "" || len(name) > 120 || strings.ContainsAny(name, "\\/\x00") {
		name = a.Type + "-" + safeID(mid) + "-" + strconv.Itoa(i+1) + extension(ct)
	}
	return channel.RemoteFile{ID: a.Payload.URL, Name: name, ContentType: ct}, true
}

// extension is the usual file extension of a content type, "" when none
// is known.
func extension(ct string) string {
	switch ct {
	case "image/jpeg":
		return ".jpg"
	case "video/mp4":
		return ".mp4"
	case "audio/mp4":
		return ".m4a"
	}
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// safeID keeps the characters of a platform id that are safe in a file
// name, at most 40.
func safeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "message"
	}
	return b.String()
}

// linkLine is a shared item (a link, a post, a reel) as a line of text:
// its title and address. An item of an unknown type without an address
// says its type.
func linkLine(a MessagingAttachment) string {
	l := strings.TrimSpace(strings.TrimSpace(a.Payload.Title) + " " + a.Payload.URL)
	if l == "" && a.Type != "" && a.Type != "template" {
		return "[" + a.Type + "]"
	}
	return l
}

// EventTime reads a webhook timestamp: milliseconds since 1970, or seconds
// when it is too small to be milliseconds of this century. 0 is the zero
// time.
func EventTime(ts int64) time.Time {
	switch {
	case ts <= 0:
		return time.Time{}
	case ts < 1e11:
		return time.Unix(ts, 0).UTC()
	}
	return time.UnixMilli(ts).UTC()
}
