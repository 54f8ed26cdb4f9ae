package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// TestBotOverTheAPI: an administrator writes FAQ entries and turns an
// inbox's bot on; the bot answers a customer; an integration hands the
// conversation to a person. Agents read but do not write.
func TestBotOverTheAPI(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Dokan")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		inbox := s.NewInbox(t, owner, "App", "api", nil, agent.ID)
		faqBody := map[string]any{"language": "hi", "question": "रिफंड कब मिलेगा?", "phrasings": []string{"refund kab milega"},
			"answer": "7 कार्यदिवस में।"}
		wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/bot/faqs", faqBody), http.StatusForbidden, "forbidden")
		for name, bad := range map[string]any{
			"unknown field":    map[string]any{"language": "hi", "question": "x y", "answer": "z", "color": "red"},
			"unknown language": map[string]any{"language": "ta", "question": "refund", "answer": "z"},
			"no answer":        map[string]any{"language": "hi", "question": "refund"},
			"not an object":    []int{1},
		} {
			r := s.Call(t, owner.Token, http.MethodPost, "/api/v1/bot/faqs", bad)
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %s", name, r)
			}
		}
		var faq sahay.FAQ
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/bot/faqs", faqBody, http.StatusCreated, &faq)
		if got := items[sahay.FAQ](t, s, agent.Token, "/api/v1/bot/faqs"); len(got) != 1 || got[0].Answer != "7 कार्यदिवस में।" {
			t.Fatalf("FAQ list %+v", got)
		}
		faqPath := fmt.Sprintf("/api/v1/bot/faqs/%d", faq.ID)
		wantError(t, s.Call(t, agent.Token, http.MethodPatch, faqPath, map[string]any{"answer": "x"}), http.StatusForbidden, "forbidden")
		s.Must(t, owner.Token, http.MethodPatch, faqPath, map[string]any{"answer": "सात कार्यदिवस में।"}, http.StatusOK, &faq)

		botPath := fmt.Sprintf("/api/v1/inboxes/%d/bot", inbox.ID)
		var settings sahay.BotSettings
		s.Must(t, agent.Token, http.MethodGet, botPath, nil, http.StatusOK, &settings)
		if settings.Enabled {
			t.Fatal("the bot is on before anyone turned it on")
		}
		wantError(t, s.Call(t, agent.Token, http.MethodPatch, botPath, map[string]any{"enabled": true}), http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, owner.Token, http.MethodPatch, botPath, map[string]any{"enabled": true, "threshold": 2}),
			http.StatusUnprocessableEntity, "invalid")
		s.Must(t, owner.Token, http.MethodPatch, botPath, map[string]any{"enabled": true, "wait_minutes": 20}, http.StatusOK, &settings)
		if !settings.Enabled || settings.WaitMinutes != 20 || settings.Threshold != 0.5 {
			t.Fatalf("settings %+v", settings)
		}
		var trial struct {
			Answers    bool       `json:"answers"`
			FAQ        *sahay.FAQ `json:"faq"`
			Confidence float64    `json:"confidence"`
			Handoff    string     `json:"handoff"`
		}
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/bot/try", map[string]any{"inbox_id": inbox.ID, "text": "refund kab milegaa?"}, http.StatusOK, &trial)
		if !trial.Answers || trial.FAQ == nil || trial.FAQ.ID != faq.ID {
			t.Errorf("trial %+v", trial)
		}
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/bot/try", map[string]any{"text": "agent please"}, http.StatusOK, &trial)
		if trial.Handoff != sahay.HandoffAsked || trial.Answers {
			t.Errorf("trial of a request for a person %+v", trial)
		}

		got := s.Receive(t, owner, inbox.ID, "cust-1", "रिफंड कब मिलेगा", "m-1")
		if got.Conversation.Status != sahay.StatusPending {
			t.Fatalf("conversation %s, want pending", got.Conversation.Status)
		}
		msgsPath := fmt.Sprintf("/api/v1/conversations/%d/messages", got.Conversation.ID)
		deadline := time.Now().Add(15 * time.Second)
		for {
			ms := items[sahay.Message](t, s, agent.Token, msgsPath)
			if last := ms[len(ms)-1]; last.SenderType == sahay.SenderBot {
				if last.Content != "सात कार्यदिवस में।" || last.Details == nil || last.Details.Bot == nil || last.Details.Bot.FAQID != faq.ID {
					t.Fatalf("bot said %+v", last)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the bot did not answer: %+v", ms)
			}
			time.Sleep(20 * time.Millisecond)
		}

		handoff := fmt.Sprintf("/api/v1/conversations/%d/handoff", got.Conversation.ID)
		wantError(t, s.Call(t, owner.Token, http.MethodPost, handoff, map[string]any{"reason": "bored"}), http.StatusUnprocessableEntity, "invalid")
		var c sahay.Conversation
		s.Must(t, owner.Token, http.MethodPost, handoff, map[string]any{"reason": "rule", "note": "big order"}, http.StatusOK, &c)
		if c.Status != sahay.StatusOpen {
			t.Fatalf("after hand-off: %s", c.Status)
		}
		wantError(t, s.Call(t, owner.Token, http.MethodPost, handoff, map[string]any{}), http.StatusConflict, "conflict")
		ms := items[sahay.Message](t, s, agent.Token, msgsPath)
		var texts []string
		for _, m := range ms {
			texts = append(texts, m.Content)
		}
		all := strings.Join(texts, "\n")
		for _, want := range []string{"handoff:rule", "big order", "लगभग 20 मिनट"} {
			if !strings.Contains(all, want) {
				t.Errorf("timeline lacks %q:\n%s", want, all)
			}
		}
		var notes list[sahay.Notification]
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/notifications", nil, http.StatusOK, &notes)
		found := false
		for _, n := range notes.Items {
			found = found || n.Kind == sahay.NotifyHandoff && n.ConversationID == got.Conversation.ID
		}
		if !found {
			t.Errorf("the inbox's agent was not notified: %+v", notes.Items)
		}
		s.Must(t, owner.Token, http.MethodDelete, faqPath, nil, http.StatusNoContent, nil)
		wantError(t, s.Call(t, owner.Token, http.MethodDelete, faqPath, nil), http.StatusNotFound, "not_found")
	})
}
