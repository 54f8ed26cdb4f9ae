package core

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// Social listening: an account follows keywords and brand names in the
// public comments and mentions of its channels (Facebook and Instagram
// comments, X mentions: every customer message marked public). The node
// holding the lease mentionLeaseName follows the events of each account
// that follows a keyword past the account's mention cursor, as the scorer
// does, and stores the public messages that name a keyword, with their
// sentiment. Receive never waits for it. A new keyword is matched at once
// against the account's public messages of the last 30 days.
const (
	mentionLeaseName = "mention-matcher"
	mentionLease     = 10 * time.Second
	mentionPoll      = 2 * time.Second
	// mentionPause spaces the matcher's passes while messages keep waking it.
	mentionPause    = 200 * time.Millisecond
	mentionAccounts = 64
	mentionBatch    = 256
	// mentionBackfill and mentionBackfillLimit bound what a new keyword is
	// matched against.
	mentionBackfill      = 30 * 24 * time.Hour
	mentionBackfillLimit = 5000
)

// Bounds of the keywords an account follows.
const (
	MaxMentionKeywords = 50
	MaxKeywordChars    = 60
)

// Kinds of followed term.
const (
	KeywordTerm  = "keyword"
	KeywordBrand = "brand"
)

// KeywordInput creates or changes a followed keyword.
type KeywordInput struct {
	Term *string `json:"term"`
	Kind *string `json:"kind"`
}

// MentionKeywords lists the keywords the account follows. Every member may
// read them: the Mentions view filters by them.
func (s *Service) MentionKeywords(ctx context.Context, a *Actor) ([]*store.MentionKeyword, error) {
	return s.store.MentionKeywords(ctx, a.AccountID())
}

// SaveMentionKeyword follows a new keyword (id 0) or changes one
// (administrators only). A keyword whose words change is matched again
// against the public messages of the last 30 days.
func (s *Service) SaveMentionKeyword(ctx context.Context, a *Actor, id int64, in KeywordInput) (*store.MentionKeyword, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	all, err := s.store.MentionKeywords(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	k := &store.MentionKeyword{AccountID: a.AccountID(), Kind: KeywordTerm}
	if id != 0 {
		i := slices.IndexFunc(all, func(k *store.MentionKeyword) bool { return k.ID == id })
		if i < 0 {
			return nil, sahay.NotFound("keyword")
		}
		k = all[i]
	} else {
		if in.Term == nil {
			return nil, sahay.Invalid("term is required")
		}
		if len(all) >= MaxMentionKeywords {
			return nil, sahay.Invalid("an account follows at most %d keywords", MaxMentionKeywords)
		}
	}
	before := k.Normalized
	if in.Term != nil {
		term, err := cleanName("term", *in.Term, MaxKeywordChars)
		if err != nil {
			return nil, err
		}
		k.Term, k.Normalized = term, textnorm.ForSearch(term)
		if k.Normalized == "" {
			return nil, sahay.Invalid("term has no letters or digits")
		}
	}
	if in.Kind != nil {
		if *in.Kind != KeywordTerm && *in.Kind != KeywordBrand {
			return nil, sahay.Invalid("kind is %q or %q", KeywordTerm, KeywordBrand)
		}
		k.Kind = *in.Kind
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		action := "mention_keyword.update"
		if id == 0 {
			action = "mention_keyword.create"
			if err := tx.CreateMentionKeyword(ctx, k); err != nil {
				return err
			}
			if err := tx.StartMentionCursor(ctx, a.AccountID()); err != nil {
				return err
			}
		} else if err := tx.UpdateMentionKeyword(ctx, k, k.Normalized != before); err != nil {
			return err
		}
		return audit(ctx, tx, a, action, "mention_keyword", k.ID, map[string]any{"term": k.Term, "kind": k.Kind})
	})
	if err != nil {
		return nil, err
	}
	if k.Normalized != before {
		if err := s.backfillMentions(ctx, k); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// DeleteMentionKeyword stops following a keyword, and forgets the mentions
// only it matched.
func (s *Service) DeleteMentionKeyword(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteMentionKeyword(ctx, a.AccountID(), id); err != nil {
			return err
		}
		if err := tx.StopMentionCursor(ctx, a.AccountID()); err != nil {
			return err
		}
		return audit(ctx, tx, a, "mention_keyword.delete", "mention_keyword", id, nil)
	})
}

// backfillMentions matches a keyword against the account's public
// messages of the last 30 days.
func (s *Service) backfillMentions(ctx context.Context, k *store.MentionKeyword) error {
	msgs, err := s.store.RecentPublicMessages(ctx, k.AccountID, time.Now().Add(-mentionBackfill), mentionBackfillLimit)
	if err != nil {
		return err
	}
	words := []keywordWords{{id: k.ID, words: strings.Fields(k.Normalized)}}
	var found []store.MentionMatch
	for _, m := range msgs {
		if ids := matchKeywords(m.Content, words); len(ids) > 0 {
			found = append(found, mentionOf(k.AccountID, m.ID, m.InboxID, m.Content, m.CreatedAt, ids))
		}
	}
	if len(found) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *store.Tx) error { return tx.InsertMentions(ctx, found) })
}

