package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// readings are what the analyzer reads in the messages of the hand-off
// tests, for the triggers it decides (negativity, anger, urgency). The
// analyzer's own accuracy is internal/nlp's to prove; these tests prove
// that its readings hand the conversation to a person, in every variant.
var readings = map[string]nlp.Analysis{
	"This is the worst shop, totally useless":           {Sentiment: nlp.Negative, Score: -0.8},
	"সবচেয়ে বাজে দোকান, একদম অকেজো":                    {Sentiment: nlp.Negative, Score: -0.8},
	"सबसे घटिया दुकान, बिल्कुल बेकार":                   {Sentiment: nlp.Negative, Score: -0.8},
	"sobcheye baje dokan, ekdom faltu":                  {Sentiment: nlp.Negative, Score: -0.8},
	"sabse ghatiya dukaan, bilkul bekaar":               {Sentiment: nlp.Negative, Score: -0.8},
	"I am furious, you people cheated me":               {Sentiment: nlp.Negative, Score: -0.4, Emotion: nlp.Anger, AngerLevel: 0.8},
	"আমি ভীষণ রেগে আছি, আপনারা ঠকিয়েছেন":               {Sentiment: nlp.Negative, Score: -0.4, Emotion: nlp.Anger, AngerLevel: 0.8},
	"मुझे बहुत गुस्सा है, आपने धोखा दिया":               {Sentiment: nlp.Negative, Score: -0.4, Emotion: nlp.Anger, AngerLevel: 0.8},
	"ami khub rege achi, apnara thokiyechen":            {Sentiment: nlp.Negative, Score: -0.4, Emotion: nlp.Anger, AngerLevel: 0.8},
	"mujhe bahut gussa hai, aapne dhokha diya":          {Sentiment: nlp.Negative, Score: -0.4, Emotion: nlp.Anger, AngerLevel: 0.8},
	"Fix it today or I will post about you on Facebook": {Sentiment: nlp.Negative, Score: -0.3, Threat: true},
	"আজ ঠিক না করলে ফেসবুকে লিখে দেব":                   {Sentiment: nlp.Negative, Score: -0.3, Threat: true},
	"आज ठीक नहीं किया तो कंज्यूमर कोर्ट जाऊंगा":         {Sentiment: nlp.Negative, Score: -0.3, Threat: true},
	"aj thik na korle facebook e likhe debo":            {Sentiment: nlp.Negative, Score: -0.3, Threat: true},
	"aaj theek nahi kiya to consumer court jaunga":      {Sentiment: nlp.Negative, Score: -0.3, Threat: true},
	"URGENT my flight is in 2 hours, need it now":       {Urgency: 0.9},
	"জরুরি! দুই ঘণ্টা পরে ফ্লাইট, এখনই লাগবে":           {Urgency: 0.9},
	"अर्जेंट! दो घंटे में फ्लाइट है, अभी चाहिए":         {Urgency: 0.9},
	"jaruri! dui ghonta pore flight, ekhoni lagbe":      {Urgency: 0.9},
	"urgent hai! do ghante mein flight, abhi chahiye":   {Urgency: 0.9},
}

// analyzeForTests is nlp.Analyze with the readings above.
func analyzeForTests(text string) nlp.Analysis {
	a := nlp.Analyze(text)
	if r, ok := readings[text]; ok {
		r.Language, r.Script, r.Reasons = a.Language, a.Script, []string{"test reading"}
		return r
	}
	return a
}

// faqFixture is what the bot of the tests knows.
var faqFixture = []core.FAQInput{
	faqInput("en", "How do I cancel my order?", "Open My orders and press Cancel.", "cancel order"),
	faqInput("en", "Where is my order?", "Track it under My orders.", "track my order", "delivery status"),
	faqInput("bn", "অর্ডার কীভাবে বাতিল করব?", "আমার অর্ডার-এ গিয়ে বাতিল চাপুন।", "order cancel korbo kivabe"),
	faqInput("hi", "ऑर्डर कैसे कैंसिल करें?", "मेरे ऑर्डर में जाकर कैंसिल दबाएँ।", "order cancel kaise kare"),
}

