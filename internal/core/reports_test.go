package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// bruteSummary computes a summary straight from the conversations and
// their messages, without the report facts: the reference the
// pre-aggregated figures must equal. keep chooses the conversations (by
// what they are now), nil all; bots are the conversations a bot held.
func bruteSummary(t *testing.T, f *fixture, ids []int64, keep func(*sahay.Conversation) bool, bots map[int64]bool) core.ReportSummary {
	t.Helper()
	ctx := context.Background()
	var frs, nrs, res []int64
	var out core.ReportSummary
	satisfied, fcr, breached := 0, 0, 0
	for _, id := range ids {
		c, err := f.st.Conversation(ctx, f.account.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if keep != nil && !keep(c) {
			continue
		}
		out.ConversationsOpened++
		msgs, err := f.st.Messages(ctx, f.account.ID, id, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(msgs, func(a, b *sahay.Message) int { return int(a.ID - b.ID) })
		var firstReply, lastResolve, waiting *time.Time
		replies, resolves, reopens, breaches := 0, 0, 0, 0
		status, handed := sahay.StatusOpen, false
		if bots[id] {
			status = sahay.StatusPending
		}
		for _, m := range msgs {
			at := m.CreatedAt
			switch {
			case m.Kind == sahay.MessageIncoming:
				if firstReply != nil && waiting == nil {
					waiting = &at
				}
			case m.Kind == sahay.MessageOutgoing && m.SenderType == sahay.SenderUser:
				replies++
				if firstReply == nil {
					firstReply = &at
				} else if waiting != nil {
					nrs = append(nrs, int64(at.Sub(*waiting)/time.Second))
				}
				waiting = nil
			case m.Kind == sahay.MessageActivity && strings.HasPrefix(m.Content, "sla_breached:"):
				breaches++
			case m.Kind == sahay.MessageActivity && strings.HasPrefix(m.Content, "handoff:"):
				handed = true
			case m.Kind == sahay.MessageActivity && strings.HasPrefix(m.Content, "status:"):
				next := strings.TrimPrefix(m.Content, "status:")
				if next == sahay.StatusResolved {
					resolves++
					lastResolve, waiting = &at, nil
				} else if status == sahay.StatusResolved {
					reopens++
				}
				handed = handed || status == sahay.StatusPending && next == sahay.StatusOpen
				status = next
			}
		}
		if firstReply != nil {
			frs = append(frs, int64(firstReply.Sub(c.CreatedAt)/time.Second))
		}
		if c.Status == sahay.StatusResolved && lastResolve != nil {
			out.ConversationsResolved++
			res = append(res, int64(lastResolve.Sub(c.CreatedAt)/time.Second))
			if resolves == 1 && reopens == 0 && replies <= 1 {
				fcr++
			}
			if breaches > 0 {
				breached++
			}
			if bots[id] && !handed && replies == 0 {
				out.Bot.ResolvedByBot++
			}
		}
		if bots[id] {
			out.Bot.Conversations++
			if handed {
				out.Bot.HandedOff++
			}
		}
		if r, err := f.svc.ConversationRating(ctx, c); err == nil && r != nil {
			out.CSAT.Responses++
			if r.Rating >= 4 {
				satisfied++
			}
		}
	}
	pct := func(v []int64) core.Percentiles {
		if len(v) == 0 {
			return core.Percentiles{}
		}
		slices.Sort(v)
		med, p90 := v[store.NearestRank(len(v), 50)-1], v[store.NearestRank(len(v), 90)-1]
		return core.Percentiles{Median: &med, P90: &p90, Count: len(v)}
	}
	out.FirstResponseSeconds, out.NextResponseSeconds, out.ResolutionSeconds = pct(frs), pct(nrs), pct(res)
	ratio := func(n, d int) *float64 {
		if d == 0 {
			return nil
		}
		v := float64(n) / float64(d)
		return &v
	}
	out.CSAT.Score = ratio(satisfied, out.CSAT.Responses)
	out.FirstContactResolutionRate = ratio(fcr, out.ConversationsResolved)
	out.Bot.ResolutionRate, out.Bot.HandoffRate = ratio(out.Bot.ResolvedByBot, out.Bot.Conversations), ratio(out.Bot.HandedOff, out.Bot.Conversations)
	if policies, err := f.st.SLAPolicies(ctx, f.account.ID); err != nil {
		t.Fatal(err)
	} else if len(policies) > 0 {
		out.SLAComplianceRate = ratio(out.ConversationsResolved-breached, out.ConversationsResolved)
	}
	return out
}

// figures is a summary without its echo of the query, for comparing.
func figures(s core.ReportSummary) string {
	s.From, s.To, s.TimeZone, s.BusinessHours, s.Label = "", "", "", false, ""
	b, _ := json.Marshal(s)
	return string(b)
}

// waitSummary polls the summary until it equals want's figures.
func waitSummary(t *testing.T, svc *core.Service, a *core.Actor, q core.ReportQuery, want core.ReportSummary) *core.ReportSummary {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := svc.ReportSummary(context.Background(), a, q)
		if err != nil {
			t.Fatal(err)
		}
		if figures(*got) == figures(want) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("summary %+v\n got %s\nwant %s", q, figures(*got), figures(want))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReportSummaryMatchesBruteForce(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		var ids []int64
		bots := map[int64]bool{}
		conv := func(inbox *sahay.Inbox, who string) int64 {
			r := f.receive(t, inbox, who, "m-"+who, "hello from "+who)
			ids = append(ids, r.Conversation.ID)
			return r.Conversation.ID
		}
		reply := func(a *core.Actor, id int64, text string) {
			if _, err := f.svc.PostMessage(ctx, a, id, core.NewMessage{Content: text}); err != nil {
				t.Fatal(err)
			}
		}
		status := func(id int64, s string) {
			if _, err := f.svc.UpdateConversation(ctx, f.admin, id, core.ConversationUpdate{Status: &s}); err != nil {
				t.Fatal(err)
			}
		}
		assign := func(id int64, u *sahay.User) {
			if _, err := f.svc.UpdateConversation(ctx, f.admin, id, core.ConversationUpdate{AssigneeID: &u.ID}); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"refund", "vip_2"} {
			if _, err := f.svc.SaveLabel(ctx, f.admin, 0, core.LabelInput{Name: &name}); err != nil {
				t.Fatal(err)
			}
		}
		label := func(id int64, names ...string) {
			if _, err := f.svc.SetLabels(ctx, f.admin, id, names); err != nil {
				t.Fatal(err)
			}
		}
		a := conv(f.mine, "a") // replied once and resolved: first-contact
		reply(f.agent, a, "done")
		status(a, sahay.StatusResolved)
		label(a, "refund")
		n := conv(f.mine, "n") // two next responses, one still waiting
		reply(f.agent, n, "first")
		f.receive(t, f.mine, "n", "m-n2", "and another thing")
		f.receive(t, f.mine, "n", "m-n3", "hello?")
		time.Sleep(1100 * time.Millisecond)
		reply(f.agent, n, "next")
		reply(f.agent, n, "and more")
		f.receive(t, f.mine, "n", "m-n4", "thanks, one more")
		reply(f.admin, n, "next again")
		f.receive(t, f.mine, "n", "m-n5", "still there?")
		label(n, "refund", "vip_2")
		assign(n, f.agentUser)
		b := conv(f.mine, "b") // resolved, reopened
		reply(f.agent, b, "one")
		reply(f.agent, b, "two")
		status(b, sahay.StatusResolved)
		status(b, sahay.StatusOpen)
		c := conv(f.mine, "c") // unanswered
		d := conv(f.theirs, "d")
		reply(f.admin, d, "hi")
		status(d, sahay.StatusResolved)
		if _, err := f.svc.RateConversation(ctx, f.theirs, d, mustContactOf(t, f, d), 5, ""); err != nil {
			t.Fatal(err)
		}
		e := conv(f.mine, "e")
		reply(f.agent, e, "x")
		note := core.NewMessage{Content: "internal", Private: true}
		if _, err := f.svc.PostMessage(ctx, f.agent, e, note); err != nil {
			t.Fatal(err)
		}
		status(e, sahay.StatusResolved)
		if _, err := f.svc.RateConversation(ctx, f.mine, e, mustContactOf(t, f, e), 2, "slow"); err != nil {
			t.Fatal(err)
		}

		day := time.Now().UTC()
		q := core.ReportQuery{From: day.AddDate(0, 0, -1).Format(time.DateOnly), To: day.AddDate(0, 0, 1).Format(time.DateOnly)}
		want := bruteSummary(t, f, ids, nil, bots)
		if want.ConversationsOpened != 6 || want.ConversationsResolved != 3 || want.CSAT.Responses != 2 || *want.FirstContactResolutionRate != 1 ||
			want.NextResponseSeconds.Count != 2 || *want.NextResponseSeconds.P90 < 1 {
			t.Fatalf("brute force %s: the timeline is not what the test means", figures(want))
		}
		got := waitSummary(t, f.svc, f.admin, q, want)
		if got.SLAComplianceRate != nil || *got.CSAT.Score != 0.5 {
			t.Errorf("sla %v csat %v; want null and 0.5", got.SLAComplianceRate, *got.CSAT.Score)
		}
		// The rollups of each scope and the facts rows agree.
		scopes := []store.ReportFilter{{}, {InboxID: f.mine.ID}, {InboxID: f.theirs.ID}, {AgentID: f.agentUser.ID}, {AgentID: f.adminUser.ID},
			{Label: "refund"}, {Label: "vip_2"}, {Label: "vip"}, {Channel: "api"}}
		for _, rf := range scopes {
			for _, bh := range []bool{false, true} {
				inbox := rf
				rf.AccountID, rf.From, rf.To, rf.BusinessHours = f.account.ID, 20000101, 29991231, bh
				rolled, err := f.st.ReportTotals(ctx, rf)
				if err != nil {
					t.Fatal(err)
				}
				rf.Exact = true
				exact, err := f.st.ReportTotals(ctx, rf)
				if err != nil {
					t.Fatal(err)
				}
				if r, e := fmt.Sprintf("%+v", *rolled), fmt.Sprintf("%+v", *exact); r != e && !samePtrs(rolled, exact) {
					t.Errorf("%+v hours %v: rollups %s; facts %s", inbox, bh, r, e)
				}
			}
		}
		q.InboxID = f.theirs.ID
		waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, func(c *sahay.Conversation) bool { return c.InboxID == f.theirs.ID }, bots))
		q.InboxID = 0
		q.Label = "refund"
		refund := func(c *sahay.Conversation) bool { return slices.Contains(c.Labels, "refund") }
		if got := waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, refund, bots)); got.ConversationsOpened != 2 || got.Label != "refund" {
			t.Errorf("label refund: %d opened, label %q; want 2, refund", got.ConversationsOpened, got.Label)
		}
		q.InboxID = f.mine.ID // two filters read the facts rows
		waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, func(c *sahay.Conversation) bool { return refund(c) && c.InboxID == f.mine.ID }, bots))
		q.InboxID, q.Label = 0, ""

		// Reassigned, the conversation moves from one agent's figures to
		// the other's.
		byAgent := func(u *sahay.User) func(*sahay.Conversation) bool {
			return func(c *sahay.Conversation) bool { return c.AssigneeID == u.ID }
		}
		q.AgentID = f.agentUser.ID
		waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, byAgent(f.agentUser), bots))
		assign(n, f.adminUser)
		if got := waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, byAgent(f.agentUser), bots)); got.NextResponseSeconds.Count != 0 {
			t.Errorf("agent after the reassignment: %d next responses; want 0", got.NextResponseSeconds.Count)
		}
		q.AgentID = f.adminUser.ID
		if got := waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, byAgent(f.adminUser), bots)); got.NextResponseSeconds.Count != 2 {
			t.Errorf("new assignee: %d next responses; want 2", got.NextResponseSeconds.Count)
		}
		q.AgentID = 0

		// With an SLA policy, the resolved conversations without a breach
		// comply.
		if _, err := f.st.Write(ctx, func(tx *store.Tx) error { return tx.CreateDefaultSLA(ctx, f.account.ID) }); err != nil {
			t.Fatal(err)
		}
		if got := waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, nil, bots)); got.SLAComplianceRate == nil || *got.SLAComplianceRate != 1 {
			t.Errorf("sla compliance %v; want 1", got.SLAComplianceRate)
		}
		// The unanswered conversation breaches its target (the line the SLA
		// timer writes), then is resolved: it does not comply.
		storetest.MustWrite(t, f.st, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, f.account.ID); err != nil {
				return err
			}
			m := &sahay.Message{AccountID: f.account.ID, ConversationID: c, InboxID: f.mine.ID, Kind: sahay.MessageActivity,
				SenderType: sahay.SenderSystem, Content: "sla_breached:first_response"}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			return tx.Emit(ctx, f.account.ID, f.mine.ID, c, sahay.MessageCreated{Message: m})
		})
		status(c, sahay.StatusResolved)
		if got := waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, nil, bots)); got.SLAComplianceRate == nil || *got.SLAComplianceRate != 0.75 {
			t.Errorf("sla compliance %v; want 3 of 4 resolved", got.SLAComplianceRate)
		}

		// A period before the conversations has none of them.
		old := core.ReportQuery{From: "2020-01-01", To: "2020-01-31"}
		if s, err := f.svc.ReportSummary(ctx, f.admin, old); err != nil || s.ConversationsOpened != 0 || s.FirstResponseSeconds.Median != nil {
			t.Errorf("old period: %+v, %v", s, err)
		}

		// While the inbox's bot is on, it holds what the inbox receives: it
		// hands over a customer who asks for a person, and is unsure of
		// the other, whose conversation a person resolves without a word.
		on := true
		if _, err := f.svc.SetBotSettings(ctx, f.admin, f.theirs.ID, core.BotSettingsInput{Enabled: &on}); err != nil {
			t.Fatal(err)
		}
		kept := conv(f.theirs, "bot-kept")
		handed := f.receive(t, f.theirs, "bot-handed", "m-bot-handed", "I want to talk to a real person").Conversation.ID
		ids = append(ids, handed)
		bots[kept], bots[handed] = true, true
		status(kept, sahay.StatusResolved)
		waitFor(t, "the bot to hand the conversation over", func() bool {
			c, err := f.st.Conversation(ctx, f.account.ID, handed)
			return err == nil && c.Status == sahay.StatusOpen
		})
		got = waitSummary(t, f.svc, f.admin, q, bruteSummary(t, f, ids, nil, bots))
		if b := got.Bot; b.Conversations != 2 || b.ResolvedByBot != 1 || b.HandedOff != 1 || *b.ResolutionRate != 0.5 {
			t.Errorf("bot %+v; want 2 conversations, 1 resolved by the bot, 1 handed off", b)
		}

		// Another node takes over after this one stops: nothing counts twice.
		f.svc.Close()
		svc2 := newService(t, f.st)
		t.Cleanup(svc2.Close)
		f.svc = svc2
		admin2, err := svc2.Actor(ctx, f.adminUser)
		if err != nil {
			t.Fatal(err)
		}
		bots[conv(f.theirs, "g")] = true
		waitSummary(t, svc2, admin2, q, bruteSummary(t, f, ids, nil, bots))
		if facts := f.count(t, `SELECT COUNT(*) FROM report_facts WHERE account_id = $1`, f.account.ID); facts != len(ids) {
			t.Errorf("%d fact rows; want %d", facts, len(ids))
		}
	})
}

