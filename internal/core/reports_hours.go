package core

import (
	"slices"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// businessDuration is how much of [a, b) falls within the hours: each
// day's ranges in the hours' time zone, overnight ranges running into the
// next day, holidays closed whole (an overnight range stops at a
// holiday's midnight). Disabled hours are always open.
func businessDuration(h sahay.BusinessHours, a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if !h.Enabled {
		return b.Sub(a)
	}
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return b.Sub(a)
	}
	holidays := map[string]bool{}
	for _, d := range h.Holidays {
		holidays[d.Date] = true
	}
	type iv struct{ s, e time.Time }
	var ivs []iv
	la := a.In(loc)
	first := time.Date(la.Year(), la.Month(), la.Day()-1, 0, 0, 0, 0, loc)
	for day := first; day.Before(b); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		if holidays[day.Format(time.DateOnly)] {
			continue
		}
		next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		for _, r := range dayRanges(h.Days[strings.ToLower(day.Weekday().String()[:3])]) {
			s := day.Add(time.Duration(r[0]) * time.Minute)
			var e time.Time
			if r[1] <= 1440 {
				e = day.Add(time.Duration(r[1]) * time.Minute)
				if r[1] == 1440 {
					e = next
				}
			} else {
				e = next.Add(time.Duration(r[1]-1440) * time.Minute)
				if holidays[next.Format(time.DateOnly)] {
					e = next
				}
			}
			s, e = maxTime(s, a), minTime(e, b)
			if e.After(s) {
				ivs = append(ivs, iv{s, e})
			}
		}
	}
	slices.SortFunc(ivs, func(x, y iv) int { return x.s.Compare(y.s) })
	var total time.Duration
	var end time.Time
	for _, v := range ivs {
		if v.s.Before(end) {
			v.s = end
		}
		if v.e.After(v.s) {
			total += v.e.Sub(v.s)
			end = v.e
		}
	}
	return total
}

// dayRanges reads "09:00-13:00,22:00-02:00" as minute ranges from the
// day's midnight; a range ending before it starts runs into the next day
// (its end is past 1440). Ranges that do not parse are skipped.
func dayRanges(v string) [][2]int {
	var out [][2]int
	for _, part := range strings.Split(v, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			continue
		}
		s, ok1 := hhmm(from)
		e, ok2 := hhmm(to)
		if !ok1 || !ok2 || s == e {
			continue
		}
		if e < s {
			e += 1440
		}
		out = append(out, [2]int{s, e})
	}
	return out
}

func hhmm(v string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(v), ":")
	if !ok {
		return 0, false
	}
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hi < 0 || hi > 24 || mi < 0 || mi > 59 || (hi == 24 && mi != 0) {
		return 0, false
	}
	return hi*60 + mi, true
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
