package core

import (
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// Business hours in Dhaka: weekdays 09:00-17:00 (Friday and Saturday
// closed, as there), a lunch break on Thursday, a holiday on Wednesday
// 2026-12-16 (Victory Day).
func slaTestHours() sahay.BusinessHours {
	return sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Dhaka", Days: map[string]string{
		"sun": "09:00-17:00", "mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-13:00,14:00-17:00",
	}, Holidays: []sahay.Holiday{{Date: "2026-12-16", Name: "Victory Day"}}}
}

func dhaka(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Dhaka")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAddBusiness(t *testing.T) {
	h := slaTestHours()
	for _, c := range []struct {
		name, from string
		d          time.Duration
		want       string
	}{
		{"within the day", "2026-12-14 10:00", time.Hour, "2026-12-14 11:00"},
		{"up to closing", "2026-12-14 16:00", time.Hour, "2026-12-14 17:00"},
		{"past closing into the next morning", "2026-12-14 16:30", time.Hour, "2026-12-15 09:30"},
		{"before opening", "2026-12-14 06:00", 30 * time.Minute, "2026-12-14 09:30"},
		{"over the holiday", "2026-12-15 16:00", 2 * time.Hour, "2026-12-17 10:00"},
		{"on the holiday", "2026-12-16 11:00", time.Hour, "2026-12-17 10:00"},
		{"across the lunch break", "2026-12-17 12:30", time.Hour, "2026-12-17 14:30"},
		{"across the weekend", "2026-12-17 16:00", 2 * time.Hour, "2026-12-20 10:00"},
		{"arriving on the weekend", "2026-12-19 20:00", time.Hour, "2026-12-20 10:00"},
		// 39 hours a week, with Thursday's lunch hour out.
		{"a whole working week and an hour", "2026-12-20 09:00", 40 * time.Hour, "2026-12-27 10:00"},
	} {
		got := addBusiness(h, dhaka(t, c.from), c.d)
		if want := dhaka(t, c.want); !got.Equal(want) {
			t.Errorf("%s: %s + %s = %s, want %s", c.name, c.from, c.d, got.In(want.Location()).Format("2006-01-02 15:04 Mon"), c.want)
		}
	}
	// Calendar time when the hours are disabled.
	from := dhaka(t, "2026-12-18 20:00")
	if got := addBusiness(sahay.BusinessHours{}, from, 3*time.Hour); !got.Equal(from.Add(3 * time.Hour)) {
		t.Errorf("disabled hours: %s", got)
	}
}

func TestSLAClock(t *testing.T) {
	h := slaTestHours()
	p := &store.SLAPolicy{ID: 7, Name: "Gold", FirstResponseSeconds: 3600, NextResponseSeconds: 1800, ResolutionSeconds: 8 * 3600, BusinessHours: true}
	at := func(s string) *time.Time { v := dhaka(t, s); return &v }
	// A message on Thursday evening: the clocks wait for Sunday morning.
	c := &sahay.Conversation{ID: 1, Status: sahay.StatusOpen, CreatedAt: dhaka(t, "2026-12-17 18:00"), WaitingSince: at("2026-12-17 18:00")}
	got := slaClock(p, h, c, dhaka(t, "2026-12-19 12:00"))
	if !got.FirstResponseDueAt.Equal(dhaka(t, "2026-12-20 10:00")) || got.NextResponseDueAt != nil || !got.ResolutionDueAt.Equal(dhaka(t, "2026-12-20 17:00")) {
		t.Fatalf("Thursday evening: %+v", got)
	}
	if len(got.Breached) != 0 {
		t.Errorf("breached before due: %v", got.Breached)
	}
	// Sunday 10:30, no reply yet: the first response is breached.
	if got = slaClock(p, h, c, dhaka(t, "2026-12-20 10:30")); len(got.Breached) != 1 || got.Breached[0] != SLAFirstResponse {
		t.Errorf("Sunday 10:30: breached %v", got.Breached)
	}
	// In calendar time the first response was due Thursday at 19:00.
	cal := *p
	cal.BusinessHours = false
	if got = slaClock(&cal, sahay.BusinessHours{}, c, dhaka(t, "2026-12-17 18:30")); !got.FirstResponseDueAt.Equal(dhaka(t, "2026-12-17 19:00")) {
		t.Errorf("calendar: %+v", got)
	}
	// Replied in time Sunday 09:40; the customer wrote again at 16:50:
	// the next response is due Monday 09:20.
	c.FirstReplyAt, c.WaitingSince = at("2026-12-20 09:40"), at("2026-12-20 16:50")
	got = slaClock(p, h, c, dhaka(t, "2026-12-20 16:55"))
	if got.FirstResponseDueAt != nil || got.NextResponseDueAt == nil || !got.NextResponseDueAt.Equal(dhaka(t, "2026-12-21 09:20")) || len(got.Breached) != 0 {
		t.Errorf("after the first reply: %+v", got)
	}
	// Resolved Monday at 11:00, past the resolution's Sunday 17:00: no
	// clock runs, and the resolution is breached.
	c.Status, c.ResolvedAt, c.WaitingSince = sahay.StatusResolved, at("2026-12-21 11:00"), nil
	got = slaClock(p, h, c, dhaka(t, "2026-12-21 12:00"))
	if got.FirstResponseDueAt != nil || got.NextResponseDueAt != nil || got.ResolutionDueAt != nil || len(got.Breached) != 1 || got.Breached[0] != SLAResolution {
		t.Errorf("resolved: %+v", got)
	}
	// Reopened: the resolution clock runs again from the creation.
	c.Status, c.WaitingSince = sahay.StatusOpen, at("2026-12-21 11:30")
	if got = slaClock(p, h, c, dhaka(t, "2026-12-21 12:00")); got.ResolutionDueAt == nil || got.NextResponseDueAt == nil {
		t.Errorf("reopened: %+v", got)
	}
}

