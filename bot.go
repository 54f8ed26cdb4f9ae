package sahay

import "time"

// FAQ is one canned question and answer the built-in bot answers from: the
// question, other ways customers ask it, and the answer, in one language.
type FAQ struct {
	ID        int64 `json:"id"`
	AccountID int64 `json:"account_id"`
	// InboxID limits the entry to one inbox; 0 offers it in every inbox.
	InboxID int64 `json:"inbox_id"`
	// Language is "en", "bn" or "hi": the bot answers a customer in their
	// language first.
	Language string `json:"language"`
	Question string `json:"question"`
	// Phrasings are other ways of asking the question, in any script
	// (romanized Banglish or Hinglish too).
	Phrasings []string  `json:"phrasings"`
	Answer    string    `json:"answer"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BotLanguages are the languages an FAQ entry may be written in.
var BotLanguages = []string{"en", "bn", "hi"}

// BotSettings are how an inbox's built-in bot behaves. The bot is off until
// an administrator turns it on.
type BotSettings struct {
	InboxID int64 `json:"inbox_id"`
	Enabled bool  `json:"enabled"`
	// Threshold is the confidence, from 0 to 1, below which the bot never
	// answers.
	Threshold float64 `json:"threshold"`
	// A conversation goes to a person when a customer's message is at least
	// this negative (sentiment score at or below -Negativity), this angry
	// (anger level at or above Anger) or this urgent (urgency at or above
	// Urgency); each from 0 to 1, and 0 turns the trigger off.
	Negativity float64 `json:"negativity"`
	Anger      float64 `json:"anger"`
	Urgency    float64 `json:"urgency"`
	// WaitMinutes is roughly how soon a person answers during business
	// hours, told to the customer on hand-off; WaitText, when set, is said
	// instead of the minutes ("within the hour").
	WaitMinutes int    `json:"wait_minutes"`
	WaitText    string `json:"wait_text"`
}

// DefaultBotSettings are an inbox's bot settings until an administrator
// changes them. The anger and urgency thresholds are the analyzer's own
// defaults for escalating (internal/nlp).
func DefaultBotSettings(inboxID int64) BotSettings {
	return BotSettings{InboxID: inboxID, Threshold: 0.5, Negativity: 0.6, Anger: 0.5, Urgency: 0.7, WaitMinutes: 10}
}

// Reasons a conversation is handed from the bot to a person, named in its
// timeline ("handoff:asked").
const (
	HandoffAsked     = "asked"      // the customer asked for a person
	HandoffNegative  = "negative"   // the customer's message was too negative
	HandoffAnger     = "anger"      // the customer was angry
	HandoffThreat    = "threat"     // the customer threatened to leave or to complain
	HandoffUrgent    = "urgent"     // the customer's message was urgent
	HandoffBotFailed = "bot_failed" // the bot could not answer twice
	HandoffVIP       = "vip"        // the contact is a VIP
	HandoffRule      = "rule"       // a rule, an integration or an external bot asked
	HandoffTakeover  = "takeover"   // an agent took the conversation over
)

// HandoffReasons are the reasons of a hand-off.
var HandoffReasons = []string{HandoffAsked, HandoffNegative, HandoffAnger, HandoffThreat, HandoffUrgent, HandoffBotFailed, HandoffVIP,
	HandoffRule, HandoffTakeover}

// BotReply is what a bot's message says about itself, on the message's
// details: which entry answered and how sure the bot was, or that it was
// not sure, or that it told the customer a person is coming.
type BotReply struct {
	// Kind is "answer", "unsure" or "handoff".
	Kind string `json:"kind"`
	// FAQID is the entry that answered; Confidence how sure the bot was.
	FAQID int64 `json:"faq_id,omitempty"`
	// ArticleID is the help center's article that answered instead.
	ArticleID  int64   `json:"article_id,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	// To is the id of the customer's message it answers.
	To int64 `json:"to,omitempty"`
	// Source names an external bot or service that wrote the answer.
	Source string `json:"source,omitempty"`
}

// Kinds of [BotReply].
const (
	BotAnswer  = "answer"
	BotUnsure  = "unsure"
	BotHandoff = "handoff"
)
