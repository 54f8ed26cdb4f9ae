package core_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// sentimentTotals sums a trend's days.
func sentimentTotals(tr *core.SentimentTrend) [3]int {
	var out [3]int
	for _, d := range tr.Days {
		out[0] += d.Positive
		out[1] += d.Neutral
		out[2] += d.Negative
	}
	return out
}

// analysedTotals counts the account's stored analyses by sentiment: what
// the trend must show once the counts caught up.
func analysedTotals(t *testing.T, f *fixture) [3]int {
	t.Helper()
	var out [3]int
	for i, s := range []string{"positive", "neutral", "negative"} {
		out[i] = f.count(t, `SELECT COUNT(*) FROM message_analyses WHERE account_id = $1 AND sentiment = $2`, f.account.ID, s)
	}
	return out
}

// waitVoice waits until the scorer and the voice follower have read every
// event.
func waitVoice(t *testing.T, st *store.Store) {
	t.Helper()
	waitFor(t, "the voice counts to catch up", func() bool {
		a, err := st.AnalysisBacklogs(context.Background(), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		v, err := st.VoiceBacklogs(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(a) == 0 && len(v) == 0
	})
}

// TestSentimentTrendCountsEachMessageOnce counts messages on one node,
// restarts, and counts more on two nodes at once: every analysed message
// is counted exactly once.
func TestSentimentTrendCountsEachMessageOnce(t *testing.T) {
	core.SetScoreBatch(t, 3)
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		f := fixtureOf(t, st, newScoringService(t, st))
		texts := []string{"thank you so much, great service", "where is my parcel", "this is terrible, I am very angry",
			"আমার অর্ডার এখনো আসেনি", "बहुत अच्छा, धन्यवाद"}
		for i := range 10 {
			f.receive(t, f.mine, fmt.Sprintf("c%d", i%4), fmt.Sprintf("a%d", i), texts[i%len(texts)])
		}
		today := time.Now().UTC()
		q := core.VoiceQuery{From: today.AddDate(0, 0, -1).Format(time.DateOnly), To: today.AddDate(0, 0, 1).Format(time.DateOnly)}
		check := func(svc *core.Service, wantMessages int) {
			t.Helper()
			waitVoice(t, st)
			admin, err := svc.Actor(ctx, f.adminUser)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := svc.SentimentTrend(ctx, admin, q)
			if err != nil {
				t.Fatal(err)
			}
			got, want := sentimentTotals(tr), analysedTotals(t, f)
			if got != want || want[0]+want[1]+want[2] != wantMessages {
				t.Fatalf("trend counts %v, analyses %v; want %d messages once each", got, want, wantMessages)
			}
			if len(tr.Days) != 3 {
				t.Fatalf("%d days, want every day of the period", len(tr.Days))
			}
		}
		check(f.svc, 10)
		f.svc.Close()

		var nodes []*core.Service
		for range 2 {
			svc := newScoringService(t, st)
			t.Cleanup(svc.Close)
			nodes = append(nodes, svc)
		}
		for i := range 12 {
			_, err := nodes[i%2].Receive(ctx, channel.Inbound{InboxID: f.theirs.ID, ContactID: fmt.Sprintf("d%d", i%3),
				ExternalID: fmt.Sprintf("b%d", i), Content: texts[i%len(texts)]})
			if err != nil {
				t.Fatal(err)
			}
		}
		check(nodes[0], 22)

		// The inbox filter reads that inbox's counts only.
		admin, _ := nodes[1].Actor(ctx, f.adminUser)
		q.InboxID = f.mine.ID
		tr, err := nodes[1].SentimentTrend(ctx, admin, q)
		if err != nil {
			t.Fatal(err)
		}
		if got := sentimentTotals(tr); got[0]+got[1]+got[2] != 10 {
			t.Errorf("inbox Mine counts %v, want its 10 messages", got)
		}
	})
}

// voiceDays writes hand-built term counts: n messages holding term on
// each of days, in inbox.
func voiceDays(t *testing.T, st *store.Store, accountID, inbox int64, lang, term string, perDay map[string]int64) {
	t.Helper()
	terms := map[store.TermKey]int64{}
	for day, n := range perDay {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			t.Fatal(err)
		}
		y, m, dd := d.Date()
		terms[store.TermKey{Day: y*10000 + int(m)*100 + dd, InboxID: inbox, Language: lang, Term: term}] = n
	}
	storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.AddVoiceCounts(context.Background(), accountID, nil, terms) })
}

