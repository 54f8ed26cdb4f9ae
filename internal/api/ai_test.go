package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/ai/aitest"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/nlp"
)

// aiConversation opens an account with an API inbox, a customer's
// message in it, and an agent who may see it.
func aiConversation(t *testing.T, s *apitest.Server) (owner, agent *apitest.User, convID int64) {
	owner = s.NewAccount(t, "AI shop")
	agent = s.NewUser(t, owner, "agent")
	inbox := s.NewInbox(t, owner, "API", "api", nil, agent.ID)
	rec := s.Receive(t, owner, inbox.ID, "rahim", "আমার অর্ডার এখনও আসেনি, খুব বিরক্ত", "m1")
	return owner, agent, rec.Conversation.ID
}

func TestAISettings(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		s := apitest.NewServer(t)
		srv := aitest.New(t)
		owner, agent, _ := aiConversation(t, s)

		var got core.AISettings
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/ai", nil, http.StatusOK, &got)
		if got.Enabled {
			t.Fatalf("AI is on by default: %+v", got)
		}
		good := map[string]any{"base_url": srv.BaseURL(), "model": aitest.Model, "api_key": aitest.Key}
		wantError(t, s.Call(t, agent.Token, http.MethodPut, "/api/v1/ai", good), http.StatusForbidden, "forbidden")
		for _, body := range []map[string]any{
			{"base_url": "ftp://example.com/v1", "model": aitest.Model, "api_key": "k"},
			{"base_url": "", "model": aitest.Model},
			{"base_url": "https://user:pw@example.com/v1", "model": aitest.Model},
			{"base_url": srv.BaseURL(), "model": " "},
			{"base_url": srv.BaseURL(), "model": aitest.Model, "api_key": "a\nb"},
		} {
			wantError(t, s.Call(t, owner.Token, http.MethodPut, "/api/v1/ai", body), http.StatusUnprocessableEntity, "invalid")
		}
		wantError(t, s.Call(t, owner.Token, http.MethodPut, "/api/v1/ai", map[string]any{"base_url": srv.BaseURL(), "modle": "x"}),
			http.StatusBadRequest, "bad_request")
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/ai", nil, http.StatusOK, &got)
		if got.Enabled {
			t.Fatalf("a refused setting turned AI on: %+v", got)
		}

		r := s.Must(t, owner.Token, http.MethodPut, "/api/v1/ai", good, http.StatusOK, &got)
		if !got.Enabled || !got.KeySet || got.BaseURL != srv.BaseURL() || got.Model != aitest.Model {
			t.Errorf("saved: %+v", got)
		}
		for _, tok := range []string{owner.Token, agent.Token} {
			r2 := s.Must(t, tok, http.MethodGet, "/api/v1/ai", nil, http.StatusOK, nil)
			if strings.Contains(string(r2.Body), aitest.Key) || strings.Contains(string(r.Body), aitest.Key) {
				t.Errorf("the API shows the key: %s", r2.Body)
			}
		}
		var seen core.AISettings
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/ai", nil, http.StatusOK, &seen)
		if !seen.Enabled || seen.BaseURL != "" || seen.Model != "" || seen.UpdatedAt != nil {
			t.Errorf("an agent sees %+v", seen)
		}
		stored, err := s.App.Store.AISettings(context.Background(), owner.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored.APIKey, aitest.Key) || !strings.HasPrefix(stored.APIKey, "v1:") {
			t.Errorf("the key is not sealed in the database: %q", stored.APIKey)
		}
		audit := s.Must(t, owner.Token, http.MethodGet, "/api/v1/audit_log", nil, http.StatusOK, nil)
		if !strings.Contains(string(audit.Body), "ai.update") || strings.Contains(string(audit.Body), aitest.Key) {
			t.Errorf("audit log: %s", audit.Body)
		}

		// Changing the model without a key keeps the key.
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/ai", map[string]any{"base_url": srv.BaseURL(), "model": aitest.Model}, http.StatusOK, &got)
		var test core.AITestResult
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/ai/test", nil, http.StatusOK, &test)
		if !test.OK {
			t.Errorf("test: %+v", test)
		}
		reqs := srv.Requests()
		if len(reqs) != 1 || reqs[0].Authorization != "Bearer "+aitest.Key || reqs[0].Model != aitest.Model {
			t.Errorf("test requests %+v", reqs)
		}
		// Testing unsaved settings with a wrong key fails clearly, saves
		// nothing, and does not sign the admin out.
		r = s.Call(t, owner.Token, http.MethodPost, "/api/v1/ai/test", map[string]any{"base_url": srv.BaseURL(), "model": aitest.Model, "api_key": "sk-wrong-9999"})
		wantError(t, r, http.StatusBadGateway, "platform_unavailable")
		if _, msg := r.Error(); !strings.Contains(msg, "refused the API key") || strings.Contains(msg, "sk-wrong-9999") {
			t.Errorf("wrong key: %s", msg)
		}
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/ai/test", map[string]any{}, http.StatusOK, &test)

		s.Must(t, owner.Token, http.MethodDelete, "/api/v1/ai", nil, http.StatusNoContent, nil)
		var off core.AISettings
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/ai", nil, http.StatusOK, &off)
		if off.Enabled {
			t.Errorf("AI still on after delete: %+v", off)
		}
		wantError(t, s.Call(t, owner.Token, http.MethodPost, "/api/v1/ai/test", nil), http.StatusConflict, "conflict")
	})
}

