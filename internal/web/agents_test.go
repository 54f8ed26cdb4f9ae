package web_test

import (
	"fmt"
	"net/http"
	"testing"

	sahay "github.com/sahayhq/sahay"

	"github.com/chromedp/chromedp"
)

// TestBrowserAgentPhone: an admin gives an agent, and the owner, a phone
// number on the Agents page.
func TestBrowserAgentPhone(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	rahim := d.NewUser(t, owner, sahay.RoleAgent)
	d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", rahim.ID), map[string]any{"name": "Rahim", "phone": "+8801811000111"}, http.StatusOK, nil)
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/agents"))
	row := fmt.Sprintf(`document.querySelector('tr[data-id="%d"]')`, rahim.ID)
	waitFor(t, ctx, "the agents are listed with their phone numbers", row+`?.innerText.includes("+8801811000111")`)
	eval[bool](t, ctx, `(`+row+`.querySelector(".actions button").click(), true)`)
	waitFor(t, ctx, "the agent's dialog opens", `document.querySelector(".dialog input[name=phone]")?.value === "+8801811000111"`)
	setField(t, ctx, ".dialog input[name=phone]", "+8801811000999")
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	waitFor(t, ctx, "the new number is listed", row+`?.innerText.includes("+8801811000999")`)

	// The owner's dialog has no role to change, and keeps theirs.
	ownerRow := fmt.Sprintf(`document.querySelector('tr[data-id="%d"]')`, owner.ID)
	eval[bool](t, ctx, `(`+ownerRow+`.querySelector(".actions button").click(), true)`)
	waitFor(t, ctx, "the owner's dialog opens", `document.querySelector(".dialog input[name=phone]") && !document.querySelector(".dialog select[name=role]")`)
	setField(t, ctx, ".dialog input[name=phone]", "+8801711000555")
	eval[bool](t, ctx, `(document.querySelector(".dialog form").requestSubmit(), true)`)
	waitFor(t, ctx, "the owner's number is listed", ownerRow+`?.innerText.includes("+8801711000555")`)

	var users struct{ Items []sahay.User }
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/users", nil, http.StatusOK, &users)
	for _, u := range users.Items {
		switch u.ID {
		case rahim.ID:
			if u.Phone != "+8801811000999" || u.Role != sahay.RoleAgent {
				t.Errorf("the agent is now %+v", u)
			}
		case owner.ID:
			if u.Phone != "+8801711000555" || u.Role != sahay.RoleOwner {
				t.Errorf("the owner is now %+v", u)
			}
		}
	}
}
