package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
)

// who is a caller of the authorization matrix.
type who int

const (
	owner     who = iota
	admin         // administrator of the owner's account
	member        // agent, member of inbox A only
	nonmember     // agent, member of no inbox
	outsider      // owner of another account
	anonymous     // no credentials
	revoked       // a revoked API token of the owner
	badToken      // a token that was never issued
)

var callers = []who{owner, admin, member, nonmember, outsider, anonymous, revoked, badToken}

func (w who) String() string {
	return [...]string{"owner", "admin", "agent-member", "agent-nonmember", "other-account-owner", "anonymous",
		"revoked-token", "bad-token"}[w]
}

// tenants is the world of the authorization tests: account Acme with an
// owner, an administrator, an agent of inbox A and an agent of no inbox;
// account Globex with its owner. Each inbox of Acme has a conversation.
type tenants struct {
	s      *apitest.Server
	users  map[who]*apitest.User
	tokens map[who]string

	inboxA, inboxB *sahay.Inbox
	// convA is alice's conversation in inbox A, convB bob's in inbox B.
	convA, convB       sahay.Conversation
	contactA, contactB int64
	// incomingB is bob's message; replyA is the owner's reply to alice.
	incomingB, replyA int64
	// vip labels convB.
	vip, team, canned int64
	// victim is an agent that callers who may not remove users try to.
	victim *apitest.User

	globexInbox *sahay.Inbox
	globexConv  sahay.Conversation

	n atomic.Int64
}

func newTenants(t *testing.T) *tenants {
	t.Helper()
	s := apitest.NewServer(t)
	f := &tenants{s: s, users: map[who]*apitest.User{}, tokens: map[who]string{}}
	o := s.NewAccount(t, "Acme")
	f.users[owner] = o
	f.users[admin] = s.NewUser(t, o, sahay.RoleAdmin)
	f.users[member] = s.NewUser(t, o, sahay.RoleAgent)
	f.users[nonmember] = s.NewUser(t, o, sahay.RoleAgent)
	f.users[outsider] = s.NewAccount(t, "Globex")
	f.victim = s.NewUser(t, o, sahay.RoleAgent)
	for w, u := range f.users {
		f.tokens[w] = u.Token
	}
	f.tokens[badToken] = "sahay_never-issued"
	var tok struct {
		Token    string         `json:"token"`
		APIToken sahay.APIToken `json:"api_token"`
	}
	s.Must(t, o.Token, http.MethodPost, "/api/v1/me/tokens", map[string]string{"name": "old laptop"}, http.StatusCreated, &tok)
	s.Must(t, o.Token, http.MethodDelete, fmt.Sprintf("/api/v1/me/tokens/%d", tok.APIToken.ID), nil, http.StatusNoContent, nil)
	f.tokens[revoked] = tok.Token

	f.inboxA = s.NewInbox(t, o, "Inbox A", "api", nil, f.users[member].ID)
	f.inboxB = s.NewInbox(t, o, "Inbox B", "api", nil)
	a := s.Receive(t, o, f.inboxA.ID, "alice", "where is parcel alpha", "a-1")
	b := s.Receive(t, o, f.inboxB.ID, "bob", "refund for order bravo", "b-1")
	f.convA, f.convB = a.Conversation, b.Conversation
	f.contactA, f.contactB = a.Conversation.ContactID, b.Conversation.ContactID
	f.incomingB = b.Message.ID

	var l sahay.Label
	s.Must(t, o.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "vip"}, http.StatusCreated, &l)
	f.vip = l.ID
	s.Must(t, o.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", f.convB.ID),
		map[string][]string{"labels": {"vip"}}, http.StatusOK, nil)
	var team sahay.Team
	s.Must(t, o.Token, http.MethodPost, "/api/v1/teams", map[string]string{"name": "Tier 1"}, http.StatusCreated, &team)
	f.team = team.ID
	var canned sahay.CannedResponse
	s.Must(t, o.Token, http.MethodPost, "/api/v1/canned_responses", map[string]string{"short_code": "thanks", "content": "Thank you!"},
		http.StatusCreated, &canned)
	f.canned = canned.ID
	var reply sahay.Message
	s.Must(t, o.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", f.convA.ID),
		map[string]string{"content": "it is on its way"}, http.StatusCreated, &reply)
	f.replyA = reply.ID

	x := f.users[outsider]
	f.globexInbox = s.NewInbox(t, x, "Globex inbox", "api", nil)
	f.globexConv = s.Receive(t, x, f.globexInbox.ID, "zed", "globex zulu question", "x-1").Conversation
	return f
}

// clockOf writes a time of day as "HH:MM".
func clockOf(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours())%24, int(d.Minutes())%60)
}

func (f *tenants) unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, f.n.Add(1)) }

// create POSTs body as the owner and returns the new thing's id.
func (f *tenants) create(t *testing.T, path string, body any) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	f.s.Must(t, f.users[owner].Token, http.MethodPost, path, body, http.StatusCreated, &out)
	return out.ID
}

// expect lists the statuses of owner, admin, member, nonmember and
// outsider; the callers without valid credentials always get 401.
type expect [5]int

func (e expect) of(w who) int {
	if w >= anonymous {
		return http.StatusUnauthorized
	}
	return e[w]
}

func all(status int) expect { return expect{status, status, status, status, status} }

