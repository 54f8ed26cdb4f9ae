package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// rotaAgent makes an agent of the fixture's account with a phone, online,
// and connected (so available) until the test ends.
func (f *lineFixture) rotaAgent(t *testing.T, name, phone string) *core.Actor {
	t.Helper()
	ctx := context.Background()
	u := storetest.MustUser(t, f.st, f.owner.AccountID(), name+"@haat.example", sahay.RoleAgent)
	online := sahay.AvailabilityOnline
	u, err := f.svc.UpdateUser(ctx, f.owner, u.ID, core.UserInput{Phone: &phone, Availability: &online})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.svc.AgentConnected(a))
	return a
}

func (f *lineFixture) shift(t *testing.T, user *core.Actor, kind, day, start, end string) *sahay.Shift {
	t.Helper()
	sh, err := f.svc.CreateShift(context.Background(), f.owner, core.ShiftInput{UserID: user.User.ID, Kind: kind, Weekday: day, Start: start, End: end})
	if err != nil {
		t.Fatalf("shift %s %s %s-%s: %v", kind, day, start, end, err)
	}
	return sh
}

// nextWeekday returns the date of the first given weekday at least two
// days after now in loc.
func nextWeekday(loc *time.Location, day time.Weekday) time.Time {
	d := time.Now().In(loc).AddDate(0, 0, 2)
	for d.Weekday() != day {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// Who is on shift, in the account's time zone: a Saturday night shift runs
// into Sunday (past midnight and the week's end), a swap gives one
// occurrence to a colleague and not the next week's, and a kind without
// shifts is not scheduled.
func TestOnShift(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		zone := "Asia/Dhaka"
		if _, err := f.svc.UpdateAccount(ctx, f.owner, core.AccountInput{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		dhaka, _ := time.LoadLocation(zone)
		amina := f.rotaAgent(t, "amina", "+8801711000001")
		babu := f.rotaAgent(t, "babu", "+8801711000002")
		chitra := f.rotaAgent(t, "chitra", "+8801711000003")
		night := f.shift(t, amina, sahay.ShiftPhone, "sat", "22:00", "06:00")
		f.shift(t, babu, sahay.ShiftPhone, "sun", "06:00", "14:00")
		f.shift(t, chitra, sahay.ShiftChat, "mon", "09:00", "17:00")

		sat := nextWeekday(dhaka, time.Saturday)
		at := func(d time.Time, days int, clock string) time.Time {
			var h, m int
			fmt.Sscanf(clock, "%d:%d", &h, &m)
			return time.Date(d.Year(), d.Month(), d.Day()+days, h, m, 0, 0, dhaka).UTC()
		}
		check := func(kind string, when time.Time, want ...int64) {
			t.Helper()
			got, scheduled, err := f.svc.OnShift(ctx, f.owner.AccountID(), kind, when)
			if err != nil {
				t.Fatal(err)
			}
			if !scheduled || !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Errorf("%s on shift at %s Dhaka = %v (scheduled %v), want %v", kind, when.In(dhaka).Format("Mon 15:04"), got, scheduled, want)
			}
		}
		check(sahay.ShiftPhone, at(sat, 0, "21:59"))
		check(sahay.ShiftPhone, at(sat, 0, "22:00"), amina.User.ID)
		check(sahay.ShiftPhone, at(sat, 1, "05:59"), amina.User.ID)
		check(sahay.ShiftPhone, at(sat, 1, "06:00"), babu.User.ID)
		check(sahay.ShiftPhone, at(sat, 1, "14:00"))
		// Monday 09:00 in Dhaka is 03:00 UTC: the shift keeps the
		// account's clock.
		check(sahay.ShiftChat, at(sat, 2, "08:59"))
		check(sahay.ShiftChat, at(sat, 2, "09:00"), chitra.User.ID)
		if at(sat, 2, "09:00").Hour() != 3 {
			t.Fatalf("Monday 09:00 in Dhaka is %s UTC", at(sat, 2, "09:00"))
		}
		if ids, scheduled, err := f.svc.OnShift(ctx, f.owner.AccountID(), sahay.ShiftSocial, at(sat, 0, "23:00")); err != nil || scheduled || len(ids) > 0 {
			t.Fatalf("social without shifts: %v scheduled %v %v", ids, scheduled, err)
		}

		// Amina offers that Saturday night to Chitra, who is told and
		// accepts: Chitra takes it, past midnight too; the next Saturday
		// is Amina's again.
		date := sat.Format(time.DateOnly)
		sw, err := f.svc.RequestSwap(ctx, amina, core.SwapInput{ShiftID: night.ID, Date: date, UserID: chitra.User.ID})
		if err != nil {
			t.Fatal(err)
		}
		check(sahay.ShiftPhone, at(sat, 0, "23:00"), amina.User.ID)
		notes, err := f.st.Notifications(ctx, chitra.User.ID, 0, 10)
		if err != nil || len(notes) != 1 || notes[0].Kind != sahay.NotifySwap || notes[0].ActorID != amina.User.ID || notes[0].Body != "offer phone "+date+" 22:00–06:00" {
			t.Fatalf("Chitra's notifications = %+v, %v", notes, err)
		}
		if _, err := f.svc.AcceptSwap(ctx, amina, sw.ID); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Fatalf("the asker accepting: %v, want forbidden", err)
		}
		if sw, err = f.svc.AcceptSwap(ctx, chitra, sw.ID); err != nil || sw.Status != sahay.SwapAccepted {
			t.Fatalf("accept: %+v %v", sw, err)
		}
		check(sahay.ShiftPhone, at(sat, 0, "23:00"), chitra.User.ID)
		check(sahay.ShiftPhone, at(sat, 1, "05:59"), chitra.User.ID)
		check(sahay.ShiftPhone, at(sat, 7, "23:00"), amina.User.ID)
		if notes, _ := f.st.Notifications(ctx, amina.User.ID, 0, 10); len(notes) != 1 || notes[0].Kind != sahay.NotifySwap || !strings.HasPrefix(notes[0].Body, "accepted phone ") {
			t.Fatalf("Amina was not told of the answer: %+v", notes)
		}
		// An administrator cancels it: Amina again.
		if _, err := f.svc.CancelSwap(ctx, f.owner, sw.ID); err != nil {
			t.Fatal(err)
		}
		check(sahay.ShiftPhone, at(sat, 0, "23:00"), amina.User.ID)
	})
}

