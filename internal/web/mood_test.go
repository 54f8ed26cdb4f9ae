package web_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/chromedp/chromedp"
)

// moodDesk is an account whose customers wrote in several moods, scored.
type moodDesk struct {
	owner *apitest.User
	inbox *sahay.Inbox
	// convs are the conversations by customer.
	convs map[string]sahay.Conversation
}

// newMoodDesk has four customers write, in English, Bengali and
// Hinglish, and waits until the scorer has read every message: Rahim was
// pleased and now is not (negative, falling), John the other way round
// (positive, rising), Priya is unhappy and Grace only asks.
func newMoodDesk(t *testing.T, d *dashboard) *moodDesk {
	t.Helper()
	k := &moodDesk{owner: d.NewAccount(t, "Mood shop"), convs: map[string]sahay.Conversation{}}
	k.inbox = d.NewInbox(t, k.owner, "Website", "api", map[string]any{"webhook_url": ""}, k.owner.ID)
	writes := []struct{ name, text string }{
		{"Rahim Uddin", "ধন্যবাদ, খুব ভালো সার্ভিস"},
		{"John Miles", "This is terrible, my parcel is late again!!"},
		{"Priya Verma", "bhai order kab aayega, bahut bekaar service hai"},
		{"Grace Lee", "Where is my order?"},
		{"Rahim Uddin", "আমার অর্ডার এখনো আসেনি, খুব বিরক্ত"},
		{"John Miles", "Thank you so much, the delivery was quick and great"},
	}
	for i, w := range writes {
		k.convs[w.name] = receive(t, d, k.owner.Token, k.inbox.ID, w.name, w.name, w.text, fmt.Sprintf("m%d", i)).Conversation
	}
	want := map[string][2]string{
		"Rahim Uddin": {sahay.MoodNegative, sahay.TrendFalling}, "John Miles": {sahay.MoodPositive, sahay.TrendRising},
		"Priya Verma": {sahay.MoodNegative, sahay.TrendSteady}, "Grace Lee": {sahay.MoodNeutral, sahay.TrendSteady},
	}
	eventually(t, "every message is scored", func() bool {
		for name, c := range k.convs {
			got := conversation(t, d, k.owner.Token, c.ID)
			if got.Mood == nil || [2]string{got.Mood.Sentiment, got.Mood.Trend} != want[name] {
				return false
			}
			k.convs[name] = got
		}
		return true
	})
	return k
}

// TestBrowserMood checks that the list and the conversation show each
// conversation's mood, that the list filters and sorts by it, and that a
// new message's mood reaches an open list without a reload.
func TestBrowserMood(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	k := newMoodDesk(t, d)

	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, k.owner.Email, k.owner.Password)
	waitFor(t, ctx, "every row shows its mood", `document.querySelectorAll(".conv-item .mood-chip").length === 4`)
	chip := func(name string) string {
		return fmt.Sprintf(`document.querySelector('.conv-item[data-id="%d"] .mood-chip')`, k.convs[name].ID)
	}
	if got := eval[string](t, ctx, chip("Rahim Uddin")+`.className`); got != "mood-chip negative falling" {
		t.Errorf("Rahim's chip is %q, want negative falling", got)
	}
	if got := eval[string](t, ctx, chip("John Miles")+`.textContent`); got != "Positive↑" {
		t.Errorf("John's chip reads %q, want Positive↑", got)
	}
	if got := eval[string](t, ctx, chip("Rahim Uddin")+`.getAttribute("aria-label")`); got != "Mood: Negative, getting worse" {
		t.Errorf("Rahim's chip is named %q", got)
	}

	clickText(t, ctx, ".list-pane .mood-filter", "")
	clickText(t, ctx, ".menu .menu-item", "Negative")
	waitFor(t, ctx, "only the negative conversations show", `location.search.includes("mood=negative") && document.querySelectorAll(".conv-item").length === 2 &&
		[...document.querySelectorAll(".conv-item .mood-chip")].every((e) => e.classList.contains("negative"))`)
	clickText(t, ctx, ".list-pane .sort", "")
	clickText(t, ctx, ".menu .menu-item", "Most negative first")
	first := k.convs["Rahim Uddin"]
	if k.convs["Priya Verma"].Sentiment < first.Sentiment {
		first = k.convs["Priya Verma"]
	}
	waitFor(t, ctx, "the most negative comes first", fmt.Sprintf(`location.search.includes("sort=sentiment") && document.querySelector(".conv-item")?.dataset.id === "%d"`, first.ID))

	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d?view=all&status=open&sort=last_activity", d.URL, k.convs["Rahim Uddin"].ID)))
	waitFor(t, ctx, "the conversation's header shows its mood", `document.querySelector(".conv-head .mood-chip.negative.falling")`)

	// Grace turns angry: her row follows as the scorer reads it.
	receive(t, d, k.owner.Token, k.inbox.ID, "Grace Lee", "Grace Lee", "This is terrible, nobody answers and my parcel is lost!!", "m-late")
	waitFor(t, ctx, "Grace's row turns negative", chip("Grace Lee")+`?.classList.contains("negative")`)
}

// TestScreenshotsMood regenerates the screenshots of the list with its
// mood chips and mood filter, and of a conversation's header, at 1280 and
// 390 pixels wide in English, Bengali and Hindi.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsMood
func TestScreenshotsMood(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	k := newMoodDesk(t, d)
	out := filepath.Join("..", "..", "docs", "screenshots")
	browser := newBrowser(t)
	rahim := k.convs["Rahim Uddin"].ID
	for _, lang := range []string{"en", "bn", "hi"} {
		d.Must(t, k.owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
		ctx := newProfile(t, browser)
		login(t, ctx, d.URL, k.owner.Email, k.owner.Password)
		waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		for _, width := range []int64{1280, 390} {
			if width < 500 {
				do(t, ctx, chromedp.EmulateViewport(width, 812, chromedp.EmulateMobile))
			} else {
				do(t, ctx, chromedp.EmulateViewport(width, 800))
			}
			do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=all&status=open&sort=sentiment"))
			waitFor(t, ctx, "the list shows its moods", `document.querySelectorAll(".conv-item .mood-chip").length === 4`)
			shoot(t, ctx, filepath.Join(out, fmt.Sprintf("mood-list-%s-%d.png", lang, width)))
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d?view=all&status=open&sort=sentiment&mood=negative", d.URL, rahim)))
			waitFor(t, ctx, "the conversation shows its mood", `document.querySelector(".conv-head .mood-chip") && document.querySelectorAll(".timeline .msg").length >= 2`)
			shoot(t, ctx, filepath.Join(out, fmt.Sprintf("mood-conversation-%s-%d.png", lang, width)))
		}
	}
}
