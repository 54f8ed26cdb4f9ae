package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// The voice follower: one node at a time counts the customers' analysed
// messages per local day, inbox, language and sentiment, and the terms
// they hold (docs/reports.md, "Sentiment trend" and "Voice of the
// customer"). It reads each account's events up to the scorer's cursor,
// behind which every incoming message that will ever be analysed is.
const (
	voiceLeaseName = "report-voice"
	voiceLease     = 30 * time.Second
	voicePoll      = 5 * time.Second
	voicePause     = 500 * time.Millisecond
	voiceAccounts  = 50
	voiceBatch     = 2000
	// voiceKeepTerms is how many of a past day's terms are kept per
	// language and inbox; voiceCompactDays how many days a pass compacts.
	voiceKeepTerms   = 200
	voiceCompactDays = 3
)

// What the voice of the customer lists.
const (
	topicLabels        = 20
	topicTermsEach     = 10 // per language, without a language filter
	topicTermsLanguage = 25 // with one
	risingTop          = 10
	risingLeast        = 3
	risingCandidates   = 500
	topicConversations = 50
	// topicSearch bounds the newest matching messages read to list the
	// conversations behind a term.
	topicSearch  = 1000
	snippetRunes = 140
)

// topicLanguages are the languages terms are counted in.
var topicLanguages = []string{"en", "bn", "hi"}

var errCountedElsewhere = errors.New("reports: messages counted by another node")

// runVoice keeps the voice counts while this node holds the lease, until
// the service stops. The scorer on this node wakes it after each batch.
func (s *Service) runVoice() {
	nudge := make(chan struct{}, 1)
	s.OnAnalyzed(func(context.Context, *sahay.Message, nlp.Analysis) {
		select {
		case nudge <- struct{}{}:
		default:
		}
	})
	s.follow(follower{lease: voiceLeaseName, ttl: voiceLease, poll: voicePoll, gap: voicePause, pass: s.voicePass, nudge: nudge})
}

// voicePass counts one batch of each account with analysed messages not
// yet counted, and reports whether work may be left.
func (s *Service) voicePass(ctx context.Context) bool {
	backlog, err := s.store.VoiceBacklogs(ctx, voiceAccounts)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("voice backlog", "err", err)
		}
		return false
	}
	more := len(backlog) == voiceAccounts
	for _, b := range backlog {
		// As the scorer does: the voice counts run behind a burst of received
		// messages, whose calls wait for the writer and the CPU this
		// pass would take, and read a batch at least every scoreYield.
		s.yieldToReceive(ctx, voiceLeaseName)
		upTo := min(b.Last, b.Cursor+voiceBatch)
		if err := s.voiceAccount(ctx, b.AccountID, b.Cursor, upTo); err != nil {
			if ctx.Err() == nil && !errors.Is(err, errCountedElsewhere) {
				s.log.Error("voice counts", "account", b.AccountID, "err", err)
			}
			continue
		}
		more = more || upTo < b.Last
	}
	return more
}

// voiceAccount counts the analysed incoming messages of the account's
// events with after < seq <= upTo, in the transaction that moves the
// cursor: each message counts exactly once, whichever node reads it and
// however often it restarts. The batch is added up in memory first, so
// each cell is written once.
func (s *Service) voiceAccount(ctx context.Context, accountID, after, upTo int64) error {
	ids, err := s.incomingCreated(ctx, accountID, after, upTo)
	if err != nil {
		return err
	}
	msgs, err := s.store.AnalysedMessages(ctx, accountID, ids)
	if err != nil {
		return err
	}
	account, err := s.store.Account(ctx, accountID)
	if err != nil {
		return err
	}
	loc := accountLocation(account)
	sentiments, terms := voiceCounts(loc, msgs)
	scoped := map[store.ScopeSentimentKey]int64{}
	for _, m := range msgs {
		for _, scope := range m.Scopes {
			scoped[store.ScopeSentimentKey{Scope: scope, Day: localDay(loc, m.CreatedAt), Sentiment: m.Sentiment}]++
		}
	}
	_, err = s.store.Write(ctx, func(tx *store.Tx) error {
		moved, err := tx.MoveVoiceCursor(ctx, accountID, after, upTo)
		if err != nil {
			return err
		}
		if !moved {
			return errCountedElsewhere
		}
		if err := tx.AddVoiceScopeCounts(ctx, accountID, scoped); err != nil {
			return err
		}
		return tx.AddVoiceCounts(ctx, accountID, sentiments, terms)
	})
	if err != nil {
		return err
	}
	return s.compactVoice(ctx, accountID, loc)
}

