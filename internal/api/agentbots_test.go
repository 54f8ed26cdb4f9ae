package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/api"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
)

func TestAgentBotSettingsAndToken(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Bot shop")
		agent := s.NewUser(t, owner, "agent")
		inbox := s.NewInbox(t, owner, "API", "api", nil, agent.ID)
		other := s.NewInbox(t, owner, "Other", "api", nil, agent.ID)
		path := fmt.Sprintf("/api/v1/inboxes/%d/agent_bot", inbox.ID)
		hook := newWebhook(t)

		wantError(t, s.Call(t, owner.Token, http.MethodGet, path, nil), http.StatusNotFound, "not_found")
		wantError(t, s.Call(t, owner.Token, http.MethodPost, path+"/token", nil), http.StatusConflict, "conflict")
		wantError(t, s.Call(t, agent.Token, http.MethodPut, path, map[string]any{"webhook_url": hook.URL}), http.StatusForbidden, "forbidden")
		for _, u := range []string{"", "ftp://bot.example.com/hook", "https://user:pw@bot.example.com/hook"} {
			wantError(t, s.Call(t, owner.Token, http.MethodPut, path, map[string]any{"webhook_url": u}), http.StatusUnprocessableEntity, "invalid")
		}
		wantError(t, s.Call(t, owner.Token, http.MethodGet, path, nil), http.StatusNotFound, "not_found")

		var bot core.AgentBot
		s.Must(t, owner.Token, http.MethodPut, path, map[string]any{"webhook_url": hook.URL}, http.StatusOK, &bot)
		if bot.WebhookURL != hook.URL || !strings.HasPrefix(bot.Secret, "whsec_") {
			t.Fatalf("agent bot %+v", bot)
		}
		secret := bot.Secret
		var again core.AgentBot
		s.Must(t, owner.Token, http.MethodGet, path, nil, http.StatusOK, &again)
		if again.Secret != "" || again.WebhookURL != hook.URL {
			t.Errorf("the secret is shown again: %+v", again)
		}
		s.Must(t, owner.Token, http.MethodPut, path, map[string]any{"webhook_url": hook.URL + "/v2"}, http.StatusOK, &again)
		if again.Secret != "" || again.WebhookURL != hook.URL+"/v2" {
			t.Errorf("changing the URL: %+v", again)
		}
		s.Must(t, owner.Token, http.MethodPut, path, map[string]any{"webhook_url": hook.URL, "rotate_secret": true}, http.StatusOK, &again)
		if again.Secret == "" || again.Secret == secret {
			t.Errorf("rotating the secret: %+v", again)
		}

		var tok api.AgentBotToken
		s.Must(t, owner.Token, http.MethodPost, path+"/token", nil, http.StatusCreated, &tok)
		if !strings.HasPrefix(tok.Token, "sahay_bot_") {
			t.Fatalf("token %+v", tok)
		}
		// The bot's token is not one of the admin's own tokens.
		mine := s.Must(t, owner.Token, http.MethodGet, "/api/v1/me/tokens", nil, http.StatusOK, nil)
		if strings.Contains(string(mine.Body), "Agent bot") {
			t.Errorf("the admin's tokens list the bot's: %s", mine.Body)
		}
		s.Must(t, owner.Token, http.MethodGet, path, nil, http.StatusOK, &again)
		if len(again.Tokens) != 1 || again.Tokens[0].ID != tok.APIToken.ID {
			t.Errorf("tokens %+v", again.Tokens)
		}

		// The bot sees its inbox's conversations only, and nothing else.
		mineConv := s.Receive(t, owner, inbox.ID, "rahim", "hello", "m1")
		otherConv := s.Receive(t, owner, other.ID, "karim", "hello", "m2")
		s.Must(t, tok.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", mineConv.Conversation.ID), nil, http.StatusOK, nil)
		wantError(t, s.Call(t, tok.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", otherConv.Conversation.ID), nil), http.StatusNotFound, "not_found")
		for _, call := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/me"},
			{http.MethodPost, "/api/v1/me/tokens"},
			{http.MethodGet, "/api/v1/users"},
			{http.MethodGet, "/api/v1/inboxes"},
			{http.MethodGet, path},
			{http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID)},
			{http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", mineConv.Conversation.ID)},
		} {
			wantError(t, s.Call(t, tok.Token, call.method, call.path, map[string]any{"name": "x"}), http.StatusForbidden, "forbidden")
		}

		// A new token revokes the old one.
		var tok2 api.AgentBotToken
		s.Must(t, owner.Token, http.MethodPost, path+"/token", nil, http.StatusCreated, &tok2)
		wantError(t, s.Call(t, tok.Token, http.MethodGet, "/api/v1/conversations", nil), http.StatusUnauthorized, "unauthorized")
		s.Must(t, tok2.Token, http.MethodGet, "/api/v1/conversations", nil, http.StatusOK, nil)

		// Disconnecting the bot revokes its token.
		s.Must(t, owner.Token, http.MethodDelete, path, nil, http.StatusNoContent, nil)
		wantError(t, s.Call(t, tok2.Token, http.MethodGet, "/api/v1/conversations", nil), http.StatusUnauthorized, "unauthorized")
		wantError(t, s.Call(t, owner.Token, http.MethodGet, path, nil), http.StatusNotFound, "not_found")
	})
}

