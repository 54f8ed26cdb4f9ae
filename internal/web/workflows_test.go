package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"

	"github.com/chromedp/chromedp"
)

// setField sets a form control's value as typing would, firing its events.
func setField(t *testing.T, ctx context.Context, selector, value string) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = %s; e.dispatchEvent(new Event("input", { bubbles: true })); e.dispatchEvent(new Event("change", { bubbles: true })); return true })()`,
		jsString(selector), jsString(value)))
}

func TestBrowserWorkflows(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	inbox := d.NewInbox(t, owner, "Shop", "api", nil, owner.ID)

	browser := newBrowser(t)
	ctx := browser
	do(t, ctx, chromedp.EmulateViewport(1500, 900))
	login(t, ctx, d.URL, owner.Email, owner.Password)

	const agentEmail, agentPassword, newPassword = "nila@bazaar.test", "first password 1", "second password 2"
	agentCtx := newProfile(t, browser)

	t.Run("owner adds an agent", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/settings/agents"))
		clickText(t, ctx, ".toolbar .add", "Add agent")
		waitFor(t, ctx, "the dialog opens", `document.querySelector(".dialog input[name=email]")`)
		setField(t, ctx, ".dialog input[name=name]", "Nila Sen")
		setField(t, ctx, ".dialog input[name=email]", agentEmail)
		setField(t, ctx, ".dialog select[name=role]", "admin")
		setField(t, ctx, ".dialog input[name=password]", agentPassword)
		click(t, ctx, ".dialog button[type=submit]")
		waitFor(t, ctx, "the agent is listed", fmt.Sprintf(`document.querySelector(".table")?.textContent.includes(%s)`, jsString(agentEmail)))
		var users struct{ Items []sahay.User }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/users", nil, http.StatusOK, &users)
		found := false
		for _, u := range users.Items {
			if u.Email == agentEmail {
				found = u.Role == sahay.RoleAdmin && u.Name == "Nila Sen"
			}
		}
		if !found {
			t.Fatalf("users %+v lack Nila Sen as admin", users.Items)
		}
		login(t, agentCtx, d.URL, agentEmail, agentPassword)
	})

	t.Run("agent changes password, signs out and in", func(t *testing.T) {
		do(t, agentCtx, chromedp.Navigate(d.URL+"/settings/profile"))
		waitFor(t, agentCtx, "the profile shows", `document.querySelector("input[name=current_password]")`)
		setField(t, agentCtx, "input[name=current_password]", agentPassword)
		setField(t, agentCtx, "input[name=new_password]", newPassword)
		setField(t, agentCtx, "input[name=confirm_password]", newPassword)
		eval[bool](t, agentCtx, `(document.querySelector("input[name=confirm_password]").form.requestSubmit(), true)`)
		waitFor(t, agentCtx, "the change is confirmed", `document.querySelector(".toast")?.textContent === "Password changed"`)
		click(t, agentCtx, ".me-button")
		clickText(t, agentCtx, ".menu .menu-item", "Sign out")
		waitFor(t, agentCtx, "the login page shows", `document.querySelector(".login-card")`)
		login(t, agentCtx, d.URL, agentEmail, newPassword)
	})

	t.Run("agent switches the interface to Bengali", func(t *testing.T) {
		do(t, agentCtx, chromedp.Navigate(d.URL+"/settings/profile"))
		waitFor(t, agentCtx, "the profile shows", `document.querySelector("select[name=locale]")`)
		setField(t, agentCtx, "select[name=locale]", "bn")
		eval[bool](t, agentCtx, `(document.querySelector("select[name=locale]").form.requestSubmit(), true)`)
		waitFor(t, agentCtx, "the interface is Bengali", `document.documentElement.lang === "bn" && document.querySelector(".settings-nav .active")?.textContent === "আমার প্রোফাইল"`)
		do(t, agentCtx, chromedp.Reload())
		waitFor(t, agentCtx, "Bengali survives a reload", `document.documentElement.lang === "bn" && document.querySelector(".sidebar")?.textContent.includes("সেটিংস")`)
	})

	t.Run("bulk resolve", func(t *testing.T) {
		a := receive(t, d, owner.Token, inbox.ID, "b1", "Bina", "First question", "b1")
		b := receive(t, d, owner.Token, inbox.ID, "b2", "Babul", "Second question", "b2")
		do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=all&status=open&sort=last_activity"))
		for _, c := range []int64{a.Conversation.ID, b.Conversation.ID} {
			sel := fmt.Sprintf(`.conv-item[data-id="%d"] .select`, c)
			waitFor(t, ctx, "the conversation is listed", fmt.Sprintf(`document.querySelector(%s)`, jsString(sel)))
			eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector(%s).click(), true)`, jsString(sel)))
		}
		waitFor(t, ctx, "the bulk bar counts two", `document.querySelector(".bulk:not([hidden]) .bulk-count")?.textContent === "2 selected"`)
		clickText(t, ctx, ".bulk button", "Resolve")
		eventually(t, "both are resolved", func() bool {
			return conversation(t, d, owner.Token, a.Conversation.ID).Status == sahay.StatusResolved &&
				conversation(t, d, owner.Token, b.Conversation.ID).Status == sahay.StatusResolved
		})
		waitFor(t, ctx, "the list empties", `document.querySelectorAll(".conv-item").length === 0`)
	})

	t.Run("snooze for an hour", func(t *testing.T) {
		c := receive(t, d, owner.Token, inbox.ID, "s1", "Sumi", "Call me later", "s1")
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, c.Conversation.ID)))
		waitFor(t, ctx, "the conversation opens", `document.querySelector(".snooze-btn")`)
		click(t, ctx, ".snooze-btn")
		clickText(t, ctx, ".menu .menu-item", "For 1 hour")
		eventually(t, "it is snoozed for about an hour", func() bool {
			got := conversation(t, d, owner.Token, c.Conversation.ID)
			return got.Status == sahay.StatusSnoozed && got.SnoozedUntil != nil &&
				got.SnoozedUntil.Sub(time.Now()) > 50*time.Minute && got.SnoozedUntil.Sub(time.Now()) < 70*time.Minute
		})
		waitFor(t, ctx, "the header offers Reopen", `document.querySelector(".conv-head .reopen")`)
	})

	t.Run("contact attributes and merge", func(t *testing.T) {
		c := receive(t, d, owner.Token, inbox.ID, "asha-1", "Asha", "Hello from chat", "a1")
		other := receive(t, d, owner.Token, inbox.ID, "asha-2", "Asha Khan", "Hello again, other number", "a2")
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, c.Conversation.ID)))
		waitFor(t, ctx, "the contact panel shows", `document.querySelector(".contact-panel .contact-name")?.textContent === "Asha"`)
		clickText(t, ctx, ".contact-actions button", "Edit")
		setField(t, ctx, ".contact-form input[name=phone]", "+8801711000000")
		clickText(t, ctx, ".contact-form button", "Add attribute")
		setField(t, ctx, ".contact-form .attr-key", "plan")
		setField(t, ctx, ".contact-form .attr-value", "gold")
		eval[bool](t, ctx, `(document.querySelector(".contact-form").requestSubmit(), true)`)
		waitFor(t, ctx, "the panel shows the attribute", `document.querySelector(".contact-panel .props")?.textContent.includes("+8801711000000") && document.querySelector(".contact-panel")?.textContent.includes("gold")`)
		var contact sahay.Contact
		d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d", c.Conversation.ContactID), nil, http.StatusOK, &contact)
		if contact.Phone != "+8801711000000" || contact.Attributes["plan"] != "gold" {
			t.Fatalf("contact phone %q attributes %v", contact.Phone, contact.Attributes)
		}

		clickText(t, ctx, ".contact-actions button", "Merge")
		waitFor(t, ctx, "the merge dialog opens", `document.querySelector(".dialog input[type=search]")`)
		do(t, ctx, chromedp.SendKeys(chromedp.CSS(".dialog input[type=search]"), "Asha Khan"))
		clickText(t, ctx, ".dialog .pick-list .pick", "Asha Khan")
		clickText(t, ctx, ".dialog .btn.danger", "Merge")
		eventually(t, "the duplicate is folded in", func() bool {
			r := d.Call(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/contacts/%d", other.Conversation.ContactID), nil)
			return r.Status == http.StatusNotFound
		})
		waitFor(t, ctx, "the panel lists both conversations", `document.querySelectorAll(".contact-panel .history li").length === 2`)
	})

	t.Run("keyboard: help, next and previous", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=all&status=open&sort=last_activity"))
		waitFor(t, ctx, "the list shows", `document.querySelectorAll(".conv-item").length >= 2`)
		press(t, ctx, "j")
		waitFor(t, ctx, "j opens the first conversation", `document.querySelector(".conv-item.active") === document.querySelectorAll(".conv-item")[0]`)
		press(t, ctx, "j")
		waitFor(t, ctx, "j moves to the second", `document.querySelector(".conv-item.active") === document.querySelectorAll(".conv-item")[1]`)
		press(t, ctx, "k")
		waitFor(t, ctx, "k moves back", `document.querySelector(".conv-item.active") === document.querySelectorAll(".conv-item")[0]`)
		eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
		do(t, ctx, chromedp.KeyEvent("?"))
		waitFor(t, ctx, "the shortcut help opens", `document.querySelector(".dialog")?.textContent.includes("Keyboard shortcuts")`)
		press(t, ctx, "Escape")
		waitFor(t, ctx, "Escape closes it", `!document.querySelector(".overlay")`)
	})

	t.Run("phone layout", func(t *testing.T) {
		do(t, ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
		do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=all&status=open&sort=last_activity"))
		visible := func(sel string) string {
			return fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.getClientRects().length > 0 })()`, jsString(sel))
		}
		waitFor(t, ctx, "the list fills the screen", visible(".conv-item"))
		if eval[bool](t, ctx, visible(".sidebar .nav")+` && document.querySelector(".sidebar").getBoundingClientRect().right > 0`) {
			t.Error("the sidebar shows on a phone before the menu opens")
		}
		click(t, ctx, ".list-pane .page-head .icon-btn")
		waitFor(t, ctx, "the menu opens the sidebar", `document.body.classList.contains("drawer-open") && document.querySelector(".sidebar").getBoundingClientRect().left >= 0`)
		do(t, ctx, chromedp.MouseClickXY(360, 400))
		waitFor(t, ctx, "the scrim closes it", `!document.body.classList.contains("drawer-open") && getComputedStyle(document.querySelector(".sidebar")).visibility === "hidden"`)
		eval[bool](t, ctx, `(document.querySelector(".conv-item .conv-link").click(), true)`)
		waitFor(t, ctx, "the conversation is its own screen", visible(".conv-head .back")+` && !`+visible(".list-pane"))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("the page is %d px wide on a 375 px screen", w)
		}
		small := eval[[]string](t, ctx, `[...document.querySelectorAll(".conv-head button, .composer button, .tab, .conv-tools .tool")]
			.filter((e) => e.getClientRects().length && e.getBoundingClientRect().height < 40)
			.map((e) => e.className + " " + Math.round(e.getBoundingClientRect().height))`)
		if len(small) > 0 {
			t.Errorf("touch targets under 40 px: %v", small)
		}
		waitFor(t, ctx, "the conversation has loaded", `document.querySelector(".timeline .msg") && document.activeElement === document.body`)
		click(t, ctx, ".conv-head .back")
		waitFor(t, ctx, "back returns to the list", visible(".conv-item")+` && location.pathname === "/conversations"`)
	})

	t.Run("service worker caches the app shell, not the API", func(t *testing.T) {
		ok := eval[bool](t, ctx, `(async () => {
			await navigator.serviceWorker.ready;
			for (let i = 0; i < 50 && !(await caches.keys()).some((k) => k.startsWith("sahay-shell-")); i++) await new Promise((r) => setTimeout(r, 100));
			const names = (await caches.keys()).filter((k) => k.startsWith("sahay-shell-"));
			if (names.length !== 1) return false;
			const cache = await caches.open(names[0]);
			const keys = (await cache.keys()).map((r) => new URL(r.url).pathname);
			return keys.includes("/") && keys.some((p) => p.startsWith("/assets/main-")) && !keys.some((p) => p.startsWith("/api/"));
		})()`)
		if !ok {
			t.Fatal("the service worker did not cache the shell, or cached the API")
		}
	})
}
