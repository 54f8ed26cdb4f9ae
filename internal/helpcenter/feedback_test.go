package helpcenter_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestHelpCenterFeedback answers "was this helpful?" with the form, as a
// browser without scripts does: 303 back to the article with a thank-you,
// counted in the report; a bad answer, a post from another site and an
// unpublished translation change nothing.
func TestHelpCenterFeedback(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := newDesk(t)
		a := d.publish(t, "en", "Pay on delivery", "Pay the courier in cash or by bKash.", nil)
		base := "/hc/" + d.slug
		post := fmt.Sprintf("%s/en/articles/%d/feedback", base, a.ID)

		yes := d.send(t, http.MethodPost, post, url.Values{"helpful": {"yes"}, "lang": {"bn"}}, "Origin", d.URL, "Sec-Fetch-Site", "same-origin")
		want := fmt.Sprintf("%s/bn/articles/%d-pay-on-delivery?feedback=thanks#feedback", base, a.ID)
		if yes.status != http.StatusSeeOther || yes.header.Get("Location") != want {
			t.Fatalf("yes: %d → %q, want 303 → %s", yes.status, yes.header.Get("Location"), want)
		}
		for range 2 {
			if r := d.send(t, http.MethodPost, post, url.Values{"helpful": {"no"}}); r.status != http.StatusSeeOther {
				t.Fatalf("no: %d", r.status)
			}
		}
		thanks := d.get(t, want)
		if got := thanks.texts("p", "role", "status"); len(got) != 1 || got[0] != "আপনার মতামতের জন্য ধন্যবাদ!" {
			t.Errorf("the thank-you: %v", got)
		}
		if len(thanks.all("button", "name", "helpful")) != 0 {
			t.Error("the form shows again after the answer")
		}

		// Refused, and nothing counted.
		for _, c := range []struct {
			what   string
			path   string
			form   url.Values
			header []string
			status int
		}{
			{"a bad value", post, url.Values{"helpful": {"maybe"}}, nil, http.StatusBadRequest},
			{"no value", post, url.Values{}, nil, http.StatusBadRequest},
			{"another site's page", post, url.Values{"helpful": {"yes"}}, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
			{"a translation that is not published", fmt.Sprintf("%s/bn/articles/%d/feedback", base, a.ID), url.Values{"helpful": {"yes"}}, nil, http.StatusNotFound},
			{"an unknown article", base + "/en/articles/9999/feedback", url.Values{"helpful": {"yes"}}, nil, http.StatusNotFound},
		} {
			if r := d.send(t, http.MethodPost, c.path, c.form, c.header...); r.status != c.status {
				t.Errorf("%s: %d, want %d", c.what, r.status, c.status)
			}
		}

		// Views: each article page served, not HEAD nor crawlers.
		page := fmt.Sprintf("%s/en/articles/%d-pay-on-delivery", base, a.ID)
		d.get(t, page)
		d.get(t, page, "User-Agent", "Mozilla/5.0 (Linux; Android 14) Mobile")
		d.send(t, http.MethodHead, page, nil)
		d.get(t, page, "User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")

		if err := d.App.Service.FlushKBStats(t.Context()); err != nil {
			t.Fatal(err)
		}
		var report struct {
			Views       int64 `json:"views"`
			Helpful     int64 `json:"helpful"`
			NotHelpful  int64 `json:"not_helpful"`
			Helpfulness []struct {
				ArticleID  int64 `json:"article_id"`
				Helpful    int64 `json:"helpful"`
				NotHelpful int64 `json:"not_helpful"`
			} `json:"helpfulness"`
		}
		d.Must(t, d.owner.Token, http.MethodGet, "/api/v1/kb/reports", nil, http.StatusOK, &report)
		if report.Views != 3 || report.Helpful != 1 || report.NotHelpful != 2 || len(report.Helpfulness) != 1 || report.Helpfulness[0].ArticleID != a.ID {
			t.Errorf("report %+v, want 3 views, 1 helpful and 2 not", report)
		}
	})
}
