package sahay

import (
	"encoding/json"
	"time"
)

// Roles of a user within an account.
const (
	RoleOwner = "owner"
	RoleAdmin = "admin"
	RoleAgent = "agent"
	// RoleBot is the user of an agent bot's API token: it acts in one
	// inbox, and what it writes is the bot's.
	RoleBot = "bot"
)

// Availability of an agent.
const (
	AvailabilityOnline  = "online"
	AvailabilityBusy    = "busy"
	AvailabilityOffline = "offline"
)

// Conversation statuses. Pending means a bot owns the conversation.
const (
	StatusOpen     = "open"
	StatusPending  = "pending"
	StatusSnoozed  = "snoozed"
	StatusResolved = "resolved"
)

// Statuses lists every conversation status, in the order views show them.
var Statuses = []string{StatusOpen, StatusPending, StatusSnoozed, StatusResolved}

// Conversation priorities, lowest first; their order is the sort order.
const (
	PriorityNone   = 0
	PriorityLow    = 1
	PriorityMedium = 2
	PriorityHigh   = 3
	PriorityUrgent = 4
)

// Message kinds.
const (
	MessageIncoming = "incoming"
	MessageOutgoing = "outgoing"
	MessageNote     = "note"
	MessageActivity = "activity"
)

// Message sender types.
const (
	SenderContact = "contact"
	SenderUser    = "user"
	SenderBot     = "bot"
	SenderSystem  = "system"
)

// Delivery statuses of an outgoing message, in the order they progress.
const (
	DeliveryPending   = "pending"
	DeliverySent      = "sent"
	DeliveryDelivered = "delivered"
	DeliveryRead      = "read"
	DeliveryFailed    = "failed"
)

// DeliveryRank orders delivery statuses so a late "sent" receipt never
// overwrites "read". Failed ranks with pending: a retry may still succeed.
func DeliveryRank(status string) int {
	switch status {
	case DeliverySent:
		return 1
	case DeliveryDelivered:
		return 2
	case DeliveryRead:
		return 3
	}
	return 0
}

// Account is a tenant: one business with its own users, inboxes and data.
type Account struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Slug names the account in its public help center's address,
	// /hc/{slug}: lowercase letters, digits and hyphens, unique.
	Slug     string   `json:"slug"`
	TimeZone string   `json:"time_zone"`
	Locales  []string `json:"locales"`
	// ReopenWindowSeconds is how long after resolving a new customer message
	// reopens the conversation instead of starting a new one.
	ReopenWindowSeconds int64 `json:"reopen_window_seconds"`
	// BusinessHours are the team's hours, in the account's time zone
	// (their time_zone is always the account's): the hours of every inbox
	// that has no enabled hours of its own.
	BusinessHours BusinessHours `json:"business_hours"`
	CreatedAt     time.Time     `json:"created_at"`
}

// User is an agent, admin or owner of an account.
type User struct {
	ID        int64    `json:"id"`
	AccountID int64    `json:"account_id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Languages []string `json:"languages"`
	Locale    string   `json:"locale"`
	// Availability is the user's own choice: online takes chats while they
	// have the dashboard open, busy does not, offline is away.
	Availability string `json:"availability"`
	// Phone is the user's phone number, with its country code: a phone
	// inbox rings it for customers' calls and calls it first when the
	// user calls a customer. Empty when they take no calls.
	Phone string `json:"phone"`
	// Connected says the user has the dashboard open now, on any node.
	Connected bool      `json:"connected"`
	CreatedAt time.Time `json:"created_at"`
	// BotInboxID is, for an agent bot's user ([RoleBot]), the inbox it
	// acts in.
	BotInboxID int64 `json:"-"`
}

// IsAdmin reports whether the user may administer the account.
func (u *User) IsAdmin() bool { return u.Role == RoleOwner || u.Role == RoleAdmin }

// Team is a group of agents that conversations can be assigned to.
type Team struct {
	ID          int64   `json:"id"`
	AccountID   int64   `json:"account_id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	MemberIDs   []int64 `json:"member_ids"`
}

// Inbox is one connected channel: a website widget, an email address, a
// WhatsApp number, an API endpoint.
type Inbox struct {
	ID        int64           `json:"id"`
	AccountID int64           `json:"account_id"`
	Name      string          `json:"name"`
	Channel   string          `json:"channel"`
	Settings  json.RawMessage `json:"settings"`
	// Secrets holds channel credentials; it is stored encrypted and never
	// serialized to API clients.
	Secrets   map[string]string `json:"-"`
	MemberIDs []int64           `json:"member_ids"`
	CreatedAt time.Time         `json:"created_at"`
	// WebhookURL is where the inbox's platform delivers its webhooks, for
	// a channel that takes them: what an admin pastes into the platform's
	// settings.
	WebhookURL string `json:"webhook_url,omitempty"`
	// Warning, in the answer to a create or update, says what went wrong
	// after the inbox was saved (the platform could not be reached).
	Warning string `json:"warning,omitempty"`
}

