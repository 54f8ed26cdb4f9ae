// Package channel defines how Sahay talks to a messaging platform. Each
// platform is an [Adapter] in a folder of its own, registered by name; the
// inbound pipeline takes what adapters receive as [Inbound] values, and the
// outbound pipeline hands them replies to [Adapter.Send].
package channel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// Inbound is one customer message in normalized form, whatever the platform.
type Inbound struct {
	InboxID int64
	// ExternalID is the platform's id of the message; the same id twice in one
	// inbox stores one message.
	ExternalID string
	// Namespace and ContactID identify the sender: a phone number, a PSID,
	// an email address. Namespace "" means ids local to the inbox.
	Namespace   string
	ContactID   string
	Name        string
	Email       string
	Phone       string
	Content     string
	SentAt      time.Time
	Attachments []sahay.Attachment
	// ConversationID, when set, is the sender's conversation in this inbox
	// the message continues (a channel that keeps a customer's
	// conversations apart, like the website widget); a resolved one reopens.
	ConversationID int64
	// NewConversation starts a conversation even when the sender has one
	// open: the customer asked for a new one.
	NewConversation bool
	// Opening is what the business said first and the customer answers (a
	// proactive campaign's message). A new conversation records it before
	// the customer's message, so the team reads what was answered.
	Opening string
	// Files are attachments still on the platform: the journal processor
	// fetches them (see [Fetcher]) into Attachments before Receive.
	Files []RemoteFile
	// Edit marks a new version of a message received before (same
	// ExternalID): the stored message takes the new content instead of the
	// edit being dropped as a duplicate.
	Edit bool
	// Echo marks a message the business itself sent on the platform (its
	// bot, or a teammate in the platform's own app): it is stored as an
	// outgoing message, or recognised as a reply Sahay already sent.
	Echo bool
	// ReplyToken and Thread name the conversation a message answers, for
	// a platform whose messages say so (email): the token Sahay gave the
	// conversation's reply address (see core's ReplyToken), and the
	// external ids of the messages it answers, newest first (In-Reply-To,
	// then References from the last). The conversation they find
	// continues, whichever of its participants writes; when they find
	// none the message is handled as any other.
	ReplyToken string
	Thread     []string
	// Mail is an email's headers and whole body, kept with the message
	// (its Email).
	Mail *sahay.Email
	// Public marks a comment on a post, seen by everyone: it belongs to
	// the public conversation of its sender on Post, never to their
	// private one.
	Public bool
	Post   *sahay.Post
	// Details is what the message carries besides text and files: a
	// location, a reaction, the story it answers…
	Details *sahay.MessageDetails
}

// Outbound is a reply to deliver.
type Outbound struct {
	Inbox        *sahay.Inbox
	Conversation *sahay.Conversation
	Contact      *sahay.Contact
	Message      *sahay.Message
	// Recipient is the contact's id on this inbox's platform.
	Recipient string
	// Open reads the file of one of the message's attachments.
	Open func(ctx context.Context, a sahay.Attachment) (io.ReadCloser, error)
	// Link is a public address of one of the message's attachments, for a
	// platform that fetches files itself (Twilio's MMS). It works for an
	// hour, needs no sign-in and cannot be guessed.
	Link func(a sahay.Attachment) (string, error)
	// ReplyTo is the external id of the customer's latest message in the
	// conversation: the comment a public reply is posted under. Empty when
	// the customer has written nothing Sahay received.
	ReplyTo string
}

// SendResult is what the platform said of a sent message.
type SendResult struct {
	ExternalID string
	// Email is the headers an email was sent with (its subject, addresses,
	// Message-ID and thread), kept on the message in place of what the
	// agent wrote of them.
	Email *sahay.Email
	// Recipient is the customer's id on the platform as the platform
	// answered it, when a reply reached them under an id Sahay did not
	// know: a private reply to a comment names the commenter's messaging
	// id, which their answers then come from. Core adds it to the
	// contact's identities.
	Recipient string
}

// ErrPermanent marks a send failure that retrying cannot fix (a rejected
// recipient, a closed messaging window). Wrap it: fmt.Errorf("…: %w", ErrPermanent).
var ErrPermanent = errors.New("permanent failure")

// Adapter connects one kind of inbox to its platform.
type Adapter interface {
	// Validate checks an inbox's settings and credentials before they are saved.
	Validate(inbox *sahay.Inbox) error
	// Send delivers a reply and returns the platform's id for it.
	Send(ctx context.Context, out Outbound) (SendResult, error)
}

// Registry maps channel names to adapters.
type Registry struct {
	mu       sync.RWMutex
	adapters map[string]Adapter
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{adapters: map[string]Adapter{}} }

// Register adds an adapter under a channel name.
func (r *Registry) Register(name string, a Adapter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.adapters[name] = a
}

// Get returns the adapter for a channel.
func (r *Registry) Get(name string) (Adapter, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.adapters[name]
	if !ok {
		return nil, sahay.Invalid("unknown channel %q: use one of %v", name, r.namesLocked())
	}
	return a, nil
}

// Names lists the registered channels.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.namesLocked()
}

// Adapters returns the registered adapters, in the order of [Registry.Names].
func (r *Registry) Adapters() []Adapter {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Adapter
	for _, n := range r.namesLocked() {
		out = append(out, r.adapters[n])
	}
	return out
}

func (r *Registry) namesLocked() []string {
	names := make([]string, 0, len(r.adapters))
	for n := range r.adapters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RetryAfterError is a send failure the platform asked to repeat no sooner
// than After (Telegram's retry_after, an HTTP Retry-After header).
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter wraps err as a retryable failure to try again after d.
func RetryAfter(err error, d time.Duration) error { return &RetryAfterError{Err: err, After: d} }

// Permanent wraps err as a permanent failure.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }
