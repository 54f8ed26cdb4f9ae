package web_test

import (
	"net/http"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/chromedp/chromedp"
)

// TestBrowserHelpCenterChat: a help center that names a website chat
// inbox shows its widget, within the page's content security policy, and
// "Chat with us" opens the chat.
//
//	SAHAY_TEST_BROWSER=1 go test ./internal/web -run TestBrowserHelpCenterChat
func TestBrowserHelpCenterChat(t *testing.T) {
	needBrowser(t, browserEnv)
	s := apitest.NewServer(t)
	owner := s.NewAccount(t, "Nakshi Crafts")
	site := s.NewInbox(t, owner, "Website", "widget", map[string]any{})
	s.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{"chat_inbox_id": site.ID}, http.StatusOK, nil)
	s.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/articles", map[string]any{"title": "Opening hours",
		"body": "We answer every day from 9 to 9.", "locale": "en", "status": "published"}, http.StatusCreated, nil)
	var me struct {
		Slug string `json:"slug"`
	}
	s.Must(t, owner.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)

	tab := newBrowser(t)
	watchCSP(t, tab)
	do(t, tab, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	do(t, tab, chromedp.Navigate(s.URL+"/hc/"+me.Slug+"/en"))
	const shadow = `document.getElementById("sahay-widget")?.shadowRoot`
	waitFor(t, tab, "the widget's launcher", `!!window.Sahay && !!`+shadow+`?.querySelector(".launcher")`)
	eval[bool](t, tab, `(document.querySelector("[data-sahay-open]").click(), true)`)
	waitFor(t, tab, "the chat opened by Chat with us", shadow+`?.querySelector(".panel") && getComputedStyle(`+shadow+`.querySelector(".panel")).display === "flex"`)
	noCSPViolation(t, tab)
}