func faqInput(lang, question, answer string, phrasings ...string) core.FAQInput {
	return core.FAQInput{Language: &lang, Question: &question, Answer: &answer, Phrasings: &phrasings}
}

// runBot runs fn, for each dialect, on a fixture whose "Mine" inbox has
// its bot on with the FAQ fixture and the test analyzer.
func runBot(t *testing.T, fn func(t *testing.T, f *fixture)) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		f := newFixtureWith(t, open(t), func(c *core.Config) { c.Analyze = analyzeForTests })
		on := true
		if _, err := f.svc.SetBotSettings(context.Background(), f.admin, f.mine.ID, core.BotSettingsInput{Enabled: &on}); err != nil {
			t.Fatalf("SetBotSettings: %v", err)
		}
		for _, in := range faqFixture {
			if _, err := f.svc.SaveFAQ(context.Background(), f.admin, 0, in); err != nil {
				t.Fatalf("SaveFAQ: %v", err)
			}
		}
		fn(t, f)
	})
}

// botMessages returns the bot's messages in a conversation, once there are
// at least n.
func (f *fixture) botMessages(t *testing.T, convID int64, n int) []*sahay.Message {
	t.Helper()
	var out []*sahay.Message
	storetest.Eventually(t, 15*time.Second, fmt.Sprintf("%d bot messages in conversation %d", n, convID), func() bool {
		all, err := f.st.Messages(context.Background(), f.account.ID, convID, 0, 200)
		if err != nil {
			t.Fatal(err)
		}
		out = out[:0]
		for _, m := range all {
			if m.SenderType == sahay.SenderBot {
				out = append(out, m)
			}
		}
		return len(out) >= n
	})
	return out
}

// waitBotIdle waits until the bot has read every message given to it.
func (f *fixture) waitBotIdle(t *testing.T) {
	t.Helper()
	storetest.Eventually(t, 15*time.Second, "the bot's jobs to finish", func() bool {
		return f.count(t, `SELECT COUNT(*) FROM jobs WHERE account_id = $1 AND kind = 'bot' AND state = 'queued'`, f.account.ID) == 0
	})
}

