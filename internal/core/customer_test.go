package core_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/core"
)

// The channel-neutral features are tried on the fixture's API-channel
// inboxes: nothing in them is the website chat's.

// nextLive returns the next event on sub other than the stored events up
// to after, failing after a few seconds.
func nextLive(t *testing.T, sub *bus.Subscription, after int64) sahay.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-sub.C:
			// A stored event up to after was committed before the
			// subscription and may reach it late: it is not news.
			if ev.Seq > 0 && ev.Seq <= after {
				continue
			}
			return ev
		case <-timeout:
			t.Fatal("no event on the bus")
			return sahay.Event{}
		}
	}
}

func TestTypingAndSeenAreAuthorizedAndLive(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		own := f.receive(t, f.mine, "cust-1", "m1", "where is my order?")
		hidden := f.receive(t, f.theirs, "cust-2", "m1", "refund please").Conversation
		sub, err := f.svc.Bus().Subscribe(f.account.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		received, err := f.svc.LastEventSeq(ctx, f.account.ID)
		if err != nil {
			t.Fatal(err)
		}

		wantCode(t, f.svc.AgentTyping(ctx, f.agent, hidden.ID, true), sahay.ENOTFOUND, "agent types in another inbox's conversation")
		wantCode(t, f.svc.AgentSeen(ctx, f.agent, hidden.ID, 1), sahay.ENOTFOUND, "agent marks another inbox's conversation seen")
		wantCode(t, f.svc.AgentSeen(ctx, f.agent, own.Conversation.ID, 0), sahay.EINVALID, "seen up to no message")
		if n := f.count(t, `SELECT COUNT(*) FROM widget_reads`); n != 0 {
			t.Fatalf("refused seen marks stored %d rows", n)
		}

		if err := f.svc.AgentTyping(ctx, f.agent, own.Conversation.ID, true); err != nil {
			t.Fatalf("AgentTyping: %v", err)
		}
		ev := nextLive(t, sub, received)
		var typing map[string]any
		json.Unmarshal(ev.Data, &typing)
		if ev.Type != sahay.EventTyping || ev.Seq != 0 || ev.ConversationID != own.Conversation.ID || ev.InboxID != f.mine.ID ||
			typing["from"] != "user" || typing["name"] != "agent" || typing["on"] != true ||
			typing["user_id"] != float64(f.agentUser.ID) || typing["conversation_id"] != float64(own.Conversation.ID) {
			t.Fatalf("agent typing event = %+v %s", ev, ev.Data)
		}

		if err := f.svc.AgentSeen(ctx, f.agent, own.Conversation.ID, own.Message.ID); err != nil {
			t.Fatalf("AgentSeen: %v", err)
		}
		ev = nextLive(t, sub, received)
		if ev.Type != sahay.EventSeen || ev.Seq != 0 || string(ev.Data) != `{"conversation_id":`+itoa(own.Conversation.ID)+`,"upto":`+itoa(own.Message.ID)+`,"user_id":`+itoa(f.agentUser.ID)+`}` {
			t.Fatalf("seen event = %+v %s", ev, ev.Data)
		}
		seen, err := f.svc.TeamSeen(ctx, f.account.ID, []int64{own.Conversation.ID, hidden.ID})
		if err != nil || len(seen) != 1 || seen[own.Conversation.ID] != own.Message.ID {
			t.Fatalf("TeamSeen = %v, %v; want only %d up to %d", seen, err, own.Conversation.ID, own.Message.ID)
		}
		// Marking the same message again moves nothing and tells nobody:
		// the next event is the customer's typing.
		if err := f.svc.AgentSeen(ctx, f.agent, own.Conversation.ID, own.Message.ID); err != nil {
			t.Fatalf("AgentSeen again: %v", err)
		}
		if err := f.svc.ContactTyping(ctx, f.mine, own.Conversation.ID, own.Conversation.ContactID, false); err != nil {
			t.Fatalf("ContactTyping: %v", err)
		}
		ev = nextLive(t, sub, received)
		json.Unmarshal(ev.Data, &typing)
		if ev.Type != sahay.EventTyping || typing["from"] != "contact" || typing["contact_id"] != float64(own.Conversation.ContactID) || typing["on"] != false {
			t.Fatalf("after a repeated seen mark, event = %+v %s; want the customer's typing", ev, ev.Data)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCustomerSeesOnlyTheirOwn(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.receive(t, f.mine, "cust-a", "m1", "hello").Conversation
		b := f.receive(t, f.mine, "cust-b", "m2", "hi").Conversation
		elsewhere := f.receive(t, f.theirs, "cust-a", "m1", "hello there").Conversation

		id, err := f.svc.ChannelContactID(ctx, f.mine, "", "cust-a")
		if err != nil || id != a.ContactID {
			t.Fatalf("ChannelContactID = %d, %v; want %d", id, err, a.ContactID)
		}
		_, err = f.svc.ChannelContactID(ctx, f.mine, "", "cust-nobody")
		wantCode(t, err, sahay.ENOTFOUND, "contact of an unknown identity")

		if c, err := f.svc.CustomerConversation(ctx, f.mine, a.ContactID, a.ID); err != nil || c.ID != a.ID {
			t.Fatalf("CustomerConversation of their own = %v, %v", c, err)
		}
		for _, tt := range []struct {
			what    string
			inbox   *sahay.Inbox
			contact int64
			id      int64
		}{
			{"another customer's", f.mine, a.ContactID, b.ID},
			{"their own through another inbox", f.theirs, a.ContactID, a.ID},
			{"another inbox's", f.mine, a.ContactID, elsewhere.ID},
			{"nobody's", f.mine, 0, a.ID},
			{"a missing one", f.mine, a.ContactID, a.ID + 1000},
		} {
			_, err := f.svc.CustomerConversation(ctx, tt.inbox, tt.contact, tt.id)
			wantCode(t, err, sahay.ENOTFOUND, "customer reads "+tt.what+" conversation")
		}

		list, err := f.svc.CustomerConversations(ctx, f.mine, a.ContactID, 20)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("CustomerConversations = %v, %v; want only %d", list, err, a.ID)
		}
		_, err = f.svc.CustomerConversations(ctx, f.mine, a.ContactID, 0)
		wantCode(t, err, sahay.EINVALID, "conversations without a limit")
		ms, err := f.svc.CustomerMessages(ctx, a, 0, 50)
		if err != nil || len(ms) != 1 || ms[0].Content != "hello" {
			t.Fatalf("CustomerMessages = %v, %v", ms, err)
		}
		_, err = f.svc.CustomerMessages(ctx, a, 0, 201)
		wantCode(t, err, sahay.EINVALID, "messages past the page limit")
	})
}

