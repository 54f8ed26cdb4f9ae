package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/nlp"
)

func TestToneCheck(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Tone")
		agent := s.NewUser(t, owner, "agent")
		inbox := s.NewInbox(t, owner, "API", "api", map[string]any{"webhook_url": "https://example.com/hook"}, agent.ID)
		angry := s.Receive(t, owner, inbox.ID, "rina", "My order still hasn't arrived, this is terrible!!!", "m1")

		var c nlp.ToneCheck
		check := func(token string, body map[string]any) nlp.ToneCheck {
			t.Helper()
			c = nlp.ToneCheck{}
			s.Must(t, token, http.MethodPost, "/api/v1/tone", body, http.StatusOK, &c)
			return c
		}
		check(agent.Token, map[string]any{"text": "That's not my problem, contact the courier."})
		if !c.Flagged || c.Issues[0].Kind != nlp.ToneRude || c.Issues[0].Text != "not my problem" || !strings.HasPrefix(c.Suggestion, "I understand how frustrating this is") {
			t.Errorf("rude draft: %+v", c)
		}
		check(agent.Token, map[string]any{"text": "No problem at all!"})
		if c.Flagged || c.Suggestion != "" {
			t.Errorf("a kind draft was flagged: %+v", c)
		}

		// A Bengali draft in a conversation is answered in Bengali.
		check(agent.Token, map[string]any{"text": "আমি আগেই বলেছি, টাকা ৫ দিনে ফেরত আসবে।", "conversation_id": angry.Conversation.ID})
		if !c.Flagged || c.Issues[0].Kind != nlp.ToneDismissive || c.Language != "bn" || !strings.HasPrefix(c.Suggestion, "আমি বুঝতে পারছি") {
			t.Errorf("bn draft: %+v", c)
		}

		// The team's policy: only an administrator writes it; every
		// member's drafts are checked against it.
		policy := map[string]any{"forbidden": []string{" cheap ", "cheap", ""}, "promises": []string{"guaranteed refund", "tomorrow for sure"}}
		wantError(t, s.Call(t, agent.Token, http.MethodPut, "/api/v1/tone/policy", policy), http.StatusForbidden, "forbidden")
		var p nlp.TonePolicy
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/tone/policy", policy, http.StatusOK, &p)
		if fmt.Sprint(p.Forbidden, p.Promises) != "[cheap] [guaranteed refund tomorrow for sure]" {
			t.Errorf("saved policy %+v", p)
		}
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/tone/policy", nil, http.StatusOK, &p)
		if len(p.Promises) != 2 {
			t.Errorf("agent reads %+v", p)
		}
		check(agent.Token, map[string]any{"text": "Sorry! Your refund is guaranteed.", "conversation_id": angry.Conversation.ID})
		if !c.Flagged || c.Issues[0].Kind != nlp.TonePolicyKind || c.Issues[0].Code != "promise" || c.Issues[0].Text != "refund is guaranteed" {
			t.Errorf("promise: %+v", c)
		}

		// A short reply to an upset customer is cold, as the analysis of
		// their last message tells; the same to no conversation is not.
		upset := nlp.Analyze(angry.Message.Content).Sentiment == nlp.Negative
		check(agent.Token, map[string]any{"text": "ok", "conversation_id": angry.Conversation.ID})
		if c.Flagged != upset || (upset && c.Issues[0].Kind != nlp.ToneCold) {
			t.Errorf("ok to a customer whose message reads %s: %+v", nlp.Analyze(angry.Message.Content).Sentiment, c)
		}
		if check(agent.Token, map[string]any{"text": "ok"}); c.Flagged {
			t.Errorf("ok to no conversation: %+v", c)
		}

		// Bad input changes nothing and says why.
		for _, bad := range []struct {
			body   any
			status int
		}{
			{map[string]any{"text": ""}, http.StatusUnprocessableEntity},
			{map[string]any{"text": "hi", "extra": 1}, http.StatusBadRequest},
			{map[string]any{"text": strings.Repeat("a", 70<<10)}, http.StatusRequestEntityTooLarge},
			{map[string]any{"text": "hi", "conversation_id": 999999}, http.StatusNotFound},
		} {
			wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/tone", bad.body), bad.status, codeFor(bad.status))
		}
		wantError(t, s.Call(t, "", http.MethodPost, "/api/v1/tone", map[string]any{"text": "hi"}), http.StatusUnauthorized, "unauthorized")
		for _, bad := range []map[string]any{
			{"forbidden": []string{strings.Repeat("x", 121)}},
			{"forbidden": []string{"two\nlines"}},
			{"promises": []string{"!!!"}},
			{"promises": make([]string, 101)},
		} {
			wantError(t, s.Call(t, owner.Token, http.MethodPut, "/api/v1/tone/policy", bad), http.StatusUnprocessableEntity, "invalid")
		}
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/tone/policy", nil, http.StatusOK, &p)
		if fmt.Sprint(p.Forbidden) != "[cheap]" {
			t.Errorf("a refused policy changed it: %+v", p)
		}

		// Checks are rate limited per agent.
		limited := false
		for range 60 {
			r := s.Call(t, agent.Token, http.MethodPost, "/api/v1/tone", map[string]any{"text": "hello"})
			if r.Status == http.StatusTooManyRequests {
				limited = true
				break
			}
		}
		if !limited {
			t.Error("60 checks at once were not rate limited")
		}
	})
}
