package channel

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// An adapter implements [Adapter] and, as its platform needs, the optional
// interfaces below. Core and the composition root find them with a type
// assertion: a channel that takes webhooks is a [Webhooker] and a
// [Parser], one that polls is a [Worker] and a [Parser], one that serves
// pages or endpoints of its own is a [Router], and so on. None of them
// writes to the database: what they return goes through core, the only
// writer.

// Raw is a platform's event as a webhook or poller received and verified
// it, before it is parsed: what the journal keeps until it is processed.
type Raw struct {
	// DedupeKey is the platform's id of the event (Telegram's
	// "update:<update_id>"); the same key twice in an inbox is kept once.
	DedupeKey string
	Body      []byte
	// Headers are the request headers [Parser.Parse] needs, if any.
	Headers map[string]string
}

// Hook is what an adapter makes of a webhook request.
type Hook struct {
	// Events are journalled, in one commit each, before the platform is
	// answered; a request may carry none (a ping) or several (a batch).
	Events []Raw
	// Status and Body are the answer once the events are committed;
	// Status 0 means 200 with an empty JSON object. A GET handshake answers
	// its challenge here.
	Status      int
	Body        []byte
	ContentType string
}

// Webhooker receives a platform's requests at /webhooks/{inbox_id} and
// below it.
type Webhooker interface {
	// Webhook verifies a request against the inbox's secrets, in constant
	// time, and returns what to journal. A request that fails verification
	// returns a *sahay.Error with code unauthorized and nothing is stored.
	// body is the request's body, already read within the size limit; sub
	// is the path below /webhooks/{inbox_id}, "" or "/…".
	Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (Hook, error)
}

// Parser turns a journalled event into what the inbound pipeline takes.
// It is pure: no network, no database, the same answer every time, so a
// retried event yields the same messages. An error wrapping [ErrPermanent]
// fails the event at once; others are retried.
type Parser interface {
	Parse(inbox *sahay.Inbox, raw Raw) (Parsed, error)
}

// Parsed is what one journalled event holds: a batched payload yields
// every message and receipt in it. Core stores the messages first, so a
// receipt may follow the echo of the message it is about.
type Parsed struct {
	// Messages are the customers' messages, their edits, and echoes of
	// what the business sent on the platform itself ([Inbound.Echo]).
	Messages []Inbound
	Receipts []Receipt
	// Calls are reports on phone calls, applied after the messages: the
	// event that first tells of an inbound call carries its timeline
	// entry as a message whose Details.Call is set, and later ones update
	// that entry.
	Calls []CallEvent
}

// CallEvent is what a phone platform reported of a call: its status, who
// answered, the voicemail left on it, or that voicemail's transcript.
// Core merges Call into the call's entry with [sahay.Call.Merge], so a
// report applied twice or out of order changes nothing more.
type CallEvent struct {
	// ExternalID is the platform's id of the call: its entry's external
	// id.
	ExternalID string
	// MessageID is the entry of a call Sahay placed ([CallRequest]), when
	// the report names it: such reports may arrive before the call's id
	// is recorded on its entry.
	MessageID int64
	Call      sahay.Call
	// Recording is the external id of a voicemail message of the call and
	// Transcript its text, when the report is the transcription;
	// TranscriptFailed says there will be none.
	Recording        string
	Transcript       string
	TranscriptFailed bool
}

// Receipt is what a platform reports of a message the business sent. Core
// applies it to the message whose external id it names, never moving a
// status back: "delivered" after "read" changes nothing, and "failed"
// does not override "read". A receipt for a message Sahay does not know
// (sent before the inbox was connected, or by another tool) changes
// nothing and is not an error.
type Receipt struct {
	// ExternalID is the platform's id of the message, as [Adapter.Send]
	// returned it.
	ExternalID string
	// Status is sahay.DeliverySent, DeliveryDelivered, DeliveryRead or
	// DeliveryFailed.
	Status string
	// Error is the platform's reason for a failed delivery, shown to the
	// agent.
	Error string
	// Watermark, when ExternalID is empty, makes the receipt cover every
	// message sent to Recipient (the customer's id on the platform, as
	// an [Inbound] names its sender) in the inbox at or before it:
	// Messenger reports deliveries and reads so.
	Watermark time.Time
	Recipient string
}

// Fetcher downloads a file a parsed message refers to on the platform.
type Fetcher interface {
	// Fetch returns the file's content, at most limit bytes; a larger file
	// is an error wrapping [ErrTooLarge].
	Fetch(ctx context.Context, inbox *sahay.Inbox, f RemoteFile, limit int64) (io.ReadCloser, error)
}

// Journal commits raw events of an inbox, as a webhook does: it returns
// once they are durable, so a poller may then confirm them to the platform.
type Journal func(ctx context.Context, events []Raw) error

