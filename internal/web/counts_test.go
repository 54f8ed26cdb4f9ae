package web_test

import (
	"fmt"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// TestBrowserCountsMoveWithTheRow checks that the view counts change with the
// event that brings a new conversation into the list, not after a later
// request: when the row appears, its counts already include it. The agent
// sees one of two inboxes, and a conversation in the other moves nothing.
func TestBrowserCountsMoveWithTheRow(t *testing.T) {
	needBrowser(t, browserEnv)
	// One of the browser tests that also run on PostgreSQL; the others
	// run on SQLite only, to keep the suite's time down.
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := startDashboard(t)
		owner := d.NewAccount(t, "Shop")
		agent := d.NewUser(t, owner, sahay.RoleAgent)
		theirs := d.NewInbox(t, owner, "Wholesale", "api", map[string]any{"webhook_url": ""}, owner.ID)
		mine := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID, agent.ID)
		receive(t, d, owner.Token, mine.ID, "c0", "Nasrin", "Is the blue saree back?", "m0")
		receive(t, d, owner.Token, theirs.ID, "w0", "Trader", "Price for 100 pieces?", "w0")

		ctx := newBrowser(t)
		login(t, ctx, d.URL, agent.Email, agent.Password)
		waitFor(t, ctx, "the realtime connection is up", `window.__sahay && window.__sahay.connected()`)
		inboxView := fmt.Sprintf("inbox:%d", mine.ID)
		counts := fmt.Sprintf(`(() => {
		const c = (v) => document.querySelector('.nav-item[data-view="' + v + '"] .count')?.textContent ?? "";
		return [c("all"), c("unassigned"), c(%s), document.querySelector(".tab.active .count")?.textContent ?? ""].join(" ");
	})()`, jsString(inboxView))
		waitFor(t, ctx, "the counts show the one conversation the agent sees", counts+` === "1 1 1 1"`)

		// Records the counts at the moment the named contact's row first shows.
		watchRow := func(name string) {
			eval[bool](t, ctx, fmt.Sprintf(`(() => {
			window.__countsAtRow = null;
			const obs = new MutationObserver(() => {
				if (![...document.querySelectorAll(".conv-item .name")].some((e) => e.textContent === %s)) return;
				window.__countsAtRow = %s;
				obs.disconnect();
			});
			obs.observe(document.body, { childList: true, subtree: true, characterData: true });
			return true;
		})()`, jsString(name), counts))
		}
		rowCounts := func(name string) string {
			waitFor(t, ctx, name+"'s conversation appears", `window.__countsAtRow !== null`)
			return eval[string](t, ctx, `window.__countsAtRow`)
		}

		watchRow("Rahim")
		receive(t, d, owner.Token, mine.ID, "c1", "Rahim", "Where is my order 1042?", "m1")
		if got := rowCounts("Rahim"); got != "2 2 2 2" {
			t.Fatalf("when Rahim's row appeared, All, Unassigned, the inbox and the Open tab showed %q, want 2 2 2 2", got)
		}

		// The conversation in the inbox the agent cannot see comes first; the
		// one after it shows that it moved nothing.
		receive(t, d, owner.Token, theirs.ID, "w1", "Reseller", "Do you ship to Dhaka?", "w1")
		watchRow("Karim")
		receive(t, d, owner.Token, mine.ID, "c2", "Karim", "Can I pay on delivery?", "m2")
		if got := rowCounts("Karim"); got != "3 3 3 3" {
			t.Fatalf("when Karim's row appeared, the counts showed %q, want 3 3 3 3", got)
		}
	})
}