func mentionOf(accountID, messageID, inboxID int64, content string, at time.Time, keywords []int64) store.MentionMatch {
	a := nlp.Analyze(content)
	return store.MentionMatch{AccountID: accountID, MessageID: messageID, InboxID: inboxID, Sentiment: a.Sentiment,
		Score: a.Score, CreatedAt: at, KeywordIDs: keywords}
}

// keywordWords is a keyword as the words matching compares.
type keywordWords struct {
	id    int64
	words []string
}

// matchKeywords returns the keywords a text names: their words in a row
// among the text's words, both normalized for search. The last word of a
// keyword also matches with a case ending Bengali or Hindi attaches to a
// name ("সহায়ের", "ऑर्डरों"), never with any other letters ("সহায়তা",
// help, is not "সহায়").
func matchKeywords(text string, kws []keywordWords) []int64 {
	words := strings.Fields(textnorm.ForSearch(text))
	var out []int64
	for _, k := range kws {
		for i := range words {
			if keywordAt(words, i, k.words) {
				out = append(out, k.id)
				break
			}
		}
	}
	return out
}

// caseEndings are the endings a Bengali or Hindi noun takes, normalized
// as the words they end.
var caseEndings = func() map[string]bool {
	m := map[string]bool{}
	for _, e := range strings.Fields("ের র এর কে কেই তে এ য় য়ের টা টি টার টির গুলো গুলোর দের ও ই ों ो े ी ं") {
		m[textnorm.ForSearch("ক" + e)[len("ক"):]] = true
	}
	return m
}()

func keywordAt(words []string, i int, kw []string) bool {
	if len(kw) == 0 || i+len(kw) > len(words) {
		return false
	}
	for j, w := range kw {
		got := words[i+j]
		if got == w {
			continue
		}
		first, _ := utf8.DecodeRuneInString(w)
		ending, ok := strings.CutPrefix(got, w)
		if !ok || j != len(kw)-1 || !unicode.In(first, unicode.Bengali, unicode.Devanagari) || !caseEndings[ending] {
			return false
		}
	}
	return true
}

// matchMentions runs the matcher while this node holds its lease, until
// the service stops.
func (s *Service) matchMentions() {
	s.follow(follower{lease: mentionLeaseName, ttl: mentionLease, poll: mentionPoll, gap: mentionPause, pass: s.mentionPass})
}

// mentionPass matches one batch of each following account with unread
// events, and reports whether work may be left.
func (s *Service) mentionPass(ctx context.Context) bool {
	backlog, err := s.store.MentionBacklogs(ctx, 0, mentionAccounts)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("mention backlog", "err", err)
		}
		return false
	}
	more := len(backlog) == mentionAccounts
	for _, b := range backlog {
		upTo := min(b.Last, b.Cursor+mentionBatch)
		if err := s.matchAccount(ctx, b.AccountID, b.Cursor, upTo); err != nil {
			if !errors.Is(err, errMatchedElsewhere) && ctx.Err() == nil {
				s.log.Error("match mentions", "account", b.AccountID, "err", err)
			}
			continue
		}
		more = more || upTo < b.Last
	}
	return more
}

// errMatchedElsewhere says another node moved an account's cursor first.
var errMatchedElsewhere = errors.New("core: the account's mentions were matched by another node")

// matchAccount matches the public customer messages of the account's
// events with after < seq <= upTo, and moves the cursor past them.
func (s *Service) matchAccount(ctx context.Context, accountID, after, upTo int64) error {
	created, err := s.store.CreatedMessages(ctx, accountID, after, upTo)
	if err != nil {
		return err
	}
	var ids []int64
	for _, m := range created {
		if m.Public && m.Kind == sahay.MessageIncoming && strings.TrimSpace(m.Content) != "" {
			ids = append(ids, m.ID)
		}
	}
	var found []store.MentionMatch
	if len(ids) > 0 {
		keywords, err := s.store.MentionKeywords(ctx, accountID)
		if err != nil {
			return err
		}
		words := make([]keywordWords, 0, len(keywords))
		for _, k := range keywords {
			words = append(words, keywordWords{id: k.ID, words: strings.Fields(k.Normalized)})
		}
		// As they are now: an edited comment is matched by its words.
		current, err := s.store.MessagesByID(ctx, accountID, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			m := current[id]
			if m == nil {
				continue
			}
			if kw := matchKeywords(m.Content, words); len(kw) > 0 {
				found = append(found, mentionOf(accountID, m.ID, m.InboxID, m.Content, m.CreatedAt, kw))
			}
		}
	}
	return s.write(ctx, func(tx *store.Tx) error {
		moved, err := tx.MoveMentionCursor(ctx, accountID, after, upTo)
		if err != nil {
			return err
		}
		if !moved {
			return errMatchedElsewhere
		}
		return tx.InsertMentions(ctx, found)
	})
}

