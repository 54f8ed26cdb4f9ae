package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/core"
)

type countedView struct {
	sahay.SavedView
	Count       int64 `json:"count"`
	CountCapped bool  `json:"count_capped"`
}

// viewWorld is an account with two API inboxes: A with agent ana (of team
// Billing) and B with agent bo (of team Sales). Three customers write to A,
// two to B; the "refund" label is on one conversation of each inbox.
type viewWorld struct {
	s                *apitest.Server
	owner, ana, bo   *apitest.User
	inboxA, inboxB   *sahay.Inbox
	billing, sales   int64
	convsA, convsB   []sahay.Conversation
	contactsA        []int64
	contactB         int64
	outsider         *apitest.User
	outsiderViewPath string
}

func newViewWorld(t *testing.T) *viewWorld {
	t.Helper()
	s := apitest.NewServer(t)
	w := &viewWorld{s: s, owner: s.NewAccount(t, "Acme")}
	w.ana = s.NewUser(t, w.owner, sahay.RoleAgent)
	w.bo = s.NewUser(t, w.owner, sahay.RoleAgent)
	w.inboxA = s.NewInbox(t, w.owner, "Inbox A", "api", nil, w.ana.ID)
	w.inboxB = s.NewInbox(t, w.owner, "Inbox B", "api", nil, w.bo.ID)
	for i, name := range []string{"রহিম উদ্দিন", "अमित शर्मा", "=HYPERLINK(\"http://evil.example\")"} {
		r := s.Receive(t, w.owner, w.inboxA.ID, fmt.Sprintf("a%d", i), "question, with \"quotes\"\nand a line", fmt.Sprintf("a-%d", i))
		s.Must(t, w.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", r.Conversation.ContactID),
			map[string]string{"name": name}, http.StatusOK, nil)
		w.convsA = append(w.convsA, r.Conversation)
		w.contactsA = append(w.contactsA, r.Conversation.ContactID)
	}
	for i := range 2 {
		r := s.Receive(t, w.owner, w.inboxB.ID, fmt.Sprintf("b%d", i), "hello", fmt.Sprintf("b-%d", i))
		w.convsB = append(w.convsB, r.Conversation)
		w.contactB = r.Conversation.ContactID
	}
	s.Must(t, w.owner.Token, http.MethodPost, "/api/v1/labels", map[string]string{"name": "refund"}, http.StatusCreated, nil)
	for _, c := range []sahay.Conversation{w.convsA[0], w.convsB[0]} {
		s.Must(t, w.owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/conversations/%d/labels", c.ID),
			map[string][]string{"labels": {"refund"}}, http.StatusOK, nil)
	}
	// Ana takes the first conversation of A; the second is resolved.
	s.Must(t, w.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", w.convsA[0].ID),
		map[string]int64{"assignee_id": w.ana.ID}, http.StatusOK, nil)
	s.Must(t, w.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", w.convsA[1].ID),
		map[string]string{"status": "resolved"}, http.StatusOK, nil)
	var team sahay.Team
	s.Must(t, w.owner.Token, http.MethodPost, "/api/v1/teams", map[string]any{"name": "Billing", "member_ids": []int64{w.ana.ID}}, http.StatusCreated, &team)
	w.billing = team.ID
	s.Must(t, w.owner.Token, http.MethodPost, "/api/v1/teams", map[string]any{"name": "Sales", "member_ids": []int64{w.bo.ID}}, http.StatusCreated, &team)
	w.sales = team.ID
	w.outsider = s.NewAccount(t, "Globex")
	var v countedView
	s.Must(t, w.outsider.Token, http.MethodPost, "/api/v1/views", map[string]any{"name": "Theirs", "visibility": "account"}, http.StatusCreated, &v)
	w.outsiderViewPath = fmt.Sprintf("/api/v1/views/%d", v.ID)
	return w
}

func (w *viewWorld) views(t *testing.T, u *apitest.User) map[string]countedView {
	t.Helper()
	out := map[string]countedView{}
	for _, v := range items[countedView](t, w.s, u.Token, "/api/v1/views") {
		out[v.Name] = v
	}
	return out
}

