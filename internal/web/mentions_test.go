package web_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store/storetest"

	"github.com/chromedp/chromedp"
)

// commentBy is a feed entry: a comment of the named person on the Page's post.
func commentBy(id, authorID, author, text string) map[string]any {
	e := commentEntry(id, text)
	value := e["changes"].([]any)[0].(map[string]any)["value"].(map[string]any)
	value["from"] = map[string]any{"id": authorID, "name": author}
	return e
}

// TestBrowserMentions: a Facebook comment that names a followed keyword
// is listed in Mentions with its keyword, channel and sentiment, counted in
// the trend, filtered by sentiment, and opens its conversation.
func TestBrowserMentions(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Dhaka Saree House")
	sim, inbox := messengerPage(t, d, owner, nil)
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, owner.Email, owner.Password)
	watchCSP(t, ctx)

	// An administrator follows a keyword in the settings.
	do(t, ctx, chromedp.Navigate(d.URL+"/settings/mentions"))
	clickText(t, ctx, ".toolbar button.add", "Follow a keyword")
	waitFor(t, ctx, "the keyword dialog opens", `document.querySelector(".dialog input[name=term]")`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(".dialog input[name=term]"), "শাড়ি"))
	eval[bool](t, ctx, `(document.querySelector(".dialog button[type=submit]").click(), true)`)
	waitFor(t, ctx, "the keyword is listed", `document.querySelector(".table .chip.keyword")?.textContent === "শাড়ি"`)

	text := "এই শাড়িটা কি লাল রঙে আছে? দাম কত?"
	deliverPage(t, d, sim, inbox.ID, commentEntry(commentID, text))
	deliverPage(t, d, sim, inbox.ID, commentBy("998877665544_2", "7301", "Joy", "nice photo"))
	pub := conversationWhere(t, d, owner.Token, "the comment makes a public conversation", func(c sahay.Conversation) bool { return c.Public && c.Contact.Name == "Nusrat Jahan" })
	// Matching follows the message's commit by a moment: the page shows
	// what is matched when it opens.
	eventually(t, "the comment is matched", func() bool {
		var l struct{ Items []any }
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/mentions", nil, http.StatusOK, &l)
		return len(l.Items) == 1
	})
	eval[bool](t, ctx, `(document.querySelector("#nav-mentions").click(), true)`)
	waitFor(t, ctx, "the comment is listed", fmt.Sprintf(`[...document.querySelectorAll(".mention-item .mention-text")].some((e) => e.textContent === %s)`, jsString(text)))
	item := `document.querySelector(".mention-item")`
	if got := eval[int](t, ctx, `document.querySelectorAll(".mention-item").length`); got != 1 {
		t.Errorf("%d mentions listed, want only the comment naming the keyword", got)
	}
	sentiment := nlp.Analyze(text).Sentiment
	if !eval[bool](t, ctx, item+`.querySelector(".chip.keyword").textContent === "শাড়ি" && `+item+`.querySelector(".mention-who .name").textContent === "Nusrat Jahan" && !!`+item+`.querySelector(".icon.channel")`) {
		t.Errorf("the mention shows %q", eval[string](t, ctx, item+`.innerText`))
	}
	if !eval[bool](t, ctx, fmt.Sprintf(`%s.classList.contains(%s)`, item, jsString(sentiment))) {
		t.Errorf("the mention is not marked %s", sentiment)
	}
	waitFor(t, ctx, "the trend counts it", `[...document.querySelectorAll(".trend-table tfoot td")].reduce((n, e) => n + Number(e.textContent), 0) === 1`)
	if !eval[bool](t, ctx, `document.querySelectorAll(".trend-chart .bar").length === 1`) {
		t.Error("the chart does not draw the day's mention")
	}

	// Filtered by another sentiment, it goes; by its own it comes back.
	other := nlp.Negative
	if sentiment == nlp.Negative {
		other = nlp.Positive
	}
	setField(t, ctx, ".mention-sentiment", other)
	waitFor(t, ctx, "another sentiment lists nothing", `document.querySelector(".mention-list .empty")`)
	setField(t, ctx, ".mention-sentiment", sentiment)
	waitFor(t, ctx, "its sentiment lists it", `document.querySelectorAll(".mention-item").length === 1`)
	if got := eval[string](t, ctx, `location.search`); got != "?sentiment="+sentiment {
		t.Errorf("the filter is not in the address: %q", got)
	}

	clickText(t, ctx, ".mention-item .mention-actions a", "Open conversation")
	waitFor(t, ctx, "its conversation opens", fmt.Sprintf(`location.pathname === "/conversations/%d" && document.querySelector(".composer-input")`, pub.ID))
	noCSPViolation(t, ctx)
}

