package kb

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// mustLoadArticles reads testdata/articles.txt into docs, the way core
// builds them from published translations.
func mustLoadArticles(t testing.TB) []Doc {
	t.Helper()
	raw, err := os.ReadFile("testdata/articles.txt")
	if err != nil {
		t.Fatal(err)
	}
	var docs []Doc
	for _, part := range strings.Split(string(raw), "\n=== ")[1:] {
		head, rest, _ := strings.Cut(part, "\n")
		fields := strings.Fields(head)
		id, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			t.Fatalf("article %q: %v", head, err)
		}
		d := Doc{ArticleID: id, Locale: fields[1]}
		for _, f := range fields[2:] {
			switch {
			case f == "internal":
				d.Internal = true
			case strings.HasPrefix(f, "views="):
				d.Views, _ = strconv.ParseInt(strings.TrimPrefix(f, "views="), 10, 64)
			}
		}
		meta, body, _ := strings.Cut(rest, "\n\n")
		for _, line := range strings.Split(meta, "\n") {
			key, value, _ := strings.Cut(line, ": ")
			switch key {
			case "title":
				d.Title = value
			case "description":
				d.Description = value
			}
		}
		if d.Title == "" || strings.TrimSpace(body) == "" {
			t.Fatalf("article %q has no title or body", head)
		}
		d.Text = Text(body)
		docs = append(docs, d)
	}
	return docs
}

func TestSearch(t *testing.T) {
	ix := NewIndex(mustLoadArticles(t))
	tests := []struct {
		name, query, locale string
		wantID              int64
		wantLocale          string
	}{
		{"english", "track my order", "en", 1, "en"},
		{"english plural", "refunds", "en", 3, "en"},
		{"english verb form", "cancelling an order", "en", 2, "en"},
		{"english several words", "how long does a refund take with bkash", "en", 4, "en"},
		{"english description match", "shipping cost", "en", 6, "en"},
		{"english body match", "courier picks up", "en", 1, "en"},
		{"english passwords", "forgot my password", "en", 14, "en"},
		{"english past tense", "money deducted payment failed", "en", 12, "en"},
		{"english upi", "upi payment", "en", 9, "en"},
		{"english card declined", "card declined", "en", 10, "en"},
		{"english damaged", "damaged item", "en", 18, "en"},
		{"english coupon", "promo codes", "en", 20, "en"},
		{"english table cell", "nagad refund days", "en", 4, "en"},
		{"typing a prefix", "passw", "en", 14, "en"},
		{"typing the last word", "cash on deliv", "en", 11, "en"},
		{"typing inv", "inv", "en", 22, "en"},
		{"mixed case", "BKASH Pay", "en", 8, "en"},

		{"bengali genitive", "ফেরতের আবেদন", "bn", 3, "bn"},
		{"bengali track", "অর্ডার ট্র্যাক", "bn", 1, "bn"},
		{"bengali determiner", "অর্ডারটি বাতিল", "bn", 2, "bn"},
		{"bengali locative", "বিকাশে পেমেন্ট", "bn", 8, "bn"},
		{"bengali genitive vowel", "ডেলিভারির সময়", "bn", 5, "bn"},
		{"bengali password", "পাসওয়ার্ড ভুলে গেছি", "bn", 14, "bn"},
		{"bengali cash on delivery", "ক্যাশ অন ডেলিভারি", "bn", 11, "bn"},
		{"bengali deducted", "টাকা কেটে নিয়েছে", "bn", 12, "bn"},
		{"bengali charge", "ডেলিভারি চার্জ কত", "bn", 6, "bn"},
		{"bengali only translation", "রকেট", "bn", 24, "bn"},
		{"bengali native digits", "৭ দিনের মধ্যে সাইজ", "bn", 19, "bn"},
		{"bengali query, english reader", "অর্ডারটি বাতিল", "en", 2, "bn"},

		{"hindi refund", "रिफंड की", "hi", 3, "hi"},
		{"hindi track", "ऑर्डर ट्रैक", "hi", 1, "hi"},
		{"hindi cancel", "ऑर्डर रद्द करना", "hi", 2, "hi"},
		{"hindi upi", "यूपीआई से भुगतान", "hi", 9, "hi"},
		{"hindi password", "पासवर्ड भूल गया", "hi", 14, "hi"},
		{"hindi address", "डिलीवरी का पता", "hi", 7, "hi"},
		{"hindi delete account", "खाता हटाना", "hi", 16, "hi"},
		{"hindi plural oblique", "किस्तों", "hi", 25, "hi"},
		{"hindi nukta typed without", "दरवाजे तक पार्सल", "hi", 1, "hi"},
		{"hindi warranty", "वारंटी का दावा", "hi", 30, "hi"},
		{"hindi query, bengali reader", "कूपन", "bn", 20, "hi"},

		{"same word, reader's locale wins", "bkash", "bn", 8, "bn"},
		{"same word, english reader", "bkash", "en", 8, "en"},
		{"regional locale tag", "bkash", "bn-BD", 8, "bn"},
		{"unknown word among known ones", "refund zebra", "en", 3, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Search(tt.query, SearchOptions{Locale: tt.locale})
			if len(hits) == 0 {
				t.Fatalf("Search(%q) found nothing, want article %d", tt.query, tt.wantID)
			}
			if got := hits[0]; got.ArticleID != tt.wantID || got.Locale != tt.wantLocale {
				t.Errorf("Search(%q, %s) top hit = %d %s %q, want %d %s\n%s",
					tt.query, tt.locale, got.ArticleID, got.Locale, got.Title, tt.wantID, tt.wantLocale, describe(hits))
			}
		})
	}
}