// A phone rota decides whom a call rings: the available agents on shift
// only, and everyone available when none of them is.
func TestCallAgentsFollowTheRota(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		amina := f.rotaAgent(t, "amina", "+8801711000001")
		babu := f.rotaAgent(t, "babu", "+8801711000002")
		ringsOf := func() []int64 {
			t.Helper()
			agents, err := f.svc.CallAgents(ctx, f.inbox)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range agents {
				ids = append(ids, a.UserID)
			}
			return ids
		}
		if got := ringsOf(); !slices.Equal(got, []int64{amina.User.ID, babu.User.ID}) {
			t.Fatalf("without a rota the call rings %v, want both", got)
		}
		// Babu is on the phone now (a shift from an hour ago to an hour
		// ahead, in UTC, the account's zone); Amina only takes chats.
		now := time.Now().UTC()
		from, to := now.Add(-time.Hour), now.Add(time.Hour)
		f.shift(t, babu, sahay.ShiftPhone, [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[from.Weekday()], from.Format("15:04"), to.Format("15:04"))
		f.shift(t, amina, sahay.ShiftChat, [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[from.Weekday()], from.Format("15:04"), to.Format("15:04"))
		if got := ringsOf(); !slices.Equal(got, []int64{babu.User.ID}) {
			t.Fatalf("with Babu on the phone shift the call rings %v, want Babu only", got)
		}
		// Babu goes offline: the call still reaches Amina.
		offline := sahay.AvailabilityOffline
		if _, err := f.svc.UpdateUser(ctx, f.owner, babu.User.ID, core.UserInput{Availability: &offline}); err != nil {
			t.Fatal(err)
		}
		if got := ringsOf(); !slices.Equal(got, []int64{amina.User.ID}) {
			t.Fatalf("with Babu away the call rings %v, want Amina", got)
		}
	})
}

