// Package twilio connects a Twilio phone number: customers' SMS and MMS
// arrive at /webhooks/{inbox_id}/sms, delivery statuses at
// /webhooks/{inbox_id}/status, and replies go out through Twilio's REST
// API. Calls to the number arrive at /webhooks/{inbox_id}/voice and ring
// the inbox's agents or take a voicemail (see voice.go); agents call
// customers back through the REST API. Every webhook request is checked
// against Twilio's signature.
package twilio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/netguard"
)

// Name is the channel's registry name.
const Name = "twilio"

// AuthTokenKey is the secret setting: the account's auth token, which
// signs every webhook request and authenticates every API call.
const AuthTokenKey = "auth_token"

// Limits of Twilio's SMS.
const (
	// MaxText is the longest text one message takes: Twilio splits it
	// into segments itself; a longer reply is sent as several messages.
	MaxText = 1600
	// MaxMediaBytes is the largest file Twilio takes in an MMS.
	MaxMediaBytes = 5 << 20
)

// Contact attributes the opt-out keywords record.
const (
	// AttrOptedOut is true once the customer texted STOP, false again
	// after START.
	AttrOptedOut = "sms_opted_out"
	// AttrKeyword is the last keyword the customer texted.
	AttrKeyword = "sms_keyword"
)

// emptyTwiML answers a message without replying at once: replies go
// through the REST API.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// Settings are a Twilio inbox's settings that are not secret.
type Settings struct {
	AccountSID  string `json:"account_sid"`
	PhoneNumber string `json:"phone_number"`
	// APIBaseURL is the REST API's address; empty means Twilio's own.
	APIBaseURL string `json:"api_base_url,omitempty"`
	// PublicURL is the address Twilio reaches Sahay at and signs its
	// requests with; empty means the server's public URL.
	PublicURL string `json:"public_url,omitempty"`

	// Greeting is what a caller hears first; empty means a built-in one
	// in the voice language.
	Greeting string `json:"greeting,omitempty"`
	// VoiceLanguage is the language greetings and prompts are spoken in
	// (en-IN when empty), and the built-in ones written in.
	VoiceLanguage string `json:"voice_language,omitempty"`
	// RingStrategy is [RingAll] (when empty) or [RingOrder].
	RingStrategy string `json:"ring_strategy,omitempty"`
	// RingTimeout is how long an agent's phone rings, 20 seconds when
	// left out.
	RingTimeout Seconds `json:"ring_timeout,omitempty"`
	// VoicemailPrompt asks a caller for a message; empty means a
	// built-in one.
	VoicemailPrompt string `json:"voicemail_prompt,omitempty"`
	// Transcribe is "off" to keep voicemails without Twilio's
	// transcription; it is on otherwise.
	Transcribe string `json:"transcribe,omitempty"`
	// ScreenCalls is "off" to connect a caller to whichever phone picks
	// up; otherwise the agent who picks up is told who calls and takes
	// the call with a key, so their own voicemail cannot take it.
	ScreenCalls string `json:"screen_calls,omitempty"`
	// BusinessHours, when enabled, are when calls ring the agents;
	// outside them callers leave a voicemail. Without, the account's
	// business hours apply.
	BusinessHours *sahay.BusinessHours `json:"business_hours,omitempty"`
}

// Contacts records what a customer's keywords say on their contact, and
// names a caller to the agent who picks up.
type Contacts interface {
	UpsertChannelContact(ctx context.Context, inbox *sahay.Inbox, namespace, externalID string, f core.ContactFields) (*sahay.Contact, error)
	// ContactName is the name of the contact of a channel identity, ""
	// when it has only a placeholder (its number); an error of code
	// ENOTFOUND when no contact has the identity.
	ContactName(ctx context.Context, inbox *sahay.Inbox, namespace, externalID string) (string, error)
}