// TestTopicsRisingOnTwoWeekTimeline builds two weeks of term counts and
// labelled conversations by hand and checks counts, previous, change and
// rising exactly.
func TestTopicsRisingOnTwoWeekTimeline(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		acc, mine, theirs := f.account.ID, f.mine.ID, f.theirs.ID
		// This week is 2026-03-08..14, the one before 03-01..07.
		voiceDays(t, f.st, acc, mine, "en", "delivery", map[string]int64{"2026-03-08": 10, "2026-03-12": 15, "2026-03-14": 5, "2026-03-03": 8})
		voiceDays(t, f.st, acc, mine, "bn", "ফেরত", map[string]int64{"2026-03-09": 20, "2026-03-10": 2, "2026-03-07": 5})
		voiceDays(t, f.st, acc, theirs, "hi", "वापस", map[string]int64{"2026-03-13": 3})
		voiceDays(t, f.st, acc, mine, "en", "price", map[string]int64{"2026-03-13": 2})
		voiceDays(t, f.st, acc, theirs, "en", "login", map[string]int64{"2026-03-11": 4, "2026-03-02": 10})
		voiceDays(t, f.st, acc, mine, "en", "delivery", map[string]int64{"2026-03-15": 99, "2026-02-28": 99}) // outside both weeks

		// Labelled conversations: four "refund" opened this week, one the
		// week before; one "billing" this week.
		for _, name := range []string{"refund", "billing"} {
			if _, err := f.svc.SaveLabel(ctx, f.admin, 0, core.LabelInput{Name: &name}); err != nil {
				t.Fatal(err)
			}
		}
		opened := map[int64]int{}
		for i, c := range []struct {
			day    int
			labels []string
		}{{20260308, []string{"refund"}}, {20260310, []string{"refund", "billing"}}, {20260314, []string{"refund"}},
			{20260314, []string{"refund"}}, {20260305, []string{"refund"}}, {20260301, nil}} {
			r := f.receive(t, f.mine, fmt.Sprintf("lab%d", i), fmt.Sprintf("l%d", i), "hello")
			if _, err := f.svc.SetLabels(ctx, f.admin, r.Conversation.ID, c.labels); err != nil {
				t.Fatal(err)
			}
			opened[r.Conversation.ID] = c.day
		}
		waitFor(t, "the report facts of the conversations", func() bool {
			b, err := f.st.ReportBacklogs(ctx, 10)
			return err == nil && len(b) == 0 && f.count(t, `SELECT COUNT(*) FROM report_facts WHERE account_id = $1`, acc) == len(opened)
		})
		// Move each conversation's opening to its day of the timeline.
		storetest.MustWrite(t, f.st, func(tx *store.Tx) error {
			for id, day := range opened {
				facts, err := tx.ReportFacts(ctx, acc, []int64{id})
				if err != nil {
					return err
				}
				moved := *facts[id]
				moved.OpenedDay = day
				if err := tx.SaveReportFact(ctx, facts[id], &moved); err != nil {
					return err
				}
			}
			return nil
		})

		got, err := f.svc.Topics(ctx, f.admin, core.VoiceQuery{From: "2026-03-08", To: "2026-03-14"})
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			kind, name, lang string
			count, prev      int
			change           float64
		}
		rows := func(list []core.TopicCount, kind string) []row {
			out := []row{}
			for _, c := range list {
				k := c.Kind
				if k == "" {
					k = kind
				}
				out = append(out, row{k, c.Name + c.Term, c.Language, c.Count, c.Previous, c.Change})
			}
			return out
		}
		wantLabels := []row{{"label", "refund", "", 4, 1, 3}, {"label", "billing", "", 1, 0, 1}}
		wantTerms := []row{{"term", "delivery", "en", 30, 8, 2.75}, {"term", "ফেরত", "bn", 22, 5, 3.4},
			{"term", "login", "en", 4, 10, -0.6}, {"term", "वापस", "hi", 3, 0, 3}, {"term", "price", "en", 2, 0, 2}}
		wantRising := []row{{"term", "ফেরত", "bn", 22, 5, 3.4}, {"label", "refund", "", 4, 1, 3}, {"term", "वापस", "hi", 3, 0, 3},
			{"term", "delivery", "en", 30, 8, 2.75}, {"term", "login", "en", 4, 10, -0.6}}
		for _, c := range []struct {
			what      string
			got, want []row
		}{{"labels", rows(got.Labels, "label"), wantLabels}, {"terms", rows(got.Terms, "term"), wantTerms}, {"rising", rows(got.Rising, ""), wantRising}} {
			if !slices.EqualFunc(c.got, c.want, func(a, b row) bool {
				return a.kind == b.kind && a.name == b.name && a.lang == b.lang && a.count == b.count && a.prev == b.prev &&
					fmt.Sprintf("%.4f", a.change) == fmt.Sprintf("%.4f", b.change)
			}) {
				t.Errorf("%s\n got %v\nwant %v", c.what, c.got, c.want)
			}
		}

		// A language and an inbox narrow the terms.
		bn, err := f.svc.Topics(ctx, f.admin, core.VoiceQuery{From: "2026-03-08", To: "2026-03-14", Language: "bn"})
		if err != nil {
			t.Fatal(err)
		}
		if r := rows(bn.Terms, "term"); len(r) != 1 || r[0].name != "ফেরত" {
			t.Errorf("bn terms %v, want ফেরত alone", r)
		}
		other, err := f.svc.Topics(ctx, f.admin, core.VoiceQuery{From: "2026-03-08", To: "2026-03-14", InboxID: theirs})
		if err != nil {
			t.Fatal(err)
		}
		if r := rows(other.Terms, "term"); len(r) != 2 || r[0].name != "login" || r[1].name != "वापस" || len(other.Labels) != 0 {
			t.Errorf("inbox Theirs: terms %v labels %v; want login and वापस, no labels", r, other.Labels)
		}

		// The conversations behind a label, newest first.
		list, err := f.svc.TopicConversations(ctx, f.admin, core.VoiceQuery{From: "2026-03-08", To: "2026-03-14", Label: "refund"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 4 || !slices.IsSortedFunc(list, func(a, b store.TopicConversation) int { return int(b.ID - a.ID) }) {
			t.Errorf("refund conversations %+v; want 4, newest first", list)
		}
	})
}

