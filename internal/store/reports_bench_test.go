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

// reportBatch is how many conversations' facts the benchmark writes a
// transaction, as the reports follower does at most.
const reportBatch = 2000

// BenchmarkReportSummary times a 90-day summary over
// SAHAY_BENCH_REPORT_CONVERSATIONS conversations' facts (default
// 100,000), spread over 120 days, 8 inboxes, 4 teams, 20 agents and 12
// labels, so the period holds three quarters of them: for the whole
// account and for one agent.
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
				var changes []store.ReportFactChange
				for i := 0; i < reportBatch && done < n; i, done = i+1, done+1 {
					opened := start.Add(time.Duration(r.Int64N(int64(120 * 24 * time.Hour))))
					f := &store.ReportFact{AccountID: account.ID, ConversationID: int64(done + 1), InboxID: int64(done%8 + 1), Channel: "api",
						TeamID: int64(done%4 + 1), AssigneeID: int64(done%20 + 1), Status: "open",
						OpenedAt: opened, OpenedDay: day(opened), OpenedHour: opened.Hour(), ClockAt: &opened}
					if r.IntN(2) == 0 {
						f.Labels = []string{fmt.Sprintf("label-%02d", r.IntN(12))}
					}
					if r.IntN(10) < 9 {
						frs := r.Int64N(7200)
						at := opened.Add(time.Duration(frs) * time.Second)
						d := day(at)
						f.FirstResponseAt, f.FirstResponseDay, f.FirstResponseS, f.FirstResponseBS = &at, &d, &frs, &frs
						f.AgentReplies = 1 + r.IntN(3)
						f.ReplyDays = map[int]int{d: f.AgentReplies}
						for range f.AgentReplies - 1 {
							wait := r.Int64N(3600)
							f.NextResponses = append(f.NextResponses, store.ReportResponse{Day: d, S: wait, BS: wait})
						}
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
					changes = append(changes, store.ReportFactChange{New: f})
				}
				return tx.SaveReportFacts(ctx, account.ID, changes)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: %d conversations' facts written in %s", dialect, n, time.Since(built).Round(time.Millisecond))
		if dialect == store.Postgres {
			if _, err := storetest.DB(b, st).ExecContext(ctx, `ANALYZE report_facts, report_rollups`); err != nil {
				b.Fatal(err)
			}
		}
		for _, q := range []struct {
			name   string
			filter store.ReportFilter
		}{
			{"all", store.ReportFilter{}},
			{"agent", store.ReportFilter{AgentID: 3}},
		} {
			f := q.filter
			f.AccountID, f.From, f.To = account.ID, 20260115, 20260414
			b.Run(q.name, func(b *testing.B) {
				cpu := bench.CPUTime()
				for b.Loop() {
					t, err := st.ReportTotals(ctx, f)
					if err != nil || t.Opened == 0 || t.FirstResponseP90 == nil || t.NextResponseP90 == nil {
						b.Fatalf("%+v, %v", t, err)
					}
				}
				b.ReportMetric(float64(bench.CPUTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			})
		}
	})
}
