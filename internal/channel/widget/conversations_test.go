package widget

import (
	"context"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
)

type sendAnswer struct {
	Message      visitorMessage
	Conversation visitorConversation
}

func TestVisitorKeepsSeveralConversations(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	s := e.session(SessionRequest{})
	send := func(req SendRequest) (sendAnswer, int, string) {
		t.Helper()
		var a sendAnswer
		code, ecode := e.call("POST", "/widget/v1/messages", s.Token, req, &a)
		return a, code, ecode
	}
	first, code, _ := send(SendRequest{ClientID: "c-000001", Text: "Where is order 1042?"})
	if code != http.StatusOK {
		t.Fatalf("first message: %d", code)
	}
	// Without naming one, a message joins the open conversation.
	same, _, _ := send(SendRequest{ClientID: "c-000002", Text: "It was due Monday."})
	if same.Conversation.ID != first.Conversation.ID {
		t.Fatalf("follow-up went to %d, want %d", same.Conversation.ID, first.Conversation.ID)
	}
	// Asking for a new one starts it while the first stays open.
	second, code, _ := send(SendRequest{ClientID: "c-000003", Text: "Separately: do you ship to Sylhet?", New: true})
	if code != http.StatusOK || second.Conversation.ID == first.Conversation.ID || second.Conversation.Status != sahay.StatusOpen {
		t.Fatalf("new conversation: %d %+v", code, second.Conversation)
	}
	// The platform-style retry of the same message starts nothing more.
	again, _, _ := send(SendRequest{ClientID: "c-000003", Text: "Separately: do you ship to Sylhet?", New: true})
	if again.Conversation.ID != second.Conversation.ID || again.Message.ID != second.Message.ID {
		t.Fatalf("retry made %+v, want the same message in %d", again, second.Conversation.ID)
	}
	// Naming the first one continues it, though the second is newer.
	back, _, _ := send(SendRequest{ClientID: "c-000004", Text: "Any news on 1042?", Conversation: first.Conversation.ID})
	if back.Conversation.ID != first.Conversation.ID {
		t.Fatalf("named message went to %d, want %d", back.Conversation.ID, first.Conversation.ID)
	}
	// Over the socket too.
	ws := e.dial(s.Token, s.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "msg", "cid": "c-000005", "text": "Thanks!", "c": second.Conversation.ID})
	if ack := ws.next("ack"); num(field(ack, "c", "id")) != second.Conversation.ID {
		t.Fatalf("socket ack = %v", ack)
	}
	ws.send(map[string]any{"t": "msg", "cid": "c-000006", "text": "One more thing", "new": true})
	third := num(field(ws.next("ack"), "c", "id"))
	if third == first.Conversation.ID || third == second.Conversation.ID {
		t.Fatalf("socket new conversation = %d", third)
	}

	var list struct{ Conversations []visitorConversation }
	e.call("GET", "/widget/v1/conversations", s.Token, nil, &list)
	if len(list.Conversations) != 3 {
		t.Fatalf("visitor lists %d conversations, want 3", len(list.Conversations))
	}
	agentList, _, err := e.svc.ListConversations(context.Background(), e.agent, core.ListQuery{})
	if err != nil || len(agentList) != 3 {
		t.Fatalf("agent lists %d conversations (%v), want 3", len(agentList), err)
	}

	// A resolved conversation named by the visitor opens again.
	resolved := sahay.StatusResolved
	if _, err := e.svc.UpdateConversation(context.Background(), e.agent, first.Conversation.ID, core.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	reopened, _, _ := send(SendRequest{ClientID: "c-000007", Text: "It arrived, but damaged.", Conversation: first.Conversation.ID})
	if reopened.Conversation.ID != first.Conversation.ID || reopened.Conversation.Status != sahay.StatusOpen {
		t.Fatalf("resolved conversation: %+v", reopened.Conversation)
	}
}

func TestVisitorCannotWriteIntoAnotherConversation(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	ayesha := e.session(SessionRequest{})
	var theirs sendAnswer
	e.call("POST", "/widget/v1/messages", ayesha.Token, SendRequest{ClientID: "c-000001", Text: "private order details"}, &theirs)
	mallory := e.session(SessionRequest{})
	var mine sendAnswer
	e.call("POST", "/widget/v1/messages", mallory.Token, SendRequest{ClientID: "c-000001", Text: "hello"}, &mine)

	before, _ := e.store.Messages(context.Background(), e.inbox.AccountID, theirs.Conversation.ID, 0, 100)
	for _, c := range []struct {
		name  string
		req   SendRequest
		code  int
		ecode string
	}{
		{"another visitor's conversation", SendRequest{ClientID: "c-000002", Text: "let me in", Conversation: theirs.Conversation.ID}, http.StatusBadRequest, sahay.ENOTFOUND},
		{"a conversation that does not exist", SendRequest{ClientID: "c-000003", Text: "hi", Conversation: 999999}, http.StatusBadRequest, sahay.ENOTFOUND},
		{"a negative id", SendRequest{ClientID: "c-000004", Text: "hi", Conversation: -1}, http.StatusBadRequest, sahay.EINVALID},
		{"both a conversation and new", SendRequest{ClientID: "c-000005", Text: "hi", Conversation: mine.Conversation.ID, New: true}, http.StatusBadRequest, sahay.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, ecode := e.call("POST", "/widget/v1/messages", mallory.Token, c.req, nil)
			if code == http.StatusOK || ecode != c.ecode {
				t.Fatalf("answered %d %q, want %q", code, ecode, c.ecode)
			}
		})
	}
	// The socket refuses it the same way and stays up.
	ws := e.dial(mallory.Token, mallory.Seq)
	ws.next("ready")
	ws.send(map[string]any{"t": "msg", "cid": "c-000006", "text": "let me in", "c": theirs.Conversation.ID})
	if f := ws.next("err"); f["code"] != sahay.ENOTFOUND {
		t.Fatalf("socket error = %v", f)
	}
	ws.send(map[string]any{"t": "ping"})
	ws.next("pong")

	after, _ := e.store.Messages(context.Background(), e.inbox.AccountID, theirs.Conversation.ID, 0, 100)
	if len(after) != len(before) {
		t.Fatalf("the other visitor's conversation went from %d to %d messages", len(before), len(after))
	}
	agentList, _, _ := e.svc.ListConversations(context.Background(), e.agent, core.ListQuery{})
	if len(agentList) != 2 {
		t.Fatalf("%d conversations after refused messages, want 2", len(agentList))
	}
}

