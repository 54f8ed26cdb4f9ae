package sahay_test

import (
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// Hours are read in their own time zone: 09:00–17:00 in Dhaka is open at
// 10:00 there, whatever the clock of the server says.
func TestBusinessHoursOpen(t *testing.T) {
	dhaka := sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Dhaka", Days: map[string]string{"mon": "09:00-17:00", "sat": "10:00-24:00"}}
	// Monday 7 December 2026.
	at := func(hour, minute int) time.Time {
		return time.Date(2026, 12, 7, hour, minute, 0, 0, time.FixedZone("BST", 6*3600)).UTC()
	}
	for _, tt := range []struct {
		name  string
		hours sahay.BusinessHours
		t     time.Time
		want  bool
	}{
		{"before opening", dhaka, at(8, 59), false},
		{"at opening", dhaka, at(9, 0), true},
		{"before closing", dhaka, at(16, 59), true},
		{"at closing", dhaka, at(17, 0), false},
		{"a closed day", dhaka, at(10, 0).Add(24 * time.Hour), false},
		{"until midnight", dhaka, at(23, 59).Add(5 * 24 * time.Hour), true},
		{"disabled hours are always open", sahay.BusinessHours{TimeZone: "Asia/Dhaka"}, at(3, 0), true},
		{"enabled with no days is always closed", sahay.BusinessHours{Enabled: true, TimeZone: "UTC"}, at(10, 0), false},
	} {
		if got := tt.hours.Open(tt.t); got != tt.want {
			t.Errorf("%s: Open(%s) = %v, want %v", tt.name, tt.t.In(time.FixedZone("BST", 6*3600)).Format("Mon 15:04"), got, tt.want)
		}
	}
}

// Check names what is wrong, and fills a left-out time zone and days.
func TestBusinessHoursCheck(t *testing.T) {
	for _, tt := range []struct {
		hours sahay.BusinessHours
		want  string
	}{
		{sahay.BusinessHours{TimeZone: "Mars/Base"}, "business_hours.time_zone"},
		{sahay.BusinessHours{Days: map[string]string{"monday": "09:00-17:00"}}, `"monday" is not one of`},
		{sahay.BusinessHours{Days: map[string]string{"mon": "9-5"}}, "business_hours.days.mon"},
		{sahay.BusinessHours{Days: map[string]string{"mon": "25:00-26:00"}}, "business_hours.days.mon"},
	} {
		err := tt.hours.Check()
		if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want invalid naming %q", tt.hours, err, tt.want)
		}
	}
	var b sahay.BusinessHours
	if err := b.Check(); err != nil || b.TimeZone != "UTC" || b.Days == nil {
		t.Fatalf("%+v: %v", b, err)
	}
}

func TestBusinessHoursNextOpen(t *testing.T) {
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	b := sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Dhaka", Days: map[string]string{"sun": "09:00-17:00", "mon": "09:00-17:00", "thu": "10:00-14:00"}}
	for _, tc := range []struct {
		now, want time.Time
	}{
		// Inside the hours: now.
		{time.Date(2026, 12, 6, 10, 0, 0, 0, dhaka), time.Date(2026, 12, 6, 10, 0, 0, 0, dhaka)},
		// Sunday before opening: the same morning.
		{time.Date(2026, 12, 6, 7, 30, 0, 0, dhaka), time.Date(2026, 12, 6, 9, 0, 0, 0, dhaka)},
		// Monday evening: Thursday.
		{time.Date(2026, 12, 7, 18, 0, 0, 0, dhaka), time.Date(2026, 12, 10, 10, 0, 0, 0, dhaka)},
		// Thursday after closing: Sunday.
		{time.Date(2026, 12, 10, 14, 0, 0, 0, dhaka), time.Date(2026, 12, 13, 9, 0, 0, 0, dhaka)},
	} {
		got, ok := b.NextOpen(tc.now)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("NextOpen(%v) = %v, %v; want %v", tc.now, got, ok, tc.want)
		}
	}
	if _, ok := (sahay.BusinessHours{Enabled: true, TimeZone: "UTC", Days: map[string]string{}}).NextOpen(time.Now()); ok {
		t.Error("hours with no open day opened")
	}
}