func TestAIURLsOfTheServersNetworkAreRefused(t *testing.T) {
	s := apitest.NewServerWith(t, apitest.Options{GuardURLs: true})
	owner := s.NewAccount(t, "Guarded")
	for _, u := range []string{"http://127.0.0.1:8080/v1", "http://169.254.169.254/v1", "http://localhost/v1", "http://10.0.0.5/v1"} {
		r := s.Call(t, owner.Token, http.MethodPut, "/api/v1/ai", map[string]any{"base_url": u, "model": "m", "api_key": "k"})
		wantError(t, r, http.StatusUnprocessableEntity, "invalid")
	}
}

func TestAISuggestionsAndSummary(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		s := apitest.NewServer(t)
		srv := aitest.New(t)
		owner, agent, conv := aiConversation(t, s)
		suggest := fmt.Sprintf("/api/v1/conversations/%d/suggestions", conv)
		summary := fmt.Sprintf("/api/v1/conversations/%d/summary", conv)

		r := s.Call(t, agent.Token, http.MethodPost, suggest, nil)
		wantError(t, r, http.StatusConflict, "conflict")
		if len(srv.Requests()) != 0 {
			t.Fatal("AI was called while off")
		}
		s.Must(t, owner.Token, http.MethodPut, "/api/v1/ai", map[string]any{"base_url": srv.BaseURL(), "model": aitest.Model, "api_key": aitest.Key}, http.StatusOK, nil)

		srv.Answer(`{"suggestions": ["দুঃখিত, আমি এখনই দেখছি।", "আপনার অর্ডার নম্বরটি দেবেন?"]}`)
		var sug core.Suggestions
		s.Must(t, agent.Token, http.MethodPost, suggest, nil, http.StatusOK, &sug)
		if len(sug.Suggestions) != 2 || sug.Suggestions[0] != "দুঃখিত, আমি এখনই দেখছি।" {
			t.Errorf("suggestions %+v", sug)
		}
		prompt := srv.Requests()[0].Text()
		if !strings.Contains(prompt, "customer: আমার অর্ডার এখনও আসেনি") {
			t.Errorf("prompt:\n%s", prompt)
		}

		srv.Answer("The customer's order has not arrived; nothing promised yet.")
		var sum core.Summary
		s.Must(t, agent.Token, http.MethodPost, summary, nil, http.StatusOK, &sum)
		if sum.Summary != "The customer's order has not arrived; nothing promised yet." {
			t.Errorf("summary %+v", sum)
		}

		// The endpoint's failures are clear errors and change nothing.
		// The messages as stored, without their analyses, which the scorer
		// may add at any time.
		messages := func() string {
			var page struct {
				Items []sahay.Message `json:"items"`
			}
			s.Must(t, agent.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", conv), nil, http.StatusOK, &page)
			for i := range page.Items {
				page.Items[i].Analysis = nil
			}
			out, _ := json.Marshal(page.Items)
			return string(out)
		}
		before := messages()
		for name, reply := range map[string]func(aitest.Request) (int, []byte){
			"rate limited": func(aitest.Request) (int, []byte) {
				return http.StatusTooManyRequests, aitest.Error("slow down", "rate_limit")
			},
			"garbage": func(aitest.Request) (int, []byte) { return http.StatusOK, []byte("{{{") },
			"unauthorized": func(aitest.Request) (int, []byte) {
				return http.StatusUnauthorized, aitest.Error("bad key "+aitest.Key, "auth")
			},
		} {
			srv.Reply(reply)
			r := s.Call(t, owner.Token, http.MethodPost, summary, nil)
			wantError(t, r, http.StatusBadGateway, "platform_unavailable")
			if _, msg := r.Error(); !strings.Contains(msg, "AI endpoint") || strings.Contains(msg, aitest.Key) {
				t.Errorf("%s: %s", name, msg)
			}
		}
		if after := messages(); before != after {
			t.Errorf("a failed AI call changed the conversation")
		}

		// Another account's conversation is not found, and costs nothing.
		other := s.NewAccount(t, "Other")
		n := len(srv.Requests())
		wantError(t, s.Call(t, other.Token, http.MethodPost, suggest, nil), http.StatusNotFound, "not_found")
		if len(srv.Requests()) != n {
			t.Error("AI was called for another account's conversation")
		}

		// Each user has a budget of AI calls.
		srv.Answer(`{"suggestions": ["ok"]}`)
		limited := false
		for range 15 {
			r := s.Call(t, agent.Token, http.MethodPost, suggest, nil)
			if r.Status == http.StatusTooManyRequests {
				wantError(t, r, http.StatusTooManyRequests, "rate_limited")
				limited = true
				break
			}
		}
		if !limited {
			t.Error("15 AI calls in a row were not rate limited")
		}
		s.Must(t, owner.Token, http.MethodPost, suggest, nil, http.StatusOK, nil)
	})
}

