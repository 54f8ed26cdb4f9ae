package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserHelpCenterChat: a help center that names a website chat
// inbox shows its widget, within the page's content security policy, and
// "Chat with us" opens the chat.
//
//	SAHAY_TEST_BROWSER=1 go test ./internal/web -run TestBrowserHelpCenterChat
func TestBrowserHelpCenterChat(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Nakshi Crafts")
	site := d.NewInbox(t, owner, "Website", "widget", map[string]any{})
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "Opening hours",
		"body": "We answer every day from 9 to 9.", "locale": "en", "status": "published"}, http.StatusCreated, nil)
	var me struct {
		Slug string `json:"slug"`
	}
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)

	// The administrator names the chat inbox in the help center's settings.
	tab := newBrowser(t)
	do(t, tab, chromedp.EmulateViewport(1280, 860))
	login(t, tab, d.URL, owner.Email, owner.Password)
	do(t, tab, chromedp.Navigate(d.URL+"/kb/settings"))
	waitFor(t, tab, "the chat setting", `!!document.querySelector("select[name=chat_inbox_id] option[value='`+fmt.Sprint(site.ID)+`']")`)
	eval[bool](t, tab, `(() => { const s = document.querySelector("select[name=chat_inbox_id]"); s.value = "`+fmt.Sprint(site.ID)+`";
		s.dispatchEvent(new Event("change", { bubbles: true })); s.form.requestSubmit(); return true; })()`)
	eventually(t, "the chat inbox is saved", func() bool {
		var st struct {
			ChatInboxID int64 `json:"chat_inbox_id"`
		}
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/settings", nil, http.StatusOK, &st)
		return st.ChatInboxID == site.ID
	})

	// A reader on a phone opens the chat from the help center.
	reader := newBrowser(t)
	watchCSP(t, reader)
	do(t, reader, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	do(t, reader, chromedp.Navigate(d.Server.URL+"/hc/"+me.Slug+"/en"))
	const shadow = `document.getElementById("sahay-widget")?.shadowRoot`
	waitFor(t, reader, "the widget's launcher", `!!window.Sahay && !!`+shadow+`?.querySelector(".launcher")`)
	eval[bool](t, reader, `(document.querySelector("[data-sahay-open]").click(), true)`)
	waitFor(t, reader, "the chat opened by Chat with us", shadow+`?.querySelector(".panel") && getComputedStyle(`+shadow+`.querySelector(".panel")).display === "flex"`)
	noCSPViolation(t, reader)
}
