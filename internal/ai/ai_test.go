package ai_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/ai"
	"github.com/sahayhq/sahay/internal/ai/aitest"
	"github.com/sahayhq/sahay/internal/netguard"
)

func client(srv *aitest.Server, key string) *ai.Client {
	return ai.New(ai.Config{BaseURL: srv.BaseURL() + "/", APIKey: key, Model: aitest.Model, Timeout: 2 * time.Second}, ai.HTTPClient(true))
}

func TestCompleteSendsTheDocumentedRequest(t *testing.T) {
	srv := aitest.New(t)
	srv.Answer("  Hello there  ")
	got, err := client(srv, aitest.Key).Complete(context.Background(), ai.Request{Temperature: 0.5, MaxTokens: 7,
		Messages: []ai.Message{{Role: "system", Content: "be kind"}, {Role: "user", Content: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got != "Hello there" {
		t.Errorf("answer %q", got)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Model != aitest.Model || r.Authorization != "Bearer "+aitest.Key || r.MaxTokens != 7 || r.Temperature == nil || *r.Temperature != 0.5 {
		t.Errorf("request %+v", r)
	}
	if len(r.Messages) != 2 || r.Messages[0].Role != "system" || r.Messages[1].Content != "hi" {
		t.Errorf("messages %+v", r.Messages)
	}
}

func TestCompleteErrors(t *testing.T) {
	huge := make([]byte, ai.MaxResponseBytes+10)
	for i := range huge {
		huge[i] = ' '
	}
	tests := []struct {
		name  string
		key   string
		reply func(aitest.Request) (int, []byte)
		want  error
	}{
		{"wrong key", "sk-wrong-key-1234", nil, ai.ErrUnauthorized},
		{"rate limited", aitest.Key, func(aitest.Request) (int, []byte) {
			return http.StatusTooManyRequests, aitest.Error("Rate limit reached", "requests")
		}, ai.ErrRateLimited},
		{"server error", aitest.Key, func(aitest.Request) (int, []byte) {
			return http.StatusInternalServerError, aitest.Error("boom", "server_error")
		}, ai.ErrUnavailable},
		{"garbage", aitest.Key, func(aitest.Request) (int, []byte) { return http.StatusOK, []byte("<html>not json") }, ai.ErrBadResponse},
		{"no choices", aitest.Key, func(aitest.Request) (int, []byte) { return http.StatusOK, []byte(`{"choices":[]}`) }, ai.ErrBadResponse},
		{"oversized", aitest.Key, func(aitest.Request) (int, []byte) { return http.StatusOK, huge }, ai.ErrTooLarge},
		{"timeout", aitest.Key, func(aitest.Request) (int, []byte) {
			time.Sleep(3 * time.Second)
			return http.StatusOK, aitest.Completion("late")
		}, ai.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := aitest.New(t)
			if tt.reply != nil {
				srv.Reply(tt.reply)
			}
			_, err := client(srv, tt.key).Complete(context.Background(), ai.Request{Messages: []ai.Message{{Role: "user", Content: "hi"}}})
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.key) || strings.Contains(err.Error(), aitest.Key) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

func TestClientRefusesTheServersOwnNetwork(t *testing.T) {
	srv := aitest.New(t)
	c := ai.New(ai.Config{BaseURL: srv.BaseURL(), APIKey: aitest.Key, Model: aitest.Model}, ai.HTTPClient(false))
	_, err := c.Complete(context.Background(), ai.Request{Messages: []ai.Message{{Role: "user", Content: "hi"}}})
	if !errors.Is(err, ai.ErrUnavailable) || !strings.Contains(err.Error(), netguard.ErrBlocked.Error()) {
		t.Fatalf("error %v", err)
	}
	if len(srv.Requests()) != 0 {
		t.Error("the loopback server was reached")
	}
}

func TestSuggest(t *testing.T) {
	srv := aitest.New(t)
	srv.Answer("```json\n{\"suggestions\": [\"আমি দুঃখিত, দেখছি।\", \" \", \"অর্ডার নম্বরটি দিন।\", \"ধন্যবাদ\", \"extra\"]}\n```")
	turns := []ai.Turn{{From: "customer", Text: "আমার অর্ডার আসেনি"}, {From: "agent", Text: ""}}
	got, err := ai.Suggest(context.Background(), client(srv, aitest.Key), turns, "bn")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != ai.MaxSuggestions || got[0] != "আমি দুঃখিত, দেখছি।" || got[1] != "অর্ডার নম্বরটি দিন।" {
		t.Errorf("suggestions %q", got)
	}
	prompt := srv.Requests()[0].Text()
	if !strings.Contains(prompt, "Bengali") || !strings.Contains(prompt, "customer: আমার অর্ডার আসেনি") {
		t.Errorf("prompt:\n%s", prompt)
	}
}

func TestTranscriptKeepsTheLatestTurns(t *testing.T) {
	srv := aitest.New(t)
	srv.Answer("summary")
	var turns []ai.Turn
	for i := range 100 {
		turns = append(turns, ai.Turn{From: "customer", Text: strings.Repeat("x", 10) + string(rune('A'+i%26))})
	}
	turns = append(turns, ai.Turn{From: "agent", Text: "the last word"})
	if _, err := ai.Summarize(context.Background(), client(srv, aitest.Key), turns, "hi-Latn"); err != nil {
		t.Fatal(err)
	}
	prompt := srv.Requests()[0].Text()
	if !strings.Contains(prompt, "agent: the last word") || strings.Count(prompt, "customer: ") != ai.MaxTurns-1 {
		t.Errorf("prompt:\n%s", prompt)
	}
	if !strings.Contains(prompt, "Hindi written in Latin letters") {
		t.Errorf("the prompt does not name romanized Hindi:\n%s", prompt)
	}
}

func TestGroundedAnswer(t *testing.T) {
	sources := []ai.Source{{ID: "faq:1", Title: "Delivery", Text: "Delivery takes 3 days in Dhaka."}, {ID: "article:7", Title: "Returns", Text: "Returns within 7 days."}}
	tests := []struct {
		name   string
		answer string
		want   ai.Answer
	}{
		{"cited", `{"answer": "Delivery takes 3 days.", "citations": ["faq:1", "faq:1"]}`, ai.Answer{Text: "Delivery takes 3 days.", Citations: []string{"faq:1"}}},
		{"cannot", `{"answer": "", "citations": []}`, ai.Answer{}},
		{"no citation", `{"answer": "Probably tomorrow.", "citations": []}`, ai.Answer{}},
		{"invented citation", `{"answer": "Free shipping.", "citations": ["faq:99"]}`, ai.Answer{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := aitest.New(t)
			srv.Answer(tt.answer)
			got, err := ai.GroundedAnswer(context.Background(), client(srv, aitest.Key), "How long is delivery?", "en", sources)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != tt.want.Text || strings.Join(got.Citations, ",") != strings.Join(tt.want.Citations, ",") {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.Answerable() != (tt.want.Text != "") {
				t.Errorf("answerable %v", got.Answerable())
			}
			prompt := srv.Requests()[0].Text()
			if !strings.Contains(prompt, "[faq:1] Delivery") || !strings.Contains(prompt, "[article:7] Returns") {
				t.Errorf("prompt:\n%s", prompt)
			}
		})
	}
	srv := aitest.New(t)
	srv.Answer("I think it is 3 days")
	if _, err := ai.GroundedAnswer(context.Background(), client(srv, aitest.Key), "How long?", "en", sources); !errors.Is(err, ai.ErrBadResponse) {
		t.Errorf("prose answer: error %v", err)
	}
}

func TestRephrase(t *testing.T) {
	srv := aitest.New(t)
	srv.Answer("मुझे खेद है, मैं अभी देखता हूँ।")
	got, err := ai.Rephrase(context.Background(), client(srv, aitest.Key), "not my problem", "hi", []string{"dismissive"})
	if err != nil || got != "मुझे खेद है, मैं अभी देखता हूँ।" {
		t.Fatalf("%q %v", got, err)
	}
	prompt := srv.Requests()[0].Text()
	if !strings.Contains(prompt, "Hindi") || !strings.Contains(prompt, "dismissive") || !strings.Contains(prompt, "user: not my problem") {
		t.Errorf("prompt:\n%s", prompt)
	}
	if _, err := ai.Rephrase(context.Background(), client(srv, aitest.Key), "  ", "hi", nil); err == nil {
		t.Error("an empty draft was sent")
	}
}

func TestNotConfigured(t *testing.T) {
	var c *ai.Client
	if _, err := c.Complete(context.Background(), ai.Request{}); !errors.Is(err, ai.ErrNotConfigured) {
		t.Fatal(err)
	}
}
