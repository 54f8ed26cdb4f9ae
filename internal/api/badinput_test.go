package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
)

// TestBadInput sends malformed, oversized and invalid requests and checks
// that each is answered with a clear 4xx error and that nothing changed.
func TestBadInput(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")
		agent := s.NewUser(t, o, sahay.RoleAgent)
		g := s.NewAccount(t, "Globex")
		inbox := s.NewInbox(t, o, "Support", "api", nil)
		rec := s.Receive(t, o, inbox.ID, "dana", "my order is late", "d-1")
		conv, contact := rec.Conversation.ID, rec.Conversation.ContactID
		erin := s.Receive(t, o, inbox.ID, "erin", "hello", "e-1").Conversation.ContactID
		for _, name := range []string{"billing", "refund"} {
			s.Must(t, o.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": name}, http.StatusCreated, nil)
		}
		var tier2 sahay.Team
		s.Must(t, o.Token, http.MethodPost, "/api/v1/teams", map[string]string{"name": "Tier 1"}, http.StatusCreated, nil)
		s.Must(t, o.Token, http.MethodPost, "/api/v1/teams", map[string]string{"name": "Tier 2"}, http.StatusCreated, &tier2)
		s.Must(t, o.Token, http.MethodPost, "/api/v1/canned_responses", map[string]string{"short_code": "thanks", "content": "Thank you!"},
			http.StatusCreated, nil)
		var refundLabel sahay.Label
		for _, l := range items[sahay.Label](t, s, o.Token, "/api/v1/labels") {
			if l.Name == "refund" {
				refundLabel = l
			}
		}
		var globexTeam sahay.Team
		s.Must(t, g.Token, http.MethodPost, "/api/v1/teams", map[string]string{"name": "Globex team"}, http.StatusCreated, &globexTeam)
		s.Must(t, g.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "globex-only"}, http.StatusCreated, nil)
		globexInbox := s.NewInbox(t, g, "Globex", "api", nil)
		globexConv := s.Receive(t, g, globexInbox.ID, "zed", "hi", "z-1").Conversation
		var reply sahay.Message
		s.Must(t, o.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]string{"content": "on its way"},
			http.StatusCreated, &reply)
		// Wait for the reply to settle, so the only changes are the cases'.
		waitFor(t, 10*time.Second, "the reply to be sent", func() (bool, string) {
			for _, m := range items[sahay.Message](t, s, o.Token, fmt.Sprintf("/api/v1/conversations/%d/messages", conv)) {
				if m.ID == reply.ID {
					return m.Status == sahay.DeliverySent, m.Status
				}
			}
			return false, "reply missing"
		})

		snapshot := func(t *testing.T) string {
			t.Helper()
			var b strings.Builder
			for _, p := range []string{"/api/v1/account", "/api/v1/inboxes", "/api/v1/users", "/api/v1/teams", "/api/v1/labels",
				"/api/v1/canned_responses", "/api/v1/contacts", "/api/v1/conversations?limit=100", "/api/v1/conversations/counts",
				fmt.Sprintf("/api/v1/conversations/%d/messages?limit=200", conv), "/api/v1/audit_log", "/api/v1/me/tokens"} {
				r := s.Must(t, o.Token, http.MethodGet, p, nil, http.StatusOK, nil)
				fmt.Fprintf(&b, "%s\n%s\n", p, r.Body)
			}
			for _, p := range []string{"/api/v1/teams", "/api/v1/labels", "/api/v1/users"} {
				fmt.Fprintf(&b, "globex %s\n%s\n", p, s.Must(t, g.Token, http.MethodGet, p, nil, http.StatusOK, nil).Body)
			}
			fmt.Fprintf(&b, "seq %d %d\n", lastSeq(t, s, o.AccountID), lastSeq(t, s, g.AccountID))
			return b.String()
		}

		convPath := fmt.Sprintf("/api/v1/conversations/%d", conv)
		inboxPath := fmt.Sprintf("/api/v1/inboxes/%d", inbox.ID)
		future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		huge := `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
		longContent := strings.Repeat("a", 64<<10+1)
		inbound := func(contact map[string]any, content, ext string) map[string]any {
			return map[string]any{"contact": contact, "content": content, "external_id": ext}
		}
		manyIDs := make([]int64, 501)
		for i := range manyIDs {
			manyIDs[i] = conv
		}
		const missing = 987654

		type badCase struct {
			name   string
			token  string // the owner's when empty
			method string
			path   string
			body   any
			header http.Header
			status int
		}
		cases := []badCase{
			// Bodies.
			{name: "malformed-json/truncated", method: "PATCH", path: convPath, body: `{"priority":`, status: 400},
			{name: "malformed-json/syntax", method: "PATCH", path: convPath, body: `{priority: 2}`, status: 400},
			{name: "malformed-json/two-values", method: "PATCH", path: convPath, body: `{"priority":2} {"priority":3}`, status: 400},
			{name: "malformed-json/not-an-object", method: "PATCH", path: convPath, body: `[1,2]`, status: 400},
			{name: "unknown-field", method: "PATCH", path: convPath, body: `{"priorty":2}`, status: 400},
			{name: "unknown-field/nested", method: "POST", path: inboxPath + "/messages",
				body: `{"contact":{"identifier":"dana","age":3},"content":"x","external_id":"u-1"}`, status: 400},
			{name: "wrong-type", method: "PATCH", path: convPath, body: `{"priority":"high"}`, status: 400},
			{name: "wrong-type/nested", method: "POST", path: inboxPath + "/messages", body: `{"contact":{"identifier":5},"content":"x"}`, status: 400},
			{name: "wrong-type/array", method: "PUT", path: convPath + "/labels", body: `{"labels":"billing"}`, status: 400},
			{name: "empty-body", method: "PATCH", path: convPath, body: "", status: 400},
			{name: "empty-body/create", method: "POST", path: "/api/v1/labels", body: "", status: 400},
			{name: "wrong-content-type", method: "PATCH", path: convPath, body: `{"priority":2}`,
				header: http.Header{"Content-Type": {"text/plain"}}, status: 400},
			{name: "too-large/create", method: "POST", path: "/api/v1/contacts", body: huge, status: 413},
			{name: "too-large/update", method: "PATCH", path: convPath, body: huge, status: 413},

			// Conversation updates.
			{name: "status/unknown", method: "PATCH", path: convPath, body: map[string]string{"status": "closed"}, status: 422},
			{name: "priority/too-high", method: "PATCH", path: convPath, body: map[string]int{"priority": 5}, status: 422},
			{name: "priority/negative", method: "PATCH", path: convPath, body: map[string]int{"priority": -1}, status: 422},
			{name: "snooze/in-the-past", method: "PATCH", path: convPath,
				body: map[string]string{"status": "snoozed", "snoozed_until": "2001-01-01T00:00:00Z"}, status: 422},
			{name: "snooze/without-until", method: "PATCH", path: convPath, body: map[string]string{"status": "snoozed"}, status: 422},
			{name: "snooze/until-with-open", method: "PATCH", path: convPath,
				body: map[string]string{"status": "open", "snoozed_until": future}, status: 422},
			{name: "snooze/until-not-a-time", method: "PATCH", path: convPath,
				body: map[string]string{"status": "snoozed", "snoozed_until": "tomorrow"}, status: 400},
			{name: "assignee/unknown", method: "PATCH", path: convPath, body: map[string]int64{"assignee_id": missing}, status: 422},
			{name: "assignee/other-account", method: "PATCH", path: convPath, body: map[string]int64{"assignee_id": g.ID}, status: 422},
			{name: "assignee/not-inbox-member", method: "PATCH", path: convPath, body: map[string]int64{"assignee_id": agent.ID}, status: 422},
			{name: "team/unknown", method: "PATCH", path: convPath, body: map[string]int64{"team_id": missing}, status: 422},
			{name: "team/other-account", method: "PATCH", path: convPath, body: map[string]int64{"team_id": globexTeam.ID}, status: 422},
			{name: "labels/unknown", method: "PUT", path: convPath + "/labels", body: map[string][]string{"labels": {"billing", "nope"}}, status: 422},
			{name: "labels/other-account", method: "PUT", path: convPath + "/labels", body: map[string][]string{"labels": {"globex-only"}}, status: 422},
			{name: "bulk/unknown-label", method: "POST", path: "/api/v1/conversations/bulk",
				body: map[string]any{"ids": []int64{conv}, "status": "resolved", "add_labels": []string{"nope"}}, status: 422},
			{name: "bulk/unknown-id", method: "POST", path: "/api/v1/conversations/bulk",
				body: map[string]any{"ids": []int64{conv, missing}, "status": "resolved"}, status: 404},
			{name: "bulk/other-account-id", method: "POST", path: "/api/v1/conversations/bulk",
				body: map[string]any{"ids": []int64{conv, globexConv.ID}, "status": "resolved"}, status: 404},
			{name: "bulk/no-ids", method: "POST", path: "/api/v1/conversations/bulk", body: map[string]any{"status": "resolved"}, status: 422},
			{name: "bulk/too-many", method: "POST", path: "/api/v1/conversations/bulk",
				body: map[string]any{"ids": manyIDs, "status": "resolved"}, status: 413},
			{name: "bulk/unknown-status", method: "POST", path: "/api/v1/conversations/bulk",
				body: map[string]any{"ids": []int64{conv}, "status": "done"}, status: 422},

			// Unknown and malformed ids in paths.
			{name: "unknown-id/conversation", method: "GET", path: fmt.Sprintf("/api/v1/conversations/%d", missing), status: 404},
			{name: "unknown-id/conversation-patch", method: "PATCH", path: fmt.Sprintf("/api/v1/conversations/%d", missing),
				body: map[string]int{"priority": 1}, status: 404},
			{name: "unknown-id/conversation-messages", method: "GET", path: fmt.Sprintf("/api/v1/conversations/%d/messages", missing), status: 404},
			{name: "unknown-id/conversation-post", method: "POST", path: fmt.Sprintf("/api/v1/conversations/%d/messages", missing),
				body: map[string]string{"content": "hi"}, status: 404},
			{name: "unknown-id/inbox", method: "GET", path: fmt.Sprintf("/api/v1/inboxes/%d", missing), status: 404},
			{name: "unknown-id/inbox-patch", method: "PATCH", path: fmt.Sprintf("/api/v1/inboxes/%d", missing),
				body: map[string]string{"name": "x"}, status: 404},
			{name: "unknown-id/inbox-message", method: "POST", path: fmt.Sprintf("/api/v1/inboxes/%d/messages", missing),
				body: inbound(map[string]any{"identifier": "dana"}, "hi", "m-404"), status: 404},
			{name: "unknown-id/label", method: "PATCH", path: fmt.Sprintf("/api/v1/labels/%d", missing), body: map[string]string{"color": "#000000"}, status: 404},
			{name: "unknown-id/label-delete", method: "DELETE", path: fmt.Sprintf("/api/v1/labels/%d", missing), status: 404},
			{name: "unknown-id/team", method: "DELETE", path: fmt.Sprintf("/api/v1/teams/%d", missing), status: 404},
			{name: "unknown-id/team-patch", method: "PATCH", path: fmt.Sprintf("/api/v1/teams/%d", missing), body: map[string]string{"name": "x"}, status: 404},
			{name: "unknown-id/canned", method: "DELETE", path: fmt.Sprintf("/api/v1/canned_responses/%d", missing), status: 404},
			{name: "unknown-id/contact", method: "GET", path: fmt.Sprintf("/api/v1/contacts/%d", missing), status: 404},
			{name: "unknown-id/contact-delete", method: "DELETE", path: fmt.Sprintf("/api/v1/contacts/%d", missing), status: 404},
			{name: "unknown-id/merge-into", method: "POST", path: fmt.Sprintf("/api/v1/contacts/%d/merge", missing),
				body: map[string]int64{"other_id": contact}, status: 404},
			{name: "unknown-id/merge-other", method: "POST", path: fmt.Sprintf("/api/v1/contacts/%d/merge", contact),
				body: map[string]int64{"other_id": missing}, status: 404},
			{name: "unknown-id/merge-other-account", method: "POST", path: fmt.Sprintf("/api/v1/contacts/%d/merge", contact),
				body: map[string]int64{"other_id": globexConv.ContactID}, status: 404},
			{name: "unknown-id/message-retry", method: "POST", path: fmt.Sprintf("/api/v1/messages/%d/retry", missing), status: 404},
			{name: "unknown-id/user", method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", missing), body: map[string]string{"name": "x"}, status: 404},
			{name: "unknown-id/user-delete", method: "DELETE", path: fmt.Sprintf("/api/v1/users/%d", missing), status: 404},
			{name: "unknown-id/token", method: "DELETE", path: fmt.Sprintf("/api/v1/me/tokens/%d", missing), status: 404},
			{name: "bad-id/word", method: "GET", path: "/api/v1/conversations/abc", status: 404},
			{name: "bad-id/zero", method: "GET", path: "/api/v1/conversations/0", status: 404},
			{name: "bad-id/negative", method: "PATCH", path: "/api/v1/conversations/-3", body: map[string]int{"priority": 1}, status: 404},
			{name: "bad-id/fraction", method: "PATCH", path: "/api/v1/inboxes/1.5", body: map[string]string{"name": "x"}, status: 404},
			{name: "bad-id/exponent", method: "DELETE", path: "/api/v1/contacts/1e3", status: 404},
			{name: "bad-id/overflow", method: "GET", path: "/api/v1/contacts/99999999999999999999", status: 404},
			{name: "unknown-route", method: "GET", path: "/api/v1/nope", status: 404},

			// Transitions the state does not allow.
			{name: "transition/retry-sent-reply", method: "POST", path: fmt.Sprintf("/api/v1/messages/%d/retry", reply.ID), status: 409},
			{name: "transition/retry-incoming", method: "POST", path: fmt.Sprintf("/api/v1/messages/%d/retry", rec.Message.ID), status: 409},
			{name: "transition/merge-into-itself", method: "POST", path: fmt.Sprintf("/api/v1/contacts/%d/merge", contact),
				body: map[string]int64{"other_id": contact}, status: 422},
			{name: "transition/demote-last-owner", method: "PATCH", path: fmt.Sprintf("/api/v1/users/%d", o.ID),
				body: map[string]string{"role": "agent"}, status: 409},
			{name: "transition/delete-last-owner", method: "DELETE", path: fmt.Sprintf("/api/v1/users/%d", o.ID), status: 409},
			{name: "transition/role-via-me", method: "PATCH", path: "/api/v1/me", body: map[string]string{"role": "agent"}, status: 422},
			{name: "transition/inbox-channel", method: "PATCH", path: inboxPath, body: map[string]string{"channel": "email"}, status: 422},

			// Names that must be unique.
			{name: "duplicate/label", method: "POST", path: "/api/v1/labels", body: map[string]string{"name": "Billing"}, status: 409},
			{name: "duplicate/label-rename", method: "PATCH", path: fmt.Sprintf("/api/v1/labels/%d", refundLabel.ID),
				body: map[string]string{"name": "billing"}, status: 409},
			{name: "duplicate/team", method: "POST", path: "/api/v1/teams", body: map[string]string{"name": "Tier 1"}, status: 409},
			{name: "duplicate/team-rename", method: "PATCH", path: fmt.Sprintf("/api/v1/teams/%d", tier2.ID),
				body: map[string]string{"name": "Tier 1"}, status: 409},
			{name: "duplicate/canned", method: "POST", path: "/api/v1/canned_responses",
				body: map[string]string{"short_code": "thanks", "content": "Cheers"}, status: 409},
			{name: "duplicate/user-email", method: "POST", path: "/api/v1/users",
				body: map[string]string{"email": strings.ToUpper(o.Email), "name": "Again", "role": "agent", "password": apitest.Password}, status: 409},

			// Users.
			{name: "user/short-password", method: "POST", path: "/api/v1/users",
				body: map[string]string{"email": "new@example.test", "name": "New", "role": "agent", "password": "short"}, status: 422},
			{name: "user/long-password", method: "POST", path: "/api/v1/users",
				body: map[string]string{"email": "new@example.test", "name": "New", "role": "agent", "password": strings.Repeat("p", 300)}, status: 422},
			{name: "user/bad-email", method: "POST", path: "/api/v1/users",
				body: map[string]string{"email": "not-an-email", "name": "New", "role": "agent", "password": apitest.Password}, status: 422},
			{name: "user/unknown-role", method: "POST", path: "/api/v1/users",
				body: map[string]string{"email": "new@example.test", "name": "New", "role": "king", "password": apitest.Password}, status: 422},
			{name: "user/missing-fields", method: "POST", path: "/api/v1/users", body: map[string]string{"email": "new@example.test"}, status: 422},
			{name: "user/availability", method: "PATCH", path: "/api/v1/me", body: map[string]string{"availability": "away"}, status: 422},
			{name: "user/locale", method: "PATCH", path: "/api/v1/me", body: map[string]string{"locale": "fr"}, status: 422},
			{name: "user/email-via-patch", method: "PATCH", path: "/api/v1/me", body: map[string]string{"email": "x@example.test"}, status: 422},

			// Inboxes.
			{name: "inbox/unknown-channel", method: "POST", path: "/api/v1/inboxes", body: map[string]string{"name": "Fax", "channel": "fax"}, status: 422},
			{name: "inbox/no-name", method: "POST", path: "/api/v1/inboxes", body: map[string]string{"channel": "api"}, status: 422},
			{name: "inbox/blank-name", method: "POST", path: "/api/v1/inboxes", body: map[string]string{"name": "  ", "channel": "api"}, status: 422},
			{name: "inbox/bad-webhook-url", method: "POST", path: "/api/v1/inboxes",
				body: map[string]any{"name": "App", "channel": "api", "settings": map[string]string{"webhook_url": "ftp://example.test"}}, status: 422},
			{name: "inbox/unknown-setting", method: "POST", path: "/api/v1/inboxes",
				body: map[string]any{"name": "App", "channel": "api", "settings": map[string]string{"colour": "red"}}, status: 422},
			{name: "inbox/patch-bad-webhook-url", method: "PATCH", path: inboxPath,
				body: map[string]any{"settings": map[string]string{"webhook_url": "not a url"}}, status: 422},
			{name: "inbox/unknown-member", method: "PUT", path: inboxPath + "/members", body: map[string][]int64{"user_ids": {missing}}, status: 422},
			{name: "inbox/other-account-member", method: "PUT", path: inboxPath + "/members", body: map[string][]int64{"user_ids": {g.ID}}, status: 422},

			// Messages.
			{name: "message/too-long", method: "POST", path: convPath + "/messages", body: map[string]string{"content": longContent}, status: 413},
			{name: "message/blank", method: "POST", path: convPath + "/messages", body: map[string]string{"content": "  \n "}, status: 422},
			{name: "api-message/too-long", method: "POST", path: inboxPath + "/messages",
				body: inbound(map[string]any{"identifier": "dana"}, longContent, "long-1"), status: 413},
			{name: "api-message/no-identifier", method: "POST", path: inboxPath + "/messages",
				body: inbound(map[string]any{"name": "Dana"}, "hi", "noid-1"), status: 422},
			{name: "api-message/no-content", method: "POST", path: inboxPath + "/messages",
				body: inbound(map[string]any{"identifier": "dana"}, "  ", "empty-1"), status: 422},
			{name: "api-message/long-external-id", method: "POST", path: inboxPath + "/messages",
				body: inbound(map[string]any{"identifier": "dana"}, "hi", strings.Repeat("x", 256)), status: 422},
			{name: "api-status/unknown-status", method: "POST", path: inboxPath + "/statuses",
				body: map[string]string{"external_id": fmt.Sprintf("sahay-%d", reply.ID), "status": "seen"}, status: 422},
			{name: "api-status/no-external-id", method: "POST", path: inboxPath + "/statuses", body: map[string]string{"status": "read"}, status: 422},

			// Query strings.
			{name: "list/limit-over-100", method: "GET", path: "/api/v1/conversations?limit=101", status: 422},
			{name: "list/limit-negative", method: "GET", path: "/api/v1/conversations?limit=-1", status: 422},
			{name: "list/limit-word", method: "GET", path: "/api/v1/conversations?limit=ten", status: 422},
			{name: "list/cursor-not-base64", method: "GET", path: "/api/v1/conversations?cursor=!!!", status: 422},
			{name: "list/cursor-not-a-key", method: "GET", path: "/api/v1/conversations?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("x")), status: 422},
			{name: "list/sort", method: "GET", path: "/api/v1/conversations?sort=oldest", status: 422},
			{name: "list/status", method: "GET", path: "/api/v1/conversations?status=done", status: 422},
			{name: "list/label", method: "GET", path: "/api/v1/conversations?label=nope", status: 422},
			{name: "list/assignee", method: "GET", path: "/api/v1/conversations?assignee=someone", status: 422},
			{name: "list/inbox", method: "GET", path: "/api/v1/conversations?inbox=abc", status: 422},
			{name: "list/contacts-before", method: "GET", path: "/api/v1/contacts?before=-5", status: 422},
			{name: "list/messages-before", method: "GET", path: convPath + "/messages?before=x", status: 422},
			{name: "search/no-query", method: "GET", path: "/api/v1/search", status: 422},
			{name: "search/long-query", method: "GET", path: "/api/v1/search?q=" + strings.Repeat("a", 501), status: 422},
			{name: "realtime/negative-since", method: "GET", path: "/api/v1/realtime?since=-1", status: 422},
			{name: "realtime/word-since", method: "GET", path: "/api/v1/realtime?since=abc", status: 422},

			// Settings.
			{name: "account/negative-window", method: "PATCH", path: "/api/v1/account", body: map[string]int{"reopen_window_seconds": -1}, status: 422},
			{name: "account/no-locales", method: "PATCH", path: "/api/v1/account", body: map[string][]string{"locales": {}}, status: 422},
			{name: "account/time-zone", method: "PATCH", path: "/api/v1/account", body: map[string]string{"time_zone": "Mars/Olympus_Mons"}, status: 422},
			{name: "account/blank-name", method: "PATCH", path: "/api/v1/account", body: map[string]string{"name": " "}, status: 422},
			{name: "label/color", method: "POST", path: "/api/v1/labels", body: map[string]string{"name": "red", "color": "red"}, status: 422},
			{name: "label/space", method: "POST", path: "/api/v1/labels", body: map[string]string{"name": "two words"}, status: 422},
			{name: "label/no-name", method: "POST", path: "/api/v1/labels", body: map[string]string{"color": "#ff0000"}, status: 422},
			{name: "team/unknown-member", method: "POST", path: "/api/v1/teams",
				body: map[string]any{"name": "Tier 3", "member_ids": []int64{missing}}, status: 422},
			{name: "team/other-account-member", method: "PATCH", path: fmt.Sprintf("/api/v1/teams/%d", tier2.ID),
				body: map[string]any{"member_ids": []int64{g.ID}}, status: 422},
			{name: "canned/short-code", method: "POST", path: "/api/v1/canned_responses",
				body: map[string]string{"short_code": "has space", "content": "x"}, status: 422},
			{name: "canned/no-content", method: "POST", path: "/api/v1/canned_responses", body: map[string]string{"short_code": "hi"}, status: 422},
			{name: "contact/bad-email", method: "POST", path: "/api/v1/contacts", body: map[string]string{"email": "nope"}, status: 422},
			{name: "contact/empty", method: "POST", path: "/api/v1/contacts", body: map[string]string{}, status: 422},
			{name: "contact/patch-bad-email", method: "PATCH", path: fmt.Sprintf("/api/v1/contacts/%d", erin),
				body: map[string]string{"email": "nope"}, status: 422},
			{name: "login/empty", method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "", "password": ""}, status: 422},
			{name: "login/unknown-field", method: "POST", path: "/api/v1/auth/login",
				body: map[string]string{"email": o.Email, "password": apitest.Password, "remember": "yes"}, status: 400},
			{name: "multipart/malformed", method: "POST", path: convPath + "/messages", body: "--x\r\nnot a part",
				header: http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}, status: 400},
			{name: "multipart/unknown-field", method: "POST", path: convPath + "/messages",
				body:   "--x\r\nContent-Disposition: form-data; name=\"colour\"\r\n\r\nred\r\n--x--\r\n",
				header: http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}, status: 400},
		}

		s.WaitScored(t)
		before := snapshot(t)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				token := c.token
				if token == "" {
					token = o.Token
				}
				r := s.Do(t, apitest.Request{Method: c.method, Path: c.path, Token: token, Body: c.body, Header: c.header})
				wantError(t, r, c.status, codeFor(c.status))
				if after := snapshot(t); after != before {
					t.Errorf("state changed:\n%s", diffLines(before, after))
					before = after
				}
			})
		}
	})
}

// diffLines shows the lines of after that are not in before.
func diffLines(before, after string) string {
	old := map[string]bool{}
	for _, l := range strings.Split(before, "\n") {
		old[l] = true
	}
	var b strings.Builder
	for _, l := range strings.Split(after, "\n") {
		if !old[l] {
			if len(l) > 400 {
				l = l[:400] + "…"
			}
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
