package sahay

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// BusinessHours are a team's weekly hours in a time zone: when the
// website widget says the team is in, and when a phone inbox rings its
// agents.
type BusinessHours struct {
	Enabled  bool   `json:"enabled"`
	TimeZone string `json:"time_zone"`
	// Days maps "mon" … "sun" to "09:00-17:00"; a missing or empty day is
	// closed.
	Days map[string]string `json:"days"`
}

var (
	hoursPattern = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$`)
	weekdays     = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
)

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
	for day, span := range b.Days {
		if !slices.Contains(weekdays, day) {
			return Invalid("business_hours.days: %q is not one of sun, mon, tue, wed, thu, fri, sat", day)
		}
		if span != "" && !hoursPattern.MatchString(span) {
			return Invalid("business_hours.days.%s: %q does not look like 09:00-17:30", day, span)
		}
	}
	return nil
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
	span := b.Days[weekdays[t.Weekday()]]
	if span == "" {
		return false
	}
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(span, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
		return false
	}
	now := t.Hour()*60 + t.Minute()
	return now >= h1*60+m1 && now < h2*60+m2
}

// NextOpen returns the first time from t on when the team is in, and
// false when the hours name no open day. With hours disabled it is t.
func (b BusinessHours) NextOpen(t time.Time) (time.Time, bool) {
	if b.Open(t) {
		return t, true
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return t, true
	}
	local := t.In(loc)
	for d := 0; d <= 7; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 0, 0, 0, 0, loc)
		var h1, m1, h2, m2 int
		span := b.Days[weekdays[day.Weekday()]]
		if span == "" {
			continue
		}
		if _, err := fmt.Sscanf(span, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil || h1*60+m1 >= h2*60+m2 {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), h1, m1, 0, 0, loc)
		if start.After(t) {
			return start.UTC(), true
		}
	}
	return time.Time{}, false
}
