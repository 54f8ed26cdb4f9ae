package sahay_test

import (
	"encoding/json"
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

// Several ranges a day, overnight ranges and "24:00", read in the hours'
// own time zone.
func TestBusinessHoursRanges(t *testing.T) {
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	b := sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Kolkata", Days: map[string]string{
		"mon": "09:00-13:00, 14:00-18:00",
		"fri": "22:00-02:00",
		"sat": "10:00-24:00",
		"sun": "00:00-03:00",
	}}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	// Monday 7 December 2026 … Sunday 13 December.
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, kolkata) }
	for _, tt := range []struct {
		t    time.Time
		want bool
	}{
		{at(7, 12, 59), true},
		{at(7, 13, 0), false}, // lunch
		{at(7, 13, 59), false},
		{at(7, 14, 0), true},
		{at(7, 18, 0), false},
		{at(11, 21, 59), false},
		{at(11, 22, 0), true},  // Friday night
		{at(12, 1, 59), true},  // after midnight, Saturday
		{at(12, 2, 0), false},  // the night ends
		{at(12, 23, 59), true}, // Saturday until midnight
		{at(13, 0, 0), true},   // and on into Sunday
		{at(13, 3, 0), false},
		{at(8, 1, 0), false}, // Monday's ranges do not run overnight
	} {
		if got := b.Open(tt.t); got != tt.want {
			t.Errorf("Open(%s) = %v, want %v", tt.t.Format("Mon 15:04"), got, tt.want)
		}
	}
	for _, tc := range []struct{ now, want time.Time }{
		{at(7, 13, 30), at(7, 14, 0)},  // after lunch
		{at(7, 18, 0), at(11, 22, 0)},  // Monday evening: Friday night
		{at(12, 5, 0), at(12, 10, 0)},  // Saturday morning
		{at(12, 1, 0), at(12, 1, 0)},   // in the night: now
		{at(13, 3, 0), at(14, 9, 0)},   // Sunday: Monday morning
		{at(11, 21, 0), at(11, 22, 0)}, // Friday evening
	} {
		if got, ok := b.NextOpen(tc.now); !ok || !got.Equal(tc.want) {
			t.Errorf("NextOpen(%s) = %s, %v; want %s", tc.now.Format("Mon 15:04"), got.In(kolkata).Format("Mon 02 15:04"), ok, tc.want.Format("Mon 02 15:04"))
		}
	}
	// Saturday night runs into Sunday morning across the week's end.
	wrap := sahay.BusinessHours{Enabled: true, TimeZone: "UTC", Days: map[string]string{"sat": "20:00-04:00"}}
	if !wrap.Open(time.Date(2026, 12, 13, 3, 0, 0, 0, time.UTC)) || wrap.Open(time.Date(2026, 12, 13, 4, 0, 0, 0, time.UTC)) {
		t.Error("Saturday's night does not run into Sunday")
	}
}

// A holiday closes its whole date in the hours' time zone, which is not
// the server's or UTC's date.
func TestBusinessHoursHolidays(t *testing.T) {
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	var b sahay.BusinessHours
	// Holidays as objects or bare dates.
	if err := json.Unmarshal([]byte(`{"enabled":true,"time_zone":"Asia/Dhaka","days":{"wed":"09:00-17:00","thu":"09:00-17:00","fri":"22:00-02:00","sat":"22:00-02:00"},
		"holidays":[{"date":"2026-12-16","name":"Victory Day"},"2026-12-25","2026-12-26"]}`), &b); err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil || b.Holidays[0].Name != "Victory Day" || b.Holidays[1].Date != "2026-12-25" {
		t.Fatalf("%+v: %v", b, err)
	}
	at := func(month, day, hour, minute int) time.Time {
		return time.Date(2026, time.Month(month), day, hour, minute, 0, 0, dhaka)
	}
	for _, tt := range []struct {
		t    time.Time
		want bool
	}{
		{at(12, 16, 10, 0), false}, // Victory Day, a Wednesday
		{at(12, 17, 10, 0), true},
		// 16 December 00:30 in Dhaka is still the 15th in UTC: closed all the same.
		{time.Date(2026, 12, 15, 18, 30, 0, 0, time.UTC), false},
		{at(12, 25, 23, 0), false}, // Friday the 25th: its night does not run
		{at(12, 26, 1, 0), false},  // nor past midnight
		{at(12, 26, 23, 0), false}, // Saturday the 26th a holiday too
		{at(12, 27, 1, 0), false},
		{at(12, 18, 23, 0), true}, // an ordinary Friday night
		{at(12, 19, 1, 0), true},
	} {
		if got := b.Open(tt.t); got != tt.want {
			t.Errorf("Open(%s) = %v, want %v", tt.t.In(dhaka).Format("Mon 02 Jan 15:04"), got, tt.want)
		}
	}
	for _, tc := range []struct{ now, want time.Time }{
		{at(12, 15, 18, 0), at(12, 17, 9, 0)}, // Tuesday evening: past Victory Day
		{at(12, 25, 10, 0), at(12, 30, 9, 0)}, // Christmas weekend: Wednesday
	} {
		if got, ok := b.NextOpen(tc.now); !ok || !got.Equal(tc.want) {
			t.Errorf("NextOpen(%s) = %s, %v; want %s", tc.now.Format("Mon 02 15:04"), got.In(dhaka).Format("Mon 02 Jan 15:04"), ok, tc.want.Format("Mon 02 Jan 15:04"))
		}
	}
	// A friday night before a Saturday holiday stops at midnight.
	sat := sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Dhaka", Days: map[string]string{"fri": "22:00-02:00"}, Holidays: []sahay.Holiday{{Date: "2026-12-19"}}}
	if !sat.Open(at(12, 18, 23, 59)) || sat.Open(at(12, 19, 0, 30)) {
		t.Error("the night before a holiday runs into it")
	}
	// A whole year of holidays over the only open day: NextOpen ends.
	year := sahay.BusinessHours{Enabled: true, TimeZone: "UTC", Days: map[string]string{"mon": "09:00-17:00"}}
	for d := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC); len(year.Holidays) < sahay.MaxHolidays; d = d.AddDate(0, 0, 7) {
		year.Holidays = append(year.Holidays, sahay.Holiday{Date: d.Format(time.DateOnly)})
	}
	if err := year.Check(); err != nil {
		t.Fatal(err)
	}
	// 366 Mondays closed: the 367th opens.
	want := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).AddDate(0, 0, 7*sahay.MaxHolidays)
	if got, ok := year.NextOpen(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)); !ok || !got.Equal(want) {
		t.Errorf("NextOpen past 366 holidays = %s, %v; want %s", got, ok, want)
	}
}

