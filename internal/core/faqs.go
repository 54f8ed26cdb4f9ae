package core

import (
	"context"
	"slices"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bot"
	"github.com/sahayhq/sahay/internal/store"
)

// Limits of the bot's FAQ entries.
const (
	// MaxFAQs bounds an account's entries: the bot reads them all for
	// every message it answers.
	MaxFAQs = 2000
	// MaxPhrasings bounds the other ways of asking one question.
	MaxPhrasings = 30
	// MaxQuestionChars bounds a question or phrasing.
	MaxQuestionChars = 300
	// MaxAnswerBytes bounds an answer.
	MaxAnswerBytes = 8 << 10
	// MaxWaitTextChars bounds an inbox's expected-wait text.
	MaxWaitTextChars = 200
)

// FAQInput creates or changes an FAQ entry; a field left out keeps its
// value.
type FAQInput struct {
	InboxID   *int64    `json:"inbox_id"`
	Language  *string   `json:"language"`
	Question  *string   `json:"question"`
	Phrasings *[]string `json:"phrasings"`
	Answer    *string   `json:"answer"`
}

// FAQs lists the account's FAQ entries; any agent may read them, as the
// bot answers with them in the agent's conversations.
func (s *Service) FAQs(ctx context.Context, a *Actor) ([]*sahay.FAQ, error) {
	return s.store.FAQs(ctx, a.AccountID(), 0)
}

// SaveFAQ creates (id 0) or changes an FAQ entry. Administrators manage
// what the bot says.
func (s *Service) SaveFAQ(ctx context.Context, a *Actor, id int64, in FAQInput) (*sahay.FAQ, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	f := &sahay.FAQ{AccountID: a.AccountID(), Phrasings: []string{}}
	if id != 0 {
		var err error
		if f, err = s.store.FAQ(ctx, a.AccountID(), id); err != nil {
			return nil, err
		}
	} else if in.Language == nil || in.Question == nil || in.Answer == nil {
		return nil, sahay.Invalid("language, question and answer are required")
	}
	if in.InboxID != nil {
		if *in.InboxID != 0 {
			if _, err := s.store.Inbox(ctx, a.AccountID(), *in.InboxID); err != nil {
				return nil, sahay.Invalid("inbox_id: no inbox %d in this account", *in.InboxID)
			}
		}
		f.InboxID = *in.InboxID
	}
	if in.Language != nil {
		if !slices.Contains(sahay.BotLanguages, *in.Language) {
			return nil, sahay.Invalid("language must be en, bn or hi")
		}
		f.Language = *in.Language
	}
	if in.Question != nil {
		q, err := cleanName("question", *in.Question, MaxQuestionChars)
		if err != nil {
			return nil, err
		}
		if len(bot.Terms(q)) == 0 {
			return nil, sahay.Invalid("question: %q has no word the bot can match on", q)
		}
		f.Question = q
	}
	if in.Phrasings != nil {
		if len(*in.Phrasings) > MaxPhrasings {
			return nil, sahay.Invalid("phrasings: at most %d", MaxPhrasings)
		}
		phrasings := []string{}
		for _, p := range *in.Phrasings {
			p, err := cleanLine("phrasings", p, MaxQuestionChars)
			if err != nil {
				return nil, err
			}
			if p != "" && !slices.Contains(phrasings, p) {
				phrasings = append(phrasings, p)
			}
		}
		f.Phrasings = phrasings
	}
	if in.Answer != nil {
		answer, err := CleanText("answer", *in.Answer, MaxAnswerBytes)
		if err != nil {
			return nil, err
		}
		if answer == "" {
			return nil, sahay.Invalid("answer is required")
		}
		f.Answer = answer
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		action := "faq.update"
		if id == 0 {
			action = "faq.create"
			if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
				return err
			}
			n, err := tx.CountFAQs(ctx, a.AccountID())
			if err != nil {
				return err
			}
			if n >= MaxFAQs {
				return sahay.Invalid("an account has at most %d FAQ entries", MaxFAQs)
			}
			if err := tx.CreateFAQ(ctx, f); err != nil {
				return err
			}
		} else if err := tx.UpdateFAQ(ctx, f); err != nil {
			return err
		}
		return audit(ctx, tx, a, action, "faq", f.ID, map[string]any{"question": f.Question})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// DeleteFAQ removes an FAQ entry.
func (s *Service) DeleteFAQ(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteFAQ(ctx, a.AccountID(), id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "faq.delete", "faq", id, nil)
	})
}

// BotSettingsInput changes an inbox's bot settings; a field left out keeps
// its value.
type BotSettingsInput struct {
	Enabled     *bool    `json:"enabled"`
	Threshold   *float64 `json:"threshold"`
	Negativity  *float64 `json:"negativity"`
	Anger       *float64 `json:"anger"`
	Urgency     *float64 `json:"urgency"`
	WaitMinutes *int     `json:"wait_minutes"`
	WaitText    *string  `json:"wait_text"`
}

// BotSettings returns an inbox's bot settings to an agent who may see the
// inbox.
func (s *Service) BotSettings(ctx context.Context, a *Actor, inboxID int64) (*sahay.BotSettings, error) {
	if !a.CanSeeInbox(inboxID) {
		return nil, sahay.NotFound("inbox")
	}
	if _, err := s.store.Inbox(ctx, a.AccountID(), inboxID); err != nil {
		return nil, err
	}
	return s.store.BotSettings(ctx, a.AccountID(), inboxID)
}

// SetBotSettings changes an inbox's bot settings: turns the bot on or off,
// sets its confidence threshold, its hand-off thresholds and the wait it
// tells customers of.
func (s *Service) SetBotSettings(ctx context.Context, a *Actor, inboxID int64, in BotSettingsInput) (*sahay.BotSettings, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	if _, err := s.store.Inbox(ctx, a.AccountID(), inboxID); err != nil {
		return nil, err
	}
	b, err := s.store.BotSettings(ctx, a.AccountID(), inboxID)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		in  *float64
		dst *float64
	}{{in.Threshold, &b.Threshold}, {in.Negativity, &b.Negativity}, {in.Anger, &b.Anger}, {in.Urgency, &b.Urgency}} {
		if f.in != nil {
			*f.dst = *f.in
		}
	}
	if in.Enabled != nil {
		b.Enabled = *in.Enabled
	}
	if in.WaitMinutes != nil {
		b.WaitMinutes = *in.WaitMinutes
	}
	if in.WaitText != nil {
		if b.WaitText, err = cleanLine("wait_text", *in.WaitText, MaxWaitTextChars); err != nil {
			return nil, err
		}
	}
	if err := bot.CheckSettings(b); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveBotSettings(ctx, a.AccountID(), b); err != nil {
			return err
		}
		return audit(ctx, tx, a, "bot.update", "inbox", inboxID, b)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}
