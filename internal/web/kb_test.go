package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/chromedp/chromedp"
)

// kbArticle is an article as GET /api/v1/kb/articles/{id} answers it.
type kbArticle struct {
	ID           int64  `json:"id"`
	Internal     bool   `json:"internal"`
	CategoryID   *int64 `json:"category_id"`
	Translations []struct {
		Locale   string `json:"locale"`
		Title    string `json:"title"`
		Body     string `json:"body"`
		Status   string `json:"status"`
		HasDraft bool   `json:"has_draft"`
		URL      string `json:"url"`
	} `json:"translations"`
}

// translation returns the article's translation in locale, or fails.
func (a kbArticle) translation(t *testing.T, locale string) (title, body, status, url string, hasDraft bool) {
	t.Helper()
	for _, tr := range a.Translations {
		if tr.Locale == locale {
			return tr.Title, tr.Body, tr.Status, tr.URL, tr.HasDraft
		}
	}
	t.Fatalf("article %d has no %s translation: %+v", a.ID, locale, a.Translations)
	return
}

// kbReport is GET /api/v1/kb/reports.
type kbReport struct {
	Views      int `json:"views"`
	Searches   int `json:"searches"`
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
	MostViewed []struct {
		ArticleID int64  `json:"article_id"`
		Title     string `json:"title"`
		Views     int    `json:"views"`
	} `json:"most_viewed"`
	NoResult []struct {
		Query string `json:"query"`
		Count int    `json:"count"`
	} `json:"no_result_searches"`
}

// kbPeriod is the query of the insights' default period, the last 30 days.
func kbPeriod() string {
	day := time.Now()
	return fmt.Sprintf("from=%s&to=%s", day.AddDate(0, 0, -29).Format(time.DateOnly), day.Format(time.DateOnly))
}

// newArticle creates a published article through the API.
func newArticle(t *testing.T, d *dashboard, token string, body map[string]any) kbArticle {
	t.Helper()
	var a kbArticle
	d.Must(t, token, http.MethodPost, "/api/v1/kb/articles", body, http.StatusCreated, &a)
	return a
}

// readArticle reads an article through the API.
func readArticle(t *testing.T, d *dashboard, token string, id int64) kbArticle {
	t.Helper()
	var a kbArticle
	d.Must(t, token, http.MethodGet, fmt.Sprintf("/api/v1/kb/articles/%d", id), nil, http.StatusOK, &a)
	return a
}

// kbReaders counts what readers of a help center do, as its pages and
// the widget count them, then writes the counts for the insights.
type kbReaders struct {
	views    map[int64]int
	votes    map[int64][]bool
	searches []string
}

func (r kbReaders) read(t *testing.T, d *dashboard, slug string) {
	t.Helper()
	ctx := context.Background()
	site, err := d.App.Service.HelpCenter(ctx, slug)
	if err != nil {
		t.Fatalf("help center %s: %v", slug, err)
	}
	for id, n := range r.views {
		for range n {
			d.App.Service.CountKBView(site, id, "en")
		}
	}
	for id, votes := range r.votes {
		for _, helpful := range votes {
			if err := d.App.Service.KBFeedback(site, id, "en", helpful); err != nil {
				t.Fatalf("feedback on %d: %v", id, err)
			}
		}
	}
	for _, q := range r.searches {
		d.App.Service.SearchHelpCenter(site, q, "en", 10)
	}
	if err := d.App.Service.FlushKBStats(ctx); err != nil {
		t.Fatal(err)
	}
}

// chipState is the JavaScript that reads an article's chip state for a locale in the list.
func chipState(id int64, locale string) string {
	return fmt.Sprintf(`document.querySelector('.kb-article[data-id="%d"] .kb-chip[data-locale=%s]')?.dataset.state`, id, locale)
}

