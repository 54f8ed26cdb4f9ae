package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// The account's business hours are set through PATCH /api/v1/account, in
// the account's time zone; bad hours are refused naming the field and
// change nothing.
func TestAccountBusinessHours(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Dokan")
		agent := s.NewUser(t, o, sahay.RoleAgent)
		hours := map[string]any{"enabled": true, "time_zone": "UTC",
			"days":     map[string]string{"sun": "09:00-13:00,14:00-18:00", "thu": "22:00-02:00", "sat": "10:00-24:00"},
			"holidays": []any{map[string]string{"date": "2026-12-16", "name": "বিজয় দিবস"}, "2027-02-21"}}
		var acc sahay.Account
		s.Must(t, o.Token, http.MethodPatch, "/api/v1/account", map[string]any{"time_zone": "Asia/Dhaka", "business_hours": hours}, http.StatusOK, &acc)
		want := sahay.BusinessHours{Enabled: true, TimeZone: "Asia/Dhaka",
			Days:     map[string]string{"sun": "09:00-13:00,14:00-18:00", "thu": "22:00-02:00", "sat": "10:00-24:00"},
			Holidays: []sahay.Holiday{{Date: "2026-12-16", Name: "বিজয় দিবস"}, {Date: "2027-02-21"}}}
		if !reflect.DeepEqual(acc.BusinessHours, want) {
			t.Fatalf("account hours = %+v, want %+v", acc.BusinessHours, want)
		}
		s.Must(t, o.Token, http.MethodGet, "/api/v1/account", nil, http.StatusOK, &acc)
		if !reflect.DeepEqual(acc.BusinessHours, want) {
			t.Fatalf("account hours read back = %+v, want %+v", acc.BusinessHours, want)
		}
		// An agent may not change them.
		s.Must(t, agent.Token, http.MethodPatch, "/api/v1/account", map[string]any{"business_hours": map[string]any{"enabled": false}}, http.StatusForbidden, nil)

		for _, tc := range []struct {
			hours any
			field string
		}{
			{map[string]any{"enabled": true, "days": map[string]string{"mon": "09:00-13:00,12:00-18:00"}}, "business_hours.days.mon"},
			{map[string]any{"enabled": true, "days": map[string]string{"fri": "22:00-03:00", "sat": "02:00-05:00"}}, "business_hours.days.fri"},
			{map[string]any{"enabled": true, "days": map[string]string{"mon": "9-5"}}, "business_hours.days.mon"},
			{map[string]any{"enabled": true, "days": map[string]string{"funday": "09:00-17:00"}}, "business_hours.days"},
			{map[string]any{"enabled": true, "holidays": []string{"2026-02-30"}}, "business_hours.holidays[0].date"},
			{map[string]any{"enabled": true, "holidays": []string{"2026-12-25", "2026-12-25"}}, "business_hours.holidays[1].date"},
			{map[string]any{"enabled": true, "holidays": manyHolidays(sahay.MaxHolidays + 1)}, "business_hours.holidays"},
		} {
			r := s.Call(t, o.Token, http.MethodPatch, "/api/v1/account", map[string]any{"name": "Renamed", "business_hours": tc.hours})
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), tc.field) {
				t.Errorf("%v: %d %s, want 422 naming %s", tc.hours, r.Status, r.Body, tc.field)
			}
		}
		var after sahay.Account
		s.Must(t, o.Token, http.MethodGet, "/api/v1/account", nil, http.StatusOK, &after)
		if after.Name != "Dokan" || !reflect.DeepEqual(after.BusinessHours, want) {
			t.Fatalf("refused updates changed the account: %s, %+v", after.Name, after.BusinessHours)
		}
	})
}

func manyHolidays(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	return out
}