func describe(hits []Hit) string {
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "  %d %s %.3f %q\n", h.ArticleID, h.Locale, h.Score, h.Title)
	}
	return b.String()
}

func TestSearchFindsNothing(t *testing.T) {
	ix := NewIndex(mustLoadArticles(t))
	for _, q := range []string{"", "   ", "?!", "how do I", "the and of", "আমার কি", "मेरा क्या है", "zebra"} {
		if hits := ix.Search(q, SearchOptions{Locale: "en"}); hits == nil || len(hits) != 0 {
			t.Errorf("Search(%q) = %#v, want an empty slice", q, hits)
		}
	}
}

func TestSearchPrefixOnlyWhileTyping(t *testing.T) {
	ix := NewIndex(mustLoadArticles(t))
	tests := []struct {
		query string
		found bool
	}{
		{"passw", true},
		{"पासव", true},
		{"পাসও", true},
		// A space or punctuation ends the word: "passw" is what was meant.
		{"passw ", false},
		{"passw?", false},
		// Too short to stand for anything.
		{"pa", false},
		// Only the last word is read as a prefix.
		{"passw gift", false},
	}
	for _, tt := range tests {
		hits := ix.Search(tt.query, SearchOptions{})
		found := slices.ContainsFunc(hits, func(h Hit) bool { return h.ArticleID == 14 })
		if found != tt.found {
			t.Errorf("Search(%q) found the password article: %v, want %v\n%s", tt.query, found, tt.found, describe(hits))
		}
	}
}

