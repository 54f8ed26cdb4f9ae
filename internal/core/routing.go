package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// Routing (docs/routing.md): an inbox or team whose mode is not off has
// its open, unassigned conversations assigned by the assigner, which runs
// on the one node holding its lease and assigns under the account's row
// lock, so every node's arrivals are counted against one set of loads and
// turns.
const (
	routingLeaseName = "assigner"
	routingLease     = 15 * time.Second
	routingPoll      = time.Second
	routingPause     = 50 * time.Millisecond
	// routingBatch is the size of a page of an account's queue, and
	// routingPages bounds the pages one pass reads.
	routingBatch = 64
	routingPages = 16
	// maxReassignAfter bounds the grace period before an unavailable
	// agent's conversations are routed again: a day.
	maxReassignAfter = 24 * 60 * 60
	// maxCapacity bounds an agent's capacity of a channel kind.
	maxCapacity = 1000
)

// assigner is the routing state of the node holding the assigner's lease.
type assigner struct {
	wake chan struct{}
	mu   sync.Mutex
	// away is, by account and user, when the assigner first saw an
	// assignee with routed open conversations unavailable.
	away map[int64]map[int64]time.Time
	// after is, by account, the id after which the next pass reads the
	// queue; 0 from its start.
	after map[int64]int64
}

// RoutingInput changes an inbox's or a team's routing settings; nil
// fields keep their value.
type RoutingInput struct {
	Mode                 *string `json:"mode"`
	OnlyAvailable        *bool   `json:"only_available"`
	LanguageAware        *bool   `json:"language_aware"`
	ReassignAfterSeconds *int    `json:"reassign_after_seconds"`
}

func (in RoutingInput) apply(r sahay.RoutingSettings) (sahay.RoutingSettings, error) {
	if in.Mode != nil {
		if !slices.Contains(sahay.RoutingModes, *in.Mode) {
			return r, sahay.Invalid("mode must be off, round_robin or least_loaded, not %q", *in.Mode)
		}
		r.Mode = *in.Mode
	}
	if in.OnlyAvailable != nil {
		r.OnlyAvailable = *in.OnlyAvailable
	}
	if in.LanguageAware != nil {
		r.LanguageAware = *in.LanguageAware
	}
	if in.ReassignAfterSeconds != nil {
		if n := *in.ReassignAfterSeconds; n < 0 || n > maxReassignAfter {
			return r, sahay.Invalid("reassign_after_seconds must be 0 (never) to %d (a day), not %d", maxReassignAfter, n)
		}
		r.ReassignAfterSeconds = *in.ReassignAfterSeconds
	}
	if r.ReassignAfterSeconds > 0 && !r.OnlyAvailable {
		return r, sahay.Invalid("reassign_after_seconds needs only_available: an agent's absence matters only when routing waits for available agents; set it to 0")
	}
	return r, nil
}

// InboxRouting returns an inbox's routing settings.
func (s *Service) InboxRouting(ctx context.Context, a *Actor, inboxID int64) (sahay.RoutingSettings, error) {
	return s.routingOf(ctx, a, store.ScopeInbox, inboxID)
}

// SetInboxRouting changes an inbox's routing settings.
func (s *Service) SetInboxRouting(ctx context.Context, a *Actor, inboxID int64, in RoutingInput) (sahay.RoutingSettings, error) {
	return s.setRouting(ctx, a, store.ScopeInbox, inboxID, in)
}

// TeamRouting returns a team's routing settings.
func (s *Service) TeamRouting(ctx context.Context, a *Actor, teamID int64) (sahay.RoutingSettings, error) {
	return s.routingOf(ctx, a, store.ScopeTeam, teamID)
}

// SetTeamRouting changes a team's routing settings.
func (s *Service) SetTeamRouting(ctx context.Context, a *Actor, teamID int64, in RoutingInput) (sahay.RoutingSettings, error) {
	return s.setRouting(ctx, a, store.ScopeTeam, teamID, in)
}