// TestTopicConversationsByTerm finds the conversations whose customers
// wrote a Bengali term, whole, and not those where it is part of a word.
func TestTopicConversationsByTerm(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.receive(t, f.mine, "x1", "t1", "আমার টাকা ফেরত চাই")
		f.receive(t, f.mine, "x2", "t2", "ফেরতযোগ্য কিনা জানতে চাই")
		b := f.receive(t, f.theirs, "x3", "t3", "দয়া করে টাকা ফেরত দিন")
		if _, err := f.svc.PostMessage(ctx, f.admin, a.Conversation.ID, core.NewMessage{Content: "ফেরত দেওয়া হবে"}); err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC()
		q := core.VoiceQuery{From: today.AddDate(0, 0, -1).Format(time.DateOnly), To: today.AddDate(0, 0, 1).Format(time.DateOnly)}
		list, err := f.svc.TopicConversations(ctx, f.admin, q, "ফেরত")
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		if want := []int64{b.Conversation.ID, a.Conversation.ID}; !slices.Equal(ids, want) {
			t.Errorf("conversations behind ফেরত: %v, want %v", ids, want)
		}
		q.InboxID = f.mine.ID
		if list, err = f.svc.TopicConversations(ctx, f.admin, q, "ফেরত"); err != nil || len(list) != 1 || list[0].ID != a.Conversation.ID {
			t.Errorf("in inbox Mine: %+v, %v; want conversation %d", list, err, a.Conversation.ID)
		}
	})
}

func TestLiveView(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		var ids []int64
		for i := range 4 {
			ids = append(ids, f.receive(t, f.mine, fmt.Sprintf("w%d", i), fmt.Sprintf("w%d", i), "hello?").Conversation.ID)
			time.Sleep(5 * time.Millisecond) // distinct waiting_since
		}
		// Answered (and so assigned to the admin who answered): no longer
		// waiting. Assigned to the agent: still waiting.
		if _, err := f.svc.PostMessage(ctx, f.admin, ids[1], core.NewMessage{Content: "on it"}); err != nil {
			t.Fatal(err)
		}
		agentID := f.agentUser.ID
		if _, err := f.svc.UpdateConversation(ctx, f.admin, ids[2], core.ConversationUpdate{AssigneeID: &agentID}); err != nil {
			t.Fatal(err)
		}
		pending := sahay.StatusPending
		if _, err := f.svc.UpdateConversation(ctx, f.admin, ids[3], core.ConversationUpdate{Status: &pending}); err != nil {
			t.Fatal(err)
		}
		online := sahay.AvailabilityOnline
		if _, err := f.svc.UpdateUser(ctx, f.admin, agentID, core.UserInput{Availability: &online}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.svc.AgentConnected(f.agent))

		v, err := f.svc.LiveView(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		if v.Open != 3 || v.Unassigned != 1 || v.Pending != 1 {
			t.Errorf("open %d unassigned %d pending %d; want 3, 1, 1", v.Open, v.Unassigned, v.Pending)
		}
		var waiting []int64
		for _, w := range v.WaitingLongest {
			waiting = append(waiting, w.ConversationID)
			if w.WaitingSeconds < 0 || w.WaitingSince.IsZero() {
				t.Errorf("waiting %+v", w)
			}
		}
		if want := []int64{ids[0], ids[2]}; !slices.Equal(waiting, want) {
			t.Errorf("waiting longest %v, want %v", waiting, want)
		}
		if want := []core.AgentLoad{{AgentID: agentID, Name: f.agentUser.Name, OpenAssigned: 1}}; !slices.Equal(v.AgentsOnline, want) {
			t.Errorf("agents online %+v, want %+v", v.AgentsOnline, want)
		}
		if _, err := f.svc.LiveView(ctx, f.agent); sahay.ErrorCode(err) != sahay.EFORBIDDEN {
			t.Errorf("an agent reads the live view: %v", err)
		}
	})
}