func TestPickSLAPolicy(t *testing.T) {
	all := &store.SLAPolicy{ID: 1, Position: 5}
	vip := &store.SLAPolicy{ID: 2, Position: 1, Labels: []string{"vip"}}
	urgentShop := &store.SLAPolicy{ID: 3, Position: 2, InboxIDs: []int64{10}, Priorities: []int{sahay.PriorityUrgent}}
	team := &store.SLAPolicy{ID: 4, Position: 3, TeamIDs: []int64{20}}
	list := []*store.SLAPolicy{vip, urgentShop, team, all}
	for _, c := range []struct {
		name    string
		c       sahay.Conversation
		applied int64
		want    int64
	}{
		{"nothing special", sahay.Conversation{InboxID: 10}, 0, 1},
		{"a vip label", sahay.Conversation{InboxID: 10, Labels: []string{"refund", "vip"}, Priority: sahay.PriorityUrgent}, 0, 2},
		{"urgent in the shop", sahay.Conversation{InboxID: 10, Priority: sahay.PriorityUrgent, TeamID: 20}, 0, 3},
		{"urgent elsewhere, the team's", sahay.Conversation{InboxID: 11, Priority: sahay.PriorityUrgent, TeamID: 20}, 0, 4},
		{"applied by a rule", sahay.Conversation{InboxID: 10, Labels: []string{"vip"}}, 4, 4},
		{"applied, then deleted", sahay.Conversation{InboxID: 10}, 99, 1},
	} {
		if got := pickSLAPolicy(list, c.applied, &c.c); got == nil || got.ID != c.want {
			t.Errorf("%s: got %+v, want policy %d", c.name, got, c.want)
		}
	}
	if got := pickSLAPolicy([]*store.SLAPolicy{vip}, 0, &sahay.Conversation{}); got != nil {
		t.Errorf("no match: %+v", got)
	}
}

// The timer's memory of recorded events keeps what each pass finds and
// drops what a pass no longer finds.
func TestSLARecordedKeepsWhatPassesFind(t *testing.T) {
	var r slaRecorded
	a := slaKey{conversationID: 1, kind: SLABreach, target: SLAFirstResponse, due: 10}
	b := slaKey{conversationID: 2, kind: SLABreach, target: SLAFirstResponse, due: 10}
	if r.seen(a) {
		t.Fatal("an empty memory knows a key")
	}
	r.add(a)
	r.add(b)
	r.next()
	if !r.seen(a) {
		t.Fatal("a key recorded in the last pass is forgotten")
	}
	r.next() // b was not found in that pass
	if !r.seen(a) || r.seen(b) {
		t.Errorf("after a pass that found only a: a %v, b %v", r.seen(a), r.seen(b))
	}
}