// routingTarget checks that the inbox or team exists in the actor's
// account and that the actor administers it.
func (s *Service) routingTarget(ctx context.Context, a *Actor, scope string, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	var err error
	if scope == store.ScopeTeam {
		_, err = s.store.Team(ctx, a.AccountID(), id)
	} else {
		_, err = s.store.Inbox(ctx, a.AccountID(), id)
	}
	return err
}

func (s *Service) routingOf(ctx context.Context, a *Actor, scope string, id int64) (sahay.RoutingSettings, error) {
	if err := s.routingTarget(ctx, a, scope, id); err != nil {
		return sahay.RoutingSettings{}, err
	}
	return s.store.RoutingSettings(ctx, a.AccountID(), scope, id)
}

func (s *Service) setRouting(ctx context.Context, a *Actor, scope string, id int64, in RoutingInput) (sahay.RoutingSettings, error) {
	if err := s.routingTarget(ctx, a, scope, id); err != nil {
		return sahay.RoutingSettings{}, err
	}
	cur, err := s.store.RoutingSettings(ctx, a.AccountID(), scope, id)
	if err != nil {
		return cur, err
	}
	next, err := in.apply(cur)
	if err != nil {
		return cur, err
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetRoutingSettings(ctx, a.AccountID(), scope, id, next); err != nil {
			return err
		}
		return audit(ctx, tx, a, "routing.update", scope, id, next)
	})
	if err != nil {
		return cur, err
	}
	s.nudgeRouting()
	return next, nil
}

func checkCapacity(c sahay.Capacity) error {
	for _, kind := range []string{sahay.KindChat, sahay.KindEmail} {
		if n, ok := c.Of(kind); ok && (n < 0 || n > maxCapacity) {
			return sahay.Invalid("%s capacity must be 0 (takes none) to %d, not %d", kind, maxCapacity, n)
		}
	}
	return nil
}

// AccountCapacity returns the account's default capacity.
func (s *Service) AccountCapacity(ctx context.Context, a *Actor) (sahay.Capacity, error) {
	caps, err := s.store.Capacities(ctx, a.AccountID())
	if err != nil {
		return sahay.Capacity{}, err
	}
	return caps[0], nil
}

// SetAccountCapacity changes the account's default capacity; a kind left
// null takes the built-in default.
func (s *Service) SetAccountCapacity(ctx context.Context, a *Actor, c sahay.Capacity) (sahay.Capacity, error) {
	if err := a.requireAdmin(); err != nil {
		return sahay.Capacity{}, err
	}
	if err := checkCapacity(c); err != nil {
		return sahay.Capacity{}, err
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetCapacity(ctx, a.AccountID(), 0, c); err != nil {
			return err
		}
		return audit(ctx, tx, a, "capacity.update", "account", a.AccountID(), c)
	})
	if err != nil {
		return sahay.Capacity{}, err
	}
	s.nudgeRouting()
	return s.AccountCapacity(ctx, a)
}

// UserCapacity returns a user's own capacity: null kinds take the
// account's default. Agents read their own, administrators anyone's.
func (s *Service) UserCapacity(ctx context.Context, a *Actor, userID int64) (sahay.Capacity, error) {
	if userID != a.User.ID && !a.User.IsAdmin() {
		return sahay.Capacity{}, sahay.Errorf(sahay.EFORBIDDEN, "only an administrator may read another user's capacity")
	}
	if _, err := s.store.User(ctx, a.AccountID(), userID); err != nil {
		return sahay.Capacity{}, err
	}
	caps, err := s.store.Capacities(ctx, a.AccountID())
	if err != nil {
		return sahay.Capacity{}, err
	}
	return caps[userID], nil
}