func TestRatingsAreTheCustomersAndTheAgentsInboxes(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.receive(t, f.mine, "cust-a", "m1", "hello").Conversation
		b := f.receive(t, f.mine, "cust-b", "m2", "hi").Conversation

		_, err := f.svc.RateConversation(ctx, f.mine, a.ID, a.ContactID, 5, "")
		wantCode(t, err, sahay.ECONFLICT, "rating an open conversation")
		resolved := sahay.StatusResolved
		if _, err := f.svc.UpdateConversation(ctx, f.admin, a.ID, core.ConversationUpdate{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
		before := f.lastSeq(t)
		_, err = f.svc.RateConversation(ctx, f.mine, a.ID, b.ContactID, 5, "")
		wantCode(t, err, sahay.ENOTFOUND, "rating another customer's conversation")
		_, err = f.svc.RateConversation(ctx, f.theirs, a.ID, a.ContactID, 5, "")
		wantCode(t, err, sahay.ENOTFOUND, "rating a conversation through another inbox")
		_, err = f.svc.RateConversation(ctx, f.mine, a.ID, a.ContactID, 6, "")
		wantCode(t, err, sahay.EINVALID, "rating 6")
		if n := f.count(t, `SELECT COUNT(*) FROM widget_csat`); n != 0 || f.lastSeq(t) != before {
			t.Fatalf("refused ratings stored %d rows and events up to %d", n, f.lastSeq(t))
		}

		r, err := f.svc.RateConversation(ctx, f.mine, a.ID, a.ContactID, 4, "quick, thanks")
		if err != nil || r.Rating != 4 || r.InboxID != f.mine.ID {
			t.Fatalf("RateConversation = %+v, %v", r, err)
		}
		if evs := f.eventsAfter(t, before); len(evs) != 1 || evs[0].Type != sahay.EventCSATCreated || evs[0].ConversationID != a.ID {
			t.Fatalf("events of a rating = %v", eventTypes(evs))
		}
		if got, err := f.svc.ConversationRating(ctx, a); err != nil || got.Comment != "quick, thanks" {
			t.Fatalf("ConversationRating = %+v, %v", got, err)
		}
		_, err = f.svc.ConversationRating(ctx, b)
		wantCode(t, err, sahay.ENOTFOUND, "rating of an unrated conversation")

		report, err := f.svc.InboxRatings(ctx, f.agent, f.mine.ID)
		if err != nil || report.Count != 1 || report.Satisfaction != 1 || len(report.Responses) != 1 {
			t.Fatalf("InboxRatings = %+v, %v", report, err)
		}
		_, err = f.svc.InboxRatings(ctx, f.agent, f.theirs.ID)
		wantCode(t, err, sahay.ENOTFOUND, "agent reads another inbox's ratings")
	})
}