// TestAIRephrasesForTheToneGuard: asked to, the tone check of a flagged
// draft suggests the AI's rephrasing; with AI off or failing, the offline
// one.
func TestAIRephrasesForTheToneGuard(t *testing.T) {
	s := apitest.NewServer(t)
	srv := aitest.New(t)
	owner, agent, conv := aiConversation(t, s)
	draft := map[string]any{"text": "That's not my problem, contact the courier.", "conversation_id": conv, "rephrase": true}
	var c nlp.ToneCheck
	s.Must(t, agent.Token, http.MethodPost, "/api/v1/tone", draft, http.StatusOK, &c)
	offline := c.Suggestion
	if !c.Flagged || offline == "" {
		t.Fatalf("with AI off: %+v", c)
	}

	s.Must(t, owner.Token, http.MethodPut, "/api/v1/ai", map[string]any{"base_url": srv.BaseURL(), "model": aitest.Model, "api_key": aitest.Key}, http.StatusOK, nil)
	srv.Answer("দুঃখিত, আপনার অসুবিধার জন্য। আমি কুরিয়ারের সাথে কথা বলছি।")
	s.Must(t, agent.Token, http.MethodPost, "/api/v1/tone", draft, http.StatusOK, &c)
	if c.Suggestion != "দুঃখিত, আপনার অসুবিধার জন্য। আমি কুরিয়ারের সাথে কথা বলছি।" {
		t.Errorf("with AI on: %+v", c)
	}
	prompt := srv.Requests()[0].Text()
	if !strings.Contains(prompt, "user: That's not my problem, contact the courier.") || !strings.Contains(prompt, "rude") {
		t.Errorf("prompt:\n%s", prompt)
	}
	// Not asked, or the draft reads fine: the AI is not called.
	n := len(srv.Requests())
	s.Must(t, agent.Token, http.MethodPost, "/api/v1/tone", map[string]any{"text": draft["text"], "conversation_id": conv}, http.StatusOK, &c)
	s.Must(t, agent.Token, http.MethodPost, "/api/v1/tone", map[string]any{"text": "Thank you for waiting, I am checking now.", "conversation_id": conv, "rephrase": true}, http.StatusOK, nil)
	if len(srv.Requests()) != n || c.Suggestion != offline {
		t.Errorf("the AI was called %d times more; suggestion %q", len(srv.Requests())-n, c.Suggestion)
	}
	srv.Reply(func(aitest.Request) (int, []byte) {
		return http.StatusServiceUnavailable, aitest.Error("overloaded", "server_error")
	})
	s.Must(t, agent.Token, http.MethodPost, "/api/v1/tone", draft, http.StatusOK, &c)
	if c.Suggestion != offline {
		t.Errorf("with AI failing: %+v", c)
	}
}

