package web_test

import (
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignUp checks that the sign-in page offers sign-up only when
// the server allows it, and that a person who signs up lands in their new
// account's inbox, signed in, in their language.
func TestBrowserSignUp(t *testing.T) {
	needBrowser(t, browserEnv)

	t.Run("off", func(t *testing.T) {
		d := startDashboard(t)
		ctx := newBrowser(t)
		do(t, ctx, chromedp.Navigate(d.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(".login-card")))
		waitFor(t, ctx, "the page asked whether sign-up is allowed", `document.querySelector(".login-card")?.dataset.signup === "off"`)
		if eval[bool](t, ctx, `!!document.querySelector(".login-alt")`) {
			t.Fatal("the sign-in page offers sign-up on a server that does not allow it")
		}
	})

	t.Run("on", func(t *testing.T) {
		d := startDashboardWith(t, apitest.Options{Env: map[string]string{"SAHAY_ALLOW_SIGNUP": "1"}})
		ctx := newBrowser(t)
		do(t, ctx, chromedp.Navigate(d.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(".login-card")))
		watchCSP(t, ctx)
		// In Bengali: the link and the form speak it.
		eval[bool](t, ctx, `(() => { const s = document.querySelector(".lang-select"); s.value = "bn"; s.dispatchEvent(new Event("change")); return true })()`)
		clickText(t, ctx, ".login-alt button", "নতুন অ্যাকাউন্ট খুলুন")
		waitFor(t, ctx, "the sign-up form", `document.querySelector(".signup input[name=account_name]") === document.activeElement`)
		do(t, ctx,
			chromedp.SendKeys(chromedp.CSS("input[name=account_name]"), "রহমান ট্রেডার্স"),
			chromedp.SendKeys(chromedp.CSS("input[name=name]"), "নুসরাত"),
			chromedp.SendKeys(chromedp.CSS("input[name=email]"), "nusrat@example.com"),
			chromedp.SendKeys(chromedp.CSS("input[name=password]"), "correct horse"),
			chromedp.Click(chromedp.CSS(".signup button[type=submit]")),
		)
		waitFor(t, ctx, "the new owner's inbox after signing up", `document.querySelector(".sidebar .me-name")?.textContent.includes("নুসরাত")`)
		noCSPViolation(t, ctx)
		accounts, err := d.App.Store.Accounts(t.Context())
		if err != nil || len(accounts) != 1 || accounts[0].Name != "রহমান ট্রেডার্স" {
			t.Fatalf("accounts after signing up: %v, %v", accounts, err)
		}

		// Someone else signing up with the same email is refused, and told why.
		ctx2 := newProfile(t, ctx)
		do(t, ctx2, chromedp.Navigate(d.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(".login-card")))
		clickText(t, ctx2, ".login-alt button", "Create an account")
		do(t, ctx2,
			chromedp.WaitVisible(chromedp.CSS(".signup input[name=account_name]")),
			chromedp.SendKeys(chromedp.CSS("input[name=account_name]"), "Copy shop"),
			chromedp.SendKeys(chromedp.CSS("input[name=name]"), "Someone"),
			chromedp.SendKeys(chromedp.CSS("input[name=email]"), "NUSRAT@example.com"),
			chromedp.SendKeys(chromedp.CSS("input[name=password]"), "correct horse"),
			chromedp.Click(chromedp.CSS(".signup button[type=submit]")),
		)
		waitFor(t, ctx2, "the taken email is refused", `document.querySelector(".form-error")?.textContent.includes("already signs in with this email")`)
	})
}