func TestCampaignReplyKeepsTheCampaignMessage(t *testing.T) {
	e := newEnv(t, `{"campaigns":[{"id":"eid-sale","enabled":true,"message":"ঈদের অফার: আজ সব শাড়িতে ২০% ছাড়!","url_pattern":"*","time_on_page":5}]}`, Limits{})
	s := e.session(SessionRequest{})
	var a sendAnswer
	if code, ecode := e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000001", Text: "Does it include cotton sarees?", Campaign: "eid-sale"}, &a); code != http.StatusOK {
		t.Fatalf("reply: %d %s", code, ecode)
	}
	msgs, err := e.store.Messages(context.Background(), e.inbox.AccountID, a.Conversation.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("timeline has %d messages, want the campaign's and the reply", len(msgs))
	}
	opening, reply := msgs[0], msgs[1]
	if opening.Content != "ঈদের অফার: আজ সব শাড়িতে ২০% ছাড়!" || opening.Kind != sahay.MessageOutgoing ||
		opening.SenderType != sahay.SenderBot || opening.Status != sahay.DeliveryDelivered {
		t.Fatalf("opening = %+v", opening)
	}
	if reply.Content != "Does it include cotton sarees?" || reply.Kind != sahay.MessageIncoming {
		t.Fatalf("reply = %+v", reply)
	}
	// The visitor's history shows it too, as the shop's words.
	var hist struct{ Messages []visitorMessage }
	e.call("GET", "/widget/v1/conversations/"+itoa(a.Conversation.ID)+"/messages", s.Token, nil, &hist)
	if len(hist.Messages) != 2 || !hist.Messages[0].Out || hist.Messages[0].Text != opening.Content {
		t.Fatalf("visitor history = %+v", hist.Messages)
	}
	// A later message in the same conversation adds no second copy and is
	// not counted again; an unknown campaign id adds nothing.
	e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000002", Text: "And silk?", Campaign: "eid-sale"}, nil)
	other := e.session(SessionRequest{})
	var b sendAnswer
	e.call("POST", "/widget/v1/messages", other.Token, SendRequest{ClientID: "c-000001", Text: "hello", Campaign: "no-such"}, &b)
	if msgs, _ := e.store.Messages(context.Background(), e.inbox.AccountID, a.Conversation.ID, 0, 10); len(msgs) != 3 {
		t.Fatalf("first conversation has %d messages, want 3", len(msgs))
	}
	if msgs, _ := e.store.Messages(context.Background(), e.inbox.AccountID, b.Conversation.ID, 0, 10); len(msgs) != 1 {
		t.Fatalf("unknown campaign: %d messages, want 1", len(msgs))
	}
	stats, err := e.store.CampaignStats(context.Background(), e.inbox.ID)
	if err != nil || len(stats) != 1 || stats[0].Replied != 1 {
		t.Fatalf("campaign stats = %+v, %v", stats, err)
	}
}

func TestAnonymousVisitorIsNamedReadably(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	s := e.session(SessionRequest{})
	var a sendAnswer
	e.call("POST", "/widget/v1/messages", s.Token, SendRequest{ClientID: "c-000001", Text: "hello"}, &a)
	list, _, err := e.svc.ListConversations(context.Background(), e.agent, core.ListQuery{})
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	want := "Visitor " + strings.ToUpper(strings.TrimPrefix(s.Visitor.ID, "v:")[:4])
	if got := list[0].Contact.Name; got != want {
		t.Fatalf("agents see the visitor as %q, want %q", got, want)
	}
	// The visitor is not shown the placeholder as their own name, and a real
	// name replaces it.
	if again := e.session(SessionRequest{Token: s.Token}); again.Visitor.Name != "" {
		t.Fatalf("the visitor's own name = %q, want empty", again.Visitor.Name)
	}
	e.call("POST", "/widget/v1/contact", s.Token, ContactRequest{Name: "Asha Roy"}, nil)
	list, _, _ = e.svc.ListConversations(context.Background(), e.agent, core.ListQuery{})
	if got := list[0].Contact.Name; got != "Asha Roy" {
		t.Fatalf("after the pre-chat form the visitor is %q, want Asha Roy", got)
	}
}
