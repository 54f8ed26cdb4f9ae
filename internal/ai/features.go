package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Turn is one message of a conversation as the model reads it.
type Turn struct {
	// From is "customer", "agent" or "bot".
	From string
	Text string
}

// Limits of what is sent: the latest turns, within a number of
// characters, so a long conversation costs what a short one does.
const (
	MaxTurns          = 30
	MaxTranscriptChar = 12000
	// MaxSuggestions is how many drafts [Suggest] returns at most.
	MaxSuggestions = 3
)

// languageNames are the languages the prompts name; any other code is
// passed as it is.
var languageNames = map[string]string{
	"en": "English", "bn": "Bengali", "hi": "Hindi",
}

// LanguageName names a language code for a prompt. A romanized variant
// ("bn-Latn") is the language written in Latin letters, as the customer
// writes it.
func LanguageName(code string) string {
	lang, script, _ := strings.Cut(code, "-")
	name, ok := languageNames[lang]
	if !ok {
		if lang == "" {
			return "the customer's language"
		}
		name = lang
	}
	if strings.EqualFold(script, "Latn") && lang != "en" {
		name += " written in Latin letters (romanized, as the customer writes it)"
	}
	return name
}

// transcript writes the latest turns, oldest first, within the limits.
func transcript(turns []Turn) string {
	if len(turns) > MaxTurns {
		turns = turns[len(turns)-MaxTurns:]
	}
	var lines []string
	total := 0
	for i := len(turns) - 1; i >= 0; i-- {
		text := strings.TrimSpace(turns[i].Text)
		if text == "" {
			continue
		}
		line := turns[i].From + ": " + text
		if total+len(line) > MaxTranscriptChar {
			break
		}
		total += len(line)
		lines = append(lines, line)
	}
	slices.Reverse(lines)
	return strings.Join(lines, "\n")
}

// Suggest drafts up to [MaxSuggestions] replies an agent could send next,
// in language.
func Suggest(ctx context.Context, c *Client, turns []Turn, language string) ([]string, error) {
	t := transcript(turns)
	if t == "" {
		return nil, fmt.Errorf("ai: the conversation has no text to answer")
	}
	answer, err := c.Complete(ctx, Request{Temperature: 0.4, MaxTokens: 800, Messages: []Message{
		{Role: "system", Content: "You help a customer-support agent. Draft " + fmt.Sprint(MaxSuggestions) +
			" different short replies the agent could send next, in " + LanguageName(language) +
			". Be polite, warm and concrete; never promise refunds, dates or anything the conversation does not support. " +
			`Answer with JSON only: {"suggestions": ["...", "...", "..."]}`},
		{Role: "user", Content: "The conversation so far:\n" + t},
	}})
	if err != nil {
		return nil, err
	}
	var out struct {
		Suggestions []string `json:"suggestions"`
	}
	if err := decodeJSON(answer, &out); err != nil {
		// A model that ignored the format still wrote a reply.
		return []string{answer}, nil
	}
	var drafts []string
	for _, s := range out.Suggestions {
		if s = strings.TrimSpace(s); s != "" && len(drafts) < MaxSuggestions {
			drafts = append(drafts, s)
		}
	}
	if len(drafts) == 0 {
		return nil, fmt.Errorf("ai: %w: no suggestions in the answer", ErrBadResponse)
	}
	return drafts, nil
}

// Summarize writes a short summary of a conversation for an agent who
// picks it up, in language.
func Summarize(ctx context.Context, c *Client, turns []Turn, language string) (string, error) {
	t := transcript(turns)
	if t == "" {
		return "", fmt.Errorf("ai: the conversation has no text to summarize")
	}
	answer, err := c.Complete(ctx, Request{Temperature: 0.2, MaxTokens: 400, Messages: []Message{
		{Role: "system", Content: "You summarize customer-support conversations for the agent who takes over. In " +
			LanguageName(language) + ", in at most five short lines: what the customer wants, what was done or promised, " +
			"and what is still open. Plain text, no greeting."},
		{Role: "user", Content: "The conversation:\n" + t},
	}})
	if err != nil {
		return "", err
	}
	if answer == "" {
		return "", fmt.Errorf("ai: %w: an empty summary", ErrBadResponse)
	}
	return answer, nil
}

