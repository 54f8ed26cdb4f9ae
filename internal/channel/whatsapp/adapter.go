package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/netguard"
)

// Name is the channel's registry name.
const Name = "whatsapp"

// Secret settings of an inbox, kept encrypted among its secrets.
const (
	// AppSecretKey is the Meta app's secret, which signs every webhook
	// delivery.
	AppSecretKey = "app_secret"
	// VerifyTokenKey is what Meta sends back when the webhook is
	// subscribed (hub.verify_token).
	VerifyTokenKey = "verify_token"
	// AccessTokenKey is the token the Cloud API is called with.
	AccessTokenKey = "access_token"
)

// Limits of the Cloud API.
const (
	// MaxText is the longest text message, in characters.
	MaxText = 4096
	// MaxCaption is the longest caption of a file, in characters.
	MaxCaption = 1024
	// MaxImage, MaxMedia and MaxDocument are the largest image, video or
	// audio, and document WhatsApp takes; a larger image, video or audio
	// goes as a document.
	MaxImage    = 5 << 20
	MaxMedia    = 16 << 20
	MaxDocument = 100 << 20
	// WindowHours is how long after the customer's last message the
	// business may answer with anything but a template.
	WindowHours = 24
)

// Settings are a WhatsApp inbox's settings that are not secret.
type Settings struct {
	// PhoneNumberID is the business number's id in the Cloud API.
	PhoneNumberID string `json:"phone_number_id"`
	// BusinessAccountID is the WhatsApp Business account's id, which
	// owns the templates.
	BusinessAccountID string `json:"business_account_id,omitempty"`
	// APIBaseURL is the Graph API's address with its version; empty
	// means Meta's own.
	APIBaseURL string `json:"api_base_url,omitempty"`
}

// Adapter connects WhatsApp Business numbers through the Cloud API.
type Adapter struct {
	allowPrivate bool
	http         *http.Client
}

// New returns the adapter. An inbox's api_base_url, and every call to it,
// is kept off the server's own network unless allowPrivate.
func New(allowPrivate bool) *Adapter {
	return &Adapter{allowPrivate: allowPrivate, http: netguard.Client(allowPrivate)}
}

var (
	_ channel.Adapter        = (*Adapter)(nil)
	_ channel.Webhooker      = (*Adapter)(nil)
	_ channel.Parser         = (*Adapter)(nil)
	_ channel.Fetcher        = (*Adapter)(nil)
	_ channel.Describer      = (*Adapter)(nil)
	_ channel.Tester         = (*Adapter)(nil)
	_ channel.TemplateSource = (*Adapter)(nil)
)

// Namespace implements the outbound pipeline's lookup of the recipient.
func (a *Adapter) Namespace() string { return Namespace }

// Describe implements [channel.Describer].
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{
			MaxText: MaxText,
			Attachments: []string{"image/*", "video/mp4", "video/3gpp", "audio/*", "application/pdf", "text/plain",
				"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
				"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
			MaxAttachmentBytes: MaxDocument,
			ReadReceipts:       true,
			WindowHours:        WindowHours,
			Templates:          true,
		},
		Settings: []channel.Setting{
			{Key: AccessTokenKey, Label: "Access token", Type: "string", Required: true, Secret: true,
				Help: "A permanent token of a system user: Meta Business Settings → Users → System users → Generate new token, " +
					"for your app, with the whatsapp_business_messaging and whatsapp_business_management permissions. " +
					"The temporary token on the app's WhatsApp → API Setup page stops working after 24 hours."},
			{Key: "phone_number_id", Label: "Phone number ID", Type: "string", Required: true,
				Help: "In the Meta app dashboard: WhatsApp → API Setup, the \"Phone number ID\" under the number (digits, not the phone number itself)."},
			{Key: "business_account_id", Label: "WhatsApp Business account ID", Type: "string",
				Help: "On the same API Setup page, \"WhatsApp Business Account ID\". Needed to list your message templates."},
			{Key: AppSecretKey, Label: "App secret", Type: "string", Required: true, Secret: true,
				Help: "In the Meta app dashboard: App settings → Basic → App secret (Show). Sahay checks every webhook delivery's signature with it."},
			{Key: VerifyTokenKey, Label: "Webhook verify token", Type: "string", Secret: true, Generated: true,
				Help: "Paste it as the \"Verify token\" when you set the callback URL under WhatsApp → Configuration. Made by Sahay when left empty."},
			{Key: meta.BaseURLKey, Label: "Graph API address", Type: "url", Default: meta.DefaultBaseURL,
				Help: "Only to use another Graph API version or a proxy."},
		},
	}
}

// maxToken bounds a token or secret: Meta's are a few hundred characters.
const maxToken = 2048

