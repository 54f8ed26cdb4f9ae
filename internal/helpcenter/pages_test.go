package helpcenter_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestHelpCenterPages publishes articles through the API and reads them
// as a visitor: the home with its categories and counts, a category, an
// article with its canonical address, alternates and Open Graph tags, the
// redirect of a wrong slug; drafts and internal articles are nowhere.
func TestHelpCenterPages(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := newDesk(t)
		orders := d.category(t, map[string]string{"en": "Orders", "bn": "অর্ডার", "hi": "ऑर्डर"})
		refund := d.publish(t, "en", "How refunds work", "Refunds reach your card in **5–7 days**.\n\n<script>alert(1)</script>",
			map[string]any{"category_id": orders, "description": "When and how your money comes back."})
		refund = d.translate(t, refund.ID, "bn", "রিফান্ড কীভাবে কাজ করে", "রিফান্ড ৫–৭ দিনের মধ্যে আপনার কার্ডে পৌঁছায়।", "published")
		track := d.publish(t, "en", "Track your order", "Open **My orders** and choose the order.", map[string]any{"category_id": orders})
		draft := d.publish(t, "en", "Secret sale", "Coming soon.", map[string]any{"status": "draft", "category_id": orders})
		internal := d.publish(t, "en", "Refund override for agents", "Use the admin tool.", map[string]any{"internal": true, "category_id": orders})
		base := "/hc/" + d.slug
		origin := d.App.Config.PublicURL

		// The home, in English by default.
		home := d.get(t, base)
		if home.status != http.StatusOK {
			t.Fatalf("home: %d %s", home.status, home.body)
		}
		if lang := home.one(t, "html", "lang"); lang != "en" {
			t.Errorf("home lang %q", lang)
		}
		if got := home.texts("title"); len(got) != 1 || got[0] != "Acme Help" {
			t.Errorf("home title %v", got)
		}
		cards := home.class("li", "card")
		if len(cards) != 1 || text(cards[0]) != "Orders How refunds work Track your order 2 articles →" {
			t.Errorf("home categories: %v", home.texts("li", "class", "card"))
		}
		if href := home.one(t, "a", "href", "class", "count"); href != fmt.Sprintf("%s/en/categories/%d-orders", base, orders) {
			t.Errorf("category link %q", href)
		}
		if action := home.one(t, "form", "action", "role", "search"); action != base+"/search" {
			t.Errorf("search form action %q", action)
		}
		if home.one(t, "link", "href", "rel", "canonical") != origin+base {
			t.Errorf("home canonical: %s", home.one(t, "link", "href", "rel", "canonical"))
		}
		alts := home.hreflangs()
		if alts["bn"] != origin+base+"/bn" || alts["x-default"] != origin+base || len(alts) != 4 {
			t.Errorf("home alternates %v", alts)
		}
		for _, leak := range []string{"Secret sale", "Refund override"} {
			if strings.Contains(home.body, leak) {
				t.Errorf("the home shows %q", leak)
			}
		}
		for _, h := range []string{"X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} {
			if home.header.Get(h) == "" {
				t.Errorf("home: no %s header", h)
			}
		}
		if csp := home.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") {
			t.Errorf("CSP %q allows scripts", csp)
		}

		// The home in Bengali, by path.
		bn := d.get(t, base+"/bn")
		if bn.one(t, "html", "lang") != "bn" || !strings.Contains(bn.body, "অর্ডার") || !strings.Contains(bn.body, "২টি নিবন্ধ") {
			t.Errorf("Bengali home:\n%s", bn.body)
		}
		if current := bn.texts("a", "aria-current", "true"); !slices.Equal(current, []string{"বাংলা"}) {
			t.Errorf("language switch current %v", current)
		}

		// The category lists its public published articles.
		cat := d.get(t, fmt.Sprintf("%s/en/categories/%d-orders", base, orders))
		if cat.status != http.StatusOK || !slices.Equal(cat.texts("h1"), []string{"Orders"}) {
			t.Fatalf("category: %d %v", cat.status, cat.texts("h1"))
		}
		if got := cat.texts("a", "href", "*"); !slices.Contains(got, "How refunds work") || !slices.Contains(got, "Track your order") ||
			slices.Contains(got, "Secret sale") || slices.Contains(got, "Refund override for agents") {
			t.Errorf("category lists %v", got)
		}
		if r := d.get(t, fmt.Sprintf("%s/en/categories/%d", base, orders)); r.status != http.StatusMovedPermanently ||
			r.header.Get("Location") != fmt.Sprintf("%s/en/categories/%d-orders", base, orders) {
			t.Errorf("category without slug: %d %q", r.status, r.header.Get("Location"))
		}

		// The article.
		url := refund.url("en")
		if url != fmt.Sprintf("%s/en/articles/%d-how-refunds-work", base, refund.ID) {
			t.Fatalf("the API gives the address %q", url)
		}
		art := d.get(t, url)
		if art.status != http.StatusOK {
			t.Fatalf("article: %d %s", art.status, art.body)
		}
		if got := art.texts("h1"); !slices.Equal(got, []string{"How refunds work"}) {
			t.Errorf("article h1 %v", got)
		}
		if got := art.texts("strong"); !slices.Contains(got, "5–7 days") {
			t.Errorf("the body is not rendered: %v", got)
		}
		if strings.Contains(art.body, "<script") {
			t.Errorf("the article page holds a script:\n%s", art.body)
		}
		if got := art.one(t, "meta", "content", "name", "description"); got != "When and how your money comes back." {
			t.Errorf("description %q", got)
		}
		if got := art.one(t, "meta", "content", "property", "og:title"); !strings.HasPrefix(got, "How refunds work") {
			t.Errorf("og:title %q", got)
		}
		if got := art.one(t, "link", "href", "rel", "canonical"); got != origin+url {
			t.Errorf("canonical %q, want %q", got, origin+url)
		}
		alts = art.hreflangs()
		bnURL := refund.url("bn")
		if len(alts) != 3 || alts["en"] != origin+url || unescape(t, alts["bn"]) != origin+bnURL || alts["x-default"] != origin+url {
			t.Errorf("article alternates %v", alts)
		}
		if got := art.texts("nav", "class", "langs"); len(got) != 1 || got[0] != "English বাংলা" {
			t.Errorf("the language switch lists %v, want the two translations", got)
		}
		crumbs := art.texts("nav", "class", "crumbs")
		if len(crumbs) != 1 || crumbs[0] != "Acme Help Orders How refunds work" {
			t.Errorf("breadcrumbs %v", crumbs)
		}
		if got := art.texts("button", "name", "helpful"); !slices.Equal(got, []string{"Yes", "No"}) {
			t.Errorf("feedback buttons %v", got)
		}
		if !strings.Contains(art.body, "Still need help?") {
			t.Error("no contact block")
		}

		// A wrong or missing slug redirects to the address.
		for _, wrong := range []string{fmt.Sprintf("%s/en/articles/%d", base, refund.ID), fmt.Sprintf("%s/en/articles/%d-old-title", base, refund.ID)} {
			r := d.get(t, wrong)
			if r.status != http.StatusMovedPermanently || r.header.Get("Location") != url {
				t.Errorf("%s: %d → %q, want 301 → %s", wrong, r.status, r.header.Get("Location"), url)
			}
		}
		// The Bengali translation at its own address, which the API gives
		// percent-encoded or not.
		bnArt := d.get(t, bnURL)
		if bnArt.status != http.StatusOK || bnArt.one(t, "html", "lang") != "bn" || len(bnArt.class("p", "note")) != 0 {
			t.Errorf("Bengali article: %d\n%s", bnArt.status, bnArt.body)
		}
		if got := bnArt.texts("h1"); !slices.Equal(got, []string{"রিফান্ড কীভাবে কাজ করে"}) {
			t.Errorf("Bengali h1 %v", got)
		}

		// Drafts, internal articles and made-up ids are 404 pages.
		for _, path := range []string{
			fmt.Sprintf("%s/en/articles/%d-secret-sale", base, draft.ID),
			fmt.Sprintf("%s/en/articles/%d-refund-override-for-agents", base, internal.ID),
			fmt.Sprintf("%s/en/articles/%d", base, internal.ID),
			base + "/en/articles/99999-nothing",
			base + "/en/articles/nothing",
			base + "/fr/articles/" + fmt.Sprint(track.ID),
			base + "/xx",
			base + "/en/nothing/here",
			"/hc/no-such-help-center",
		} {
			r := d.get(t, path)
			if r.status != http.StatusNotFound || len(r.all("meta", "name", "robots", "content", "noindex")) != 1 {
				t.Errorf("%s: %d, want the 404 page", path, r.status)
			}
		}

		// The sitemap lists every public published translation.
		sm := d.get(t, base+"/sitemap.xml")
		if sm.status != http.StatusOK || !strings.HasPrefix(sm.header.Get("Content-Type"), "application/xml") {
			t.Fatalf("sitemap: %d %s", sm.status, sm.body)
		}
		locs := sitemapLocs(t, sm.body)
		for _, want := range []string{origin + url, origin + fmt.Sprintf("%s/en/articles/%d-track-your-order", base, track.ID), origin + base + "/bn"} {
			if _, ok := locs[want]; !ok {
				t.Errorf("the sitemap lacks %s: %v", want, locs)
			}
		}
		for loc := range locs {
			if strings.Contains(loc, fmt.Sprintf("/%d-", draft.ID)) || strings.Contains(loc, fmt.Sprintf("/%d-", internal.ID)) {
				t.Errorf("the sitemap lists %s", loc)
			}
		}
		if got := locs[origin+url]; got.lastmod == "" || len(got.alternates) != 3 || got.alternates["x-default"] != origin+url {
			t.Errorf("the sitemap's entry of the article: %+v", got)
		}
		if n := len(locs); n != 3+3 {
			t.Errorf("the sitemap has %d addresses, want 3 homes and 3 translations: %v", n, locs)
		}

		// Pages are compressed and revalidated.
		if r := d.get(t, url, "Accept-Encoding", "gzip"); r.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("the article is not compressed: %v", r.header)
		}
		etag := art.header.Get("ETag")
		if r := d.get(t, url, "If-None-Match", etag); etag == "" || r.status != http.StatusNotModified {
			t.Errorf("If-None-Match %q: %d", etag, r.status)
		}

		// A help center turned off is not there.
		d.settings(t, map[string]any{"enabled": false})
		for _, path := range []string{base, url, base + "/sitemap.xml", base + "/search?q=refund", "/hc", "/hc/"} {
			if r := d.get(t, path); r.status != http.StatusNotFound {
				t.Errorf("turned off, %s: %d", path, r.status)
			}
		}
	})
}

type sitemapEntry struct {
	lastmod    string
	alternates map[string]string
}

func sitemapLocs(t *testing.T, body string) map[string]sitemapEntry {
	t.Helper()
	var set struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
			Links   []struct {
				HrefLang string `xml:"hreflang,attr"`
				Href     string `xml:"href,attr"`
			} `xml:"http://www.w3.org/1999/xhtml link"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(body), &set); err != nil {
		t.Fatalf("sitemap: %v\n%s", err, body)
	}
	out := map[string]sitemapEntry{}
	for _, u := range set.URLs {
		e := sitemapEntry{lastmod: u.LastMod, alternates: map[string]string{}}
		for _, l := range u.Links {
			e.alternates[l.HrefLang] = l.Href
		}
		out[u.Loc] = e
	}
	return out
}
