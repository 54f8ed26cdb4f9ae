package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bot"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

const jobBot = "bot"

// botPayload names the customer message the bot is to read.
type botPayload struct {
	MessageID      int64 `json:"message_id"`
	ConversationID int64 `json:"conversation_id"`
}

// botHistory is how many of a conversation's latest messages the bot reads
// to count its failures and to find an answer it already gave.
const botHistory = 100

// startsWithBot reports whether a message that opens a conversation lets
// the bot have it: a private message from the customer, not a call, in an
// inbox whose bot is on. It is read only when a conversation is opened.
func startsWithBot(ctx context.Context, tx *store.Tx, inbox *sahay.Inbox, in channel.Inbound) (bool, error) {
	if in.Echo || in.Public || in.Details != nil && (in.Details.Call != nil || in.Details.Voicemail != nil) {
		return false, nil
	}
	on, err := tx.BotEnabled(ctx, inbox.ID)
	if err != nil || on {
		return on, err
	}
	return tx.HasAgentBot(ctx, inbox.ID)
}

// wantsBot reports whether a stored message is one the bot reads: a
// customer's message in a conversation the bot owns.
func wantsBot(c *sahay.Conversation, m *sahay.Message) bool {
	return c.Status == sahay.StatusPending && m.Kind == sahay.MessageIncoming && m.SenderType == sahay.SenderContact
}

// enqueueBot queues the bot's reading of a customer message, in the
// transaction that stores it: the bot reads it off the receive path, on
// whichever node takes the job, once.
func enqueueBot(ctx context.Context, tx *store.Tx, m *sahay.Message) error {
	payload, _ := json.Marshal(botPayload{MessageID: m.ID, ConversationID: m.ConversationID})
	_, err := tx.EnqueueJob(ctx, m.AccountID, jobBot, string(payload), tx.Now())
	return err
}

// runBot is the built-in bot reading one customer message of a
// conversation it owns. In order: a VIP contact, a request for a person,
// or a message negative, angry or urgent past the inbox's thresholds hands
// the conversation to a person at once; otherwise the bot answers from the
// FAQ entry it is confident enough of, or says it is not sure — and hands
// off the second time it is not.
func (s *Service) runBot(ctx context.Context, job *store.Job) error {
	var p botPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return channel.Permanent(err)
	}
	// Two messages of a conversation sent at once are read in turn: the
	// second sees what the bot said to the first (and counts a failure).
	turn := &s.botTurns[uint64(p.ConversationID)%uint64(len(s.botTurns))]
	turn.Lock()
	defer turn.Unlock()
	c, err := s.store.Conversation(ctx, job.AccountID, p.ConversationID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status != sahay.StatusPending {
		return nil
	}
	m, err := s.store.Message(ctx, job.AccountID, p.MessageID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	history, err := s.store.Messages(ctx, c.AccountID, c.ID, 0, botHistory)
	if err != nil {
		return err
	}
	failures := 0
	for _, h := range history {
		if h.Details == nil || h.Details.Bot == nil {
			continue
		}
		if h.Details.Bot.To == m.ID {
			// Answered already: the job ran before and its end was lost.
			return nil
		}
		if h.Details.Bot.Kind == sahay.BotUnsure {
			failures++
		}
	}
	settings, err := s.store.BotSettings(ctx, c.AccountID, c.InboxID)
	if err != nil {
		return err
	}
	analysis := s.analyze(m.Content)
	lang, say := customerLanguage(analysis, m.Content, c.Language), replyLanguage(m.Content, c.Language)
	agentBot, err := s.store.AgentBot(ctx, c.AccountID, c.InboxID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		agentBot, err = nil, nil
	}
	if err != nil {
		return err
	}
	if !settings.Enabled && agentBot == nil {
		return s.handOffBySystem(ctx, c.AccountID, c.ID, sahay.HandoffRule, say, m.ID)
	}
	contact, err := s.store.Contact(ctx, c.AccountID, c.ContactID)
	if err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
		return err
	}
	if bot.IsVIP(contact, c.Labels) {
		return s.handOffBySystem(ctx, c.AccountID, c.ID, sahay.HandoffVIP, say, m.ID)
	}
	if reason := bot.HandoffReason(m.Content, analysis, settings); reason != "" {
		return s.handOffBySystem(ctx, c.AccountID, c.ID, reason, say, m.ID)
	}
	// An inbox with an agent bot of its own sends it the message; the
	// hand-off rules above still come first.
	if agentBot != nil {
		return s.deliverAgentBot(ctx, c, agentBot, m, analysis)
	}
	sources, articles, err := s.botSources(ctx, c.AccountID, c.InboxID)
	if err != nil {
		return err
	}
	faqs := sources[:len(sources)-len(articles)]
	match, ok := bot.NewIndex(sources).Answer(m.Content, lang, settings.Threshold)
	if ok {
		reply := &sahay.BotReply{Kind: sahay.BotAnswer, FAQID: match.FAQ.ID, Confidence: round2(match.Confidence), To: m.ID}
		if p := articles[match.FAQ]; p != nil {
			reply.FAQID, reply.ArticleID = 0, p.ArticleID
		}
		_, err := s.BotReply(ctx, c.AccountID, c.ID, match.FAQ.Answer, reply)
		return ignoreNotWithBot(err)
	}
	// Unsure, but with candidates: the account's AI, when set, may answer
	// from them, citing them, or not at all.
	if match != nil {
		if answer, cited := s.groundedBotAnswer(ctx, c, m.Content, say, faqs); answer.Answerable() {
			_, err := s.BotReply(ctx, c.AccountID, c.ID, answer.Text, &sahay.BotReply{Kind: sahay.BotAnswer,
				FAQID: cited, Confidence: round2(match.Confidence), To: m.ID, Source: "ai"})
			return ignoreNotWithBot(err)
		}
	}
	if failures >= 1 {
		return s.handOffBySystem(ctx, c.AccountID, c.ID, sahay.HandoffBotFailed, say, m.ID)
	}
	reply := &sahay.BotReply{Kind: sahay.BotUnsure, To: m.ID}
	if match != nil {
		reply.FAQID, reply.Confidence = match.FAQ.ID, round2(match.Confidence)
		if p := articles[match.FAQ]; p != nil {
			reply.FAQID, reply.ArticleID = 0, p.ArticleID
		}
	}
	_, err = s.BotReply(ctx, c.AccountID, c.ID, bot.Unsure(say), reply)
	return ignoreNotWithBot(err)
}

