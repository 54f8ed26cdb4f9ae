package core

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

func (s *Service) visibleConversation(ctx context.Context, a *Actor, id int64) (*sahay.Conversation, error) {
	c, err := s.store.Conversation(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeInbox(c.InboxID) {
		return nil, sahay.NotFound("conversation")
	}
	return c, nil
}

// Conversation returns a conversation the actor may see.
func (s *Service) Conversation(ctx context.Context, a *Actor, id int64) (*sahay.Conversation, error) {
	return s.visibleConversation(ctx, a, id)
}

// ListQuery selects a view of conversations, as the API's query string does.
type ListQuery struct {
	Status   string // "" or "all" for every status
	Assignee string // "me", "none", a user id, or ""
	TeamID   int64
	InboxID  int64
	Label    string
	Channel  string
	Contact  int64
	// Mood is "", negative, neutral or positive.
	Mood   string
	Sort   string
	Cursor string
	Limit  int
}

// ListConversations returns a page of the conversations the actor may see.
func (s *Service) ListConversations(ctx context.Context, a *Actor, q ListQuery) ([]*sahay.Conversation, string, error) {
	f, err := s.conversationFilter(ctx, a, q)
	if err != nil {
		return nil, "", err
	}
	return s.store.Conversations(ctx, f)
}

// conversationFilter turns a list query into the store's filter, limited
// to what the actor may see.
func (s *Service) conversationFilter(ctx context.Context, a *Actor, q ListQuery) (store.ConversationFilter, error) {
	f := store.ConversationFilter{AccountID: a.AccountID(), Inboxes: a.Inboxes(), TeamID: q.TeamID, InboxID: q.InboxID,
		ContactID: q.Contact, Mood: q.Mood, Sort: q.Sort, Cursor: q.Cursor, Limit: q.Limit}
	switch q.Status {
	case "", "all":
	case sahay.StatusOpen, sahay.StatusPending, sahay.StatusSnoozed, sahay.StatusResolved:
		f.Status = q.Status
	default:
		return f, sahay.Invalid("unknown status %q", q.Status)
	}
	switch q.Assignee {
	case "":
	case "me":
		f.Assignee = &a.User.ID
	case "none":
		var zero int64
		f.Assignee = &zero
	default:
		id, err := strconv.ParseInt(q.Assignee, 10, 64)
		if err != nil || id <= 0 {
			return f, sahay.Invalid("assignee must be me, none or a user id")
		}
		f.Assignee = &id
	}
	labelID, channelInboxes, err := s.labelAndChannel(ctx, a, q.Label, q.Channel)
	if err != nil {
		return f, err
	}
	f.LabelID = labelID
	if channelInboxes != nil {
		f.Inboxes = channelInboxes
	}
	if f.InboxID != 0 && !a.CanSeeInbox(f.InboxID) {
		f.Inboxes = []int64{}
	}
	return f, nil
}

// labelID returns the id of the account's label of that name.
func (s *Service) labelID(ctx context.Context, a *Actor, name string) (int64, error) {
	labels, err := s.store.Labels(ctx, a.AccountID())
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(labels, func(l *sahay.Label) bool { return l.Name == name })
	if i < 0 {
		return 0, sahay.Invalid("unknown label %q", name)
	}
	return labels[i].ID, nil
}

// labelAndChannel resolves a list's label and channel filters: the label's
// id (0 for none) and the channel's inboxes the actor sees (nil for none).
func (s *Service) labelAndChannel(ctx context.Context, a *Actor, label, channel string) (int64, []int64, error) {
	var labelID int64
	if label != "" {
		var err error
		if labelID, err = s.labelID(ctx, a, label); err != nil {
			return 0, nil, err
		}
	}
	if channel == "" {
		return labelID, nil, nil
	}
	ids, err := s.channelInboxes(ctx, a, channel)
	return labelID, ids, err
}

// channelInboxes returns the inboxes of a channel the actor may see.
func (s *Service) channelInboxes(ctx context.Context, a *Actor, channel string) ([]int64, error) {
	inboxes, err := s.store.Inboxes(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, in := range inboxes {
		if in.Channel == channel && a.CanSeeInbox(in.ID) {
			ids = append(ids, in.ID)
		}
	}
	return ids, nil
}

// Messages returns a page of a conversation's timeline, oldest first.
func (s *Service) Messages(ctx context.Context, a *Actor, conversationID, before int64, limit int) ([]*sahay.Message, error) {
	if _, err := s.visibleConversation(ctx, a, conversationID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.store.Messages(ctx, a.AccountID(), conversationID, before, limit)
}

// ConversationUpdate changes a conversation; nil fields stay as they are.
type ConversationUpdate struct {
	Status       *string    `json:"status"`
	Priority     *int       `json:"priority"`
	AssigneeID   *int64     `json:"assignee_id"`
	TeamID       *int64     `json:"team_id"`
	SnoozedUntil *time.Time `json:"snoozed_until"`
}

// UpdateConversation applies u to a conversation the actor may see.
func (s *Service) UpdateConversation(ctx context.Context, a *Actor, id int64, u ConversationUpdate) (*sahay.Conversation, error) {
	if _, err := s.visibleConversation(ctx, a, id); err != nil {
		return nil, err
	}
	if err := s.checkUpdate(ctx, a, u); err != nil {
		return nil, err
	}
	var out *sahay.Conversation
	err := s.write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.updateTx(ctx, tx, a, id, u, nil)
		return err
	})
	return out, err
}

// checkUpdate validates the parts of an update that do not depend on the
// conversation's current state.
func (s *Service) checkUpdate(ctx context.Context, a *Actor, u ConversationUpdate) error {
	if u.Status != nil && !slices.Contains(sahay.Statuses, *u.Status) {
		return sahay.Invalid("unknown status %q: use open, pending, snoozed or resolved", *u.Status)
	}
	if u.Priority != nil && (*u.Priority < sahay.PriorityNone || *u.Priority > sahay.PriorityUrgent) {
		return sahay.Invalid("priority must be 0 (none) to 4 (urgent)")
	}
	if u.SnoozedUntil != nil && !u.SnoozedUntil.After(time.Now()) {
		return sahay.Invalid("snoozed_until must be in the future")
	}
	if u.Status != nil && *u.Status == sahay.StatusSnoozed && u.SnoozedUntil == nil {
		return sahay.Invalid("snoozing needs snoozed_until")
	}
	if u.Status != nil && *u.Status != sahay.StatusSnoozed && u.SnoozedUntil != nil {
		return sahay.Invalid("snoozed_until goes with status snoozed")
	}
	if u.AssigneeID != nil && *u.AssigneeID != 0 {
		if _, err := s.store.User(ctx, a.AccountID(), *u.AssigneeID); err != nil {
			return sahay.Invalid("unknown assignee %d", *u.AssigneeID)
		}
	}
	if u.TeamID != nil && *u.TeamID != 0 {
		if _, err := s.store.Team(ctx, a.AccountID(), *u.TeamID); err != nil {
			return sahay.Invalid("unknown team %d", *u.TeamID)
		}
	}
	return nil
}

// updateTx applies u, and adds the labels addLabels, to a conversation in
// tx: one timeline line per change and one event with the result.
func (s *Service) updateTx(ctx context.Context, tx *store.Tx, a *Actor, id int64, u ConversationUpdate, addLabels []string) (*sahay.Conversation, error) {
	if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
		return nil, err
	}
	c, err := tx.Conversation(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeInbox(c.InboxID) {
		return nil, sahay.NotFound("conversation")
	}
	next := *c
	var activities []string
	if u.SnoozedUntil != nil {
		next.Status, next.SnoozedUntil = sahay.StatusSnoozed, u.SnoozedUntil
	}
	if u.Status != nil && *u.Status != c.Status {
		next.Status = *u.Status
		if next.Status != sahay.StatusSnoozed {
			next.SnoozedUntil = nil
		}
		if next.Status == sahay.StatusResolved {
			now := tx.Now()
			next.ResolvedAt = &now
			next.WaitingSince = nil
		} else {
			next.ResolvedAt = nil
		}
	}
	if next.Status != c.Status {
		activities = append(activities, "status:"+next.Status)
	}
	if u.Priority != nil && *u.Priority != c.Priority {
		next.Priority = *u.Priority
		activities = append(activities, fmt.Sprintf("priority:%d", next.Priority))
	}
	if u.AssigneeID != nil && *u.AssigneeID != c.AssigneeID {
		if *u.AssigneeID != 0 {
			assignee, err := s.store.User(ctx, a.AccountID(), *u.AssigneeID)
			if err != nil {
				return nil, sahay.Invalid("unknown assignee %d", *u.AssigneeID)
			}
			if !assignee.IsAdmin() {
				inboxes, err := s.store.UserInboxIDs(ctx, assignee.ID)
				if err != nil {
					return nil, err
				}
				if !slices.Contains(inboxes, c.InboxID) {
					return nil, sahay.Invalid("%s is not a member of this conversation's inbox", assignee.Name)
				}
			}
		}
		next.AssigneeID = *u.AssigneeID
		activities = append(activities, fmt.Sprintf("assignee:%d", next.AssigneeID))
		if next.AssigneeID != 0 && next.AssigneeID != a.User.ID {
			if err := s.notify(ctx, tx, &sahay.Notification{AccountID: c.AccountID, UserID: next.AssigneeID, Kind: sahay.NotifyAssigned,
				ConversationID: c.ID, ActorID: a.User.ID, Body: c.LastMessage}); err != nil {
				return nil, err
			}
		}
	}
	if u.TeamID != nil && *u.TeamID != c.TeamID {
		next.TeamID = *u.TeamID
		activities = append(activities, fmt.Sprintf("team:%d", next.TeamID))
	}
	if err := tx.UpdateConversation(ctx, c, &next); err != nil {
		return nil, err
	}
	var added []string
	for _, name := range addLabels {
		if !slices.Contains(next.Labels, name) && !slices.Contains(added, name) {
			added = append(added, name)
		}
	}
	if len(added) > 0 {
		ids, err := labelIDs(ctx, tx, a.AccountID(), append(slices.Clone(next.Labels), added...))
		if err != nil {
			return nil, err
		}
		if err := tx.SetConversationLabels(ctx, &next, ids); err != nil {
			return nil, err
		}
		next.Labels = append(slices.Clone(next.Labels), added...)
		for _, name := range added {
			activities = append(activities, "label_added:"+name)
		}
	}
	for _, key := range activities {
		if err := s.activity(ctx, tx, &next, a.User.ID, key); err != nil {
			return nil, err
		}
	}
	if err := tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationUpdated{Conversation: &next}); err != nil {
		return nil, err
	}
	return &next, nil
}