// SetUserCapacity replaces a user's capacity.
func (s *Service) SetUserCapacity(ctx context.Context, a *Actor, userID int64, c sahay.Capacity) (sahay.Capacity, error) {
	if err := a.requireAdmin(); err != nil {
		return sahay.Capacity{}, err
	}
	if _, err := s.store.User(ctx, a.AccountID(), userID); err != nil {
		return sahay.Capacity{}, err
	}
	if err := checkCapacity(c); err != nil {
		return sahay.Capacity{}, err
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetCapacity(ctx, a.AccountID(), userID, c); err != nil {
			return err
		}
		return audit(ctx, tx, a, "capacity.update", "user", userID, c)
	})
	if err != nil {
		return sahay.Capacity{}, err
	}
	s.nudgeRouting()
	return c, nil
}

// nudgeRouting wakes the assigner if it runs on this node.
func (s *Service) nudgeRouting() {
	select {
	case s.assigner.wake <- struct{}{}:
	default:
	}
}

// runRouting runs the assigner while this node holds its lease.
func (s *Service) runRouting() {
	s.follow(follower{lease: routingLeaseName, ttl: routingLease, poll: routingPoll, gap: routingPause, pass: s.routingPass,
		nudge: s.assigner.wake, wakeOn: []string{sahay.EventMessageCreated, sahay.EventConversationCreated, sahay.EventConversationUpdated}})
}

// routingPass routes each routed account's queue once and reports whether
// work may be left.
func (s *Service) routingPass(ctx context.Context) bool {
	if !s.rosterSettled() {
		// Agents connected to other nodes would look away.
		return false
	}
	accounts, err := s.store.RoutedAccounts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("routing accounts", "err", err)
		}
		return false
	}
	s.assigner.mu.Lock()
	for id := range s.assigner.away {
		if !slices.Contains(accounts, id) {
			delete(s.assigner.away, id)
		}
	}
	for id := range s.assigner.after {
		if !slices.Contains(accounts, id) {
			delete(s.assigner.after, id)
		}
	}
	s.assigner.mu.Unlock()
	more := false
	for _, id := range accounts {
		r, err := s.loadRouting(ctx, id)
		if err != nil || r == nil {
			if err != nil && ctx.Err() == nil {
				s.log.Error("routing", "account", id, "err", err)
			}
			continue
		}
		if err := s.requeueAway(ctx, r); err != nil && ctx.Err() == nil {
			s.log.Error("routing: requeue", "account", id, "err", err)
		}
		m, err := s.route(ctx, r)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("routing", "account", id, "err", err)
			}
			continue
		}
		more = more || m
	}
	return more
}

// routing is what one pass over an account knows: its routed inboxes and
// teams, users, capacities and inboxes, and the loads and turns as last
// read (the ones that decide are read inside the transaction).
type routing struct {
	accountID int64
	inboxes   map[int64]sahay.RoutingSettings
	teams     map[int64]sahay.RoutingSettings
	users     map[int64]*sahay.User
	caps      map[int64]sahay.Capacity
	inboxOf   map[int64]*sahay.Inbox
	kinds     map[int64]string
	teamOf    map[int64]*sahay.Team
	// loads counts each user's open conversations by channel kind.
	loads map[int64]map[string]int
	// turns are each scope's agents' last turns, read on first use.
	turns map[string]map[int64]int64
	// rota holds who is on each kind of shift now, read on first use.
	rota map[string]shiftNow
}

// scope returns the settings a conversation is routed by, and false when
// it is not routed: its team's when the team's routing is on, else its
// inbox's.
func (r *routing) scope(c *sahay.Conversation) (string, int64, sahay.RoutingSettings, bool) {
	if c.TeamID != 0 {
		if set, ok := r.teams[c.TeamID]; ok {
			return store.ScopeTeam, c.TeamID, set, true
		}
	}
	if set, ok := r.inboxes[c.InboxID]; ok {
		return store.ScopeInbox, c.InboxID, set, true
	}
	return "", 0, sahay.RoutingSettings{}, false
}

