package instagram_test

import (
	"context"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/channel/meta"
)

// A customer known by their scoped id alone is named by their Instagram
// name, or else their @username.
func TestCustomersAreNamedFromTheirProfile(t *testing.T) {
	a := newAccount(t)
	a.sim.AddObject("igsid-user", map[string]any{"id": "igsid-user", "username": "dhaka.sarees.fan"})
	a.deliver(t, entry(message("igsid-user", &meta.MessagingMessage{MID: "ig-p1", Text: "price?"})))
	m := a.waitMessage(t, "ig-p1", nil)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := a.s.App.Store.Contact(context.Background(), m.AccountID, m.SenderID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name == "@dhaka.sarees.fan" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("contact still named %q", c.Name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
