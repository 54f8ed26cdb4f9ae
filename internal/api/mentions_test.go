package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/nlp"
)

// mention is what GET /api/v1/mentions lists.
type mention struct {
	Message     sahay.Message `json:"message"`
	DisplayID   int64         `json:"display_id"`
	ContactName string        `json:"contact_name"`
	Sentiment   string        `json:"sentiment"`
	Channel     string        `json:"channel"`
	InboxName   string        `json:"inbox_name"`
	Keywords    []string      `json:"keywords"`
}

func TestMentions(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Sahay Shop")
		agent := s.NewUser(t, owner, sahay.RoleAgent)
		site := s.NewInbox(t, owner, "Website", "api", nil, agent.ID)
		page := s.NewInbox(t, owner, "Shop site", "widget", nil)
		ctx := context.Background()
		n := 0
		comment := func(inbox int64, who, text string, public bool) {
			t.Helper()
			n++
			in := channel.Inbound{InboxID: inbox, ExternalID: fmt.Sprint("c", n), ContactID: who, Name: who, Content: text, Public: public}
			if public {
				in.Post = &sahay.Post{ID: "post-1", Kind: "post"}
			}
			if _, err := s.App.Service.Receive(ctx, in); err != nil {
				t.Fatalf("receive %q: %v", text, err)
			}
		}
		list := func(token, query string) ([]mention, string) {
			t.Helper()
			var l struct {
				Items      []mention `json:"items"`
				NextCursor string    `json:"next_cursor"`
			}
			s.Must(t, token, http.MethodGet, "/api/v1/mentions"+query, nil, http.StatusOK, &l)
			return l.Items, l.NextCursor
		}
		texts := func(ms []mention) []string {
			var out []string
			for _, m := range ms {
				out = append(out, m.Message.Content)
			}
			return out
		}

		// Written before the keyword is followed: found when it is.
		early := "Ordered from Sahay last week, still waiting"
		comment(page.ID, "rina", early, true)

		var brand, bnBrand, word struct{ ID int64 }
		wantError(t, s.Call(t, agent.Token, http.MethodPost, "/api/v1/mentions/keywords", map[string]any{"term": "Sahay"}), http.StatusForbidden, "forbidden")
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/mentions/keywords", map[string]any{"term": "Sahay", "kind": "brand"}, http.StatusCreated, &brand)
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/mentions/keywords", map[string]any{"term": "সহায়", "kind": "brand"}, http.StatusCreated, &bnBrand)
		s.Must(t, owner.Token, http.MethodPost, "/api/v1/mentions/keywords", map[string]any{"term": "ডেলিভারি"}, http.StatusCreated, &word)
		wantError(t, s.Call(t, owner.Token, http.MethodPost, "/api/v1/mentions/keywords", map[string]any{"term": " SAHAY "}), http.StatusConflict, "conflict")
		for _, bad := range []map[string]any{{"term": ""}, {"term": "!!!"}, {"term": "x", "kind": "hashtag"}, {}} {
			wantError(t, s.Call(t, owner.Token, http.MethodPost, "/api/v1/mentions/keywords", bad), http.StatusUnprocessableEntity, "invalid")
		}
		if got, _ := list(owner.Token, ""); !slices.Equal(texts(got), []string{early}) {
			t.Fatalf("after following: %q, want the earlier comment", texts(got))
		}

		// Matched as they land, Bengali inflection and case alike; private
		// messages and public ones naming nothing are not mentions.
		angry := "SAHAY's delivery is a scam!!! never again"
		bengali := "সহায়ের ডেলিভারি খুব ভালো, ধন্যবাদ"
		comment(page.ID, "karim", angry, true)
		comment(site.ID, "mita", bengali, true)
		comment(page.ID, "karim", "Sahay, where is my order?", false)
		comment(page.ID, "joy", "nice photo", true)
		var all []mention
		deadline := time.Now().Add(15 * time.Second)
		for len(all) < 3 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			all, _ = list(owner.Token, "")
		}
		if !slices.Equal(texts(all), []string{bengali, angry, early}) {
			t.Fatalf("mentions %q, want the two new public ones, newest first, then the earlier", texts(all))
		}
		bn := all[0]
		if !slices.Equal(bn.Keywords, []string{"সহায়", "ডেলিভারি"}) || bn.Channel != "api" || bn.InboxName != "Website" || bn.ContactName != "mita" ||
			bn.Sentiment != nlp.Analyze(bengali).Sentiment || bn.DisplayID == 0 {
			t.Errorf("the Bengali mention: %+v", bn)
		}
		if all[1].Channel != "widget" || all[1].Sentiment != nlp.Analyze(angry).Sentiment {
			t.Errorf("the angry mention: %+v", all[1])
		}

		// Filters, and an agent sees only their inboxes.
		if got, _ := list(owner.Token, fmt.Sprintf("?keyword=%d", word.ID)); !slices.Equal(texts(got), []string{bengali}) {
			t.Errorf("by keyword: %q", texts(got))
		}
		if got, _ := list(owner.Token, "?channel=widget"); !slices.Equal(texts(got), []string{angry, early}) {
			t.Errorf("by channel: %q", texts(got))
		}
		sentiment := nlp.Analyze(angry).Sentiment
		for _, m := range all[1:] {
			if got, _ := list(owner.Token, "?sentiment="+m.Sentiment); !slices.Contains(texts(got), m.Message.Content) {
				t.Errorf("by sentiment %s: %q", sentiment, texts(got))
			}
		}
		if got, _ := list(agent.Token, ""); !slices.Equal(texts(got), []string{bengali}) {
			t.Errorf("the agent of the website sees %q", texts(got))
		}

		// Pages by keyset, each mention once.
		var paged []string
		cursor := ""
		for range 5 {
			page, next := list(owner.Token, "?limit=1&cursor="+cursor)
			paged = append(paged, texts(page)...)
			if cursor = next; cursor == "" {
				break
			}
		}
		if !slices.Equal(paged, texts(all)) {
			t.Errorf("paged %q, want %q", paged, texts(all))
		}

		// The trend counts today's mentions by sentiment.
		var trend core.MentionTrend
		s.Must(t, owner.Token, http.MethodGet, "/api/v1/mentions/trend?days=14", nil, http.StatusOK, &trend)
		if len(trend.Days) != 14 {
			t.Fatalf("trend of %d days", len(trend.Days))
		}
		today := trend.Days[13]
		if today.Negative+today.Neutral+today.Positive != 3 || today.Date != time.Now().UTC().Format(time.DateOnly) {
			t.Errorf("today %+v, want the 3 mentions", today)
		}
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/mentions/trend?days=7", nil, http.StatusOK, &trend)
		if d := trend.Days[6]; d.Negative+d.Neutral+d.Positive != 1 {
			t.Errorf("the agent's today %+v, want their inbox's 1", d)
		}

		for _, q := range []string{"?sentiment=angry", "?limit=500", "?cursor=nonsense", "/trend?days=5"} {
			wantError(t, s.Call(t, owner.Token, http.MethodGet, "/api/v1/mentions"+q, nil), http.StatusUnprocessableEntity, "invalid")
		}
		wantError(t, s.Call(t, owner.Token, http.MethodGet, "/api/v1/mentions?keyword=999999", nil), http.StatusNotFound, "not_found")

		// Renaming a keyword matches again; deleting it forgets the
		// mentions only it matched.
		s.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/mentions/keywords/%d", word.ID), map[string]any{"term": "scam"}, http.StatusOK, nil)
		if got, _ := list(owner.Token, fmt.Sprintf("?keyword=%d", word.ID)); !slices.Equal(texts(got), []string{angry}) {
			t.Errorf("after renaming to scam: %q", texts(got))
		}
		s.Must(t, owner.Token, http.MethodDelete, fmt.Sprintf("/api/v1/mentions/keywords/%d", brand.ID), nil, http.StatusNoContent, nil)
		if got, _ := list(owner.Token, ""); !slices.Equal(texts(got), []string{bengali, angry}) {
			t.Errorf("after deleting Sahay: %q", texts(got))
		}
		var kws struct{ Items []struct{ Term string } }
		s.Must(t, agent.Token, http.MethodGet, "/api/v1/mentions/keywords", nil, http.StatusOK, &kws)
		if len(kws.Items) != 2 || kws.Items[0].Term != "সহায়" || kws.Items[1].Term != "scam" {
			t.Errorf("keywords %+v", kws.Items)
		}
	})
}
