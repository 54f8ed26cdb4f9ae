package sahay

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// BusinessHours are a team's weekly hours in a time zone: when the
// website widget says the team is in, and when a phone inbox rings its
// agents.
type BusinessHours struct {
	Enabled  bool   `json:"enabled"`
	TimeZone string `json:"time_zone"`
	// Days maps "mon" … "sun" to one or more ranges separated by commas,
	// "09:00-13:00,14:00-18:00"; a missing or empty day is closed. A
	// range may end at "24:00", and a range that ends before it starts
	// runs overnight: "22:00-02:00" on fri is Friday 22:00 to Saturday
	// 02:00.
	Days map[string]string `json:"days"`
	// Holidays are whole days closed, in the hours' time zone. An
	// overnight range that starts on a holiday does not run; one that
	// starts the day before stops at the holiday's midnight.
	Holidays []Holiday `json:"holidays,omitempty"`
}

// Holiday is a date the team is out, "2026-12-25", with an optional name.
// In JSON it is {"date": "2026-12-25", "name": "Christmas"} or just the
// date as a string.
type Holiday struct {
	Date string `json:"date"`
	Name string `json:"name,omitempty"`
}

// UnmarshalJSON accepts a holiday as an object or as its date alone.
func (h *Holiday) UnmarshalJSON(b []byte) error {
	var date string
	if json.Unmarshal(b, &date) == nil {
		*h = Holiday{Date: date}
		return nil
	}
	type plain Holiday
	return json.Unmarshal(b, (*plain)(h))
}

// Limits of business hours.
const (
	MaxHolidays         = 366
	MaxHolidayNameChars = 100
	MaxRangesPerDay     = 12
)

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// span is one range of a day in minutes from its midnight; an overnight
// range has end > 1440 (it runs into the next day).
type span struct {
	start, end int
	text       string
}