func TestAgentBotURLsOfTheServersNetworkAreRefused(t *testing.T) {
	s := apitest.NewServerWith(t, apitest.Options{GuardURLs: true})
	owner := s.NewAccount(t, "Guarded")
	inbox := s.NewInbox(t, owner, "API", "api", nil)
	for _, u := range []string{"http://127.0.0.1:9000/hook", "http://169.254.169.254/latest/meta-data", "http://localhost/hook", "http://[::1]/hook"} {
		r := s.Call(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/inboxes/%d/agent_bot", inbox.ID), map[string]any{"webhook_url": u})
		wantError(t, r, http.StatusUnprocessableEntity, "invalid")
	}
}

// TestAgentBotConversation: a fake bot receives each customer message of
// the conversations its inbox starts with it, signed; it answers through
// the API with its token, as the bot, and hands off; a delivery it failed
// with a 500 comes again; a request for a person skips the bot.
func TestAgentBotConversation(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Bot shop")
		agent := s.NewUser(t, owner, "agent")
		inbox := s.NewInbox(t, owner, "API", "api", nil, agent.ID)
		hook := newWebhook(t)
		var bot core.AgentBot
		s.Must(t, owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/inboxes/%d/agent_bot", inbox.ID), map[string]any{"webhook_url": hook.URL}, http.StatusOK, &bot)
		var tok api.AgentBotToken
		s.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/agent_bot/token", inbox.ID), nil, http.StatusCreated, &tok)

		rec := s.Receive(t, owner, inbox.ID, "rahim", "আমার অর্ডার কোথায়?", "m1")
		if rec.Conversation.Status != sahay.StatusPending {
			t.Fatalf("a new conversation of a bot's inbox is %s, want pending", rec.Conversation.Status)
		}
		call := hook.next(t)
		if call.method != http.MethodPost || call.header.Get("Content-Type") != "application/json" || call.header.Get("X-Sahay-Event") != "message.created" {
			t.Errorf("delivery %s %v", call.method, call.header)
		}
		checkSignature(t, bot.Secret, call.header.Get("X-Sahay-Signature"), call.body)
		var p core.AgentBotPayload
		if err := json.Unmarshal(call.body, &p); err != nil {
			t.Fatalf("payload %s: %v", call.body, err)
		}
		if p.Event != "message.created" || p.Conversation.ID != rec.Conversation.ID || p.Conversation.Status != sahay.StatusPending ||
			p.Message.ID != rec.Message.ID || p.Message.Content != "আমার অর্ডার কোথায়?" || p.Contact.Name != "rahim" ||
			p.Inbox.ID != inbox.ID || p.Inbox.Channel != "api" || p.Language != "bn" || p.Analysis.Script != "Beng" {
			t.Errorf("payload %s", call.body)
		}

		// The bot answers as the bot; the conversation stays with it.
		conv := fmt.Sprintf("/api/v1/conversations/%d", rec.Conversation.ID)
		var answer sahay.Message
		s.Must(t, tok.Token, http.MethodPost, conv+"/messages", map[string]any{"content": "আপনার অর্ডার আগামীকাল পৌঁছাবে।"}, http.StatusCreated, &answer)
		if answer.SenderType != sahay.SenderBot || answer.Kind != sahay.MessageOutgoing || answer.Details == nil || answer.Details.Bot == nil ||
			answer.Details.Bot.Source != core.AgentBotSource {
			t.Errorf("the bot's answer %+v", answer)
		}
		var c sahay.Conversation
		s.Must(t, agent.Token, http.MethodGet, conv, nil, http.StatusOK, &c)
		if c.Status != sahay.StatusPending || c.FirstReplyAt != nil {
			t.Errorf("after the bot's answer: status %s, first reply %v", c.Status, c.FirstReplyAt)
		}

		// A delivery the bot fails with a 500 comes again.
		hook.status.Store(http.StatusInternalServerError)
		s.Receive(t, owner, inbox.ID, "rahim", "and the refund?", "m2")
		first := hook.next(t)
		hook.status.Store(http.StatusOK)
		second := hook.next(t)
		var p1, p2 core.AgentBotPayload
		json.Unmarshal(first.body, &p1)
		json.Unmarshal(second.body, &p2)
		if p1.Message.ID == 0 || p1.Message.ID != p2.Message.ID || p2.Message.Content != "and the refund?" ||
			first.header.Get("Idempotency-Key") == "" || first.header.Get("Idempotency-Key") != second.header.Get("Idempotency-Key") {
			t.Errorf("the retry is not the same delivery:\n%s %s\n%s %s", first.header.Get("Idempotency-Key"), first.body, second.header.Get("Idempotency-Key"), second.body)
		}
		checkSignature(t, bot.Secret, second.header.Get("X-Sahay-Signature"), second.body)

		// The bot hands off: the conversation is the team's, and the bot
		// speaks no more in it.
		s.Must(t, tok.Token, http.MethodPost, conv+"/handoff", map[string]any{"reason": "rule", "note": "refund over the limit"}, http.StatusOK, &c)
		if c.Status != sahay.StatusOpen {
			t.Errorf("after the hand-off: %s", c.Status)
		}
		wantError(t, s.Call(t, tok.Token, http.MethodPost, conv+"/messages", map[string]any{"content": "one more thing"}), http.StatusConflict, "conflict")
		s.Receive(t, owner, inbox.ID, "rahim", "hello?", "m3")
		select {
		case extra := <-hook.calls:
			t.Errorf("a message of a handed-off conversation was delivered: %s", extra.body)
		case <-time.After(time.Second):
		}

		// A customer who asks for a person gets one at once; the bot never
		// hears it.
		rec2 := s.Receive(t, owner, inbox.ID, "karim", "I want to talk to a human", "m4")
		if rec2.Conversation.Status != sahay.StatusPending {
			t.Fatalf("status %s", rec2.Conversation.Status)
		}
		eventually(t, "the conversation is handed to a person", func() bool {
			var c sahay.Conversation
			s.Must(t, agent.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", rec2.Conversation.ID), nil, http.StatusOK, &c)
			return c.Status == sahay.StatusOpen
		})
		select {
		case extra := <-hook.calls:
			t.Errorf("a request for a person was delivered to the bot: %s", extra.body)
		case <-time.After(500 * time.Millisecond):
		}
	})
}

// eventually polls check until it holds, for up to 10 seconds.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