// Adapter connects Twilio phone numbers.
type Adapter struct {
	publicURL    string
	allowPrivate bool
	http         *http.Client
	contacts     Contacts
	agents       Agents
}

// New returns the adapter. publicURL is the server's, which Twilio signs
// unless an inbox names another; contacts records opt-outs; agents says
// whose phones a call rings. An inbox's api_base_url, and every call to
// it, is kept off the server's own network unless allowPrivate.
func New(publicURL string, allowPrivate bool, contacts Contacts, agents Agents) *Adapter {
	return &Adapter{publicURL: publicURL, allowPrivate: allowPrivate, http: netguard.Client(allowPrivate), contacts: contacts, agents: agents}
}

var (
	_ channel.Adapter   = (*Adapter)(nil)
	_ channel.Webhooker = (*Adapter)(nil)
	_ channel.Parser    = (*Adapter)(nil)
	_ channel.Fetcher   = (*Adapter)(nil)
	_ channel.Describer = (*Adapter)(nil)
	_ channel.Tester    = (*Adapter)(nil)
	_ channel.Phone     = (*Adapter)(nil)
)

// Namespace implements the outbound pipeline's lookup of the recipient.
func (a *Adapter) Namespace() string { return Namespace }

// Describe implements [channel.Describer].
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{MaxText: MaxText, SMSSegments: true, Attachments: mmsTypes, MaxAttachmentBytes: MaxMediaBytes, Calls: true},
		Settings: []channel.Setting{
			{Key: "account_sid", Label: "Account SID", Type: "string", Required: true,
				Help: "In the Twilio Console, Account Info on the home page: \"AC\" and 32 characters."},
			{Key: AuthTokenKey, Label: "Auth token", Type: "string", Required: true, Secret: true,
				Help: "Under the Account SID in Account Info (Show). Sahay checks every request from Twilio with it."},
			{Key: "phone_number", Label: "Phone number", Type: "string", Required: true,
				Help: "The Twilio number customers text, with its country code: +8801XXXXXXXXX."},
			{Key: "public_url", Label: "Public address", Type: "url",
				Help: "The address Twilio reaches this server at, exactly as in the number's webhook URLs (Twilio signs it). " +
					"Empty means the server's public URL."},
			{Key: "api_base_url", Label: "Twilio API address", Type: "url", Default: DefaultBaseURL,
				Help: "Only to use a proxy."},
			{Key: "greeting", Label: "Greeting", Type: "string",
				Help: "What a caller hears first, at most 500 characters. Empty means a built-in greeting in the voice language."},
			{Key: "voice_language", Label: "Voice language", Type: "choice", Choices: voiceLanguages, Default: voiceLanguages[0],
				Help: "The language Twilio speaks the greeting and prompts in; the built-in ones are in English, Bengali or Hindi to match."},
			{Key: "ring_strategy", Label: "Ring agents", Type: "choice", Choices: []string{RingAll, RingOrder}, Default: RingAll,
				Help: "all: every available agent's phone at once, the first to answer takes the call. order: one after another."},
			{Key: "ring_timeout", Label: "Ring for (seconds)", Type: "integer", Default: strconv.Itoa(defaultRingTimeout),
				Help: "How long each agent's phone rings before the next one or the voicemail: 5 to 60 seconds."},
			{Key: "voicemail_prompt", Label: "Voicemail prompt", Type: "string",
				Help: "Asks a caller nobody could answer for a message, at most 500 characters. Empty means a built-in one."},
			{Key: "transcribe", Label: "Transcribe voicemail", Type: "choice", Choices: []string{"on", "off"}, Default: "on",
				Help: "Twilio writes out voicemails of up to two minutes (in English); the text becomes the message's content."},
			{Key: "screen_calls", Label: "Screen calls", Type: "choice", Choices: []string{"on", "off"}, Default: "on",
				Help: "on: an agent who picks up hears who is calling and presses any key to take the call; a phone's own voicemail, " +
					"which presses nothing, is hung up on, and the call rings on, then goes to this inbox's voicemail. off: whatever picks up takes the call."},
			{Key: "business_hours", Label: "Business hours", Type: "business_hours",
				Help: "When enabled, calls ring the agents only within these hours; outside them callers go straight to voicemail. When not enabled, the account's business hours apply."},
		},
	}
}