func TestVoiceReportsRefuseBadInput(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		ok := core.VoiceQuery{From: "2026-03-01", To: "2026-03-31"}
		bad := map[string]core.VoiceQuery{
			"bad date":      {From: "2026-02-30", To: "2026-03-01"},
			"reversed":      {From: "2026-03-02", To: "2026-03-01"},
			"over 366 days": {From: "2025-01-01", To: "2026-01-02"},
			"team":          {From: ok.From, To: ok.To, TeamID: 1},
			"agent":         {From: ok.From, To: ok.To, AgentID: 1},
			"label":         {From: ok.From, To: ok.To, Label: "refund"},
			"language":      {From: ok.From, To: ok.To, Language: "fr"},
		}
		for name, q := range bad {
			_, err := f.svc.SentimentTrend(ctx, f.admin, q)
			if q.TeamID != 0 || q.AgentID != 0 || q.Label != "" {
				// The sentiment trend is kept for each team, agent and label.
				if err != nil {
					t.Errorf("sentiment, %s: %v", name, err)
				}
			} else {
				wantCode(t, err, sahay.EINVALID, "sentiment, "+name)
			}
			_, err = f.svc.Topics(ctx, f.admin, q)
			wantCode(t, err, sahay.EINVALID, "topics, "+name)
		}
		for name, q := range map[string]core.VoiceQuery{
			"team and agent":    {From: ok.From, To: ok.To, TeamID: 1, AgentID: 1},
			"label and inbox":   {From: ok.From, To: ok.To, Label: "refund", InboxID: f.mine.ID},
			"agent and channel": {From: ok.From, To: ok.To, AgentID: 1, Channel: "api"},
		} {
			_, err := f.svc.SentimentTrend(ctx, f.admin, q)
			wantCode(t, err, sahay.EINVALID, "sentiment, "+name)
		}
		// Business hours measure durations, and these reports have none.
		if _, err := f.svc.SentimentTrend(ctx, f.admin, core.VoiceQuery{From: ok.From, To: ok.To, BusinessHours: true}); err != nil {
			t.Errorf("sentiment in business hours: %v", err)
		}
		_, err := f.svc.TopicConversations(ctx, f.admin, ok, "two words")
		wantCode(t, err, sahay.EINVALID, "a term of two words")
		withLabel := ok
		withLabel.Label = "refund"
		_, err = f.svc.TopicConversations(ctx, f.admin, withLabel, "refund")
		wantCode(t, err, sahay.EINVALID, "a term and a label")
		_, err = f.svc.SentimentTrend(ctx, f.agent, ok)
		wantCode(t, err, sahay.EFORBIDDEN, "an agent reads the sentiment trend")
		_, err = f.svc.Topics(ctx, f.agent, ok)
		wantCode(t, err, sahay.EFORBIDDEN, "an agent reads the topics")
	})
}

