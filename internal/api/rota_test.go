package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
)

// The rota through the API: an administrator adds shifts, every agent
// reads them and who is on now, an agent offers a night to a colleague,
// who is notified and accepts; bad input is refused with 422 naming what
// is wrong, and changes nothing; agents may not edit shifts, and a
// bystander may not touch a swap.
func TestRotaAPI(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Dokan")
		amina := s.NewUser(t, o, sahay.RoleAgent)
		babu := s.NewUser(t, o, sahay.RoleAgent)
		chitra := s.NewUser(t, o, sahay.RoleAgent)
		other := s.NewAccount(t, "Other")
		s.Must(t, o.Token, http.MethodPatch, "/api/v1/account", map[string]any{"time_zone": "Asia/Dhaka"}, http.StatusOK, nil)

		// Amina is on the phone right now: a shift from an hour ago to an
		// hour ahead, in Dhaka.
		dhaka, _ := time.LoadLocation("Asia/Dhaka")
		now := time.Now().In(dhaka)
		day := func(t time.Time) string { return strings.ToLower(t.Format("Mon")) }
		var now1 sahay.Shift
		s.Must(t, o.Token, http.MethodPost, "/api/v1/rota/shifts", map[string]any{"user_id": amina.ID, "kind": "phone",
			"weekday": day(now.Add(-time.Hour)), "start": now.Add(-time.Hour).Format("15:04"), "end": now.Add(time.Hour).Format("15:04")}, http.StatusCreated, &now1)
		var fri sahay.Shift
		s.Must(t, o.Token, http.MethodPost, "/api/v1/rota/shifts", map[string]any{"user_id": amina.ID, "kind": "chat",
			"weekday": "fri", "start": "22:00", "end": "02:00"}, http.StatusCreated, &fri)

		var rota core.Rota
		s.Must(t, babu.Token, http.MethodGet, "/api/v1/rota", nil, http.StatusOK, &rota)
		if rota.TimeZone != "Asia/Dhaka" || len(rota.Shifts) != 2 || rota.Today != now.Format(time.DateOnly) {
			t.Fatalf("rota = %+v", rota)
		}
		if on := rota.OnNow["phone"]; !on.Scheduled || len(on.UserIDs) != 1 || on.UserIDs[0] != amina.ID {
			t.Errorf("on the phone now = %+v, want Amina", on)
		}
		if on := rota.OnNow["social"]; on.Scheduled || on.UserIDs == nil {
			t.Errorf("social without shifts = %+v, want not scheduled and an empty list", on)
		}

		// Bad shifts: 422 naming the field; an agent may not add or remove.
		for _, tc := range []struct {
			body map[string]any
			says string
		}{
			{map[string]any{"user_id": amina.ID, "kind": "chat", "weekday": "sat", "start": "01:00", "end": "03:00"}, "overlaps"},
			{map[string]any{"user_id": amina.ID, "kind": "email", "weekday": "sat", "start": "09:00", "end": "10:00"}, "kind"},
			{map[string]any{"user_id": amina.ID, "kind": "chat", "weekday": "someday", "start": "09:00", "end": "10:00"}, "weekday"},
			{map[string]any{"user_id": amina.ID, "kind": "chat", "weekday": "mon", "start": "9am", "end": "10:00"}, "start"},
			{map[string]any{"user_id": amina.ID, "kind": "chat", "weekday": "mon", "start": "09:00", "end": "25:00"}, "end"},
			{map[string]any{"user_id": amina.ID, "kind": "chat", "weekday": "mon", "start": "09:00", "end": "09:00"}, "end"},
			{map[string]any{"user_id": other.ID, "kind": "chat", "weekday": "mon", "start": "09:00", "end": "10:00"}, "user_id"},
		} {
			r := s.Call(t, o.Token, http.MethodPost, "/api/v1/rota/shifts", tc.body)
			if code, msg := r.Error(); r.Status != http.StatusUnprocessableEntity || code != sahay.EINVALID || !strings.Contains(msg, tc.says) {
				t.Errorf("shift %v: %d %s, want 422 saying %q", tc.body, r.Status, r.Body, tc.says)
			}
		}
		s.Must(t, amina.Token, http.MethodPost, "/api/v1/rota/shifts", map[string]any{"user_id": amina.ID, "kind": "social",
			"weekday": "mon", "start": "09:00", "end": "10:00"}, http.StatusForbidden, nil)
		s.Must(t, amina.Token, http.MethodDelete, "/api/v1/rota/shifts/"+fmt.Sprint(fri.ID), nil, http.StatusForbidden, nil)
		s.Must(t, other.Token, http.MethodDelete, "/api/v1/rota/shifts/"+fmt.Sprint(fri.ID), nil, http.StatusNotFound, nil)

		// Swaps: bad ones refused.
		friday := now.AddDate(0, 0, 2)
		for friday.Weekday() != time.Friday {
			friday = friday.AddDate(0, 0, 1)
		}
		date := friday.Format(time.DateOnly)
		for _, tc := range []struct {
			token  string
			body   map[string]any
			status int
			says   string
		}{
			{amina.Token, map[string]any{"shift_id": fri.ID, "date": date, "user_id": amina.ID}, 422, "oneself"},
			{amina.Token, map[string]any{"shift_id": fri.ID, "date": friday.AddDate(0, 0, 1).Format(time.DateOnly), "user_id": babu.ID}, 422, "does not occur"},
			{amina.Token, map[string]any{"shift_id": fri.ID, "date": "next friday", "user_id": babu.ID}, 422, "date"},
			{amina.Token, map[string]any{"shift_id": fri.ID + 100, "date": date, "user_id": babu.ID}, 422, "shift_id"},
			{amina.Token, map[string]any{"shift_id": fri.ID, "date": date, "user_id": other.ID}, 422, "user_id"},
			{other.Token, map[string]any{"shift_id": fri.ID, "date": date}, 422, "shift_id"},
			{chitra.Token, map[string]any{"shift_id": fri.ID, "date": date, "user_id": babu.ID}, 403, ""},
			{amina.Token, map[string]any{"shift_id": fri.ID, "date": date, "user_id": babu.ID, "colour": "red"}, 400, ""},
		} {
			r := s.Call(t, tc.token, http.MethodPost, "/api/v1/rota/swaps", tc.body)
			if _, msg := r.Error(); r.Status != tc.status || !strings.Contains(msg, tc.says) {
				t.Errorf("swap %v: %d %s, want %d saying %q", tc.body, r.Status, r.Body, tc.status, tc.says)
			}
		}
		s.Must(t, o.Token, http.MethodGet, "/api/v1/rota", nil, http.StatusOK, &rota)
		if len(rota.Swaps) != 0 || len(rota.Shifts) != 2 {
			t.Fatalf("refused requests changed the rota: %+v", rota)
		}

		// Amina offers Friday night to Babu, who is notified; Chitra may
		// not answer for him; Babu accepts.
		var sw sahay.Swap
		s.Must(t, amina.Token, http.MethodPost, "/api/v1/rota/swaps", map[string]any{"shift_id": fri.ID, "date": date, "user_id": babu.ID}, http.StatusCreated, &sw)
		var notes struct {
			Items []sahay.Notification `json:"items"`
		}
		s.Must(t, babu.Token, http.MethodGet, "/api/v1/notifications", nil, http.StatusOK, &notes)
		if len(notes.Items) != 1 || notes.Items[0].Kind != sahay.NotifySwap || !strings.Contains(notes.Items[0].Body, date) {
			t.Fatalf("Babu's notifications = %+v", notes.Items)
		}
		s.Must(t, chitra.Token, http.MethodPost, "/api/v1/rota/swaps/"+fmt.Sprint(sw.ID)+"/accept", nil, http.StatusForbidden, nil)
		s.Must(t, other.Token, http.MethodPost, "/api/v1/rota/swaps/"+fmt.Sprint(sw.ID)+"/accept", nil, http.StatusNotFound, nil)
		s.Must(t, babu.Token, http.MethodPost, "/api/v1/rota/swaps/"+fmt.Sprint(sw.ID)+"/accept", nil, http.StatusOK, &sw)
		if sw.Status != sahay.SwapAccepted || sw.DecidedBy != babu.ID || sw.DecidedAt == nil {
			t.Fatalf("accepted swap = %+v", sw)
		}
		s.Must(t, babu.Token, http.MethodPost, "/api/v1/rota/swaps/"+fmt.Sprint(sw.ID)+"/decline", nil, http.StatusConflict, nil)
		s.Must(t, amina.Token, http.MethodPost, "/api/v1/rota/swaps", map[string]any{"shift_id": fri.ID, "date": date, "user_id": chitra.ID}, http.StatusConflict, nil)
		// An agent cannot undo an accepted swap; an administrator can.
		s.Must(t, amina.Token, http.MethodPost, "/api/v1/rota/swaps/"+fmt.Sprint(sw.ID)+"/cancel", nil, http.StatusForbidden, nil)
		s.Must(t, o.Token, http.MethodPost, "/api/v1/rota/swaps/"+fmt.Sprint(sw.ID)+"/cancel", nil, http.StatusOK, &sw)
		if sw.Status != sahay.SwapCancelled {
			t.Fatalf("cancelled swap = %+v", sw)
		}
		s.Must(t, o.Token, http.MethodGet, "/api/v1/rota", nil, http.StatusOK, &rota)
		if len(rota.Swaps) != 1 || rota.Swaps[0].Status != sahay.SwapCancelled {
			t.Fatalf("rota's swaps = %+v", rota.Swaps)
		}

		// Removing the shift takes its swaps with it.
		s.Must(t, o.Token, http.MethodDelete, "/api/v1/rota/shifts/"+fmt.Sprint(fri.ID), nil, http.StatusNoContent, nil)
		s.Must(t, o.Token, http.MethodGet, "/api/v1/rota", nil, http.StatusOK, &rota)
		if len(rota.Shifts) != 1 || len(rota.Swaps) != 0 {
			t.Fatalf("after removing the shift: %+v", rota)
		}
	})
}