// Source is a FAQ entry or article an answer may use, named by an id the
// answer cites.
type Source struct {
	ID    string
	Title string
	Text  string
}

// Answer is a grounded answer.
type Answer struct {
	// Text is the answer; empty when the sources do not answer the
	// question.
	Text string
	// Citations are the ids of the sources the answer rests on, each one
	// of the sources given.
	Citations []string
}

// Answerable reports whether there is an answer to send.
func (a Answer) Answerable() bool { return a.Text != "" && len(a.Citations) > 0 }

// MaxSourceChars bounds each source's text in the prompt.
const MaxSourceChars = 3000

// GroundedAnswer answers question only from sources, citing the ids it
// used, in language. An answer that cites nothing, or only ids it was not
// given, is no answer: the caller then hands the question to a person.
func GroundedAnswer(ctx context.Context, c *Client, question, language string, sources []Source) (Answer, error) {
	if strings.TrimSpace(question) == "" || len(sources) == 0 {
		return Answer{}, nil
	}
	var b strings.Builder
	ids := make([]string, 0, len(sources))
	for _, s := range sources {
		text := s.Text
		if r := []rune(text); len(r) > MaxSourceChars {
			text = string(r[:MaxSourceChars])
		}
		fmt.Fprintf(&b, "[%s] %s\n%s\n\n", s.ID, s.Title, text)
		ids = append(ids, s.ID)
	}
	answer, err := c.Complete(ctx, Request{Temperature: 0, MaxTokens: 600, Messages: []Message{
		{Role: "system", Content: "You answer a customer's question for a support team, using ONLY the sources below; " +
			"each starts with its id in brackets. If the sources do not contain the answer, do not guess: answer with an empty answer. " +
			"Write the answer in " + LanguageName(language) + ", briefly. " +
			`Answer with JSON only: {"answer": "...", "citations": ["<id>", ...]} listing the ids of the sources you used, ` +
			`or {"answer": "", "citations": []} when you cannot answer from them.`},
		{Role: "user", Content: "Sources:\n" + b.String() + "Question: " + question},
	}})
	if err != nil {
		return Answer{}, err
	}
	var out struct {
		Answer    string   `json:"answer"`
		Citations []string `json:"citations"`
	}
	if err := decodeJSON(answer, &out); err != nil {
		return Answer{}, fmt.Errorf("ai: %w: %v", ErrBadResponse, err)
	}
	a := Answer{Text: strings.TrimSpace(out.Answer)}
	for _, id := range out.Citations {
		if slices.Contains(ids, id) && !slices.Contains(a.Citations, id) {
			a.Citations = append(a.Citations, id)
		}
	}
	if !a.Answerable() {
		return Answer{}, nil
	}
	return a, nil
}

// Rephrase rewrites an agent's draft so it reads as warm, professional
// and empathetic, in language, keeping what it says. reasons, when given,
// say what was wrong with it ("dismissive", "a forbidden phrase").
func Rephrase(ctx context.Context, c *Client, draft, language string, reasons []string) (string, error) {
	if strings.TrimSpace(draft) == "" {
		return "", fmt.Errorf("ai: there is no draft to rephrase")
	}
	why := ""
	if len(reasons) > 0 {
		why = " It was flagged for: " + strings.Join(reasons, "; ") + "."
	}
	answer, err := c.Complete(ctx, Request{Temperature: 0.3, MaxTokens: 500, Messages: []Message{
		{Role: "system", Content: "You rewrite a customer-support agent's draft reply so it is polite, warm, empathetic and professional, in " +
			LanguageName(language) + ". Keep every fact and commitment of the draft; add no promise it does not make." + why +
			" Answer with the rewritten reply only."},
		{Role: "user", Content: draft},
	}})
	if err != nil {
		return "", err
	}
	if answer == "" {
		return "", fmt.Errorf("ai: %w: an empty rephrasing", ErrBadResponse)
	}
	return answer, nil
}

// decodeJSON reads the JSON object a model answered, which it may have
// wrapped in a Markdown code fence or surrounded with words.
func decodeJSON(answer string, v any) error {
	start, end := strings.Index(answer, "{"), strings.LastIndex(answer, "}")
	if start < 0 || end < start {
		return fmt.Errorf("no JSON object in the answer")
	}
	return json.Unmarshal([]byte(answer[start:end+1]), v)
}
