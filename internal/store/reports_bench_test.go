package store_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// BenchmarkReportSummary times a 90-day summary over
// SAHAY_BENCH_REPORT_CONVERSATIONS conversations' facts (default
// 100,000), spread over 120 days and 8 inboxes, so the period holds
// three quarters of them.
func BenchmarkReportSummary(b *testing.B) {
	n := benchEnvInt(b, "SAHAY_BENCH_REPORT_CONVERSATIONS", 100_000)
	benchDialects(b, func(b *testing.B, dialect string) {
		ctx := context.Background()
		st := storetest.Open(b, dialect)
		account := storetest.MustAccount(b, st, "Bench")
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		day := func(t time.Time) int { y, m, d := t.Date(); return y*10000 + int(m)*100 + d }
		r := rand.New(rand.NewPCG(1, 2))
		built := time.Now()
		for done := 0; done < n; {
			_, err := st.Write(ctx, func(tx *store.Tx) error {
				for i := 0; i < 10_000 && done < n; i, done = i+1, done+1 {
					opened := start.Add(time.Duration(r.Int64N(int64(120 * 24 * time.Hour))))
					f := &store.ReportFact{AccountID: account.ID, ConversationID: int64(done + 1), InboxID: int64(done%8 + 1), Channel: "api",
						Status: "open", OpenedAt: opened, OpenedDay: day(opened), ClockAt: &opened}
					if r.IntN(10) < 9 {
						frs := r.Int64N(7200)
						at := opened.Add(time.Duration(frs) * time.Second)
						d := day(at)
						f.FirstResponseAt, f.FirstResponseDay, f.FirstResponseS, f.FirstResponseBS = &at, &d, &frs, &frs
						f.AgentReplies = 1 + r.IntN(3)
					}
					if r.IntN(10) < 8 {
						res := r.Int64N(3 * 86400)
						at := opened.Add(time.Duration(res) * time.Second)
						d := day(at)
						f.Status, f.Resolves = "resolved", 1
						f.ResolvedAt, f.ResolvedDay, f.ResolutionS, f.ResolutionBS = &at, &d, &res, &res
					}
					if r.IntN(10) < 3 {
						rating, d := 1+r.IntN(5), f.OpenedDay
						f.CSATRating, f.CSATDay = &rating, &d
					}
					if err := tx.SaveReportFact(ctx, nil, f); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: %d conversations' facts written in %s", dialect, n, time.Since(built).Round(time.Millisecond))
		if dialect == store.Postgres {
			if _, err := storetest.DB(b, st).ExecContext(ctx, `ANALYZE report_facts`); err != nil {
				b.Fatal(err)
			}
		}
		f := store.ReportFilter{AccountID: account.ID, From: 20260115, To: 20260414}
		b.ResetTimer()
		for b.Loop() {
			t, err := st.ReportTotals(ctx, f)
			if err != nil || t.Opened == 0 || t.FirstResponseP90 == nil {
				b.Fatalf("%+v, %v", t, err)
			}
		}
	})
}
