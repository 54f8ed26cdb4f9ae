package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// The reports follower: one node at a time folds the accounts' events
// into per-conversation facts (docs/reports.md).
const (
	reportLeaseName = "reports"
	reportLease     = 30 * time.Second
	reportPoll      = 5 * time.Second
	reportPause     = 500 * time.Millisecond
	reportAccounts  = 50
	reportBatch     = 2000
	// MaxReportDays is the longest period a report covers.
	MaxReportDays = 366
)

var errReportedElsewhere = errors.New("reports: events read by another node")

// runReports keeps the report facts while this node holds the lease,
// until the service stops.
func (s *Service) runReports() {
	s.follow(follower{lease: reportLeaseName, ttl: reportLease, poll: reportPoll, gap: reportPause, pass: s.reportPass,
		wakeOn: []string{sahay.EventMessageCreated, sahay.EventConversationCreated, sahay.EventConversationUpdated, sahay.EventCSATCreated}})
}

// reportPass folds one batch of each account with unread events, and
// reports whether work may be left.
func (s *Service) reportPass(ctx context.Context) bool {
	backlog, err := s.store.ReportBacklogs(ctx, reportAccounts)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("reports backlog", "err", err)
		}
		return false
	}
	more := len(backlog) == reportAccounts
	for _, b := range backlog {
		// As the scorer does: the reports run behind a burst of received
		// messages, whose calls wait for the writer and the CPU this
		// pass would take, and read a batch at least every scoreYield.
		s.yieldToReceive(ctx, reportLeaseName)
		upTo := min(b.Last, b.Cursor+reportBatch)
		if err := s.reportAccount(ctx, b.AccountID, b.Cursor, upTo); err != nil {
			if ctx.Err() == nil && !errors.Is(err, errReportedElsewhere) {
				s.log.Error("reports", "account", b.AccountID, "err", err)
			}
			continue
		}
		more = more || upTo < b.Last
	}
	return more
}