// SetLabels replaces a conversation's labels, given by name.
func (s *Service) SetLabels(ctx context.Context, a *Actor, id int64, names []string) (*sahay.Conversation, error) {
	if _, err := s.visibleConversation(ctx, a, id); err != nil {
		return nil, err
	}
	var out *sahay.Conversation
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		ids, err := labelIDs(ctx, tx, a.AccountID(), names)
		if err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, a.AccountID(), id)
		if err != nil {
			return err
		}
		if err := tx.SetConversationLabels(ctx, c, ids); err != nil {
			return err
		}
		if out, err = tx.Conversation(ctx, a.AccountID(), id); err != nil {
			return err
		}
		for _, change := range labelChanges(c.Labels, out.Labels) {
			if err := s.activity(ctx, tx, out, a.User.ID, change); err != nil {
				return err
			}
		}
		return tx.Emit(ctx, out.AccountID, out.InboxID, out.ID, sahay.ConversationUpdated{Conversation: out})
	})
	return out, err
}

// labelChanges are the timeline lines for a change of labels from before to
// after: "label_added:<name>" and "label_removed:<name>".
func labelChanges(before, after []string) []string {
	var out []string
	for _, name := range after {
		if !slices.Contains(before, name) {
			out = append(out, "label_added:"+name)
		}
	}
	for _, name := range before {
		if !slices.Contains(after, name) {
			out = append(out, "label_removed:"+name)
		}
	}
	return out
}