// loadRouting reads an account's routed inboxes and teams, or nil when
// it routes none; [Service.fillRouting] reads the rest when there is
// work.
func (s *Service) loadRouting(ctx context.Context, accountID int64) (*routing, error) {
	scopes, err := s.store.RoutedScopes(ctx, accountID)
	if err != nil || len(scopes) == 0 {
		return nil, err
	}
	r := &routing{accountID: accountID, inboxes: map[int64]sahay.RoutingSettings{}, teams: map[int64]sahay.RoutingSettings{}}
	for _, sc := range scopes {
		if sc.Scope == store.ScopeTeam {
			r.teams[sc.ID] = sc.Settings
		} else {
			r.inboxes[sc.ID] = sc.Settings
		}
	}
	return r, nil
}

// fillRouting reads the account's users, inboxes, teams and capacities
// into r, and forgets the turns read in an earlier transaction.
func (s *Service) fillRouting(ctx context.Context, r *routing) error {
	r.turns = map[string]map[int64]int64{}
	if r.users != nil {
		return nil
	}
	r.users, r.inboxOf, r.kinds, r.teamOf = map[int64]*sahay.User{}, map[int64]*sahay.Inbox{}, map[int64]string{}, map[int64]*sahay.Team{}
	users, err := s.store.Users(ctx, r.accountID)
	if err != nil {
		return err
	}
	for _, u := range users {
		r.users[u.ID] = u
	}
	inboxes, err := s.store.Inboxes(ctx, r.accountID)
	if err != nil {
		return err
	}
	for _, in := range inboxes {
		r.inboxOf[in.ID] = in
		r.kinds[in.ID] = sahay.KindChat
		if d, err := s.channels.Describe(in.Channel); err == nil && d.Capabilities.Subject {
			r.kinds[in.ID] = sahay.KindEmail
		}
	}
	teams, err := s.store.Teams(ctx, r.accountID)
	if err != nil {
		return err
	}
	for _, t := range teams {
		r.teamOf[t.ID] = t
	}
	r.caps, err = s.store.Capacities(ctx, r.accountID)
	return err
}

// readLoads counts each user's open conversations by kind, as tx sees
// them, or, with tx nil, as st does.
func (r *routing) readLoads(ctx context.Context, tx *store.Tx, st *store.Store) error {
	var loads []store.OpenLoad
	var err error
	if tx != nil {
		loads, err = tx.OpenLoads(ctx, r.accountID)
	} else {
		loads, err = st.OpenLoads(ctx, r.accountID)
	}
	if err != nil {
		return err
	}
	r.loads = map[int64]map[string]int{}
	for _, l := range loads {
		if r.loads[l.AssigneeID] == nil {
			r.loads[l.AssigneeID] = map[string]int{}
		}
		r.loads[l.AssigneeID][r.kind(l.InboxID)] += l.N
	}
	return nil
}

func (r *routing) kind(inboxID int64) string {
	if k, ok := r.kinds[inboxID]; ok {
		return k
	}
	return sahay.KindChat
}

// capacity is a user's capacity of a kind: their own, else the account's.
func (r *routing) capacity(userID int64, kind string) int {
	if n, ok := r.caps[userID].Of(kind); ok {
		return n
	}
	n, _ := r.caps[0].Of(kind)
	return n
}

// candidate is an agent who may take a conversation now.
type candidate struct {
	user  *sahay.User
	load  int
	turn  int64
	speak bool
}