// Shifts and swaps refuse what makes no sense, with a clear error, and
// change nothing.
func TestRotaRefusals(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		amina := f.rotaAgent(t, "amina", "+8801711000001")
		babu := f.rotaAgent(t, "babu", "+8801711000002")
		chitra := f.rotaAgent(t, "chitra", "+8801711000003")
		night := f.shift(t, amina, sahay.ShiftPhone, "fri", "22:00", "02:00")
		for _, in := range []core.ShiftInput{
			{UserID: amina.User.ID, Kind: sahay.ShiftPhone, Weekday: "sat", Start: "01:00", End: "03:00"}, // Friday night runs into it
			{UserID: amina.User.ID, Kind: "email", Weekday: "mon", Start: "09:00", End: "17:00"},
			{UserID: amina.User.ID, Kind: sahay.ShiftChat, Weekday: "monday", Start: "09:00", End: "17:00"},
			{UserID: amina.User.ID, Kind: sahay.ShiftChat, Weekday: "mon", Start: "9", End: "17:00"},
			{UserID: amina.User.ID, Kind: sahay.ShiftChat, Weekday: "mon", Start: "09:00", End: "09:00"},
			{UserID: amina.User.ID, Kind: sahay.ShiftChat, Weekday: "mon", Start: "09:00", End: "24:01"},
			{UserID: 999999, Kind: sahay.ShiftChat, Weekday: "mon", Start: "09:00", End: "17:00"},
		} {
			if _, err := f.svc.CreateShift(ctx, f.owner, in); sahay.ErrorCode(err) != sahay.EINVALID {
				t.Errorf("shift %+v: %v, want invalid", in, err)
			}
		}
		// Another kind at the same time is fine; an agent may not add shifts.
		f.shift(t, amina, sahay.ShiftChat, "sat", "01:00", "03:00")
		if _, err := f.svc.CreateShift(ctx, amina, core.ShiftInput{UserID: amina.User.ID, Kind: sahay.ShiftSocial, Weekday: "mon", Start: "09:00", End: "10:00"}); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Errorf("an agent adding a shift: %v, want forbidden", err)
		}

		loc := time.UTC
		fri := nextWeekday(loc, time.Friday).Format(time.DateOnly)
		sat := nextWeekday(loc, time.Saturday).Format(time.DateOnly)
		for _, tc := range []struct {
			actor *core.Actor
			in    core.SwapInput
			code  string
		}{
			{amina, core.SwapInput{ShiftID: night.ID, Date: fri, UserID: amina.User.ID}, sahay.EINVALID}, // oneself
			{amina, core.SwapInput{ShiftID: night.ID, Date: sat, UserID: babu.User.ID}, sahay.EINVALID},  // not a Friday
			{amina, core.SwapInput{ShiftID: night.ID, Date: "2026-13-01", UserID: babu.User.ID}, sahay.EINVALID},
			{amina, core.SwapInput{ShiftID: night.ID, Date: "2020-01-03", UserID: babu.User.ID}, sahay.EINVALID}, // over
			{amina, core.SwapInput{ShiftID: night.ID + 1000, Date: fri, UserID: babu.User.ID}, sahay.EINVALID},
			{amina, core.SwapInput{ShiftID: night.ID, Date: fri, UserID: 999999}, sahay.EINVALID},
			{chitra, core.SwapInput{ShiftID: night.ID, Date: fri, UserID: babu.User.ID}, sahay.EFORBIDDEN}, // neither of them
		} {
			if _, err := f.svc.RequestSwap(ctx, tc.actor, tc.in); sahay.ErrorCode(err) != tc.code {
				t.Errorf("swap %+v by %s: %v, want %s", tc.in, tc.actor.User.Name, err, tc.code)
			}
		}
		// Babu asks to take it; a second request of the same night
		// conflicts; Babu withdraws and Chitra may ask.
		sw, err := f.svc.RequestSwap(ctx, babu, core.SwapInput{ShiftID: night.ID, Date: fri})
		if err != nil || sw.ToUserID != babu.User.ID || sw.FromUserID != amina.User.ID || sw.Status != sahay.SwapPending {
			t.Fatalf("Babu asks: %+v %v", sw, err)
		}
		if _, err := f.svc.RequestSwap(ctx, chitra, core.SwapInput{ShiftID: night.ID, Date: fri}); sahay.ErrorCode(err) != sahay.ECONFLICT {
			t.Fatalf("a second swap of the night: %v, want conflict", err)
		}
		if _, err := f.svc.AcceptSwap(ctx, babu, sw.ID); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Fatalf("the asker accepting: %v, want forbidden", err)
		}
		if _, err := f.svc.CancelSwap(ctx, chitra, sw.ID); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Fatalf("a bystander cancelling: %v, want forbidden", err)
		}
		if _, err := f.svc.CancelSwap(ctx, babu, sw.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AcceptSwap(ctx, amina, sw.ID); sahay.ErrorCode(err) != sahay.ECONFLICT {
			t.Fatalf("accepting a withdrawn swap: %v, want conflict", err)
		}
		// An administrator records one at once.
		rec, err := f.svc.RequestSwap(ctx, f.owner, core.SwapInput{ShiftID: night.ID, Date: fri, UserID: chitra.User.ID})
		if err != nil || rec.Status != sahay.SwapAccepted || rec.DecidedBy != f.owner.User.ID {
			t.Fatalf("recorded swap: %+v %v", rec, err)
		}
		if _, err := f.svc.CancelSwap(ctx, chitra, rec.ID); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Fatalf("an agent cancelling a recorded swap: %v, want forbidden", err)
		}
	})
}