func (f *fixture) activities(t *testing.T, convID int64) []string {
	t.Helper()
	all, err := f.st.Messages(context.Background(), f.account.ID, convID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range all {
		if m.Kind == sahay.MessageActivity {
			out = append(out, m.Content)
		}
	}
	return out
}

func (f *fixture) notificationsOf(t *testing.T, userID int64, kind string, convID int64) int {
	t.Helper()
	all, err := f.st.Notifications(context.Background(), userID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range all {
		if x.Kind == kind && x.ConversationID == convID {
			n++
		}
	}
	return n
}

// checkHandedOff checks that a conversation went from the bot to the team
// for reason: open, waiting, the reason in its timeline, the inbox's agent
// notified, and the customer told a person is coming, in lang when set.
func (f *fixture) checkHandedOff(t *testing.T, convID int64, reason, lang string) {
	t.Helper()
	var told *sahay.Message
	storetest.Eventually(t, 15*time.Second, "the customer to be told of the hand-off", func() bool {
		for _, m := range f.botMessages(t, convID, 1) {
			if m.Details != nil && m.Details.Bot != nil && m.Details.Bot.Kind == sahay.BotHandoff {
				told = m
			}
		}
		return told != nil
	})
	want := map[string]string{"en": "person from our team", "bn": "মানুষের কাছে", "hi": "व्यक्ति से जोड़"}[lang]
	if lang != "" && !strings.Contains(told.Content, want) {
		t.Errorf("customer told %q, want it in %s (%q)", told.Content, lang, want)
	}
	c, err := f.svc.Conversation(context.Background(), f.admin, convID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != sahay.StatusOpen || c.WaitingSince == nil {
		t.Errorf("handed-off conversation: status %s, waiting since %v; want open and waiting", c.Status, c.WaitingSince)
	}
	if acts := f.activities(t, convID); !slices.Contains(acts, "handoff:"+reason) {
		t.Errorf("timeline activities %q lack handoff:%s", acts, reason)
	}
	if n := f.notificationsOf(t, f.agentUser.ID, sahay.NotifyHandoff, convID); n != 1 {
		t.Errorf("the inbox's agent got %d hand-off notifications, want 1", n)
	}
}

func TestFAQsAreManagedByAdmins(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		in := faqInput("bn", "রিফান্ড কবে পাব?", "৭ দিনের মধ্যে।", "refund kobe pabo", " ", "refund kobe pabo")
		if _, err := f.svc.SaveFAQ(ctx, f.agent, 0, in); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Fatalf("agent created an FAQ entry: %v", err)
		}
		faq, err := f.svc.SaveFAQ(ctx, f.admin, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(faq.Phrasings, []string{"refund kobe pabo"}) || faq.InboxID != 0 || faq.Language != "bn" {
			t.Errorf("saved %+v: want blank and repeated phrasings dropped, every inbox", faq)
		}
		french, empty, nowords, inbox := "fr", "  ", "?? !!", int64(99999)
		many := make([]string, core.MaxPhrasings+1)
		for i := range many {
			many[i] = fmt.Sprintf("way %d", i)
		}
		for name, bad := range map[string]core.FAQInput{
			"a language the bot does not speak": {Language: &french},
			"an empty question":                 {Question: &empty},
			"a question without words":          {Question: &nowords},
			"an empty answer":                   {Answer: &empty},
			"another account's inbox":           {InboxID: &inbox},
			"too many phrasings":                {Phrasings: &many},
		} {
			if _, err := f.svc.SaveFAQ(ctx, f.admin, faq.ID, bad); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		if _, err := f.svc.SaveFAQ(ctx, f.admin, 0, core.FAQInput{Question: in.Question}); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("entry without language and answer: %v", err)
		}
		got, err := f.svc.FAQs(ctx, f.agent)
		if err != nil || len(got) != 1 || got[0].Question != "রিফান্ড কবে পাব?" || got[0].Answer != "৭ দিনের মধ্যে।" {
			t.Fatalf("after refused changes: %+v, %v; want the entry unchanged", got, err)
		}
		answer := "সাত কর্মদিবসে।"
		changed, err := f.svc.SaveFAQ(ctx, f.admin, faq.ID, core.FAQInput{Answer: &answer, InboxID: &f.mine.ID})
		if err != nil || changed.Answer != answer || changed.InboxID != f.mine.ID || changed.Question != faq.Question {
			t.Fatalf("changed entry %+v, %v", changed, err)
		}
		if err := f.svc.DeleteFAQ(ctx, f.agent, faq.ID); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Errorf("agent deleted an FAQ entry: %v", err)
		}
		if err := f.svc.DeleteFAQ(ctx, f.admin, faq.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DeleteFAQ(ctx, f.admin, faq.ID); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Errorf("deleting twice: %v", err)
		}
	})
}

