package api_test

import (
	"net/http"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestNotifyPrefsChangeOnlyWhatIsSent: a PUT that names one choice keeps
// every other; an unknown kind or way is refused and changes nothing.
func TestNotifyPrefsChangeOnlyWhatIsSent(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")
		type prefs map[string]map[string]bool
		var before prefs
		s.Must(t, o.Token, http.MethodGet, "/api/v1/me/notification_prefs", nil, http.StatusOK, &before)
		s.Must(t, o.Token, http.MethodPut, "/api/v1/me/notification_prefs", prefs{"new_conversation": {"push": true}}, http.StatusOK, nil)
		s.Must(t, o.Token, http.MethodPut, "/api/v1/me/notification_prefs", prefs{"mentioned": {"email": false}}, http.StatusOK, nil)
		var after prefs
		s.Must(t, o.Token, http.MethodGet, "/api/v1/me/notification_prefs", nil, http.StatusOK, &after)
		for kind, ways := range before {
			for way, on := range ways {
				want := on
				switch {
				case kind == "new_conversation" && way == "push":
					want = true
				case kind == "mentioned" && way == "email":
					want = false
				}
				if after[kind][way] != want {
					t.Errorf("%s by %s = %v, want %v", kind, way, after[kind][way], want)
				}
			}
		}
		for _, bad := range []prefs{{"weather": {"email": true}}, {"assigned": {"pigeon": true}}} {
			s.Must(t, o.Token, http.MethodPut, "/api/v1/me/notification_prefs", bad, http.StatusUnprocessableEntity, nil)
		}
		var unchanged prefs
		s.Must(t, o.Token, http.MethodGet, "/api/v1/me/notification_prefs", nil, http.StatusOK, &unchanged)
		for kind, ways := range after {
			for way, on := range ways {
				if unchanged[kind][way] != on {
					t.Errorf("a refused change altered %s by %s", kind, way)
				}
			}
		}
	})
}