func labelIDs(ctx context.Context, tx *store.Tx, accountID int64, names []string) ([]int64, error) {
	labels, err := tx.Labels(ctx, accountID)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, name := range names {
		i := slices.IndexFunc(labels, func(l *sahay.Label) bool { return l.Name == name })
		if i < 0 {
			return nil, sahay.Invalid("unknown label %q", name)
		}
		if !slices.Contains(ids, labels[i].ID) {
			ids = append(ids, labels[i].ID)
		}
	}
	return ids, nil
}

// BulkUpdate changes several conversations at once, all or none.
type BulkUpdate struct {
	IDs        []int64  `json:"ids"`
	Status     *string  `json:"status"`
	AssigneeID *int64   `json:"assignee_id"`
	TeamID     *int64   `json:"team_id"`
	AddLabels  []string `json:"add_labels"`
}

// MaxBulk is the most conversations one bulk action may change.
const MaxBulk = 500

// Bulk applies b to every listed conversation in one transaction.
func (s *Service) Bulk(ctx context.Context, a *Actor, b BulkUpdate) (int, error) {
	if len(b.IDs) == 0 {
		return 0, sahay.Invalid("ids is required")
	}
	if len(b.IDs) > MaxBulk {
		return 0, sahay.Errorf(sahay.ETOOLARGE, "at most %d conversations at once", MaxBulk)
	}
	u := ConversationUpdate{Status: b.Status, AssigneeID: b.AssigneeID, TeamID: b.TeamID}
	if err := s.checkUpdate(ctx, a, u); err != nil {
		return 0, err
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		if _, err := labelIDs(ctx, tx, a.AccountID(), b.AddLabels); err != nil {
			return err
		}
		for _, id := range b.IDs {
			if _, err := s.updateTx(ctx, tx, a, id, u, b.AddLabels); err != nil {
				return fmt.Errorf("conversation %d: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(b.IDs), nil
}

// Counts are the conversation counts of every view the actor may see, by
// status.
type Counts struct {
	All        map[string]int64            `json:"all"`
	Mine       map[string]int64            `json:"mine"`
	Unassigned map[string]int64            `json:"unassigned"`
	Inboxes    map[int64]map[string]int64  `json:"inboxes"`
	Teams      map[int64]map[string]int64  `json:"teams"`
	Labels     map[int64]map[string]int64  `json:"labels"`
	Channels   map[string]map[string]int64 `json:"channels"`
	// Seq is the number of the last event the counts include; the count
	// changes of later events move them on.
	Seq int64 `json:"seq"`
}

// Counts sums the maintained count rows of the inboxes the actor may see.
func (s *Service) Counts(ctx context.Context, a *Actor) (*Counts, error) {
	convs, labels, seq, err := s.store.ConversationCounts(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	inboxes, err := s.store.Inboxes(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	channelOf := map[int64]string{}
	for _, in := range inboxes {
		channelOf[in.ID] = in.Channel
	}
	c := &Counts{All: map[string]int64{}, Mine: map[string]int64{}, Unassigned: map[string]int64{},
		Inboxes: map[int64]map[string]int64{}, Teams: map[int64]map[string]int64{}, Labels: map[int64]map[string]int64{},
		Channels: map[string]map[string]int64{}, Seq: seq}
	for _, r := range convs {
		c.add(a, channelOf, r)
	}
	for _, r := range labels {
		c.add(a, channelOf, r)
	}
	return c, nil
}

// add counts a count row, or a count change, in the views the actor sees
// it in: a label row only in its label's; a conversation row in all, its
// inbox's, its channel's (channelOf maps inboxes to channels), its team's,
// and the actor's own or the unassigned.
func (c *Counts) add(a *Actor, channelOf map[int64]string, r store.CountRow) {
	if !a.CanSeeInbox(r.InboxID) {
		return
	}
	in := func(m map[string]int64) { m[r.Status] += r.N }
	sub := func(m map[int64]map[string]int64, k int64) map[string]int64 {
		if m[k] == nil {
			m[k] = map[string]int64{}
		}
		return m[k]
	}
	if r.LabelID != 0 {
		in(sub(c.Labels, r.LabelID))
		return
	}
	in(c.All)
	in(sub(c.Inboxes, r.InboxID))
	if ch := channelOf[r.InboxID]; ch != "" {
		if c.Channels[ch] == nil {
			c.Channels[ch] = map[string]int64{}
		}
		in(c.Channels[ch])
	}
	if r.TeamID != 0 {
		in(sub(c.Teams, r.TeamID))
	}
	switch r.AssigneeID {
	case 0:
		in(c.Unassigned)
	case a.User.ID:
		in(c.Mine)
	}
}

// startTimers starts the timer loop: snoozed conversations wake when their
// time comes. On several nodes only the lease holder runs it.
func (s *Service) startTimers() {
	holder := fmt.Sprintf("node-%d", time.Now().UnixNano())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				if ok, err := s.store.AcquireLease(ctx, "timers", holder, time.Minute); err == nil && ok {
					s.WakeSnoozed(ctx, time.Now())
				}
				cancel()
			}
		}
	}()
}

// WakeSnoozed reopens conversations whose snooze ended by now.
func (s *Service) WakeSnoozed(ctx context.Context, now time.Time) error {
	due, err := s.store.DueSnoozed(ctx, now.UnixMilli(), 500)
	if err != nil {
		return err
	}
	for _, d := range due {
		err := s.write(ctx, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, d[0]); err != nil {
				return err
			}
			c, err := tx.Conversation(ctx, d[0], d[1])
			if err != nil || c.Status != sahay.StatusSnoozed {
				return err
			}
			next := *c
			next.Status, next.SnoozedUntil = sahay.StatusOpen, nil
			if err := s.changeStatus(ctx, tx, c, &next, 0); err != nil {
				return err
			}
			return tx.Emit(ctx, next.AccountID, next.InboxID, next.ID, sahay.ConversationUpdated{Conversation: &next})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// MergeConversations folds conversation from into conversation into: both
// must be the same contact's. The messages and labels of from join into,
// and from is deleted.
func (s *Service) MergeConversations(ctx context.Context, a *Actor, into, from int64) (*sahay.Conversation, error) {
	if into == from {
		return nil, sahay.Invalid("cannot merge a conversation into itself")
	}
	for _, id := range []int64{into, from} {
		if _, err := s.visibleConversation(ctx, a, id); err != nil {
			return nil, err
		}
	}
	var out *sahay.Conversation
	err := s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		dst, err := tx.Conversation(ctx, a.AccountID(), into)
		if err != nil {
			return err
		}
		src, err := tx.Conversation(ctx, a.AccountID(), from)
		if err != nil {
			return err
		}
		if dst.ContactID != src.ContactID {
			return sahay.Invalid("only conversations of the same contact can be merged")
		}
		labels, err := labelIDs(ctx, tx, a.AccountID(), append(slices.Clone(dst.Labels), src.Labels...))
		if err != nil {
			return err
		}
		if err := tx.MoveMessages(ctx, src.ID, dst.ID); err != nil {
			return err
		}
		if err := tx.DeleteConversation(ctx, a.AccountID(), src.ID); err != nil {
			return err
		}
		if err := tx.SetConversationLabels(ctx, dst, labels); err != nil {
			return err
		}
		next := *dst
		if src.LastActivityAt.After(dst.LastActivityAt) {
			next.LastActivityAt, next.LastMessage = src.LastActivityAt, src.LastMessage
		}
		if next.WaitingSince == nil || (src.WaitingSince != nil && src.WaitingSince.Before(*next.WaitingSince)) {
			next.WaitingSince = src.WaitingSince
		}
		if next.FirstReplyAt == nil || (src.FirstReplyAt != nil && src.FirstReplyAt.Before(*next.FirstReplyAt)) {
			next.FirstReplyAt = src.FirstReplyAt
		}
		if err := tx.UpdateConversation(ctx, dst, &next); err != nil {
			return err
		}
		if err := s.activity(ctx, tx, &next, a.User.ID, fmt.Sprintf("merged:%d", src.DisplayID)); err != nil {
			return err
		}
		if out, err = tx.Conversation(ctx, a.AccountID(), dst.ID); err != nil {
			return err
		}
		return tx.Emit(ctx, a.AccountID(), out.InboxID, out.ID,
			sahay.ConversationMerged{Conversation: out, MergedConversationID: src.ID, MergedInboxID: src.InboxID})
	})
	return out, err
}