// With chat shifts on the rota, routing gives a chat conversation only to
// who is on a chat shift now; the agent off shift gets none.
func TestRoutingKeepsToTheRota(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		off, _ := routedAgent(t, f, f.svc, f.theirs, "off@dokan.example")
		on, _ := routedAgent(t, f, f.svc, f.theirs, "on@dokan.example")
		now := time.Now().UTC()
		from := now.Add(-time.Hour)
		day := [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[from.Weekday()]
		if _, err := f.svc.CreateShift(ctx, f.admin, core.ShiftInput{UserID: on.ID, Kind: sahay.ShiftChat, Weekday: day, Start: from.Format("15:04"), End: now.Add(time.Hour).Format("15:04")}); err != nil {
			t.Fatal(err)
		}
		// The agent off the chat rota is on the phone one: no matter.
		if _, err := f.svc.CreateShift(ctx, f.admin, core.ShiftInput{UserID: off.ID, Kind: sahay.ShiftPhone, Weekday: day, Start: from.Format("15:04"), End: now.Add(time.Hour).Format("15:04")}); err != nil {
			t.Fatal(err)
		}
		setRouting(t, f, f.theirs, core.RoutingInput{Mode: ptr(sahay.RoutingRoundRobin)})
		var ids []int64
		for i := range 4 {
			ids = append(ids, f.receive(t, f.theirs, fmt.Sprintf("r%d", i), fmt.Sprintf("rm%d", i), "hello").Conversation.ID)
		}
		var got []int64
		waitRouted(t, "every conversation assigned", func() (bool, string) {
			got = assignees(t, f.st, f.account.ID, ids)
			return !slices.Contains(got, 0), fmt.Sprint(got)
		})
		for i, id := range got {
			if id != on.ID {
				t.Errorf("conversation %d went to %d, want %d, the agent on the chat shift", ids[i], id, on.ID)
			}
		}
	})
}