func settings(inbox *sahay.Inbox) (Settings, error) {
	var s Settings
	if len(inbox.Settings) > 0 {
		dec := json.NewDecoder(bytes.NewReader(inbox.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("twilio inbox settings: %v", err)
		}
	}
	return s, nil
}

var (
	accountPattern = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	tokenPattern   = regexp.MustCompile(`^[\x21-\x7e]{16,128}$`)
)

// Validate implements [channel.Adapter].
func (a *Adapter) Validate(inbox *sahay.Inbox) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	if !accountPattern.MatchString(s.AccountSID) {
		return sahay.Invalid("settings.account_sid must be the Account SID in the Twilio Console: \"AC\" and 32 hexadecimal characters")
	}
	if !tokenPattern.MatchString(inbox.Secrets[AuthTokenKey]) {
		return sahay.Invalid("settings.auth_token must be the account's auth token: 16 to 128 printable characters without spaces")
	}
	if !phonePattern.MatchString(s.PhoneNumber) {
		return sahay.Invalid("settings.phone_number must be the Twilio number with its country code, like +8801712345678")
	}
	if s.APIBaseURL != "" {
		if err := netguard.CheckURL(s.APIBaseURL, a.allowPrivate); err != nil {
			return sahay.Invalid("settings.api_base_url %v", err)
		}
	}
	if s.PublicURL != "" {
		u, err := url.Parse(s.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return sahay.Invalid("settings.public_url must be an http or https address without a query, like https://support.example.com")
		}
	}
	return checkVoice(&s)
}

// client returns the REST API client of an inbox.
func (a *Adapter) client(inbox *sahay.Inbox) (*Client, Settings, error) {
	s, err := settings(inbox)
	if err != nil {
		return nil, s, err
	}
	return &Client{BaseURL: s.APIBaseURL, AccountSID: s.AccountSID, AuthToken: inbox.Secrets[AuthTokenKey], HTTP: a.http}, s, nil
}

// hookURL is the address of one of an inbox's webhooks as Twilio signs
// it.
func (a *Adapter) hookURL(inbox *sahay.Inbox, s Settings, sub string) string {
	base := s.PublicURL
	if base == "" {
		base = a.publicURL
	}
	return fmt.Sprintf("%s/webhooks/%d%s", strings.TrimRight(base, "/"), inbox.ID, sub)
}

// hooks are an inbox's webhooks, by their path below
// /webhooks/{inbox_id}, and the kind of event each journals (which
// [Parse] reads from its dedupe key; /voice/screen journals none).
// Every one is signed alike.
var hooks = map[string]string{
	"/sms": kindSMS, "/status": kindStatus,
	"/voice": kindCall, "/voice/answer": kindAnswer, "/voice/dial": kindDial, "/voice/recorded": kindRecording,
	"/voice/transcript": kindTranscript, "/voice/status": kindCallStatus, "/voice/bridge": kindBridge, "/voice/bridged": kindBridged,
	"/voice/screen": kindScreen,
}

// MessagesWebhookPath is where, below the inbox's webhook address, Twilio
// delivers the number's incoming messages: the inbox's webhook_url ends
// with it.
func (a *Adapter) MessagesWebhookPath() string { return "/sms" }