func mustContactOf(t *testing.T, f *fixture, id int64) int64 {
	t.Helper()
	c, err := f.st.Conversation(context.Background(), f.account.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.ContactID
}

func TestReportSummaryRejectsBadPeriods(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		for _, q := range []core.ReportQuery{
			{From: "2026-13-01", To: "2026-12-31"},
			{From: "2026-12-01", To: ""},
			{From: "2026-12-10", To: "2026-12-01"},
			{From: "2025-01-01", To: "2026-01-02"},
		} {
			_, err := f.svc.ReportSummary(context.Background(), f.admin, q)
			wantCode(t, err, sahay.EINVALID, fmt.Sprintf("summary %+v", q))
		}
		_, err := f.svc.ReportSummary(context.Background(), f.agent, core.ReportQuery{From: "2026-12-01", To: "2026-12-02"})
		wantCode(t, err, sahay.EFORBIDDEN, "an agent's summary")
	})
}

// samePtrs reports whether two totals are equal, comparing what their
// pointers point to.
func samePtrs(a, b *store.ReportTotals) bool {
	j1, _ := json.Marshal(a)
	j2, _ := json.Marshal(b)
	return string(j1) == string(j2)
}

// TestReportMergedConversation: a conversation merged into another stops
// counting; the one it joined keeps its own figures.
func TestReportMergedConversation(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		storetest.MustWrite(t, f.st, func(tx *store.Tx) error {
			f.account.ReopenWindowSeconds = 60
			return tx.UpdateAccount(ctx, f.account)
		})
		first := f.receive(t, f.mine, "cust-1", "m1", "my parcel is late").Conversation
		if _, err := f.svc.PostMessage(ctx, f.admin, first.ID, core.NewMessage{Content: "on its way"}); err != nil {
			t.Fatal(err)
		}
		f.setStatus(t, first.ID, sahay.StatusResolved, nil)
		backdateResolved(t, f, first.ID, 2*time.Minute)
		second := f.receive(t, f.mine, "cust-1", "m2", "and my refund?").Conversation
		if second.ID == first.ID {
			t.Fatal("the second message reopened the first conversation")
		}
		day := time.Now().UTC().Format(time.DateOnly)
		// The whole account (rollups), one inbox (its scope's rollups),
		// and two filters (the facts rows).
		queries := []core.ReportQuery{{From: day, To: day}, {From: day, To: day, InboxID: f.mine.ID},
			{From: day, To: day, InboxID: f.mine.ID, Channel: f.mine.Channel}}
		opened := func(want int) {
			t.Helper()
			deadline := time.Now().Add(15 * time.Second)
			for _, q := range queries {
				for {
					got, err := f.svc.ReportSummary(ctx, f.admin, q)
					if err != nil {
						t.Fatal(err)
					}
					if got.ConversationsOpened == want && got.ConversationsResolved == 1 && got.FirstResponseSeconds.Count == 1 {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("summary %+v: opened %d, resolved %d, first responses %d; want %d, 1, 1", q,
							got.ConversationsOpened, got.ConversationsResolved, got.FirstResponseSeconds.Count, want)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
		opened(2)
		if _, err := f.svc.MergeConversations(ctx, f.admin, first.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		opened(1)
		if n := f.count(t, `SELECT COUNT(*) FROM report_facts WHERE account_id = $1 AND conversation_id = $2`, f.account.ID, second.ID); n != 0 {
			t.Errorf("the merged conversation keeps %d facts rows", n)
		}
	})
}

// TestReportsGiveWayToReceive checks that the report and voice followers
// wait while Receive calls wait for their batch, as the scorer does, and
// catch up once no call waits.
func TestReportsGiveWayToReceive(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	svc := newScoringService(t, st)
	t.Cleanup(svc.Close)
	a := storetest.MustAccount(t, st, "A")
	inbox := storetest.MustInbox(t, st, a.ID, "API", apichannel.Name)
	receive := func(ext string) {
		if _, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c0", ExternalID: ext, Content: "where is my order"}); err != nil {
			t.Fatalf("Receive %s: %v", ext, err)
		}
	}
	behind := func() (reports, voice bool) {
		r, err := st.ReportBacklogs(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		v, err := st.VoiceBacklogs(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(r) > 0, len(v) > 0
	}
	receive("m0")
	waitFor(t, "caught up", func() bool { r, v := behind(); return !r && !v })

	waiting := svc.Waiting()
	reports, voice := svc.GaveWay(core.ReportLease), svc.GaveWay(core.VoiceLease)
	receive("m1")
	// Once the reports' pass waits, the new message's events are unread.
	waitFor(t, "the reports wait", func() bool { return svc.GaveWay(core.ReportLease) > reports })
	if r, _ := behind(); !r {
		t.Error("the reports read the new message's events while a Receive call waited")
	}
	// The scorer gives up waiting after a while; the voice counts, which
	// follow it, then wait in turn.
	waitFor(t, "the voice counts wait", func() bool { return svc.GaveWay(core.VoiceLease) > voice })
	if _, v := behind(); !v {
		t.Error("the voice counts read the new message while a Receive call waited")
	}
	waiting()
	waitFor(t, "caught up again", func() bool { r, v := behind(); return !r && !v })
}

// TestReceivedMessagesIndexedBehind checks that on SQLite the search
// indexer indexes received messages after they are stored, without a
// search asking for it, and waits while Receive calls wait for theirs.
func TestReceivedMessagesIndexedBehind(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	svc := newService(t, st)
	t.Cleanup(svc.Close)
	a := storetest.MustAccount(t, st, "A")
	inbox := storetest.MustInbox(t, st, a.ID, "API", apichannel.Name)
	receive := func(ext string) int64 {
		r, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c0", ExternalID: ext, Content: "where is my parcel"})
		if err != nil {
			t.Fatalf("Receive %s: %v", ext, err)
		}
		return r.Message.ID
	}
	indexedTo := func() int64 {
		var to int64
		if err := storetest.DB(t, st).QueryRowContext(ctx, `SELECT indexed_to FROM search_cursor`).Scan(&to); err != nil {
			t.Fatal(err)
		}
		return to
	}
	first := receive("m0")
	waitFor(t, "m0 indexed", func() bool { return indexedTo() >= first })

	waiting := svc.Waiting()
	before := svc.GaveWay(core.SearchIndexLease)
	id := receive("m1")
	waitFor(t, "the indexer waits", func() bool { return svc.GaveWay(core.SearchIndexLease) > before })
	if indexedTo() >= id {
		t.Error("the indexer indexed the new message while a Receive call waited")
	}
	waiting()
	waitFor(t, "m1 indexed", func() bool { return indexedTo() >= id })
}
