package messenger_test

import (
	"context"
	"testing"
	"time"
)

// A customer known by their page-scoped id alone is named as Messenger
// names them once their conversation opens; an unknown id stays as it is.
func TestCustomersAreNamedFromTheirProfile(t *testing.T) {
	p := newPage(t)
	p.sim.AddObject("psid-named", map[string]any{"id": "psid-named", "first_name": "নুসরাত", "last_name": "জাহান", "name": "নুসরাত জাহান"})
	p.deliver(t, entry(textEvent("psid-named", "m-p1", "শাড়িটা কি আছে?"), textEvent("psid-unknown", "m-p2", "hello")))
	named := p.waitMessage(t, "m-p1", nil)
	unknown := p.waitMessage(t, "m-p2", nil)
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := p.s.App.Store.Contact(ctx, named.AccountID, named.SenderID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name == "নুসরাত জাহান" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("contact still named %q", c.Name)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if reqs := p.sim.Find("GET", "/psid-named"); len(reqs) != 1 || reqs[0].Query.Get("fields") == "" {
		t.Errorf("profile requests = %+v", reqs)
	}
	if c, err := p.s.App.Store.Contact(ctx, unknown.AccountID, unknown.SenderID); err != nil || c.Name != "psid-unknown" {
		t.Errorf("a customer the platform does not know: %+v, %v", c, err)
	}
}