// reportAccount folds the account's events with after < seq <= upTo into
// its facts, in the transaction that moves the cursor: each event counts
// exactly once, whichever node reads it and however often it restarts.
func (s *Service) reportAccount(ctx context.Context, accountID, after, upTo int64) error {
	evs, err := s.store.EventsAfter(ctx, accountID, after, int(upTo-after))
	if err != nil {
		return err
	}
	account, err := s.store.Account(ctx, accountID)
	if err != nil {
		return err
	}
	inboxes, err := s.store.Inboxes(ctx, accountID)
	if err != nil {
		return err
	}
	fd := newReportFolder(account, inboxes)
	var ids []int64
	seen := map[int64]bool{}
	decoded := make([]reportEvent, 0, len(evs))
	for _, ev := range evs {
		if ev.Seq > upTo {
			break
		}
		re, err := decodeReportEvent(ev)
		if err != nil {
			return err
		}
		decoded = append(decoded, re)
		for _, id := range []int64{ev.ConversationID, mergedAway(ev)} {
			if id != 0 && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	// The facts are the reports' alone to change, in the transaction that
	// moves the cursor: read and folded before it, they are still current
	// if the cursor is where it was (on SQLite the transaction holds the
	// one writer that Receive's batches wait for).
	facts, orig := map[int64]*store.ReportFact{}, map[int64]*store.ReportFact{}
	for start := 0; start < len(ids); start += 500 {
		part, err := s.store.ReportFacts(ctx, accountID, ids[start:min(start+500, len(ids))])
		if err != nil {
			return err
		}
		for id, f := range part {
			facts[id] = f
			orig[id] = f.Clone()
		}
	}
	changed := map[int64]bool{}
	for _, ev := range decoded {
		if gone := mergedAway(ev.Event); gone != 0 {
			// Its messages joined another conversation, which keeps its
			// own figures; it no longer counts.
			facts[gone] = nil
			changed[gone] = true
			continue
		}
		if f := fd.foldDecoded(facts[ev.ConversationID], ev); f != nil {
			facts[ev.ConversationID] = f
			changed[ev.ConversationID] = true
		}
	}
	var changes []store.ReportFactChange
	for _, id := range ids {
		if changed[id] && (facts[id] != nil || orig[id] != nil) {
			changes = append(changes, store.ReportFactChange{Old: orig[id], New: facts[id]})
		}
	}
	_, err = s.store.Write(ctx, func(tx *store.Tx) error {
		moved, err := tx.MoveReportCursor(ctx, accountID, after, upTo)
		if err != nil {
			return err
		}
		if !moved {
			return errReportedElsewhere
		}
		return tx.SaveReportFacts(ctx, accountID, changes)
	})
	return err
}

// mergedAway is the conversation an event says was merged into another,
// or 0.
func mergedAway(ev sahay.Event) int64 {
	if ev.Type != sahay.EventConversationMerged {
		return 0
	}
	var m struct {
		ID int64 `json:"merged_conversation_id"`
	}
	if json.Unmarshal(ev.Data, &m) != nil {
		return 0
	}
	return m.ID
}

// reportFolder folds an account's events into conversation facts.
type reportFolder struct {
	loc     *time.Location
	hours   map[int64]*sahay.BusinessHours
	channel map[int64]string
	// asks are the inboxes that ask for a rating in the chat when a
	// conversation is resolved: widgets with their csat setting on.
	asks map[int64]bool
}

func newReportFolder(account *sahay.Account, inboxes []*sahay.Inbox) *reportFolder {
	loc, err := time.LoadLocation(account.TimeZone)
	if err != nil || account.TimeZone == "" {
		loc = time.UTC
	}
	fd := &reportFolder{loc: loc, hours: map[int64]*sahay.BusinessHours{}, channel: map[int64]string{}, asks: map[int64]bool{}}
	for _, in := range inboxes {
		fd.hours[in.ID] = accountHours(in, account)
		fd.channel[in.ID] = in.Channel
		fd.asks[in.ID] = in.Channel == "widget" && widgetAsksRating(in.Settings)
	}
	return fd
}

// widgetAsksRating reads a widget's csat setting, on unless set off.
func widgetAsksRating(settings json.RawMessage) bool {
	var s struct {
		CSAT *bool `json:"csat"`
	}
	if json.Unmarshal(settings, &s) != nil || s.CSAT == nil {
		return true
	}
	return *s.CSAT
}

// day is t's local date in the account's time zone as YYYYMMDD.
func (fd *reportFolder) day(t time.Time) int {
	y, m, d := t.In(fd.loc).Date()
	return y*10000 + int(m)*100 + d
}

// span is the calendar and business seconds from a to b in the inbox's
// hours; an inbox without hours is always open.
func (fd *reportFolder) span(inboxID int64, a, b time.Time) (int64, int64) {
	cal := max(int64(b.Sub(a)/time.Second), 0)
	h := fd.hours[inboxID]
	if h == nil {
		return cal, cal
	}
	return cal, int64(businessDuration(*h, a, b) / time.Second)
}

// reportEvent is an event with what fold reads of it decoded.
type reportEvent struct {
	sahay.Event
	// payload is nil for the events fold leaves alone.
	payload sahay.Payload
	// automated is set for a message an automation rule sent.
	automated bool
}

// decodeReportEvent decodes what fold reads of ev. Reports decode their
// events before the transaction that folds them: on SQLite it holds the
// one writer, which received messages wait for.
func decodeReportEvent(ev sahay.Event) (reportEvent, error) {
	re := reportEvent{Event: ev}
	switch ev.Type {
	case sahay.EventConversationCreated, sahay.EventConversationUpdated, sahay.EventMessageCreated, sahay.EventCSATCreated:
	default:
		return re, nil
	}
	var p sahay.Payload
	var err error
	if ev.Type == sahay.EventMessageCreated {
		// Only the message is folded: the conversation after it is
		// not decoded.
		var m *sahay.Message
		_, err = ev.DecodeField("message", &m)
		p = sahay.MessageCreated{Message: m}
	} else {
		p, err = ev.Payload()
	}
	if err != nil {
		return re, fmt.Errorf("reports: event %d: %w", ev.Seq, err)
	}
	re.payload = p
	if m, ok := p.(sahay.MessageCreated); ok && m.Message != nil && m.Message.Kind == sahay.MessageOutgoing && m.Message.SenderType == sahay.SenderUser {
		re.automated = byAutomation(ev.Data)
	}
	return re, nil
}

// fold applies one event to a conversation's facts (nil when it has none
// yet) and returns them, or nil when the event changes nothing.
func (fd *reportFolder) fold(f *store.ReportFact, ev sahay.Event) (*store.ReportFact, error) {
	re, err := decodeReportEvent(ev)
	if err != nil {
		return nil, err
	}
	return fd.foldDecoded(f, re), nil
}

// foldDecoded is fold of an event decoded by decodeReportEvent.
func (fd *reportFolder) foldDecoded(f *store.ReportFact, ev reportEvent) *store.ReportFact {
	p := ev.payload
	if p == nil {
		return nil
	}
	at := ev.CreatedAt
	switch p := p.(type) {
	case sahay.ConversationCreated:
		c := p.Conversation
		if c == nil || f != nil {
			return nil
		}
		f = &store.ReportFact{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID, Channel: fd.channel[c.InboxID],
			TeamID: c.TeamID, AssigneeID: c.AssigneeID, Labels: sortedLabels(c.Labels), Status: c.Status,
			OpenedAt: c.CreatedAt, OpenedDay: fd.day(c.CreatedAt), OpenedHour: c.CreatedAt.In(fd.loc).Hour(),
			BotHeld: c.Status == sahay.StatusPending}
		if !f.BotHeld {
			f.ClockAt = &f.OpenedAt
		}
		return f
	case sahay.ConversationUpdated:
		c := p.Conversation
		if c == nil || f == nil {
			return nil
		}
		f.InboxID, f.TeamID, f.AssigneeID, f.Labels = c.InboxID, c.TeamID, c.AssigneeID, sortedLabels(c.Labels)
		if ch, ok := fd.channel[c.InboxID]; ok {
			f.Channel = ch
		}
		return f
	case sahay.CSATCreated:
		if p.CSAT == nil || f == nil {
			return nil
		}
		r, d := p.CSAT.Rating, fd.day(at)
		f.CSATRating, f.CSATDay = &r, &d
		return f
	case sahay.MessageCreated:
		m := p.Message
		if m == nil || f == nil {
			return nil
		}
		switch m.Kind {
		case sahay.MessageActivity:
			return fd.activity(f, m.Content, at)
		case sahay.MessageIncoming:
			return fd.customerWrote(f, at)
		case sahay.MessageOutgoing:
			if m.SenderType == sahay.SenderSystem && m.Details != nil && m.Details.Survey {
				return fd.asked(f, at)
			}
			if m.SenderType != sahay.SenderUser || ev.automated {
				return nil
			}
			return fd.reply(f, at)
		}
	}
	return nil
}

// reply applies a public reply by a person: the first response, or the
// next response when the customer wrote since the last one.
func (fd *reportFolder) reply(f *store.ReportFact, at time.Time) *store.ReportFact {
	day := fd.day(at)
	f.AgentReplies++
	if f.ReplyDays == nil {
		f.ReplyDays = map[int]int{}
	}
	f.ReplyDays[day]++
	switch {
	case f.FirstResponseAt == nil:
		start := f.OpenedAt
		if f.ClockAt != nil {
			start = *f.ClockAt
		}
		t := at
		cal, bus := fd.span(f.InboxID, start, at)
		f.FirstResponseAt, f.FirstResponseDay, f.FirstResponseS, f.FirstResponseBS = &t, &day, &cal, &bus
	case f.WaitingAt != nil:
		cal, bus := fd.span(f.InboxID, *f.WaitingAt, at)
		f.NextResponses = append(f.NextResponses, store.ReportResponse{Day: day, S: cal, BS: bus})
	}
	f.WaitingAt = nil
	return f
}

// customerWrote applies a customer's message: after a person's reply, the
// first one starts the clock of the next response.
func (fd *reportFolder) customerWrote(f *store.ReportFact, at time.Time) *store.ReportFact {
	if f.FirstResponseAt == nil || f.WaitingAt != nil {
		return nil
	}
	t := at
	f.WaitingAt = &t
	return f
}

// asked records the first time the customer was asked for a rating.
func (fd *reportFolder) asked(f *store.ReportFact, at time.Time) *store.ReportFact {
	if f.AskedDay != nil {
		return nil
	}
	d := fd.day(at)
	f.AskedDay = &d
	return f
}

// activity applies a timeline entry: a status change, a bot hand-off or
// an SLA breach.
func (fd *reportFolder) activity(f *store.ReportFact, key string, at time.Time) *store.ReportFact {
	if strings.HasPrefix(key, "handoff:") {
		return fd.handoff(f, at)
	}
	if strings.HasPrefix(key, slaBreachActivity) {
		if f.SLABreached {
			return nil
		}
		f.SLABreached = true
		return f
	}
	next, ok := strings.CutPrefix(key, "status:")
	if !ok || next == f.Status {
		return nil
	}
	prev := f.Status
	f.Status = next
	switch {
	case next == sahay.StatusResolved:
		f.Resolves++
		t, d := at, fd.day(at)
		cal, bus := fd.span(f.InboxID, f.OpenedAt, at)
		f.ResolvedAt, f.ResolvedDay, f.ResolutionS, f.ResolutionBS = &t, &d, &cal, &bus
		f.WaitingAt = nil
		if fd.asks[f.InboxID] {
			fd.asked(f, at)
		}
	case prev == sahay.StatusResolved:
		// Reopened: no longer resolved until it is again.
		f.Reopens++
		f.ResolvedAt, f.ResolvedDay, f.ResolutionS, f.ResolutionBS = nil, nil, nil, nil
	case prev == sahay.StatusPending && next == sahay.StatusOpen:
		fd.handoff(f, at)
	}
	return f
}

// handoff marks the moment a bot handed the conversation to people: the
// first-response clock starts there, unless a person already replied.
func (fd *reportFolder) handoff(f *store.ReportFact, at time.Time) *store.ReportFact {
	f.BotHandoff = true
	if f.BotHeld && f.HandoffDay == nil {
		d := fd.day(at)
		f.HandoffDay = &d
	}
	if f.Status == sahay.StatusPending {
		f.Status = sahay.StatusOpen
	}
	if f.FirstResponseAt == nil {
		t := at
		f.ClockAt = &t
	}
	return f
}

// sortedLabels is a sorted copy of a conversation's labels.
func sortedLabels(labels []string) []string {
	if len(labels) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(labels))
}

// byAutomation reports whether an event's payload was written by an
// automation rule.
func byAutomation(data json.RawMessage) bool {
	var mark struct {
		RuleID int64 `json:"automation_rule_id"`
	}
	return json.Unmarshal(data, &mark) == nil && mark.RuleID != 0
}
