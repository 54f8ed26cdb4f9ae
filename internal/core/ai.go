package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/ai"
	"github.com/sahayhq/sahay/internal/bot"
	"github.com/sahayhq/sahay/internal/netguard"
	"github.com/sahayhq/sahay/internal/store"
)

// AISettings is what the API shows of an account's AI endpoint. The key
// is never shown: KeySet says whether there is one.
type AISettings struct {
	Enabled bool `json:"enabled"`
	// BaseURL and Model are shown to administrators only.
	BaseURL   string     `json:"base_url,omitempty"`
	Model     string     `json:"model,omitempty"`
	KeySet    bool       `json:"key_set"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// AIInput sets an account's AI endpoint. A nil APIKey keeps the key
// saved; "" removes it (a local server that takes none).
type AIInput struct {
	BaseURL string  `json:"base_url"`
	Model   string  `json:"model"`
	APIKey  *string `json:"api_key"`
}

// AISettings returns the account's AI endpoint as the actor may see it:
// every user learns whether AI is on, administrators also where.
func (s *Service) AISettings(ctx context.Context, a *Actor) (*AISettings, error) {
	st, err := s.store.AISettings(ctx, a.AccountID())
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return &AISettings{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := &AISettings{Enabled: true, KeySet: st.APIKey != ""}
	if a.User.IsAdmin() {
		out.BaseURL, out.Model, out.UpdatedAt = st.BaseURL, st.Model, &st.UpdatedAt
	}
	return out, nil
}

// aiConfig checks in against the saved settings and returns the endpoint
// it describes, its key decrypted.
func (s *Service) aiConfig(ctx context.Context, accountID int64, in AIInput) (ai.Config, error) {
	baseURL, err := cleanLine("base_url", in.BaseURL, 2000)
	if err != nil {
		return ai.Config{}, err
	}
	if baseURL == "" {
		return ai.Config{}, sahay.Invalid("base_url is required, such as https://api.openai.com/v1")
	}
	if err := netguard.CheckURL(baseURL, s.allowPrivateURLs); err != nil {
		return ai.Config{}, sahay.Invalid("base_url: %v", err)
	}
	model, err := cleanName("model", in.Model, ai.MaxModelChars)
	if err != nil {
		return ai.Config{}, err
	}
	cfg := ai.Config{BaseURL: baseURL, Model: model}
	if in.APIKey != nil {
		key, err := cleanLine("api_key", *in.APIKey, ai.MaxKeyChars)
		if err != nil {
			return ai.Config{}, err
		}
		cfg.APIKey = key
		return cfg, nil
	}
	saved, err := s.store.AISettings(ctx, accountID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return cfg, nil
	}
	if err != nil {
		return ai.Config{}, err
	}
	key, err := s.box.Open(saved.APIKey)
	if err != nil {
		return ai.Config{}, err
	}
	cfg.APIKey = string(key)
	return cfg, nil
}

// SetAISettings turns AI on, or changes its endpoint. Only administrators
// may; the key is stored sealed.
func (s *Service) SetAISettings(ctx context.Context, a *Actor, in AIInput) (*AISettings, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	cfg, err := s.aiConfig(ctx, a.AccountID(), in)
	if err != nil {
		return nil, err
	}
	sealed, err := s.box.Seal([]byte(cfg.APIKey))
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetAISettings(ctx, &store.AISettings{AccountID: a.AccountID(), BaseURL: cfg.BaseURL, Model: cfg.Model, APIKey: sealed}); err != nil {
			return err
		}
		return audit(ctx, tx, a, "ai.update", "account", a.AccountID(),
			map[string]any{"base_url": cfg.BaseURL, "model": cfg.Model, "key_changed": in.APIKey != nil})
	})
	if err != nil {
		return nil, err
	}
	return s.AISettings(ctx, a)
}

// DeleteAISettings turns AI off and forgets the endpoint and its key.
func (s *Service) DeleteAISettings(ctx context.Context, a *Actor) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		found, err := tx.DeleteAISettings(ctx, a.AccountID())
		if err != nil || !found {
			return err
		}
		return audit(ctx, tx, a, "ai.delete", "account", a.AccountID(), nil)
	})
}

// AITestResult is the answer of "test connection".
type AITestResult struct {
	OK        bool  `json:"ok"`
	LatencyMS int64 `json:"latency_ms"`
}

// TestAI calls an endpoint with a tiny request: in's, with the saved key
// when in has none, or, when in is nil, the saved one. Nothing is saved.
func (s *Service) TestAI(ctx context.Context, a *Actor, in *AIInput) (*AITestResult, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	var cfg ai.Config
	var err error
	if in != nil {
		cfg, err = s.aiConfig(ctx, a.AccountID(), *in)
	} else {
		cfg, err = s.savedAIConfig(ctx, a.AccountID())
	}
	if err != nil {
		return nil, aiError(err)
	}
	took, err := ai.New(cfg, s.aiHTTP).Test(ctx)
	if err != nil {
		return nil, aiError(err)
	}
	return &AITestResult{OK: true, LatencyMS: took.Milliseconds()}, nil
}

// savedAIConfig returns the account's endpoint, or an error wrapping
// [ai.ErrNotConfigured] when AI is off.
func (s *Service) savedAIConfig(ctx context.Context, accountID int64) (ai.Config, error) {
	st, err := s.store.AISettings(ctx, accountID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return ai.Config{}, ai.ErrNotConfigured
	}
	if err != nil {
		return ai.Config{}, err
	}
	key, err := s.box.Open(st.APIKey)
	if err != nil {
		return ai.Config{}, err
	}
	return ai.Config{BaseURL: st.BaseURL, Model: st.Model, APIKey: string(key)}, nil
}

// AIClient returns the client of the account's endpoint, or an error
// wrapping [ai.ErrNotConfigured] when AI is off, for the features that
// use it (the FAQ bot, the tone guard).
func (s *Service) AIClient(ctx context.Context, accountID int64) (*ai.Client, error) {
	cfg, err := s.savedAIConfig(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return ai.New(cfg, s.aiHTTP), nil
}

// aiError turns an AI call's failure into an answer for the agent. The
// endpoint's own failures are a platform's (502), never a 401 of ours.
func aiError(err error) error {
	var se *sahay.Error
	switch {
	case errors.As(err, &se):
		return err
	case errors.Is(err, ai.ErrNotConfigured):
		return sahay.Errorf(sahay.ECONFLICT, "AI is off: an administrator sets an AI endpoint in the account settings first")
	case errors.Is(err, ai.ErrUnauthorized), errors.Is(err, ai.ErrRateLimited), errors.Is(err, ai.ErrTimeout),
		errors.Is(err, ai.ErrBadResponse), errors.Is(err, ai.ErrTooLarge), errors.Is(err, ai.ErrUnavailable):
		return sahay.Errorf(sahay.EUNAVAILABLE, "%s", strings.TrimPrefix(err.Error(), "ai: "))
	}
	return err
}

// aiConversation reads what the AI features send of a conversation the
// actor may see: its latest messages as turns, and its language.
func (s *Service) aiConversation(ctx context.Context, a *Actor, id int64) (*ai.Client, []ai.Turn, string, error) {
	c, err := s.visibleConversation(ctx, a, id)
	if err != nil {
		return nil, nil, "", err
	}
	client, err := s.AIClient(ctx, a.AccountID())
	if err != nil {
		return nil, nil, "", aiError(err)
	}
	msgs, err := s.store.Messages(ctx, a.AccountID(), id, 0, ai.MaxTurns)
	if err != nil {
		return nil, nil, "", err
	}
	var turns []ai.Turn
	for _, m := range msgs {
		if m.Kind != sahay.MessageIncoming && m.Kind != sahay.MessageOutgoing {
			continue
		}
		from := "agent"
		switch {
		case m.Kind == sahay.MessageIncoming:
			from = "customer"
		case m.SenderType == sahay.SenderBot:
			from = "bot"
		}
		turns = append(turns, ai.Turn{From: from, Text: m.Content})
	}
	if len(turns) == 0 {
		return nil, nil, "", sahay.Invalid("the conversation has no messages to work from yet")
	}
	lang := c.Language
	if lang == "" {
		lang = a.User.Locale
	}
	return client, turns, lang, nil
}

// Suggestions are drafts of the next reply.
type Suggestions struct {
	Language    string   `json:"language"`
	Suggestions []string `json:"suggestions"`
}

// SuggestReplies drafts replies to a conversation the actor may see, in
// its language. Nothing is stored or sent.
func (s *Service) SuggestReplies(ctx context.Context, a *Actor, id int64) (*Suggestions, error) {
	client, turns, lang, err := s.aiConversation(ctx, a, id)
	if err != nil {
		return nil, err
	}
	drafts, err := ai.Suggest(ctx, client, turns, lang)
	if err != nil {
		return nil, aiError(err)
	}
	return &Suggestions{Language: lang, Suggestions: drafts}, nil
}

// Summary is a conversation's summary.
type Summary struct {
	Language string `json:"language"`
	Summary  string `json:"summary"`
}

// SummarizeConversation summarizes a conversation the actor may see, in
// its language. Nothing is stored.
func (s *Service) SummarizeConversation(ctx context.Context, a *Actor, id int64) (*Summary, error) {
	client, turns, lang, err := s.aiConversation(ctx, a, id)
	if err != nil {
		return nil, err
	}
	text, err := ai.Summarize(ctx, client, turns, lang)
	if err != nil {
		return nil, aiError(err)
	}
	return &Summary{Language: lang, Summary: text}, nil
}

// GroundedAnswer answers a customer's question from sources (FAQ entries,
// articles) with the account's AI endpoint, for the FAQ bot. It returns
// an error wrapping [ai.ErrNotConfigured] when AI is off, and an
// unanswerable [ai.Answer] when the sources do not hold the answer.
func (s *Service) GroundedAnswer(ctx context.Context, accountID int64, question, language string, sources []ai.Source) (ai.Answer, error) {
	client, err := s.AIClient(ctx, accountID)
	if err != nil {
		return ai.Answer{}, err
	}
	return ai.GroundedAnswer(ctx, client, question, language, sources)
}

// Rephrase rewrites an agent's draft warmly in language with the
// account's AI endpoint, for the tone guard; it returns an error wrapping
// [ai.ErrNotConfigured] when AI is off.
func (s *Service) Rephrase(ctx context.Context, accountID int64, draft, language string, reasons []string) (string, error) {
	client, err := s.AIClient(ctx, accountID)
	if err != nil {
		return "", err
	}
	return ai.Rephrase(ctx, client, draft, language, reasons)
}

// MaxGroundingSources is how many FAQ entries an AI answer of the bot is
// given: the best matches of the customer's message.
const MaxGroundingSources = 4

// groundedBotAnswer asks the account's AI, when it has one, to answer a
// customer's question from the FAQ entries that match it best, citing
// them. It returns no answer when AI is off, fails, or finds none in the
// entries; and the first entry the answer cites.
func (s *Service) groundedBotAnswer(ctx context.Context, c *sahay.Conversation, question, lang string, faqs []*sahay.FAQ) (ai.Answer, int64) {
	client, err := s.AIClient(ctx, c.AccountID)
	if err != nil {
		if !errors.Is(err, ai.ErrNotConfigured) {
			s.log.Warn("bot: AI endpoint", "account", c.AccountID, "err", err)
		}
		return ai.Answer{}, 0
	}
	byID := map[string]int64{}
	var sources []ai.Source
	rest := faqs
	for len(sources) < MaxGroundingSources && len(rest) > 0 {
		m := bot.NewIndex(rest).Search(question, "")
		if m == nil {
			break
		}
		id := fmt.Sprintf("faq:%d", m.FAQ.ID)
		byID[id] = m.FAQ.ID
		sources = append(sources, ai.Source{ID: id, Title: m.FAQ.Question, Text: m.FAQ.Answer})
		rest = slices.DeleteFunc(slices.Clone(rest), func(f *sahay.FAQ) bool { return f.ID == m.FAQ.ID })
	}
	answer, err := ai.GroundedAnswer(ctx, client, question, lang, sources)
	if err != nil {
		s.log.Warn("bot: AI answer", "conversation", c.ID, "err", err)
		return ai.Answer{}, 0
	}
	if !answer.Answerable() {
		return ai.Answer{}, 0
	}
	return answer, byID[answer.Citations[0]]
}