type authzCase struct {
	name   string
	method string
	// req returns the path and body for caller w; it may create a fresh
	// target, so that a caller that may delete has something to delete.
	req  func(t *testing.T, w who) (string, any)
	want expect
}

func at(path string, body any) func(*testing.T, who) (string, any) {
	return func(*testing.T, who) (string, any) { return path, body }
}

// TestAuthorizationMatrix calls every resource as every kind of caller and
// checks the exact status: 401 without valid credentials, 404 for data of
// another account or of an inbox the agent is not a member of, 403 for an
// agent doing what only administrators may on something they can see.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := newTenants(t)
		s, o := f.s, f.users[owner]
		inboxA, inboxB := fmt.Sprintf("/api/v1/inboxes/%d", f.inboxA.ID), fmt.Sprintf("/api/v1/inboxes/%d", f.inboxB.ID)
		convA, convB := fmt.Sprintf("/api/v1/conversations/%d", f.convA.ID), fmt.Sprintf("/api/v1/conversations/%d", f.convB.ID)
		contactA, contactB := fmt.Sprintf("/api/v1/contacts/%d", f.contactA), fmt.Sprintf("/api/v1/contacts/%d", f.contactB)
		note := map[string]any{"content": "internal note", "private": true}
		privateView := fmt.Sprintf("/api/v1/views/%d", f.create(t, "/api/v1/views", map[string]string{"name": "Owner's own"}))
		sharedView := fmt.Sprintf("/api/v1/views/%d", f.create(t, "/api/v1/views", map[string]string{"name": "For all", "visibility": "account"}))

		cases := []authzCase{
			{"inboxes/list", "GET", at("/api/v1/inboxes", nil), all(200)},
			{"inboxes/create", "POST", func(*testing.T, who) (string, any) {
				return "/api/v1/inboxes", map[string]string{"name": f.unique("inbox"), "channel": "api"}
			}, expect{201, 201, 403, 403, 201}},
			{"inboxes/get-A", "GET", at(inboxA, nil), expect{200, 200, 200, 404, 404}},
			{"inboxes/get-B", "GET", at(inboxB, nil), expect{200, 200, 404, 404, 404}},
			{"inboxes/update", "PATCH", at(inboxA, map[string]string{"name": "Inbox A"}), expect{200, 200, 403, 404, 404}},
			{"inboxes/delete", "DELETE", func(t *testing.T, w who) (string, any) {
				in := s.NewInbox(t, o, f.unique("doomed"), "api", nil, f.users[member].ID)
				return fmt.Sprintf("/api/v1/inboxes/%d", in.ID), nil
			}, expect{204, 204, 403, 404, 404}},
			{"inboxes/members", "PUT", at(inboxA+"/members", map[string][]int64{"user_ids": {f.users[member].ID}}),
				expect{200, 200, 403, 404, 404}},
			{"inboxes/secrets", "GET", at(inboxA+"/secrets", nil), expect{200, 200, 403, 404, 404}},
			{"inboxes/api-message", "POST", func(*testing.T, who) (string, any) {
				return inboxA + "/messages", map[string]any{"contact": map[string]string{"identifier": "matrix"},
					"content": "hello from the matrix", "external_id": f.unique("ext")}
			}, expect{201, 201, 403, 404, 404}},
			{"inboxes/api-status", "POST", at(inboxA+"/statuses", map[string]string{"external_id": "sahay-0", "status": "read"}),
				expect{204, 204, 403, 404, 404}},

			{"conversations/list", "GET", at("/api/v1/conversations", nil), all(200)},
			{"conversations/counts", "GET", at("/api/v1/conversations/counts", nil), all(200)},
			{"conversations/get-A", "GET", at(convA, nil), expect{200, 200, 200, 404, 404}},
			{"conversations/get-B", "GET", at(convB, nil), expect{200, 200, 404, 404, 404}},
			{"conversations/patch-A", "PATCH", at(convA, map[string]int{"priority": 2}), expect{200, 200, 200, 404, 404}},
			{"conversations/patch-B", "PATCH", at(convB, map[string]int{"priority": 2}), expect{200, 200, 404, 404, 404}},
			{"conversations/labels-A", "PUT", at(convA+"/labels", map[string][]string{"labels": {"vip"}}), expect{200, 200, 200, 404, 404}},
			{"conversations/labels-B", "PUT", at(convB+"/labels", map[string][]string{"labels": {"vip"}}), expect{200, 200, 404, 404, 404}},
			{"conversations/messages-A", "GET", at(convA+"/messages", nil), expect{200, 200, 200, 404, 404}},
			{"conversations/messages-B", "GET", at(convB+"/messages", nil), expect{200, 200, 404, 404, 404}},
			{"conversations/post-A", "POST", at(convA+"/messages", note), expect{201, 201, 201, 404, 404}},
			{"conversations/post-B", "POST", at(convB+"/messages", note), expect{201, 201, 404, 404, 404}},
			{"conversations/bulk-A", "POST", at("/api/v1/conversations/bulk", map[string]any{"ids": []int64{f.convA.ID}, "status": "open"}),
				expect{200, 200, 200, 404, 404}},
			{"conversations/bulk-B", "POST", at("/api/v1/conversations/bulk", map[string]any{"ids": []int64{f.convB.ID}, "status": "open"}),
				expect{200, 200, 404, 404, 404}},
			// Neither message is a failed reply: who may see them hears so (409).
			{"messages/retry-A", "POST", at(fmt.Sprintf("/api/v1/messages/%d/retry", f.replyA), nil), expect{409, 409, 409, 404, 404}},
			{"messages/retry-B", "POST", at(fmt.Sprintf("/api/v1/messages/%d/retry", f.incomingB), nil), expect{409, 409, 404, 404, 404}},
			{"search", "GET", at("/api/v1/search?q=parcel", nil), all(200)},

			{"contacts/list", "GET", at("/api/v1/contacts", nil), all(200)},
			{"contacts/create", "POST", at("/api/v1/contacts", map[string]string{"name": "Walk-in"}), expect{201, 201, 403, 403, 201}},
			{"contacts/get-A", "GET", at(contactA, nil), expect{200, 200, 200, 404, 404}},
			{"contacts/get-B", "GET", at(contactB, nil), expect{200, 200, 404, 404, 404}},
			{"contacts/patch-A", "PATCH", at(contactA, map[string]string{"phone": "+8801700000000"}), expect{200, 200, 200, 404, 404}},
			{"contacts/patch-B", "PATCH", at(contactB, map[string]string{"phone": "+8801700000000"}), expect{200, 200, 404, 404, 404}},
			{"contacts/export", "GET", at("/api/v1/contacts/export.csv", nil), all(200)},
			{"conversations/export", "GET", at("/api/v1/conversations/export.csv?status=open", nil), all(200)},

			{"views/list", "GET", at("/api/v1/views", nil), all(200)},
			{"views/create", "POST", func(*testing.T, who) (string, any) {
				return "/api/v1/views", map[string]any{"name": f.unique("view"), "filters": map[string]string{"status": "open"}}
			}, all(201)},
			{"views/get-private", "GET", at(privateView, nil), expect{200, 404, 404, 404, 404}},
			{"views/get-shared", "GET", at(sharedView, nil), expect{200, 200, 200, 200, 404}},
			{"views/patch-private", "PATCH", at(privateView, map[string]string{"name": "Mine"}), expect{200, 404, 404, 404, 404}},
			{"views/patch-shared", "PATCH", at(sharedView, map[string]string{"name": "Ours"}), expect{200, 200, 403, 403, 404}},
			{"views/delete-shared", "DELETE", func(t *testing.T, w who) (string, any) {
				return fmt.Sprintf("/api/v1/views/%d", f.create(t, "/api/v1/views", map[string]string{"name": f.unique("gone"), "visibility": "account"})), nil
			}, expect{204, 204, 403, 403, 404}},
			{"rota/read", "GET", at("/api/v1/rota", nil), all(200)},
			{"rota/shifts-create", "POST", func(*testing.T, who) (string, any) {
				start := time.Duration(f.n.Add(1)) * 6 * time.Minute
				return "/api/v1/rota/shifts", map[string]any{"user_id": f.users[member].ID, "kind": "chat", "weekday": "mon",
					"start": clockOf(start), "end": clockOf(start + 5*time.Minute)}
			}, expect{201, 201, 403, 403, 422}},
			{"rota/shifts-delete", "DELETE", func(t *testing.T, w who) (string, any) {
				start := time.Duration(f.n.Add(1)) * 6 * time.Minute
				return fmt.Sprintf("/api/v1/rota/shifts/%d", f.create(t, "/api/v1/rota/shifts", map[string]any{"user_id": f.users[member].ID,
					"kind": "social", "weekday": "tue", "start": clockOf(start), "end": clockOf(start + 5*time.Minute)})), nil
			}, expect{204, 204, 403, 403, 404}},
			{"contacts/delete", "DELETE", func(t *testing.T, w who) (string, any) {
				return fmt.Sprintf("/api/v1/contacts/%d", f.create(t, "/api/v1/contacts", map[string]string{"name": f.unique("gone")})), nil
			}, expect{204, 204, 403, 403, 404}},
			{"contacts/merge", "POST", func(t *testing.T, w who) (string, any) {
				into := f.create(t, "/api/v1/contacts", map[string]string{"name": f.unique("keep")})
				other := f.create(t, "/api/v1/contacts", map[string]string{"name": f.unique("fold")})
				return fmt.Sprintf("/api/v1/contacts/%d/merge", into), map[string]int64{"other_id": other}
			}, expect{200, 200, 404, 404, 404}},
			{"contacts/merge-into-A", "POST", func(t *testing.T, w who) (string, any) {
				// A fresh customer of inbox B, whom the member may not see.
				other := s.Receive(t, o, f.inboxB.ID, f.unique("walker"), "hello", f.unique("w")).Conversation.ContactID
				return contactA + "/merge", map[string]int64{"other_id": other}
			}, expect{200, 200, 404, 404, 404}},
			{"contacts/conversations-A", "GET", at(contactA+"/conversations", nil), expect{200, 200, 200, 404, 404}},
			{"contacts/conversations-B", "GET", at(contactB+"/conversations", nil), expect{200, 200, 404, 404, 404}},

			{"labels/list", "GET", at("/api/v1/labels", nil), all(200)},
			{"labels/create", "POST", func(*testing.T, who) (string, any) {
				return "/api/v1/labels", map[string]string{"name": f.unique("label")}
			}, expect{201, 201, 403, 403, 201}},
			{"labels/update", "PATCH", at(fmt.Sprintf("/api/v1/labels/%d", f.vip), map[string]string{"color": "#aa0000"}),
				expect{200, 200, 403, 403, 404}},
			{"labels/delete", "DELETE", func(t *testing.T, w who) (string, any) {
				return fmt.Sprintf("/api/v1/labels/%d", f.create(t, "/api/v1/labels", map[string]string{"name": f.unique("old")})), nil
			}, expect{204, 204, 403, 403, 404}},

			{"teams/list", "GET", at("/api/v1/teams", nil), all(200)},
			{"teams/create", "POST", func(*testing.T, who) (string, any) {
				return "/api/v1/teams", map[string]string{"name": f.unique("team")}
			}, expect{201, 201, 403, 403, 201}},
			{"teams/update", "PATCH", at(fmt.Sprintf("/api/v1/teams/%d", f.team), map[string]string{"description": "first line"}),
				expect{200, 200, 403, 403, 404}},
			{"teams/delete", "DELETE", func(t *testing.T, w who) (string, any) {
				return fmt.Sprintf("/api/v1/teams/%d", f.create(t, "/api/v1/teams", map[string]string{"name": f.unique("old")})), nil
			}, expect{204, 204, 403, 403, 404}},

			{"canned/list", "GET", at("/api/v1/canned_responses", nil), all(200)},
			{"canned/create", "POST", func(*testing.T, who) (string, any) {
				return "/api/v1/canned_responses", map[string]string{"short_code": f.unique("code"), "content": "Hello"}
			}, all(201)},
			{"canned/update", "PATCH", at(fmt.Sprintf("/api/v1/canned_responses/%d", f.canned), map[string]string{"content": "Thanks!"}),
				expect{200, 200, 200, 200, 404}},
			{"canned/delete", "DELETE", func(t *testing.T, w who) (string, any) {
				id := f.create(t, "/api/v1/canned_responses", map[string]string{"short_code": f.unique("old"), "content": "Bye"})
				return fmt.Sprintf("/api/v1/canned_responses/%d", id), nil
			}, expect{204, 204, 204, 204, 404}},

			{"users/list", "GET", at("/api/v1/users", nil), all(200)},
			{"users/create", "POST", func(*testing.T, who) (string, any) {
				return "/api/v1/users", map[string]string{"email": f.unique("new") + "@example.test", "name": "New", "role": "agent",
					"password": apitest.Password}
			}, expect{201, 201, 403, 403, 201}},
			{"users/update", "PATCH", at(fmt.Sprintf("/api/v1/users/%d", f.victim.ID), map[string]string{"availability": "busy"}),
				expect{200, 200, 403, 403, 404}},
			{"users/delete", "DELETE", func(t *testing.T, w who) (string, any) {
				// Hashing a password is slow: only callers who may delete get a
				// fresh user of their own.
				id := f.victim.ID
				if w == owner || w == admin {
					id = s.NewUser(t, o, sahay.RoleAgent).ID
				}
				return fmt.Sprintf("/api/v1/users/%d", id), nil
			}, expect{204, 204, 403, 403, 404}},

			{"account/get", "GET", at("/api/v1/account", nil), all(200)},
			{"account/patch", "PATCH", at("/api/v1/account", map[string]int{"reopen_window_seconds": 7200}), expect{200, 200, 403, 403, 200}},
			{"audit-log", "GET", at("/api/v1/audit_log", nil), expect{200, 200, 403, 403, 200}},

			{"me/get", "GET", at("/api/v1/me", nil), all(200)},
			{"me/revoke-token", "DELETE", func(t *testing.T, w who) (string, any) {
				// A token of the owner: only the owner may revoke it.
				var tok struct {
					APIToken sahay.APIToken `json:"api_token"`
				}
				s.Must(t, o.Token, http.MethodPost, "/api/v1/me/tokens", map[string]string{"name": "spare"}, http.StatusCreated, &tok)
				return fmt.Sprintf("/api/v1/me/tokens/%d", tok.APIToken.ID), nil
			}, expect{204, 404, 404, 404, 404}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, w := range callers {
					t.Run(w.String(), func(t *testing.T) {
						path, body := c.req(t, w)
						r := s.Call(t, f.tokens[w], c.method, path, body)
						want := c.want.of(w)
						if want >= 400 {
							wantError(t, r, want, codeFor(want))
						} else if r.Status != want {
							t.Errorf("want %d; got %s", want, r)
						}
					})
				}
			})
		}
	})
}

