// Package aitest is a fake OpenAI-compatible chat-completions server for
// tests. It checks each request as a real server would (the path, the
// bearer key, a model and messages) and answers in the documented shape,
// with whatever the test scripts.
package aitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Key and Model are what the server accepts unless told otherwise.
const (
	Key   = "sk-test-0123456789abcdef"
	Model = "test-model"
)

// Message is a chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is a chat-completions request the server received.
type Request struct {
	Model         string    `json:"model"`
	Messages      []Message `json:"messages"`
	Temperature   *float64  `json:"temperature"`
	MaxTokens     int       `json:"max_tokens"`
	Authorization string    `json:"-"`
}

// Text is every message's content, joined, for asserting on the prompt.
func (r Request) Text() string {
	s := ""
	for _, m := range r.Messages {
		s += m.Role + ": " + m.Content + "\n"
	}
	return s
}

// Server is a running fake endpoint. Its URL plus "/v1" is the base URL to
// configure.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
	// reply answers a valid request: a status and a raw body.
	reply func(Request) (int, []byte)
}

// New starts a server that answers every valid request with content, and
// stops it when t ends.
func New(t testing.TB) *Server {
	s := &Server{}
	s.Answer("OK")
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the URL an admin configures.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Answer makes the server answer every valid request with content, in the
// documented response shape.
func (s *Server) Answer(content string) {
	s.Reply(func(Request) (int, []byte) { return http.StatusOK, Completion(content) })
}

// Reply scripts the server's answer to each valid request.
func (s *Server) Reply(f func(Request) (int, []byte)) {
	s.mu.Lock()
	s.reply = f
	s.mu.Unlock()
}

// Requests returns the valid requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Completion is a chat-completions response body answering content.
func Completion(content string) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1733450000, "model": Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]int{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
	})
	return b
}

// Error is an error response body in the documented shape.
func Error(message, typ string) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": message, "type": typ}})
	return b
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(Error(msg, "invalid_request_error"))
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		fail(http.StatusNotFound, fmt.Sprintf("no route %s %s", r.Method, r.URL.Path))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+Key {
		fail(http.StatusUnauthorized, "Incorrect API key provided: "+r.Header.Get("Authorization"))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		fail(http.StatusBadRequest, "Content-Type must be application/json, not "+ct)
		return
	}
	var req Request
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		fail(http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	if req.Model != Model {
		fail(http.StatusNotFound, fmt.Sprintf("The model %q does not exist", req.Model))
		return
	}
	if len(req.Messages) == 0 {
		fail(http.StatusBadRequest, "messages must not be empty")
		return
	}
	for _, m := range req.Messages {
		if m.Role != "system" && m.Role != "user" && m.Role != "assistant" {
			fail(http.StatusBadRequest, "unknown role "+m.Role)
			return
		}
	}
	req.Authorization = r.Header.Get("Authorization")
	s.mu.Lock()
	s.requests = append(s.requests, req)
	reply := s.reply
	s.mu.Unlock()
	status, body := reply(req)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}