func TestOrdersAndCampaignsAreReadByWhoMaySee(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.receive(t, f.mine, "cust-a", "m1", "hello").Conversation
		hidden := f.receive(t, f.theirs, "cust-h", "m1", "hi").Conversation
		for _, contact := range []int64{a.ContactID, hidden.ContactID} {
			o := &sahay.Order{AccountID: f.account.ID, InboxID: f.mine.ID, ContactID: contact, Source: "api", Kind: "order",
				ExternalID: "o-" + itoa(contact), Total: "12.5", Currency: "BDT", Status: "placed"}
			if err := f.svc.RecordOrder(ctx, o); err != nil {
				t.Fatalf("RecordOrder: %v", err)
			}
		}
		orders, err := f.svc.ContactOrders(ctx, f.agent, a.ContactID)
		if err != nil || len(orders) != 1 || orders[0].Total != "12.5" {
			t.Fatalf("ContactOrders = %v, %v", orders, err)
		}
		_, err = f.svc.ContactOrders(ctx, f.agent, hidden.ContactID)
		wantCode(t, err, sahay.ENOTFOUND, "agent reads the orders of a contact they may not see")

		for _, bad := range []struct {
			id              string
			shown, answered int64
		}{{"", 1, 0}, {"spring", 0, 0}, {"spring", -1, 2}, {string(make([]byte, 101)), 1, 0}} {
			err := f.svc.CountCampaign(ctx, f.mine, bad.id, bad.shown, bad.answered)
			wantCode(t, err, sahay.EINVALID, "campaign count "+itoa(bad.shown)+"/"+itoa(bad.answered))
		}
		if n := f.count(t, `SELECT COUNT(*) FROM widget_campaign_stats`); n != 0 {
			t.Fatalf("refused campaign counts stored %d rows", n)
		}
		for _, c := range [][2]int64{{1, 0}, {1, 0}, {0, 1}} {
			if err := f.svc.CountCampaign(ctx, f.mine, "spring", c[0], c[1]); err != nil {
				t.Fatal(err)
			}
		}
		stats, err := f.svc.CampaignStats(ctx, f.agent, f.mine.ID)
		if err != nil || len(stats) != 1 || stats[0] != (sahay.CampaignStat{CampaignID: "spring", Shown: 2, Replied: 1}) {
			t.Fatalf("CampaignStats = %v, %v", stats, err)
		}
		_, err = f.svc.CampaignStats(ctx, f.agent, f.theirs.ID)
		wantCode(t, err, sahay.ENOTFOUND, "agent reads another inbox's campaigns")

		_, err = f.svc.TouchWidgetVisitor(ctx, f.mine, "", time.Minute)
		wantCode(t, err, sahay.EINVALID, "a visit of nobody")
		// Two page views a moment apart are one visit.
		for i := range 2 {
			if visits, err := f.svc.TouchWidgetVisitor(ctx, f.mine, "v:abc", time.Minute); err != nil || visits != 1 {
				t.Fatalf("page view %d: %d visits, %v; want 1", i+1, visits, err)
			}
		}
	})
}