// TestAuthorizationVisibility checks what lists, counts, search and the
// realtime stream show each caller: agents see the conversations of their
// inboxes only, and nobody sees another account's anything.
func TestAuthorizationVisibility(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := newTenants(t)
		s := f.s
		tok := func(w who) string { return f.tokens[w] }

		t.Run("inboxes", func(t *testing.T) {
			inboxIDs := func(w who) []int64 {
				var out []int64
				for _, in := range items[sahay.Inbox](t, s, tok(w), "/api/v1/inboxes") {
					out = append(out, in.ID)
				}
				return out
			}
			for w, want := range map[who][]int64{
				owner:     {f.inboxA.ID, f.inboxB.ID},
				admin:     {f.inboxA.ID, f.inboxB.ID},
				member:    {f.inboxA.ID},
				nonmember: nil,
				outsider:  {f.globexInbox.ID},
			} {
				if got := inboxIDs(w); !slices.Equal(got, want) {
					t.Errorf("%s lists inboxes %v, want %v", w, got, want)
				}
			}
			var me struct {
				InboxIDs []int64 `json:"inbox_ids"`
			}
			s.Must(t, tok(member), http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
			if !slices.Equal(me.InboxIDs, []int64{f.inboxA.ID}) {
				t.Errorf("member's /me inbox_ids = %v, want [%d]", me.InboxIDs, f.inboxA.ID)
			}
		})

		t.Run("conversation-lists", func(t *testing.T) {
			cases := []struct {
				w     who
				query string
				want  []int64
			}{
				{owner, "", []int64{f.convB.ID, f.convA.ID}},
				{member, "", []int64{f.convA.ID}},
				{member, fmt.Sprintf("?inbox=%d", f.inboxB.ID), nil},
				{member, "?channel=api", []int64{f.convA.ID}},
				{member, "?label=vip", nil},
				{member, fmt.Sprintf("?contact=%d", f.contactB), nil},
				{member, "?status=open&sort=created", []int64{f.convA.ID}},
				{nonmember, "", nil},
				{nonmember, fmt.Sprintf("?inbox=%d", f.inboxA.ID), nil},
				{outsider, "", []int64{f.globexConv.ID}},
				{outsider, fmt.Sprintf("?inbox=%d", f.inboxA.ID), nil},
				{outsider, fmt.Sprintf("?contact=%d", f.contactA), nil},
			}
			for _, c := range cases {
				got := conversationIDs(items[sahay.Conversation](t, s, tok(c.w), "/api/v1/conversations"+c.query))
				if !sameIDs(got, c.want) {
					t.Errorf("%s: /conversations%s = %v, want %v", c.w, c.query, got, c.want)
				}
			}
		})

		t.Run("pages", func(t *testing.T) {
			// Paging one at a time visits each visible conversation once.
			for w, want := range map[who][]int64{owner: {f.convA.ID, f.convB.ID}, member: {f.convA.ID}} {
				var got []int64
				cursor := ""
				for range 10 {
					var page list[sahay.Conversation]
					s.Must(t, tok(w), http.MethodGet, "/api/v1/conversations?sort=created&limit=1&cursor="+cursor, nil, http.StatusOK, &page)
					got = append(got, conversationIDs(page.Items)...)
					if cursor = page.NextCursor; cursor == "" {
						break
					}
				}
				if !sameIDs(got, want) || len(got) != len(want) {
					t.Errorf("%s paged through %v, want %v", w, got, want)
				}
			}
		})

		t.Run("bulk-all-or-none", func(t *testing.T) {
			r := s.Call(t, tok(member), http.MethodPost, "/api/v1/conversations/bulk",
				map[string]any{"ids": []int64{f.convA.ID, f.convB.ID}, "status": "resolved"})
			wantError(t, r, http.StatusNotFound, "not_found")
			for _, id := range []int64{f.convA.ID, f.convB.ID} {
				var c sahay.Conversation
				s.Must(t, tok(owner), http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", id), nil, http.StatusOK, &c)
				if c.Status != sahay.StatusOpen {
					t.Errorf("a refused bulk action left conversation %d %s", id, c.Status)
				}
			}
		})

		t.Run("counts", func(t *testing.T) {
			counts := func(w who) core.Counts {
				var c core.Counts
				s.Must(t, tok(w), http.MethodGet, "/api/v1/conversations/counts", nil, http.StatusOK, &c)
				return c
			}
			if c := counts(owner); c.All["open"] != 2 || c.Inboxes[f.inboxB.ID]["open"] != 1 || c.Labels[f.vip]["open"] != 1 {
				t.Errorf("owner's counts = %+v, want 2 open, 1 in inbox B, 1 labelled vip", c)
			}
			c := counts(member)
			if c.All["open"] != 1 || c.Inboxes[f.inboxA.ID]["open"] != 1 || c.Channels["api"]["open"] != 1 {
				t.Errorf("member's counts = %+v, want only inbox A's conversation", c)
			}
			if _, ok := c.Inboxes[f.inboxB.ID]; ok {
				t.Errorf("member's counts show inbox B: %+v", c.Inboxes)
			}
			if _, ok := c.Labels[f.vip]; ok {
				t.Errorf("member's counts show the label of inbox B's conversation: %+v", c.Labels)
			}
			if c := counts(nonmember); len(c.All) != 0 || len(c.Inboxes) != 0 || len(c.Labels) != 0 || len(c.Unassigned) != 0 {
				t.Errorf("nonmember's counts = %+v, want nothing", c)
			}
			if c := counts(outsider); c.All["open"] != 1 || len(c.Inboxes) != 1 || c.Inboxes[f.globexInbox.ID]["open"] != 1 {
				t.Errorf("outsider's counts = %+v, want only Globex's conversation", c)
			}
		})

		t.Run("search", func(t *testing.T) {
			search := func(w who, q string) core.SearchResult {
				var r core.SearchResult
				s.Must(t, tok(w), http.MethodGet, "/api/v1/search?q="+q, nil, http.StatusOK, &r)
				return r
			}
			hits := func(r core.SearchResult) (ids []int64) {
				for _, h := range r.Messages {
					ids = append(ids, h.Message.ConversationID)
				}
				return ids
			}
			if got := hits(search(owner, "bravo")); !slices.Equal(got, []int64{f.convB.ID}) {
				t.Errorf("owner finds bravo in %v, want [%d]", got, f.convB.ID)
			}
			if got := hits(search(member, "alpha")); !slices.Equal(got, []int64{f.convA.ID}) {
				t.Errorf("member finds alpha in %v, want [%d]", got, f.convA.ID)
			}
			for _, w := range []who{member, nonmember, outsider} {
				if got := hits(search(w, "bravo")); len(got) != 0 {
					t.Errorf("%s finds inbox B's message in %v", w, got)
				}
			}
			byNumber := func(w who, c sahay.Conversation) []sahay.Conversation {
				return convs(search(w, fmt.Sprintf("%%23%d", c.DisplayID)).Conversations)
			}
			if got := byNumber(member, f.convA); len(got) != 1 || got[0].ID != f.convA.ID {
				t.Errorf("member searching #%d finds %v", f.convA.DisplayID, conversationIDs(got))
			}
			if got := byNumber(member, f.convB); len(got) != 0 {
				t.Errorf("member searching inbox B's #%d finds %v", f.convB.DisplayID, conversationIDs(got))
			}
			if got := byNumber(outsider, f.convA); len(got) == 1 && got[0].AccountID != f.users[outsider].AccountID {
				t.Errorf("outsider searching #%d finds Acme's conversation %d", f.convA.DisplayID, got[0].ID)
			}
			if r := search(owner, "alice"); len(r.Contacts) != 1 {
				t.Errorf("owner finds %d contacts named alice, want 1", len(r.Contacts))
			}
			if r := search(outsider, "alice"); len(r.Contacts) != 0 || len(r.Messages) != 0 {
				t.Errorf("outsider searching alice finds Acme's data: %+v", r)
			}
		})

		t.Run("contacts", func(t *testing.T) {
			contactIDs := func(w who, query string) []int64 {
				ids := []int64{}
				for _, c := range items[sahay.Contact](t, s, tok(w), "/api/v1/contacts"+query) {
					ids = append(ids, c.ID)
				}
				return ids
			}
			for _, c := range []struct {
				w     who
				query string
				want  []int64
			}{
				{owner, "", []int64{f.contactB, f.contactA}},
				{admin, "?q=bob", []int64{f.contactB}},
				{member, "", []int64{f.contactA}},
				{member, "?q=bob", []int64{}},
				{nonmember, "", []int64{}},
				{nonmember, "?q=alice", []int64{}},
				{outsider, "?q=alice", []int64{}},
			} {
				if got := contactIDs(c.w, c.query); !slices.Equal(got, c.want) {
					t.Errorf("%s: /contacts%s = %v, want %v", c.w, c.query, got, c.want)
				}
			}
			search := func(w who, q string) (ids []int64) {
				var r core.SearchResult
				s.Must(t, tok(w), http.MethodGet, "/api/v1/search?q="+q, nil, http.StatusOK, &r)
				for _, c := range r.Contacts {
					ids = append(ids, c.ID)
				}
				return ids
			}
			if got := search(owner, "bob"); !slices.Equal(got, []int64{f.contactB}) {
				t.Errorf("owner's search for bob finds contacts %v, want [%d]", got, f.contactB)
			}
			for _, w := range []who{member, nonmember} {
				if got := search(w, "bob"); len(got) != 0 {
					t.Errorf("%s's search for bob finds inbox B's contact %v", w, got)
				}
			}
		})

		t.Run("contact-conversations", func(t *testing.T) {
			// One person who wrote to both inboxes.
			s.Must(t, tok(owner), http.MethodPost, fmt.Sprintf("/api/v1/contacts/%d/merge", f.contactA),
				map[string]int64{"other_id": f.contactB}, http.StatusOK, nil)
			path := fmt.Sprintf("/api/v1/contacts/%d/conversations", f.contactA)
			for w, want := range map[who][]int64{
				owner:  {f.convB.ID, f.convA.ID},
				member: {f.convA.ID},
			} {
				got := conversationIDs(items[sahay.Conversation](t, s, tok(w), path))
				if !sameIDs(got, want) {
					t.Errorf("%s: contact's conversations = %v, want %v", w, got, want)
				}
			}
			for _, w := range []who{nonmember, outsider} {
				wantError(t, s.Call(t, tok(w), http.MethodGet, path, nil), 404, "not_found")
			}
		})

		t.Run("other-account", func(t *testing.T) {
			// Acme has something in every list; Globex must see none of it, and
			// Acme none of Globex's.
			acme, globex := f.users[owner].AccountID, f.users[outsider].AccountID
			for _, path := range []string{"/api/v1/inboxes", "/api/v1/conversations", "/api/v1/contacts", "/api/v1/labels",
				"/api/v1/teams", "/api/v1/canned_responses", "/api/v1/users", "/api/v1/audit_log"} {
				for w, account := range map[who]int64{owner: acme, outsider: globex} {
					for _, item := range items[map[string]any](t, s, tok(w), path) {
						if got, _ := item["account_id"].(float64); int64(got) != account {
							t.Errorf("%s: %s lists %v of account %v", w, path, item["id"], item["account_id"])
						}
					}
				}
			}
			var acc sahay.Account
			s.Must(t, tok(outsider), http.MethodGet, "/api/v1/account", nil, http.StatusOK, &acc)
			if acc.ID != globex {
				t.Errorf("outsider's account is %d, want %d", acc.ID, globex)
			}
		})

		t.Run("realtime", func(t *testing.T) {
			streams := map[who]*apitest.Stream{}
			for _, w := range []who{owner, member, nonmember, outsider} {
				streams[w], _ = s.Connect(t, tok(w), "")
			}
			o, x := f.users[owner], f.users[outsider]
			// Events in both inboxes, then a marker every Acme stream sees.
			carol := s.Receive(t, o, f.inboxB.ID, "carol", "bravo again", "b-2")
			s.Receive(t, o, f.inboxA.ID, "alice", "alpha again", "a-2")
			s.Must(t, o.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", f.convB.ID), map[string]int{"priority": 3}, 200, nil)
			// A change to a contact of each inbox: carol writes only to inbox B.
			for _, id := range []int64{carol.Conversation.ContactID, f.contactA} {
				s.Must(t, o.Token, http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", id), map[string]string{"phone": "+8801800000000"}, 200, nil)
			}
			hidden := s.NewInbox(t, o, "Hidden", "api", map[string]any{"webhook_url": "https://hooks.example/hidden"})
			marker := newLabel(t, s, o, "marker")
			frames := map[who][]sahay.Event{}
			for _, w := range []who{owner, member, nonmember} {
				frames[w] = streams[w].Until(t, isLabel(marker))
			}
			s.Must(t, x.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "globex-marker"}, 201, nil)
			frames[outsider] = streams[outsider].Until(t, func(ev sahay.Event) bool {
				return ev.Type == sahay.EventLabelChanged && ev.AccountID == x.AccountID
			})

			seen := func(evs []sahay.Event, inboxID int64) (n int) {
				for _, ev := range evs {
					if ev.InboxID == inboxID {
						n++
					}
				}
				return n
			}
			if seen(frames[owner], f.inboxB.ID) == 0 || seen(frames[owner], f.inboxA.ID) == 0 {
				t.Errorf("owner's stream lacks events of both inboxes: %v", describe(frames[owner]))
			}
			if seen(frames[member], f.inboxA.ID) == 0 {
				t.Errorf("member's stream lacks inbox A's events: %v", describe(frames[member]))
			}
			for _, w := range []who{member, nonmember} {
				for _, ev := range frames[w] {
					visible := ev.InboxID == 0 || (w == member && ev.InboxID == f.inboxA.ID)
					if !visible {
						t.Errorf("%s received %s of inbox %d", w, ev.Type, ev.InboxID)
					}
					if ev.ConversationID == f.convB.ID || ev.ConversationID == carol.Conversation.ID {
						t.Errorf("%s received %s of inbox B's conversation %d", w, ev.Type, ev.ConversationID)
					}
					if ev.AccountID != o.AccountID {
						t.Errorf("%s received an event of account %d", w, ev.AccountID)
					}
					// GET /inboxes/{id} answers 404 to an agent who is not a
					// member; the stream must not hand them the inbox either.
					if in := inboxOf(ev); in != nil && !(w == member && in.ID == f.inboxA.ID) {
						t.Errorf("%s received inbox %d (%q) with its settings %s, which GET /inboxes/%d answers 404 to them",
							w, in.ID, in.Name, in.Settings, in.ID)
					}
				}
			}
			for w, want := range map[who][]int64{
				owner:     {carol.Conversation.ContactID, f.contactA},
				member:    {f.contactA},
				nonmember: nil,
			} {
				var got []int64
				for _, ev := range frames[w] {
					if c := contactOf(ev); c != nil {
						got = append(got, c.ID)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s's stream carries changes of contacts %v, want %v", w, got, want)
				}
			}
			if !slices.ContainsFunc(frames[owner], func(ev sahay.Event) bool { in := inboxOf(ev); return in != nil && in.ID == hidden.ID }) {
				t.Errorf("owner's stream lacks the new inbox: %v", describe(frames[owner]))
			}
			for _, ev := range frames[outsider] {
				if ev.AccountID != x.AccountID {
					t.Errorf("outsider received %s of account %d", ev.Type, ev.AccountID)
				}
			}

			// Removed from inbox A, the member's open stream stops showing it.
			s.Must(t, o.Token, http.MethodPut, fmt.Sprintf("/api/v1/inboxes/%d/members", f.inboxA.ID), map[string][]int64{"user_ids": {}}, 200, nil)
			s.Receive(t, o, f.inboxA.ID, "alice", "alpha after removal", "a-3")
			after := newLabel(t, s, o, "after-removal")
			for _, ev := range streams[member].Until(t, isLabel(after)) {
				if ev.InboxID == f.inboxA.ID {
					t.Errorf("after leaving inbox A the member still received %s of it", ev.Type)
				}
			}
			s.Must(t, o.Token, http.MethodPut, fmt.Sprintf("/api/v1/inboxes/%d/members", f.inboxA.ID),
				map[string][]int64{"user_ids": {f.users[member].ID}}, 200, nil)
		})

		t.Run("realtime-credentials", func(t *testing.T) {
			for _, w := range []who{anonymous, revoked, badToken} {
				header := http.Header{}
				if tok(w) != "" {
					header.Set("Authorization", "Bearer "+tok(w))
				}
				_, resp, err := s.Dial(t, header, "")
				if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
					status := 0
					if resp != nil {
						status = resp.StatusCode
					}
					t.Errorf("%s: realtime dial gave status %d, err %v; want 401", w, status, err)
				}
			}
		})
	})
}

// sameIDs reports whether got and want hold the same ids in any order.
func sameIDs(got, want []int64) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// isLabel matches the label.changed event of a label.
func isLabel(id int64) func(sahay.Event) bool {
	return func(ev sahay.Event) bool {
		var data struct {
			Label struct {
				ID int64 `json:"id"`
			} `json:"label"`
		}
		return ev.Type == sahay.EventLabelChanged && json.Unmarshal(ev.Data, &data) == nil && data.Label.ID == id
	}
}

// inboxOf returns the inbox an inbox.changed event carries, if any.
func inboxOf(ev sahay.Event) *sahay.Inbox {
	var data struct {
		Inbox *sahay.Inbox `json:"inbox"`
	}
	if ev.Type != sahay.EventInboxChanged || json.Unmarshal(ev.Data, &data) != nil {
		return nil
	}
	return data.Inbox
}

func contactOf(ev sahay.Event) *sahay.Contact {
	var data struct {
		Contact *sahay.Contact `json:"contact"`
	}
	if ev.Type != sahay.EventContactUpdated || json.Unmarshal(ev.Data, &data) != nil {
		return nil
	}
	return data.Contact
}

func convs(cs []*sahay.Conversation) []sahay.Conversation {
	out := make([]sahay.Conversation, 0, len(cs))
	for _, c := range cs {
		out = append(out, *c)
	}
	return out
}

// describe lists events briefly, for failure messages.
func describe(evs []sahay.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, fmt.Sprintf("%d:%s(inbox %d, conversation %d)", ev.Seq, ev.Type, ev.InboxID, ev.ConversationID))
	}
	return out
}

