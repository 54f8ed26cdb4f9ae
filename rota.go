package sahay

import (
	"slices"
	"time"
)

// Kinds of shift on the support rota: who takes the chats, who answers
// the phone, who watches the social pages. Which inboxes each kind covers
// is core's ShiftKind: an inbox that takes calls is phone, one whose
// channel has public comments (Facebook, Instagram, X) is social, every
// other is chat.
const (
	ShiftChat   = "chat"
	ShiftPhone  = "phone"
	ShiftSocial = "social"
)

// ShiftKinds lists the kinds of shift.
var ShiftKinds = []string{ShiftChat, ShiftPhone, ShiftSocial}

// Shift is one weekly recurring turn of a user on the rota: every Weekday
// from Start to End, in the account's time zone. End may be "24:00"; an
// End before Start runs past midnight into the next day ("22:00"–"02:00"
// on fri is Friday 22:00 to Saturday 02:00). The occurrence belongs to the
// date it starts on.
type Shift struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	UserID    int64     `json:"user_id"`
	Kind      string    `json:"kind"`
	Weekday   string    `json:"weekday"`
	Start     string    `json:"start"`
	End       string    `json:"end"`
	CreatedAt time.Time `json:"created_at"`
}

// Statuses of a swap.
const (
	SwapPending   = "pending"
	SwapAccepted  = "accepted"
	SwapDeclined  = "declined"
	SwapCancelled = "cancelled"
)

// Swap hands one dated occurrence of a shift from its user to a colleague.
// Either of them asks (RequestedBy) and the other accepts or declines; an
// administrator may record one accepted at once, and cancel one. An
// accepted swap puts ToUserID on that occurrence instead of FromUserID.
type Swap struct {
	ID        int64 `json:"id"`
	AccountID int64 `json:"account_id"`
	ShiftID   int64 `json:"shift_id"`
	// Date is the local date the occurrence starts on, "2026-12-07".
	Date        string     `json:"date"`
	FromUserID  int64      `json:"from_user_id"`
	ToUserID    int64      `json:"to_user_id"`
	RequestedBy int64      `json:"requested_by"`
	Status      string     `json:"status"`
	DecidedBy   int64      `json:"decided_by"`
	DecidedAt   *time.Time `json:"decided_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Open reports whether the swap still counts: asked and not yet decided,
// or accepted.
func (s *Swap) Open() bool { return s.Status == SwapPending || s.Status == SwapAccepted }

const minutesPerWeek = 7 * 1440

// Check validates the shift's kind, day and times, naming the field at
// fault.
func (sh *Shift) Check() error {
	if !slices.Contains(ShiftKinds, sh.Kind) {
		return Invalid("kind %q is not one of chat, phone, social", sh.Kind)
	}
	if !slices.Contains(weekdays, sh.Weekday) {
		return Invalid("weekday %q is not one of sun, mon, tue, wed, thu, fri, sat", sh.Weekday)
	}
	start, ok := clock(sh.Start, 1439)
	if !ok {
		return Invalid("start %q is not a time like 09:00", sh.Start)
	}
	end, ok := clock(sh.End, 1440)
	if !ok {
		return Invalid("end %q is not a time like 17:30 (24:00 is midnight)", sh.End)
	}
	if start == end {
		return Invalid("end %s is the shift's start: a shift lasts at least a minute", sh.End)
	}
	return nil
}

// span returns the shift's start and end in minutes from Sunday midnight;
// an overnight shift's end is past its day's end.
func (sh *Shift) span() (start, end int) {
	day := slices.Index(weekdays, sh.Weekday)
	s, _ := clock(sh.Start, 1439)
	e, _ := clock(sh.End, 1440)
	if e <= s {
		e += 1440
	}
	return day*1440 + s, day*1440 + e
}

// Overlaps reports whether two valid shifts share a minute of the week,
// counting a Saturday night shift that runs into Sunday.
func (sh *Shift) Overlaps(o *Shift) bool {
	a1, a2 := sh.span()
	b1, b2 := o.span()
	for _, shift := range []int{-minutesPerWeek, 0, minutesPerWeek} {
		if a1 < b2+shift && b1+shift < a2 {
			return true
		}
	}
	return false
}

// OccursOn reports whether the shift starts on the date, "2026-12-07".
func (sh *Shift) OccursOn(date string) bool {
	d, err := time.Parse(time.DateOnly, date)
	return err == nil && weekdays[d.Weekday()] == sh.Weekday
}

// Occurrence returns when the shift's occurrence that starts on the given
// local date begins and ends in loc; ok is false when the shift does not
// occur that date.
func (sh *Shift) Occurrence(date string, loc *time.Location) (from, to time.Time, ok bool) {
	if !sh.OccursOn(date) {
		return time.Time{}, time.Time{}, false
	}
	d, _ := time.Parse(time.DateOnly, date)
	start, end := sh.span()
	day := slices.Index(weekdays, sh.Weekday) * 1440
	from = time.Date(d.Year(), d.Month(), d.Day(), 0, start-day, 0, 0, loc)
	to = time.Date(d.Year(), d.Month(), d.Day(), 0, end-day, 0, 0, loc)
	return from, to, true
}
