package helpcenter_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestHelpCenterLanguages reads an article published in English alone in
// Bengali and Hindi: the English text with a note in the reader's
// language, canonical to the English address; and the home's language
// from ?lang=, then Accept-Language, then the default.
func TestHelpCenterLanguages(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := newDesk(t)
		a := d.publish(t, "en", "Change your address", "Open **Settings** and edit the address.", nil)
		base := "/hc/" + d.slug
		origin := d.App.Config.PublicURL
		en := a.url("en")

		for _, c := range []struct{ lang, note string }{
			{"bn", "এই নিবন্ধটি এখনো বাংলা ভাষায় পাওয়া যাচ্ছে না; English ভাষায় দেখানো হচ্ছে।"},
			{"hi", "यह लेख अभी हिन्दी में उपलब्ध नहीं है; English में दिखाया जा रहा है।"},
		} {
			path := fmt.Sprintf("%s/%s/articles/%d-change-your-address", base, c.lang, a.ID)
			p := d.get(t, path)
			if p.status != http.StatusOK {
				t.Fatalf("%s: %d", path, p.status)
			}
			if p.one(t, "html", "lang") != c.lang || p.one(t, "h1", "lang") != "en" || p.one(t, "div", "lang", "class", "body") != "en" {
				t.Errorf("%s: the page is not in %s around English text:\n%s", c.lang, c.lang, p.body)
			}
			if got := p.texts("p", "role", "note"); !slices.Equal(got, []string{c.note}) {
				t.Errorf("%s: note %q, want %q", c.lang, got, c.note)
			}
			if got := p.one(t, "link", "href", "rel", "canonical"); got != origin+en {
				t.Errorf("%s: canonical %q, want the English address %q", c.lang, got, origin+en)
			}
			if alts := p.hreflangs(); len(alts) != 2 || alts["en"] != origin+en {
				t.Errorf("%s: alternates %v, want English and x-default", c.lang, alts)
			}
			// The feedback form posts for the translation shown.
			if got := p.one(t, "form", "action", "method", "post"); got != fmt.Sprintf("%s/en/articles/%d/feedback", base, a.ID) {
				t.Errorf("%s: feedback posts to %q", c.lang, got)
			}
		}
		// An English page has no note.
		if p := d.get(t, en); len(p.all("p", "role", "note")) != 0 {
			t.Errorf("the English page has a note")
		}
		// A language the help center does not have is not a page.
		if p := d.get(t, fmt.Sprintf("%s/ta/articles/%d-change-your-address", base, a.ID)); p.status != http.StatusNotFound {
			t.Errorf("Tamil: %d", p.status)
		}

		// The home negotiates.
		for _, c := range []struct {
			query, accept, want string
		}{
			{"", "", "en"},
			{"", "bn-BD,bn;q=0.9,en;q=0.8", "bn"},
			{"", "fr-FR, hi;q=0.7", "hi"},
			{"", "fr", "en"},
			{"?lang=hi", "bn", "hi"},
			{"?lang=xx", "bn", "bn"},
		} {
			p := d.get(t, base+c.query, "Accept-Language", c.accept)
			if got := p.one(t, "html", "lang"); got != c.want {
				t.Errorf("home%s with Accept-Language %q: %s, want %s", c.query, c.accept, got, c.want)
			}
			if !strings.Contains(p.header.Get("Vary"), "Accept-Language") {
				t.Errorf("home%s: Vary %q", c.query, p.header.Get("Vary"))
			}
		}
		// The UI speaks the page's language; an unknown one reads English.
		d.settings(t, map[string]any{"locales": []string{"en", "bn", "hi", "ta"}})
		if p := d.get(t, base+"/hi"); !slices.Contains(p.texts("button"), "खोजें") {
			t.Errorf("the Hindi home's search button: %v", p.texts("button"))
		}
		if p := d.get(t, base+"/ta"); p.status != http.StatusOK || p.one(t, "html", "lang") != "ta" || !slices.Contains(p.texts("button"), "Search") {
			t.Errorf("the Tamil home: %d %v", p.status, p.texts("button"))
		}
	})
}