// TestVoiceCompactsPastDays: once a day is over, the voice follower keeps
// only its most frequent terms of each language and inbox, and the
// account's totals, so that long reports read a bounded number of rows;
// the terms a report lists keep their counts.
func TestVoiceCompactsPastDays(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		f := fixtureOf(t, st, newScoringService(t, st))
		acc := f.account.ID
		past := time.Now().AddDate(0, 0, -10)
		y, m, d := past.UTC().Date()
		day := y*10000 + int(m)*100 + d
		terms := map[store.TermKey]int64{}
		for i := range 250 {
			terms[store.TermKey{Day: day, InboxID: f.mine.ID, Language: "en", Term: fmt.Sprintf("word%03d", i)}] = 1
			terms[store.TermKey{Day: day, InboxID: f.theirs.ID, Language: "en", Term: fmt.Sprintf("word%03d", i)}] = 1
		}
		terms[store.TermKey{Day: day, InboxID: f.mine.ID, Language: "en", Term: "delivery"}] = 7
		terms[store.TermKey{Day: day, InboxID: f.theirs.ID, Language: "en", Term: "refund"}] = 4
		storetest.MustWrite(t, f.st, func(tx *store.Tx) error { return tx.AddVoiceCounts(ctx, acc, nil, terms) })
		rows := func(inbox int64) int {
			return f.count(t, `SELECT COUNT(*) FROM voice_term_counts WHERE account_id = $1 AND day = $2 AND inbox_id = $3`, acc, day, inbox)
		}
		if rows(0) != 252 || rows(f.mine.ID) != 251 {
			t.Fatalf("before: %d rows of totals, %d of the inbox; want 252 and 251", rows(0), rows(f.mine.ID))
		}
		// Any counting pass compacts the days before yesterday.
		f.receive(t, f.mine, "cust", "m1", "where is my delivery?")
		waitFor(t, "the past day compacted", func() bool { return rows(0) == 200 })
		if rows(f.mine.ID) != 200 || rows(f.theirs.ID) != 200 {
			t.Errorf("after: %d and %d rows of the inboxes, want 200 each", rows(f.mine.ID), rows(f.theirs.ID))
		}
		date := past.UTC().Format(time.DateOnly)
		got, err := f.svc.Topics(ctx, f.admin, core.VoiceQuery{From: date, To: date, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Terms) < 2 || got.Terms[0].Term != "delivery" || got.Terms[0].Count != 7 || got.Terms[1].Term != "refund" || got.Terms[1].Count != 4 {
			t.Errorf("top terms after compaction: %+v", got.Terms[:min(3, len(got.Terms))])
		}
	})
}

// TestSentimentTrendOfAnAgentOrLabel: the sentiment trend of an agent or
// a label counts the messages of the conversations that had that assignee
// or label when they were counted.
func TestSentimentTrendOfAnAgentOrLabel(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		f := fixtureOf(t, st, newScoringService(t, st))
		refund := "refund"
		if _, err := f.svc.SaveLabel(ctx, f.admin, 0, core.LabelInput{Name: &refund}); err != nil {
			t.Fatal(err)
		}
		mine := f.receive(t, f.mine, "c1", "a0", "where is my parcel").Conversation
		labelled := f.receive(t, f.mine, "c2", "b0", "this is terrible, I am very angry").Conversation
		f.receive(t, f.mine, "c3", "z0", "thank you so much, great service")
		waitVoice(t, st)
		agent := f.agentUser.ID
		if _, err := f.svc.UpdateConversation(ctx, f.admin, mine.ID, core.ConversationUpdate{AssigneeID: &agent}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetLabels(ctx, f.admin, labelled.ID, []string{refund}); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			f.receive(t, f.mine, "c1", fmt.Sprint("a", i+1), "still waiting for my parcel")
			f.receive(t, f.mine, "c2", fmt.Sprint("b", i+1), "this is terrible, I am very angry")
		}
		waitVoice(t, st)
		today := time.Now().UTC()
		q := core.VoiceQuery{From: today.AddDate(0, 0, -1).Format(time.DateOnly), To: today.AddDate(0, 0, 1).Format(time.DateOnly)}
		for name, c := range map[string]struct {
			q    core.VoiceQuery
			want int
		}{"all": {q, 9}, "the agent": {core.VoiceQuery{From: q.From, To: q.To, AgentID: agent}, 3},
			"the label": {core.VoiceQuery{From: q.From, To: q.To, Label: refund}, 3},
			"no one's":  {core.VoiceQuery{From: q.From, To: q.To, AgentID: f.adminUser.ID}, 0}} {
			tr, err := f.svc.SentimentTrend(ctx, f.admin, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := sentimentTotals(tr); got[0]+got[1]+got[2] != c.want {
				t.Errorf("%s: counts %v, want %d messages", name, got, c.want)
			}
		}
		tr, _ := f.svc.SentimentTrend(ctx, f.admin, core.VoiceQuery{From: q.From, To: q.To, Label: refund})
		if got := sentimentTotals(tr); got[2] != 3 {
			t.Errorf("the refund label's messages: %v, want 3 negative", got)
		}
	})
}