func settings(inbox *sahay.Inbox) (Settings, error) {
	var s Settings
	if len(inbox.Settings) > 0 {
		dec := json.NewDecoder(bytes.NewReader(inbox.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("whatsapp inbox settings: %v", err)
		}
	}
	return s, nil
}

var (
	idPattern    = regexp.MustCompile(`^[0-9]{5,30}$`)
	tokenPattern = regexp.MustCompile(`^[\x21-\x7e]+$`)
)

// Validate implements [channel.Adapter].
func (a *Adapter) Validate(inbox *sahay.Inbox) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	if !idPattern.MatchString(s.PhoneNumberID) {
		return sahay.Invalid("settings.phone_number_id must be the digits of the Phone number ID on the app's WhatsApp → API Setup page, not the phone number")
	}
	if s.BusinessAccountID != "" && !idPattern.MatchString(s.BusinessAccountID) {
		return sahay.Invalid("settings.business_account_id must be the digits of the WhatsApp Business Account ID on the app's WhatsApp → API Setup page")
	}
	for _, k := range []string{AccessTokenKey, AppSecretKey, VerifyTokenKey} {
		if v := inbox.Secrets[k]; len(v) > maxToken || !tokenPattern.MatchString(v) {
			return sahay.Invalid("settings.%s must be 1 to 2048 printable characters without spaces", k)
		}
	}
	if s.APIBaseURL != "" {
		if err := netguard.CheckURL(s.APIBaseURL, a.allowPrivate); err != nil {
			return sahay.Invalid("settings.api_base_url %v", err)
		}
	}
	return nil
}

// client returns the Cloud API client of an inbox.
func (a *Adapter) client(inbox *sahay.Inbox) (*Client, Settings, error) {
	s, err := settings(inbox)
	if err != nil {
		return nil, s, err
	}
	g := &meta.Client{BaseURL: s.APIBaseURL, Token: inbox.Secrets[AccessTokenKey], HTTP: a.http}
	return &Client{Graph: g, PhoneNumberID: s.PhoneNumberID}, s, nil
}

// Webhook implements [channel.Webhooker]: Meta's handshake with the
// inbox's verify token, and deliveries signed with its app secret, one
// journal event per entry.
func (a *Adapter) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	if sub != "" {
		return channel.Hook{}, sahay.NotFound("WhatsApp webhook " + sub)
	}
	return meta.Webhook(r, body, inbox.Secrets[AppSecretKey], inbox.Secrets[VerifyTokenKey], meta.ObjectWhatsApp)
}

// Parse implements [channel.Parser] with [Parse], for the inbox's number.
func (a *Adapter) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	s, err := settings(inbox)
	if err != nil {
		return channel.Parsed{}, channel.Permanent(err)
	}
	p, err := Parse(raw.Body, s.PhoneNumberID)
	if err != nil {
		return channel.Parsed{}, channel.Permanent(err)
	}
	for i := range p.Messages {
		p.Messages[i].InboxID = inbox.ID
	}
	return p, nil
}

// Fetch implements [channel.Fetcher]: the media's address, then the file.
func (a *Adapter) Fetch(ctx context.Context, inbox *sahay.Inbox, f channel.RemoteFile, limit int64) (io.ReadCloser, error) {
	c, _, err := a.client(inbox)
	if err != nil {
		return nil, channel.Permanent(err)
	}
	data, err := c.Download(ctx, f.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: file %s: %w", f.ID, err)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// Test implements [channel.Tester]: the business number, read with the
// token.
func (a *Adapter) Test(ctx context.Context, inbox *sahay.Inbox) error {
	c, _, err := a.client(inbox)
	if err != nil {
		return err
	}
	p, err := c.Test(ctx)
	if err != nil {
		return err
	}
	if p.DisplayPhoneNumber == "" {
		return fmt.Errorf("Meta's answer for phone number ID %s names no phone number: check that the ID is a WhatsApp number's", c.PhoneNumberID)
	}
	return nil
}

// Templates implements [channel.TemplateSource].
func (a *Adapter) Templates(ctx context.Context, inbox *sahay.Inbox) ([]sahay.Template, error) {
	c, s, err := a.client(inbox)
	if err != nil {
		return nil, err
	}
	if s.BusinessAccountID == "" {
		return nil, sahay.Invalid("the inbox has no WhatsApp Business account ID (settings.business_account_id) to list templates of")
	}
	ts, err := c.Templates(ctx, s.BusinessAccountID)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		ts[i].InboxID = inbox.ID
	}
	return ts, nil
}

// Send implements [channel.Adapter]: a template when the message is one;
// otherwise the text, split at MaxText characters, then each file,
// uploaded and sent by its media id, the text as the first file's caption
// when it fits. A reply quotes the message its details name. The Cloud
// API takes no idempotency key, so a send retried after a lost answer may
// reach the customer twice.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	c, _, err := a.client(out.Inbox)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	if out.Recipient == "" {
		return channel.SendResult{}, channel.Permanent(errors.New("whatsapp: no recipient"))
	}
	m := out.Message
	if d := m.Details; d != nil && d.Template != nil {
		return result(c.Send(ctx, templateMessage(out.Recipient, d.Template)))
	}
	var quote *ReplyContext
	if d := m.Details; d != nil && d.ReplyTo != "" {
		quote = &ReplyContext{MessageID: d.ReplyTo}
	}
	texts := split(m.Content, MaxText)
	caption := ""
	if len(m.Attachments) > 0 && len(texts) == 1 && captioned(kind(m.Attachments[0])) && utf8.RuneCountInString(texts[0]) <= MaxCaption {
		caption, texts = texts[0], nil
	}
	var last SendAnswer
	for _, t := range texts {
		if last, err = c.Send(ctx, OutgoingMessage{To: out.Recipient, Type: "text", Context: quote, Text: &OutgoingText{Body: t}}); err != nil {
			return channel.SendResult{}, err
		}
		quote = nil
	}
	for i, att := range m.Attachments {
		msg, err := a.media(ctx, c, out, att)
		if err != nil {
			return channel.SendResult{}, err
		}
		if i == 0 {
			msg.Context = quote
			setCaption(&msg, caption)
		}
		if last, err = c.Send(ctx, msg); err != nil {
			return channel.SendResult{}, err
		}
	}
	if len(last.Messages) == 0 {
		return channel.SendResult{}, channel.Permanent(errors.New("whatsapp: nothing to send"))
	}
	return result(last, nil)
}

