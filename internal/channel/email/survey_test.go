package email_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
)

// An email conversation resolved in an inbox with the survey on sends the
// customer one mail, in the thread, with the survey link; reopening and
// resolving again sends no second survey. A macro's resolve sends it too.
func TestSurveyByEmail(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		e := newMailEnv(t)
		e.s.Must(t, e.owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/inboxes/%d/survey", e.inbox.ID),
			map[string]any{"survey_on_resolve": true}, http.StatusOK, nil)
		var first started
		e.s.Must(t, e.agent.Token, "POST", "/api/v1/conversations", map[string]any{"inbox_id": e.inbox.ID,
			"to": "dana@example.net", "content": "Your order has shipped.", "email": map[string]any{"subject": "Order #1234"}},
			http.StatusCreated, &first)
		e.waitSent(t, first.Conversation.ID, first.Message.ID)
		path := fmt.Sprintf("/api/v1/conversations/%d", first.Conversation.ID)
		e.s.Must(t, e.agent.Token, http.MethodPatch, path, map[string]any{"status": "resolved"}, http.StatusOK, nil)
		mails := e.waitMails(t, 2)
		r := header(t, mails[1])
		if subject, _ := r.Header.Subject(); subject != "Re: Order #1234" {
			t.Errorf("survey subject %q", subject)
		}
		if len(mails[1].To) != 1 || mails[1].To[0] != "dana@example.net" {
			t.Errorf("survey to %v", mails[1].To)
		}
		var body strings.Builder
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p.Body)
			body.Write(b)
		}
		if !strings.Contains(body.String(), "How did we do?") || !strings.Contains(body.String(), "/survey/") {
			t.Fatalf("survey mail body %q", body.String())
		}
		var sat struct {
			Survey struct{ Status, Language string } `json:"survey"`
		}
		e.s.Must(t, e.agent.Token, http.MethodGet, path+"/csat", nil, http.StatusOK, &sat)
		if sat.Survey.Status != "sent" || sat.Survey.Language != "en" {
			t.Fatalf("survey %+v", sat.Survey)
		}

		// Reopened, resolved again, then a reply: the reply is the next
		// mail, and no survey follows.
		e.s.Must(t, e.agent.Token, http.MethodPatch, path, map[string]any{"status": "open"}, http.StatusOK, nil)
		e.s.Must(t, e.agent.Token, http.MethodPatch, path, map[string]any{"status": "resolved"}, http.StatusOK, nil)
		var reply struct{ ID int64 }
		e.s.Must(t, e.agent.Token, http.MethodPost, path+"/messages", map[string]any{"content": "One more thing: keep the box."}, http.StatusCreated, &reply)
		e.waitSent(t, first.Conversation.ID, reply.ID)
		if n := len(e.smtp.Mails()); n != 3 {
			t.Fatalf("%d mails, want 3: no second survey", n)
		}

		// A macro that resolves sends the survey too.
		var second started
		e.s.Must(t, e.agent.Token, "POST", "/api/v1/conversations", map[string]any{"inbox_id": e.inbox.ID,
			"to": "rahim@example.net", "content": "Your refund is on its way.", "email": map[string]any{"subject": "Refund"}},
			http.StatusCreated, &second)
		e.waitSent(t, second.Conversation.ID, second.Message.ID)
		var macro struct{ ID int64 }
		e.s.Must(t, e.agent.Token, http.MethodPost, "/api/v1/macros", map[string]any{"name": "Done",
			"actions": []any{map[string]any{"action": "resolve"}}}, http.StatusCreated, &macro)
		e.s.Must(t, e.agent.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/macros/%d/run", second.Conversation.ID, macro.ID),
			nil, http.StatusOK, nil)
		mails = e.waitMails(t, 5)
		if subject, _ := header(t, mails[4]).Header.Subject(); subject != "Re: Refund" || mails[4].To[0] != "rahim@example.net" {
			t.Fatalf("mail after the macro: %q to %v, want the survey", subject, mails[4].To)
		}
	})
}