func TestBotSettingsAreOffUntilAnAdminTurnsThemOn(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		b, err := f.svc.BotSettings(ctx, f.agent, f.mine.ID)
		if err != nil || b.Enabled || b.Threshold != 0.5 {
			t.Fatalf("default settings %+v, %v; want off, threshold 0.5", b, err)
		}
		if _, err := f.svc.BotSettings(ctx, f.agent, f.theirs.ID); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Errorf("agent read the bot of an inbox they do not work: %v", err)
		}
		on := true
		if _, err := f.svc.SetBotSettings(ctx, f.agent, f.mine.ID, core.BotSettingsInput{Enabled: &on}); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Errorf("agent turned the bot on: %v", err)
		}
		high, minutes := 1.5, -1
		for name, bad := range map[string]core.BotSettingsInput{
			"threshold above 1":    {Enabled: &on, Threshold: &high},
			"negative wait":        {Enabled: &on, WaitMinutes: &minutes},
			"urgency threshold >1": {Urgency: &high},
		} {
			if _, err := f.svc.SetBotSettings(ctx, f.admin, f.mine.ID, bad); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		if b, _ := f.svc.BotSettings(ctx, f.admin, f.mine.ID); b.Enabled {
			t.Fatal("a refused change turned the bot on")
		}
		// Without the bot, a customer's conversation opens for the team.
		r := f.receive(t, f.mine, "cust-1", "m-1", "how do I cancel my order?")
		if r.Conversation.Status != sahay.StatusOpen {
			t.Fatalf("conversation without a bot is %s, want open", r.Conversation.Status)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM jobs WHERE account_id = $1 AND kind = 'bot'`, f.account.ID); n != 0 {
			t.Errorf("%d bot jobs with the bot off", n)
		}
		threshold := 0.7
		b, err = f.svc.SetBotSettings(ctx, f.admin, f.mine.ID, core.BotSettingsInput{Enabled: &on, Threshold: &threshold})
		if err != nil || !b.Enabled || b.Threshold != 0.7 || b.Urgency != 0.7 {
			t.Fatalf("settings %+v, %v", b, err)
		}
	})
}

// TestBotAnswersOnTheChannel: with the bot on, a new conversation starts
// pending, and the bot's answer leaves through the outbound pipeline to
// the API channel's webhook like any reply.
func TestBotAnswersOnTheChannel(t *testing.T) {
	runBot(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := f.receive(t, f.mine, "cust-1", "m-1", "How can I cancel my order?")
		if r.Conversation.Status != sahay.StatusPending {
			t.Fatalf("conversation is %s, want pending: the bot owns it", r.Conversation.Status)
		}
		answer := f.botMessages(t, r.Conversation.ID, 1)[0]
		if answer.Content != "Open My orders and press Cancel." || answer.Kind != sahay.MessageOutgoing ||
			answer.Details.Bot.Kind != sahay.BotAnswer || answer.Details.Bot.To != r.Message.ID || answer.Details.Bot.Confidence < 0.5 {
			t.Fatalf("bot answer %+v (%+v)", answer, answer.Details.Bot)
		}
		f.waitStatus(t, answer.ID, sahay.DeliverySent, 10*time.Second)
		calls := f.hook.received()
		if len(calls) != 1 {
			t.Fatalf("webhook called %d times, want once", len(calls))
		}
		var p apichannel.Payload
		if err := json.Unmarshal(calls[0].body, &p); err != nil || p.Message.Content != answer.Content {
			t.Fatalf("webhook got %s (%v), want the bot's answer", calls[0].body, err)
		}
		c, err := f.svc.Conversation(ctx, f.agent, r.Conversation.ID)
		if err != nil || c.Status != sahay.StatusPending || c.FirstReplyAt != nil || c.AssigneeID != 0 {
			t.Fatalf("after the answer: %+v, %v; want still the bot's, no first reply from the team", c, err)
		}
		// The same customer asks in Bengali: answered from the Bengali
		// entry, in the same conversation.
		r2 := f.receive(t, f.mine, "cust-1", "m-2", "অর্ডারটি বাতিল করতে চাই")
		if r2.Conversation.ID != r.Conversation.ID {
			t.Fatal("second message opened another conversation")
		}
		if got := f.botMessages(t, r.Conversation.ID, 2)[1].Content; got != "আমার অর্ডার-এ গিয়ে বাতিল চাপুন।" {
			t.Errorf("Bengali question answered %q", got)
		}
		if n := f.notificationsOf(t, f.agentUser.ID, sahay.NotifyNewConversation, r.Conversation.ID); n != 0 {
			t.Errorf("agents told of a conversation the bot handles")
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
	})
}

// TestBotNeverAnswersBelowThreshold: a question the bot is not sure of
// gets "say it another way", never an answer; the second hands off.
func TestBotNeverAnswersBelowThreshold(t *testing.T) {
	runBot(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		strict := 0.99
		if _, err := f.svc.SetBotSettings(ctx, f.admin, f.mine.ID, core.BotSettingsInput{Threshold: &strict}); err != nil {
			t.Fatal(err)
		}
		// "order" alone matches two entries equally: never a 0.99.
		r := f.receive(t, f.mine, "cust-2", "m-1", "my order")
		unsure := f.botMessages(t, r.Conversation.ID, 1)[0]
		if unsure.Details.Bot.Kind != sahay.BotUnsure || !strings.Contains(unsure.Content, "another way") {
			t.Fatalf("bot said %q (%+v), want it to ask to rephrase", unsure.Content, unsure.Details.Bot)
		}
		if unsure.Details.Bot.Confidence >= strict {
			t.Fatalf("unsure at confidence %v", unsure.Details.Bot.Confidence)
		}
		f.receive(t, f.mine, "cust-2", "m-2", "order cancel?")
		f.checkHandedOff(t, r.Conversation.ID, sahay.HandoffBotFailed, "en")
		for _, m := range f.botMessages(t, r.Conversation.ID, 2) {
			if m.Details.Bot.Kind == sahay.BotAnswer {
				t.Errorf("the bot answered %q below its threshold", m.Content)
			}
		}
		// Once a person has it, the bot says nothing more.
		f.receive(t, f.mine, "cust-2", "m-3", "How can I cancel my order?")
		f.waitBotIdle(t)
		if n := len(f.botMessages(t, r.Conversation.ID, 2)); n != 2 {
			t.Errorf("%d bot messages after the hand-off, want 2", n)
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
	})
}

// TestHandoffTriggers sends every trigger in every variant, each in a
// conversation of its own, and checks each is handed to a person at once.
func TestHandoffTriggers(t *testing.T) {
	cases := []struct {
		reason, variant, text string
	}{
		{sahay.HandoffAsked, "en", "agent please"},
		{sahay.HandoffAsked, "en", "I want to talk to a human"},
		{sahay.HandoffAsked, "bn", "মানুষের সাথে কথা বলতে চাই"},
		{sahay.HandoffAsked, "hi", "किसी इंसान से बात कराओ"},
		{sahay.HandoffAsked, "bn-Latn", "manusher sathe kotha bolte chai"},
		{sahay.HandoffAsked, "hi-Latn", "kisi insaan se baat karao"},
	}
	for text, a := range readings {
		reason := sahay.HandoffNegative
		switch {
		case a.Threat:
			reason = sahay.HandoffThreat
		case a.Emotion == nlp.Anger:
			reason = sahay.HandoffAnger
		case a.Urgency > 0:
			reason = sahay.HandoffUrgent
		}
		cases = append(cases, struct{ reason, variant, text string }{reason, "", text})
	}
	runBot(t, func(t *testing.T, f *fixture) {
		convs := make([]int64, len(cases))
		for i, tc := range cases {
			convs[i] = f.receive(t, f.mine, fmt.Sprintf("cust-%d", i), fmt.Sprintf("m-%d", i), tc.text).Conversation.ID
		}
		for i, tc := range cases {
			t.Run(tc.reason+"/"+tc.text, func(t *testing.T) {
				lang := ""
				switch tc.variant {
				case "en", "bn", "hi":
					lang = tc.variant
				}
				f.checkHandedOff(t, convs[i], tc.reason, lang)
			})
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
	})
}

func TestVIPGoesToAPerson(t *testing.T) {
	runBot(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := f.receive(t, f.mine, "cust-vip", "m-1", "hello there")
		f.botMessages(t, r.Conversation.ID, 1)
		attrs := map[string]any{"vip": true}
		if _, err := f.svc.UpdateContact(ctx, f.admin, r.Conversation.ContactID, core.ContactInput{Attributes: &attrs}); err != nil {
			t.Fatal(err)
		}
		f.receive(t, f.mine, "cust-vip", "m-2", "How can I cancel my order?")
		f.checkHandedOff(t, r.Conversation.ID, sahay.HandoffVIP, "en")
	})
}

// TestHandOffByRuleAndTakeOver: the API's hand-off (for rules and external
// bots) and an agent's "Take over".
func TestHandOffByRuleAndTakeOver(t *testing.T) {
	runBot(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		strict := 1.0
		if _, err := f.svc.SetBotSettings(ctx, f.admin, f.mine.ID, core.BotSettingsInput{Threshold: &strict}); err != nil {
			t.Fatal(err)
		}
		r := f.receive(t, f.mine, "cust-3", "m-1", "আমার পার্সেল")
		f.botMessages(t, r.Conversation.ID, 1)
		if _, err := f.svc.HandOff(ctx, f.agent, r.Conversation.ID, "because", ""); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("unknown reason: %v", err)
		}
		other := f.receive(t, f.theirs, "cust-3", "m-1", "hello")
		if _, err := f.svc.HandOff(ctx, f.agent, other.Conversation.ID, "", ""); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Errorf("agent handed off a conversation they cannot see: %v", err)
		}
		if _, err := f.svc.HandOff(ctx, f.agent, other.Conversation.ID+1000, "", ""); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Errorf("unknown conversation: %v", err)
		}
		c, err := f.svc.HandOff(ctx, f.admin, r.Conversation.ID, "", "order over 50,000 taka")
		if err != nil || c.Status != sahay.StatusOpen || c.AssigneeID != 0 {
			t.Fatalf("HandOff: %+v, %v; want open and unassigned", c, err)
		}
		f.checkHandedOff(t, r.Conversation.ID, sahay.HandoffRule, "bn")
		if _, err := f.svc.HandOff(ctx, f.admin, r.Conversation.ID, "", ""); sahay.ErrorCode(err) != sahay.ECONFLICT {
			t.Errorf("handing off twice: %v, want conflict", err)
		}
		if _, err := f.svc.BotReply(ctx, f.account.ID, r.Conversation.ID, "hi", &sahay.BotReply{Kind: sahay.BotAnswer}); sahay.ErrorCode(err) != sahay.ECONFLICT {
			t.Errorf("a bot spoke in a conversation a person has: %v", err)
		}
		counts, err := f.svc.Counts(ctx, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if counts.Unassigned[sahay.StatusOpen] == 0 {
			t.Errorf("handed-off conversation not among the unassigned: %+v", counts)
		}
		// An agent takes over another conversation: it is theirs, and the
		// customer is told who joined.
		r2 := f.receive(t, f.mine, "cust-4", "m-4", "আমার পার্সেল")
		f.botMessages(t, r2.Conversation.ID, 1)
		c, err = f.svc.HandOff(ctx, f.agent, r2.Conversation.ID, sahay.HandoffTakeover, "")
		if err != nil || c.Status != sahay.StatusOpen || c.AssigneeID != f.agentUser.ID {
			t.Fatalf("take over: %+v, %v", c, err)
		}
		bots := f.botMessages(t, r2.Conversation.ID, 2)
		if got := bots[len(bots)-1].Content; !strings.Contains(got, f.agentUser.Name) || !strings.Contains(got, "যোগ দিয়েছেন") {
			t.Errorf("customer told %q on take-over", got)
		}
		if acts := f.activities(t, r2.Conversation.ID); !slices.Contains(acts, "handoff:takeover") {
			t.Errorf("activities %q", acts)
		}
		if n := f.notificationsOf(t, f.agentUser.ID, sahay.NotifyHandoff, r2.Conversation.ID); n != 0 {
			t.Errorf("the agent who took over was notified of it")
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
	})
}

// TestBotReadsAConversationInTurn: two unclear messages that arrive
// together are read one after the other, so the second is the bot's second
// failure and hands off, however the job runner's workers take them.
func TestBotReadsAConversationInTurn(t *testing.T) {
	runBot(t, func(t *testing.T, f *fixture) {
		strict := 1.0
		if _, err := f.svc.SetBotSettings(context.Background(), f.admin, f.mine.ID, core.BotSettingsInput{Threshold: &strict}); err != nil {
			t.Fatal(err)
		}
		conv := make(chan int64, 2)
		for i := range 2 {
			go func() {
				r, err := f.svc.Receive(context.Background(), channel.Inbound{InboxID: f.mine.ID, ContactID: "cust-5",
					ExternalID: fmt.Sprintf("m-%d", i), Content: "hmm"})
				if err != nil {
					t.Error(err)
					conv <- 0
					return
				}
				conv <- r.Conversation.ID
			}()
		}
		id := <-conv
		if other := <-conv; other != id {
			t.Fatalf("two conversations %d and %d for one customer", id, other)
		}
		f.checkHandedOff(t, id, sahay.HandoffBotFailed, "en")
		f.waitBotIdle(t)
		kinds := map[string]int{}
		for _, m := range f.botMessages(t, id, 2) {
			kinds[m.Details.Bot.Kind]++
		}
		if kinds[sahay.BotUnsure] != 1 || kinds[sahay.BotHandoff] != 1 || kinds[sahay.BotAnswer] != 0 {
			t.Errorf("bot messages by kind %v, want one unsure and one hand-off", kinds)
		}
	})
}
