package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/nlp"
)

func TestAnalyze(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	owner := s.NewAccount(t, "Analysis shop")
	agent := s.NewUser(t, owner, "agent")

	for _, text := range []string{
		"This is terrible, my parcel is late again and nobody answers!!",
		"আমার অর্ডার এখনো আসেনি, খুব বিরক্ত",
		"मुझे इंसान से बात करनी है",
		"bhai order kab aayega, bahut bekaar service hai",
		"ami kal theke wait korchi",
	} {
		r := s.Must(t, agent.Token, http.MethodPost, "/api/v1/analyze", map[string]string{"text": text}, http.StatusOK, nil)
		want, _ := json.Marshal(nlp.Analyze(text))
		var got, wantDoc any
		json.Unmarshal(r.Body, &got)
		json.Unmarshal(want, &wantDoc)
		if g, _ := json.Marshal(got); string(g) != string(mustJSON(t, wantDoc)) {
			t.Errorf("analyze %q = %s, want %s", text, r.Body, want)
		}
	}

	for _, bad := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"malformed", `{"text": "hello"`, http.StatusBadRequest, sahay.EBADREQUEST},
		{"not an object", `"hello"`, http.StatusBadRequest, sahay.EBADREQUEST},
		{"no body", "", http.StatusBadRequest, sahay.EBADREQUEST},
		{"empty text", map[string]string{"text": ""}, http.StatusBadRequest, sahay.EBADREQUEST},
		{"blank text", map[string]string{"text": " \n\t"}, http.StatusBadRequest, sahay.EBADREQUEST},
		{"no text", map[string]string{}, http.StatusBadRequest, sahay.EBADREQUEST},
		{"unknown field", map[string]string{"txt": "hello"}, http.StatusBadRequest, sahay.EBADREQUEST},
		{"text not a string", map[string]int{"text": 4}, http.StatusBadRequest, sahay.EBADREQUEST},
		{"over 16 KiB", map[string]string{"text": strings.Repeat("অ", 6000)}, http.StatusRequestEntityTooLarge, sahay.ETOOLARGE},
	} {
		r := s.Call(t, agent.Token, http.MethodPost, "/api/v1/analyze", bad.body)
		if r.Status != bad.status {
			t.Errorf("%s: %s, want %d", bad.name, r, bad.status)
		}
		wantError(t, r, bad.status, bad.code)
	}
	wantError(t, s.Call(t, "", http.MethodPost, "/api/v1/analyze", map[string]string{"text": "hi"}), http.StatusUnauthorized, sahay.EUNAUTHORIZED)

	// A user who asks too fast is told to wait; another user is not.
	limited := false
	for range 200 {
		r := s.Call(t, agent.Token, http.MethodPost, "/api/v1/analyze", map[string]string{"text": "where is my order"})
		if r.Status == http.StatusTooManyRequests {
			wantError(t, r, http.StatusTooManyRequests, sahay.ERATELIMITED)
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("200 analyses in a row were never limited")
	}
	s.Must(t, owner.Token, http.MethodPost, "/api/v1/analyze", map[string]string{"text": "hi"}, http.StatusOK, nil)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestConversationsByMood lists conversations by the mood the scorer
// gave them, most negative first, a page at a time.
func TestConversationsByMood(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		s := apitest.NewServer(t)
		owner := s.NewAccount(t, "Mood shop")
		inbox := s.NewInbox(t, owner, "API", "api", nil)
		texts := []string{
			"This is terrible, my parcel is late again and nobody answers!!",
			"Thank you so much, the delivery was quick and great",
			"Where is my order?",
			"আমার অর্ডার এখনো আসেনি, খুব বিরক্ত",
			"ধন্যবাদ, খুব ভালো সার্ভিস",
			"bhai order kab aayega, bahut bekaar service hai",
			"ok",
		}
		ids := map[int64]nlp.Analysis{}
		for i, text := range texts {
			rec := s.Receive(t, owner, inbox.ID, fmt.Sprintf("cust-%d", i), text, fmt.Sprintf("m%d", i))
			ids[rec.Conversation.ID] = nlp.Analyze(text)
		}
		// The scorer runs beside ingestion: wait for it.
		deadline := time.Now().Add(10 * time.Second)
		for id := range ids {
			for {
				var c sahay.Conversation
				s.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", id), nil, http.StatusOK, &c)
				if c.Mood != nil {
					if c.Mood.Sentiment != ids[id].Sentiment || c.Sentiment != ids[id].Score || c.Language != ids[id].Language {
						t.Fatalf("conversation %d: mood %+v, language %q; want %+v", id, c.Mood, c.Language, ids[id])
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("conversation %d has no mood after 10s", id)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}

		for _, mood := range []string{"", sahay.MoodNegative, sahay.MoodNeutral, sahay.MoodPositive} {
			var want []int64
			for id, a := range ids {
				if mood == "" || a.Sentiment == mood {
					want = append(want, id)
				}
			}
			slices.SortFunc(want, func(a, b int64) int {
				if ids[a].Score != ids[b].Score {
					if ids[a].Score < ids[b].Score {
						return -1
					}
					return 1
				}
				return int(b - a)
			})
			var got []int64
			cursor := ""
			for pages := 0; ; pages++ {
				q := url.Values{"sort": {"sentiment"}, "limit": {"2"}, "cursor": {cursor}}
				if mood != "" {
					q.Set("mood", mood)
				}
				var page struct {
					Items      []sahay.Conversation `json:"items"`
					NextCursor string               `json:"next_cursor"`
				}
				s.Must(t, owner.Token, http.MethodGet, "/api/v1/conversations?"+q.Encode(), nil, http.StatusOK, &page)
				for _, c := range page.Items {
					got = append(got, c.ID)
				}
				if cursor = page.NextCursor; cursor == "" || pages > len(texts) {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("mood %q by sentiment: %v, want %v", mood, got, want)
			}
		}
		wantError(t, s.Call(t, owner.Token, http.MethodGet, "/api/v1/conversations?mood=grumpy", nil), http.StatusUnprocessableEntity, sahay.EINVALID)
	})
}