// TestScreenshotsMentions writes docs/screenshots/mentions-{en,bn,hi}-{1280,390}.png:
// two weeks of comments on a Page's posts that name its keywords.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsMentions
func TestScreenshotsMentions(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	owner := d.NewAccount(t, "Dhaka Saree House")
	sim, inbox := messengerPage(t, d, owner, nil)
	people := []struct{ id, name string }{
		{"7301", "Nusrat Jahan"}, {"7302", "Rahim Uddin"}, {"7303", "Priya Verma"}, {"7304", "John Miles"}, {"7305", "Farzana Akter"},
	}
	for i, p := range people {
		deliverPage(t, d, sim, inbox.ID, commentBy(fmt.Sprint("9988_", i), p.id, p.name, "👍"))
	}
	convs := map[string]*sahay.Conversation{}
	for _, p := range people {
		c := conversationWhere(t, d, owner.Token, p.name+"'s public conversation", func(c sahay.Conversation) bool { return c.Public && c.Contact.Name == p.name })
		convs[p.name] = &c
	}
	// What the customers wrote over two weeks: days ago, who, what.
	comments := []struct {
		ago  int
		who  string
		text string
	}{
		{13, "John Miles", "Do you deliver to Chittagong? What is the delivery charge?"},
		{12, "Nusrat Jahan", "শাড়িটা অসাধারণ, ধন্যবাদ! ❤️"},
		{11, "Priya Verma", "डिलीवरी चार्ज कितना है?"},
		{10, "Rahim Uddin", "শাড়ির ডেলিভারি ৫ দিন দেরি, খুব বাজে সার্ভিস 😡"},
		{9, "Farzana Akter", "এই শাড়িটা কি নীল রঙে আছে?"},
		{8, "John Miles", "Loved the saree, fast delivery, thank you!"},
		{7, "Priya Verma", "डिलीवरी अभी तक नहीं आई, बहुत बुरा अनुभव"},
		{6, "Nusrat Jahan", "ডেলিভারি খুব দ্রুত পেয়েছি, ধন্যবাদ"},
		{5, "Rahim Uddin", "শাড়ির দাম কত?"},
		{4, "Farzana Akter", "Delivery was late again, really disappointed"},
		{3, "Priya Verma", "साड़ी बहुत सुंदर है, डिलीवरी भी जल्दी हुई, धन्यवाद"},
		{2, "John Miles", "Is cash on delivery available?"},
		{1, "Nusrat Jahan", "দুটো শাড়ি অর্ডার করেছি, কবে পাব?"},
		{1, "Rahim Uddin", "শাড়ি পেয়েছি, কাপড় খুব ভালো 👍"},
		{0, "Farzana Akter", "ডেলিভারি ম্যান খুব খারাপ ব্যবহার করেছে"},
		{0, "Priya Verma", "Delivery in Kolkata? Thanks!"},
	}
	now := time.Now()
	for i, c := range comments {
		at := now.Add(-time.Duration(c.ago)*24*time.Hour - time.Duration(len(comments)-i)*time.Minute)
		storetest.MustMessage(t, d.App.Store, convs[c.who], &sahay.Message{Content: c.text, Public: true, CreatedAt: at, ExternalID: fmt.Sprint("old-", i)})
	}
	for _, k := range []map[string]any{{"term": "শাড়ি"}, {"term": "ডেলিভারি"}, {"term": "delivery"}, {"term": "डिलीवरी"}, {"term": "Saree House", "kind": "brand"}} {
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/mentions/keywords", k, http.StatusCreated, nil)
	}

	out := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn", "hi"} {
		t.Run(lang, func(t *testing.T) {
			d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
			ctx := newProfile(t, browser)
			do(t, ctx, chromedp.EmulateViewport(1280, 800))
			login(t, ctx, d.URL, owner.Email, owner.Password)
			waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
			do(t, ctx, chromedp.Navigate(d.URL+"/mentions"))
			waitFor(t, ctx, "the mentions and their trend show", fmt.Sprintf(`document.querySelectorAll(".mention-item").length === %d && document.querySelector(".trend-chart")`, len(comments)))
			shoot(t, ctx, filepath.Join(out, "mentions-"+lang+"-1280.png"))

			do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			do(t, ctx, chromedp.Navigate(d.URL+"/mentions"))
			waitFor(t, ctx, "the mentions show on a phone", `document.querySelectorAll(".mention-item").length > 3 && document.querySelector(".trend-chart")`)
			shoot(t, ctx, filepath.Join(out, "mentions-"+lang+"-390.png"))
		})
	}
}