// TestSavedViewsCountsMatchTheList: every view's count is the number of
// conversations its filters list for the reader, whether it comes from the
// maintained counts or from counting.
func TestSavedViewsCountsMatchTheList(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		w := newViewWorld(t)
		s := w.s
		filters := map[string]map[string]any{
			"everything":            {},
			"open":                  {"status": "open"},
			"open in A":             {"status": "open", "inbox": w.inboxA.ID},
			"unassigned":            {"assignee": "none"},
			"ana's":                 {"assignee": fmt.Sprint(w.ana.ID)},
			"api channel":           {"channel": "api", "sort": "waiting"},
			"refund":                {"label": "refund"},
			"open refund in B":      {"label": "refund", "status": "open", "inbox": w.inboxB.ID},
			"refund assigned (cap)": {"label": "refund", "assignee": fmt.Sprint(w.ana.ID)},
			"refund unassigned":     {"label": "refund", "assignee": "none", "status": "open"},
		}
		for name, f := range filters {
			s.Must(t, w.owner.Token, http.MethodPost, "/api/v1/views", map[string]any{"name": name, "filters": f, "visibility": "account"},
				http.StatusCreated, nil)
		}
		for _, u := range []*apitest.User{w.owner, w.ana, w.bo} {
			views := w.views(t, u)
			for name, f := range filters {
				v, ok := views[name]
				if !ok {
					t.Fatalf("user %d does not see the shared view %q", u.ID, name)
				}
				q := []string{"limit=100"}
				for k, val := range f {
					q = append(q, fmt.Sprintf("%s=%v", k, val))
				}
				list := items[sahay.Conversation](t, s, u.Token, "/api/v1/conversations?"+strings.Join(q, "&"))
				if v.Count != int64(len(list)) || v.CountCapped {
					t.Errorf("user %d, view %q: count %d (capped %v), the list has %d", u.ID, name, v.Count, v.CountCapped, len(list))
				}
			}
		}
		if n := w.views(t, w.owner)["everything"].Count; n != 5 {
			t.Errorf("owner's everything = %d, want 5", n)
		}
		if n := w.views(t, w.ana)["everything"].Count; n != 3 {
			t.Errorf("ana's everything = %d, want 3 (inbox A only)", n)
		}
	})
}

