package core

import (
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// timeline builds a conversation's events at given times and folds them.
type timeline struct {
	t     *testing.T
	fd    *reportFolder
	fact  *store.ReportFact
	conv  *sahay.Conversation
	extra map[string]any
}

func newTimeline(t *testing.T, account *sahay.Account, inbox *sahay.Inbox, status string, at time.Time) *timeline {
	tl := &timeline{t: t, fd: newReportFolder(account, []*sahay.Inbox{inbox})}
	tl.conv = &sahay.Conversation{ID: 7, AccountID: account.ID, InboxID: inbox.ID, Status: status, CreatedAt: at}
	tl.apply(sahay.ConversationCreated{Conversation: tl.conv}, at)
	return tl
}

func (tl *timeline) apply(p sahay.Payload, at time.Time) {
	tl.t.Helper()
	ev, err := sahay.NewEvent(tl.conv.AccountID, tl.conv.InboxID, tl.conv.ID, p)
	if err != nil {
		tl.t.Fatal(err)
	}
	ev.CreatedAt = at
	f, err := tl.fd.fold(tl.fact, ev)
	if err != nil {
		tl.t.Fatal(err)
	}
	if f != nil {
		tl.fact = f
	}
}

func (tl *timeline) message(kind, sender, content string, at time.Time) {
	tl.apply(sahay.MessageCreated{Message: &sahay.Message{ConversationID: tl.conv.ID, Kind: kind, SenderType: sender, Content: content}}, at)
}

func ptrSeconds(t *testing.T, what string, got *int64, want time.Duration) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s not measured; want %v", what, want)
	}
	if time.Duration(*got)*time.Second != want {
		t.Errorf("%s = %v; want %v", what, time.Duration(*got)*time.Second, want)
	}
}