// MentionQuery selects mentions, as the API's query string does.
type MentionQuery struct {
	KeywordID int64
	Channel   string
	Sentiment string
	Cursor    string
	Limit     int
}

// Mention is a public message that named followed keywords, as an agent
// sees it.
type Mention struct {
	*store.Mention
	Channel   string   `json:"channel"`
	InboxName string   `json:"inbox_name"`
	Keywords  []string `json:"keywords"`
}

// mentionFilter turns a query into the store's filter for the actor.
func (s *Service) mentionFilter(ctx context.Context, a *Actor, q MentionQuery) (store.MentionFilter, error) {
	f := store.MentionFilter{AccountID: a.AccountID(), Inboxes: a.Inboxes(), KeywordID: q.KeywordID, Cursor: q.Cursor, Limit: q.Limit}
	switch q.Sentiment {
	case "", nlp.Negative, nlp.Neutral, nlp.Positive:
		f.Sentiment = q.Sentiment
	default:
		return f, sahay.Invalid("sentiment is negative, neutral or positive")
	}
	if q.Limit < 0 || q.Limit > 100 {
		return f, sahay.Invalid("limit is 1 to 100")
	}
	if q.KeywordID != 0 {
		keywords, err := s.store.MentionKeywords(ctx, a.AccountID())
		if err != nil {
			return f, err
		}
		if !slices.ContainsFunc(keywords, func(k *store.MentionKeyword) bool { return k.ID == q.KeywordID }) {
			return f, sahay.NotFound("keyword")
		}
	}
	if q.Channel != "" {
		ids, err := s.channelInboxes(ctx, a, q.Channel)
		if err != nil {
			return f, err
		}
		f.Inboxes = ids
	}
	return f, nil
}

// Mentions returns a page of the mentions in the inboxes the actor may
// see, newest first, and the cursor of the next page.
func (s *Service) Mentions(ctx context.Context, a *Actor, q MentionQuery) ([]*Mention, string, error) {
	f, err := s.mentionFilter(ctx, a, q)
	if err != nil {
		return nil, "", err
	}
	page, next, err := s.store.Mentions(ctx, f)
	if err != nil {
		return nil, "", err
	}
	inboxes, err := s.store.Inboxes(ctx, a.AccountID())
	if err != nil {
		return nil, "", err
	}
	keywords, err := s.store.MentionKeywords(ctx, a.AccountID())
	if err != nil {
		return nil, "", err
	}
	terms := map[int64]string{}
	for _, k := range keywords {
		terms[k.ID] = k.Term
	}
	out := make([]*Mention, 0, len(page))
	for _, m := range page {
		v := &Mention{Mention: m, Keywords: []string{}}
		for _, in := range inboxes {
			if in.ID == m.Message.InboxID {
				v.Channel, v.InboxName = in.Channel, in.Name
			}
		}
		for _, id := range m.KeywordIDs {
			if t, ok := terms[id]; ok {
				v.Keywords = append(v.Keywords, t)
			}
		}
		out = append(out, v)
	}
	return out, next, nil
}

// MentionDay counts one day's mentions by sentiment.
type MentionDay struct {
	// Date is the day in the account's time zone, as 2006-01-02.
	Date     string `json:"date"`
	Negative int64  `json:"negative"`
	Neutral  int64  `json:"neutral"`
	Positive int64  `json:"positive"`
}

// MentionTrend is the mentions of the last days, by day and sentiment.
type MentionTrend struct {
	TimeZone string       `json:"time_zone"`
	Days     []MentionDay `json:"days"`
}

// MentionTrend counts the mentions of the last days (7, 14 or 30, today
// included) by day of the account's time zone and by sentiment, with the
// filters of [Service.Mentions].
func (s *Service) MentionTrend(ctx context.Context, a *Actor, q MentionQuery, days int) (*MentionTrend, error) {
	if days != 7 && days != 14 && days != 30 {
		return nil, sahay.Invalid("days is 7, 14 or 30")
	}
	f, err := s.mentionFilter(ctx, a, q)
	if err != nil {
		return nil, err
	}
	acc, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(acc.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	first := time.Date(now.Year(), now.Month(), now.Day()-days+1, 0, 0, 0, 0, loc)
	buckets, err := s.store.MentionCounts(ctx, f, first)
	if err != nil {
		return nil, err
	}
	t := &MentionTrend{TimeZone: loc.String(), Days: make([]MentionDay, days)}
	index := map[string]int{}
	for i := range days {
		d := time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, loc).Format(time.DateOnly)
		t.Days[i].Date = d
		index[d] = i
	}
	for _, b := range buckets {
		i, ok := index[b.Start.In(loc).Format(time.DateOnly)]
		if !ok {
			continue
		}
		switch b.Sentiment {
		case nlp.Negative:
			t.Days[i].Negative += b.N
		case nlp.Positive:
			t.Days[i].Positive += b.N
		default:
			t.Days[i].Neutral += b.N
		}
	}
	return t, nil
}