func round2(v float64) float64 { return float64(int(v*100+0.5)) / 100 }

// ignoreNotWithBot drops the conflict of a conversation that a person
// took while the bot was reading it: the bot has nothing more to do.
func ignoreNotWithBot(err error) error {
	if sahay.ErrorCode(err) == sahay.ECONFLICT {
		return nil
	}
	return err
}

// replyLanguage is the language the bot speaks to a customer in: that of
// the script they wrote in (Bengali, Devanagari, or English for Latin,
// romanized Banglish and Hinglish too, which their writers read), or the
// conversation's language.
func replyLanguage(text, conversation string) string {
	for _, l := range []string{textnorm.DetectScript(text), conversation} {
		if l == "en" || l == "bn" || l == "hi" {
			return l
		}
	}
	return "en"
}

// customerLanguage is the language the bot looks for answers in first: the
// analyzer's reading of the message (Hinglish is Hindi), the script it is
// written in, or the conversation's language.
func customerLanguage(a nlp.Analysis, text, conversation string) string {
	for _, l := range []string{a.Language, textnorm.DetectScript(text), conversation} {
		if l == "en" || l == "bn" || l == "hi" {
			return l
		}
	}
	return "en"
}

// BotReply sends a bot's message to the customer of a conversation the bot
// owns (pending), through the outbound pipeline every channel's replies
// take: stored as pending with its send job, in one transaction. reply
// says what the message is (an answer, with the entry and the confidence;
// an answer of an external bot names its Source). It fails with a conflict
// when a person has the conversation: the bot no longer speaks there.
//
// It is how any bot answers — the built-in FAQ bot, an external bot
// through the API, an AI answer — so every bot message looks the same in
// the timeline and reaches every channel.
func (s *Service) BotReply(ctx context.Context, accountID, conversationID int64, content string, reply *sahay.BotReply) (*sahay.Message, error) {
	content, err := CleanText("content", content, MaxContentBytes)
	if err != nil {
		return nil, err
	}
	if content == "" {
		return nil, sahay.Invalid("content is required")
	}
	var msg *sahay.Message
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, accountID); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, accountID, conversationID)
		if err != nil {
			return err
		}
		if c.Status != sahay.StatusPending {
			return sahay.Errorf(sahay.ECONFLICT, "conversation %d is with a person, not the bot", c.DisplayID)
		}
		msg, err = s.botSay(ctx, tx, c, content, reply)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.jobs.Wake()
	return msg, nil
}

