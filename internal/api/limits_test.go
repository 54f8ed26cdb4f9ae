package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// TestOneSetOfLimits sends the same bad text through every way text enters
// over the API, and checks that each is refused with an error naming the
// field, and that nothing changed.
func TestOneSetOfLimits(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")
		inbox := s.NewInbox(t, o, "Support", "api", nil)
		rec := s.Receive(t, o, inbox.ID, "dana", "my order is late", "d-1")
		conv, contact := rec.Conversation.ID, rec.Conversation.ContactID

		// Bad values, as the JSON text of a string.
		type value struct{ name, json string }
		quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
		bad := []value{
			{"nul", `"Da\u0000na"`},
			{"control", `"Da\u001bna"`},
			{"invalid-utf8", "\"Da\xffna\""},
			{"truncated-utf8", "\"Da\xe0\xa6\""},
			{"lone-surrogate", `"Da\ud800na"`},
		}
		tooLong := value{"10000-characters", quote(strings.Repeat("n", 10000))}
		multiline := value{"newline", `"Da\nna"`}

		n := 0
		next := func() int { n++; return n }
		type way struct {
			name, method, path, field string
			// body is the JSON body with V where the value goes.
			body string
			// line is true for one-line fields, which also refuse newlines and
			// overlong values.
			line bool
		}
		ways := []way{
			{"contacts/create-name", "POST", "/api/v1/contacts", "name", `{"name":V}`, true},
			{"contacts/update-name", "PATCH", fmt.Sprintf("/api/v1/contacts/%d", contact), "name", `{"name":V}`, true},
			{"contacts/phone", "PATCH", fmt.Sprintf("/api/v1/contacts/%d", contact), "phone", `{"phone":V}`, true},
			{"contacts/attribute", "PATCH", fmt.Sprintf("/api/v1/contacts/%d", contact), "attributes.plan", `{"attributes":{"plan":V}}`, false},
			{"api-channel/contact-name", "POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), "contact.name",
				`{"contact":{"identifier":"dana","name":V},"content":"hi","external_id":"e-N"}`, true},
			{"api-channel/contact-email", "POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), "contact.email",
				`{"contact":{"identifier":"dana","email":V},"content":"hi","external_id":"e-N"}`, true},
			{"api-channel/identifier", "POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), "contact.identifier",
				`{"contact":{"identifier":V},"content":"hi","external_id":"e-N"}`, true},
			{"api-channel/content", "POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), "content",
				`{"contact":{"identifier":"dana"},"content":V,"external_id":"e-N"}`, false},
			{"messages/content", "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), "content", `{"content":V}`, false},
			{"messages/note", "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), "content", `{"content":V,"private":true}`, false},
			{"tokens/name", "POST", "/api/v1/me/tokens", "name", `{"name":V}`, true},
			{"inboxes/create-name", "POST", "/api/v1/inboxes", "name", `{"name":V,"channel":"api"}`, true},
			{"inboxes/update-name", "PATCH", fmt.Sprintf("/api/v1/inboxes/%d", inbox.ID), "name", `{"name":V}`, true},
			{"inboxes/settings", "PATCH", fmt.Sprintf("/api/v1/inboxes/%d", inbox.ID), "settings.webhook_url", `{"settings":{"webhook_url":V}}`, false},
			{"teams/name", "POST", "/api/v1/teams", "name", `{"name":V}`, true},
			{"teams/description", "POST", "/api/v1/teams", "description", `{"name":"Tier N","description":V}`, true},
			{"labels/name", "POST", "/api/v1/labels", "name", `{"name":V}`, true},
			{"labels/description", "POST", "/api/v1/labels", "description", `{"name":"lN","description":V}`, true},
			{"canned/content", "POST", "/api/v1/canned_responses", "content", `{"short_code":"cN","content":V}`, false},
			{"users/create-name", "POST", "/api/v1/users", "name",
				`{"email":"new-N@example.test","name":V,"role":"agent","password":"` + apitest.Password + `"}`, true},
			{"users/create-email", "POST", "/api/v1/users", "email",
				`{"email":V,"name":"New","role":"agent","password":"` + apitest.Password + `"}`, true},
			{"me/name", "PATCH", "/api/v1/me", "name", `{"name":V}`, true},
			{"views/name", "POST", "/api/v1/views", "name", `{"name":V,"filters":{"status":"open"}}`, true},
			{"account/name", "PATCH", "/api/v1/account", "name", `{"name":V}`, true},
		}

		// The website widget: what a visitor or the site says of the visitor, and
		// the visitor's messages.
		website := s.NewInbox(t, o, "Website", "widget", nil)
		var ws struct {
			WebsiteToken string `json:"website_token"`
		}
		if err := json.Unmarshal(website.Settings, &ws); err != nil || ws.WebsiteToken == "" {
			t.Fatalf("website token in %s: %v", website.Settings, err)
		}
		var visitor struct {
			Token string `json:"token"`
		}
		s.Must(t, "", "POST", "/widget/v1/session", map[string]string{"inbox": ws.WebsiteToken}, http.StatusOK, &visitor)
		ways = append(ways,
			way{"widget/set-user-name", "POST", "/widget/v1/session", "name", `{"inbox":"` + ws.WebsiteToken + `","user":{"id":"site-N","name":V}}`, true},
			way{"widget/contact-name", "POST", "/widget/v1/contact", "name", `{"name":V}`, true},
			way{"widget/contact-email", "POST", "/widget/v1/contact", "email", `{"email":V}`, true},
			way{"widget/contact-attribute", "POST", "/widget/v1/contact", "attributes.plan", `{"attributes":{"plan":V}}`, false},
			way{"widget/message", "POST", "/widget/v1/messages", "text", `{"cid":"c-00000N","text":V}`, false},
		)
		tokenFor := func(w way) string {
			if strings.HasPrefix(w.path, "/widget/") {
				return visitor.Token
			}
			return o.Token
		}

		snapshot := func(t *testing.T) string {
			t.Helper()
			var b strings.Builder
			for _, p := range []string{"/api/v1/account", "/api/v1/me", "/api/v1/inboxes", "/api/v1/users", "/api/v1/teams", "/api/v1/labels",
				"/api/v1/canned_responses", "/api/v1/contacts", "/api/v1/conversations?limit=100", "/api/v1/views",
				fmt.Sprintf("/api/v1/conversations/%d/messages?limit=200", conv), "/api/v1/me/tokens"} {
				fmt.Fprintf(&b, "%s\n%s\n", p, s.Must(t, o.Token, http.MethodGet, p, nil, http.StatusOK, nil).Body)
			}
			fmt.Fprintf(&b, "seq %d\n", lastSeq(t, s, o.AccountID))
			return b.String()
		}
		s.WaitScored(t)
		before := snapshot(t)
		for _, w := range ways {
			values := bad
			if w.line {
				values = append(values[:len(values):len(values)], tooLong, multiline)
			}
			for _, v := range values {
				t.Run(w.name+"/"+v.name, func(t *testing.T) {
					body := strings.ReplaceAll(strings.Replace(w.body, "V", v.json, 1), "-N", fmt.Sprintf("-%d", next()))
					r := s.Do(t, apitest.Request{Method: w.method, Path: w.path, Token: tokenFor(w), Body: body})
					wantError(t, r, http.StatusUnprocessableEntity, sahay.EINVALID)
					if _, msg := r.Error(); !strings.Contains(msg, w.field) {
						t.Errorf("the message %q does not name %s", msg, w.field)
					}
					if after := snapshot(t); after != before {
						t.Errorf("state changed:\n%s", diffLines(before, after))
						before = after
					}
				})
			}
		}

		// A reply with files is a form: its text obeys the same rules.
		for _, v := range []string{"Da\x00na", "Da\xffna"} {
			body := "--x\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n" + v + "\r\n--x--\r\n"
			r := s.Do(t, apitest.Request{Method: "POST", Path: fmt.Sprintf("/api/v1/conversations/%d/messages", conv), Token: o.Token,
				Body: body, Header: http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}})
			wantError(t, r, http.StatusUnprocessableEntity, sahay.EINVALID)
		}
		if after := snapshot(t); after != before {
			t.Errorf("a refused form changed state:\n%s", diffLines(before, after))
		}

		// The widget's socket reads frames with the same rules.
		t.Run("widget/socket", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/widget/v1/ws?token="+visitor.Token, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			for i, v := range bad {
				frame := fmt.Sprintf(`{"t":"msg","cid":"c-10000%d","text":%s}`, i, v.json)
				if err := c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
					t.Fatal(err)
				}
				for {
					_, b, err := c.Read(ctx)
					if err != nil {
						t.Fatalf("%s: waiting for the error frame: %v", v.name, err)
					}
					var f struct{ T, Code, Message string }
					json.Unmarshal(b, &f)
					if f.T != "err" {
						continue
					}
					if f.Code != sahay.EINVALID || !strings.Contains(f.Message, "text") {
						t.Errorf("%s: error frame %s, want invalid naming text", v.name, b)
					}
					break
				}
			}
		})
		if after := snapshot(t); after != before {
			t.Errorf("refused socket frames changed state:\n%s", diffLines(before, after))
		}

		t.Run("accepted", func(t *testing.T) {
			// 200 characters of Bengali are 600 bytes: names are counted in
			// characters, the same through every way in.
			bengali := strings.Repeat("ন", 200)
			var c sahay.Contact
			s.Must(t, o.Token, "POST", "/api/v1/contacts", map[string]string{"name": bengali}, http.StatusCreated, &c)
			if c.Name != bengali {
				t.Errorf("stored name has %d bytes, want %d", len(c.Name), len(bengali))
			}
			var got apitest.Received
			s.Must(t, o.Token, "POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), map[string]any{
				"contact": map[string]string{"identifier": "nusrat", "name": bengali}, "content": "line one\r\nline two\rthree\tend",
				"external_id": "ok-1"}, http.StatusCreated, &got)
			if got.Message.Content != "line one\nline two\nthree\tend" {
				t.Errorf("content = %q, want carriage returns as newlines", got.Message.Content)
			}
			var who sahay.Contact
			s.Must(t, o.Token, "GET", fmt.Sprintf("/api/v1/contacts/%d", got.Conversation.ContactID), nil, http.StatusOK, &who)
			if who.Name != bengali {
				t.Errorf("the API channel stored a name of %d bytes, want %d", len(who.Name), len(bengali))
			}
			// One character more is refused by both.
			wantError(t, s.Call(t, o.Token, "POST", "/api/v1/contacts", map[string]string{"name": bengali + "ন"}),
				http.StatusUnprocessableEntity, sahay.EINVALID)
			wantError(t, s.Call(t, o.Token, "POST", fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox.ID), map[string]any{
				"contact": map[string]string{"identifier": "nusrat", "name": bengali + "ন"}, "content": "hi", "external_id": "ok-2"}),
				http.StatusUnprocessableEntity, sahay.EINVALID)
		})
	})
}
