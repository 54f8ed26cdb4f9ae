package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// BenchmarkReportTopics times the reads of a 90-day voice of the customer
// over term counts kept from SAHAY_BENCH_TOPIC_MESSAGES customer messages
// a day (default 25,000, what 1,000,000 conversations over 120 days of
// three messages each bring) for 120 days, in 8 inboxes and three
// languages, each message holding four terms drawn from a Zipf law over
// 30,000 words a language, each day compacted as the voice follower does
// once it is over: the most frequent terms of each language, and the same
// terms counted in the 90 days before.
func BenchmarkReportTopics(b *testing.B) {
	perDay := benchEnvInt(b, "SAHAY_BENCH_TOPIC_MESSAGES", 25_000)
	benchDialects(b, func(b *testing.B, dialect string) {
		ctx := context.Background()
		st := storetest.Open(b, dialect)
		account := storetest.MustAccount(b, st, "Bench")
		r := rand.New(rand.NewPCG(3, 4))
		zipf := rand.NewZipf(rand.New(rand.NewPCG(5, 6)), 1.1, 1, 29_999)
		langs := []string{"en", "bn", "hi"}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		built, rows := time.Now(), 0
		for d := range 120 {
			y, m, dd := start.AddDate(0, 0, d).Date()
			day := y*10000 + int(m)*100 + dd
			terms := map[store.TermKey]int64{}
			for range perDay {
				lang, inbox := langs[r.IntN(3)], int64(1+r.IntN(8))
				for range 4 {
					terms[store.TermKey{Day: day, InboxID: inbox, Language: lang, Term: fmt.Sprintf("%s%d", lang, zipf.Uint64())}]++
				}
			}
			rows += len(terms)
			// The voice follower keeps a past day's 200 most frequent terms.
			if _, err := st.Write(ctx, func(tx *store.Tx) error {
				if err := tx.AddVoiceCounts(ctx, account.ID, nil, terms); err != nil {
					return err
				}
				return tx.CompactVoiceTerms(ctx, account.ID, day, 200)
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: %d term rows for %d messages a day written in %s", dialect, rows, perDay, time.Since(built).Round(time.Millisecond))
		if dialect == store.Postgres {
			if _, err := storetest.DB(b, st).ExecContext(ctx, `ANALYZE voice_term_counts`); err != nil {
				b.Fatal(err)
			}
		}
		cur := store.VoiceFilter{AccountID: account.ID, From: 20260131, To: 20260430}
		prev := store.VoiceFilter{AccountID: account.ID, From: 20251102, To: 20260130}
		cpu := bench.CPUTime()
		for b.Loop() {
			var names []string
			for _, lang := range langs {
				f := cur
				f.Language = lang
				top, err := st.TopTerms(ctx, f, 1, 10)
				if err != nil || len(top) != 10 {
					b.Fatalf("%v, %v", top, err)
				}
				for _, t := range top {
					names = append(names, t.Term)
				}
			}
			if _, err := st.TermCounts(ctx, prev, names); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(bench.CPUTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	})
}
