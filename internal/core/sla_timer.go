package core

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// The SLA timer: the node holding the lease slaLeaseName reads the
// unresolved conversations of each account with policies every slaPoll,
// and records each warning and breach it finds due in table sla_events.
// The table's unique key (conversation, kind, target, due time) makes the
// record, and what goes with it in the same transaction, happen once,
// whichever node finds it first and however often nodes restart:
//   - a warning notifies the assignee and the administrators who are
//     members of the conversation's team (its leads), or, when there are
//     none of those, the account's administrators;
//   - a breach notifies them too, and adds "sla_breached:<target>" to the
//     conversation's timeline, the event the automation rules on
//     sla_breached run on.
const (
	slaLeaseName = "sla-timer"
	slaLease     = 10 * time.Second
	slaPoll      = time.Second
	slaPause     = 200 * time.Millisecond
	slaBatch     = 500
	// slaRescan is how often the timer reads every unresolved
	// conversation of an account, whatever its events said.
	slaRescan = time.Minute
	// slaBreachActivity starts the timeline line of a breach.
	slaBreachActivity = "sla_breached:"
)

// Kinds of SLA events and notifications.
const (
	SLAWarning = "warning"
	SLABreach  = "breach"
	// NotifySLAWarning and NotifySLABreached are the notifications'
	// kinds; their body is the target.
	NotifySLAWarning  = "sla_warning"
	NotifySLABreached = "sla_breached"
)

// slaRecorded remembers the warnings and breaches the timer found
// recorded, so that a later pass, which finds them due again, does not
// take the writer to learn it once more. Keys of conversations a pass no
// longer finds unresolved are dropped at its end.
type slaRecorded struct {
	mu   sync.Mutex
	pass int64
	keys map[slaKey]int64 // the pass that last found each
}

type slaKey struct {
	conversationID int64
	kind, target   string
	due            int64
}

// seen reports whether k is known recorded, and keeps it for this pass.
func (r *slaRecorded) seen(k slaKey) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.keys[k]; ok {
		r.keys[k] = r.pass
		return true
	}
	return false
}

func (r *slaRecorded) add(k slaKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys == nil {
		r.keys = map[slaKey]int64{}
	}
	r.keys[k] = r.pass
}

// next ends a pass: what it did not find is dropped.
func (r *slaRecorded) next() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, p := range r.keys {
		if p < r.pass {
			delete(r.keys, k)
		}
	}
	r.pass++
}

// slaWatch is what the timer knows of each account between passes.
type slaWatch struct {
	mu       sync.Mutex
	accounts map[int64]*slaAccountWatch
}

// slaAccountWatch is the timer's view of one account: the last event it
// read, the policies it checked with (as printed by [slaPrint]), the
// policies rules set, and, by conversation, when its next warning or
// breach comes due. next is nil until a full pass.
type slaAccountWatch struct {
	seq      int64
	policies string
	applied  map[int64]int64
	next     map[int64]time.Time
	rescanAt time.Time
}

func (w *slaWatch) account(id int64) *slaAccountWatch {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.accounts == nil {
		w.accounts = map[int64]*slaAccountWatch{}
	}
	a := w.accounts[id]
	if a == nil {
		a = &slaAccountWatch{}
		w.accounts[id] = a
	}
	return a
}

func (w *slaWatch) forget(id int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.accounts, id)
}

// wake keeps the earliest moment after now at which target d of the
// conversation warns or breaches.
func (a *slaAccountWatch) wake(conversationID int64, d slaDue, now time.Time) {
	at := d.due
	if warn, ok := d.warnAt(); ok && now.Before(warn) {
		at = warn
	}
	if !now.Before(at) {
		return
	}
	if cur, ok := a.next[conversationID]; !ok || at.Before(cur) {
		a.next[conversationID] = at
	}
}

// slaPrint is a fingerprint of an account's policies: it changes when any
// of them does.
func slaPrint(policies []*store.SLAPolicy) string {
	b, _ := json.Marshal(policies)
	return string(b)
}

// slaSkew moves the timer's clock ahead, for tests.
var slaSkew atomic.Int64

func slaNow() time.Time { return time.Now().Add(time.Duration(slaSkew.Load())) }

func (s *Service) runSLATimer() {
	s.follow(follower{lease: slaLeaseName, ttl: slaLease, poll: slaPoll, gap: slaPause, pass: s.slaPass,
		wakeOn: []string{sahay.EventConversationCreated}})
}

