package demo_test

import (
	"context"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/demo"
)

// TestSeedHelpCenter: the demo workspace has a help center in three
// languages, whose public search finds its articles and never the
// internal policy.
func TestSeedHelpCenter(t *testing.T) {
	s := apitest.NewServer(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s.App.Service, apichannel.Name, nil); err != nil {
		t.Fatal(err)
	}
	site, err := s.App.Service.HelpCenter(ctx, core.AccountSlug(demo.ShopName))
	if err != nil {
		t.Fatal(err)
	}
	if len(site.Categories) != 3 || len(site.Articles(0, "hi")) != 4 {
		t.Fatalf("categories %d, articles in Hindi %d", len(site.Categories), len(site.Articles(0, "hi")))
	}
	for q, locale := range map[string]string{"ডেলিভারি চার্জ": "bn", "रिफंड": "en", "return an item": "en", "refund approval policy": ""} {
		hits := s.App.Service.SearchHelpCenter(site, q, locale, 5)
		if q == "refund approval policy" {
			for _, h := range hits {
				if h.Internal {
					t.Fatalf("the public search found the internal policy: %+v", h)
				}
			}
			continue
		}
		if len(hits) == 0 {
			t.Errorf("%q found nothing", q)
		}
	}
}