// compactVoice keeps, of each local day over (before yesterday), only the
// voiceKeepTerms most frequent terms of each language and inbox: a day's
// long tail of words said once or twice would otherwise make every report
// over a long period read them all. A few days a pass.
func (s *Service) compactVoice(ctx context.Context, accountID int64, loc *time.Location) error {
	before := localDay(loc, time.Now().AddDate(0, 0, -1))
	for range voiceCompactDays {
		day, err := s.store.NextVoiceDay(ctx, accountID, before)
		if err != nil || day == 0 {
			return err
		}
		if _, err := s.store.Write(ctx, func(tx *store.Tx) error {
			return tx.CompactVoiceTerms(ctx, accountID, day, voiceKeepTerms)
		}); err != nil {
			return err
		}
	}
	return nil
}

// voiceCounts adds up messages by local day, inbox, language and
// sentiment, and their topic terms (in en, bn and hi only) by local day,
// inbox, language and term: a term counts once per message.
func voiceCounts(loc *time.Location, msgs []store.AnalysedMessage) (map[store.SentimentKey]int64, map[store.TermKey]int64) {
	sentiments, terms := map[store.SentimentKey]int64{}, map[store.TermKey]int64{}
	for _, m := range msgs {
		day := localDay(loc, m.CreatedAt)
		sentiments[store.SentimentKey{Day: day, InboxID: m.InboxID, Language: m.Language, Sentiment: m.Sentiment}]++
		if !slices.Contains(topicLanguages, m.Language) {
			continue
		}
		for _, t := range nlp.TopicTerms(m.Content) {
			terms[store.TermKey{Day: day, InboxID: m.InboxID, Language: m.Language, Term: t}]++
		}
	}
	return sentiments, terms
}

// accountLocation is the account's time zone, UTC when it has none.
func accountLocation(account *sahay.Account) *time.Location {
	loc, err := time.LoadLocation(account.TimeZone)
	if err != nil || account.TimeZone == "" {
		return time.UTC
	}
	return loc
}

// localDay is t's local date in loc as YYYYMMDD.
func localDay(loc *time.Location, t time.Time) int {
	y, m, d := t.In(loc).Date()
	return y*10000 + int(m)*100 + d
}

// dayNumber is a date (its year, month and day) as YYYYMMDD.
func dayNumber(t time.Time) int {
	return localDay(time.UTC, t)
}

// VoiceQuery asks for the sentiment trend, the voice of the customer or
// the conversations behind a topic: local dates From and To inclusive,
// YYYY-MM-DD, and filters. The counts are kept per inbox and language:
// a team, agent or label filter is refused rather than ignored (Label
// selects the conversations behind a label). BusinessHours changes
// nothing: these reports count messages and measure no durations.
type VoiceQuery struct {
	From, To      string
	InboxID       int64
	Channel       string
	Language      string
	TeamID        int64
	AgentID       int64
	Label         string
	BusinessHours bool
}

// voicePeriod is a checked query: its days as dates (UTC midnights) and
// its store filter.
type voicePeriod struct {
	from, to time.Time
	filter   store.VoiceFilter
	loc      *time.Location
	tz       string
}

