package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
	for _, ev := range evs {
		if ev.Seq <= upTo && ev.ConversationID != 0 && !seen[ev.ConversationID] {
			seen[ev.ConversationID] = true
			ids = append(ids, ev.ConversationID)
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
		facts, orig := map[int64]*store.ReportFact{}, map[int64]*store.ReportFact{}
		for start := 0; start < len(ids); start += 500 {
			part, err := tx.ReportFacts(ctx, accountID, ids[start:min(start+500, len(ids))])
			if err != nil {
				return err
			}
			for id, f := range part {
				facts[id] = f
				o := *f // fold replaces the pointers it changes
				orig[id] = &o
			}
		}
		changed := map[int64]bool{}
		for _, ev := range evs {
			if ev.Seq > upTo {
				break
			}
			f, err := fd.fold(facts[ev.ConversationID], ev)
			if err != nil {
				return err
			}
			if f != nil {
				facts[ev.ConversationID] = f
				changed[ev.ConversationID] = true
			}
		}
		for _, id := range ids {
			if changed[id] {
				if err := tx.SaveReportFact(ctx, orig[id], facts[id]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return err
}

// reportFolder folds an account's events into conversation facts.
type reportFolder struct {
	loc     *time.Location
	hours   map[int64]*sahay.BusinessHours
	channel map[int64]string
}

func newReportFolder(account *sahay.Account, inboxes []*sahay.Inbox) *reportFolder {
	loc, err := time.LoadLocation(account.TimeZone)
	if err != nil || account.TimeZone == "" {
		loc = time.UTC
	}
	fd := &reportFolder{loc: loc, hours: map[int64]*sahay.BusinessHours{}, channel: map[int64]string{}}
	for _, in := range inboxes {
		fd.hours[in.ID] = accountHours(in, account)
		fd.channel[in.ID] = in.Channel
	}
	return fd
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

// fold applies one event to a conversation's facts (nil when it has none
// yet) and returns them, or nil when the event changes nothing.
func (fd *reportFolder) fold(f *store.ReportFact, ev sahay.Event) (*store.ReportFact, error) {
	switch ev.Type {
	case sahay.EventConversationCreated, sahay.EventConversationUpdated, sahay.EventMessageCreated, sahay.EventCSATCreated:
	default:
		return nil, nil
	}
	p, err := ev.Payload()
	if err != nil {
		return nil, fmt.Errorf("reports: event %d: %w", ev.Seq, err)
	}
	at := ev.CreatedAt
	switch p := p.(type) {
	case sahay.ConversationCreated:
		c := p.Conversation
		if c == nil || f != nil {
			return nil, nil
		}
		f = &store.ReportFact{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID, Channel: fd.channel[c.InboxID],
			TeamID: c.TeamID, AssigneeID: c.AssigneeID, Status: c.Status, OpenedAt: c.CreatedAt, OpenedDay: fd.day(c.CreatedAt)}
		if c.Status != sahay.StatusPending {
			f.ClockAt = &f.OpenedAt
		}
		return f, nil
	case sahay.ConversationUpdated:
		c := p.Conversation
		if c == nil || f == nil {
			return nil, nil
		}
		f.InboxID, f.TeamID, f.AssigneeID = c.InboxID, c.TeamID, c.AssigneeID
		if ch, ok := fd.channel[c.InboxID]; ok {
			f.Channel = ch
		}
		return f, nil
	case sahay.CSATCreated:
		if p.CSAT == nil || f == nil {
			return nil, nil
		}
		r, d := p.CSAT.Rating, fd.day(at)
		f.CSATRating, f.CSATDay = &r, &d
		return f, nil
	case sahay.MessageCreated:
		m := p.Message
		if m == nil || f == nil {
			return nil, nil
		}
		switch m.Kind {
		case sahay.MessageActivity:
			return fd.activity(f, m.Content, at), nil
		case sahay.MessageOutgoing:
			if m.SenderType != sahay.SenderUser || byAutomation(ev.Data) {
				return nil, nil
			}
			f.AgentReplies++
			if f.FirstResponseAt == nil {
				start := f.OpenedAt
				if f.ClockAt != nil {
					start = *f.ClockAt
				}
				t, d := at, fd.day(at)
				cal, bus := fd.span(f.InboxID, start, at)
				f.FirstResponseAt, f.FirstResponseDay, f.FirstResponseS, f.FirstResponseBS = &t, &d, &cal, &bus
			}
			return f, nil
		}
	}
	return nil, nil
}

// activity applies a timeline entry: a status change or a bot hand-off.
func (fd *reportFolder) activity(f *store.ReportFact, key string, at time.Time) *store.ReportFact {
	if strings.HasPrefix(key, "handoff:") {
		return fd.handoff(f, at)
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
	if f.Status == sahay.StatusPending {
		f.Status = sahay.StatusOpen
	}
	if f.FirstResponseAt == nil {
		t := at
		f.ClockAt = &t
	}
	return f
}

// byAutomation reports whether an event's payload was written by an
// automation rule.
func byAutomation(data json.RawMessage) bool {
	var mark struct {
		RuleID int64 `json:"automation_rule_id"`
	}
	return json.Unmarshal(data, &mark) == nil && mark.RuleID != 0
}

// ReportQuery asks for a summary: local dates From and To inclusive, in
// the account's time zone, as YYYY-MM-DD, and optional filters.
type ReportQuery struct {
	From, To      string
	InboxID       int64
	TeamID        int64
	AgentID       int64
	Channel       string
	BusinessHours bool
}

// Percentiles are a duration's median and 90th percentile in seconds;
// nil when nothing in the period was measured.
type Percentiles struct {
	Median *int64 `json:"median"`
	P90    *int64 `json:"p90"`
	Count  int    `json:"count"`
}

// CSATSummary is the share of ratings of 4 or 5 (0 to 1; nil with no
// ratings) and how many ratings came in the period.
type CSATSummary struct {
	Score     *float64 `json:"score"`
	Responses int      `json:"responses"`
}

// ReportSummary is a period's headline figures (docs/reports.md).
type ReportSummary struct {
	From                       string      `json:"from"`
	To                         string      `json:"to"`
	TimeZone                   string      `json:"time_zone"`
	BusinessHours              bool        `json:"business_hours"`
	ConversationsOpened        int         `json:"conversations_opened"`
	ConversationsResolved      int         `json:"conversations_resolved"`
	FirstResponseSeconds       Percentiles `json:"first_response_seconds"`
	ResolutionSeconds          Percentiles `json:"resolution_seconds"`
	CSAT                       CSATSummary `json:"csat"`
	FirstContactResolutionRate *float64    `json:"first_contact_resolution_rate"`
	SLAComplianceRate          *float64    `json:"sla_compliance_rate"`
}

// reportDay reads a YYYY-MM-DD date as YYYYMMDD.
func reportDay(field, v string) (time.Time, int, error) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, 0, sahay.Invalid("%s must be a date, YYYY-MM-DD", field)
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(v, "-", ""))
	return t, n, nil
}

// ReportSummary computes a period's summary from the report facts
// (administrators only).
func (s *Service) ReportSummary(ctx context.Context, a *Actor, q ReportQuery) (*ReportSummary, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	from, fromDay, err := reportDay("from", q.From)
	if err != nil {
		return nil, err
	}
	to, toDay, err := reportDay("to", q.To)
	if err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, sahay.Invalid("from must not be after to")
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxReportDays {
		return nil, sahay.Invalid("a report covers at most %d days", MaxReportDays)
	}
	account, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	t, err := s.store.ReportTotals(ctx, store.ReportFilter{AccountID: a.AccountID(), From: fromDay, To: toDay, InboxID: q.InboxID,
		Channel: q.Channel, TeamID: q.TeamID, AgentID: q.AgentID, BusinessHours: q.BusinessHours})
	if err != nil {
		return nil, err
	}
	tz := account.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	out := &ReportSummary{From: q.From, To: q.To, TimeZone: tz, BusinessHours: q.BusinessHours,
		ConversationsOpened: t.Opened, ConversationsResolved: t.Resolved,
		FirstResponseSeconds: Percentiles{Median: t.FirstResponseMedian, P90: t.FirstResponseP90, Count: t.FirstResponses},
		CSAT:                 CSATSummary{Responses: t.CSATResponses}}
	out.ResolutionSeconds = Percentiles{Median: t.ResolutionMedian, P90: t.ResolutionP90, Count: t.Resolved}
	if t.CSATResponses > 0 {
		v := float64(t.CSATSatisfied) / float64(t.CSATResponses)
		out.CSAT.Score = &v
	}
	if t.Resolved > 0 {
		v := float64(t.FirstContactResolved) / float64(t.Resolved)
		out.FirstContactResolutionRate = &v
	}
	return out, nil
}
