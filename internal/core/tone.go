package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/ai"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/store"
)

// Bounds of a team's tone policy.
const (
	// MaxTonePhrases is the most phrases each list of a policy holds.
	MaxTonePhrases = 100
	// MaxTonePhraseChars bounds one phrase.
	MaxTonePhraseChars = 120
)

// toneRate is how often an agent's drafts may be checked: the composer
// checks while the agent types (debounced) and again on send.
var toneRate = ratelimit.Rate{Burst: 30, Every: 200 * time.Millisecond}

// TonePolicy returns the account's tone policy. Every member may read it:
// their drafts are checked against it.
func (s *Service) TonePolicy(ctx context.Context, a *Actor) (nlp.TonePolicy, error) {
	return s.store.TonePolicy(ctx, a.AccountID())
}

// SetTonePolicy replaces the account's tone policy (administrators only).
// Phrases are one line each, trimmed; blank and repeated ones are dropped.
func (s *Service) SetTonePolicy(ctx context.Context, a *Actor, p nlp.TonePolicy) (nlp.TonePolicy, error) {
	if err := a.requireAdmin(); err != nil {
		return nlp.TonePolicy{}, err
	}
	var err error
	if p.Forbidden, err = cleanPhrases("forbidden", p.Forbidden); err != nil {
		return nlp.TonePolicy{}, err
	}
	if p.Promises, err = cleanPhrases("promises", p.Promises); err != nil {
		return nlp.TonePolicy{}, err
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetTonePolicy(ctx, a.AccountID(), p); err != nil {
			return err
		}
		return audit(ctx, tx, a, "tone_policy.update", "account", a.AccountID(), p)
	})
	return p, err
}

func cleanPhrases(field string, in []string) ([]string, error) {
	if len(in) > MaxTonePhrases {
		return nil, sahay.Invalid("%s holds at most %d phrases", field, MaxTonePhrases)
	}
	out := []string{}
	seen := map[string]bool{}
	for i, v := range in {
		v, err := cleanLine(fmt.Sprintf("%s[%d]", field, i), v, MaxTonePhraseChars)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(v)
		if v == "" || seen[key] {
			continue
		}
		if !strings.ContainsFunc(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			return nil, sahay.Invalid("%s[%d] has no words", field, i)
		}
		seen[key] = true
		out = append(out, v)
	}
	return out, nil
}

// ToneInput is a draft to check, and the conversation it answers (0 for
// none): its language picks the suggestion's, and the customer's last
// message tells whether they are upset.
type ToneInput struct {
	Text           string `json:"text"`
	ConversationID int64  `json:"conversation_id"`
	// Rephrase asks the account's AI, when it has one, for the
	// suggestion of a flagged draft; the offline one stays when AI is
	// off or fails.
	Rephrase bool `json:"rephrase"`
}

// CheckTone reads an agent's draft for tone and the team's policy before it
// is sent. It is rate limited per agent.
func (s *Service) CheckTone(ctx context.Context, a *Actor, in ToneInput) (nlp.ToneCheck, error) {
	text, err := CleanText("text", in.Text, MaxContentBytes)
	if err != nil {
		return nlp.ToneCheck{}, err
	}
	if text == "" {
		return nlp.ToneCheck{}, sahay.Invalid("text is required")
	}
	if err := s.toneChecks.Allow(fmt.Sprint(a.User.ID), "tone checks"); err != nil {
		return nlp.ToneCheck{}, err
	}
	policy, err := s.store.TonePolicy(ctx, a.AccountID())
	if err != nil {
		return nlp.ToneCheck{}, err
	}
	if in.ConversationID == 0 {
		return s.rephraseTone(ctx, a, in, text, nlp.CheckTone(text, "", policy)), nil
	}
	c, err := s.visibleConversation(ctx, a, in.ConversationID)
	if err != nil {
		return nlp.ToneCheck{}, err
	}
	last, err := s.store.LastCustomerText(ctx, a.AccountID(), c.ID)
	if err != nil {
		return nlp.ToneCheck{}, err
	}
	var customer []nlp.Analysis
	if last != "" {
		customer = append(customer, nlp.Analyze(last))
	}
	language := c.Language
	if language == "" && len(customer) > 0 {
		language = customer[0].Language
		if customer[0].Script == "Latn" && language != "en" {
			language += "-Latn"
		}
	}
	return s.rephraseTone(ctx, a, in, text, nlp.CheckTone(text, language, policy, customer...)), nil
}

// rephraseTone puts the AI's rephrasing of a flagged draft in place of the
// offline suggestion, when asked and the account has AI.
func (s *Service) rephraseTone(ctx context.Context, a *Actor, in ToneInput, text string, c nlp.ToneCheck) nlp.ToneCheck {
	if !in.Rephrase || !c.Flagged {
		return c
	}
	var reasons []string
	for _, i := range c.Issues {
		reasons = append(reasons, i.Kind+": "+i.Reason)
	}
	language := c.Language
	if language == "" {
		language = a.User.Locale
	}
	better, err := s.Rephrase(ctx, a.AccountID(), text, language, reasons)
	switch {
	case err == nil:
		c.Suggestion = better
	case !errors.Is(err, ai.ErrNotConfigured):
		s.log.Warn("tone: AI rephrasing", "account", a.AccountID(), "err", err)
	}
	return c
}
