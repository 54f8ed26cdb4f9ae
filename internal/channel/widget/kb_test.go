package widget

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// kbArticles are the ids of the help center [seedKB] writes.
type kbArticles struct {
	orders, returns, internal, draft int64
}

// seedKB turns the account's help center on and writes its articles:
// two public ones in English, Bengali and Hindi, one for the checkout
// pages; an internal one and a draft, on the same pages, that visitors
// must never read.
func seedKB(t *testing.T, e *env) kbArticles {
	t.Helper()
	ctx := context.Background()
	on := true
	if _, err := e.svc.SaveKBSettings(ctx, e.agent, core.KBSettingsInput{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	article := func(internal bool, pages []string, status string, tr map[string][2]string) int64 {
		t.Helper()
		var id int64
		for _, locale := range []string{"en", "bn", "hi"} {
			text, ok := tr[locale]
			if !ok {
				continue
			}
			in := core.TranslationInput{Title: &text[0], Body: &text[1], Status: &status}
			if id == 0 {
				art, err := e.svc.CreateKBArticle(ctx, e.agent, core.ArticleInput{Internal: &internal, Pages: &pages, Locale: &locale, TranslationInput: in})
				if err != nil {
					t.Fatal(err)
				}
				id = art.ID
			} else if _, err := e.svc.SaveKBTranslation(ctx, e.agent, id, locale, in); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	// A picture wider than the widget, as articles have.
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 1200, 360))
	for x := range 1200 {
		for y := range 360 {
			img.Set(x, y, color.RGBA{R: uint8(15 + x/10), G: uint8(110 + y/6), B: 79, A: 255})
		}
	}
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	link, _, err := e.svc.KBUpload(ctx, e.agent, "parcel.png", "image/png", &pic)
	if err != nil {
		t.Fatal(err)
	}
	var a kbArticles
	a.orders = article(false, []string{"/orders*"}, "published", map[string][2]string{
		"en": {"Track your order", "Open **My orders** and choose the order to see where your parcel is.\n\n![A parcel on its way](" + link + ")\n\n## When it ships\n\n- Paid orders ship within a day\n- You get an SMS when it leaves\n\nThe [courier's page](https://courier.example.com/track) shows the parcel on its way."},
		"bn": {"আপনার অর্ডার ট্র্যাক করুন", "**আমার অর্ডার** খুলে অর্ডারটি বেছে নিন, পার্সেল কোথায় আছে দেখতে পাবেন।\n\n![পথে থাকা পার্সেল](" + link + ")\n\n## কখন পাঠানো হয়\n\n- মূল্য পরিশোধের এক দিনের মধ্যে অর্ডার পাঠানো হয়\n- পার্সেল রওনা হলে আপনি একটি এসএমএস পাবেন\n\n[কুরিয়ারের পাতায়](https://courier.example.com/track) পার্সেলটি পথে কোথায় আছে দেখা যায়।"},
		"hi": {"अपना ऑर्डर ट्रैक करें", "**मेरे ऑर्डर** खोलें और ऑर्डर चुनें, आपका पार्सल कहाँ है दिख जाएगा।\n\n![रास्ते में पार्सल](" + link + ")\n\n## कब भेजा जाता है\n\n- भुगतान के एक दिन के भीतर ऑर्डर भेजा जाता है\n- पार्सल निकलने पर आपको एसएमएस मिलेगा\n\n[कूरियर के पेज](https://courier.example.com/track) पर पार्सल रास्ते में कहाँ है, दिखता है।"},
	})
	a.returns = article(false, []string{"/checkout*", "/cart"}, "published", map[string][2]string{
		"en": {"Returns and refunds", "You can return an item within 7 days. The refund reaches your bKash or card in 3 to 5 working days."},
		"bn": {"পণ্য ফেরত ও টাকা ফেরত", "৭ দিনের মধ্যে পণ্য ফেরত দিতে পারবেন। টাকা ফেরত ৩ থেকে ৫ কার্যদিবসে আপনার বিকাশ বা কার্ডে পৌঁছাবে।"},
		"hi": {"वापसी और रिफंड", "आप 7 दिनों के भीतर सामान वापस कर सकते हैं। रिफंड 3 से 5 कार्यदिवस में आपके कार्ड में पहुँच जाएगा।"},
	})
	a.internal = article(true, []string{"/checkout*"}, "published", map[string][2]string{
		"en": {"Refund approval for agents", "Approve a refund over 5000 taka only with a team lead. Internal refund codes are in the sheet."},
		"bn": {"এজেন্টদের জন্য টাকা ফেরত অনুমোদন", "৫০০০ টাকার বেশি টাকা ফেরত শুধু টিম লিডের অনুমতিতে।"},
	})
	a.draft = article(false, []string{"/checkout*"}, "draft", map[string][2]string{
		"en": {"Delivery charges", "Delivery inside Dhaka costs 60 taka; refund of delivery charges is not possible."},
		"bn": {"ডেলিভারি চার্জ", "ঢাকার ভেতরে ডেলিভারি ৬০ টাকা।"},
	})
	return a
}

type suggestAnswer struct {
	Items   []kbSuggestion `json:"items"`
	Enabled bool           `json:"enabled"`
}

type searchAnswer struct {
	Items []kbHit `json:"items"`
}

func TestKBSuggestSearchAndRead(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	a := seedKB(t, e)
	v := e.session(SessionRequest{})

	suggest := func(page, locale string) suggestAnswer {
		t.Helper()
		var out suggestAnswer
		if code, ecode := e.call("GET", "/widget/v1/kb/suggest?url="+url.QueryEscape(page)+"&locale="+locale, v.Token, nil, &out); code != 200 {
			t.Fatalf("suggest %s: %d %s", page, code, ecode)
		}
		return out
	}
	// The checkout page suggests its public article, in Bengali; not
	// the internal one nor the draft on the same pages.
	got := suggest("https://shop.example.com/checkout/payment?step=2", "bn")
	if !got.Enabled || len(got.Items) != 1 || got.Items[0].ArticleID != a.returns || got.Items[0].Title != "পণ্য ফেরত ও টাকা ফেরত" || got.Items[0].Locale != "bn" ||
		!strings.Contains(got.Items[0].Description, "৭ দিনের মধ্যে") {
		t.Fatalf("suggestions for the checkout page: %+v", got)
	}
	// A page no article names: the public articles, most viewed first.
	for range 2 {
		if code, ecode := e.call("GET", "/widget/v1/kb/articles/"+strconv.FormatInt(a.orders, 10)+"?locale=en", v.Token, nil, nil); code != 200 {
			t.Fatalf("read: %d %s", code, ecode)
		}
	}
	if err := e.svc.FlushKBStats(context.Background()); err != nil {
		t.Fatal(err)
	}
	got = suggest("https://shop.example.com/about", "hi-IN")
	if !got.Enabled || len(got.Items) != 2 || got.Items[0].ArticleID != a.orders || got.Items[0].Title != "अपना ऑर्डर ट्रैक करें" || got.Items[1].ArticleID != a.returns {
		t.Fatalf("suggestions for another page: %+v", got)
	}
	// A locale the help center has not falls back to its default.
	if got = suggest("/cart", "fr"); len(got.Items) != 1 || got.Items[0].Title != "Returns and refunds" {
		t.Fatalf("suggestions in French: %+v", got)
	}

	search := func(q, locale string) []kbHit {
		t.Helper()
		var out searchAnswer
		if code, ecode := e.call("GET", "/widget/v1/kb/search?q="+url.QueryEscape(q)+"&locale="+locale, v.Token, nil, &out); code != 200 {
			t.Fatalf("search %q: %d %s", q, code, ecode)
		}
		return out.Items
	}
	for _, c := range []struct {
		q, locale, title string
		id               int64
	}{
		{"টাকা ফেরত", "bn", "পণ্য ফেরত ও টাকা ফেরত", a.returns},
		{"অর্ডার", "bn", "আপনার অর্ডার ট্র্যাক করুন", a.orders},
		{"रिफंड", "hi", "वापसी और रिफंड", a.returns},
		{"ऑर्डर ट्रैक", "hi", "अपना ऑर्डर ट्रैक करें", a.orders},
		{"refund", "en", "Returns and refunds", a.returns},
	} {
		hits := search(c.q, c.locale)
		if len(hits) != 1 || hits[0].ArticleID != c.id || hits[0].Title != c.title || !strings.Contains(hits[0].Snippet, "<mark>") {
			t.Errorf("search %q: %+v, want only %q", c.q, hits, c.title)
			continue
		}
		if want := "/hc/" + strings.Split(hits[0].URL, "/")[2] + "/" + c.locale + "/articles/" + strconv.FormatInt(c.id, 10) + "-"; !strings.HasPrefix(hits[0].URL, want) {
			t.Errorf("search %q: url %s, want %s…", c.q, hits[0].URL, want)
		}
	}
	// Words only the internal article and the draft hold find nothing.
	for _, q := range []string{"approval", "অনুমোদন", "Delivery charges", "ডেলিভারি"} {
		if hits := search(q, "en"); len(hits) != 0 {
			t.Errorf("search %q: %+v, want nothing", q, hits)
		}
	}
	if hits := search("  ", "en"); len(hits) != 0 {
		t.Errorf("an empty search: %+v", hits)
	}

	// An article in the visitor's locale, with its address on the help
	// center.
	var art kbArticle
	if code, ecode := e.call("GET", "/widget/v1/kb/articles/"+strconv.FormatInt(a.orders, 10)+"?locale=bn", v.Token, nil, &art); code != 200 {
		t.Fatalf("read in Bengali: %d %s", code, ecode)
	}
	if art.Locale != "bn" || art.Title != "আপনার অর্ডার ট্র্যাক করুন" || !strings.Contains(art.HTML, "<strong>আমার অর্ডার</strong>") ||
		!strings.HasPrefix(art.URL, "/hc/") || !strings.Contains(art.URL, "/bn/articles/"+strconv.FormatInt(a.orders, 10)+"-") {
		t.Fatalf("the article: %+v", art)
	}
	// Internal, draft and missing articles are not found.
	for _, id := range []int64{a.internal, a.draft, a.draft + 100} {
		if code, ecode := e.call("GET", "/widget/v1/kb/articles/"+strconv.FormatInt(id, 10)+"?locale=en", v.Token, nil, nil); code != 404 || ecode != "not_found" {
			t.Errorf("article %d: %d %s, want 404", id, code, ecode)
		}
	}
}

func TestKBPublicURL(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	a := seedKB(t, e)
	e.widget.cfg.PublicURL = "https://support.example.com"
	v := e.session(SessionRequest{})
	var art kbArticle
	if code, ecode := e.call("GET", "/widget/v1/kb/articles/"+strconv.FormatInt(a.returns, 10)+"?locale=hi", v.Token, nil, &art); code != 200 {
		t.Fatalf("read: %d %s", code, ecode)
	}
	if !strings.HasPrefix(art.URL, "https://support.example.com/hc/") || !strings.Contains(art.URL, "/hi/articles/") {
		t.Fatalf("url = %s, want the help center's page on the public URL", art.URL)
	}

	// On its own domain, the help center's address is there.
	domain := "help.nakshi.example"
	if _, err := e.svc.SaveKBSettings(context.Background(), e.agent, core.KBSettingsInput{Domain: &domain}); err != nil {
		t.Fatal(err)
	}
	if code, ecode := e.call("GET", "/widget/v1/kb/articles/"+strconv.FormatInt(a.returns, 10)+"?locale=hi", v.Token, nil, &art); code != 200 {
		t.Fatalf("read: %d %s", code, ecode)
	}
	if want := "https://help.nakshi.example/hi/articles/" + strconv.FormatInt(a.returns, 10) + "-"; !strings.HasPrefix(art.URL, want) {
		t.Fatalf("url = %s, want %s…", art.URL, want)
	}
	var found searchAnswer
	if e.call("GET", "/widget/v1/kb/search?q=refund&locale=en", v.Token, nil, &found); len(found.Items) != 1 || !strings.HasPrefix(found.Items[0].URL, "https://help.nakshi.example/en/articles/") {
		t.Fatalf("search on the domain: %+v", found)
	}
}

// TestKBFeedbackCounts runs on both databases: the counts are written
// by one upsert per article and day.
func TestKBFeedbackCounts(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnvOn(t, open(t), `{}`, Limits{})
		a := seedKB(t, e)
		v := e.session(SessionRequest{})
		ctx := context.Background()
		path := "/widget/v1/kb/articles/" + strconv.FormatInt(a.returns, 10)
		if code, ecode := e.call("GET", path+"?locale=bn", v.Token, nil, nil); code != 200 {
			t.Fatalf("read: %d %s", code, ecode)
		}
		if code, ecode := e.call("POST", path+"/feedback", v.Token, map[string]any{"helpful": true, "locale": "bn"}, nil); code != 204 {
			t.Fatalf("helpful: %d %s", code, ecode)
		}
		// Another visitor, reading in Hindi, was not helped.
		other := e.session(SessionRequest{})
		if code, ecode := e.call("POST", path+"/feedback", other.Token, map[string]any{"helpful": false, "locale": "hi"}, nil); code != 204 {
			t.Fatalf("not helpful: %d %s", code, ecode)
		}
		// A visitor's second answer is taken, and not counted.
		for _, helpful := range []bool{true, false} {
			if code, ecode := e.call("POST", path+"/feedback", v.Token, map[string]any{"helpful": helpful, "locale": "bn"}, nil); code != 204 {
				t.Fatalf("answering again: %d %s", code, ecode)
			}
		}

		// Bad input is refused and counts nothing.
		for _, c := range []struct {
			method, path string
			body         any
			status       int
		}{
			{"POST", path + "/feedback", map[string]any{"locale": "bn"}, 422},
			{"POST", path + "/feedback", map[string]any{"helpful": "yes", "locale": "bn"}, 400},
			{"POST", path + "/feedback", []byte(`{"helpful":true,`), 400},
			{"POST", path + "/feedback", map[string]any{"helpful": true, "locale": "fr"}, 422},
			{"POST", path + "/feedback", map[string]any{"helpful": true, "locale": "<b>"}, 422},
			{"POST", path + "/feedback", map[string]any{"helpful": true}, 422},
			{"POST", "/widget/v1/kb/articles/" + strconv.FormatInt(a.internal, 10) + "/feedback", map[string]any{"helpful": true, "locale": "en"}, 404},
			{"POST", "/widget/v1/kb/articles/" + strconv.FormatInt(a.draft, 10) + "/feedback", map[string]any{"helpful": true, "locale": "en"}, 404},
			{"POST", "/widget/v1/kb/articles/abc/feedback", map[string]any{"helpful": true, "locale": "en"}, 404},
			{"GET", "/widget/v1/kb/articles/-4?locale=en", nil, 404},
			{"GET", path + "?locale=" + url.QueryEscape("en\n"), nil, 422},
			{"GET", "/widget/v1/kb/search?q=" + strings.Repeat("ফ", maxKBQueryChars+1), nil, 422},
			{"GET", "/widget/v1/kb/search?q=refund&locale=" + strings.Repeat("x", 40), nil, 422},
			{"GET", "/widget/v1/kb/suggest?url=/" + strings.Repeat("a", maxPageURLBytes), nil, 422},
		} {
			if code, _ := e.call(c.method, c.path, v.Token, c.body, nil); code != c.status {
				t.Errorf("%s %.80s %v: %d, want %d", c.method, c.path, c.body, code, c.status)
			}
		}
		// No visitor token, no answer.
		if code, _ := e.call("POST", path+"/feedback", "", map[string]any{"helpful": true, "locale": "bn"}, nil); code != 401 {
			t.Errorf("feedback without a token: %d, want 401", code)
		}

		if err := e.svc.FlushKBStats(ctx); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.KBReport(ctx, e.agent, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if r.Views != 1 || r.Helpful != 1 || r.NotHelpful != 1 || len(r.Helpfulness) != 1 || r.Helpfulness[0].ArticleID != a.returns {
			t.Fatalf("report: views %d, helpful %d, not helpful %d, %+v", r.Views, r.Helpful, r.NotHelpful, r.Helpfulness)
		}
	})
}

func TestKBOffOrEmpty(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	v := e.session(SessionRequest{})
	ctx := context.Background()
	check := func(what string) {
		t.Helper()
		var out suggestAnswer
		if code, ecode := e.call("GET", "/widget/v1/kb/suggest?url=/checkout&locale=en", v.Token, nil, &out); code != 200 || out.Enabled || len(out.Items) != 0 {
			t.Fatalf("%s: suggest %d %s %+v, want not enabled", what, code, ecode, out)
		}
	}
	// A help center is on until turned off, and empty until written.
	check("no articles")
	var found searchAnswer
	if code, _ := e.call("GET", "/widget/v1/kb/search?q=refund", v.Token, nil, &found); code != 200 || len(found.Items) != 0 {
		t.Errorf("search without articles: %d %+v, want nothing", code, found)
	}

	// Nothing public: an internal article and a draft.
	for _, c := range []struct {
		internal bool
		status   string
	}{{true, "published"}, {false, "draft"}} {
		title, body, pages := "Refunds", "How refunds work.", []string{"/checkout*"}
		if _, err := e.svc.CreateKBArticle(ctx, e.agent, core.ArticleInput{Internal: &c.internal, Pages: &pages,
			TranslationInput: core.TranslationInput{Title: &title, Body: &body, Status: &c.status}}); err != nil {
			t.Fatal(err)
		}
	}
	check("only internal and draft articles")

	// Published and then turned off.
	seedKB(t, e)
	var out suggestAnswer
	if e.call("GET", "/widget/v1/kb/suggest?url=/checkout&locale=en", v.Token, nil, &out); !out.Enabled {
		t.Fatal("the help center with articles is not enabled")
	}
	off := false
	if _, err := e.svc.SaveKBSettings(ctx, e.agent, core.KBSettingsInput{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	check("turned off")
	if code, _ := e.call("GET", "/widget/v1/kb/search?q=refund", v.Token, nil, nil); code != 404 {
		t.Errorf("search in a help center turned off: %d, want 404", code)
	}
	if code, _ := e.call("GET", "/widget/v1/kb/articles/1", v.Token, nil, nil); code != 404 {
		t.Errorf("an article of a help center turned off: %d, want 404", code)
	}
}

func TestKBRateLimited(t *testing.T) {
	e := newEnv(t, `{}`, Limits{ReadsPerVisitor: ratelimit.Rate{Burst: 3, Every: time.Hour}, WritesPerVisitor: ratelimit.Rate{Burst: 2, Every: time.Hour}})
	a := seedKB(t, e)
	v := e.session(SessionRequest{})
	ctx := context.Background()
	for i, p := range []string{"/widget/v1/kb/suggest?url=/", "/widget/v1/kb/search?q=refund", "/widget/v1/kb/articles/" + strconv.FormatInt(a.orders, 10)} {
		if code, _ := e.call("GET", p, v.Token, nil, nil); code != 200 {
			t.Fatalf("read %d: %d", i, code)
		}
	}
	for _, p := range []string{"/widget/v1/kb/suggest?url=/", "/widget/v1/kb/search?q=refund", "/widget/v1/kb/articles/" + strconv.FormatInt(a.orders, 10)} {
		if code, ecode := e.call("GET", p, v.Token, nil, nil); code != 429 || ecode != "rate_limited" {
			t.Errorf("%s over the limit: %d %s, want 429", p, code, ecode)
		}
	}
	for i, id := range []int64{a.orders, a.returns, a.orders} {
		code, _ := e.call("POST", "/widget/v1/kb/articles/"+strconv.FormatInt(id, 10)+"/feedback", v.Token, map[string]any{"helpful": true, "locale": "en"}, nil)
		if want := map[bool]int{true: 204, false: 429}[i < 2]; code != want {
			t.Errorf("feedback %d: %d, want %d", i, code, want)
		}
	}
	if err := e.svc.FlushKBStats(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.KBReport(ctx, e.agent, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Views != 1 || r.Helpful != 2 {
		t.Fatalf("report: %d views, %d helpful; want the refused requests not counted", r.Views, r.Helpful)
	}
}

func TestKBAllowedDomains(t *testing.T) {
	e := newEnv(t, `{"allowed_domains":["shop.example.com"]}`, Limits{})
	a := seedKB(t, e)
	var s SessionResponse
	if code, ecode := e.call("POST", "/widget/v1/session", "", SessionRequest{Inbox: e.token}, &s, "Origin", "https://shop.example.com"); code != 200 {
		t.Fatalf("session: %d %s", code, ecode)
	}
	article := "/widget/v1/kb/articles/" + strconv.FormatInt(a.orders, 10)
	for _, origin := range []string{"https://evil.example.net", ""} {
		for _, path := range []string{"/widget/v1/kb/suggest?url=/", "/widget/v1/kb/search?q=order", article} {
			if code, ecode := e.call("GET", path, s.Token, nil, nil, "Origin", origin); code != 403 || ecode != "forbidden" {
				t.Errorf("%s from %q: %d %s, want 403", path, origin, code, ecode)
			}
		}
		if code, _ := e.call("POST", article+"/feedback", s.Token, map[string]any{"helpful": true, "locale": "en"}, nil, "Origin", origin); code != 403 {
			t.Errorf("feedback from %q: %d, want 403", origin, code)
		}
	}
	var got suggestAnswer
	if code, ecode := e.call("GET", "/widget/v1/kb/suggest?url=/orders/42", s.Token, nil, &got, "Origin", "https://shop.example.com"); code != 200 || len(got.Items) != 1 || got.Items[0].ArticleID != a.orders {
		t.Fatalf("suggest from the shop: %d %s %+v", code, ecode, got)
	}
}

// TestKBTypedSearchCountsOnce: the widget searches as the visitor types;
// the words on the way to a search do not count, the search does, and a
// new search after it counts on its own.
func TestKBTypedSearchCountsOnce(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	seedKB(t, e)
	v, w := e.session(SessionRequest{}), e.session(SessionRequest{})
	for _, step := range []struct {
		token, q string
	}{{v.Token, "re"}, {v.Token, "ref"}, {w.Token, "ref"}, {v.Token, "refu"}, {v.Token, "refund"}, {w.Token, "refunx"},
		{v.Token, "refun"}, {v.Token, "refund"}, {v.Token, "xylophone"}, {v.Token, "xylophone tuning"}} {
		if code, ecode := e.call("GET", "/widget/v1/kb/search?q="+url.QueryEscape(step.q)+"&locale=en", step.token, nil, nil); code != 200 {
			t.Fatalf("search %q: %d %s", step.q, code, ecode)
		}
	}
	ctx := context.Background()
	if err := e.svc.FlushKBStats(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.KBReport(ctx, e.agent, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// v searched "refund" and "xylophone tuning", w "refunx".
	var missed []string
	for _, q := range r.NoResult {
		missed = append(missed, fmt.Sprintf("%s×%d", q.Query, q.Count))
	}
	if r.Searches != 3 || strings.Join(missed, " ") != "refunx×1 xylophone tuning×1" && strings.Join(missed, " ") != "xylophone tuning×1 refunx×1" {
		t.Fatalf("searches %d, with no result %v", r.Searches, missed)
	}
}
