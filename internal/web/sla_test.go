package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSLA: an administrator sees the account's default policy in
// Settings › SLAs, is told why a policy without targets is refused, and
// makes a VIP policy with targets in minutes, a label and business hours,
// without typing JSON; a labelled conversation's header and list row show its clock.
func TestBrowserSLA(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat")
	inbox := d.NewInbox(t, owner, "Shop API", "api", nil, owner.ID)
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "vip"}, http.StatusCreated, nil)
	ctx := newBrowser(t)
	login(t, ctx, d.URL, owner.Email, owner.Password)

	do(t, ctx, chromedp.Navigate(d.URL+"/settings/sla"))
	waitFor(t, ctx, "the default policy", `[...document.querySelectorAll(".sla-item")].some((e) => e.textContent.includes("First response within one hour") && e.textContent.includes("First response 1h"))`)
	clickText(t, ctx, "button", "New policy")
	waitFor(t, ctx, "the editor", `document.querySelector(".dialog input[name=first_response]")?.value === "1"`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(".dialog input[name=name]"), "VIP"))
	eval[bool](t, ctx, `(() => { document.querySelector(".dialog input[name=first_response]").value = ""; return true })()`)
	clickText(t, ctx, ".dialog button[type=submit]", "Save")
	waitFor(t, ctx, "the refusal's message", `[...document.querySelectorAll(".toast")].some((e) => e.textContent.includes("at least one of first_response_seconds"))`)

	eval[bool](t, ctx, `(() => {
		document.querySelector(".dialog input[name=first_response]").value = "10";
		const u = document.querySelector(".dialog select[name=first_response_unit]"); u.value = "60"; u.dispatchEvent(new Event("change", { bubbles: true }));
		document.querySelector(".dialog input[name=resolution]").value = "2";
		const r = document.querySelector(".dialog select[name=resolution_unit]"); r.value = "3600"; r.dispatchEvent(new Event("change", { bubbles: true }));
		document.querySelector(".dialog input[name=business_hours]").checked = true;
		[...document.querySelectorAll(".dialog input[name=labels]")].find((b) => b.parentElement.textContent.includes("vip")).checked = true;
		document.querySelector(".dialog input[name=position]").value = "0";
		return true })()`)
	clickText(t, ctx, ".dialog button[type=submit]", "Save")
	type policy struct {
		ID                   int64    `json:"id"`
		Name                 string   `json:"name"`
		Position             int      `json:"position"`
		Labels               []string `json:"labels"`
		FirstResponseSeconds int64    `json:"first_response_seconds"`
		ResolutionSeconds    int64    `json:"resolution_seconds"`
		BusinessHours        bool     `json:"business_hours"`
	}
	waitFor(t, ctx, "the list shows the new policy", `[...document.querySelectorAll(".sla-item")].some((e) => e.textContent.includes("VIP") && e.textContent.includes("First response 10m"))`)
	// The default policy, which matches everything, moves after it.
	eval[bool](t, ctx, `([...document.querySelectorAll(".sla-item")].find((e) => e.textContent.includes("within one hour")).querySelector(".icon-btn[title=Edit]").click(), true)`)
	waitFor(t, ctx, "the default's editor", `document.querySelector(".dialog input[name=position]")?.value === "0"`)
	eval[bool](t, ctx, `(() => { document.querySelector(".dialog input[name=position]").value = "5"; return true })()`)
	clickText(t, ctx, ".dialog button[type=submit]", "Save")
	eventually(t, "the VIP policy saved first", func() bool {
		var list struct{ Items []policy }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/sla_policies", nil, http.StatusOK, &list)
		if len(list.Items) != 2 || list.Items[1].Position != 5 || list.Items[1].FirstResponseSeconds != 3600 {
			return false
		}
		p := list.Items[0]
		return p.Name == "VIP" && p.FirstResponseSeconds == 600 && p.ResolutionSeconds == 7200 && p.BusinessHours &&
			len(p.Labels) == 1 && p.Labels[0] == "vip"
	})

	// A labelled conversation's header: due within ten minutes.
	rec := receive(t, d, owner.Token, inbox.ID, "rahim", "Rahim", "Where is my order?", "m1")
	d.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", rec.Conversation.ID), map[string]any{"labels": []string{"vip"}}, http.StatusOK, nil)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, rec.Conversation.ID)))
	waitFor(t, ctx, "the SLA clock in the header", `/^due in (10|9)m$/.test(document.querySelector(".conv-head .sla-chip:not([hidden])")?.textContent ?? "")`)
	waitFor(t, ctx, "the SLA clock in the list", fmt.Sprintf(`/^due in (10|9)m$/.test(document.querySelector('.conv-item[data-id="%d"] .sla-chip:not([hidden])')?.textContent ?? "")`, rec.Conversation.ID))
}