// routingCandidates returns the agents who may take conversation c now:
// the members of its team (when its team routes it) who work its inbox,
// or of its inbox; not bots; available when the settings ask it; under
// their capacity of c's channel kind; and, when the account's rota has
// shifts of c's kind of shift (rota.go), on one now.
func (s *Service) routingCandidates(ctx context.Context, tx *store.Tx, r *routing, c *sahay.Conversation) ([]candidate, error) {
	scope, scopeID, set, ok := r.scope(c)
	inbox := r.inboxOf[c.InboxID]
	if !ok || inbox == nil {
		return nil, nil
	}
	members := inbox.MemberIDs
	if scope == store.ScopeTeam {
		team := r.teamOf[scopeID]
		if team == nil {
			return nil, nil
		}
		members = nil
		for _, id := range team.MemberIDs {
			if u := r.users[id]; u != nil && (u.IsAdmin() || slices.Contains(inbox.MemberIDs, id)) {
				members = append(members, id)
			}
		}
	}
	key := scope + ":" + fmt.Sprint(scopeID)
	turns := r.turns[key]
	if turns == nil && tx != nil {
		var err error
		if turns, err = tx.RoutingTurns(ctx, r.accountID, scope, scopeID); err != nil {
			return nil, err
		}
		r.turns[key] = turns
	}
	// With shifts of the conversation's kind on the rota, only who is on
	// one now takes it.
	shift, err := s.onShiftOf(ctx, r, s.ShiftKind(inbox.Channel))
	if err != nil {
		return nil, err
	}
	kind := r.kind(c.InboxID)
	var out []candidate
	for _, id := range members {
		u := r.users[id]
		if u == nil || u.Role == sahay.RoleBot {
			continue
		}
		if shift.scheduled && !slices.Contains(shift.userIDs, id) {
			continue
		}
		if set.OnlyAvailable && !s.Available(u) {
			continue
		}
		load := r.loads[id][kind]
		if load >= r.capacity(id, kind) {
			continue
		}
		out = append(out, candidate{user: u, load: load, turn: turns[id], speak: speaks(u, c.Language)})
	}
	return out, nil
}

// speaks reports whether u speaks lang, by its primary subtag ("bn" for
// "bn-BD").
func speaks(u *sahay.User, lang string) bool {
	if lang == "" {
		return false
	}
	primary := func(tag string) string {
		p, _, _ := strings.Cut(strings.ToLower(tag), "-")
		return p
	}
	for _, l := range u.Languages {
		if primary(l) == primary(lang) {
			return true
		}
	}
	return false
}

// chooseAgent picks among candidates: those who speak the conversation's
// language when the settings ask it and one can take it, then by mode —
// round robin the longest since their last turn, least loaded the fewest
// open conversations of the kind — ties to the other measure, then the
// lower id. The reason names what decided.
func chooseAgent(cands []candidate, set sahay.RoutingSettings) (*candidate, string) {
	if len(cands) == 0 {
		return nil, ""
	}
	reason := set.Mode
	pool := cands
	if set.LanguageAware {
		var speakers []candidate
		for _, c := range cands {
			if c.speak {
				speakers = append(speakers, c)
			}
		}
		if len(speakers) > 0 && len(speakers) < len(cands) {
			pool, reason = speakers, "language"
		}
	}
	best := pool[0]
	for _, c := range pool[1:] {
		a, b := [3]int64{c.turn, int64(c.load), c.user.ID}, [3]int64{best.turn, int64(best.load), best.user.ID}
		if set.Mode == sahay.RoutingLeastLoaded {
			a[0], a[1], b[0], b[1] = a[1], a[0], b[1], b[0]
		}
		if slices.Compare(a[:], b[:]) < 0 {
			best = c
		}
	}
	return &best, reason
}