// botSay stores a bot's message to the customer with its send job, in the
// caller's transaction, and moves the conversation's activity. The
// customer got an answer, so they no longer wait; a bot's answer is not
// the team's first reply.
func (s *Service) botSay(ctx context.Context, tx *store.Tx, c *sahay.Conversation, content string, reply *sahay.BotReply) (*sahay.Message, error) {
	msg := &sahay.Message{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID, Kind: sahay.MessageOutgoing,
		SenderType: sahay.SenderBot, Content: content, Status: sahay.DeliveryPending, Details: &sahay.MessageDetails{Bot: reply}}
	if err := tx.InsertMessage(ctx, msg); err != nil {
		return nil, err
	}
	payload, _ := json.Marshal(sendPayload{MessageID: msg.ID})
	if _, err := tx.EnqueueJob(ctx, c.AccountID, jobSendMessage, string(payload), tx.Now()); err != nil {
		return nil, err
	}
	next := *c
	next.LastActivityAt = tx.Now()
	next.LastMessage = messagePreview(content, nil)
	if reply.Kind != sahay.BotHandoff {
		next.WaitingSince = nil
	}
	if err := tx.UpdateConversation(ctx, c, &next); err != nil {
		return nil, err
	}
	*c = next
	return msg, tx.Emit(ctx, c.AccountID, c.InboxID, c.ID, sahay.MessageCreated{Conversation: &next, Message: msg})
}

