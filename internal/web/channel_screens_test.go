package web_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/channel/telegram/telegramtest"

	"github.com/chromedp/chromedp"
)

// TestScreenshotsChannels regenerates the screenshots of what the channels'
// declarations shape: the new inbox form built from Telegram's settings
// schema, a failed connection test in the platform's words, and the reply
// box of a Telegram conversation over Telegram's limit, at 1280 and 390
// pixels wide in English, Bengali and Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsChannels
func TestScreenshotsChannels(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	const token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
	sim := telegramtest.New(t, token)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Bazaar")
	var inbox sahay.Inbox
	d.Must(t, owner.Token, http.MethodPost, "/api/v1/inboxes", map[string]any{"name": "Bazaar bot", "channel": "telegram",
		"settings": map[string]any{"bot_token": token, "mode": telegram.ModePolling, "api_base_url": sim.URL}}, http.StatusCreated, &inbox)
	sim.Push(telegram.Update{Message: &telegram.Message{MessageID: 1, Date: time.Now().Unix(), Text: "নীল কুর্তাটা কি স্টকে আছে? ডেলিভারি কবে হবে?",
		From: &telegram.User{ID: 4242, FirstName: "Rahim"}, Chat: telegram.Chat{ID: 4242, Type: "private", FirstName: "Rahim", LastName: "Uddin"}}})
	var conv sahay.Conversation
	eventually(t, "the customer's message makes a conversation", func() bool {
		var list struct{ Items []sahay.Conversation }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/conversations", nil, http.StatusOK, &list)
		if len(list.Items) == 1 {
			conv = list.Items[0]
		}
		return len(list.Items) == 1
	})
	replies := map[string]string{
		"en": "Yes, the blue kurta is in stock in every size. ",
		"bn": "জি, নীল কুর্তাটা সব মাপেই স্টকে আছে। ",
		"hi": "जी हाँ, नीला कुर्ता हर साइज़ में स्टॉक में है। ",
	}
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
			waitFor(t, ctx, "the inboxes are listed", `document.querySelector("tr[data-id] .actions button")`)
			eval[bool](t, ctx, `(document.querySelector(".toolbar .add").click(), true)`)
			waitFor(t, ctx, "the dialog opens", `document.querySelector(".dialog select[name=channel]")`)
			setField(t, ctx, ".dialog input[name=name]", "Bazaar bot")
			setField(t, ctx, ".dialog select[name=channel]", "telegram")
			eval[bool](t, ctx, `(document.querySelector(".dialog details.advanced").open = true, true)`)
			shoot(t, ctx, name("inbox-form"))

			sim.FailNext("getMe", http.StatusUnauthorized, "Unauthorized", 0)
			do(t, ctx, chromedp.Navigate(d.URL+"/settings/inboxes"))
			test := fmt.Sprintf(`document.querySelector('tr[data-id="%d"] .actions button')`, inbox.ID)
			waitFor(t, ctx, "the inbox is listed", test)
			eval[bool](t, ctx, `(`+test+`.click(), true)`)
			waitFor(t, ctx, "the test fails", `document.querySelector(".dialog .test-error")`)
			shoot(t, ctx, name("inbox-test"))

			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
			waitFor(t, ctx, "the reply box shows", `document.querySelector(".composer-input") && document.querySelector(".timeline .msg")`)
			setField(t, ctx, ".composer-input", strings.Repeat(replies[lang], 4200/len([]rune(replies[lang]))+1))
			waitFor(t, ctx, "the split notice shows", `document.querySelector(".composer-notice.split")`)
			shoot(t, ctx, name("composer-limit"))
		}
	}
}