// Contact is a person the business talks to, on any number of channels.
type Contact struct {
	ID         int64             `json:"id"`
	AccountID  int64             `json:"account_id"`
	Name       string            `json:"name"`
	Email      string            `json:"email"`
	Phone      string            `json:"phone"`
	Attributes map[string]any    `json:"attributes"`
	Identities []ContactIdentity `json:"identities"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// ContactIdentity is how one channel knows a contact: a WhatsApp number, a
// Messenger PSID, an email address, an API identifier.
type ContactIdentity struct {
	ID        int64 `json:"id"`
	ContactID int64 `json:"contact_id"`
	// Namespace says whose ids these are: "email", "whatsapp", or
	// "inbox:<id>" for ids that only mean something within one inbox.
	Namespace  string `json:"namespace"`
	ExternalID string `json:"external_id"`
}

// Conversation is a thread between a contact and the team in one inbox.
type Conversation struct {
	ID        int64 `json:"id"`
	AccountID int64 `json:"account_id"`
	DisplayID int64 `json:"display_id"`
	InboxID   int64 `json:"inbox_id"`
	ContactID int64 `json:"contact_id"`
	// Subject is the subject the conversation was opened with, on channels
	// that have one (email); empty otherwise.
	Subject string `json:"subject,omitempty"`
	// Public marks a conversation held in public: a customer's comments
	// on a post, which everyone sees, and the team's public replies.
	Public bool `json:"public"`
	// Post is the post a public conversation's comments are on.
	Post *Post `json:"post,omitempty"`
	// Topic keeps a contact's conversations in one inbox apart: "" for
	// their private conversation, "post:<id>" for their comments on a post.
	Topic string `json:"topic,omitempty"`
	// LinkedConversationID is the conversation this one was taken to or
	// from: a public conversation and the private one its "reply
	// privately" opened name each other.
	LinkedConversationID int64 `json:"linked_conversation_id,omitempty"`
	// LastIncomingAt is when the customer last wrote, which opens a
	// platform's messaging window (Meta's 24 hours).
	LastIncomingAt *time.Time `json:"last_incoming_at"`
	Status         string     `json:"status"`
	Priority       int        `json:"priority"`
	AssigneeID     int64      `json:"assignee_id"`
	TeamID         int64      `json:"team_id"`
	Labels         []string   `json:"labels"`
	SnoozedUntil   *time.Time `json:"snoozed_until"`
	WaitingSince   *time.Time `json:"waiting_since"`
	FirstReplyAt   *time.Time `json:"first_reply_at"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	Language       string     `json:"language"`
	// Sentiment is the score, from -1 to 1, of the customer's latest
	// analysed message; Mood says more, and is nil until one is analysed.
	Sentiment   float64    `json:"sentiment"`
	Mood        *Mood      `json:"mood,omitempty"`
	LastMessage string     `json:"last_message"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ResolvedAt  *time.Time `json:"resolved_at"`
	// Contact is filled by list and get calls for display.
	Contact *Contact `json:"contact,omitempty"`
}

// Message is one entry of a conversation's timeline.
type Message struct {
	ID             int64        `json:"id"`
	AccountID      int64        `json:"account_id"`
	ConversationID int64        `json:"conversation_id"`
	InboxID        int64        `json:"inbox_id"`
	Kind           string       `json:"kind"`
	SenderType     string       `json:"sender_type"`
	SenderID       int64        `json:"sender_id"`
	Content        string       `json:"content"`
	ExternalID     string       `json:"external_id,omitempty"`
	Status         string       `json:"status,omitempty"`
	Error          string       `json:"error,omitempty"`
	Attachments    []Attachment `json:"attachments"`
	// Email is set on the messages of an email conversation: their
	// headers and whole body. Content holds only the new words, without
	// the quoted history and signature the timeline folds away.
	Email *Email `json:"email,omitempty"`
	// Public marks a message everyone can see: a customer's comment on a
	// post, or the team's reply posted under it.
	Public bool `json:"public"`
	// Details is what a message of a messaging platform carries besides
	// text and files; nil when it carries nothing more.
	Details *MessageDetails `json:"details,omitempty"`
	// Analysis is what the analyzer read in an incoming message; nil for
	// other messages and until it is read, moments after it arrives.
	Analysis  *MessageAnalysis `json:"analysis,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
	// Folded, on a message about to be stored, is its text as search
	// indexes it, folded ahead by whoever built the message so that the
	// store need not while it holds the writer (see store.FoldMessage).
	// Empty, the store folds the text itself. It is never read back.
	Folded string `json:"-"`
}