// TestSavedViewsPrivacyAndEditing: private views stay with their owner,
// team views with the team, and only owners and administrators change
// them.
func TestSavedViewsPrivacyAndEditing(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		w := newViewWorld(t)
		s := w.s
		var private, team countedView
		s.Must(t, w.ana.Token, http.MethodPost, "/api/v1/views", map[string]any{"name": "My open", "filters": map[string]any{"status": "open", "assignee": "me"}},
			http.StatusCreated, &private)
		if private.Visibility != sahay.ViewPrivate || private.UserID != w.ana.ID || private.Count != 1 {
			t.Errorf("new view = %+v, want ana's private view counting 1", private)
		}
		s.Must(t, w.ana.Token, http.MethodPost, "/api/v1/views", map[string]any{"name": "Billing refunds", "filters": map[string]any{"label": "refund"},
			"visibility": "team", "team_id": w.billing}, http.StatusCreated, &team)
		privatePath, teamPath := fmt.Sprintf("/api/v1/views/%d", private.ID), fmt.Sprintf("/api/v1/views/%d", team.ID)

		if _, ok := w.views(t, w.bo)["My open"]; ok {
			t.Error("bo sees ana's private view")
		}
		if _, ok := w.views(t, w.bo)["Billing refunds"]; ok {
			t.Error("bo, not of Billing, sees Billing's view")
		}
		if _, ok := w.views(t, w.owner)["My open"]; ok {
			t.Error("the owner sees ana's private view")
		}
		if v, ok := w.views(t, w.owner)["Billing refunds"]; !ok || v.Count != 2 {
			t.Errorf("the owner sees Billing's view: %v, count %d; want it, counting 2", ok, v.Count)
		}
		for _, tc := range []struct {
			who    *apitest.User
			method string
			path   string
			body   any
			want   int
		}{
			{w.bo, http.MethodGet, privatePath, nil, http.StatusNotFound},
			{w.bo, http.MethodPatch, privatePath, map[string]string{"name": "stolen"}, http.StatusNotFound},
			{w.bo, http.MethodDelete, privatePath, nil, http.StatusNotFound},
			{w.owner, http.MethodDelete, privatePath, nil, http.StatusNotFound},
			{w.bo, http.MethodGet, teamPath, nil, http.StatusNotFound},
			{w.outsider, http.MethodGet, teamPath, nil, http.StatusNotFound},
			{w.owner, http.MethodGet, w.outsiderViewPath, nil, http.StatusNotFound},
			// Agents share with their own teams only; the account is for administrators.
			{w.ana, http.MethodPost, "/api/v1/views", map[string]any{"name": "x", "visibility": "team", "team_id": w.sales}, http.StatusForbidden},
			{w.ana, http.MethodPost, "/api/v1/views", map[string]any{"name": "x", "visibility": "account"}, http.StatusForbidden},
			{w.ana, http.MethodPatch, privatePath, map[string]any{"visibility": "account"}, http.StatusForbidden},
		} {
			r := s.Call(t, tc.who.Token, tc.method, tc.path, tc.body)
			wantError(t, r, tc.want, codeFor(tc.want))
		}
		var got countedView
		s.Must(t, w.bo.Token, http.MethodGet, w.outsiderViewPath, nil, http.StatusNotFound, nil)
		s.Must(t, w.ana.Token, http.MethodGet, privatePath, nil, http.StatusOK, &got)

		// Bo joins Billing: the team view appears for him, and he may not change it.
		s.Must(t, w.owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/teams/%d", w.billing),
			map[string]any{"member_ids": []int64{w.ana.ID, w.bo.ID}}, http.StatusOK, nil)
		if v, ok := w.views(t, w.bo)["Billing refunds"]; !ok || v.Count != 1 {
			t.Errorf("bo in Billing sees its view: %v, count %d; want it, counting 1 (inbox B's refund)", ok, v.Count)
		}
		wantError(t, s.Call(t, w.bo.Token, http.MethodPatch, teamPath, map[string]string{"name": "Bo's now"}), http.StatusForbidden, "forbidden")
		wantError(t, s.Call(t, w.bo.Token, http.MethodDelete, teamPath, nil), http.StatusForbidden, "forbidden")
		// An administrator renames it; the owner renames and deletes their own.
		s.Must(t, w.owner.Token, http.MethodPatch, teamPath, map[string]string{"name": "Refunds (billing)"}, http.StatusOK, &got)
		if got.Name != "Refunds (billing)" || got.UserID != w.ana.ID || got.Filters.Label != "refund" {
			t.Errorf("renamed view = %+v", got)
		}
		var changed countedView
		s.Must(t, w.ana.Token, http.MethodPatch, privatePath, map[string]any{"name": "  Mine, open  ", "filters": map[string]any{"status": "resolved"}},
			http.StatusOK, &changed)
		if got := changed; got.Name != "Mine, open" || got.Filters != (sahay.ViewFilters{Status: "resolved"}) || got.Count != 1 {
			t.Errorf("changed view = %+v", got)
		}
		s.Must(t, w.ana.Token, http.MethodDelete, privatePath, nil, http.StatusNoContent, nil)
		s.Must(t, w.ana.Token, http.MethodGet, privatePath, nil, http.StatusNotFound, nil)
	})
}

