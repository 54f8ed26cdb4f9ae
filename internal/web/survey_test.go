package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/web"

	"github.com/chromedp/chromedp"
)

// TestBrowserSurvey answers a satisfaction survey link on a phone, 375
// pixels wide, without signing in: the page speaks the conversation's
// language, switches language, keeps to its own content security policy,
// fits the screen, and the rating reaches the conversation; an
// administrator turns the survey on in the inbox's dialog. With
// SAHAY_SCREENSHOTS=1 it writes docs/screenshots/survey-{en,bn,hi}-375.png.
//
//	SAHAY_TEST_BROWSER=1 go test ./internal/web -run TestBrowserSurvey
func TestBrowserSurvey(t *testing.T) {
	needBrowser(t, browserEnv)
	s := apitest.NewServer(t)
	mux := http.NewServeMux()
	mux.Handle("/api/", s.App.Handler())
	mux.Handle("/survey/", s.App.Handler())
	mux.Handle("/", web.Handler())
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	owner := s.NewAccount(t, "Bazaar")
	inbox := s.NewInbox(t, owner, "Shop", "api", nil, owner.ID)
	ctx := context.Background()
	pathOf := func(c sahay.Conversation) string {
		link, err := s.App.Service.SurveyLink(ctx, c.AccountID, c.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return link[strings.Index(link, "/survey/"):]
	}
	bn := s.Receive(t, owner, inbox.ID, "rahim", "আমার অর্ডার এখনো আসেনি", "m-bn").Conversation
	en := s.Receive(t, owner, inbox.ID, "john", "My parcel has not arrived", "m-en").Conversation
	for _, c := range []sahay.Conversation{bn, en} {
		s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", c.ID), map[string]any{"status": "resolved"}, http.StatusOK, nil)
	}
	shots := os.Getenv("SAHAY_SCREENSHOTS") == "1"
	out := filepath.Join("..", "..", "docs", "screenshots")

	tab := newBrowser(t)
	do(t, tab, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	fits := func(what string) {
		t.Helper()
		if w := eval[int](t, tab, `document.documentElement.scrollWidth`); w > 375 {
			t.Fatalf("%s: the page is %d px wide on a 375 px screen", what, w)
		}
		// The inline style ran: the policy allows it, and nothing else.
		if bg := eval[string](t, tab, `getComputedStyle(document.querySelector("h1")).fontSize`); bg != "22.4px" {
			t.Fatalf("%s: the page's style did not apply (h1 %s)", what, bg)
		}
	}

	// Bengali, from the conversation.
	do(t, tab, chromedp.Navigate(hs.URL+pathOf(bn)))
	waitFor(t, tab, "the survey in Bengali", `document.documentElement.lang === "bn" && document.querySelectorAll("input[name=rating]").length === 5`)
	fits("bn")
	if shots {
		shoot(t, tab, filepath.Join(out, "survey-bn-375.png"))
	}
	do(t, tab, chromedp.Click(chromedp.CSS(`input[name=rating][value="4"] + span`)),
		chromedp.SendKeys(chromedp.CSS(`#comment`), "দ্রুত উত্তর পেয়েছি"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	waitFor(t, tab, "the thanks", `document.querySelector(".notice") && document.querySelector(".notice").textContent.includes("ধন্যবাদ")`)
	var got struct {
		Rating *sahay.CSAT `json:"rating"`
	}
	s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/csat", bn.ID), nil, http.StatusOK, &got)
	if got.Rating == nil || got.Rating.Rating != 4 || got.Rating.Comment != "দ্রুত উত্তর পেয়েছি" {
		t.Fatalf("rating %+v, want 4 with the comment", got.Rating)
	}

	// The language switch: Hindi, the answer kept.
	click(t, tab, `nav a[lang="hi"]`)
	waitFor(t, tab, "the survey in Hindi", `document.documentElement.lang === "hi" && document.querySelector("input[name=rating][value='4']").checked`)
	fits("hi")
	if shots {
		shoot(t, tab, filepath.Join(out, "survey-hi-375.png"))
	}

	// English, from the conversation.
	do(t, tab, chromedp.Navigate(hs.URL+pathOf(en)))
	waitFor(t, tab, "the survey in English", `document.documentElement.lang === "en" && document.querySelectorAll("input[name=rating]:checked").length === 0`)
	fits("en")
	if shots {
		shoot(t, tab, filepath.Join(out, "survey-en-375.png"))
	}

	// An administrator turns the survey on in the inbox's dialog.
	admin := newProfile(t, tab)
	do(t, admin, chromedp.EmulateViewport(1280, 800))
	login(t, admin, hs.URL, owner.Email, owner.Password)
	do(t, admin, chromedp.Navigate(hs.URL+"/settings/inboxes"))
	edit := fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .actions button[aria-label="Edit"]')`, inbox.ID)
	waitFor(t, admin, "the inbox is listed", edit)
	eval[bool](t, admin, `(`+edit+`.click(), true)`)
	waitFor(t, admin, "the survey box shows its saved state", `document.querySelector(".dialog input[name=survey_on_resolve]:not(:disabled)") && !document.querySelector(".dialog .survey-settings").hidden`)
	eval[bool](t, admin, `(document.querySelector(".dialog input[name=survey_on_resolve]").click(), true)`)
	eval[bool](t, admin, `(document.querySelector(".dialog button[type=submit]").click(), true)`)
	var setting struct {
		SurveyOnResolve bool `json:"survey_on_resolve"`
	}
	eventually(t, "the survey is on", func() bool {
		s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/inboxes/%d/survey", inbox.ID), nil, http.StatusOK, &setting)
		return setting.SurveyOnResolve
	})
}
