package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

func TestReportBucketPrecision(t *testing.T) {
	last := -1
	for s := int64(0); s < 400*86400; s += 1 + s/50 {
		b := store.ReportBucket(s)
		if b < last {
			t.Fatalf("bucket of %d is %d, below the previous %d", s, b, last)
		}
		last = b
		v := store.ReportBucketValue(b)
		if s < 120 && v != s {
			t.Fatalf("%d s stands as %d; want exact below two minutes", s, v)
		}
		if err := float64(v-s) / float64(max(s, 1)); err > store.ReportBucketError || err < -store.ReportBucketError {
			t.Fatalf("%d s stands as %d: error %.4f over %.2f", s, v, err, store.ReportBucketError)
		}
	}
}

// TestReportRollupsFollowFacts saves facts, changes them as the follower
// would, and checks every scope's rollups against the facts rows.
func TestReportRollupsFollowFacts(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		ctx := context.Background()
		st := open(t)
		account := storetest.MustAccount(t, st, "Rollups")
		at := time.Date(2026, 12, 14, 9, 30, 0, 0, time.UTC)
		day, next := 20261214, 20261215
		secs := func(v int64) *int64 { return &v }
		five := 5
		facts := []*store.ReportFact{
			{ConversationID: 1, InboxID: 1, Channel: "widget", AssigneeID: 7, Labels: []string{"refund"}, Status: "resolved",
				FirstResponseAt: &at, FirstResponseDay: &day, FirstResponseS: secs(300), FirstResponseBS: secs(200),
				NextResponses: []store.ReportResponse{{Day: day, S: 40, BS: 40}, {Day: next, S: 9000, BS: 3000}},
				ResolvedAt:    &at, ResolvedDay: &next, ResolutionS: secs(86000), ResolutionBS: secs(20000), Resolves: 1, AgentReplies: 3,
				ReplyDays: map[int]int{day: 2, next: 1}, SLABreached: true, AskedDay: &next, CSATRating: &five, CSATDay: &next},
			{ConversationID: 2, InboxID: 2, Channel: "api", TeamID: 3, Status: "resolved", BotHeld: true,
				ResolvedAt: &at, ResolvedDay: &day, ResolutionS: secs(60), ResolutionBS: secs(60), Resolves: 1},
			{ConversationID: 3, InboxID: 2, Channel: "api", TeamID: 3, AssigneeID: 7, Labels: []string{"refund", "vip_2"}, Status: "open",
				BotHeld: true, BotHandoff: true, HandoffDay: &next},
		}
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			for _, f := range facts {
				f.AccountID, f.OpenedAt, f.OpenedDay, f.OpenedHour = account.ID, at, day, 15
				if err := tx.SaveReportFact(ctx, nil, f); err != nil {
					return err
				}
			}
			// Reassigned and relabelled: it leaves agent 7 and refund.
			moved := facts[2].Clone()
			moved.AssigneeID, moved.Labels = 8, []string{"vip_2"}
			return tx.SaveReportFact(ctx, facts[2], moved)
		})
		filters := []store.ReportFilter{{}, {InboxID: 1}, {InboxID: 2}, {TeamID: 3}, {AgentID: 7}, {AgentID: 8}, {Channel: "api"},
			{Label: "refund"}, {Label: "vip_2"}, {Label: "vip"}, {Label: "vip%"}}
		for _, f := range filters {
			for _, bh := range []bool{false, true} {
				f.AccountID, f.From, f.To, f.BusinessHours = account.ID, day, next, bh
				rolled, err := st.ReportTotals(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				f.Exact = true
				exact, err := st.ReportTotals(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				// Durations past two minutes are read from buckets.
				for _, v := range []**int64{&rolled.FirstResponseMedian, &rolled.FirstResponseP90, &rolled.NextResponseMedian,
					&rolled.NextResponseP90, &rolled.ResolutionMedian, &rolled.ResolutionP90} {
					if *v != nil && **v >= 120 {
						**v = 0
					}
				}
				for _, v := range []**int64{&exact.FirstResponseMedian, &exact.FirstResponseP90, &exact.NextResponseMedian,
					&exact.NextResponseP90, &exact.ResolutionMedian, &exact.ResolutionP90} {
					if *v != nil && **v >= 120 {
						**v = 0
					}
				}
				r, e := totalsString(rolled), totalsString(exact)
				if r != e {
					t.Errorf("%+v: rollups %s; facts %s", f, r, e)
				}
			}
		}
		all, err := st.ReportTotals(ctx, store.ReportFilter{AccountID: account.ID, From: day, To: next})
		if err != nil {
			t.Fatal(err)
		}
		want := store.ReportTotals{Opened: 3, Resolved: 2, Breached: 1, Bot: 2, BotResolved: 1, BotHandoffs: 1, Asked: 1, AskedRated: 1, Replies: 3,
			FirstResponses: 1, NextResponses: 2}
		if all.Opened != want.Opened || all.Resolved != want.Resolved || all.Breached != want.Breached || all.Bot != want.Bot ||
			all.BotResolved != want.BotResolved || all.BotHandoffs != want.BotHandoffs || all.Asked != want.Asked || all.AskedRated != want.AskedRated ||
			all.Replies != want.Replies || all.NextResponses != want.NextResponses || all.FirstResponses != want.FirstResponses {
			t.Errorf("totals %s; want %s", totalsString(all), totalsString(&want))
		}
		agents, err := st.ReportAgents(ctx, store.ReportFilter{AccountID: account.ID, From: day, To: next})
		if err != nil || len(agents) != 2 || agents[7].Opened != 1 || agents[8].Opened != 1 || agents[7].Replies != 3 {
			t.Errorf("agents %v, %v; want agent 7 with one conversation and 3 replies, agent 8 with one", agents, err)
		}
		hours, err := st.ReportOpenedHours(ctx, store.ReportFilter{AccountID: account.ID, From: day, To: next})
		if err != nil || hours[day][15] != 3 {
			t.Errorf("opened hours %v, %v; want 3 at 15 on %d", hours, err, day)
		}
		// Two filters read the facts rows, and agree with one scope's rollups.
		one := store.ReportFilter{AccountID: account.ID, From: day, To: next, InboxID: 2}
		two := one
		two.Channel = "api"
		days1, err1 := st.ReportDays(ctx, one)
		days2, err2 := st.ReportDays(ctx, two)
		if err1 != nil || err2 != nil || len(days1) != 2 || totalsString(days1[day]) != totalsString(days2[day]) ||
			totalsString(days1[next]) != totalsString(days2[next]) {
			t.Errorf("days from rollups %v, %v; from facts %v, %v", days1, err1, days2, err2)
		}
		hours1, err1 := st.ReportOpenedHours(ctx, one)
		hours2, err2 := st.ReportOpenedHours(ctx, two)
		if err1 != nil || err2 != nil || hours1[day][15] != 2 || hours1[day] != hours2[day] {
			t.Errorf("opened hours from rollups %v, %v; from facts %v, %v", hours1, err1, hours2, err2)
		}
		agents, err = st.ReportAgents(ctx, one)
		if err != nil || len(agents) != 1 || agents[8] == nil || agents[8].Opened != 1 || agents[8].BotHandoffs != 1 {
			t.Errorf("agents of inbox 2: %v, %v; want agent 8 with one conversation handed off", agents, err)
		}
	})
}

func totalsString(t *store.ReportTotals) string {
	b, _ := json.Marshal(t)
	return string(b)
}