// slaPass checks every account with policies once; it reports no work
// left, so the next pass comes after slaPoll.
func (s *Service) slaPass(ctx context.Context) bool {
	accounts, err := s.store.SLAAccounts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("sla accounts", "err", err)
		}
		return false
	}
	for _, id := range accounts {
		if err := s.slaAccount(ctx, id, slaNow()); err != nil && ctx.Err() == nil {
			s.log.Error("sla timer", "account", id, "err", err)
		}
	}
	s.slaRecorded.next()
	s.slaPasses.Add(1)
	return false
}

// slaDue is one running target of a conversation.
type slaDue struct {
	target      string
	from, due   time.Time
	seconds     int64
	hours       sahay.BusinessHours
	warnPercent int
	warnSeconds int64
}

// warnAt is when the warning of a running target comes: the earlier of
// warn_percent of the target (counted as the target is) and warn_seconds
// before it is due; false when the policy warns of nothing.
func (d slaDue) warnAt() (time.Time, bool) {
	var at time.Time
	if d.warnPercent > 0 {
		at = addBusiness(d.hours, d.from, time.Duration(d.seconds)*time.Second*time.Duration(d.warnPercent)/100)
	}
	if d.warnSeconds > 0 {
		if w := d.due.Add(-time.Duration(d.warnSeconds) * time.Second); at.IsZero() || w.Before(at) {
			at = w
		}
	}
	return at, !at.IsZero()
}

// slaAccount records the warnings and breaches of an account's
// conversations due by now. It reads every unresolved conversation on its
// first pass, when the account's policies or inboxes change, and every
// slaRescan; in between only the conversations the account's events
// name since the last pass, those a rule set a policy on, and those with a
// warning or breach come due: so a pass costs what changed, not what is
// open.
func (s *Service) slaAccount(ctx context.Context, accountID int64, now time.Time) error {
	policies, err := s.store.SLAPolicies(ctx, accountID)
	if err != nil {
		return err
	}
	if len(policies) == 0 {
		s.slaWatch.forget(accountID)
		return nil
	}
	applied, err := s.store.AppliedSLAPolicies(ctx, accountID)
	if err != nil {
		return err
	}
	w := s.slaWatch.account(accountID)
	ids, full, err := s.slaChanged(ctx, w, accountID, policies, applied, now)
	if err != nil {
		return err
	}
	check := func(list []*sahay.Conversation) error {
		err := s.slaConversations(ctx, w, policies, applied, list, now)
		if err != nil {
			w.next = nil // what was not checked is found by a full pass
		}
		return err
	}
	if !full {
		list, err := s.store.UnresolvedConversationsByID(ctx, accountID, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			delete(w.next, id) // resolved ones stay out; the others are set again
		}
		return check(list)
	}
	w.next = map[int64]time.Time{}
	for after := int64(0); ; {
		list, err := s.store.UnresolvedConversations(ctx, accountID, after, slaBatch)
		if err != nil {
			return err
		}
		if err := check(list); err != nil {
			return err
		}
		if len(list) < slaBatch {
			w.rescanAt = now.Add(slaRescan)
			return nil
		}
		after = list[len(list)-1].ID
	}
}

// slaChanged returns the conversations a pass of the account must read,
// or full when it must read them all.
func (s *Service) slaChanged(ctx context.Context, w *slaAccountWatch, accountID int64, policies []*store.SLAPolicy,
	applied map[int64]int64, now time.Time) ([]int64, bool, error) {
	fp := slaPrint(policies)
	full := w.next == nil || fp != w.policies || !now.Before(w.rescanAt)
	w.policies = fp
	seq := w.seq
	ids := map[int64]bool{}
	for !full {
		evs, err := s.store.EventHeadsAfter(ctx, accountID, seq, slaBatch)
		if err != nil {
			return nil, false, err
		}
		for _, ev := range evs {
			seq = ev.Seq
			if ev.Type == sahay.EventInboxChanged {
				full = true // hours may have changed under every clock
			}
			if ev.ConversationID != 0 {
				ids[ev.ConversationID] = true
			}
		}
		if len(evs) < slaBatch {
			break
		}
		if len(ids) > slaBatch*4 {
			full = true
		}
	}
	if full {
		last, err := s.store.LastEventSeq(ctx, accountID)
		if err != nil {
			return nil, false, err
		}
		w.seq, w.applied = last, applied
		return nil, true, nil
	}
	w.seq = seq
	for id, p := range applied {
		if w.applied[id] != p {
			ids[id] = true
		}
	}
	w.applied = applied
	for id, at := range w.next {
		if !now.Before(at) {
			ids[id] = true
		}
	}
	return slices.Sorted(maps.Keys(ids)), false, nil
}

