package core

import (
	"context"
	"strings"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/kb"
	"github.com/sahayhq/sahay/internal/store"
)

// The bot answers from the help center too: each public published
// translation is an entry whose question is the article's title and
// whose answer is the article, or, when long, its first paragraph, and a
// link to it on the help center.

// maxBotArticleChars is the longest article the bot sends whole.
const maxBotArticleChars = 700

// botSources returns the FAQ entries of an inbox and the help center's
// articles as entries, with the article each of those stands for.
func (s *Service) botSources(ctx context.Context, accountID, inboxID int64) ([]*sahay.FAQ, map[*sahay.FAQ]*store.KBPage, error) {
	faqs, err := s.store.FAQs(ctx, accountID, inboxID)
	if err != nil {
		return nil, nil, err
	}
	site, err := s.HelpCenterOf(ctx, accountID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return faqs, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	articles := map[*sahay.FAQ]*store.KBPage{}
	all := faqs
	for _, id := range site.order {
		for _, p := range site.pages[id] {
			if p.Internal {
				continue
			}
			// A negative id is never an entry's.
			f := &sahay.FAQ{ID: -p.ArticleID, AccountID: accountID, Language: p.Locale, Question: p.Title,
				Answer: s.articleAnswer(site, p)}
			if p.Description != "" {
				f.Phrasings = []string{p.Description}
			}
			articles[f] = p
			all = append(all, f)
		}
	}
	return all, articles, nil
}

// articleAnswer is what the bot says to answer with an article.
func (s *Service) articleAnswer(site *KBSite, p *store.KBPage) string {
	link := strings.TrimRight(s.publicURL, "/") + ArticlePath(HelpCenterPath(site.Slug), p.Locale, p.ArticleID, p.Title)
	text := p.Text
	if utf8.RuneCountInString(text) <= maxBotArticleChars {
		return text + "\n\n" + link
	}
	return kb.Summary(p.Body, 280) + "\n\n" + link
}