// checkVoiceQuery checks q for a report named what and returns its
// period; label tells whether a label is accepted.
func (s *Service) checkVoiceQuery(ctx context.Context, a *Actor, q VoiceQuery, what string, label bool) (*voicePeriod, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	from, err := time.Parse(time.DateOnly, q.From)
	if err != nil {
		return nil, sahay.Invalid("from must be a date, YYYY-MM-DD")
	}
	to, err := time.Parse(time.DateOnly, q.To)
	if err != nil {
		return nil, sahay.Invalid("to must be a date, YYYY-MM-DD")
	}
	if to.Before(from) {
		return nil, sahay.Invalid("from must not be after to")
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxReportDays {
		return nil, sahay.Invalid("a report covers at most %d days", MaxReportDays)
	}
	switch {
	case q.TeamID != 0:
		return nil, sahay.Invalid("%s cannot be filtered by team: its counts are kept per inbox and language", what)
	case q.AgentID != 0:
		return nil, sahay.Invalid("%s cannot be filtered by agent: its counts are kept per inbox and language", what)
	case q.Label != "" && !label:
		return nil, sahay.Invalid("%s cannot be filtered by label: its counts are kept per inbox and language", what)
	case q.Language != "" && !slices.Contains(topicLanguages, q.Language):
		return nil, sahay.Invalid("language must be en, bn or hi")
	}
	account, err := s.store.Account(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	p := &voicePeriod{from: from, to: to, loc: accountLocation(account), tz: account.TimeZone,
		filter: store.VoiceFilter{AccountID: a.AccountID(), From: dayNumber(from), To: dayNumber(to), Language: q.Language}}
	if p.tz == "" {
		p.tz = "UTC"
	}
	if p.filter.Inboxes, err = s.voiceInboxes(ctx, a.AccountID(), q); err != nil {
		return nil, err
	}
	return p, nil
}

// voiceInboxes are the inboxes a query's inbox and channel filters leave,
// nil for all.
func (s *Service) voiceInboxes(ctx context.Context, accountID int64, q VoiceQuery) ([]int64, error) {
	if q.InboxID == 0 && q.Channel == "" {
		return nil, nil
	}
	inboxes, err := s.store.Inboxes(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := []int64{}
	for _, in := range inboxes {
		if (q.InboxID == 0 || in.ID == q.InboxID) && (q.Channel == "" || in.Channel == q.Channel) {
			out = append(out, in.ID)
		}
	}
	return out, nil
}

// shifted is the filter over the days from..to.
func (p *voicePeriod) shifted(from, to time.Time) store.VoiceFilter {
	f := p.filter
	f.From, f.To = dayNumber(from), dayNumber(to)
	return f
}

// SentimentDay is one local day of the sentiment trend.
type SentimentDay struct {
	Day      string `json:"day"`
	Positive int    `json:"positive"`
	Neutral  int    `json:"neutral"`
	Negative int    `json:"negative"`
}

// SentimentTrend is the customers' analysed messages per local day by
// sentiment: every day of the period, in order.
type SentimentTrend struct {
	From     string         `json:"from"`
	To       string         `json:"to"`
	TimeZone string         `json:"time_zone"`
	Days     []SentimentDay `json:"days"`
}

// SentimentTrend reads the sentiment counts of a period (administrators
// only).
func (s *Service) SentimentTrend(ctx context.Context, a *Actor, q VoiceQuery) (*SentimentTrend, error) {
	scope, err := sentimentScope(q)
	if err != nil {
		return nil, err
	}
	q.TeamID, q.AgentID, q.Label = 0, 0, ""
	p, err := s.checkVoiceQuery(ctx, a, q, "the sentiment trend", false)
	if err != nil {
		return nil, err
	}
	p.filter.Scope = scope
	counts, err := s.store.SentimentDays(ctx, p.filter)
	if err != nil {
		return nil, err
	}
	out := &SentimentTrend{From: q.From, To: q.To, TimeZone: p.tz, Days: []SentimentDay{}}
	for d := p.from; !d.After(p.to); d = d.AddDate(0, 0, 1) {
		c := counts[dayNumber(d)]
		out.Days = append(out.Days, SentimentDay{Day: d.Format(time.DateOnly),
			Positive: c[nlp.Positive], Neutral: c[nlp.Neutral], Negative: c[nlp.Negative]})
	}
	return out, nil
}

// sentimentScope is the team, agent or label a sentiment trend is of, ""
// for none: one of them, alone, as its counts are kept for each.
func sentimentScope(q VoiceQuery) (string, error) {
	var scopes []string
	if q.TeamID != 0 {
		scopes = append(scopes, fmt.Sprint("team:", q.TeamID))
	}
	if q.AgentID != 0 {
		scopes = append(scopes, fmt.Sprint("agent:", q.AgentID))
	}
	if q.Label != "" {
		scopes = append(scopes, "label:"+q.Label)
	}
	switch {
	case len(scopes) == 0:
		return "", nil
	case len(scopes) > 1 || q.InboxID != 0 || q.Channel != "" || q.Language != "":
		return "", sahay.Invalid("the sentiment trend filters by a team, an agent or a label alone, not with other filters")
	}
	return scopes[0], nil
}

// TopicCount is a label or a term with its count in a period, in the
// period before (previous) and the change between them,
// (count-previous)/max(previous, 1).
type TopicCount struct {
	// Kind is "label" or "term", in rising only.
	Kind     string  `json:"kind,omitempty"`
	Name     string  `json:"name,omitempty"`
	Term     string  `json:"term,omitempty"`
	Language string  `json:"language,omitempty"`
	Count    int     `json:"count"`
	Previous int     `json:"previous"`
	Change   float64 `json:"change"`
}

func topicCount(count, previous int) TopicCount {
	return TopicCount{Count: count, Previous: previous, Change: float64(count-previous) / float64(max(previous, 1))}
}

// Topics is the voice of the customer over a period (docs/reports.md).
type Topics struct {
	From     string       `json:"from"`
	To       string       `json:"to"`
	TimeZone string       `json:"time_zone"`
	Labels   []TopicCount `json:"labels"`
	Terms    []TopicCount `json:"terms"`
	Rising   []TopicCount `json:"rising"`
}

// Topics reads the labels and terms customers raised in a period, against
// the period of the same length before it, and those rising this week
// (administrators only).
func (s *Service) Topics(ctx context.Context, a *Actor, q VoiceQuery) (*Topics, error) {
	p, err := s.checkVoiceQuery(ctx, a, q, "the voice of the customer", false)
	if err != nil {
		return nil, err
	}
	days := int(p.to.Sub(p.from).Hours()/24) + 1
	prev := p.shifted(p.from.AddDate(0, 0, -days), p.from.AddDate(0, 0, -1))
	out := &Topics{From: q.From, To: q.To, TimeZone: p.tz}
	if out.Labels, err = s.labelTopics(ctx, p.filter, prev, 0, topicLabels); err != nil {
		return nil, err
	}
	if out.Terms, err = s.termTopics(ctx, p.filter, prev); err != nil {
		return nil, err
	}
	if out.Rising, err = s.risingTopics(ctx, p); err != nil {
		return nil, err
	}
	return out, nil
}

// labelTopics counts the labels of the conversations opened in cur,
// those with at least least, at most limit, against prev.
func (s *Service) labelTopics(ctx context.Context, cur, prev store.VoiceFilter, least, limit int) ([]TopicCount, error) {
	now, err := s.store.LabelsOpened(ctx, cur)
	if err != nil {
		return nil, err
	}
	before, err := s.store.LabelsOpened(ctx, prev)
	if err != nil {
		return nil, err
	}
	was := map[string]int{}
	for _, l := range before {
		was[l.Name] = l.Count
	}
	out := []TopicCount{}
	for _, l := range now {
		if l.Count < least || len(out) == limit {
			continue
		}
		t := topicCount(l.Count, was[l.Name])
		t.Name = l.Name
		out = append(out, t)
	}
	return out, nil
}

// termTopics lists the most frequent terms of cur, per language unless
// cur has one, against prev.
func (s *Service) termTopics(ctx context.Context, cur, prev store.VoiceFilter) ([]TopicCount, error) {
	var top []store.TermCount
	if cur.Language != "" {
		var err error
		if top, err = s.store.TopTerms(ctx, cur, 1, topicTermsLanguage); err != nil {
			return nil, err
		}
	} else {
		for _, lang := range topicLanguages {
			f := cur
			f.Language = lang
			some, err := s.store.TopTerms(ctx, f, 1, topicTermsEach)
			if err != nil {
				return nil, err
			}
			top = append(top, some...)
		}
	}
	out, err := s.againstPrevious(ctx, top, prev)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b TopicCount) int { return cmp.Compare(b.Count, a.Count) })
	return out, nil
}

// againstPrevious gives terms their counts in prev.
func (s *Service) againstPrevious(ctx context.Context, terms []store.TermCount, prev store.VoiceFilter) ([]TopicCount, error) {
	names := make([]string, len(terms))
	for i, t := range terms {
		names[i] = t.Term
	}
	was, err := s.store.TermCounts(ctx, prev, names)
	if err != nil {
		return nil, err
	}
	out := make([]TopicCount, len(terms))
	for i, t := range terms {
		out[i] = topicCount(t.Count, was[[2]string{t.Language, t.Term}])
		out[i].Term, out[i].Language = t.Term, t.Language
	}
	return out, nil
}

// risingTopics compares the 7 days ending the period's last day with the
// 7 before: the labels and terms raised at least risingLeast times this
// week, by change, the largest risingTop.
func (s *Service) risingTopics(ctx context.Context, p *voicePeriod) ([]TopicCount, error) {
	week := p.shifted(p.to.AddDate(0, 0, -6), p.to)
	before := p.shifted(p.to.AddDate(0, 0, -13), p.to.AddDate(0, 0, -7))
	labels, err := s.labelTopics(ctx, week, before, risingLeast, risingCandidates)
	if err != nil {
		return nil, err
	}
	top, err := s.store.TopTerms(ctx, week, risingLeast, risingCandidates)
	if err != nil {
		return nil, err
	}
	terms, err := s.againstPrevious(ctx, top, before)
	if err != nil {
		return nil, err
	}
	out := []TopicCount{}
	for _, l := range labels {
		l.Kind = "label"
		out = append(out, l)
	}
	for _, t := range terms {
		t.Kind = "term"
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(a, b TopicCount) int {
		return cmp.Or(cmp.Compare(b.Change, a.Change), cmp.Compare(b.Count, a.Count),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name+a.Term, b.Name+b.Term), cmp.Compare(a.Language, b.Language))
	})
	return out[:min(len(out), risingTop)], nil
}