// Webhook implements [channel.Webhooker]: a request signed with the
// inbox's auth token, an incoming message at /sms or a delivery status
// at /status, journalled by its message SID, or a call's request below
// /voice, journalled by its call's SID and answered with TwiML.
func (a *Adapter) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	kind, ok := hooks[sub]
	if !ok {
		return channel.Hook{}, sahay.NotFound("Twilio webhook " + sub)
	}
	if r.Method != http.MethodPost {
		return channel.Hook{}, sahay.Invalid("Twilio webhooks take POST requests: set the number's webhook method to HTTP POST")
	}
	s, err := settings(inbox)
	if err != nil {
		return channel.Hook{}, err
	}
	signed := a.hookURL(inbox, s, sub)
	if r.URL.RawQuery != "" {
		signed += "?" + r.URL.RawQuery
	}
	token, signature := inbox.Secrets[AuthTokenKey], r.Header.Get("X-Twilio-Signature")
	var form url.Values
	if r.URL.Query().Has("bodySHA256") {
		// A JSON body: Twilio signs the URL, which carries the body's hash.
		if !ValidBodySignature(token, signed, body, signature) {
			return channel.Hook{}, sahay.Errorf(sahay.EUNAUTHORIZED,
				"the X-Twilio-Signature header is missing or does not match %s signed with the inbox's auth token, or bodySHA256 is not the body's hash: check settings.public_url and the token", signed)
		}
		if form, err = jsonForm(body); err != nil {
			return channel.Hook{}, err
		}
		// Journalled as the form it carries, so one parser reads both.
		body = []byte(form.Encode())
	} else {
		if form, err = url.ParseQuery(string(body)); err != nil {
			return channel.Hook{}, sahay.Errorf(sahay.EUNAUTHORIZED, "the request's form could not be read, so its signature cannot be checked")
		}
		if !ValidSignature(token, signed, form, signature) {
			return channel.Hook{}, sahay.Errorf(sahay.EUNAUTHORIZED,
				"the X-Twilio-Signature header is missing or does not match %s signed with the inbox's auth token: check settings.public_url and the token", signed)
		}
	}
	if kind != kindSMS && kind != kindStatus {
		return a.voiceHook(r.Context(), inbox, s, kind, form, r.URL.Query(), body)
	}
	key, err := dedupeKey(kind, form)
	if err != nil {
		return channel.Hook{}, err
	}
	if kind == kindSMS {
		if err := a.recordKeyword(r.Context(), inbox, form); err != nil {
			return channel.Hook{}, err
		}
		return channel.Hook{Events: []channel.Raw{{DedupeKey: key, Body: body}}, Status: http.StatusOK,
			Body: []byte(emptyTwiML), ContentType: "text/xml"}, nil
	}
	return channel.Hook{Events: []channel.Raw{{DedupeKey: key, Body: body}}, Status: http.StatusNoContent}, nil
}

// jsonForm reads a JSON body's parameters as Twilio's form would carry
// them: an object of strings, numbers, booleans and lists of them.
func jsonForm(body []byte) (url.Values, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, sahay.Invalid("the JSON body is not an object: %v", err)
	}
	form := url.Values{}
	for k, raw := range fields {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			list = []json.RawMessage{raw}
		}
		for _, v := range list {
			s, err := jsonScalar(v)
			if err != nil {
				return nil, sahay.Invalid("the JSON body's %s: %v", k, err)
			}
			form.Add(k, s)
		}
	}
	return form, nil
}

// jsonScalar is a JSON string's text, or a number's or boolean's as
// written; null is empty.
func jsonScalar(raw json.RawMessage) (string, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", errors.New("is an object, where a parameter's value is expected")
}

// recordKeyword keeps an opt-out, opt-in or help keyword on the
// customer's contact, before the message is journalled, so the
// next reply already knows.
func (a *Adapter) recordKeyword(ctx context.Context, inbox *sahay.Inbox, form url.Values) error {
	k := ParseKeyword(form.Get("Body"))
	from := form.Get("From")
	if k == "" || a.contacts == nil || !phonePattern.MatchString(from) {
		return nil
	}
	attrs := map[string]any{AttrKeyword: string(k)}
	switch k {
	case KeywordStop:
		attrs[AttrOptedOut] = true
	case KeywordStart:
		attrs[AttrOptedOut] = false
	}
	if _, err := a.contacts.UpsertChannelContact(ctx, inbox, Namespace, from, core.ContactFields{Phone: from, Attributes: attrs}); err != nil {
		return fmt.Errorf("twilio: record %s from %s: %w", k, from, err)
	}
	return nil
}

