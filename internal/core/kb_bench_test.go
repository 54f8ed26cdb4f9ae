package core_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
)

// benchArticles is the size of the benchmark's help center: articles,
// each in English, Bengali and Hindi.
const benchArticles = 1000

// BenchmarkHelpCenter measures what a reader of a help center of 1,000
// articles in three languages costs the server: a page (the site as of
// its revision: one indexed read, then memory), a search, and the first
// read after an administrator's change, which reads the site again and
// rebuilds its index.
func BenchmarkHelpCenter(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			st, _ := openBenchStore(b, dialect)
			box, err := secretbox.New(make([]byte, 32))
			if err != nil {
				b.Fatal(err)
			}
			svc := core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channel.NewRegistry(),
				NoScoring: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			defer svc.Close()
			acc, owner, err := svc.CreateAccount(ctx, "Bench Shop", "owner@bench.test", "Owner", "a long bench password")
			if err != nil {
				b.Fatal(err)
			}
			admin, err := svc.Actor(ctx, owner)
			if err != nil {
				b.Fatal(err)
			}
			corpus := bench.NewCorpus(7)
			published := "published"
			for i := range benchArticles {
				var id int64
				for _, lang := range []string{bench.English, bench.Bengali, bench.Hindi} {
					title := corpus.Customer(lang)
					body := strings.Join([]string{corpus.Agent(lang), corpus.Agent(lang), corpus.Customer(lang), corpus.Agent(lang)}, "\n\n")
					locale := bench.Script(lang)
					in := core.TranslationInput{Title: &title, Body: &body, Status: &published}
					if id == 0 {
						art, err := svc.CreateKBArticle(ctx, admin, core.ArticleInput{TranslationInput: in, Locale: &locale})
						if err != nil {
							b.Fatal(err)
						}
						id = art.ID
						continue
					}
					if _, err := svc.SaveKBTranslation(ctx, admin, id, locale, in); err != nil {
						b.Fatal(err)
					}
				}
				if i == 0 {
					b.Logf("%d articles × 3 languages", benchArticles)
				}
			}
			queries := []string{"refund", "ডেলিভারি", "रिफंड कब", "order cancel", "টাকা ফেরত", "पेमेंट"}

			b.Run("page", func(b *testing.B) {
				for b.Loop() {
					site, err := svc.HelpCenter(ctx, acc.Slug)
					if err != nil {
						b.Fatal(err)
					}
					if p, _ := site.Page(1, "bn", false); p == nil {
						b.Fatal("no article 1")
					}
				}
			})
			b.Run("search", func(b *testing.B) {
				site, err := svc.HelpCenter(ctx, acc.Slug)
				if err != nil {
					b.Fatal(err)
				}
				i := 0
				for b.Loop() {
					site.Search(queries[i%len(queries)], "en", false, 10)
					i++
				}
			})
			b.Run("change+rebuild", func(b *testing.B) {
				i := 0
				for b.Loop() {
					title := fmt.Sprintf("Bench Help %d", i)
					i++
					if _, err := svc.SaveKBSettings(ctx, admin, core.KBSettingsInput{Title: &title}); err != nil {
						b.Fatal(err)
					}
					if _, err := svc.HelpCenter(ctx, acc.Slug); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