// TopicConversations lists, newest first, at most 50 conversations behind
// a topic of a period: with q.Label, those opened in the period that carry
// the label; otherwise those where a customer's message of the period
// holds term (in q.Language when given), found through the search index
// among its newest topicSearch matches (administrators only).
func (s *Service) TopicConversations(ctx context.Context, a *Actor, q VoiceQuery, term string) ([]store.TopicConversation, error) {
	p, err := s.checkVoiceQuery(ctx, a, q, "the conversations behind a topic", true)
	if err != nil {
		return nil, err
	}
	switch {
	case q.Label != "" && term != "":
		return nil, sahay.Invalid("give a term or a label, not both")
	case q.Label != "":
		return s.store.LabelConversations(ctx, p.filter, q.Label, topicConversations)
	}
	words := textnorm.Words(term)
	if len(words) != 1 {
		return nil, sahay.Invalid("term must be one word (or give a label)")
	}
	return s.termConversations(ctx, p, words[0])
}

// termConversations finds the conversations whose customers' messages of
// the period hold word, newest message first.
func (s *Service) termConversations(ctx context.Context, p *voicePeriod, word string) ([]store.TopicConversation, error) {
	hits, err := s.store.SearchMessages(ctx, p.filter.AccountID, p.filter.Inboxes, textnorm.Terms(word), topicSearch)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.Message.ID)
	}
	languages, err := s.store.MessageLanguages(ctx, p.filter.AccountID, ids)
	if err != nil {
		return nil, err
	}
	out := []store.TopicConversation{}
	seen := map[int64]bool{}
	for _, h := range hits {
		m := h.Message
		day := localDay(p.loc, m.CreatedAt)
		switch {
		case len(out) == topicConversations:
			return out, nil
		case seen[m.ConversationID], m.Kind != sahay.MessageIncoming, day < p.filter.From, day > p.filter.To,
			p.filter.Language != "" && languages[m.ID] != p.filter.Language,
			!slices.Contains(nlp.TopicTerms(m.Content), word):
			continue
		}
		seen[m.ConversationID] = true
		out = append(out, store.TopicConversation{ID: m.ConversationID, DisplayID: h.DisplayID, ContactName: h.ContactName,
			Snippet: snippet(m.Content), CreatedAt: m.CreatedAt})
	}
	return out, nil
}