// HandOff hands a conversation the bot owns to a person at once, for a
// reason: one of sahay.HandoffReasons ("rule" when empty). It is how a
// rule, an integration or an external bot asks for a person
// (POST /conversations/{id}/handoff), and what an agent's "Take over"
// does (reason "takeover", which assigns the agent). note, when given, is
// kept as a private note beside the hand-off.
func (s *Service) HandOff(ctx context.Context, a *Actor, conversationID int64, reason, note string) (*sahay.Conversation, error) {
	if reason == "" {
		reason = sahay.HandoffRule
	}
	if !slices.Contains(sahay.HandoffReasons, reason) {
		return nil, sahay.Invalid("reason must be one of %v", sahay.HandoffReasons)
	}
	note, err := CleanText("note", note, MaxContentBytes)
	if err != nil {
		return nil, err
	}
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	if c.Status != sahay.StatusPending {
		return nil, sahay.Errorf(sahay.ECONFLICT, "conversation %d is with a person already, not the bot", c.DisplayID)
	}
	var out *sahay.Conversation
	err = s.write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.handOffTx(ctx, tx, a.AccountID(), conversationID, reason, a.User, note, 0, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	s.jobs.Wake()
	return out, nil
}

// handOffBySystem hands a conversation to a person for the bot itself.
func (s *Service) handOffBySystem(ctx context.Context, accountID, conversationID int64, reason, lang string, to int64) error {
	err := s.write(ctx, func(tx *store.Tx) error {
		_, err := s.handOffTx(ctx, tx, accountID, conversationID, reason, nil, "", to, lang)
		return err
	})
	if err != nil {
		return ignoreNotWithBot(err)
	}
	s.jobs.Wake()
	return nil
}

// handOffTx moves a conversation from the bot (pending) to the team
// (open), in the caller's transaction: an activity naming the reason in
// the timeline, the conversation routed (an agent taking over is assigned;
// otherwise it keeps its assignee, or waits unassigned for the team), the
// assignee notified at once — or, with none, the inbox's agents — and the
// customer told, in their language, that a person is coming and roughly
// when. by is the user who asked (nil for the bot); to is the customer's
// message that caused it, if any.
func (s *Service) handOffTx(ctx context.Context, tx *store.Tx, accountID, conversationID int64, reason string, by *sahay.User,
	note string, to int64, lang string) (*sahay.Conversation, error) {
	if err := tx.LockAccount(ctx, accountID); err != nil {
		return nil, err
	}
	c, err := tx.Conversation(ctx, accountID, conversationID)
	if err != nil {
		return nil, err
	}
	if c.Status != sahay.StatusPending {
		return nil, sahay.Errorf(sahay.ECONFLICT, "conversation %d is with a person already, not the bot", c.DisplayID)
	}
	var byID int64
	if by != nil {
		byID = by.ID
	}
	next := *c
	next.Status = sahay.StatusOpen
	now := tx.Now()
	if next.WaitingSince == nil {
		next.WaitingSince = &now
	}
	if reason == sahay.HandoffTakeover && by != nil {
		next.AssigneeID = by.ID
	}
	if err := tx.UpdateConversation(ctx, c, &next); err != nil {
		return nil, err
	}
	if err := s.activity(ctx, tx, &next, byID, "handoff:"+reason); err != nil {
		return nil, err
	}
	if next.AssigneeID != c.AssigneeID {
		if err := s.activity(ctx, tx, &next, byID, fmt.Sprintf("assignee:%d", next.AssigneeID)); err != nil {
			return nil, err
		}
	}
	if note != "" {
		m := &sahay.Message{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID, Kind: sahay.MessageNote,
			SenderType: sahay.SenderUser, SenderID: byID, Content: note}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return nil, err
		}
		if err := tx.Emit(ctx, c.AccountID, c.InboxID, c.ID, sahay.MessageCreated{Conversation: &next, Message: m}); err != nil {
			return nil, err
		}
	}
	if lang == "" {
		lang = next.Language
	}
	told, err := s.comingText(ctx, tx, &next, reason, by, lang)
	if err != nil {
		return nil, err
	}
	// The customer is told while the bot still speaks: botSay wants the
	// conversation as it is stored, now open.
	if _, err := s.botSay(ctx, tx, &next, told, &sahay.BotReply{Kind: sahay.BotHandoff, To: to}); err != nil {
		return nil, err
	}
	if err := tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationUpdated{Conversation: &next}); err != nil {
		return nil, err
	}
	return &next, s.notifyHandoff(ctx, tx, &next, reason, byID)
}

