package core_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// An inbox without enabled hours of its own keeps the account's, read in
// the account's time zone: a holiday in Dhaka closes the phone line there.
func TestAccountHoursFallback(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		account := f.owner.AccountID()
		// No hours anywhere: always in.
		hours, err := f.svc.HoursFor(ctx, account, f.inbox.ID)
		if err != nil || hours.Enabled {
			t.Fatalf("HoursFor with no hours = %+v, %v", hours, err)
		}
		// Every day all day, but today and tomorrow in Dhaka are holidays.
		dhaka, _ := time.LoadLocation("Asia/Dhaka")
		now := time.Now().In(dhaka)
		allDay := map[string]string{}
		for _, d := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
			allDay[d] = "00:00-24:00"
		}
		closed := sahay.BusinessHours{Enabled: true, TimeZone: "Mars/Base", Days: allDay, Holidays: []sahay.Holiday{
			{Date: now.Format(time.DateOnly), Name: "ছুটি"}, {Date: now.AddDate(0, 0, 1).Format(time.DateOnly)}}}
		tz := "Asia/Dhaka"
		acc, err := f.svc.UpdateAccount(ctx, f.owner, core.AccountInput{TimeZone: &tz, BusinessHours: &closed})
		if err != nil {
			t.Fatal(err)
		}
		if acc.BusinessHours.TimeZone != "Asia/Dhaka" || len(acc.BusinessHours.Holidays) != 2 {
			t.Fatalf("account hours = %+v, want in the account's time zone", acc.BusinessHours)
		}
		hours, err = f.svc.HoursFor(ctx, account, f.inbox.ID)
		if err != nil || !hours.Enabled || hours.TimeZone != "Asia/Dhaka" || hours.Open(time.Now()) {
			t.Fatalf("HoursFor falling back to the account = %+v, %v", hours, err)
		}
		if line, err := f.svc.Line(ctx, account, f.inbox.ID); err != nil || line.Open {
			t.Fatalf("line on the account's holiday = %+v, %v; want closed", line, err)
		}
		// The inbox's own enabled hours win.
		own, _ := json.Marshal(map[string]any{"business_hours": sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Kolkata", Days: allDay}})
		if _, err := f.svc.UpdateInbox(ctx, f.owner, f.inbox.ID, core.InboxInput{Settings: own}); err != nil {
			t.Fatal(err)
		}
		hours, err = f.svc.HoursFor(ctx, account, f.inbox.ID)
		if err != nil || hours.TimeZone != "Asia/Kolkata" || !hours.Open(time.Now()) {
			t.Fatalf("HoursFor with the inbox's own hours = %+v, %v", hours, err)
		}
		if line, err := f.svc.Line(ctx, account, f.inbox.ID); err != nil || !line.Open {
			t.Fatalf("line in the inbox's own hours = %+v, %v; want open", line, err)
		}
		// Disabled hours of its own are none: the account's again.
		off, _ := json.Marshal(map[string]any{"business_hours": sahay.BusinessHours{TimeZone: "Asia/Kolkata", Days: allDay}})
		if _, err := f.svc.UpdateInbox(ctx, f.owner, f.inbox.ID, core.InboxInput{Settings: off}); err != nil {
			t.Fatal(err)
		}
		if hours, err = f.svc.HoursFor(ctx, account, f.inbox.ID); err != nil || hours.TimeZone != "Asia/Dhaka" {
			t.Fatalf("HoursFor with disabled own hours = %+v, %v", hours, err)
		}
		// The account's hours follow its time zone.
		tz = "Asia/Kolkata"
		if acc, err = f.svc.UpdateAccount(ctx, f.owner, core.AccountInput{TimeZone: &tz}); err != nil || acc.BusinessHours.TimeZone != tz || !acc.BusinessHours.Enabled {
			t.Fatalf("account hours after a time zone change = %+v, %v", acc.BusinessHours, err)
		}
		if _, err := f.svc.HoursFor(ctx, account, f.inbox.ID+1000); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Fatalf("HoursFor a missing inbox: %v", err)
		}
	})
}

// Bad hours are refused, naming the field, and change nothing else of the
// update.
func TestAccountHoursRefused(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		f := newLineFixture(t, open(t))
		before, err := f.svc.Account(ctx, f.owner)
		if err != nil {
			t.Fatal(err)
		}
		name := "Renamed"
		for _, tt := range []struct {
			hours sahay.BusinessHours
			want  string
		}{
			{sahay.BusinessHours{Enabled: true, Days: map[string]string{"mon": "09:00-13:00,12:00-18:00"}}, "business_hours.days.mon"},
			{sahay.BusinessHours{Enabled: true, Days: map[string]string{"mon": "9 to 5"}}, "business_hours.days.mon"},
			{sahay.BusinessHours{Enabled: true, Holidays: []sahay.Holiday{{Date: "2026-13-01"}}}, "business_hours.holidays[0].date"},
		} {
			_, err := f.svc.UpdateAccount(ctx, f.owner, core.AccountInput{Name: &name, BusinessHours: &tt.hours})
			if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%+v: %v, want invalid naming %s", tt.hours, err, tt.want)
			}
		}
		after, err := f.svc.Account(ctx, f.owner)
		if err != nil || after.Name != before.Name || after.BusinessHours.Enabled {
			t.Fatalf("refused updates changed the account: %+v", after)
		}
	})
}
