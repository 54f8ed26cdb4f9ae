package sahay_test

import (
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
)

func TestShiftOverlaps(t *testing.T) {
	shift := func(day, start, end string) *sahay.Shift {
		sh := &sahay.Shift{Kind: sahay.ShiftChat, Weekday: day, Start: start, End: end}
		if err := sh.Check(); err != nil {
			t.Fatalf("%s %s-%s: %v", day, start, end, err)
		}
		return sh
	}
	for _, tc := range []struct {
		a, b    *sahay.Shift
		overlap bool
	}{
		{shift("mon", "09:00", "13:00"), shift("mon", "13:00", "17:00"), false},
		{shift("mon", "09:00", "13:01"), shift("mon", "13:00", "17:00"), true},
		{shift("fri", "22:00", "02:00"), shift("sat", "01:00", "03:00"), true},
		{shift("fri", "22:00", "02:00"), shift("sat", "02:00", "03:00"), false},
		// Saturday night runs into Sunday morning, the next week's.
		{shift("sat", "22:00", "06:00"), shift("sun", "05:00", "07:00"), true},
		{shift("sat", "00:00", "24:00"), shift("sun", "00:00", "01:00"), false},
		{shift("tue", "09:00", "17:00"), shift("wed", "09:00", "17:00"), false},
	} {
		if got := tc.a.Overlaps(tc.b); got != tc.overlap || tc.b.Overlaps(tc.a) != tc.overlap {
			t.Errorf("%+v overlaps %+v = %v, want %v", *tc.a, *tc.b, got, tc.overlap)
		}
	}
}

func TestShiftOccurrence(t *testing.T) {
	dhaka, err := time.LoadLocation("Asia/Dhaka")
	if err != nil {
		t.Fatal(err)
	}
	sh := &sahay.Shift{Kind: sahay.ShiftPhone, Weekday: "sat", Start: "22:00", End: "06:00"}
	from, to, ok := sh.Occurrence("2026-12-12", dhaka)
	if !ok || !from.Equal(time.Date(2026, 12, 12, 16, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 12, 13, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Saturday night in Dhaka = %s–%s %v", from.UTC(), to.UTC(), ok)
	}
	if _, _, ok := sh.Occurrence("2026-12-13", dhaka); ok {
		t.Fatal("a Saturday shift occurs on a Sunday")
	}
	for _, bad := range []sahay.Shift{
		{Kind: "phone", Weekday: "sat", Start: "22:00", End: "22:00"},
		{Kind: "phone", Weekday: "sat", Start: "24:00", End: "02:00"},
		{Kind: "phone", Weekday: "sat", Start: "9:00", End: "12:00"},
		{Kind: "phone", Weekday: "Sat", Start: "09:00", End: "12:00"},
		{Kind: "voice", Weekday: "sat", Start: "09:00", End: "12:00"},
	} {
		if err := bad.Check(); sahay.ErrorCode(err) != sahay.EINVALID {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}