// result is the send's outcome: the wamid, and the customer's wa_id when
// WhatsApp answered another than the one sent to.
func result(a SendAnswer, err error) (channel.SendResult, error) {
	if err != nil {
		return channel.SendResult{}, err
	}
	r := channel.SendResult{ExternalID: a.Messages[0].ID}
	if len(a.Contacts) == 1 && a.Contacts[0].WaID != "" && a.Contacts[0].WaID != a.Contacts[0].Input {
		r.Recipient = a.Contacts[0].WaID
	}
	return r, nil
}

// templateMessage sends an approved template, its body's variables
// filled in order.
func templateMessage(to string, t *sahay.TemplateUse) OutgoingMessage {
	tpl := &OutgoingTemplate{Name: t.Name}
	tpl.Language.Code = t.Language
	if len(t.Params) > 0 {
		body := TemplateComponent{Type: "body"}
		for _, p := range t.Params {
			body.Parameters = append(body.Parameters, TemplateParameter{Type: "text", Text: p})
		}
		tpl.Components = []TemplateComponent{body}
	}
	return OutgoingMessage{To: to, Type: "template", Template: tpl}
}

// media uploads an attachment and returns the message that sends it.
func (a *Adapter) media(ctx context.Context, c *Client, out channel.Outbound, att sahay.Attachment) (OutgoingMessage, error) {
	if out.Open == nil {
		return OutgoingMessage{}, channel.Permanent(errors.New("whatsapp: attachments cannot be read"))
	}
	f, err := out.Open(ctx, att)
	if err != nil {
		return OutgoingMessage{}, fmt.Errorf("whatsapp: read %s: %w", att.FileName, err)
	}
	defer f.Close()
	id, err := c.Upload(ctx, att.FileName, att.ContentType, f)
	if err != nil {
		return OutgoingMessage{}, err
	}
	k := kind(att)
	msg := OutgoingMessage{To: out.Recipient, Type: k}
	media := &OutgoingMedia{ID: id}
	switch k {
	case "image":
		msg.Image = media
	case "video":
		msg.Video = media
	case "audio":
		msg.Audio = media
	default:
		media.Filename = att.FileName
		msg.Document = media
	}
	return msg, nil
}

// kind is how WhatsApp shows a file: an image, video or audio of a type
// and size it plays, else a document.
func kind(att sahay.Attachment) string {
	switch att.ContentType {
	case "image/jpeg", "image/png":
		if att.Size <= MaxImage {
			return "image"
		}
	case "video/mp4", "video/3gpp":
		if att.Size <= MaxMedia {
			return "video"
		}
	case "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg":
		if att.Size <= MaxMedia {
			return "audio"
		}
	}
	return "document"
}

// captioned reports whether a kind of file takes a caption.
func captioned(kind string) bool { return kind != "audio" }

func setCaption(m *OutgoingMessage, caption string) {
	for _, media := range []*OutgoingMedia{m.Image, m.Video, m.Document} {
		if media != nil {
			media.Caption = caption
		}
	}
}

// split cuts text into parts of at most n characters, at a line break or
// space where there is one in the part's second half.
func split(text string, n int) []string {
	text = strings.TrimSpace(text)
	var parts []string
	for utf8.RuneCountInString(text) > n {
		end, count := 0, 0
		for i := range text {
			if count == n {
				end = i
				break
			}
			count++
		}
		head := text[:end]
		if i := strings.LastIndexAny(head, "\n "); i > len(head)/2 {
			head = head[:i]
		}
		parts = append(parts, strings.TrimSpace(head))
		text = strings.TrimSpace(text[len(head):])
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}