func TestReportFactsTimelines(t *testing.T) {
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	local := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, dhaka)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Sunday to Thursday 09:00-17:00 in Dhaka; Friday and Saturday
	// closed; 2026-12-16 (Wednesday) a holiday.
	hours := sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Dhaka",
		Days:     map[string]string{"sun": "09:00-17:00", "mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-17:00"},
		Holidays: []sahay.Holiday{{Date: "2026-12-16", Name: "Victory Day"}}}
	account := &sahay.Account{ID: 1, TimeZone: "Asia/Dhaka", BusinessHours: hours}
	inbox := &sahay.Inbox{ID: 3, AccountID: 1, Channel: "api"}

	t.Run("weekend", func(t *testing.T) {
		// Thursday 16:00, answered Sunday 10:00: 1 h Thursday + 1 h Sunday.
		tl := newTimeline(t, account, inbox, sahay.StatusOpen, local("2026-12-10 16:00"))
		tl.message(sahay.MessageIncoming, sahay.SenderContact, "hello", local("2026-12-10 16:00"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "hi", local("2026-12-13 10:00"))
		ptrSeconds(t, "first response", tl.fact.FirstResponseS, 66*time.Hour)
		ptrSeconds(t, "first response in business hours", tl.fact.FirstResponseBS, 2*time.Hour)
		if tl.fact.OpenedDay != 20261210 || *tl.fact.FirstResponseDay != 20261213 {
			t.Errorf("days %d, %d; want 20261210, 20261213", tl.fact.OpenedDay, *tl.fact.FirstResponseDay)
		}
	})
	t.Run("holiday", func(t *testing.T) {
		// Tuesday 16:30, holiday Wednesday, resolved Thursday 09:30:
		// 30 min + 30 min of business hours.
		tl := newTimeline(t, account, inbox, sahay.StatusOpen, local("2026-12-15 16:30"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "on it", local("2026-12-17 09:15"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-17 09:30"))
		ptrSeconds(t, "resolution", tl.fact.ResolutionS, 41*time.Hour)
		ptrSeconds(t, "resolution in business hours", tl.fact.ResolutionBS, time.Hour)
		ptrSeconds(t, "first response in business hours", tl.fact.FirstResponseBS, 45*time.Minute)
		if tl.fact.Resolves != 1 || tl.fact.Reopens != 0 || tl.fact.AgentReplies != 1 {
			t.Errorf("resolves %d reopens %d replies %d; want 1 0 1", tl.fact.Resolves, tl.fact.Reopens, tl.fact.AgentReplies)
		}
	})
	t.Run("reopen", func(t *testing.T) {
		tl := newTimeline(t, account, inbox, sahay.StatusOpen, local("2026-12-14 10:00"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "done", local("2026-12-14 10:10"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-14 10:20"))
		tl.message(sahay.MessageActivity, sahay.SenderSystem, "status:open", local("2026-12-14 12:00"))
		if tl.fact.ResolvedAt != nil || tl.fact.Reopens != 1 {
			t.Fatalf("after reopen: resolved %v reopens %d; want not resolved, 1", tl.fact.ResolvedAt, tl.fact.Reopens)
		}
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "again", local("2026-12-14 12:05"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-14 13:00"))
		ptrSeconds(t, "resolution to the last resolve", tl.fact.ResolutionS, 3*time.Hour)
		ptrSeconds(t, "first response unchanged by the reopen", tl.fact.FirstResponseS, 10*time.Minute)
		if tl.fact.Resolves != 2 || tl.fact.AgentReplies != 2 || *tl.fact.ResolvedDay != 20261214 {
			t.Errorf("resolves %d replies %d day %d; want 2 2 20261214", tl.fact.Resolves, tl.fact.AgentReplies, *tl.fact.ResolvedDay)
		}
	})
	t.Run("bot hand-off", func(t *testing.T) {
		// The bot answers at once; the clock starts at the hand-off.
		tl := newTimeline(t, account, inbox, sahay.StatusPending, local("2026-12-14 10:00"))
		if tl.fact.ClockAt != nil {
			t.Fatal("clock started while the bot holds the conversation")
		}
		tl.message(sahay.MessageOutgoing, sahay.SenderBot, "I am a bot", local("2026-12-14 10:00"))
		tl.message(sahay.MessageActivity, sahay.SenderSystem, "handoff:asked", local("2026-12-14 10:30"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "a person", local("2026-12-14 10:32"))
		ptrSeconds(t, "first response from the hand-off", tl.fact.FirstResponseS, 2*time.Minute)
		if !tl.fact.BotHandoff || tl.fact.AgentReplies != 1 {
			t.Errorf("hand-off %v replies %d; want true, 1 (bot messages are not replies)", tl.fact.BotHandoff, tl.fact.AgentReplies)
		}
	})
	t.Run("automation reply", func(t *testing.T) {
		tl := newTimeline(t, account, inbox, sahay.StatusOpen, local("2026-12-14 10:00"))
		m := &sahay.Message{ConversationID: 7, Kind: sahay.MessageOutgoing, SenderType: sahay.SenderUser, Content: "auto"}
		ev, _ := sahay.NewEvent(1, 3, 7, sahay.MessageCreated{Message: m})
		ev.Data = []byte(`{"message":{"kind":"outgoing","sender_type":"user"},"automation_rule_id":4}`)
		ev.CreatedAt = local("2026-12-14 10:01")
		if f, _ := tl.fd.fold(tl.fact, ev); f != nil {
			t.Errorf("a rule's message counted as a reply: %+v", f)
		}
	})
}

func TestBusinessDurationOvernight(t *testing.T) {
	// 22:00-02:00 on Friday; Saturday a holiday cuts it at midnight.
	h := sahay.BusinessHours{Enabled: true, TimeZone: "UTC", Days: map[string]string{"fri": "22:00-02:00"}}
	a := time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC) // Friday
	if got := businessDuration(h, a, a.Add(72*time.Hour)); got != 4*time.Hour {
		t.Errorf("overnight = %v; want 4h", got)
	}
	h.Holidays = []sahay.Holiday{{Date: "2026-12-12"}}
	if got := businessDuration(h, a, a.Add(72*time.Hour)); got != 2*time.Hour {
		t.Errorf("overnight into a holiday = %v; want 2h", got)
	}
	if got := businessDuration(sahay.BusinessHours{}, a, a.Add(time.Hour)); got != time.Hour {
		t.Errorf("disabled hours = %v; want 1h", got)
	}
}