// AutomationRef names the automation rule that wrote a message.
type AutomationRef struct {
	RuleID int64  `json:"rule_id"`
	Name   string `json:"name"`
}

// MessageAnalysis is what the analyzer read in one incoming message.
type MessageAnalysis struct {
	// Language is "en", "bn", "hi" (also when romanized), another ISO
	// 639-1 code, or "und"; Script is its ISO 15924 script code.
	Language string `json:"language"`
	Script   string `json:"script"`
	// Sentiment is negative, neutral or positive; Score runs from -1 to 1.
	Sentiment string  `json:"sentiment"`
	Score     float64 `json:"score"`
	// Emotion is anger, frustration or gratitude, or empty.
	Emotion string `json:"emotion"`
	// Urgency runs from 0 to 1.
	Urgency float64 `json:"urgency"`
}

// Sentiment labels of a message and of a conversation's mood.
const (
	MoodNegative = "negative"
	MoodNeutral  = "neutral"
	MoodPositive = "positive"
)

// Mood trends: how a conversation's latest message scored against the
// moving average of the customer's earlier ones.
const (
	TrendRising  = "rising"
	TrendFalling = "falling"
	TrendSteady  = "steady"
)

// Mood is how the customer of a conversation feels, from the analysis of
// their messages: the latest one's sentiment, emotion and urgency, and
// whether they are better or worse than before.
type Mood struct {
	// Sentiment is negative, neutral or positive; Score (the
	// conversation's Sentiment) runs from -1 to 1.
	Sentiment string  `json:"sentiment"`
	Score     float64 `json:"score"`
	// Trend is rising, falling or steady.
	Trend string `json:"trend"`
	// Average is the moving average of the customer's scores, the latest
	// weighing half.
	Average float64 `json:"average"`
	Emotion string  `json:"emotion,omitempty"`
	Urgency float64 `json:"urgency"`
}

// Post is a public post, reel or story that comments are on.
type Post struct {
	// ID is the platform's id of the post.
	ID string `json:"id"`
	// URL is where the post is seen on the platform, when known.
	URL string `json:"url,omitempty"`
	// Kind is "post", "reel", "story", "live" or "ad".
	Kind string `json:"kind,omitempty"`
	// Text is the post's caption, when known.
	Text string `json:"text,omitempty"`
}

// MessageDetails is what a message carries besides its text and files on
// a messaging platform. Every field is optional.
type MessageDetails struct {
	// Template is the approved message template an outgoing message was
	// sent as (WhatsApp), its content the template's text filled in.
	Template *TemplateUse `json:"template,omitempty"`
	// Location is a shared place.
	Location *Location `json:"location,omitempty"`
	// Contacts are shared contact cards.
	Contacts []SharedContact `json:"contacts,omitempty"`
	// Choice is the button or list row a customer picked in an
	// interactive message.
	Choice *Choice `json:"choice,omitempty"`
	// ReactionTo is the external id of the message a reaction is to; the
	// message's content is the emoji, empty when the reaction was taken
	// back.
	ReactionTo string `json:"reaction_to,omitempty"`
	// ReplyTo is the external id of the message this one quotes.
	ReplyTo string `json:"reply_to,omitempty"`
	// Story is the story a message replies to or mentions the business in.
	Story *Story `json:"story,omitempty"`
	// PrivateReplyTo is the external id of the public comment an outgoing
	// private reply answers.
	PrivateReplyTo string `json:"private_reply_to,omitempty"`
	// PrivateReply is, on a public comment, the id of the message that
	// answered it privately: a comment takes one private reply.
	PrivateReply int64 `json:"private_reply_id,omitempty"`
	// Tag is the platform's message tag a reply was sent with to answer
	// outside the standard window ("HUMAN_AGENT").
	Tag string `json:"tag,omitempty"`
	// Automation is the rule whose action wrote the message: a timeline
	// line, note or reply that an automation rule made.
	Automation *AutomationRef `json:"automation,omitempty"`
	// Survey marks the satisfaction survey's link sent when the
	// conversation was resolved; reports count it as a rating asked for.
	Survey bool `json:"survey,omitempty"`
	// Moderation is what the team did to a public comment on the
	// platform: "hidden" or "deleted"; empty when it is shown.
	Moderation string `json:"moderation,omitempty"`
	// Call makes the message a phone call's timeline entry.
	Call *Call `json:"call,omitempty"`
	// Voicemail makes the message a voicemail the customer left: its
	// recording is the message's attachment, its content the transcript.
	Voicemail *Voicemail `json:"voicemail,omitempty"`
	// Bot is what a bot's message says about itself.
	Bot *BotReply `json:"bot,omitempty"`
}