// Parse implements [channel.Parser] with [Parse].
func (a *Adapter) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	p, err := Parse(raw)
	if err != nil {
		return channel.Parsed{}, channel.Permanent(err)
	}
	for i := range p.Messages {
		p.Messages[i].InboxID = inbox.ID
	}
	return p, nil
}

// Fetch implements [channel.Fetcher]: a customer's MMS file, read with
// the account's credentials.
func (a *Adapter) Fetch(ctx context.Context, inbox *sahay.Inbox, f channel.RemoteFile, limit int64) (io.ReadCloser, error) {
	c, _, err := a.client(inbox)
	if err != nil {
		return nil, channel.Permanent(err)
	}
	data, err := c.Download(ctx, f.ID, limit)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// Test implements [channel.Tester]: the account, read with the SID and
// token.
func (a *Adapter) Test(ctx context.Context, inbox *sahay.Inbox) error {
	c, _, err := a.client(inbox)
	if err != nil {
		return err
	}
	return c.Account(ctx)
}

// Send implements [channel.Adapter]: the text, as one message up to
// MaxText characters (Twilio splits it into segments) or several cut at
// word boundaries, each asking for its delivery statuses. A customer
// who texted STOP is not written to.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	c, s, err := a.client(out.Inbox)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	if out.Recipient == "" {
		return channel.SendResult{}, channel.Permanent(errors.New("twilio: no recipient"))
	}
	if out.Contact != nil && out.Contact.Attributes[AttrOptedOut] == true {
		return channel.SendResult{}, channel.Permanent(errors.New("the customer replied STOP to this number and has unsubscribed from its messages: " +
			"they must text START before they can be sent SMS again"))
	}
	media, err := mediaLinks(out)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	parts := split(out.Message.Content, MaxText)
	if len(parts) == 0 && len(media) == 0 {
		return channel.SendResult{}, channel.Permanent(errors.New("twilio: nothing to send"))
	}
	if len(parts) == 0 {
		parts = []string{""}
	}
	callback := a.hookURL(out.Inbox, s, "/status")
	var last SentMessage
	for i, p := range parts {
		// The files go with the first part: one MMS.
		var files []string
		if i == 0 {
			files = media
		}
		if last, err = c.SendSMS(ctx, s.PhoneNumber, out.Recipient, p, callback, files); err != nil {
			return channel.SendResult{}, err
		}
	}
	return channel.SendResult{ExternalID: last.SID}, nil
}

// mmsTypes are the file types Twilio sends by MMS on every carrier.
var mmsTypes = []string{"image/jpeg", "image/png", "image/gif"}

// mediaLinks are the addresses Twilio fetches a reply's files from, once
// they are checked against what an MMS takes.
func mediaLinks(out channel.Outbound) ([]string, error) {
	var links []string
	var total int64
	for _, f := range out.Message.Attachments {
		if !slices.Contains(mmsTypes, f.ContentType) {
			return nil, fmt.Errorf("%s: an MMS carries JPEG, PNG and GIF images; send a link to other files", f.FileName)
		}
		if total += f.Size; total > MaxMediaBytes {
			return nil, fmt.Errorf("an MMS carries at most %d MB of images in all", MaxMediaBytes>>20)
		}
		if out.Link == nil {
			return nil, errors.New("twilio: no public address for the reply's files")
		}
		link, err := out.Link(f)
		if err != nil {
			return nil, err
		}
		links = append(links, link)
	}
	return links, nil
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
