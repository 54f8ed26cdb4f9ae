package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta/metalogin"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/web"

	"github.com/chromedp/chromedp"
)

// startMetaDashboard is [startDashboard] with a Meta app whose Facebook
// Login is the simulator's: the dashboard's origin is the server's public
// URL, so the dialog sends the browser back to /meta/callback there.
func startMetaDashboard(t *testing.T) (*dashboard, *metatest.Sim) {
	t.Helper()
	const appID, appSecret = "4242", "operator-app-secret"
	sim := metatest.New(t, appSecret)
	sim.SetApp(metatest.App{ID: appID, Secret: appSecret})
	sim.AddPage(metatest.Page{ID: "106541234567890", Name: "Bazaar", Token: "EAAP-page-token-bazaar"})
	sim.AddPage(metatest.Page{ID: "106541234567891", Name: "Bazaar Kolkata", Token: "EAAP-page-token-kolkata",
		InstagramID: "17841405822304914", InstagramUsername: "bazaar.kolkata"})
	mux := http.NewServeMux()
	hs := httptest.NewUnstartedServer(mux)
	base := "http://" + hs.Listener.Addr().String()
	s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{
		"SAHAY_PUBLIC_URL":  base,
		"SAHAY_META_APP_ID": appID, "SAHAY_META_APP_SECRET": appSecret,
		"SAHAY_META_DIALOG_URL": sim.DialogURL(), "SAHAY_META_GRAPH_URL": sim.URL,
	}})
	mux.Handle("/api/", s.App.Handler())
	mux.Handle(metalogin.CallbackPath, s.App.Handler())
	mux.Handle("/", web.Handler())
	hs.Start()
	t.Cleanup(hs.Close)
	return &dashboard{Server: s, URL: base}, sim
}

// signInWithFacebook opens the new-inbox form for channel, presses Connect
// with Facebook, and waits for the choice the dashboard opens when the
// simulated dialog sends the browser back.
func signInWithFacebook(t *testing.T, ctx context.Context, d *dashboard, channel string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	waitFor(t, ctx, "the inboxes page", `document.querySelector(".toolbar .add")`)
	eval[bool](t, ctx, `(document.querySelector(".toolbar .add").click(), true)`)
	waitFor(t, ctx, "the new-inbox form", `document.querySelector(".dialog select[name=channel]")`)
	setField(t, ctx, ".dialog select[name=channel]", channel)
	waitFor(t, ctx, "the Connect with Facebook button", `document.querySelector(".dialog .meta-connect")`)
	eval[bool](t, ctx, `(document.querySelector(".dialog .meta-connect").click(), true)`)
	waitFor(t, ctx, "the choice after Facebook's dialog", `document.querySelector(".dialog .meta-choice")`)
}

// An admin presses Connect with Facebook, grants the app access in the
// dialog, comes back to the choice of a Page, picks one and has an inbox;
// the button is there only for the channels the server names.
func TestBrowserConnectWithFacebook(t *testing.T) {
	needBrowser(t, browserEnv)
	d, sim := startMetaDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	ctx := newProfile(t, newBrowser(t))
	login(t, ctx, d.URL, owner.Email, owner.Password)

	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	waitFor(t, ctx, "the inboxes page", `document.querySelector(".toolbar .add")`)
	eval[bool](t, ctx, `(document.querySelector(".toolbar .add").click(), true)`)
	setField(t, ctx, ".dialog select[name=channel]", "telegram")
	do(t, ctx, chromedp.Sleep(300*time.Millisecond))
	if eval[bool](t, ctx, `!!document.querySelector(".dialog .meta-connect")`) {
		t.Fatal("Connect with Facebook offered for Telegram")
	}

	signInWithFacebook(t, ctx, d, "messenger")
	if got := eval[int](t, ctx, `document.querySelectorAll(".dialog .meta-choice").length`); got != 2 {
		t.Fatalf("%d Pages offered, want 2", got)
	}
	if eval[bool](t, ctx, `location.search !== "" || document.body.innerHTML.includes("EAAP")`) {
		t.Fatal("the sign-in's key stayed in the address, or a token reached the page")
	}
	eval[bool](t, ctx, `(document.querySelectorAll(".dialog .meta-choice input")[1].click(), true)`)
	setField(t, ctx, ".dialog input[name=name]", "Kolkata on Messenger")
	eval[bool](t, ctx, `(document.querySelector(".dialog form button[type=submit]").click(), true)`)
	// The new inbox's webhook settings follow, as after pasting tokens.
	waitFor(t, ctx, "the webhook dialog", `document.querySelector(".dialog .copy-value")`)
	var list struct{ Items []sahay.Inbox }
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/inboxes", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Name != "Kolkata on Messenger" || list.Items[0].Channel != "messenger" {
		t.Fatalf("inboxes %+v", list.Items)
	}
	if sim.Subscriptions("106541234567891") == nil {
		t.Fatal("the Page was not subscribed to the app")
	}

	// A refusal in the dialog comes back as the reason, in words.
	sim.DenyLogin()
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
	waitFor(t, ctx, "the inboxes page", `document.querySelector(".toolbar .add")`)
	eval[bool](t, ctx, `(document.querySelector(".toolbar .add").click(), true)`)
	setField(t, ctx, ".dialog select[name=channel]", "instagram")
	waitFor(t, ctx, "the Connect with Facebook button", `document.querySelector(".dialog .meta-connect")`)
	eval[bool](t, ctx, `(document.querySelector(".dialog .meta-connect").click(), true)`)
	waitFor(t, ctx, "the reason", `document.querySelector(".dialog .test-error")?.textContent.includes("permission")`)
}

// TestScreenshotsMetaConnect regenerates the screenshots of Connect with
// Facebook: the new-inbox form with its button, and the choice of a Page
// after the sign-in, at 1280 and 390 pixels wide in English, Bengali and
// Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsMetaConnect
func TestScreenshotsMetaConnect(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d, _ := startMetaDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	out := filepath.Join("..", "..", "docs", "screenshots")
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn", "hi"} {
		d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
		ctx := newProfile(t, browser)
		login(t, ctx, d.URL, owner.Email, owner.Password)
		waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		for _, width := range []int64{1280, 390} {
			name := func(page string) string { return filepath.Join(out, fmt.Sprintf("%s-%s-%d.png", page, lang, width)) }
			if width < 500 {
				do(t, ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile))
			} else {
				do(t, ctx, chromedp.EmulateViewport(width, 800))
			}
			do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
			waitFor(t, ctx, "the inboxes page", `document.querySelector(".toolbar .add")`)
			eval[bool](t, ctx, `(document.querySelector(".toolbar .add").click(), true)`)
			setField(t, ctx, ".dialog select[name=channel]", "messenger")
			setField(t, ctx, ".dialog input[name=name]", "Bazaar")
			waitFor(t, ctx, "the Connect with Facebook button", `document.querySelector(".dialog .meta-connect")`)
			shoot(t, ctx, name("meta-connect-form"))
			signInWithFacebook(t, ctx, d, "messenger")
			shoot(t, ctx, name("meta-connect-pick"))
		}
	}
}