// In a zone with daylight saving time the hours follow the wall clock.
func TestBusinessHoursDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	b := sahay.BusinessHours{Enabled: true, TimeZone: "America/New_York", Days: map[string]string{"sun": "01:00-04:00", "mon": "09:00-17:00"}}
	// Sunday 8 March 2026: 02:00 EST jumps to 03:00 EDT. Sunday 1 November: back.
	for _, tt := range []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2026, 3, 9, 9, 0, 0, 0, ny), true},
		{time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC), true},   // 09:00 EDT
		{time.Date(2026, 3, 6, 13, 0, 0, 0, time.UTC), false},  // 08:00 EST on a Friday
		{time.Date(2026, 3, 2, 13, 59, 0, 0, time.UTC), false}, // 08:59 EST
		{time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), true},   // 09:00 EST
		{time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC), true},   // 03:30 EDT, just after the jump
		{time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), false},   // 04:00 EDT
		{time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC), true},  // 03:30 EST, after falling back
	} {
		if got := b.Open(tt.t); got != tt.want {
			t.Errorf("Open(%s) = %v, want %v", tt.t.In(ny).Format("Mon 02 Jan 15:04 MST"), got, tt.want)
		}
	}
	// Friday evening before the change: Monday opens at 09:00 EDT, 13:00 UTC.
	if got, ok := b.NextOpen(time.Date(2026, 3, 6, 18, 0, 0, 0, ny)); !ok || !got.Equal(time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("NextOpen = %s", got)
	}
	if got, ok := b.NextOpen(time.Date(2026, 3, 8, 12, 0, 0, 0, ny)); !ok || !got.Equal(time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("NextOpen = %s", got)
	}
}

// Check refuses what it cannot read, naming the field.
func TestBusinessHoursCheckRanges(t *testing.T) {
	many := make([]sahay.Holiday, sahay.MaxHolidays+1)
	for i := range many {
		many[i].Date = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	for _, tt := range []struct {
		hours sahay.BusinessHours
		want  string
	}{
		{sahay.BusinessHours{Days: map[string]string{"mon": "09:00-13:00,12:00-18:00"}}, "business_hours.days.mon: 09:00-13:00 overlaps 12:00-18:00 on mon"},
		{sahay.BusinessHours{Days: map[string]string{"mon": "09:00-13:00,"}}, "business_hours.days.mon"},
		{sahay.BusinessHours{Days: map[string]string{"mon": "09:00-09:00"}}, "business_hours.days.mon"},
		{sahay.BusinessHours{Days: map[string]string{"mon": "24:00-02:00"}}, "business_hours.days.mon"},
		{sahay.BusinessHours{Days: map[string]string{"mon": "09:60-10:00"}}, "business_hours.days.mon"},
		{sahay.BusinessHours{Days: map[string]string{"fri": "22:00-03:00", "sat": "02:00-05:00"}}, "business_hours.days.fri: 22:00-03:00 overlaps 02:00-05:00 on sat"},
		{sahay.BusinessHours{Days: map[string]string{"sat": "22:00-03:00", "sun": "02:00-05:00"}}, "business_hours.days.sat"},
		{sahay.BusinessHours{Holidays: []sahay.Holiday{{Date: "2026-02-30"}}}, "business_hours.holidays[0].date"},
		{sahay.BusinessHours{Holidays: []sahay.Holiday{{Date: "25/12/2026"}}}, "business_hours.holidays[0].date"},
		{sahay.BusinessHours{Holidays: []sahay.Holiday{{Date: "2026-12-25"}, {Date: "2026-12-25"}}}, "business_hours.holidays[1].date"},
		{sahay.BusinessHours{Holidays: []sahay.Holiday{{Date: "2026-12-25", Name: strings.Repeat("x", 101)}}}, "business_hours.holidays[0].name"},
		{sahay.BusinessHours{Holidays: many}, "business_hours.holidays"},
	} {
		err := tt.hours.Check()
		if sahay.ErrorCode(err) != sahay.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want invalid naming %q", tt.hours.Days, err, tt.want)
		}
	}
	for _, ok := range []string{"09:00-13:00,13:00-18:00", "00:00-24:00", "18:00-24:00", "22:00-00:00"} {
		b := sahay.BusinessHours{Days: map[string]string{"mon": ok, "tue": "00:00-08:00"}}
		if err := b.Check(); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