// TestBrowserKB: an administrator creates a category and an article in
// English, adds a Bengali translation, publishes both and sees the list's
// chips change, including "unpublished changes" after editing a published
// text; the insights show the figures the API gives; an agent reads the
// knowledge base without its write controls, and from a conversation's
// reply box finds an internal article and puts its text in the reply.
func TestBrowserKB(t *testing.T) {
	needBrowser(t, browserEnv)
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat Bazaar")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "Shop", "api", nil, agent.ID)
	d.Must(t, owner.Token, http.MethodPatch, "/api/v1/account", map[string]any{"slug": "haat"}, http.StatusOK, nil)

	browser := newBrowser(t)
	admin := newProfile(t, browser)
	do(t, admin, chromedp.EmulateViewport(1280, 800))
	login(t, admin, d.URL, owner.Email, owner.Password)

	var categoryID, articleID int64
	t.Run("create a category", func(t *testing.T) {
		eval[bool](t, admin, `(document.querySelector("#nav-kb").click(), true)`)
		waitFor(t, admin, "the knowledge base opens", `location.pathname === "/kb" && document.querySelector(".kb-tabs [data-tab=categories]")`)
		eval[bool](t, admin, `(document.querySelector(".kb-tabs [data-tab=categories]").click(), true)`)
		waitFor(t, admin, "the categories show", `document.querySelector(".add-category")`)
		eval[bool](t, admin, `(document.querySelector(".add-category").click(), true)`)
		waitFor(t, admin, "the dialog asks a name per language", `document.querySelector(".dialog input[name=name_en]") && document.querySelector(".dialog input[name=name_bn]") && document.querySelector(".dialog input[name=name_hi]")`)
		setField(t, admin, ".dialog input[name=name_en]", "Orders")
		setField(t, admin, ".dialog input[name=name_bn]", "অর্ডার")
		eval[bool](t, admin, `(document.querySelector(".dialog input[name=name_en]").form.requestSubmit(), true)`)
		waitFor(t, admin, "the category is listed", `[...document.querySelectorAll(".kb-category-name")].some((e) => e.textContent === "Orders")`)
		var cats struct {
			Items []struct {
				ID       int64             `json:"id"`
				Names    map[string]string `json:"names"`
				Position int               `json:"position"`
			}
		}
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/categories", nil, http.StatusOK, &cats)
		if len(cats.Items) != 1 || cats.Items[0].Names["en"] != "Orders" || cats.Items[0].Names["bn"] != "অর্ডার" {
			t.Fatalf("categories: %+v", cats.Items)
		}
		categoryID = cats.Items[0].ID

		// A second category, moved above the first, then deleted.
		eval[bool](t, admin, `(document.querySelector(".add-category").click(), true)`)
		waitFor(t, admin, "the dialog opens", `document.querySelector(".dialog input[name=name_en]")`)
		setField(t, admin, ".dialog input[name=name_en]", "Payments")
		eval[bool](t, admin, `(document.querySelector(".dialog input[name=name_en]").form.requestSubmit(), true)`)
		waitFor(t, admin, "it is listed last", `document.querySelector(".kb-category:last-child .kb-category-name")?.textContent === "Payments"`)
		eval[bool](t, admin, `(document.querySelector(".kb-category:last-child .kb-up").click(), true)`)
		waitFor(t, admin, "it moves first", `document.querySelector(".kb-category:first-child .kb-category-name")?.textContent === "Payments"`)
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/categories", nil, http.StatusOK, &cats)
		for _, c := range cats.Items {
			if c.Names["en"] == "Payments" && c.Position != 0 || c.Names["en"] == "Orders" && c.Position != 1 {
				t.Errorf("after the move: %+v", cats.Items)
			}
		}
		eval[bool](t, admin, `(document.querySelector(".kb-category:first-child .kb-remove").click(), true)`)
		waitFor(t, admin, "the deletion asks first", `document.querySelector(".dialog .btn.danger")`)
		eval[bool](t, admin, `(document.querySelector(".dialog .btn.danger").click(), true)`)
		waitFor(t, admin, "one category is left", `document.querySelectorAll(".kb-category").length === 1`)
	})

	t.Run("write an article in English and Bengali", func(t *testing.T) {
		do(t, admin, chromedp.Navigate(d.URL+"/kb"))
		waitFor(t, admin, "the articles show", `document.querySelector(".add-article")`)
		eval[bool](t, admin, `(document.querySelector(".add-article").click(), true)`)
		waitFor(t, admin, "the editor opens on English", `document.querySelector(".kb-editor-form input[name=title]") && document.querySelector(".kb-locale-tab.active")?.dataset.locale === "en"`)
		setField(t, admin, ".kb-editor-form input[name=title]", "Where is my order?")
		setField(t, admin, ".kb-editor-form textarea[name=description]", "Follow a parcel from the shop to your door.")
		setField(t, admin, ".kb-editor-form textarea[name=body]", "## Track it\n\nOpen **Orders** and choose the parcel.")
		setField(t, admin, ".kb-editor-form select[name=category_id]", fmt.Sprint(categoryID))
		setField(t, admin, ".kb-editor-form textarea[name=pages]", "/orders*\n/checkout")
		waitFor(t, admin, "the preview renders the Markdown", `document.querySelector(".kb-preview h2")?.textContent === "Track it" && document.querySelector(".kb-preview strong")?.textContent === "Orders"`)
		// A picture goes where the caret is: after the heading.
		photo := filepath.Join(t.TempDir(), "parcel.png")
		if err := os.WriteFile(photo, pngBytes(t), 0o644); err != nil {
			t.Fatal(err)
		}
		eval[bool](t, admin, `(() => { const ta = document.querySelector(".kb-editor-form textarea[name=body]"); ta.setSelectionRange(11, 11); return true })()`)
		do(t, admin, chromedp.SetUploadFiles(chromedp.CSS(".kb-editor-form .kb-image-input"), []string{photo}))
		waitFor(t, admin, "the picture's Markdown is in the text and its image in the preview",
			`/^## Track it\n\n!\[[^\]]*\]\(\/hc-files\/[^)]+\)\n\nOpen/.test(document.querySelector(".kb-editor-form textarea[name=body]").value) && document.querySelector(".kb-preview img")?.getAttribute("src").startsWith("/hc-files/")`)
		eval[bool](t, admin, `(document.querySelector(".kb-save-draft").click(), true)`)
		waitFor(t, admin, "the draft is saved", `/^\/kb\/articles\/\d+$/.test(location.pathname) && document.querySelector(".kb-locale-tab[data-locale=en]")?.dataset.state === "draft"`)
		articleID = int64(eval[float64](t, admin, `Number(location.pathname.split("/").pop())`))

		eval[bool](t, admin, `(document.querySelector(".kb-locale-tab[data-locale=bn]").click(), true)`)
		waitFor(t, admin, "the Bengali tab is empty", `document.querySelector(".kb-locale-tab.active")?.dataset.locale === "bn" && document.querySelector(".kb-editor-form input[name=title]").value === ""`)
		setField(t, admin, ".kb-editor-form input[name=title]", "আমার অর্ডার কোথায়?")
		setField(t, admin, ".kb-editor-form textarea[name=body]", "**অর্ডার** খুলে পার্সেলটি বেছে নিন।")
		eval[bool](t, admin, `(document.querySelector(".kb-save-draft").click(), true)`)
		waitFor(t, admin, "the Bengali draft is saved", `document.querySelector(".kb-locale-tab[data-locale=bn]")?.dataset.state === "draft"`)

		do(t, admin, chromedp.Navigate(d.URL+"/kb"))
		waitFor(t, admin, "the list shows English and Bengali drafts, Hindi missing",
			chipState(articleID, "en")+` === "draft" && `+chipState(articleID, "bn")+` === "draft" && `+chipState(articleID, "hi")+` === "missing"`)

		a := readArticle(t, d, owner.Token, articleID)
		if a.CategoryID == nil || *a.CategoryID != categoryID {
			t.Errorf("the article's category is %v, want %d", a.CategoryID, categoryID)
		}
		if title, body, status, _, _ := a.translation(t, "bn"); title != "আমার অর্ডার কোথায়?" || !strings.Contains(body, "পার্সেলটি") || status != "draft" {
			t.Errorf("the Bengali translation: %q %q %s", title, body, status)
		}
	})

	t.Run("publish and see the chips change", func(t *testing.T) {
		do(t, admin, chromedp.Navigate(fmt.Sprintf("%s/kb/articles/%d?locale=bn", d.URL, articleID)))
		waitFor(t, admin, "the Bengali text shows", `document.querySelector(".kb-editor-form input[name=title]")?.value === "আমার অর্ডার কোথায়?"`)
		eval[bool](t, admin, `(document.querySelector(".kb-publish").click(), true)`)
		waitFor(t, admin, "Bengali is published", `document.querySelector(".kb-locale-tab[data-locale=bn]")?.dataset.state === "published" && document.querySelector(".kb-unpublish")`)
		eval[bool](t, admin, `(document.querySelector(".kb-locale-tab[data-locale=en]").click(), true)`)
		waitFor(t, admin, "the English text shows", `document.querySelector(".kb-editor-form input[name=title]").value === "Where is my order?"`)
		eval[bool](t, admin, `(document.querySelector(".kb-publish").click(), true)`)
		waitFor(t, admin, "English is published, with its public link", `document.querySelector(".kb-locale-tab[data-locale=en]")?.dataset.state === "published" && document.querySelector(".kb-public-link")`)
		_, _, _, enURL, _ := readArticle(t, d, owner.Token, articleID).translation(t, "en")
		if got := eval[string](t, admin, `document.querySelector(".kb-public-link").getAttribute("href")`); enURL == "" || got != enURL {
			t.Errorf("the public link is %q, the API says %q", got, enURL)
		}
		do(t, admin, chromedp.Navigate(d.URL+"/kb"))
		waitFor(t, admin, "both chips say published", chipState(articleID, "en")+` === "published" && `+chipState(articleID, "bn")+` === "published" && `+chipState(articleID, "hi")+` === "missing"`)

		// A change to a published text stays a draft until published.
		do(t, admin, chromedp.Navigate(fmt.Sprintf("%s/kb/articles/%d?locale=en", d.URL, articleID)))
		waitFor(t, admin, "the English text shows", `document.querySelector(".kb-editor-form textarea[name=body]")?.value.includes("Track it")`)
		setField(t, admin, ".kb-editor-form textarea[name=body]", "## Track it\n\nOpen **Orders**, choose the parcel and follow the map.")
		eval[bool](t, admin, `(document.querySelector(".kb-save-draft").click(), true)`)
		waitFor(t, admin, "English has unpublished changes", `document.querySelector(".kb-locale-tab[data-locale=en]")?.dataset.state === "changed"`)
		// Published again, the text has two versions; the first comes back
		// as a draft, over the one readers see.
		eval[bool](t, admin, `(document.querySelector(".kb-publish").click(), true)`)
		waitFor(t, admin, "two published versions", `document.querySelectorAll(".kb-history-list li").length === 2 && document.querySelector(".kb-locale-tab[data-locale=en]")?.dataset.state === "published"`)
		eval[bool](t, admin, `(document.querySelector(".kb-history-list li:last-child .kb-restore").click(), true)`)
		waitFor(t, admin, "the first version is the draft", `document.querySelector(".kb-locale-tab[data-locale=en]")?.dataset.state === "changed" && `+
			`document.querySelector(".kb-editor-form textarea[name=body]").value.includes("Track it") && !document.querySelector(".kb-editor-form textarea[name=body]").value.includes("follow the map")`)
		do(t, admin, chromedp.Navigate(d.URL+"/kb?status=changed"))
		waitFor(t, admin, "the filter lists it with its chip", chipState(articleID, "en")+` === "changed"`)
		if _, _, status, _, changed := readArticle(t, d, owner.Token, articleID).translation(t, "en"); status != "published" || !changed {
			t.Errorf("English after a draft of a published text: %s, has_draft %v", status, changed)
		}
		setField(t, admin, ".kb-toolbar select[name=status]", "draft")
		waitFor(t, admin, "no article is only a draft", `!document.querySelector(".kb-article") && document.querySelector(".kb-list .empty")`)

		setField(t, admin, ".kb-search", "order")
		waitFor(t, admin, "the search finds the article", fmt.Sprintf(`document.querySelector('.kb-hit[data-id="%d"] mark')`, articleID))

		do(t, admin, chromedp.Navigate(fmt.Sprintf("%s/kb/articles/%d?locale=bn", d.URL, articleID)))
		waitFor(t, admin, "Bengali can be withdrawn", `document.querySelector(".kb-locale-tab.active")?.dataset.locale === "bn" && document.querySelector(".kb-unpublish")`)
		eval[bool](t, admin, `(document.querySelector(".kb-unpublish").click(), true)`)
		waitFor(t, admin, "Bengali is a draft again", `document.querySelector(".kb-locale-tab[data-locale=bn]")?.dataset.state === "draft" && !document.querySelector(".kb-unpublish")`)
		if _, _, status, u, _ := readArticle(t, d, owner.Token, articleID).translation(t, "bn"); status != "draft" || u != "" {
			t.Errorf("Bengali after Unpublish: %s %q", status, u)
		}
	})

	internal := newArticle(t, d, owner.Token, map[string]any{
		"title": "Refund checklist", "locale": "en", "status": "published", "internal": true,
		"body": "Check the **payment** in the gateway first.\n\n- Refund within [7 days](https://example.com/policy)\n- Write the reference in a note",
	})
	d.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/kb/articles/%d/translations/bn", internal.ID), map[string]any{
		"title": "রিফান্ড চেকলিস্ট", "body": "আগে গেটওয়েতে **পেমেন্ট** যাচাই করুন।\n\n- ৭ দিনের মধ্যে রিফান্ড", "status": "published",
	}, http.StatusOK, nil)

	t.Run("insights show the API's figures", func(t *testing.T) {
		d.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{"title": "Haat Help", "default_locale": "en", "locales": []string{"en", "bn", "hi"}, "enabled": true, "color": "#0b6e4f"}, http.StatusOK, nil)
		kbReaders{views: map[int64]int{articleID: 3}, votes: map[int64][]bool{articleID: {true, true, false}}, searches: []string{"warranty", "order"}}.read(t, d, "haat")
		var r kbReport
		d.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/reports?"+kbPeriod(), nil, http.StatusOK, &r)
		if r.Views != 3 || r.Helpful != 2 || r.NotHelpful != 1 || len(r.NoResult) != 1 {
			t.Fatalf("the report: %+v", r)
		}
		do(t, admin, chromedp.Navigate(d.URL+"/kb/insights"))
		waitFor(t, admin, "the figures show", `document.querySelector("[data-metric=views] .figure-value")`)
		for metric, want := range map[string]int{"views": r.Views, "searches": r.Searches, "helpful": r.Helpful, "not_helpful": r.NotHelpful} {
			if got := eval[string](t, admin, fmt.Sprintf(`document.querySelector("[data-metric=%s] .figure-value").textContent`, metric)); got != fmt.Sprint(want) {
				t.Errorf("%s reads %q, the API says %d", metric, got, want)
			}
		}
		rows := eval[[]string](t, admin, `[...document.querySelectorAll("[data-table=most_viewed] tbody tr")].map((r) => r.textContent)`)
		if len(rows) != len(r.MostViewed) || len(rows) == 0 || !strings.Contains(rows[0], r.MostViewed[0].Title) || !strings.Contains(rows[0], fmt.Sprint(r.MostViewed[0].Views)) {
			t.Errorf("most viewed rows %q, the API says %+v", rows, r.MostViewed)
		}
		if got := eval[string](t, admin, `document.querySelector("[data-table=no_result]")?.textContent ?? ""`); !strings.Contains(got, "warranty") {
			t.Errorf("the searches without result read %q", got)
		}
	})

	conv := receive(t, d, owner.Token, inbox.ID, "c-1", "Rahim Uddin", "I paid twice for one order, please refund the second payment", "m-1").Conversation
	ctx := newProfile(t, browser)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	login(t, ctx, d.URL, agent.Email, agent.Password)

	t.Run("an agent reads without write controls", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/kb"))
		waitFor(t, ctx, "the articles show", fmt.Sprintf(`document.querySelector('.kb-article[data-id="%d"] .kb-internal')`, internal.ID))
		if got := eval[bool](t, ctx, `!!document.querySelector(".add-article, .kb-tabs [data-tab=categories], .kb-tabs [data-tab=settings]")`); got {
			t.Error("an agent sees the controls that write")
		}
		eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('.kb-article[data-id="%d"] a').click(), true)`, internal.ID))
		waitFor(t, ctx, "the article reads, without an editor", `document.querySelector(".kb-read .kb-prose strong")?.textContent === "payment" && !document.querySelector(".kb-editor-form, .kb-publish")`)
	})

	t.Run("an agent inserts an internal article into the reply", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
		waitFor(t, ctx, "the reply box shows its Knowledge button", `document.querySelector(".composer .kb-knowledge-btn") && document.querySelector(".timeline .msg")`)
		eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
		press(t, ctx, "b")
		waitFor(t, ctx, "the key opens the search", `document.activeElement?.classList.contains("kb-knowledge-input")`)
		setField(t, ctx, ".kb-knowledge-input", "refund")
		waitFor(t, ctx, "the internal article is found and marked", fmt.Sprintf(`document.querySelector('.kb-knowledge-hit[data-id="%d"] .kb-internal')`, internal.ID))
		eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('.kb-knowledge-hit[data-id="%d"]').click(), true)`, internal.ID))
		want := "Check the payment in the gateway first."
		if lang := conversation(t, d, owner.Token, conv.ID).Language; strings.HasPrefix(lang, "bn") {
			want = "আগে গেটওয়েতে পেমেন্ট যাচাই করুন।"
		}
		waitFor(t, ctx, "the article's text is in the reply box", fmt.Sprintf(`document.querySelector(".composer-input").value.startsWith(%s)`, jsString(want)))
		got := eval[string](t, ctx, `document.querySelector(".composer-input").value`)
		if strings.ContainsAny(got, "*[]") || !strings.Contains(got, "7 days (https://example.com/policy)") {
			t.Errorf("the reply box holds %q, want the article as plain text", got)
		}
		if eval[bool](t, ctx, `!!document.querySelector(".kb-knowledge")`) {
			t.Error("the search stays open after choosing")
		}

		// A public article goes in as its title, a line about it and its address.
		eval[bool](t, ctx, `(() => { const ta = document.querySelector(".composer-input"); ta.value = ""; ta.dispatchEvent(new Event("input", { bubbles: true })); return true })()`)
		eval[bool](t, ctx, `(document.querySelector(".composer .kb-knowledge-btn").click(), true)`)
		waitFor(t, ctx, "the search opens", `document.activeElement?.classList.contains("kb-knowledge-input")`)
		setField(t, ctx, ".kb-knowledge-input", "order")
		waitFor(t, ctx, "the public article is found", fmt.Sprintf(`document.querySelector('.kb-knowledge-hit[data-id="%d"]') && !document.querySelector('.kb-knowledge-hit[data-id="%d"] .kb-internal')`, articleID, articleID))
		eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('.kb-knowledge-hit[data-id="%d"]').click(), true)`, articleID))
		_, _, _, enURL, _ := readArticle(t, d, owner.Token, articleID).translation(t, "en")
		link := "Where is my order?\nFollow a parcel from the shop to your door.\n" + d.URL + enURL
		waitFor(t, ctx, "the title, description and address are in the reply box", fmt.Sprintf(`document.querySelector(".composer-input").value === %s`, jsString(link)))

		msgs := d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), nil, http.StatusOK, nil)
		if strings.Contains(msgs.String(), "gateway") {
			t.Error("the article was sent without the agent sending it")
		}
	})

	t.Run("on a phone", func(t *testing.T) {
		do(t, admin, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
		for _, page := range []string{"/kb", fmt.Sprintf("/kb/articles/%d", articleID), "/kb/categories", "/kb/insights", "/kb/settings"} {
			do(t, admin, chromedp.Navigate(d.URL+page))
			waitFor(t, admin, page+" shows", `document.querySelector(".kb-body > :not(.loading)") && !document.querySelector(".kb-list .loading, .kb-insights .loading")`)
			if w := eval[float64](t, admin, `document.documentElement.scrollWidth`); w > 375 {
				t.Errorf("%s is %v px wide on a 375 px phone", page, w)
			}
		}
		do(t, admin, chromedp.Navigate(d.URL+"/kb"))
		waitFor(t, admin, "the categories fold into a list", `document.querySelector(".kb-cat-select").offsetParent !== null && document.querySelector(".kb-cats").offsetParent === null`)
	})
}

// kbShop fills an account's knowledge base for the screenshots: three
// categories, articles in English, Bengali and Hindi in every state, an
// internal one, and a month of visits, votes and searches.
func kbShop(t *testing.T, d *dashboard, owner *apitest.User) {
	t.Helper()
	d.Must(t, owner.Token, http.MethodPatch, "/api/v1/account", map[string]any{"slug": "haat"}, http.StatusOK, nil)
	d.Must(t, owner.Token, http.MethodPut, "/api/v1/kb/settings", map[string]any{
		"title": "Haat Bazaar Help", "intro": map[string]string{"en": "How can we help?", "bn": "কীভাবে সাহায্য করতে পারি?", "hi": "हम कैसे मदद करें?"},
		"color": "#0f766e", "default_locale": "en", "locales": []string{"en", "bn", "hi"}, "enabled": true}, http.StatusOK, nil)
	cat := func(pos int, names map[string]string) int64 {
		var c struct{ ID int64 }
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/kb/categories", map[string]any{"names": names, "position": pos}, http.StatusCreated, &c)
		return c.ID
	}
	orders := cat(0, map[string]string{"en": "Orders and delivery", "bn": "অর্ডার ও ডেলিভারি", "hi": "ऑर्डर और डिलीवरी"})
	payments := cat(1, map[string]string{"en": "Payments and refunds", "bn": "পেমেন্ট ও রিফান্ড", "hi": "भुगतान और रिफ़ंड"})
	cat(2, map[string]string{"en": "Your account", "bn": "আপনার অ্যাকাউন্ট", "hi": "आपका खाता"})

	type text struct{ title, body, status string }
	add := func(category int64, internal bool, texts map[string]text) int64 {
		first := texts["en"]
		a := newArticle(t, d, owner.Token, map[string]any{"title": first.title, "body": first.body, "locale": "en", "status": first.status,
			"category_id": category, "internal": internal, "description": ""})
		for _, l := range []string{"bn", "hi"} {
			if tx, ok := texts[l]; ok {
				d.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/kb/articles/%d/translations/%s", a.ID, l),
					map[string]any{"title": tx.title, "body": tx.body, "status": tx.status}, http.StatusOK, nil)
			}
		}
		return a.ID
	}
	track := add(orders, false, map[string]text{
		"en": {"Where is my order?", "## Follow your parcel\n\nOpen **My orders**, choose the order and press **Track**. The map shows where the parcel is now.\n\n- Dhaka: 1–2 days\n- Elsewhere: 3–5 days", "published"},
		"bn": {"আমার অর্ডার কোথায়?", "## পার্সেল অনুসরণ করুন\n\n**আমার অর্ডার** খুলে অর্ডারটি বেছে **ট্র্যাক** চাপুন। মানচিত্রে পার্সেলটি এখন কোথায় তা দেখাবে।", "published"},
		"hi": {"मेरा ऑर्डर कहाँ है?", "## अपना पार्सल देखें\n\n**मेरे ऑर्डर** खोलें, ऑर्डर चुनें और **ट्रैक** दबाएँ।", "draft"},
	})
	change := add(orders, false, map[string]text{
		"en": {"Change the delivery address", "You can change the address until the parcel leaves the shop: open the order and press **Change address**.", "published"},
		"bn": {"ডেলিভারির ঠিকানা বদলান", "পার্সেল দোকান ছাড়ার আগ পর্যন্ত ঠিকানা বদলানো যায়।", "draft"},
	})
	refund := add(payments, false, map[string]text{
		"en": {"How refunds work", "Refunds reach your card or bKash account within **7 days** of our approval.", "published"},
		"bn": {"রিফান্ড কীভাবে হয়", "আমাদের অনুমোদনের **৭ দিনের** মধ্যে রিফান্ড আপনার কার্ড বা বিকাশ অ্যাকাউন্টে পৌঁছায়।", "published"},
		"hi": {"रिफ़ंड कैसे होता है", "हमारी मंज़ूरी के **7 दिनों** के भीतर रिफ़ंड आपके कार्ड में पहुँचता है।", "published"},
	})
	// A published English text with a newer draft.
	d.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/kb/articles/%d/translations/en", refund), map[string]any{
		"title": "How refunds work", "body": "Refunds reach your card, bKash or Nagad account within **7 days** of our approval.", "status": "draft"}, http.StatusOK, nil)
	add(payments, true, map[string]text{
		"en": {"Refund checklist for agents", "Check the **payment** in the gateway first.\n\n- Refund within 7 days\n- Write the reference in a private note", "published"},
		"bn": {"এজেন্টদের রিফান্ড চেকলিস্ট", "আগে গেটওয়েতে **পেমেন্ট** যাচাই করুন।\n\n- ৭ দিনের মধ্যে রিফান্ড\n- রেফারেন্স প্রাইভেট নোটে লিখুন", "published"},
		"hi": {"एजेंटों के लिए रिफ़ंड चेकलिस्ट", "पहले गेटवे में **भुगतान** जाँचें।\n\n- 7 दिनों में रिफ़ंड\n- रेफ़रेंस निजी नोट में लिखें", "published"},
	})
	add(0, false, map[string]text{"en": {"Opening hours during Eid", "We answer from 10:00 to 16:00 on the days of Eid.", "draft"}})

	kbReaders{
		views:    map[int64]int{track: 128, refund: 76, change: 31},
		votes:    map[int64][]bool{track: {true, true, true, true, false}, refund: {true, false, false}, change: {true, true}},
		searches: []string{"cash on delivery", "warranty", "warranty", "warranty", "gift card", "refund", "track order"},
	}.read(t, d, "haat")
}

// TestScreenshotsKB writes docs/screenshots/kb-*: the articles, the
// editor, the insights and the reply box's knowledge search, at 1280 and
// 375 pixels wide in English, Bengali and Hindi; the categories and the
// help center's settings in English.
//
//	SAHAY_SCREENSHOTS=1 go test ./internal/web -run TestScreenshotsKB
func TestScreenshotsKB(t *testing.T) {
	needBrowser(t, "SAHAY_SCREENSHOTS")
	d := startDashboard(t)
	owner := d.NewAccount(t, "Haat Bazaar")
	inbox := d.NewInbox(t, owner, "Shop", "api", nil, owner.ID)
	kbShop(t, d, owner)
	var list struct{ Items []kbArticle }
	d.Must(t, owner.Token, http.MethodGet, "/api/v1/kb/articles", nil, http.StatusOK, &list)
	var track int64
	for _, a := range list.Items {
		for _, tr := range a.Translations {
			if tr.Title == "Where is my order?" {
				track = a.ID
			}
		}
	}
	conv := receive(t, d, owner.Token, inbox.ID, "c-1", "Priya Verma", "I returned the shoes last week, when do I get my refund?", "m-1").Conversation

	out := filepath.Join("..", "..", "docs", "screenshots")
	browser := newBrowser(t)
	for _, lang := range []string{"en", "bn", "hi"} {
		d.Must(t, owner.Token, http.MethodPatch, "/api/v1/me", map[string]any{"locale": lang}, http.StatusOK, nil)
		ctx := newProfile(t, browser)
		login(t, ctx, d.URL, owner.Email, owner.Password)
		waitFor(t, ctx, "the interface speaks "+lang, fmt.Sprintf(`document.documentElement.lang === %q`, lang))
		for _, width := range []int64{1280, 375} {
			name := func(page string) string { return filepath.Join(out, fmt.Sprintf("%s-%s-%d.png", page, lang, width)) }
			if width < 500 {
				do(t, ctx, chromedp.EmulateViewport(width, 812, chromedp.EmulateMobile))
			} else {
				do(t, ctx, chromedp.EmulateViewport(width, 800))
			}
			do(t, ctx, chromedp.Navigate(d.URL+"/kb"))
			waitFor(t, ctx, "the articles are listed", `document.querySelectorAll(".kb-article").length === 5`)
			shoot(t, ctx, name("kb-articles"))
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/kb/articles/%d?locale=%s", d.URL, track, lang)))
			waitFor(t, ctx, "the editor shows its preview", `document.querySelector(".kb-preview h2")`)
			shoot(t, ctx, name("kb-editor"))
			do(t, ctx, chromedp.Navigate(d.URL+"/kb/insights"))
			waitFor(t, ctx, "the insights show", `document.querySelector("[data-table=no_result]")`)
			shoot(t, ctx, name("kb-insights"))
			if lang == "en" {
				do(t, ctx, chromedp.Navigate(d.URL+"/kb/categories"))
				waitFor(t, ctx, "the categories show", `document.querySelectorAll(".kb-category").length === 3`)
				shoot(t, ctx, name("kb-categories"))
				do(t, ctx, chromedp.Navigate(d.URL+"/kb/settings"))
				waitFor(t, ctx, "the settings show", `document.querySelector(".kb-public-url")`)
				shoot(t, ctx, name("kb-settings"))
			}
			do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/conversations/%d", d.URL, conv.ID)))
			waitFor(t, ctx, "the reply box shows", `document.querySelector(".composer .kb-knowledge-btn") && document.querySelector(".timeline .msg")`)
			eval[bool](t, ctx, `(document.querySelector(".composer .kb-knowledge-btn").click(), true)`)
			waitFor(t, ctx, "the search opens", `document.querySelector(".kb-knowledge-input")`)
			setField(t, ctx, ".kb-knowledge-input", map[string]string{"en": "refund", "bn": "রিফান্ড", "hi": "रिफ़ंड"}[lang])
			waitFor(t, ctx, "articles are found", `document.querySelectorAll(".kb-knowledge-hit").length >= 2`)
			shoot(t, ctx, name("kb-knowledge"))
			eval[bool](t, ctx, `(document.querySelector(".kb-knowledge-hit .kb-internal").closest("button").click(), true)`)
			waitFor(t, ctx, "the article is in the reply box", `document.querySelector(".composer-input").value.length > 20`)
			eval[bool](t, ctx, `(document.querySelector(".composer-input").value = "", document.querySelector(".composer-input").dispatchEvent(new Event("input", { bubbles: true })), true)`)
		}
	}
}