// TestAIGroundsTheFAQBot: a question the FAQ bot is unsure of, with
// entries that share its words, is answered by the AI from those entries,
// citing one; an AI that finds no answer in them leaves the bot unsure,
// and with AI off the bot is unsure without asking anyone.
func TestAIGroundsTheFAQBot(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		s := apitest.NewServer(t)
		srv := aitest.New(t)
		owner := s.NewAccount(t, "FAQ shop")
		inbox := s.NewInbox(t, owner, "API", "api", nil)
		var faq sahay.FAQ
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/bot/faqs", map[string]any{"language": "en",
			"question": "How long does delivery take?", "answer": "Delivery takes 3 days inside Dhaka and 5 days outside."}, http.StatusCreated, &faq)
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/bot/faqs", map[string]any{"language": "en",
			"question": "Can I return a product?", "answer": "Returns are accepted within 7 days with the receipt."}, http.StatusCreated, nil)
		s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/inboxes/%d/bot", inbox.ID), map[string]any{"enabled": true, "threshold": 0.9}, http.StatusOK, nil)
		// The bot's last message in a conversation.
		botSaid := func(conv int64) *sahay.Message {
			var out *sahay.Message
			eventually(t, "the bot answers", func() bool {
				var page struct {
					Items []sahay.Message `json:"items"`
				}
				s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", conv), nil, http.StatusOK, &page)
				for i := range page.Items {
					if page.Items[i].SenderType == sahay.SenderBot {
						out = &page.Items[i]
					}
				}
				return out != nil
			})
			return out
		}
		question := "my delivery to Chittagong, how many days?"

		// AI off: unsure.
		rec := s.Receive(t, owner, inbox.ID, "a", question, "q1")
		if m := botSaid(rec.Conversation.ID); m.Details == nil || m.Details.Bot == nil || m.Details.Bot.Kind != sahay.BotUnsure {
			t.Fatalf("with AI off the bot said %+v", m)
		}

		s.Must(t, owner.Token, http.MethodPut, "/api/v1/ai", map[string]any{"base_url": srv.BaseURL(), "model": aitest.Model, "api_key": aitest.Key}, http.StatusOK, nil)
		srv.Answer(fmt.Sprintf(`{"answer": "Outside Dhaka, delivery takes 5 days.", "citations": ["faq:%d"]}`, faq.ID))
		rec = s.Receive(t, owner, inbox.ID, "b", question, "q2")
		m := botSaid(rec.Conversation.ID)
		if m.Content != "Outside Dhaka, delivery takes 5 days." || m.Details == nil || m.Details.Bot == nil ||
			m.Details.Bot.Kind != sahay.BotAnswer || m.Details.Bot.Source != "ai" || m.Details.Bot.FAQID != faq.ID {
			t.Errorf("the AI-grounded answer: %+v %+v", m, m.Details)
		}
		prompt := srv.Requests()[0].Text()
		if !strings.Contains(prompt, fmt.Sprintf("[faq:%d] How long does delivery take?", faq.ID)) || !strings.Contains(prompt, question) {
			t.Errorf("prompt:\n%s", prompt)
		}

		// An AI that cannot answer from the entries, or invents a source,
		// leaves the bot unsure.
		for i, reply := range []string{`{"answer": "", "citations": []}`, `{"answer": "Free shipping today!", "citations": ["faq:999"]}`} {
			srv.Answer(reply)
			rec = s.Receive(t, owner, inbox.ID, fmt.Sprintf("c%d", i), question, fmt.Sprintf("q3-%d", i))
			if m := botSaid(rec.Conversation.ID); m.Details == nil || m.Details.Bot == nil || m.Details.Bot.Kind != sahay.BotUnsure {
				t.Errorf("AI answer %s: the bot said %+v", reply, m)
			}
		}
	})
}