// clock reads "HH:MM" as minutes from midnight; max is the latest
// allowed value (1439 for a start, 1440 for an end).
func clock(s string, max int) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for i, c := range []byte(s) {
		if i != 2 && (c < '0' || c > '9') {
			return 0, false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if m > 59 || h*60+m > max {
		return 0, false
	}
	return h*60 + m, true
}

// parseDay reads a day's ranges, sorted by start; the error names the
// range at fault.
func parseDay(value string) ([]span, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	parts := strings.Split(value, ",")
	if len(parts) > MaxRangesPerDay {
		return nil, Invalid("has %d ranges, at most %d", len(parts), MaxRangesPerDay)
	}
	var spans []span
	for _, p := range parts {
		p = strings.TrimSpace(p)
		from, to, ok := strings.Cut(p, "-")
		start, ok1 := clock(from, 1439)
		end, ok2 := clock(to, 1440)
		if !ok || !ok1 || !ok2 {
			return nil, Invalid("%q does not look like 09:00-17:30", p)
		}
		if start == end {
			return nil, Invalid("%q is empty: it starts when it ends", p)
		}
		if end < start {
			end += 1440
		}
		spans = append(spans, span{start, end, p})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	return spans, nil
}

// Check validates the hours, naming the setting at fault, and fills the
// time zone (UTC) and days when they are left out.
func (b *BusinessHours) Check() error {
	if b.TimeZone == "" {
		b.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(b.TimeZone); err != nil {
		return Invalid("business_hours.time_zone %q is not a time zone", b.TimeZone)
	}
	if b.Days == nil {
		b.Days = map[string]string{}
	}
	// The week's ranges in minutes from Sunday midnight, to find overlaps,
	// also of an overnight range with the next day's first.
	type owned struct {
		span
		day, text string
	}
	var week []owned
	for day, value := range b.Days {
		i := slices.Index(weekdays, day)
		if i < 0 {
			return Invalid("business_hours.days: %q is not one of sun, mon, tue, wed, thu, fri, sat", day)
		}
		spans, err := parseDay(value)
		if err != nil {
			return Invalid("business_hours.days.%s: %s", day, err.(*Error).Message)
		}
		for _, s := range spans {
			week = append(week, owned{span{i*1440 + s.start, i*1440 + s.end, s.text}, day, s.text})
		}
	}
	slices.SortFunc(week, func(a, b owned) int { return a.start - b.start })
	for i, s := range week {
		next := week[(i+1)%len(week)]
		nextStart := next.start
		if i+1 == len(week) {
			nextStart += 7 * 1440 // Saturday night runs into Sunday
		}
		if len(week) > 1 && s.end > nextStart {
			return Invalid("business_hours.days.%s: %s overlaps %s on %s", s.day, s.text, next.text, next.day)
		}
	}
	if len(b.Holidays) > MaxHolidays {
		return Invalid("business_hours.holidays: %d holidays, at most %d", len(b.Holidays), MaxHolidays)
	}
	seen := map[string]bool{}
	for i, h := range b.Holidays {
		if _, err := time.Parse(time.DateOnly, h.Date); err != nil {
			return Invalid("business_hours.holidays[%d].date %q is not a date like 2026-12-25", i, h.Date)
		}
		if seen[h.Date] {
			return Invalid("business_hours.holidays[%d].date %s is listed twice", i, h.Date)
		}
		seen[h.Date] = true
		if utf8.RuneCountInString(h.Name) > MaxHolidayNameChars || !utf8.ValidString(h.Name) {
			return Invalid("business_hours.holidays[%d].name is longer than %d characters", i, MaxHolidayNameChars)
		}
	}
	return nil
}

// holiday reports whether the local date of t is a holiday.
func (b BusinessHours) holiday(t time.Time) bool {
	date := t.Format(time.DateOnly)
	for _, h := range b.Holidays {
		if h.Date == date {
			return true
		}
	}
	return false
}

// spans returns the day's ranges, skipping ones that do not parse.
func (b BusinessHours) spans(day time.Weekday) []span {
	spans, err := parseDay(b.Days[weekdays[day]])
	if err != nil {
		return nil
	}
	return spans
}

// Open reports whether t falls within the business hours; with hours
// disabled the team is always in.
func (b BusinessHours) Open(t time.Time) bool {
	if !b.Enabled {
		return true
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return true
	}
	t = t.In(loc)
	if b.holiday(t) {
		return false
	}
	now := t.Hour()*60 + t.Minute()
	for _, s := range b.spans(t.Weekday()) {
		if now >= s.start && now < s.end {
			return true
		}
	}
	// The night before's overnight ranges, unless that day was a holiday.
	y, m, d := t.Date()
	before := time.Date(y, m, d-1, 12, 0, 0, 0, loc)
	if b.holiday(before) {
		return false
	}
	for _, s := range b.spans(before.Weekday()) {
		if s.end > 1440 && now < s.end-1440 {
			return true
		}
	}
	return false
}

// NextOpen returns the first time from t on when the team is in, and
// false when the hours name no open day. The search is bounded: it passes
// every holiday, then at most two more days with ranges. With hours disabled it is t.
func (b BusinessHours) NextOpen(t time.Time) (time.Time, bool) {
	if b.Open(t) {
		return t, true
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return t, true
	}
	local := t.In(loc)
	// An open stretch begins at a range's start on a day that is not a
	// holiday: the night after a range that ran to midnight continues it,
	// and holidays only close. So the answer is the first such start
	// after t. Each holiday can close one day with ranges, so the search
	// ends after that many of them and two more.
	holidays := map[string]bool{}
	for _, h := range b.Holidays {
		holidays[h.Date] = true
	}
	week := 0
	for day := range 7 {
		week += len(b.spans(time.Weekday(day)))
	}
	if week == 0 {
		return time.Time{}, false
	}
	for d, rangeDays := 0, 0; rangeDays <= len(holidays)+2; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 12, 0, 0, 0, loc)
		spans := b.spans(day.Weekday())
		if len(spans) == 0 {
			continue
		}
		rangeDays++
		if holidays[day.Format(time.DateOnly)] {
			continue
		}
		for _, s := range spans {
			start := time.Date(day.Year(), day.Month(), day.Day(), s.start/60, s.start%60, 0, 0, loc)
			if start.After(t) && b.Open(start) {
				return start.UTC(), true
			}
		}
	}
	return time.Time{}, false
}