// comingText is what the customer is told on hand-off: an agent who took
// over joined; otherwise a person is coming, within the inbox's expected
// wait while the team is in, or when it next opens by the inbox's business
// hours (the account's when it has none), told in the account's time zone.
func (s *Service) comingText(ctx context.Context, tx *store.Tx, c *sahay.Conversation, reason string, by *sahay.User, lang string) (string, error) {
	if reason == sahay.HandoffTakeover && by != nil {
		return bot.Joined(lang, by.Name), nil
	}
	settings, err := tx.BotSettings(ctx, c.AccountID, c.InboxID)
	if err != nil {
		return "", err
	}
	inbox, err := s.store.Inbox(ctx, c.AccountID, c.InboxID)
	if err != nil {
		return "", err
	}
	account, err := tx.Account(ctx, c.AccountID)
	if err != nil {
		return "", err
	}
	now := tx.Now()
	var opens time.Time
	hours := accountHours(inbox, account)
	loc, err := time.LoadLocation(account.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	if hours != nil && !hours.Open(now) {
		if next, ok := hours.NextOpen(now); ok {
			opens = next
		}
	}
	return bot.Coming(lang, settings.WaitMinutes, settings.WaitText, now, opens, loc), nil
}

// inboxHours returns the business hours an inbox's settings hold (the
// website chat's and a phone inbox's "business_hours"), or nil.
func inboxHours(inbox *sahay.Inbox) *sahay.BusinessHours {
	var s struct {
		BusinessHours *sahay.BusinessHours `json:"business_hours"`
	}
	if json.Unmarshal(inbox.Settings, &s) != nil || s.BusinessHours == nil || !s.BusinessHours.Enabled {
		return nil
	}
	return s.BusinessHours
}

// notifyHandoff tells the people who should answer a handed-off
// conversation at once: its assignee, or with none the inbox's agents
// (the account's administrators when the inbox has none), but not the
// agent who took it over.
func (s *Service) notifyHandoff(ctx context.Context, tx *store.Tx, c *sahay.Conversation, reason string, byID int64) error {
	var users []int64
	if c.AssigneeID != 0 {
		users = []int64{c.AssigneeID}
	} else {
		members, err := tx.InboxMemberIDs(ctx, c.InboxID)
		if err != nil {
			return err
		}
		users = members
		if len(users) == 0 {
			all, err := tx.Users(ctx, c.AccountID)
			if err != nil {
				return err
			}
			for _, u := range all {
				if u.IsAdmin() {
					users = append(users, u.ID)
				}
			}
		}
	}
	for _, id := range users {
		if id == byID {
			continue
		}
		if err := s.notify(ctx, tx, &sahay.Notification{AccountID: c.AccountID, UserID: id, Kind: sahay.NotifyHandoff,
			ConversationID: c.ID, ActorID: byID, Body: reason}); err != nil {
			return err
		}
	}
	return nil
}

// BotTrial is a question an administrator tries the bot with.
type BotTrial struct {
	InboxID int64  `json:"inbox_id"`
	Text    string `json:"text"`
}

// BotTrialResult is what the bot would do with a tried question.
type BotTrialResult struct {
	// Language is the language the bot read the question in.
	Language string `json:"language"`
	// Handoff names the reason the bot would hand the conversation to a
	// person, or is empty.
	Handoff string `json:"handoff"`
	// Answers is set when the bot would answer with FAQ; FAQ and
	// Confidence are the best entry found even when it would not.
	Answers bool       `json:"answers"`
	FAQ     *sahay.FAQ `json:"faq"`
	// ArticleID is the help center's article found instead of an entry,
	// and Answer what the bot would say from it.
	ArticleID  int64   `json:"article_id,omitempty"`
	Answer     string  `json:"answer,omitempty"`
	Confidence float64 `json:"confidence"`
	Threshold  float64 `json:"threshold"`
}

// TryBot tells what the bot of an inbox would do with a customer's
// message, without a conversation: for an administrator writing entries.
func (s *Service) TryBot(ctx context.Context, a *Actor, in BotTrial) (*BotTrialResult, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	text, err := CleanText("text", in.Text, MaxQuestionChars*4)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, sahay.Invalid("text is required")
	}
	settings := sahay.DefaultBotSettings(in.InboxID)
	if in.InboxID != 0 {
		if _, err := s.store.Inbox(ctx, a.AccountID(), in.InboxID); err != nil {
			return nil, err
		}
		b, err := s.store.BotSettings(ctx, a.AccountID(), in.InboxID)
		if err != nil {
			return nil, err
		}
		settings = *b
	}
	analysis := s.analyze(text)
	out := &BotTrialResult{Language: customerLanguage(analysis, text, ""), Threshold: settings.Threshold}
	out.Handoff = bot.HandoffReason(text, analysis, &settings)
	sources, articles, err := s.botSources(ctx, a.AccountID(), in.InboxID)
	if err != nil {
		return nil, err
	}
	match, ok := bot.NewIndex(sources).Answer(text, out.Language, settings.Threshold)
	if match != nil {
		out.FAQ, out.Confidence = match.FAQ, round2(match.Confidence)
		if p := articles[match.FAQ]; p != nil {
			out.FAQ, out.ArticleID, out.Answer = nil, p.ArticleID, match.FAQ.Answer
		}
	}
	out.Answers = ok && out.Handoff == ""
	return out, nil
}

// handoffWords say a hand-off's reason in an email or push notification.
var handoffWords = map[string]string{
	sahay.HandoffAsked:     "the customer asked for a person",
	sahay.HandoffNegative:  "the customer is unhappy",
	sahay.HandoffAnger:     "the customer is angry",
	sahay.HandoffThreat:    "the customer threatens to leave or to complain",
	sahay.HandoffUrgent:    "the customer says it is urgent",
	sahay.HandoffBotFailed: "the bot could not answer",
	sahay.HandoffVIP:       "a VIP customer",
	sahay.HandoffRule:      "a rule handed it over",
	sahay.HandoffTakeover:  "an agent took it over",
}
