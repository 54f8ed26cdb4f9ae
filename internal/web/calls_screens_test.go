package web_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestScreenshotsCalls regenerates the screenshots of a phone inbox's
// conversation: a call Rahim answered, Priya's call back nobody answered,
// a missed call with its voicemail and transcript, a request to be called
// and a call in progress, at 1280 and 375 pixels wide in English, Bengali
// and Hindi, and at 375 in dark mode.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsCalls
func TestScreenshotsCalls(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	k := newCallDesk(t, d)
	conv, _ := k.conversation(t)
	k.transcribe(t)
	k.ring(t, "CA3", k.rahim.ID, k.priya.ID)
	at := time.Now()
	k.report(t, "CA3", sahay.Call{Status: sahay.CallInProgress, AgentID: k.rahim.ID, AnsweredAt: &at})

	out := filepath.Join("..", "..", "docs", "screenshots")
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn", "hi"} {
		d.Must(t, k.owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
		ctx := newProfile(t, browser)
		login(t, ctx, d.URL, k.owner.Email, k.owner.Password)
		waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		for _, width := range []int64{1280, 375} {
			if width < 500 {
				do(t, ctx, chromedp.EmulateViewport(width, 812, chromedp.EmulateMobile))
			} else {
				// Tall enough for the whole day's timeline.
				do(t, ctx, chromedp.EmulateViewport(width, 1060))
			}
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
			waitFor(t, ctx, "the calls show", `document.querySelectorAll(".timeline .call-entry").length === 6 && document.querySelector(".conv-head .call-btn")`)
			shoot(t, ctx, filepath.Join(out, fmt.Sprintf("calls-%s-%d.png", lang, width)))
		}
		if lang == "en" {
			do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
				})
				return err
			}))
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
			waitFor(t, ctx, "the calls show", `document.querySelectorAll(".timeline .call-entry").length === 6`)
			shoot(t, ctx, filepath.Join(out, "calls-en-375-dark.png"))
		}
	}
}