// Worker is background work an inbox needs on exactly one node at a time,
// such as long polling. Core holds a lease in the database per inbox while
// Work runs, renews it, and starts Work on another node within seconds when
// the holder stops or dies.
type Worker interface {
	// NeedsWorker reports whether the inbox, as configured, needs Work.
	NeedsWorker(inbox *sahay.Inbox) bool
	// Work runs until ctx ends, journalling what it receives; an error
	// makes core start it again after a pause.
	Work(ctx context.Context, inbox *sahay.Inbox, journal Journal) error
}

// Router is an adapter with HTTP routes of its own besides
// /webhooks/{inbox_id}: the widget's visitor API and its agents'
// endpoints, the API channel's inbound endpoints. The composition root
// mounts the routes of every registered Router, with the API's, in one
// place. A is the signed-in caller the API authenticates (core's Actor):
// it is a type parameter so that this package needs nothing of core.
type Router[A any] interface {
	Routes(mux Mux[A])
}

// Mux is where a [Router] registers its routes, by [http.ServeMux]
// pattern. Paths under /api/ are documented in the OpenAPI document like
// every other API route.
type Mux[A any] interface {
	// Handle serves a route that authenticates by its own means (a
	// visitor's token, a signature), or needs none.
	Handle(pattern string, h http.Handler)
	// HandleAuthed serves a route behind the API's authentication (a
	// session cookie or an API token): h runs only for a signed-in caller,
	// and the error it returns is answered as the API answers errors.
	HandleAuthed(pattern string, h func(w http.ResponseWriter, r *http.Request, caller A) error)
}

// Closer is an adapter with work running on every node while Sahay runs
// (the widget's hub follows the bus and holds visitors' sockets), started
// when the adapter is made. The composition root closes every registered
// Closer on shutdown, before the service.
type Closer interface {
	// Close stops the work and waits for it to end.
	Close()
}

// Moderator acts on a public comment on its platform: "hide" and "unhide"
// it, or "delete" it.
type Moderator interface {
	Moderate(ctx context.Context, inbox *sahay.Inbox, externalID, action string) error
}

// TemplateSource lists the message templates of an inbox's account on its
// platform (WhatsApp), approved or not.
type TemplateSource interface {
	Templates(ctx context.Context, inbox *sahay.Inbox) ([]sahay.Template, error)
}

// Profiler looks a customer up on the platform, for a platform whose
// messages do not carry the sender's name (Messenger, Instagram). Core
// asks once a conversation with a customer it knows by id alone opens.
type Profiler interface {
	Profile(ctx context.Context, inbox *sahay.Inbox, contactID string) (Profile, error)
}

// Profile is what a platform says of a customer.
type Profile struct {
	Name string
}

// Phone is a channel of phone calls (Twilio Voice first; Exotel, Plivo
// and Vonage can follow behind the same methods). Its inbound calls
// arrive as webhooks like any platform's events; core asks it for the
// inbox's line and has it place agents' calls.
type Phone interface {
	// Line is the inbox's phone number, with its country code, and whether
	// the inbox takes calls at t (its business hours).
	Line(inbox *sahay.Inbox, t time.Time) (number string, open bool)
	// Call rings the agent's phone and, once they answer, connects them
	// to the customer; it returns the platform's id of the call.
	Call(ctx context.Context, inbox *sahay.Inbox, req CallRequest) (externalID string, err error)
}

// CallRequest is a call an agent places from Sahay.
type CallRequest struct {
	AgentPhone    string
	CustomerPhone string
	// CustomerName is said to the agent before the customer is called.
	CustomerName string
	// MessageID is the call's timeline entry: the platform's reports of
	// the call carry it (see [CallEvent]).
	MessageID int64
}

// CallAgent is an agent a phone channel may ring.
type CallAgent struct {
	UserID int64
	Name   string
	Phone  string
}

// Describer declares what a channel can do and which settings it takes.
type Describer interface {
	Describe() Description
}

// Tester checks an inbox's credentials against its platform ("test
// connection"), returning a clear error when they do not work.
type Tester interface {
	Test(ctx context.Context, inbox *sahay.Inbox) error
}

// ReferenceChecker is an adapter whose settings name other records of the
// inbox's account (the widget names the phone inbox whose calls it
// offers), which only a lookup can check. Core calls CheckReferences
// after Validate, before the inbox is saved: an error refuses the save.
type ReferenceChecker interface {
	CheckReferences(ctx context.Context, inbox *sahay.Inbox) error
}

// Connector tells the platform about an inbox once it is saved (for
// example, where to deliver its webhooks). An error is reported to the
// admin as a warning: the inbox is kept.
type Connector interface {
	Connect(ctx context.Context, inbox *sahay.Inbox) error
}

