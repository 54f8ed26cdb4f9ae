package helpcenter_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// TestHelpCenterDomain serves a help center on its own domain by Host:
// the same pages at /, absolute addresses on the domain, robots.txt
// naming the sitemap; the server's own host keeps serving the app.
func TestHelpCenterDomain(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := newDesk(t)
		d.settings(t, map[string]any{"domain": "help.acme.test"})
		a := d.publish(t, "en", "Opening hours", "We answer from 9 to 6.", nil)
		host := []string{"Host", "help.acme.test"}
		origin := "https://help.acme.test"

		home := d.get(t, "/", host...)
		if home.status != http.StatusOK || home.one(t, "html", "lang") != "en" || home.one(t, "link", "href", "rel", "canonical") != origin+"/" {
			t.Fatalf("home on the domain: %d\n%s", home.status, home.body)
		}
		if got := home.one(t, "a", "href", "class", "brand"); got != "/en" {
			t.Errorf("the brand links to %q", got)
		}
		if got := home.one(t, "form", "action", "role", "search"); got != "/search" {
			t.Errorf("search posts to %q", got)
		}
		path := fmt.Sprintf("/en/articles/%d-opening-hours", a.ID)
		art := d.get(t, path, host...)
		if art.status != http.StatusOK || art.one(t, "link", "href", "rel", "canonical") != origin+path {
			t.Errorf("article on the domain: %d %s", art.status, art.one(t, "link", "href", "rel", "canonical"))
		}
		if got := art.one(t, "a", "href", "class", "button"); got != "https://acme.test/" {
			t.Errorf("contact links to %q", got)
		}
		if r := d.get(t, fmt.Sprintf("/en/articles/%d", a.ID), host...); r.status != http.StatusMovedPermanently || r.header.Get("Location") != path {
			t.Errorf("redirect on the domain: %d %q", r.status, r.header.Get("Location"))
		}
		if r := d.get(t, "/search?q=hours", host...); r.status != http.StatusOK || len(r.all("ol", "class", "results")) != 1 {
			t.Errorf("search on the domain: %d", r.status)
		}
		if r := d.send(t, http.MethodPost, fmt.Sprintf("/en/articles/%d/feedback", a.ID), url.Values{"helpful": {"yes"}}, host...); r.status != http.StatusSeeOther {
			t.Errorf("feedback on the domain: %d", r.status)
		}
		robots := d.get(t, "/robots.txt", host...)
		if robots.status != http.StatusOK || !strings.Contains(robots.body, "Sitemap: "+origin+"/sitemap.xml") {
			t.Errorf("robots.txt: %d %q", robots.status, robots.body)
		}
		sm := d.get(t, "/sitemap.xml", host...)
		if _, ok := sitemapLocs(t, sm.body)[origin+path]; !ok {
			t.Errorf("the domain's sitemap: %s", sm.body)
		}
		for _, p := range []string{"/nothing/here", "/hc/" + d.slug, "/login", "/api/v1/me"} {
			if r := d.get(t, p, host...); r.status != http.StatusNotFound {
				t.Errorf("%s on the domain: %d", p, r.status)
			}
		}

		// The server's own host and other hosts are the app as before.
		if r := d.get(t, "/"); r.status != http.StatusOK || len(r.all("div", "id", "app")) != 1 {
			t.Errorf("the dashboard at /: %d", r.status)
		}
		if r := d.get(t, "/", "Host", "other.example"); len(r.all("div", "id", "app")) != 1 {
			t.Errorf("another host: %d", r.status)
		}
		if r := d.Do(t, apitest.Request{Method: http.MethodGet, Path: "/api/v1/me", Token: d.owner.Token, Header: http.Header{}}); r.Status != http.StatusOK {
			t.Errorf("the API: %d", r.Status)
		}
		if r := d.get(t, "/healthz"); r.status != http.StatusOK {
			t.Errorf("healthz: %d", r.status)
		}
		if r := d.get(t, "/hc/"+d.slug); r.status != http.StatusOK {
			t.Errorf("/hc/ on the server's host: %d", r.status)
		}

		// Turned off, the domain is a 404 page, not the dashboard.
		d.settings(t, map[string]any{"enabled": false})
		if r := d.get(t, "/", host...); r.status != http.StatusNotFound || len(r.all("div", "id", "app")) != 0 {
			t.Errorf("the domain of a help center turned off: %d", r.status)
		}
	})
}