// TestSavedViewsBadInput: each refused body changes nothing.
func TestSavedViewsBadInput(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		w := newViewWorld(t)
		s := w.s
		s.Must(t, w.ana.Token, http.MethodPost, "/api/v1/views", map[string]any{"name": "Taken"}, http.StatusCreated, nil)
		long := strings.Repeat("ব", 201)
		for _, tc := range []struct {
			name string
			body any
			want int
		}{
			{"no name", map[string]any{"filters": map[string]string{"status": "open"}}, 422},
			{"blank name", map[string]any{"name": "   "}, 422},
			{"long name", map[string]any{"name": long}, 422},
			{"unknown status", map[string]any{"name": "x", "filters": map[string]string{"status": "closed"}}, 422},
			{"unknown assignee", map[string]any{"name": "x", "filters": map[string]string{"assignee": "everyone"}}, 422},
			{"unknown label", map[string]any{"name": "x", "filters": map[string]string{"label": "nope"}}, 422},
			{"unknown team", map[string]any{"name": "x", "filters": map[string]any{"team": 999999}}, 422},
			{"inbox not the agent's", map[string]any{"name": "x", "filters": map[string]any{"inbox": w.inboxB.ID}}, 422},
			{"unknown channel", map[string]any{"name": "x", "filters": map[string]any{"channel": "pigeon"}}, 422},
			{"unknown sort", map[string]any{"name": "x", "filters": map[string]any{"sort": "random"}}, 422},
			{"unknown filter", map[string]any{"name": "x", "filters": map[string]any{"mood": "happy"}}, 400},
			{"unknown visibility", map[string]any{"name": "x", "visibility": "friends"}, 422},
			{"team view without a team", map[string]any{"name": "x", "visibility": "team"}, 422},
			{"team view of an unknown team", map[string]any{"name": "x", "visibility": "team", "team_id": 999999}, 422},
			{"same name twice", map[string]any{"name": "Taken"}, 409},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, s.Call(t, w.ana.Token, http.MethodPost, "/api/v1/views", tc.body), tc.want, codeFor(tc.want))
			})
		}
		if n := len(items[countedView](t, s, w.ana.Token, "/api/v1/views")); n != 1 {
			t.Errorf("ana has %d views after the refused ones, want 1", n)
		}
		wantError(t, s.Call(t, w.ana.Token, http.MethodPost, "/api/v1/views", `{"name": "half`), 400, "bad_request")
		for i := 1; i < core.MaxViewsPerUser; i++ {
			s.Must(t, w.ana.Token, http.MethodPost, "/api/v1/views", map[string]any{"name": fmt.Sprintf("v%d", i)}, http.StatusCreated, nil)
		}
		wantError(t, s.Call(t, w.ana.Token, http.MethodPost, "/api/v1/views", map[string]any{"name": "one too many"}), 422, "invalid")
	})
}

// TestContactsScopedAndFiltered: agents list the contacts of their
// inboxes; label, channel and search narrow the list; bad filters are
// refused.
func TestContactsScopedAndFiltered(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		w := newViewWorld(t)
		s := w.s
		s.NewInbox(t, w.owner, "Site", "widget", nil)
		ids := func(u *apitest.User, query string) []int64 {
			var out []int64
			for _, c := range items[sahay.Contact](t, s, u.Token, "/api/v1/contacts"+query) {
				out = append(out, c.ID)
			}
			return out
		}
		a0, a1, a2 := w.contactsA[0], w.contactsA[1], w.contactsA[2]
		bLast := w.contactB
		b0 := w.convsB[0].ContactID
		for _, tc := range []struct {
			who   *apitest.User
			query string
			want  []int64
		}{
			{w.owner, "", []int64{bLast, b0, a2, a1, a0}},
			{w.ana, "", []int64{a2, a1, a0}},
			{w.bo, "", []int64{bLast, b0}},
			{w.owner, "?label=refund", []int64{b0, a0}},
			{w.ana, "?label=refund", []int64{a0}},
			{w.owner, "?channel=api", []int64{bLast, b0, a2, a1, a0}},
			{w.owner, "?channel=widget", nil},
			{w.ana, "?q=" + "রহিম", []int64{a0}},
			{w.bo, "?q=" + "রহিম", nil},
			{w.owner, "?q=amit&label=refund", nil},
			{w.owner, fmt.Sprintf("?limit=2&before=%d", a2), []int64{a1, a0}},
		} {
			if got := ids(tc.who, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("user %d lists contacts%s = %v, want %v", tc.who.ID, tc.query, got, tc.want)
			}
		}
		var page struct {
			Items      []sahay.Contact `json:"items"`
			NextBefore int64           `json:"next_before"`
		}
		s.Must(t, w.owner.Token, http.MethodGet, "/api/v1/contacts?limit=2", nil, http.StatusOK, &page)
		if page.NextBefore != b0 {
			t.Errorf("next_before = %d, want %d", page.NextBefore, b0)
		}
		for _, q := range []string{"?label=nope", "?limit=101", "?before=x", "?q=" + strings.Repeat("a", 501)} {
			wantError(t, s.Call(t, w.ana.Token, http.MethodGet, "/api/v1/contacts"+q, nil), 422, "invalid")
		}
	})
}