// TestAuthorizationChanges checks that changes of role, membership and
// existence take effect on the very next request.
func TestAuthorizationChanges(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		s := apitest.NewServer(t)
		o := s.NewAccount(t, "Acme")
		ad := s.NewUser(t, o, sahay.RoleAdmin)
		ag := s.NewUser(t, o, sahay.RoleAgent)
		inbox := s.NewInbox(t, o, "Support", "api", nil, ag.ID)
		conv := fmt.Sprintf("/api/v1/conversations/%d", s.Receive(t, o, inbox.ID, "dana", "hello", "d-1").Conversation.ID)
		users := func(id int64) string { return fmt.Sprintf("/api/v1/users/%d", id) }

		s.Must(t, ag.Token, http.MethodGet, conv, nil, http.StatusOK, nil)
		s.Must(t, o.Token, http.MethodPut, fmt.Sprintf("/api/v1/inboxes/%d/members", inbox.ID), map[string][]int64{"user_ids": {}}, 200, nil)
		wantError(t, s.Call(t, ag.Token, http.MethodGet, conv, nil), 404, "not_found")
		if got := items[sahay.Conversation](t, s, ag.Token, "/api/v1/conversations"); len(got) != 0 {
			t.Errorf("a removed member still lists %v", conversationIDs(got))
		}

		// Administrators do not rule owners.
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPatch, users(o.ID), map[string]string{"role": "agent"}},
			{http.MethodDelete, users(o.ID), nil},
			{http.MethodPatch, users(ad.ID), map[string]string{"role": "owner"}},
			{http.MethodPost, "/api/v1/users", map[string]string{"email": "boss@example.test", "name": "Boss", "role": "owner", "password": apitest.Password}},
		} {
			wantError(t, s.Call(t, ad.Token, c.method, c.path, c.body), 403, "forbidden")
		}
		wantError(t, s.Call(t, ag.Token, http.MethodPatch, users(ag.ID), map[string]string{"role": "admin"}), 403, "forbidden")

		// A demoted administrator's token loses the rights at once.
		s.Must(t, ad.Token, http.MethodGet, "/api/v1/audit_log", nil, http.StatusOK, nil)
		s.Must(t, o.Token, http.MethodPatch, users(ad.ID), map[string]string{"role": "agent"}, http.StatusOK, nil)
		wantError(t, s.Call(t, ad.Token, http.MethodGet, "/api/v1/audit_log", nil), 403, "forbidden")
		wantError(t, s.Call(t, ad.Token, http.MethodGet, conv, nil), 404, "not_found")

		// A removed user's token and sessions stop working.
		r := s.Do(t, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Body: map[string]string{"email": ag.Email, "password": ag.Password}})
		if r.Status != http.StatusOK || len(r.Cookies) == 0 {
			t.Fatalf("login: %s", r)
		}
		s.Must(t, o.Token, http.MethodDelete, users(ag.ID), nil, http.StatusNoContent, nil)
		wantError(t, s.Call(t, ag.Token, http.MethodGet, "/api/v1/me", nil), 401, "unauthorized")
		wantError(t, s.Do(t, apitest.Request{Method: http.MethodGet, Path: "/api/v1/me", Cookies: r.Cookies}), 401, "unauthorized")
	})
}