// route assigns what it can of an account's queue under the account's
// lock, oldest first, page by page, and reports whether more may be
// waiting. A page none of whose conversations anyone can take now (by the
// loads read before the lock) costs no transaction. A pass reads at most
// routingPages pages and the next goes on from there, so conversations
// nobody can take (their inbox closed, their agents full) never keep the
// later ones from being routed.
func (s *Service) route(ctx context.Context, r *routing) (bool, error) {
	s.assigner.mu.Lock()
	after := s.assigner.after[r.accountID]
	s.assigner.mu.Unlock()
	inboxIDs, teamIDs := slices.Collect(mapKeys(r.inboxes)), slices.Collect(mapKeys(r.teams))
	open := map[int64]bool{}
	assigned := 0
	for range routingPages {
		queue, err := s.store.RoutingQueue(ctx, r.accountID, inboxIDs, teamIDs, after, routingBatch)
		if err != nil {
			return false, err
		}
		if len(queue) < routingBatch {
			after = 0
		} else {
			after = queue[len(queue)-1].ID
		}
		if len(queue) > 0 {
			if err := s.fillRouting(ctx, r); err != nil {
				return false, err
			}
			n, err := s.routePage(ctx, r, queue, open)
			if err != nil {
				return false, err
			}
			assigned += n
		}
		if after == 0 {
			break
		}
	}
	s.assigner.mu.Lock()
	s.assigner.after[r.accountID] = after
	s.assigner.mu.Unlock()
	return assigned > 0 && after != 0, nil
}

// inboxOpen reports whether an inbox is within its business hours now,
// remembering the answer in open.
func (s *Service) inboxOpen(ctx context.Context, r *routing, open map[int64]bool, inboxID int64) (bool, error) {
	if in, seen := open[inboxID]; seen {
		return in, nil
	}
	inbox := r.inboxOf[inboxID]
	if inbox == nil {
		return false, nil
	}
	hours, err := s.EffectiveHours(ctx, r.accountID, ownHours(inbox))
	if err != nil {
		return false, err
	}
	open[inboxID] = hours.Open(time.Now())
	return open[inboxID], nil
}

// routePage routes the conversations of one page of the queue that are
// within business hours and that someone can take, in one transaction,
// and returns how many it assigned.
func (s *Service) routePage(ctx context.Context, r *routing, queue []*sahay.Conversation, open map[int64]bool) (int, error) {
	if err := r.readLoads(ctx, nil, s.store); err != nil {
		return 0, err
	}
	var routable []int64
	for _, c := range queue {
		in, err := s.inboxOpen(ctx, r, open, c.InboxID)
		if err != nil {
			return 0, err
		}
		if !in {
			continue
		}
		cands, err := s.routingCandidates(ctx, nil, r, c)
		if err != nil {
			return 0, err
		}
		if len(cands) > 0 {
			routable = append(routable, c.ID)
		}
	}
	if len(routable) == 0 {
		return 0, nil
	}
	assigned := 0
	err := s.write(ctx, func(tx *store.Tx) error {
		assigned = 0
		r.turns = map[string]map[int64]int64{}
		if err := tx.LockAccount(ctx, r.accountID); err != nil {
			return err
		}
		if err := r.readLoads(ctx, tx, nil); err != nil {
			return err
		}
		for _, id := range routable {
			c, err := tx.Conversation(ctx, r.accountID, id)
			if err != nil {
				continue
			}
			if c.Status != sahay.StatusOpen || c.AssigneeID != 0 {
				continue
			}
			cands, err := s.routingCandidates(ctx, tx, r, c)
			if err != nil {
				return err
			}
			scope, scopeID, set, _ := r.scope(c)
			pick, reason := chooseAgent(cands, set)
			if pick == nil {
				continue
			}
			if err := s.routeTo(ctx, tx, r, c, scope, scopeID, pick.user.ID, reason); err != nil {
				return err
			}
			assigned++
		}
		return nil
	})
	return assigned, err
}