// readCSV checks an export's framing and returns its rows, header first.
func readCSV(t *testing.T, r *apitest.Response) [][]string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("export: %s", r)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.HasSuffix(cd, ".csv") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if !bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("export does not start with a UTF-8 byte order mark: %q", r.Body[:min(10, len(r.Body))])
	}
	if !bytes.Contains(r.Body, []byte("\r\n")) {
		t.Errorf("rows do not end in CRLF")
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, r.Body)
	}
	return rows
}

func column(rows [][]string, name string) []string {
	i := slices.Index(rows[0], name)
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

// TestExportCSV: the exports hold what the caller may see under the
// filters, in a form spreadsheets open safely.
func TestExportCSV(t *testing.T) {
	t.Parallel()
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		t.Parallel()
		w := newViewWorld(t)
		s := w.s

		rows := readCSV(t, s.Call(t, w.owner.Token, http.MethodGet, "/api/v1/conversations/export.csv", nil))
		if rows[0][0] != "id" || rows[0][1] != "number" || len(rows) != 6 {
			t.Fatalf("owner's export: header %v, %d rows; want 5 conversations", rows[0], len(rows)-1)
		}
		rows = readCSV(t, s.Call(t, w.ana.Token, http.MethodGet, "/api/v1/conversations/export.csv?status=open&sort=created", nil))
		want := []string{fmt.Sprint(w.convsA[2].ID), fmt.Sprint(w.convsA[0].ID)}
		if got := column(rows, "id"); !slices.Equal(got, want) {
			t.Errorf("ana's open export = %v, want %v (inbox A, newest first)", got, want)
		}
		names := column(rows, "contact_name")
		if !slices.Contains(names, "রহিম উদ্দিন") {
			t.Errorf("Bengali name lost: %q", names)
		}
		if !slices.Contains(names, `'=HYPERLINK("http://evil.example")`) {
			t.Errorf("formula not guarded: %q", names)
		}
		if got := column(rows, "last_message")[0]; got != "question, with \"quotes\" and a line" {
			t.Errorf("last_message = %q", got)
		}
		if got := column(rows, "labels"); !slices.Equal(got, []string{"", "refund"}) {
			t.Errorf("labels = %q", got)
		}
		if got := column(rows, "assignee")[1]; got != w.ana.Name {
			t.Errorf("assignee = %q, want %q", got, w.ana.Name)
		}
		rows = readCSV(t, s.Call(t, w.bo.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/export.csv?inbox=%d", w.inboxA.ID), nil))
		if len(rows) != 1 {
			t.Errorf("bo exports %d conversations of an inbox he is not in", len(rows)-1)
		}

		rows = readCSV(t, s.Call(t, w.ana.Token, http.MethodGet, "/api/v1/contacts/export.csv", nil))
		if got, want := column(rows, "id"), []string{fmt.Sprint(w.contactsA[2]), fmt.Sprint(w.contactsA[1]), fmt.Sprint(w.contactsA[0])}; !slices.Equal(got, want) {
			t.Errorf("ana's contacts export = %v, want %v", got, want)
		}
		if got := column(rows, "identities")[2]; got != fmt.Sprintf("inbox:%d:a0", w.inboxA.ID) {
			t.Errorf("identities = %q", got)
		}
		rows = readCSV(t, s.Call(t, w.owner.Token, http.MethodGet, "/api/v1/contacts/export.csv?label=refund&q=%E0%A6%B0%E0%A6%B9%E0%A6%BF%E0%A6%AE", nil))
		if got := column(rows, "name"); !slices.Equal(got, []string{"রহিম উদ্দিন"}) {
			t.Errorf("filtered contacts export = %q", got)
		}

		for _, path := range []string{"/api/v1/conversations/export.csv?status=closed", "/api/v1/conversations/export.csv?sort=random",
			"/api/v1/conversations/export.csv?label=nope", "/api/v1/contacts/export.csv?label=nope", "/api/v1/contacts/export.csv?channel=api&before=x"} {
			r := s.Call(t, w.owner.Token, http.MethodGet, path, nil)
			wantError(t, r, 422, "invalid")
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: refused with Content-Type %q", path, ct)
			}
		}
		wantError(t, s.Call(t, "", http.MethodGet, "/api/v1/contacts/export.csv", nil), 401, "unauthorized")
	})
}
