package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	sahay "github.com/sahayhq/sahay"
)

// TestBrowserRouting: an admin turns routing on in an inbox's settings,
// sets an agent's capacity and the workspace's default; the next
// conversation is assigned to the admin, who is online with the
// dashboard open, and the timeline says routing did it.
func TestBrowserRouting(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "Shop API", "api", nil, owner.ID)
	d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", owner.ID), map[string]any{"availability": "online"}, http.StatusOK, nil)
	ctx := newBrowser(t)
	login(t, ctx, d.URL, owner.Email, owner.Password)

	// The inbox's dialog: least loaded, reassignment after two minutes.
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	waitFor(t, ctx, "the inbox's row", fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .icon-btn[title="Edit"]')`, inbox.ID))
	eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('tr[data-id="%d"] .icon-btn[title="Edit"]').click(), true)`, inbox.ID))
	waitFor(t, ctx, "the routing section, read from the server", `document.querySelector("select[name=routing_mode]")?.value === "off" && document.querySelector(".routing-details")?.hidden`)
	eval[bool](t, ctx, `(() => { const s = document.querySelector("select[name=routing_mode]"); s.value = "least_loaded"; s.dispatchEvent(new Event("change", { bubbles: true }));
		const m = document.querySelector("input[name=reassign_after_minutes]"); m.value = "2"; m.dispatchEvent(new Event("input", { bubbles: true })); return true })()`)
	waitFor(t, ctx, "the routing details shown", `!document.querySelector(".routing-details").hidden`)
	clickText(t, ctx, ".dialog button[type=submit]", "Save")
	eventually(t, "the inbox's routing saved", func() bool {
		var r sahay.RoutingSettings
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/routing", inbox.ID), nil, http.StatusOK, &r)
		return r == sahay.RoutingSettings{Mode: sahay.RoutingLeastLoaded, OnlyAvailable: true, LanguageAware: true, ReassignAfterSeconds: 120}
	})

	// The agent's capacity in their dialog; empty email keeps the default.
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/agents"))
	waitFor(t, ctx, "the agent's row", fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .icon-btn[title="Edit"]')`, agent.ID))
	eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('tr[data-id="%d"] .icon-btn[title="Edit"]').click(), true)`, agent.ID))
	waitFor(t, ctx, "the capacity fields with the default as placeholder", `document.querySelector("input[name=capacity_chat]")?.placeholder === "5 (default)"`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("input[name=capacity_chat]"), "3"))
	clickText(t, ctx, ".dialog button[type=submit]", "Save")
	eventually(t, "the agent's capacity saved", func() bool {
		var c sahay.Capacity
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/users/%d/capacity", agent.ID), nil, http.StatusOK, &c)
		return c.Chat != nil && *c.Chat == 3 && c.Email == nil
	})

	// The workspace's default on the routing page.
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/routing"))
	waitFor(t, ctx, "the default capacity form", `document.querySelector("input[name=capacity_email]")?.value === "10"`)
	eval[bool](t, ctx, `(() => { const i = document.querySelector("input[name=capacity_email]"); i.value = "12"; return true })()`)
	clickText(t, ctx, "button[type=submit]", "Save")
	eventually(t, "the default capacity saved", func() bool {
		var c sahay.Capacity
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/routing/capacity", nil, http.StatusOK, &c)
		return c.Email != nil && *c.Email == 12
	})

	// A new conversation goes to the owner, and the timeline says why.
	rec := receive(t, d, owner.Token, inbox.ID, "rahim", "Rahim", "Where is my order?", "m1")
	eventually(t, "the conversation routed to the owner", func() bool {
		return conversation(t, d, owner.Token, rec.Conversation.ID).AssigneeID == owner.ID
	})
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, rec.Conversation.ID)))
	waitFor(t, ctx, "the routing line in the timeline",
		fmt.Sprintf(`[...document.querySelectorAll(".msg.activity")].some((e) => e.textContent.includes(%s))`, jsString("Routing assigned the conversation to "+owner.Name+" (fewest open)")))
}
