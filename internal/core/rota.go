package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
)

// The support rota: who takes the chats, the phone and the social pages,
// week by week, in the account's time zone. Administrators set the
// shifts; every agent reads the rota and swaps single occurrences with a
// colleague. See docs/rota.md.

// Limits of the rota.
const (
	MaxShiftsPerAccount = 500
	// SwapHorizonDays is how far ahead a swap may be asked for.
	SwapHorizonDays = 366
)

// ShiftKind returns the kind of shift that covers an inbox of the channel:
// phone for a channel that takes calls, social for one with public
// comments (Facebook, Instagram, X, their direct messages included), chat
// for every other (website chat, WhatsApp, Telegram, email, the API).
func (s *Service) ShiftKind(channelName string) string {
	adapter, err := s.channels.Get(channelName)
	if err != nil {
		return sahay.ShiftChat
	}
	d, ok := adapter.(channel.Describer)
	if !ok {
		return sahay.ShiftChat
	}
	switch caps := d.Describe().Capabilities; {
	case caps.Calls:
		return sahay.ShiftPhone
	case caps.PublicComments:
		return sahay.ShiftSocial
	}
	return sahay.ShiftChat
}

// rotaZone is the account's time zone, which its business hours and its
// rota keep; UTC when it names none.
func (s *Service) rotaZone(ctx context.Context, accountID int64) (*time.Location, error) {
	acc, err := s.store.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(acc.TimeZone)
	if err != nil || acc.TimeZone == "" {
		return time.UTC, nil
	}
	return loc, nil
}

// OnShift returns who is on a shift of the kind at the instant, accepted
// swaps applied, in the order of the shifts; scheduled is false when the
// account has no shift of that kind at all, and then callers behave as
// without a rota.
func (s *Service) OnShift(ctx context.Context, accountID int64, kind string, at time.Time) (userIDs []int64, scheduled bool, err error) {
	shifts, err := s.store.Shifts(ctx, accountID, kind)
	if err != nil || len(shifts) == 0 {
		return nil, false, err
	}
	loc, err := s.rotaZone(ctx, accountID)
	if err != nil {
		return nil, false, err
	}
	local := at.In(loc)
	// An occurrence that started yesterday may run past midnight.
	dates := []string{local.AddDate(0, 0, -1).Format(time.DateOnly), local.Format(time.DateOnly)}
	swaps, err := s.store.Swaps(ctx, accountID, dates[0], dates[1], sahay.SwapAccepted)
	if err != nil {
		return nil, false, err
	}
	userIDs = []int64{}
	for _, sh := range shifts {
		for _, date := range dates {
			from, to, ok := sh.Occurrence(date, loc)
			if !ok || at.Before(from) || !at.Before(to) {
				continue
			}
			user := sh.UserID
			for _, sw := range swaps {
				if sw.ShiftID == sh.ID && sw.Date == date {
					user = sw.ToUserID
				}
			}
			if !slices.Contains(userIDs, user) {
				userIDs = append(userIDs, user)
			}
		}
	}
	return userIDs, true, nil
}

// shiftNow is who is on one kind of shift at a routing pass's instant.
type shiftNow struct {
	userIDs   []int64
	scheduled bool
}

// onShiftOf returns who is on the kind of shift now, read once a routing
// pass.
func (s *Service) onShiftOf(ctx context.Context, r *routing, kind string) (shiftNow, error) {
	if n, ok := r.rota[kind]; ok {
		return n, nil
	}
	ids, scheduled, err := s.OnShift(ctx, r.accountID, kind, time.Now())
	if err != nil {
		return shiftNow{}, err
	}
	if r.rota == nil {
		r.rota = map[string]shiftNow{}
	}
	r.rota[kind] = shiftNow{userIDs: ids, scheduled: scheduled}
	return r.rota[kind], nil
}

