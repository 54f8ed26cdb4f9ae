package core

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
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
	t.Run("next response", func(t *testing.T) {
		// The customer writes again Thursday 16:30 after the first reply;
		// the next reply comes Sunday 09:30: 30 min + 30 min of business hours.
		tl := newTimeline(t, account, inbox, sahay.StatusOpen, local("2026-12-10 10:00"))
		tl.message(sahay.MessageIncoming, sahay.SenderContact, "hello", local("2026-12-10 10:00"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "hi", local("2026-12-10 10:05"))
		tl.message(sahay.MessageIncoming, sahay.SenderContact, "one more thing", local("2026-12-10 16:30"))
		tl.message(sahay.MessageIncoming, sahay.SenderContact, "hello?", local("2026-12-11 08:00"))
		tl.message(sahay.MessageNote, sahay.SenderUser, "a note is no reply", local("2026-12-12 08:00"))
		tl.message(sahay.MessageOutgoing, sahay.SenderBot, "nor a bot", local("2026-12-12 09:00"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "sorry", local("2026-12-13 09:30"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "no wait, no response", local("2026-12-13 09:31"))
		want := []store.ReportResponse{{Day: 20261213, S: int64((65 * time.Hour).Seconds()), BS: int64(time.Hour.Seconds())}}
		if !slices.Equal(tl.fact.NextResponses, want) || tl.fact.WaitingAt != nil {
			t.Errorf("next responses %+v waiting %v; want %+v, none", tl.fact.NextResponses, tl.fact.WaitingAt, want)
		}
		if tl.fact.AgentReplies != 3 || tl.fact.ReplyDays[20261210] != 1 || tl.fact.ReplyDays[20261213] != 2 {
			t.Errorf("replies %d by day %v; want 3: 1 on the 10th, 2 on the 13th", tl.fact.AgentReplies, tl.fact.ReplyDays)
		}
		// A resolve ends the wait: the reply after a reopen is no next response.
		tl.message(sahay.MessageIncoming, sahay.SenderContact, "thanks", local("2026-12-13 10:00"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-13 10:05"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:open", local("2026-12-14 10:05"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "reopened", local("2026-12-14 10:10"))
		if len(tl.fact.NextResponses) != 1 {
			t.Errorf("next responses %+v; want the one before the resolve", tl.fact.NextResponses)
		}
	})
	t.Run("sla breach", func(t *testing.T) {
		tl := newTimeline(t, account, inbox, sahay.StatusOpen, local("2026-12-14 10:00"))
		tl.message(sahay.MessageActivity, sahay.SenderSystem, "sla_breached:first_response", local("2026-12-14 11:00"))
		tl.message(sahay.MessageOutgoing, sahay.SenderUser, "late", local("2026-12-14 11:30"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-14 11:40"))
		if !tl.fact.SLABreached {
			t.Error("the breach was not kept")
		}
	})
	t.Run("bot resolved", func(t *testing.T) {
		tl := newTimeline(t, account, inbox, sahay.StatusPending, local("2026-12-14 23:50"))
		tl.message(sahay.MessageIncoming, sahay.SenderContact, "where is my parcel", local("2026-12-14 23:50"))
		tl.message(sahay.MessageOutgoing, sahay.SenderBot, "here is how to track it", local("2026-12-14 23:51"))
		tl.message(sahay.MessageActivity, sahay.SenderSystem, "status:resolved", local("2026-12-15 00:10"))
		f := tl.fact
		if !f.BotHeld || f.BotHandoff || f.HandoffDay != nil || f.AgentReplies != 0 || *f.ResolvedDay != 20261215 || f.OpenedHour != 23 {
			t.Errorf("held %v hand-off %v %v replies %d resolved %v hour %d; want held, none, 0, 20261215, 23",
				f.BotHeld, f.BotHandoff, f.HandoffDay, f.AgentReplies, *f.ResolvedDay, f.OpenedHour)
		}
		handed := newTimeline(t, account, inbox, sahay.StatusPending, local("2026-12-14 10:00"))
		handed.message(sahay.MessageActivity, sahay.SenderSystem, "handoff:asked", local("2026-12-15 10:30"))
		if handed.fact.HandoffDay == nil || *handed.fact.HandoffDay != 20261215 {
			t.Errorf("hand-off day %v; want 20261215", handed.fact.HandoffDay)
		}
	})
	t.Run("labels and ratings asked", func(t *testing.T) {
		widget := &sahay.Inbox{ID: 4, AccountID: 1, Channel: "widget", Settings: []byte(`{"csat":true}`)}
		tl := newTimeline(t, account, widget, sahay.StatusOpen, local("2026-12-14 10:00"))
		c := *tl.conv
		c.Labels = []string{"vip", "refund"}
		tl.apply(sahay.ConversationUpdated{Conversation: &c}, local("2026-12-14 10:01"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-15 10:00"))
		if !slices.Equal(tl.fact.Labels, []string{"refund", "vip"}) || tl.fact.AskedDay == nil || *tl.fact.AskedDay != 20261215 {
			t.Errorf("labels %v asked %v; want [refund vip], 20261215", tl.fact.Labels, tl.fact.AskedDay)
		}
		quiet := &sahay.Inbox{ID: 5, AccountID: 1, Channel: "widget", Settings: []byte(`{"csat":false}`)}
		tl = newTimeline(t, account, quiet, sahay.StatusOpen, local("2026-12-14 10:00"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-15 10:00"))
		if tl.fact.AskedDay != nil {
			t.Error("a widget without its rating counted as asked")
		}
		tl = newTimeline(t, account, inbox, sahay.StatusOpen, local("2026-12-14 10:00"))
		tl.message(sahay.MessageActivity, sahay.SenderUser, "status:resolved", local("2026-12-15 10:00"))
		survey := &sahay.Message{ConversationID: 7, Kind: sahay.MessageOutgoing, SenderType: sahay.SenderSystem, Content: "How did we do?",
			Details: &sahay.MessageDetails{Survey: true}}
		tl.apply(sahay.MessageCreated{Message: survey}, local("2026-12-15 10:01"))
		if tl.fact.AskedDay == nil || tl.fact.AgentReplies != 0 {
			t.Errorf("survey link: asked %v replies %d; want asked, no reply", tl.fact.AskedDay, tl.fact.AgentReplies)
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

// The reports read and fold an account's facts before the transaction
// that moves its cursor: when several nodes fold the same events at once,
// the first to move the cursor saves its facts and the others, whose
// reads are then stale, change nothing. The conversations are counted
// once.
func TestReportsFoldedOnceBySeveralNodes(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		ctx := context.Background()
		st := open(t)
		const conversations = 20
		var accountID int64
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			acc := &sahay.Account{Name: "Shop"}
			if err := tx.CreateAccount(ctx, acc); err != nil {
				return err
			}
			accountID = acc.ID
			in := &sahay.Inbox{AccountID: acc.ID, Name: "Chat", Channel: "api"}
			if err := tx.CreateInbox(ctx, in, ""); err != nil {
				return err
			}
			contact := &sahay.Contact{AccountID: acc.ID, Name: "Customer"}
			if err := tx.CreateContact(ctx, contact); err != nil {
				return err
			}
			for i := range conversations {
				c := &sahay.Conversation{AccountID: acc.ID, DisplayID: int64(i + 1), InboxID: in.ID, ContactID: contact.ID,
					Status: sahay.StatusOpen, Priority: sahay.PriorityNone, CreatedAt: tx.Now(), LastActivityAt: tx.Now(), UpdatedAt: tx.Now()}
				if err := tx.InsertConversation(ctx, c); err != nil {
					return err
				}
				if err := tx.Emit(ctx, acc.ID, in.ID, c.ID, sahay.ConversationCreated{Conversation: c}); err != nil {
					return err
				}
			}
			return nil
		})
		upTo, err := st.LastEventSeq(ctx, accountID)
		if err != nil {
			t.Fatal(err)
		}
		s := &Service{store: st, log: slog.New(slog.DiscardHandler)}
		nodes := 4
		errs := make(chan error, nodes)
		for range nodes {
			go func() { errs <- s.reportAccount(ctx, accountID, 0, upTo) }()
		}
		saved := 0
		for range nodes {
			switch err := <-errs; {
			case err == nil:
				saved++
			case !errors.Is(err, errReportedElsewhere):
				t.Fatal(err)
			}
		}
		if saved != 1 {
			t.Fatalf("%d of %d nodes saved the facts; want 1", saved, nodes)
		}
		got, err := st.ReportTotals(ctx, store.ReportFilter{AccountID: accountID, From: 0, To: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if got.Opened != conversations {
			t.Errorf("rollups count %d conversations opened; want %d", got.Opened, conversations)
		}
		exact, err := st.ReportTotals(ctx, store.ReportFilter{AccountID: accountID, From: 0, To: 1 << 30, Exact: true})
		if err != nil {
			t.Fatal(err)
		}
		if exact.Opened != conversations {
			t.Errorf("facts count %d conversations opened; want %d", exact.Opened, conversations)
		}
	})
}
