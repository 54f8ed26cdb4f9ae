package widget

import (
	"context"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

// TestWidgetKeepsTheAccountsHours: a widget inbox without hours of its own
// shows its account's: closed when the account is closed all week, open
// when the account is open around the clock, and its own hours win once it
// has them.
func TestWidgetKeepsTheAccountsHours(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	ctx := context.Background()
	setAccount := func(days map[string]string) {
		t.Helper()
		hours := sahay.BusinessHours{Enabled: true, Days: days}
		if _, err := e.svc.UpdateAccount(ctx, e.agent, core.AccountInput{BusinessHours: &hours}); err != nil {
			t.Fatal(err)
		}
	}
	inHours := func() bool {
		t.Helper()
		return e.session(SessionRequest{}).Settings.InHours
	}
	if !inHours() {
		t.Fatal("with no hours anywhere the widget shows the team out of hours")
	}
	setAccount(map[string]string{})
	if inHours() {
		t.Error("the account is closed all week, but its widget without hours of its own shows the team in")
	}
	allWeek := map[string]string{}
	for _, d := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		allWeek[d] = "00:00-24:00"
	}
	setAccount(allWeek)
	if !inHours() {
		t.Error("the account is open around the clock, but its widget shows the team out of hours")
	}
	// The inbox's own hours, closed all week, win over the account's.
	name := "Website"
	settings := []byte(`{"business_hours":{"enabled":true,"time_zone":"Asia/Dhaka","days":{}}}`)
	if _, err := e.svc.UpdateInbox(ctx, e.agent, e.inbox.ID, core.InboxInput{Name: &name, Settings: settings}); err != nil {
		t.Fatal(err)
	}
	// The widget reads its inbox's settings from a cache that the change
	// refreshes as its event arrives.
	deadline := time.Now().Add(10 * time.Second)
	for inHours() {
		if time.Now().After(deadline) {
			t.Fatal("the inbox's own hours are closed all week, but the widget shows the team in")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
