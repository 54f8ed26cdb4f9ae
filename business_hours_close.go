package sahay

import (
	"slices"
	"time"
)

// NextClose returns the first time after t when the team, in at t, is
// out; false when the hours stay open for the next 400 days (or are
// disabled). Open changes only at a range's start or end or at a local
// midnight, so those are the times tried.
func (b BusinessHours) NextClose(t time.Time) (time.Time, bool) {
	if !b.Enabled {
		return time.Time{}, false
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return time.Time{}, false
	}
	local := t.In(loc)
	for day := -1; day < 400; day++ {
		date := time.Date(local.Year(), local.Month(), local.Day()+day, 0, 0, 0, 0, loc)
		cands := []time.Time{time.Date(date.Year(), date.Month(), date.Day()+1, 0, 0, 0, 0, loc)}
		for _, s := range b.spans(date.Weekday()) {
			for _, m := range []int{s.start, s.end} {
				cands = append(cands, time.Date(date.Year(), date.Month(), date.Day(), m/60, m%60, 0, 0, loc))
			}
		}
		slices.SortFunc(cands, func(x, y time.Time) int { return x.Compare(y) })
		for _, c := range cands {
			if c.After(t) && !b.Open(c) {
				return c.UTC(), true
			}
		}
	}
	return time.Time{}, false
}
