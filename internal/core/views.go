package core

import (
	"context"
	"slices"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// MaxViewsPerUser bounds how many saved views one user owns.
const MaxViewsPerUser = 50

// ViewCountLimit is where the count of a view the maintained counts cannot
// answer stops: such a view (a label with a team or an assignee) is counted
// over at most this many conversations and reported as "at least".
const ViewCountLimit = 1000

// ViewInput creates or changes a saved view; nil fields stay as they are.
type ViewInput struct {
	Name       *string            `json:"name"`
	Filters    *sahay.ViewFilters `json:"filters"`
	Visibility *string            `json:"visibility"`
	TeamID     *int64             `json:"team_id"`
}

// CountedView is a saved view with the number of conversations it shows
// the reader.
type CountedView struct {
	*sahay.SavedView
	Count int64 `json:"count"`
	// CountCapped says Count stopped at [ViewCountLimit]: there are at
	// least that many.
	CountCapped bool `json:"count_capped"`
}

// canSeeView: the owner, everyone when shared with the account, the team's
// members (and administrators) when shared with a team.
func canSeeView(a *Actor, v *sahay.SavedView) bool {
	switch {
	case v.AccountID != a.AccountID():
		return false
	case v.UserID == a.User.ID, v.Visibility == sahay.ViewAccount:
		return true
	case v.Visibility == sahay.ViewTeam:
		return a.User.IsAdmin() || slices.Contains(a.Teams(), v.TeamID)
	}
	return false
}

// editableView returns a view the actor may change: their own, or any view
// they see when they are an administrator.
func (s *Service) editableView(ctx context.Context, a *Actor, id int64) (*sahay.SavedView, error) {
	v, err := s.store.View(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if !canSeeView(a, v) {
		return nil, sahay.NotFound("view")
	}
	if v.UserID != a.User.ID && !a.User.IsAdmin() {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "only the view's owner or an administrator may change it")
	}
	return v, nil
}

// Views lists the saved views the actor sees, each with its count.
func (s *Service) Views(ctx context.Context, a *Actor) ([]CountedView, error) {
	views, err := s.store.Views(ctx, store.ViewsFilter{AccountID: a.AccountID(), UserID: a.User.ID, Teams: a.Teams(), AllTeams: a.User.IsAdmin()})
	if err != nil {
		return nil, err
	}
	convs, labels, _, err := s.store.ConversationCounts(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	out := make([]CountedView, 0, len(views))
	for _, v := range views {
		cv := CountedView{SavedView: v}
		if cv.Count, cv.CountCapped, err = s.viewCount(ctx, a, v.Filters, convs, labels); err != nil {
			return nil, err
		}
		out = append(out, cv)
	}
	return out, nil
}

// View returns a saved view the actor sees, with its count.
func (s *Service) View(ctx context.Context, a *Actor, id int64) (*CountedView, error) {
	v, err := s.store.View(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if !canSeeView(a, v) {
		return nil, sahay.NotFound("view")
	}
	return s.counted(ctx, a, v)
}

func (s *Service) counted(ctx context.Context, a *Actor, v *sahay.SavedView) (*CountedView, error) {
	convs, labels, _, err := s.store.ConversationCounts(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	cv := &CountedView{SavedView: v}
	cv.Count, cv.CountCapped, err = s.viewCount(ctx, a, v.Filters, convs, labels)
	return cv, err
}

func listQuery(f sahay.ViewFilters) ListQuery {
	return ListQuery{Status: f.Status, Assignee: f.Assignee, TeamID: f.TeamID, InboxID: f.InboxID, Label: f.Label, Channel: f.Channel, Sort: f.Sort}
}

// viewCount counts a view's conversations from the maintained count rows
// when its filters are dimensions of those rows: status, inbox, channel,
// team and assignee from the conversation rows, a label with status, inbox
// and channel from the label rows. A label with a team or an assignee is
// counted over the conversations, up to [ViewCountLimit].
func (s *Service) viewCount(ctx context.Context, a *Actor, vf sahay.ViewFilters, convs, labels []store.CountRow) (int64, bool, error) {
	f, err := s.conversationFilter(ctx, a, listQuery(vf))
	if sahay.ErrorCode(err) == sahay.EINVALID {
		return 0, false, nil // a label deleted since: the view shows nothing
	}
	if err != nil {
		return 0, false, err
	}
	match := func(r store.CountRow) bool {
		return (f.Inboxes == nil || slices.Contains(f.Inboxes, r.InboxID)) && (f.InboxID == 0 || r.InboxID == f.InboxID) &&
			(f.Status == "" || r.Status == f.Status)
	}
	var n int64
	switch {
	case f.LabelID == 0:
		for _, r := range convs {
			if match(r) && (f.TeamID == 0 || r.TeamID == f.TeamID) && (f.Assignee == nil || r.AssigneeID == *f.Assignee) {
				n += r.N
			}
		}
	case f.TeamID == 0 && f.Assignee == nil:
		for _, r := range labels {
			if match(r) && r.LabelID == f.LabelID {
				n += r.N
			}
		}
	default:
		n, err = s.store.CountConversations(ctx, f, ViewCountLimit)
		return n, n >= ViewCountLimit, err
	}
	return n, false, nil
}

// applyView checks and applies a view's input.
func (s *Service) applyView(ctx context.Context, a *Actor, v *sahay.SavedView, in ViewInput) error {
	if in.Name != nil {
		name, err := cleanName("name", *in.Name, MaxNameChars)
		if err != nil {
			return err
		}
		v.Name = name
	}
	if v.Name == "" {
		return sahay.Invalid("a view needs a name")
	}
	if in.Filters != nil {
		if err := s.checkViewFilters(ctx, a, in.Filters); err != nil {
			return err
		}
		v.Filters = *in.Filters
	}
	if in.Visibility != nil {
		v.Visibility = *in.Visibility
	}
	if in.TeamID != nil {
		v.TeamID = *in.TeamID
	}
	switch v.Visibility {
	case sahay.ViewPrivate, sahay.ViewAccount:
		v.TeamID = 0
		if in.Visibility != nil && v.Visibility == sahay.ViewAccount && !a.User.IsAdmin() {
			return sahay.Errorf(sahay.EFORBIDDEN, "only an administrator may share a view with the whole account")
		}
	case sahay.ViewTeam:
		if v.TeamID == 0 {
			return sahay.Invalid("a view shared with a team needs team_id")
		}
		if _, err := s.store.Team(ctx, a.AccountID(), v.TeamID); err != nil {
			return sahay.Invalid("unknown team %d", v.TeamID)
		}
		if !a.User.IsAdmin() && !slices.Contains(a.Teams(), v.TeamID) {
			return sahay.Errorf(sahay.EFORBIDDEN, "you may share a view only with a team you belong to")
		}
	default:
		return sahay.Invalid("visibility must be private, team or account")
	}
	return nil
}

// checkViewFilters refuses filters the conversation list would refuse, and
// names of things that do not exist.
func (s *Service) checkViewFilters(ctx context.Context, a *Actor, f *sahay.ViewFilters) error {
	if f.Status == "all" {
		f.Status = ""
	}
	if _, err := s.conversationFilter(ctx, a, listQuery(*f)); err != nil {
		return err
	}
	if f.TeamID < 0 || f.InboxID < 0 {
		return sahay.Invalid("team and inbox are ids")
	}
	if f.TeamID != 0 {
		if _, err := s.store.Team(ctx, a.AccountID(), f.TeamID); err != nil {
			return sahay.Invalid("unknown team %d", f.TeamID)
		}
	}
	if f.InboxID != 0 {
		if _, err := s.store.Inbox(ctx, a.AccountID(), f.InboxID); err != nil || !a.CanSeeInbox(f.InboxID) {
			return sahay.Invalid("unknown inbox %d", f.InboxID)
		}
	}
	if f.Channel != "" && s.channels != nil && !slices.Contains(s.channels.Names(), f.Channel) {
		return sahay.Invalid("unknown channel %q", f.Channel)
	}
	switch f.Sort {
	case "", store.SortLastActivity, store.SortWaiting, store.SortPriority, store.SortCreated, store.SortSentiment:
	default:
		return sahay.Invalid("unknown sort %q: use last_activity, waiting, priority, created or sentiment", f.Sort)
	}
	return nil
}

// CreateView saves the actor's filters under a name.
func (s *Service) CreateView(ctx context.Context, a *Actor, in ViewInput) (*CountedView, error) {
	v := &sahay.SavedView{AccountID: a.AccountID(), UserID: a.User.ID, Visibility: sahay.ViewPrivate}
	if err := s.applyView(ctx, a, v, in); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		n, err := tx.CountViews(ctx, a.User.ID)
		if err != nil {
			return err
		}
		if n >= MaxViewsPerUser {
			return sahay.Invalid("at most %d saved views per user", MaxViewsPerUser)
		}
		return tx.CreateView(ctx, v)
	})
	if err != nil {
		return nil, err
	}
	return s.counted(ctx, a, v)
}

// UpdateView renames a view, changes its filters or its sharing.
func (s *Service) UpdateView(ctx context.Context, a *Actor, id int64, in ViewInput) (*CountedView, error) {
	v, err := s.editableView(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.applyView(ctx, a, v, in); err != nil {
		return nil, err
	}
	if err := s.write(ctx, func(tx *store.Tx) error { return tx.UpdateView(ctx, v) }); err != nil {
		return nil, err
	}
	return s.counted(ctx, a, v)
}

// DeleteView removes a view.
func (s *Service) DeleteView(ctx context.Context, a *Actor, id int64) error {
	if _, err := s.editableView(ctx, a, id); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error { return tx.DeleteView(ctx, a.AccountID(), id) })
}