// Rota is what every member of the account reads: the shifts, the swaps
// of the days around today, and who is on each kind of shift now.
type Rota struct {
	TimeZone string `json:"time_zone"`
	// Today is the account's local date now.
	Today  string         `json:"today"`
	Shifts []*sahay.Shift `json:"shifts"`
	// Swaps are those of occurrences from a week before today to the
	// swap horizon, every status.
	Swaps []*sahay.Swap `json:"swaps"`
	// OnNow holds, for each kind, who is on shift now.
	OnNow map[string]OnNow `json:"on_now"`
}

// OnNow is who is on one kind of shift now; Scheduled is false when the
// account has no shift of the kind.
type OnNow struct {
	Scheduled bool    `json:"scheduled"`
	UserIDs   []int64 `json:"user_ids"`
}

// Rota returns the account's rota to any of its members.
func (s *Service) Rota(ctx context.Context, a *Actor) (*Rota, error) {
	if a.User.Role == sahay.RoleBot {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "a bot has no rota")
	}
	loc, err := s.rotaZone(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	local := now.In(loc)
	r := &Rota{TimeZone: loc.String(), Today: local.Format(time.DateOnly), OnNow: map[string]OnNow{}}
	if r.Shifts, err = s.store.Shifts(ctx, a.AccountID(), ""); err != nil {
		return nil, err
	}
	r.Swaps, err = s.store.Swaps(ctx, a.AccountID(), local.AddDate(0, 0, -7).Format(time.DateOnly),
		local.AddDate(0, 0, SwapHorizonDays).Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	for _, kind := range sahay.ShiftKinds {
		ids, scheduled, err := s.OnShift(ctx, a.AccountID(), kind, now)
		if err != nil {
			return nil, err
		}
		if ids == nil {
			ids = []int64{}
		}
		r.OnNow[kind] = OnNow{Scheduled: scheduled, UserIDs: ids}
	}
	return r, nil
}

// ShiftInput adds a shift to the rota.
type ShiftInput struct {
	UserID  int64  `json:"user_id"`
	Kind    string `json:"kind"`
	Weekday string `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// rotaMember returns a person of the account who may take shifts, or an
// error naming the field.
func (s *Service) rotaMember(ctx context.Context, accountID, userID int64, field string) (*sahay.User, error) {
	u, err := s.store.User(ctx, accountID, userID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND || (err == nil && u.Role == sahay.RoleBot) {
		return nil, sahay.Invalid("%s %d is not a user of the account", field, userID)
	}
	return u, err
}

// CreateShift adds a shift; administrators only. A shift that overlaps
// another of the same user and kind is refused.
func (s *Service) CreateShift(ctx context.Context, a *Actor, in ShiftInput) (*sahay.Shift, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	sh := &sahay.Shift{AccountID: a.AccountID(), UserID: in.UserID, Kind: in.Kind, Weekday: in.Weekday, Start: in.Start, End: in.End}
	if err := sh.Check(); err != nil {
		return nil, err
	}
	if _, err := s.rotaMember(ctx, a.AccountID(), in.UserID, "user_id"); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		all, err := tx.Shifts(ctx, a.AccountID(), "")
		if err != nil {
			return err
		}
		if len(all) >= MaxShiftsPerAccount {
			return sahay.Invalid("the rota has %d shifts, at most %d", len(all), MaxShiftsPerAccount)
		}
		for _, o := range all {
			if o.UserID == sh.UserID && o.Kind == sh.Kind && sh.Overlaps(o) {
				return sahay.Invalid("the shift overlaps the user's %s shift on %s %s–%s", o.Kind, o.Weekday, o.Start, o.End)
			}
		}
		if err := tx.CreateShift(ctx, sh); err != nil {
			return err
		}
		return audit(ctx, tx, a, "rota.shift_created", "shift", sh.ID, sh)
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// DeleteShift removes a shift and its swaps; administrators only.
func (s *Service) DeleteShift(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteShift(ctx, a.AccountID(), id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "rota.shift_deleted", "shift", id, nil)
	})
}

// SwapInput asks for a swap of one occurrence of a shift: the shift's
// user offers it to UserID, or UserID (the actor, when left out) asks to
// take it; an administrator who is neither records it accepted.
type SwapInput struct {
	ShiftID int64  `json:"shift_id"`
	Date    string `json:"date"`
	UserID  int64  `json:"user_id"`
}

// RequestSwap asks for, or as an administrator records, a swap, and
// notifies the colleague who is to answer (both, when recorded).
func (s *Service) RequestSwap(ctx context.Context, a *Actor, in SwapInput) (*sahay.Swap, error) {
	if a.User.Role == sahay.RoleBot {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "a bot has no rota")
	}
	sh, err := s.store.Shift(ctx, a.AccountID(), in.ShiftID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil, sahay.Invalid("shift_id %d is not a shift of the rota", in.ShiftID)
	}
	if err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, in.Date); err != nil {
		return nil, sahay.Invalid("date %q is not a date like 2026-12-07", in.Date)
	}
	loc, err := s.rotaZone(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	_, end, ok := sh.Occurrence(in.Date, loc)
	if !ok {
		return nil, sahay.Invalid("date %s is not a %s: the shift does not occur that date", in.Date, sh.Weekday)
	}
	now := time.Now()
	if !end.After(now) {
		return nil, sahay.Invalid("date %s: that shift is over", in.Date)
	}
	if end.After(now.AddDate(0, 0, SwapHorizonDays)) {
		return nil, sahay.Invalid("date %s is more than %d days ahead", in.Date, SwapHorizonDays)
	}
	to := in.UserID
	if to == 0 {
		to = a.User.ID
	}
	if to == sh.UserID {
		return nil, sahay.Invalid("user_id %d holds the shift: a swap needs a colleague, not oneself", to)
	}
	if _, err := s.rotaMember(ctx, a.AccountID(), to, "user_id"); err != nil {
		return nil, err
	}
	sw := &sahay.Swap{AccountID: a.AccountID(), ShiftID: sh.ID, Date: in.Date, FromUserID: sh.UserID, ToUserID: to,
		RequestedBy: a.User.ID, Status: sahay.SwapPending}
	var notify []int64
	what := swapOffered
	switch {
	case a.User.ID == sh.UserID:
		notify = []int64{to}
	case a.User.ID == to:
		notify, what = []int64{sh.UserID}, swapAsked
	case a.User.IsAdmin():
		sw.Status, sw.DecidedBy, sw.DecidedAt = sahay.SwapAccepted, a.User.ID, &now
		notify, what = []int64{sh.UserID, to}, swapRecorded
	default:
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "only the shift's user, the colleague taking it or an administrator may ask for a swap")
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSwap(ctx, sw); err != nil {
			return err
		}
		for _, id := range notify {
			if err := s.notifySwap(ctx, tx, a, sh, sw, what, id); err != nil {
				return err
			}
		}
		if sw.Status == sahay.SwapAccepted {
			return audit(ctx, tx, a, "rota.swap_recorded", "swap", sw.ID, sw)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sw, nil
}

// What a swap notification says happened, the first word of its body.
const (
	swapOffered  = "offer"
	swapAsked    = "take"
	swapRecorded = "recorded"
)

// notifySwap tells a user of a swap that concerns them. The body is
// "<what> <kind> <date> <start>–<end>", what one of offer, take,
// recorded, accepted, declined or cancelled, so that each reader's
// dashboard says it in their language.
func (s *Service) notifySwap(ctx context.Context, tx *store.Tx, a *Actor, sh *sahay.Shift, sw *sahay.Swap, what string, userID int64) error {
	body := fmt.Sprintf("%s %s %s %s–%s", what, sh.Kind, sw.Date, sh.Start, sh.End)
	return s.notify(ctx, tx, &sahay.Notification{AccountID: sw.AccountID, UserID: userID, Kind: sahay.NotifySwap, ActorID: a.User.ID,
		Body: body})
}

// swapWords renders a swap notification's body in English, for email
// and push.
func swapWords(who, body string) string {
	parts := strings.Fields(body)
	if len(parts) != 4 {
		return body
	}
	what, kind, when := parts[0], parts[1], parts[2]+", "+parts[3]
	switch what {
	case swapOffered:
		return fmt.Sprintf("%s offers you the %s shift of %s", who, kind, when)
	case swapAsked:
		return fmt.Sprintf("%s asks to take your %s shift of %s", who, kind, when)
	case swapRecorded:
		return fmt.Sprintf("%s swapped the %s shift of %s", who, kind, when)
	}
	return fmt.Sprintf("%s %s the swap of the %s shift of %s", who, what, kind, when)
}

// decideSwap moves a pending or accepted swap to status when the actor
// may, notifying the other people it concerns.
func (s *Service) decideSwap(ctx context.Context, a *Actor, id int64, status string) (*sahay.Swap, error) {
	sw, err := s.store.Swap(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	sh, err := s.store.Shift(ctx, a.AccountID(), sw.ShiftID)
	if err != nil {
		return nil, err
	}
	// The colleague who answers is the one of the two who did not ask.
	answerer := sw.ToUserID
	if sw.RequestedBy == sw.ToUserID {
		answerer = sw.FromUserID
	}
	me := a.User.ID
	from := sw.Status
	switch status {
	case sahay.SwapAccepted, sahay.SwapDeclined:
		if me != answerer {
			return nil, sahay.Errorf(sahay.EFORBIDDEN, "only the colleague asked may answer a swap")
		}
		if sw.Status != sahay.SwapPending {
			return nil, sahay.Errorf(sahay.ECONFLICT, "the swap is %s, not pending", sw.Status)
		}
	case sahay.SwapCancelled:
		switch {
		case !sw.Open():
			return nil, sahay.Errorf(sahay.ECONFLICT, "the swap is %s already", sw.Status)
		case a.User.IsAdmin():
		case me != sw.RequestedBy:
			return nil, sahay.Errorf(sahay.EFORBIDDEN, "only who asked for the swap or an administrator may cancel it")
		case sw.Status == sahay.SwapAccepted:
			return nil, sahay.Errorf(sahay.EFORBIDDEN, "the swap is accepted: only an administrator may cancel it now")
		}
	}
	if status == sahay.SwapAccepted {
		loc, err := s.rotaZone(ctx, a.AccountID())
		if err != nil {
			return nil, err
		}
		if _, end, _ := sh.Occurrence(sw.Date, loc); !end.After(time.Now()) {
			return nil, sahay.Invalid("the shift of %s is over", sw.Date)
		}
	}
	sw.Status, sw.DecidedBy = status, me
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.DecideSwap(ctx, sw, from); err != nil {
			return err
		}
		for _, id := range []int64{sw.FromUserID, sw.ToUserID} {
			if id != me {
				if err := s.notifySwap(ctx, tx, a, sh, sw, status, id); err != nil {
					return err
				}
			}
		}
		if a.User.IsAdmin() && status == sahay.SwapCancelled {
			return audit(ctx, tx, a, "rota.swap_cancelled", "swap", sw.ID, nil)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sw, nil
}

// AcceptSwap accepts a pending swap: the colleague asked only.
func (s *Service) AcceptSwap(ctx context.Context, a *Actor, id int64) (*sahay.Swap, error) {
	return s.decideSwap(ctx, a, id, sahay.SwapAccepted)
}

// DeclineSwap declines a pending swap: the colleague asked only.
func (s *Service) DeclineSwap(ctx context.Context, a *Actor, id int64) (*sahay.Swap, error) {
	return s.decideSwap(ctx, a, id, sahay.SwapDeclined)
}

// CancelSwap withdraws a pending swap (who asked for it) or cancels a
// pending or accepted one (an administrator).
func (s *Service) CancelSwap(ctx context.Context, a *Actor, id int64) (*sahay.Swap, error) {
	return s.decideSwap(ctx, a, id, sahay.SwapCancelled)
}
