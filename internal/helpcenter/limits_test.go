package helpcenter_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/helpcenter"
)

// TestHelpCenterRateLimits answers 429 with Retry-After once a client
// address has spent its pages, searches or answers; another address is
// still served.
func TestHelpCenterRateLimits(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := newDesk(t)
		a := d.publish(t, "en", "Opening hours", "We answer from 9 to 6.", nil)
		base := "/hc/" + d.slug
		limits := helpcenter.DefaultLimits
		for _, c := range []struct {
			what  string
			burst int
			do    func() *page
		}{
			{"searches", limits.Searches.Burst, func() *page { return d.get(t, base+"/search?q=hours") }},
			{"feedback", limits.Feedback.Burst, func() *page {
				return d.send(t, http.MethodPost, fmt.Sprintf("%s/en/articles/%d/feedback", base, a.ID), url.Values{"helpful": {"yes"}})
			}},
			{"pages", limits.Pages.Burst, func() *page { return d.get(t, base) }},
		} {
			for i := range c.burst {
				if p := c.do(); p.status == http.StatusTooManyRequests {
					t.Fatalf("%s: refused after %d of %d", c.what, i, c.burst)
				}
			}
			// The bucket refills while the requests are made: a few more
			// empty it.
			p := c.do()
			for i := 0; i < 50 && p.status != http.StatusTooManyRequests; i++ {
				p = c.do()
			}
			if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || len(p.all("html", "lang", "en")) != 1 {
				t.Fatalf("%s past the burst: %d, Retry-After %q\n%s", c.what, p.status, p.header.Get("Retry-After"), p.body)
			}
		}
	})
}