// TestSearchConcurrently searches and renders from several goroutines,
// as the help center's handlers do; run with -race.
func TestSearchConcurrently(t *testing.T) {
	ix := NewIndex(mustLoadArticles(t))
	var wg sync.WaitGroup
	for _, q := range []string{"refund", "ফেরতের আবেদন", "रिफंड की", "passw"} {
		wg.Go(func() {
			for range 20 {
				if hits := ix.Search(q, SearchOptions{Locale: "en"}); len(hits) == 0 || hits[0].ArticleID != 3 && hits[0].ArticleID != 14 {
					t.Errorf("Search(%q) = %s while others searched", q, describe(hits))
					return
				}
				// Heading ids are numbered per article, never across them.
				if got := Render("# Refunds\n\n# Refunds"); !strings.Contains(got, `id="refunds-2"`) || strings.Contains(got, "refunds-3") {
					t.Errorf("Render while others rendered = %s", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSearchInternal(t *testing.T) {
	ix := NewIndex(mustLoadArticles(t))
	for _, q := range []string{"refund approval", "manual bkash refund", "ম্যানুয়াল রিফান্ড"} {
		for _, h := range ix.Search(q, SearchOptions{Limit: 50}) {
			if h.Internal || h.ArticleID == 27 || h.ArticleID == 28 {
				t.Errorf("public Search(%q) found internal article %d", q, h.ArticleID)
			}
		}
	}
	hits := ix.Search("refund approval", SearchOptions{Internal: true})
	if len(hits) == 0 || hits[0].ArticleID != 27 || !hits[0].Internal {
		t.Errorf("agent Search(refund approval) = %s, want internal article 27 first", describe(hits))
	}
}

func TestSearchOneHitPerArticle(t *testing.T) {
	ix := NewIndex(mustLoadArticles(t))
	for _, q := range []string{"order", "পেমেন্ট", "भुगतान", "pay"} {
		seen := map[int64]bool{}
		for _, h := range ix.Search(q, SearchOptions{Limit: 50, Internal: true}) {
			if seen[h.ArticleID] {
				t.Errorf("Search(%q) has article %d twice", q, h.ArticleID)
			}
			seen[h.ArticleID] = true
		}
		if len(seen) < 2 {
			t.Errorf("Search(%q) found %d articles, want several", q, len(seen))
		}
	}
}

func TestSearchAllWordsBeatSome(t *testing.T) {
	docs := []Doc{
		{ArticleID: 1, Locale: "en", Title: "Refunds", Description: "Refunds explained.", Text: "Refund, refund and refund."},
		{ArticleID: 2, Locale: "en", Title: "Payments", Text: "Most of this page is about paying. " +
			strings.Repeat("Paying is easy and quick. ", 20) + "A refund to a card takes a week."},
	}
	// Cards are common, so "card" weighs little against "refund".
	for i := range 20 {
		docs = append(docs, Doc{ArticleID: int64(10 + i), Locale: "en", Title: fmt.Sprintf("Card %d", i), Text: "Cards."})
	}
	hits := NewIndex(docs).Search("card refund", SearchOptions{})
	if len(hits) < 2 || hits[0].ArticleID != 2 || hits[1].ArticleID != 1 {
		t.Errorf("Search(card refund) = %s, want article 2 (both words) first, then 1", describe(hits))
	}
}

func TestSearchTiesGoToViews(t *testing.T) {
	ix := NewIndex([]Doc{
		{ArticleID: 1, Locale: "en", Title: "Delivery", Text: "Delivery areas.", Views: 5},
		{ArticleID: 2, Locale: "en", Title: "Delivery", Text: "Delivery areas.", Views: 50},
		{ArticleID: 3, Locale: "en", Title: "Delivery", Text: "Delivery areas.", Views: 10},
	})
	var got []int64
	for _, h := range ix.Search("delivery", SearchOptions{}) {
		got = append(got, h.ArticleID)
	}
	if fmt.Sprint(got) != "[2 3 1]" {
		t.Errorf("Search(delivery) = %v, want [2 3 1] (most viewed first)", got)
	}
}

func TestSearchLimit(t *testing.T) {
	var docs []Doc
	for i := range 80 {
		docs = append(docs, Doc{ArticleID: int64(i + 1), Locale: "en", Title: fmt.Sprintf("Order question %d", i), Text: "About orders."})
	}
	ix := NewIndex(docs)
	for _, tt := range []struct{ limit, want int }{{0, 10}, {3, 3}, {50, 50}, {500, 50}, {-1, 10}} {
		if got := len(ix.Search("order", SearchOptions{Limit: tt.limit})); got != tt.want {
			t.Errorf("Search with Limit %d gave %d hits, want %d", tt.limit, got, tt.want)
		}
	}
	if ix.Len() != 80 {
		t.Errorf("Len() = %d, want 80", ix.Len())
	}
}

func TestSearchLongQuery(t *testing.T) {
	ix := NewIndex(mustLoadArticles(t))
	words := strings.Repeat("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho ", 20)
	if got := ix.parse(words + "warranty"); len(got) > maxQueryTerms {
		t.Errorf("a long query has %d terms, want at most %d", len(got), maxQueryTerms)
	}
	// Words past the cap are not searched.
	if hits := ix.Search(words+"warranty", SearchOptions{}); len(hits) != 0 {
		t.Errorf("Search(long query) = %s, want nothing", describe(hits))
	}
}

var markTag = regexp.MustCompile(`</?mark>`)

func TestSearchSnippet(t *testing.T) {
	long := strings.Repeat("Some unrelated words about shoes and shirts. ", 12) +
		"Refunds to <b>cards</b> take 7 days & more. " + strings.Repeat("Other words follow here. ", 12)
	ix := NewIndex([]Doc{
		{ArticleID: 1, Locale: "en", Title: "Money back", Description: "When it arrives.", Text: long},
		{ArticleID: 2, Locale: "bn", Title: "টাকা ফেরত", Text: "কার্ডে টাকা ফেরতের সময় ৭ দিন।"},
		{ArticleID: 3, Locale: "en", Title: "Gift cards", Description: "Buy gift vouchers.", Text: "Sold in shops."},
	})
	tests := []struct {
		query, want string
		cut         bool // whether the snippet starts inside the text
	}{
		{"card refund", "shirts. <mark>Refunds</mark> to &lt;b&gt;<mark>cards</mark>&lt;/b&gt; take 7 days &amp; more.", true},
		{"ফেরতের", "কার্ডে টাকা <mark>ফেরতের</mark> সময় ৭ দিন।", false},
		{"voucher", "Buy gift <mark>vouchers</mark>.", false},
	}
	for _, tt := range tests {
		hits := ix.Search(tt.query, SearchOptions{})
		if len(hits) == 0 {
			t.Errorf("Search(%q) found nothing", tt.query)
			continue
		}
		s := hits[0].Snippet
		if !strings.Contains(s, tt.want) || strings.HasPrefix(s, "…") != tt.cut {
			t.Errorf("Search(%q) snippet = %q, want it to contain %q", tt.query, s, tt.want)
		}
		if n := utf8.RuneCountInString(markTag.ReplaceAllString(s, "")); n > 230 {
			t.Errorf("Search(%q) snippet has %d runes, want about 200", tt.query, n)
		}
	}
}

// BenchmarkKBSearch searches 2,000 generated translations the size of
// help articles in English, Bengali and Hindi.
func BenchmarkKBSearch(b *testing.B) {
	base := mustLoadArticles(b)
	var docs []Doc
	for i := range 2000 {
		d := base[i%len(base)]
		d.ArticleID = int64(i + 1)
		d.Title = fmt.Sprintf("%s %d", d.Title, i)
		d.Text = strings.Repeat(d.Text+"\n\n", 3)
		docs = append(docs, d)
	}
	ix := NewIndex(docs)
	queries := []string{"refund bkash", "ফেরতের আবেদন", "रिफंड की", "passw", "cash on delivery", "ডেলিভারির সময়"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix.Search(queries[i%len(queries)], SearchOptions{Locale: "en", Limit: 10})
	}
}
