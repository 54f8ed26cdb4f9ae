package helpcenter_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestHelpCenterSearch searches in English, Bengali and Hindi through
// /hc/{slug}/search: the most relevant article first, its snippet's
// matches marked, the page kept out of search engines; drafts and
// internal articles are never found; a query too long is refused.
func TestHelpCenterSearch(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := newDesk(t)
		refund := d.publish(t, "en", "Refunds to your card", "A refund reaches your card in 5–7 working days after we receive the parcel.", nil)
		d.translate(t, refund.ID, "bn", "কার্ডে রিফান্ড", "পার্সেল পাওয়ার পর ৫–৭ কর্মদিবসের মধ্যে রিফান্ড আপনার কার্ডে পৌঁছায়।", "published")
		d.translate(t, refund.ID, "hi", "कार्ड पर रिफ़ंड", "पार्सल मिलने के 5–7 कामकाजी दिनों में रिफ़ंड आपके कार्ड में पहुँच जाता है।", "published")
		delivery := d.publish(t, "en", "Delivery times", "Delivery takes two days in Dhaka and four days elsewhere. The courier calls before delivery.", nil)
		d.translate(t, delivery.ID, "bn", "ডেলিভারির সময়", "ঢাকায় ডেলিভারি হতে দুই দিন লাগে, অন্য জেলায় চার দিন। ডেলিভারির আগে কুরিয়ার ফোন করবে।", "published")
		password := d.publish(t, "en", "Reset your password", "Choose Forgot password on the sign-in page and follow the link we send you.", nil)
		d.translate(t, password.ID, "hi", "पासवर्ड रीसेट करें", "साइन-इन पेज पर पासवर्ड भूल गए चुनें और हमारे भेजे लिंक को खोलें। नया पासवर्ड बनाएँ।", "published")
		d.publish(t, "en", "Refund secret draft", "Refund refund refund card.", map[string]any{"status": "draft"})
		d.publish(t, "en", "Refund override for agents", "Refund refund refund card override.", map[string]any{"internal": true})
		base := "/hc/" + d.slug

		for _, c := range []struct {
			lang, q   string
			wantID    int64
			wantLang  string
			wantTitle string
		}{
			{"en", "refund card", refund.ID, "en", "Refunds to your card"},
			{"en", "courier delivery", delivery.ID, "en", "Delivery times"},
			{"bn", "ডেলিভারি কত দিন", delivery.ID, "bn", "ডেলিভারির সময়"},
			{"bn", "রিফান্ড", refund.ID, "bn", "কার্ডে রিফান্ড"},
			{"hi", "पासवर्ड भूल गए", password.ID, "hi", "पासवर्ड रीसेट करें"},
			{"hi", "रिफ़ंड", refund.ID, "hi", "कार्ड पर रिफ़ंड"},
		} {
			p := d.get(t, base+"/search?"+url.Values{"q": {c.q}, "lang": {c.lang}}.Encode())
			if p.status != http.StatusOK {
				t.Fatalf("%s %q: %d", c.lang, c.q, p.status)
			}
			results := p.all("ol", "class", "results")
			if len(results) != 1 {
				t.Fatalf("%s %q: no results:\n%s", c.lang, c.q, p.body)
			}
			first := results[0].FirstChild
			for first != nil && first.Data != "li" {
				first = first.NextSibling
			}
			link := first.FirstChild
			href, _ := attr(link, "href")
			if text(link) != c.wantTitle || !strings.Contains(unescape(t, href), fmt.Sprintf("/%s/articles/%d-", c.wantLang, c.wantID)) {
				t.Errorf("%s %q: first result %q at %s, want %q", c.lang, c.q, text(link), href, c.wantTitle)
			}
			if !strings.Contains(renderHTML(first), "<mark>") {
				t.Errorf("%s %q: the snippet marks nothing: %s", c.lang, c.q, renderHTML(first))
			}
			if p.one(t, "html", "lang") != c.lang || len(p.all("meta", "name", "robots", "content", "noindex")) != 1 ||
				p.header.Get("X-Robots-Tag") != "noindex" {
				t.Errorf("%s %q: lang %s, robots %v", c.lang, c.q, p.one(t, "html", "lang"), p.header.Get("X-Robots-Tag"))
			}
			if got := p.one(t, "input", "value", "name", "q"); got != c.q {
				t.Errorf("the search box holds %q, want %q", got, c.q)
			}
		}

		// Drafts and internal articles are never found.
		p := d.get(t, base+"/search?q=refund+override+secret&lang=en")
		for _, leak := range []string{"secret draft", "override for agents", "Use the"} {
			if strings.Contains(p.body, leak) {
				t.Errorf("the search shows %q", leak)
			}
		}
		// A query is escaped in the page.
		p = d.get(t, base+"/search?q="+url.QueryEscape(`<img src=x onerror=alert(1)>`))
		if p.status != http.StatusOK || strings.Contains(p.body, "<img src=x") {
			t.Errorf("the query is not escaped: %d\n%s", p.status, p.body)
		}
		// Nothing found says so.
		if p := d.get(t, base+"/search?q=zebra+xylophone&lang=en"); len(p.all("ol", "class", "results")) != 0 || !strings.Contains(p.body, "No articles match") {
			t.Errorf("nothing found:\n%s", p.body)
		}
		// A query too long is refused before any work.
		if p := d.get(t, base+"/search?q="+strings.Repeat("refund+", 100)); p.status != http.StatusBadRequest {
			t.Errorf("a long query: %d", p.status)
		}
	})
}