// Description is a channel's capabilities and settings, served by
// GET /api/v1/channels so clients adapt to data, not to channel names.
type Description struct {
	Name         string       `json:"name"`
	Capabilities Capabilities `json:"capabilities"`
	Settings     []Setting    `json:"settings"`
	// Testable reports whether the channel can check an inbox's
	// credentials (it is a [Tester]): clients offer "test connection".
	// [Registry.Describe] sets it.
	Testable bool `json:"testable"`
}

// Capabilities are what a channel's messages may hold and what it reports.
type Capabilities struct {
	// MaxText is the longest text, in characters, one message takes; a
	// longer reply is split. 0 means no limit of the platform's.
	MaxText int `json:"max_text"`
	// Attachments lists the file types a reply may carry ("image/*",
	// "application/pdf"…, "*/*" for every type Sahay keeps); empty means
	// none.
	Attachments []string `json:"attachments"`
	// MaxAttachmentBytes is the largest file the platform takes; 0 means
	// no limit of the platform's (Sahay's own still applies).
	MaxAttachmentBytes int64 `json:"max_attachment_bytes"`
	// Typing: the customer sees the agent typing, and the team sees them.
	Typing bool `json:"typing"`
	// ReadReceipts: the platform reports when the customer read a reply.
	ReadReceipts bool `json:"read_receipts"`
	// MarkRead: the customer is told when the team has read their
	// messages ("Seen").
	MarkRead bool `json:"mark_read"`
	// WindowHours is how long after the customer's last message the
	// business may answer freely; 0 means no window.
	WindowHours int `json:"window_hours"`
	// TagWindowHours is how long after the customer's last message a
	// person may still answer with the platform's human agent tag, when
	// the inbox's "human_agent_tag" setting is on; 0 means no such tag.
	TagWindowHours int  `json:"tag_window_hours"`
	Templates      bool `json:"templates"`
	PublicComments bool `json:"public_comments"`
	PrivateReply   bool `json:"private_reply"`
	// Edits reports whether customers' edits of their messages arrive.
	Edits bool `json:"edits"`
	// Subject: messages carry a subject (email), shown with them and
	// written on a new outgoing conversation.
	Subject bool `json:"subject"`
	// CC: a reply may be copied to other addresses (Cc and Bcc).
	CC bool `json:"cc"`
	// SMSSegments: a reply goes as SMS, billed by the segment, whose
	// size depends on the text's characters (GSM-7 or UCS-2): clients
	// count segments as the agent types.
	SMSSegments bool `json:"sms_segments,omitempty"`
	// Calls: the inbox takes phone calls and places agents' calls to
	// customers (it is a [Phone]).
	Calls bool `json:"calls,omitempty"`
}

// Setting is one key of an inbox's settings. Secret settings are taken out
// of the settings when an inbox is saved, stored encrypted among its
// secrets and never shown again.
type Setting struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Help  string `json:"help,omitempty"`
	// Type is "string", "url", "choice", "integer" (a whole number,
	// given as a JSON number or a string of digits) or "business_hours"
	// (an object of [sahay.BusinessHours]: {"enabled": true, "time_zone":
	// "Asia/Dhaka", "days": {"mon": "09:00-17:00", …}}, a missing or
	// empty day closed).
	Type     string `json:"type"`
	Required bool   `json:"required"`
	Secret   bool   `json:"secret"`
	// Generated secrets are made by Sahay when none is given.
	Generated bool     `json:"generated,omitempty"`
	Choices   []string `json:"choices,omitempty"`
	Default   string   `json:"default,omitempty"`
}

// Describe returns the description of a registered channel: its own
// declaration, or a bare one for an adapter without a [Describer].
func (r *Registry) Describe(name string) (Description, error) {
	a, err := r.Get(name)
	if err != nil {
		return Description{}, err
	}
	d := Description{Settings: []Setting{}}
	if ds, ok := a.(Describer); ok {
		d = ds.Describe()
	}
	d.Name = name
	_, d.Testable = a.(Tester)
	if d.Settings == nil {
		d.Settings = []Setting{}
	}
	if d.Capabilities.Attachments == nil {
		d.Capabilities.Attachments = []string{}
	}
	return d, nil
}

// RemoteFile is a file of a parsed message still on the platform; the
// journal processor fetches it through the adapter's [Fetcher] and stores
// it as an attachment.
type RemoteFile struct {
	ID          string
	Name        string
	ContentType string
	// Size is what the platform said of the file, 0 when it did not.
	Size int64
	// Data is the file itself when the event carried it (an email's
	// parts): it is stored as it is, with no [Fetcher].
	Data []byte
	// ContentID is an email's name for an inline image (its Content-ID,
	// without angle brackets), kept on the attachment.
	ContentID string
}

// ErrTooLarge marks a file over the size a [Fetcher] was allowed.
var ErrTooLarge = errors.New("file too large")
