package web_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWidgetCallSettings: the widget editor offers the account's
// phone inboxes, and the two options once one is chosen; the preview
// follows, with the line's number masked until it is saved.
func TestBrowserWidgetCallSettings(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startShop(t)
	k := newCallDesk(t, d)
	inbox := d.NewInbox(t, k.owner, "Website", "widget", map[string]any{}, k.owner.ID)

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1500, 900))
	login(t, ctx, d.URL, k.owner.Email, k.owner.Password)
	watchCSP(t, ctx)
	editor := fmt.Sprintf("%s/settings/inboxes/%d/widget", d.URL, inbox.ID)
	do(t, ctx, chromedp.Navigate(editor))
	waitFor(t, ctx, "the phone inbox choice", `document.querySelector("select[name=phone_inbox_id]")`)
	if got := eval[[]string](t, ctx, `[...document.querySelectorAll("select[name=phone_inbox_id] option")].map((o) => o.textContent)`); len(got) != 2 || got[1] != "Hotline" {
		t.Fatalf("phone inboxes offered: %q, want none and Hotline", got)
	}
	if !eval[bool](t, ctx, `document.querySelector("input[name=call_us]").disabled && document.querySelector("input[name=call_me_back]").disabled`) {
		t.Error("the options can be turned on without a phone inbox")
	}

	setField(t, ctx, "select[name=phone_inbox_id]", strconv.FormatInt(k.inbox.ID, 10))
	click(t, ctx, "input[name=call_us]")
	click(t, ctx, "input[name=call_me_back]")
	waitFor(t, ctx, "the preview offers calls", previewShadow+`?.querySelectorAll(".calls .cb").length === 2`)
	eval[bool](t, ctx, previewShadow+`.querySelector(".calls .cb").click() || true`)
	waitFor(t, ctx, "the preview masks the number of unsaved settings", previewShadow+`?.querySelector(".call .tel")?.textContent === "+•••••••••••••"`)
	if s := widgetSettings(t, d, k.owner.Token, inbox.ID); s.PhoneInboxID != 0 {
		t.Fatalf("settings changed before saving: %+v", s)
	}

	click(t, ctx, ".widget-save")
	waitFor(t, ctx, "the save is confirmed", `[...document.querySelectorAll(".toast")].some((e) => e.textContent === "Saved")`)
	if s := widgetSettings(t, d, k.owner.Token, inbox.ID); s.PhoneInboxID != k.inbox.ID || !s.CallUs || !s.CallMeBack {
		t.Fatalf("saved settings: phone inbox %d, call_us %v, call_me_back %v", s.PhoneInboxID, s.CallUs, s.CallMeBack)
	}
	// The preview loads again, and its call panel opens on the number.
	waitFor(t, ctx, "the preview shows the number", `(() => { const r = `+previewShadow+`; if (!r) return false;
		if (!r.querySelector(".call")) r.querySelector(".calls .cb")?.click();
		return r.querySelector(".call .tel")?.textContent === "`+lineNumber+`"; })()`)
	noCSPViolation(t, ctx)

	// Choosing no phone inbox turns the options off.
	setField(t, ctx, "select[name=phone_inbox_id]", "")
	if !eval[bool](t, ctx, `["call_us", "call_me_back"].every((n) => { const b = document.querySelector("input[name=" + n + "]"); return b.disabled && !b.checked; })`) {
		t.Error("the options stay on without a phone inbox")
	}

	// In Bengali.
	d.Must(t, k.owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": "bn"}, http.StatusOK, nil)
	do(t, ctx, chromedp.Navigate(editor))
	waitFor(t, ctx, "the section in Bengali", `[...document.querySelectorAll(".widget-section h2")].some((h) => h.textContent === "ফোন কল") && `+
		`document.querySelector("select[name=phone_inbox_id]").value === "`+strconv.FormatInt(k.inbox.ID, 10)+`"`)

	if os.Getenv("SAHAY_SCREENSHOTS") == "1" {
		do(t, ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile), chromedp.Navigate(editor))
		waitFor(t, ctx, "the editor on a phone", `document.querySelector("select[name=phone_inbox_id]")`)
		eval[bool](t, ctx, `(() => { document.querySelector("select[name=phone_inbox_id]").closest("section").scrollIntoView(); scrollBy(0, -12); return true })()`)
		shoot(t, ctx, filepath.Join("..", "..", "docs", "screenshots", "dashboard-widget-calls-bn-375.png"))
	}
}