// snippet is the start of a message, at most snippetRunes long.
func snippet(s string) string {
	if utf8.RuneCountInString(s) <= snippetRunes {
		return s
	}
	return string([]rune(s)[:snippetRunes]) + "…"
}

// WaitingConversation is an open conversation whose customer waits for a
// person.
type WaitingConversation struct {
	ConversationID int64     `json:"conversation_id"`
	DisplayID      int64     `json:"display_id"`
	ContactName    string    `json:"contact_name"`
	InboxID        int64     `json:"inbox_id"`
	WaitingSince   time.Time `json:"waiting_since"`
	WaitingSeconds int64     `json:"waiting_seconds"`
}

// AgentLoad is an agent available now and the open conversations
// assigned to them.
type AgentLoad struct {
	AgentID      int64  `json:"agent_id"`
	Name         string `json:"name"`
	OpenAssigned int    `json:"open_assigned"`
}

// LiveView is the account's inbox as it stands (docs/reports.md, "Live
// view").
type LiveView struct {
	Open           int                   `json:"open"`
	Unassigned     int                   `json:"unassigned"`
	Pending        int                   `json:"pending"`
	WaitingLongest []WaitingConversation `json:"waiting_longest"`
	AgentsOnline   []AgentLoad           `json:"agents_online"`
}