// TemplateUse is a message template as one message used it.
type TemplateUse struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	// Params fill the template's body variables {{1}}, {{2}}… in order.
	Params []string `json:"params,omitempty"`
}

// Location is a place on a map.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

// SharedContact is a contact card a customer sent.
type SharedContact struct {
	Name   string   `json:"name"`
	Phones []string `json:"phones,omitempty"`
	Emails []string `json:"emails,omitempty"`
}

// Choice is an option of an interactive message.
type Choice struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Story is a story a customer answered or mentioned the business in.
type Story struct {
	// Kind is "reply" or "mention".
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Template is a message template approved on a platform (WhatsApp), which
// the business may send outside the messaging window.
type Template struct {
	InboxID  int64  `json:"inbox_id"`
	Name     string `json:"name"`
	Language string `json:"language"`
	// Category is the platform's: "UTILITY", "MARKETING", "AUTHENTICATION".
	Category string `json:"category"`
	// Status is the platform's review status: "APPROVED", "PENDING",
	// "REJECTED"…; only approved templates can be sent.
	Status string `json:"status"`
	Header string `json:"header,omitempty"`
	// Body is the template's text with its variables {{1}}, {{2}}….
	Body    string   `json:"body"`
	Footer  string   `json:"footer,omitempty"`
	Buttons []string `json:"buttons,omitempty"`
	// Params is how many variables the body has.
	Params    int       `json:"params"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Email is what an email message carries besides its new words: the
// headers it was sent with and its whole body, kept so that an agent can
// unfold the quoted history and read the original.
type Email struct {
	Subject string         `json:"subject"`
	From    EmailAddress   `json:"from"`
	To      []EmailAddress `json:"to"`
	CC      []EmailAddress `json:"cc"`
	// BCC is set on outgoing messages only: received mail does not show
	// it.
	BCC []EmailAddress `json:"bcc,omitempty"`
	// MessageID is the Message-ID header without its angle brackets. It is
	// the message's external id too, so a reply naming it finds it.
	MessageID string `json:"message_id"`
	// InReplyTo and References are the Message-IDs the message answers,
	// as its headers name them, without angle brackets.
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	// HTML is the whole body as sanitized HTML: no scripts, styles, forms
	// or event handlers; a remote image's address is in data-src, not src,
	// so it is loaded only when the agent asks; an inline image is
	// <img data-cid="…">, the content_id of one of the message's
	// attachments. Empty when the mail had no HTML part.
	HTML string `json:"html,omitempty"`
	// Text is the whole plain-text body, quoted history and signature
	// included.
	Text string `json:"text,omitempty"`
}

// EmailAddress is a mailbox as a header names it.
type EmailAddress struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Private reports whether the message is hidden from the customer.
func (m *Message) Private() bool { return m.Kind == MessageNote || m.Kind == MessageActivity }

// Attachment is a file sent with a message, stored by a [BlobStore].
type Attachment struct {
	ID          int64  `json:"id"`
	MessageID   int64  `json:"message_id"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	StorageKey  string `json:"-"`
	URL         string `json:"url"`
	// ContentID names an email's inline image, which its HTML shows where
	// an <img data-cid> holds the same id.
	ContentID string `json:"content_id,omitempty"`
}

// Label tags conversations.
type Label struct {
	ID          int64  `json:"id"`
	AccountID   int64  `json:"account_id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Description string `json:"description"`
}

// CannedResponse is a saved reply an agent inserts by its short code.
type CannedResponse struct {
	ID        int64  `json:"id"`
	AccountID int64  `json:"account_id"`
	ShortCode string `json:"short_code"`
	Content   string `json:"content"`
}

// Who may see a saved view besides its owner.
const (
	ViewPrivate = "private"
	ViewTeam    = "team"
	ViewAccount = "account"
)

// ViewFilters are the conversation-list filters a saved view keeps, named
// as the list's query parameters are.
type ViewFilters struct {
	Status   string `json:"status,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	TeamID   int64  `json:"team,omitempty"`
	InboxID  int64  `json:"inbox,omitempty"`
	Label    string `json:"label,omitempty"`
	Channel  string `json:"channel,omitempty"`
	Sort     string `json:"sort,omitempty"`
}

// SavedView is a named set of conversation-list filters, owned by a user
// and shown to its team or the whole account when shared.
type SavedView struct {
	ID         int64       `json:"id"`
	AccountID  int64       `json:"account_id"`
	UserID     int64       `json:"user_id"`
	Name       string      `json:"name"`
	Filters    ViewFilters `json:"filters"`
	Visibility string      `json:"visibility"`
	TeamID     int64       `json:"team_id"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// APIToken is a bearer credential of a user; only its hash is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// AuditEntry records an administrative action.
type AuditEntry struct {
	ID         int64           `json:"id"`
	AccountID  int64           `json:"account_id"`
	UserID     int64           `json:"user_id"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   int64           `json:"target_id"`
	Details    json.RawMessage `json:"details"`
	CreatedAt  time.Time       `json:"created_at"`
}

// Notification kinds.
const (
	NotifyAssigned        = "assigned"
	NotifyMentioned       = "mentioned"
	NotifyNewConversation = "new_conversation"
	// NotifyLoginLocked tells a user, and the account's owners, that
	// wrong passwords paused sign-in to the user's account; ActorID is
	// the user.
	NotifyLoginLocked = "login_locked"
	// NotifyHandoff tells the assignee, or the inbox's agents, that the
	// bot handed a conversation to a person; Body names the reason.
	NotifyHandoff = "handoff"
	// NotifySwap tells a user of a swap of a rota shift that concerns
	// them: asked of them, or answered or cancelled; Body says which.
	NotifySwap = "swap"
)

// Ways a notification reaches a user beyond the dashboard's list.
const (
	NotifyByEmail = "email"
	NotifyByPush  = "push"
)

// Notification tells a user something needs them.
type Notification struct {
	ID             int64      `json:"id"`
	AccountID      int64      `json:"account_id"`
	UserID         int64      `json:"user_id"`
	Kind           string     `json:"kind"`
	ConversationID int64      `json:"conversation_id"`
	MessageID      int64      `json:"message_id"`
	ActorID        int64      `json:"actor_id"`
	Body           string     `json:"body"`
	ReadAt         *time.Time `json:"read_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// NotifyPrefs says, per notification kind, which ways are on or off, e.g.
// {"mentioned":{"email":true,"push":true}}. A missing entry means the
// default: on for assigned and mentioned, off for new conversations.
type NotifyPrefs map[string]map[string]bool

// Wants reports whether the user wants kind delivered by way.
func (p NotifyPrefs) Wants(kind, way string) bool {
	if v, ok := p[kind][way]; ok {
		return v
	}
	return kind != NotifyNewConversation
}

// PushSubscription is a browser's Web Push subscription.
type PushSubscription struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Endpoint  string    `json:"endpoint"`
	P256dh    string    `json:"p256dh"`
	Auth      string    `json:"auth"`
	CreatedAt time.Time `json:"created_at"`
}

// CSAT is a customer's satisfaction rating, 1 to 5, of a resolved
// conversation.
type CSAT struct {
	ConversationID int64     `json:"conversation_id"`
	AccountID      int64     `json:"account_id"`
	InboxID        int64     `json:"inbox_id"`
	ContactID      int64     `json:"contact_id"`
	AssigneeID     int64     `json:"assignee_id"`
	Rating         int       `json:"rating"`
	Comment        string    `json:"comment"`
	CreatedAt      time.Time `json:"created_at"`
}

// Order is a cart, checkout or order of a shop's customer, as the shop or
// its website reported it.
type Order struct {
	ID         int64           `json:"id"`
	AccountID  int64           `json:"account_id"`
	InboxID    int64           `json:"inbox_id"`
	ContactID  int64           `json:"contact_id"`
	Source     string          `json:"source"`
	Kind       string          `json:"kind"`
	ExternalID string          `json:"external_id"`
	Status     string          `json:"status"`
	Email      string          `json:"email"`
	Total      string          `json:"total"`
	Currency   string          `json:"currency"`
	Items      json.RawMessage `json:"items"`
	URL        string          `json:"url"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// CampaignStat counts how a proactive campaign of an inbox did: how often
// it was shown and how many conversations it opened.
type CampaignStat struct {
	CampaignID string `json:"campaign_id"`
	Shown      int64  `json:"shown"`
	Replied    int64  `json:"replied"`
}