func mapKeys[V any](m map[int64]V) func(func(int64) bool) {
	return func(yield func(int64) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// routeTo assigns c to userID in tx, as a manual assignment does (a
// timeline line, the assignee notified, conversation.updated), and takes
// the user's turn and load.
func (s *Service) routeTo(ctx context.Context, tx *store.Tx, r *routing, c *sahay.Conversation, scope string, scopeID, userID int64, reason string) error {
	next := *c
	next.AssigneeID = userID
	if err := tx.UpdateConversation(ctx, c, &next); err != nil {
		return err
	}
	key := scope + ":" + fmt.Sprint(scopeID)
	turn := int64(0)
	for _, t := range r.turns[key] {
		turn = max(turn, t)
	}
	turn++
	if err := tx.SetRoutingTurn(ctx, r.accountID, scope, scopeID, userID, turn); err != nil {
		return err
	}
	r.turns[key][userID] = turn
	if r.loads[userID] == nil {
		r.loads[userID] = map[string]int{}
	}
	r.loads[userID][r.kind(c.InboxID)]++
	if err := s.activity(ctx, tx, &next, 0, fmt.Sprintf("routed:%d:%s", userID, reason)); err != nil {
		return err
	}
	if err := s.notify(ctx, tx, &sahay.Notification{AccountID: c.AccountID, UserID: userID, Kind: sahay.NotifyAssigned,
		ConversationID: c.ID, Body: c.LastMessage}); err != nil {
		return err
	}
	return tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationUpdated{Conversation: &next})
}

// requeueAway returns to the queue the routed open conversations of each
// assignee who has been unavailable for longer than their settings'
// grace period, with a timeline line saying why; the next pass routes
// them again.
func (s *Service) requeueAway(ctx context.Context, r *routing) error {
	accountID := r.accountID
	loads, err := s.store.OpenLoads(ctx, accountID)
	if err != nil {
		return err
	}
	// Each assignee's shortest grace among the scopes of their routed
	// open conversations.
	grace := map[int64]time.Duration{}
	for _, l := range loads {
		_, _, set, ok := r.scope(&sahay.Conversation{InboxID: l.InboxID, TeamID: l.TeamID})
		if !ok || !set.OnlyAvailable || set.ReassignAfterSeconds == 0 {
			continue
		}
		d := time.Duration(set.ReassignAfterSeconds) * time.Second
		if g, seen := grace[l.AssigneeID]; !seen || d < g {
			grace[l.AssigneeID] = d
		}
	}
	s.assigner.mu.Lock()
	away := s.assigner.away[accountID]
	if away == nil {
		away = map[int64]time.Time{}
		s.assigner.away[accountID] = away
	}
	for id := range away {
		if _, has := grace[id]; !has {
			delete(away, id)
		}
	}
	s.assigner.mu.Unlock()
	if len(grace) == 0 {
		return nil
	}
	if err := s.fillRouting(ctx, r); err != nil {
		return err
	}
	now := time.Now()
	var due []int64
	s.assigner.mu.Lock()
	for id, u := range r.users {
		_, has := grace[id]
		if !has || s.Available(u) {
			delete(away, id)
			continue
		}
		since, seen := away[id]
		if !seen {
			away[id] = now
			continue
		}
		if now.Sub(since) >= grace[id] {
			due = append(due, id)
		}
	}
	s.assigner.mu.Unlock()
	for _, id := range due {
		u := r.users[id]
		why := u.Availability
		if why == sahay.AvailabilityOnline {
			why = "disconnected"
		}
		s.assigner.mu.Lock()
		gone := now.Sub(away[id])
		s.assigner.mu.Unlock()
		err := s.write(ctx, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, accountID); err != nil {
				return err
			}
			ids, err := tx.AssignedOpen(ctx, accountID, id)
			if err != nil {
				return err
			}
			for _, cid := range ids {
				c, err := tx.Conversation(ctx, accountID, cid)
				if err != nil {
					return err
				}
				_, _, set, ok := r.scope(c)
				if !ok || !set.OnlyAvailable || set.ReassignAfterSeconds == 0 || gone < time.Duration(set.ReassignAfterSeconds)*time.Second {
					continue
				}
				next := *c
				next.AssigneeID = 0
				if err := tx.UpdateConversation(ctx, c, &next); err != nil {
					return err
				}
				if err := s.activity(ctx, tx, &next, 0, fmt.Sprintf("requeued:%d:%s", id, why)); err != nil {
					return err
				}
				if err := tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationUpdated{Conversation: &next}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