// slaConversations checks the running targets of conversations and keeps
// when each next needs a look.
func (s *Service) slaConversations(ctx context.Context, w *slaAccountWatch, policies []*store.SLAPolicy,
	applied map[int64]int64, list []*sahay.Conversation, now time.Time) error {
	hours := map[int64]sahay.BusinessHours{}
	s.slaChecked.Add(int64(len(list)))
	for _, c := range list {
		p := pickSLAPolicy(policies, applied[c.ID], c)
		if p == nil {
			continue
		}
		h := sahay.BusinessHours{}
		if p.BusinessHours {
			var ok bool
			if h, ok = hours[c.InboxID]; !ok {
				var err error
				if h, err = s.HoursFor(ctx, c.AccountID, c.InboxID); err != nil {
					return err
				}
				hours[c.InboxID] = h
			}
		}
		for _, d := range slaRunning(p, h, c) {
			if err := s.slaCheck(ctx, c, p, d, now); err != nil {
				return err
			}
			w.wake(c.ID, d, now)
		}
	}
	return nil
}

// slaRunning lists the targets of a conversation whose clocks run, as
// [slaClock] counts them.
func slaRunning(p *store.SLAPolicy, h sahay.BusinessHours, c *sahay.Conversation) []slaDue {
	clock := slaClock(p, h, c, time.Time{})
	base := slaDue{hours: h, warnPercent: p.WarnPercent, warnSeconds: p.WarnSeconds}
	var out []slaDue
	add := func(target string, due *time.Time, from time.Time, seconds int64) {
		if due != nil {
			d := base
			d.target, d.due, d.from, d.seconds = target, *due, from, seconds
			out = append(out, d)
		}
	}
	add(SLAFirstResponse, clock.FirstResponseDueAt, c.CreatedAt, p.FirstResponseSeconds)
	if c.WaitingSince != nil {
		add(SLANextResponse, clock.NextResponseDueAt, *c.WaitingSince, p.NextResponseSeconds)
	}
	add(SLAResolution, clock.ResolutionDueAt, c.CreatedAt, p.ResolutionSeconds)
	return out
}

// slaCheck records a target's warning and breach once their time has
// come, notifying and, for a breach, adding it to the timeline.
func (s *Service) slaCheck(ctx context.Context, c *sahay.Conversation, p *store.SLAPolicy, d slaDue, now time.Time) error {
	kinds := []string{}
	if w, ok := d.warnAt(); ok && !now.Before(w) && now.Before(d.due) {
		kinds = append(kinds, SLAWarning)
	}
	if !now.Before(d.due) {
		kinds = append(kinds, SLABreach)
	}
	for _, kind := range kinds {
		key := slaKey{conversationID: c.ID, kind: kind, target: d.target, due: d.due.UnixNano()}
		if s.slaRecorded.seen(key) {
			continue
		}
		err := s.write(ctx, func(tx *store.Tx) error {
			e := &store.SLAEvent{ConversationID: c.ID, PolicyID: p.ID, Kind: kind, Target: d.target, DueAt: d.due}
			fresh, err := tx.RecordSLAEvent(ctx, c.AccountID, e)
			if err != nil || !fresh {
				return err
			}
			notifyKind := NotifySLAWarning
			if kind == SLABreach {
				notifyKind = NotifySLABreached
				if err := s.activity(ctx, tx, c, 0, slaBreachActivity+d.target); err != nil {
					return err
				}
			}
			users, err := s.slaWatchers(ctx, c)
			if err != nil {
				return err
			}
			for _, id := range users {
				if err := s.notify(ctx, tx, &sahay.Notification{AccountID: c.AccountID, UserID: id, Kind: notifyKind,
					ConversationID: c.ID, Body: d.target}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.slaRecorded.add(key)
	}
	return nil
}

// slaWatchers are the users told of a conversation's warnings and
// breaches: its assignee and the administrators among its team's members;
// the account's administrators when there is none of them.
func (s *Service) slaWatchers(ctx context.Context, c *sahay.Conversation) ([]int64, error) {
	users, err := s.store.Users(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	var members []int64
	if c.TeamID != 0 {
		if team, err := s.store.Team(ctx, c.AccountID, c.TeamID); err == nil {
			members = team.MemberIDs
		}
	}
	var out []int64
	if c.AssigneeID != 0 {
		out = append(out, c.AssigneeID)
	}
	for _, u := range users {
		if u.IsAdmin() && slices.Contains(members, u.ID) && !slices.Contains(out, u.ID) {
			out = append(out, u.ID)
		}
	}
	if len(out) == 0 {
		for _, u := range users {
			if u.IsAdmin() {
				out = append(out, u.ID)
			}
		}
	}
	return out, nil
}

// slaBreachTarget reads the target of a breach's timeline line; false for
// any other line.
func slaBreachTarget(content string) (string, bool) {
	return strings.CutPrefix(content, slaBreachActivity)
}