// liveWaiting is how many of the longest-waiting conversations the live
// view lists.
const liveWaiting = 10

// LiveView reads the account's inbox as it stands (administrators only):
// the maintained counts, the longest waits from the waiting sort's index,
// and the agents available now, as routing sees them.
func (s *Service) LiveView(ctx context.Context, a *Actor) (*LiveView, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	accountID := a.AccountID()
	counts, err := s.store.LiveCounts(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := &LiveView{Open: counts.Open, Unassigned: counts.Unassigned, Pending: counts.Pending,
		WaitingLongest: []WaitingConversation{}, AgentsOnline: []AgentLoad{}}
	waiting, err := s.store.WaitingLongest(ctx, accountID, liveWaiting)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, w := range waiting {
		out.WaitingLongest = append(out.WaitingLongest, WaitingConversation{ConversationID: w.ConversationID, DisplayID: w.DisplayID,
			ContactName: w.ContactName, InboxID: w.InboxID, WaitingSince: w.WaitingSince,
			WaitingSeconds: max(int64(now.Sub(w.WaitingSince)/time.Second), 0)})
	}
	if out.AgentsOnline, err = s.agentsOnline(ctx, accountID); err != nil {
		return nil, err
	}
	return out, nil
}

// agentsOnline lists the account's users available now, most open
// conversations first.
func (s *Service) agentsOnline(ctx context.Context, accountID int64) ([]AgentLoad, error) {
	users, err := s.store.Users(ctx, accountID)
	if err != nil {
		return nil, err
	}
	loads, err := s.store.OpenLoads(ctx, accountID)
	if err != nil {
		return nil, err
	}
	open := map[int64]int{}
	for _, l := range loads {
		open[l.AssigneeID] += l.N
	}
	out := []AgentLoad{}
	for _, u := range users {
		if s.Available(u) {
			out = append(out, AgentLoad{AgentID: u.ID, Name: u.Name, OpenAssigned: open[u.ID]})
		}
	}
	slices.SortStableFunc(out, func(a, b AgentLoad) int {
		return cmp.Or(cmp.Compare(b.OpenAssigned, a.OpenAssigned), cmp.Compare(a.Name, b.Name), cmp.Compare(a.AgentID, b.AgentID))
	})
	return out, nil
}
