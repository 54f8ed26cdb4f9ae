package core

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/kb"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// The help center as readers see it: a site is an account's published
// knowledge base read once and kept, with its search index, until the
// account's knowledge base revision moves (every change of an article,
// category, the settings or the account moves it in its transaction), so
// a page costs one indexed read of the revision whichever node serves it.
// Readers' views, searches and feedback are counted in memory and
// written every few seconds: a page view never waits for a write.

// maxSites bounds the sites a node keeps, and maxSiteBytes the text they
// hold (an estimate: their articles' text in its forms, twice for the
// index): past either, the site read longest ago is dropped.
const (
	maxSites     = 256
	maxSiteBytes = 64 << 20
)

// kbStatsEvery is how often counted views, searches and feedback are
// written.
const kbStatsEvery = 5 * time.Second

// KBSite is an account's published knowledge base.
type KBSite struct {
	AccountID int64
	Name      string
	Slug      string
	Settings  store.KBSettings
	Revision  int64
	// ChatToken is the website token of the chat inbox the pages show,
	// or empty.
	ChatToken string
	// Categories holds those with at least one public published article,
	// in position order.
	Categories []*store.KBCategory
	loc        *time.Location
	// pages are the published translations by article and locale; order
	// the articles in position order.
	pages map[int64]map[string]*store.KBPage
	order []int64
	index *kb.Index
	// size estimates the memory the site holds.
	size int64
}

// Page returns an article's published translation in locale, else in the
// help center's default locale, else in the first locale it has; fallback
// tells that locale had none. Internal articles are found only when
// internal is set.
func (s *KBSite) Page(articleID int64, locale string, internal bool) (p *store.KBPage, fallback bool) {
	byLocale := s.pages[articleID]
	if len(byLocale) == 0 {
		return nil, false
	}
	for _, l := range []string{locale, s.Settings.DefaultLocale} {
		if p := byLocale[l]; p != nil {
			return visible(p, internal), l != locale
		}
	}
	for _, l := range s.Settings.Locales {
		if p := byLocale[l]; p != nil {
			return visible(p, internal), true
		}
	}
	locales := make([]string, 0, len(byLocale))
	for l := range byLocale {
		locales = append(locales, l)
	}
	slices.Sort(locales)
	return visible(byLocale[locales[0]], internal), true
}

func visible(p *store.KBPage, internal bool) *store.KBPage {
	if p.Internal && !internal {
		return nil
	}
	return p
}

// Locales lists the locales an article is published in, in the help
// center's order.
func (s *KBSite) Locales(articleID int64) []string {
	var out []string
	for _, l := range s.Settings.Locales {
		if s.pages[articleID][l] != nil {
			out = append(out, l)
		}
	}
	for l := range s.pages[articleID] {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// Articles lists the public articles of a category (0: every one) in
// locale, each in its fallback where it has no translation in locale.
func (s *KBSite) Articles(categoryID int64, locale string) []*store.KBPage {
	var out []*store.KBPage
	for _, id := range s.order {
		p, _ := s.Page(id, locale, false)
		if p != nil && (categoryID == 0 || p.CategoryID == categoryID) {
			out = append(out, p)
		}
	}
	return out
}

// Category returns a category with public articles.
func (s *KBSite) Category(id int64) *store.KBCategory {
	for _, c := range s.Categories {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Search ranks the published articles for q; internal ones only when
// asked (agents).
func (s *KBSite) Search(q, locale string, internal bool, limit int) []kb.Hit {
	return s.index.Search(q, kb.SearchOptions{Locale: locale, Internal: internal, Limit: limit})
}

// Suggest returns the public articles whose pages match pageURL, else the
// most viewed ones, at most n, in locale.
func (s *KBSite) Suggest(pageURL, locale string, n int) []*store.KBPage {
	var matched, all []*store.KBPage
	for _, p := range s.Articles(0, locale) {
		if pageURL != "" && kb.MatchPage(p.Pages, pageURL) {
			matched = append(matched, p)
		}
		all = append(all, p)
	}
	if len(matched) > 0 {
		return matched[:min(n, len(matched))]
	}
	slices.SortStableFunc(all, func(a, b *store.KBPage) int { return int(b.Views - a.Views) })
	return all[:min(n, len(all))]
}

// Description is a page's description, else its first paragraph.
func Description(p *store.KBPage) string {
	if p.Description != "" {
		return p.Description
	}
	return kb.Summary(p.Body, 160)
}

// Locale picks the help center's locale for a reader: the one asked for
// when the help center has it, else the first of the Accept-Language
// header's it has, else its default.
func (s *KBSite) Locale(asked, acceptLanguage string) string {
	if slices.Contains(s.Settings.Locales, asked) {
		return asked
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag, _, _ = strings.Cut(strings.ToLower(tag), "-")
		if slices.Contains(s.Settings.Locales, tag) {
			return tag
		}
	}
	return s.Settings.DefaultLocale
}

// Today is the site's local date as YYYYMMDD.
func (s *KBSite) today() int { return localDay(s.loc, time.Now()) }

// kbState is the node's sites, the custom domains, and the counts not
// yet written.
type kbState struct {
	mu    sync.Mutex
	sites map[int64]*siteEntry
	// bytes is the sum of the sites' sizes.
	bytes int64
	// domains maps custom domains to accounts; nil until read, dropped
	// when settings change here and read again each minute.
	domains     map[string]int64
	domainsRead time.Time
	// slugs remembers the account each slug named.
	slugs    map[string]int64
	stats    map[kbStatKey]*store.KBStat
	searches map[kbSearchKey]*store.KBSearch
	// typed holds each reader's last search typed, until they pause.
	typed map[typedKey]*typedSearch
}

type siteEntry struct {
	mu   sync.Mutex
	site *KBSite
	// used and size are kbState.mu's.
	used time.Time
	size int64
}

type kbStatKey struct {
	account, article int64
	day              int
	locale           string
}

type kbSearchKey struct {
	account int64
	day     int
	query   string
	locale  string
}

func (k *kbState) forgetDomains() {
	k.mu.Lock()
	k.domains = nil
	k.mu.Unlock()
}

// site returns the account's site as of its current revision.
func (s *Service) site(ctx context.Context, accountID int64) (*KBSite, error) {
	rev, err := s.store.KBRevision(ctx, accountID)
	if err != nil {
		return nil, err
	}
	s.kb.mu.Lock()
	if s.kb.sites == nil {
		s.kb.sites = map[int64]*siteEntry{}
	}
	e := s.kb.sites[accountID]
	if e == nil {
		if len(s.kb.sites) >= maxSites {
			s.kb.evictOldest(accountID)
		}
		e = &siteEntry{}
		s.kb.sites[accountID] = e
	}
	e.used = time.Now()
	s.kb.mu.Unlock()

	// One reader of an account builds its site; the others wait for it.
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.site != nil && e.site.Revision == rev {
		return e.site, nil
	}
	site, err := s.buildSite(ctx, accountID, rev)
	if err != nil {
		return nil, err
	}
	e.site = site
	s.kb.mu.Lock()
	if s.kb.sites[accountID] == e {
		s.kb.bytes += site.size - e.size
		e.size = site.size
		for s.kb.bytes > maxSiteBytes && len(s.kb.sites) > 1 {
			s.kb.evictOldest(accountID)
		}
	}
	s.kb.mu.Unlock()
	return site, nil
}

// evictOldest drops the site read longest ago, other than keep's; k.mu
// is held.
func (k *kbState) evictOldest(keep int64) {
	oldest := int64(-1)
	var at time.Time
	for id, e := range k.sites {
		if id != keep && (oldest == -1 || e.used.Before(at)) {
			oldest, at = id, e.used
		}
	}
	if e := k.sites[oldest]; e != nil {
		k.bytes -= e.size
		delete(k.sites, oldest)
	}
}

func (s *Service) buildSite(ctx context.Context, accountID, rev int64) (*KBSite, error) {
	acc, err := s.store.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	hc, err := s.store.HelpCenter(ctx, accountID)
	if err != nil {
		return nil, err
	}
	categories, err := s.store.KBCategories(ctx, accountID)
	if err != nil {
		return nil, err
	}
	pages, err := s.store.KBPages(ctx, accountID)
	if err != nil {
		return nil, err
	}
	site := &KBSite{AccountID: acc.ID, Name: acc.Name, Slug: acc.Slug, Settings: kbSettings(acc, hc.Settings),
		Revision: rev, loc: time.UTC, pages: map[int64]map[string]*store.KBPage{}}
	if loc, err := time.LoadLocation(acc.TimeZone); err == nil {
		site.loc = loc
	}
	docs := make([]kb.Doc, 0, len(pages))
	public := map[int64]bool{}
	for _, p := range pages {
		if site.pages[p.ArticleID] == nil {
			site.pages[p.ArticleID] = map[string]*store.KBPage{}
			site.order = append(site.order, p.ArticleID)
		}
		site.pages[p.ArticleID][p.Locale] = p
		if !p.Internal {
			public[p.CategoryID] = true
		}
		if p.Text == "" {
			p.Text = kb.Text(p.Body)
		}
		docs = append(docs, kb.Doc{ArticleID: p.ArticleID, Locale: p.Locale, Title: p.Title, Description: p.Description,
			Text: p.Text, Internal: p.Internal, Views: p.Views})
		site.size += 2 * int64(len(p.Title)+len(p.Description)+len(p.Body)+len(p.HTML)+len(p.Text))
	}
	for _, c := range categories {
		if public[c.ID] {
			site.Categories = append(site.Categories, c)
		}
	}
	site.index = kb.NewIndex(docs)
	if id := site.Settings.ChatInboxID; id != 0 {
		// A chat inbox deleted since is no chat.
		if inbox, err := s.store.Inbox(ctx, accountID, id); err == nil && inbox.Channel == "widget" {
			var settings struct {
				WebsiteToken string `json:"website_token"`
			}
			json.Unmarshal(inbox.Settings, &settings)
			site.ChatToken = settings.WebsiteToken
		}
	}
	return site, nil
}

// HelpCenter returns the published help center a slug names, to anyone.
// A help center turned off is not found.
func (s *Service) HelpCenter(ctx context.Context, slug string) (*KBSite, error) {
	if checkSlug(slug) != nil {
		return nil, sahay.NotFound("help center")
	}
	// The account a slug named last time, if its site still has the slug
	// (a new slug moves the revision, so the site read says so).
	s.kb.mu.Lock()
	id, known := s.kb.slugs[slug]
	s.kb.mu.Unlock()
	if known {
		site, err := s.HelpCenterOf(ctx, id)
		if err == nil && site.Slug == slug {
			return site, nil
		}
		if err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return nil, err
		}
	}
	acc, err := s.store.AccountBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	s.kb.mu.Lock()
	if s.kb.slugs == nil || len(s.kb.slugs) >= 4*maxSites {
		s.kb.slugs = map[string]int64{}
	}
	s.kb.slugs[slug] = acc.ID
	s.kb.mu.Unlock()
	return s.HelpCenterOf(ctx, acc.ID)
}

// HelpCenterOf returns an account's published help center, to anyone: the
// widget's visitors read it so.
func (s *Service) HelpCenterOf(ctx context.Context, accountID int64) (*KBSite, error) {
	site, err := s.site(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if !site.Settings.Enabled {
		return nil, sahay.NotFound("help center")
	}
	return site, nil
}

// HelpCenterByHost returns the help center served on a custom domain, or
// not found when host is none's.
func (s *Service) HelpCenterByHost(ctx context.Context, host string) (*KBSite, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	s.kb.mu.Lock()
	domains, read := s.kb.domains, s.kb.domainsRead
	s.kb.mu.Unlock()
	if domains == nil || time.Since(read) > time.Minute {
		var err error
		if domains, err = s.store.HelpCenterDomains(ctx); err != nil {
			return nil, err
		}
		s.kb.mu.Lock()
		s.kb.domains, s.kb.domainsRead = domains, time.Now()
		s.kb.mu.Unlock()
	}
	id, ok := domains[host]
	if !ok {
		return nil, sahay.NotFound("help center")
	}
	return s.HelpCenterOf(ctx, id)
}

// CountKBView counts a reader's view of an article.
func (s *Service) CountKBView(site *KBSite, articleID int64, locale string) {
	s.countKB(site, articleID, locale, func(st *store.KBStat) { st.Views++ })
}

// KBFeedback counts a reader's answer to "was this helpful?". The article
// must be published and public.
func (s *Service) KBFeedback(site *KBSite, articleID int64, locale string, helpful bool) error {
	if p, _ := site.Page(articleID, locale, false); p == nil {
		return sahay.NotFound("article")
	}
	if site.pages[articleID][locale] == nil {
		return sahay.Invalid("locale: the article is not published in %q", locale)
	}
	s.countKB(site, articleID, locale, func(st *store.KBStat) {
		if helpful {
			st.Helpful++
		} else {
			st.NotHelpful++
		}
	})
	return nil
}

func (s *Service) countKB(site *KBSite, articleID int64, locale string, add func(*store.KBStat)) {
	key := kbStatKey{account: site.AccountID, article: articleID, day: site.today(), locale: locale}
	s.kb.mu.Lock()
	defer s.kb.mu.Unlock()
	if s.kb.stats == nil {
		s.kb.stats = map[kbStatKey]*store.KBStat{}
	}
	st := s.kb.stats[key]
	if st == nil {
		st = &store.KBStat{AccountID: key.account, ArticleID: articleID, Day: key.day, Locale: locale}
		s.kb.stats[key] = st
	}
	add(st)
}

// maxQueryChars bounds a search as it is counted.
const maxQueryChars = 100

// typedAfter is how long a reader who searches as they type must pause
// for their search to count: the words on the way to it do not.
const typedAfter = 2 * time.Second

// typedSearch is the last search a reader typed, not yet counted.
type typedSearch struct {
	site          *KBSite
	query, locale string
	found         bool
	at            time.Time
}

type typedKey struct {
	account int64
	reader  string
}

// countQuery is a search's text as the report counts it: lowercase, single
// spaces, at most maxQueryChars; "" for one too short to count.
func countQuery(q string) string {
	query := strings.Join(strings.Fields(strings.ToLower(textnorm.NFC(q))), " ")
	if utf8.RuneCountInString(query) > maxQueryChars {
		query = string([]rune(query)[:maxQueryChars])
	}
	if utf8.RuneCountInString(query) < 2 {
		return ""
	}
	return query
}

// SearchHelpCenter searches the public articles for a reader and counts
// the search, and whether it found anything, for the reports.
func (s *Service) SearchHelpCenter(site *KBSite, q, locale string, limit int) []kb.Hit {
	hits := site.Search(q, locale, false, limit)
	if query := countQuery(q); query != "" {
		s.countSearch(site, query, locale, len(hits) > 0, time.Now())
	}
	return hits
}

// SearchHelpCenterTyped is [Service.SearchHelpCenter] for a reader who
// searches as they type (reader names them, such as a widget's visitor):
// a search counts once they pause, or search something that does not go
// on from it, so "ref", "refu" and "refund" count as one search for
// "refund".
func (s *Service) SearchHelpCenterTyped(site *KBSite, reader, q, locale string, limit int) []kb.Hit {
	hits := site.Search(q, locale, false, limit)
	query := countQuery(q)
	key := typedKey{account: site.AccountID, reader: reader}
	s.kb.mu.Lock()
	prev, had := s.kb.typed[key]
	if query == "" {
		delete(s.kb.typed, key)
	} else {
		if s.kb.typed == nil {
			s.kb.typed = map[typedKey]*typedSearch{}
		}
		if had || len(s.kb.typed) < 10000 {
			s.kb.typed[key] = &typedSearch{site: site, query: query, locale: locale, found: len(hits) > 0, at: time.Now()}
		}
	}
	s.kb.mu.Unlock()
	// The words before, unless these go on from them (or take letters
	// back), were a search of their own.
	if had && query != prev.query && !strings.HasPrefix(query, prev.query) && !strings.HasPrefix(prev.query, query) {
		s.countSearch(prev.site, prev.query, prev.locale, prev.found, prev.at)
	}
	return hits
}

// countTyped counts the typed searches whose readers paused; all of them
// when all is set.
func (s *Service) countTyped(all bool) {
	now := time.Now()
	var done []*typedSearch
	s.kb.mu.Lock()
	for k, t := range s.kb.typed {
		if all || now.Sub(t.at) >= typedAfter {
			done = append(done, t)
			delete(s.kb.typed, k)
		}
	}
	s.kb.mu.Unlock()
	for _, t := range done {
		s.countSearch(t.site, t.query, t.locale, t.found, t.at)
	}
}

// countSearch adds a search to its day's counts.
func (s *Service) countSearch(site *KBSite, query, locale string, found bool, at time.Time) {
	key := kbSearchKey{account: site.AccountID, day: localDay(site.loc, at), query: query, locale: locale}
	s.kb.mu.Lock()
	defer s.kb.mu.Unlock()
	if s.kb.searches == nil {
		s.kb.searches = map[kbSearchKey]*store.KBSearch{}
	}
	st := s.kb.searches[key]
	if st == nil {
		if len(s.kb.searches) >= 10000 {
			return
		}
		st = &store.KBSearch{AccountID: key.account, Day: key.day, Query: query, Locale: locale}
		s.kb.searches[key] = st
	}
	st.Searches++
	if !found {
		st.NoResult++
	}
	if at.After(st.At) {
		st.At = at
	}
}

// FlushKBStats writes the counted views, feedback and searches, the
// typed searches whose readers have not paused yet included.
func (s *Service) FlushKBStats(ctx context.Context) error {
	return s.flushKB(ctx, true)
}

// flushKB writes the counts; all counts every typed search, not only
// those whose readers paused.
func (s *Service) flushKB(ctx context.Context, all bool) error {
	s.countTyped(all)
	s.kb.mu.Lock()
	stats, searches := s.kb.stats, s.kb.searches
	s.kb.stats, s.kb.searches = nil, nil
	s.kb.mu.Unlock()
	if len(stats) == 0 && len(searches) == 0 {
		return nil
	}
	var st []store.KBStat
	for _, v := range stats {
		st = append(st, *v)
	}
	var qs []store.KBSearch
	for _, v := range searches {
		qs = append(qs, *v)
	}
	_, err := s.store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AddKBStats(ctx, st); err != nil {
			return err
		}
		return tx.AddKBSearches(ctx, qs)
	})
	return err
}

// flushKBStats writes the counts every few seconds, and when the service
// stops.
func (s *Service) flushKBStats() {
	t := time.NewTicker(kbStatsEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.FlushKBStats(ctx); err != nil {
				s.log.Warn("help center counts", "err", err)
			}
			cancel()
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := s.flushKB(ctx, false); err != nil {
				s.log.Warn("help center counts", "err", err)
			}
			cancel()
		}
	}
}

// SearchKB searches the published articles for an agent, the internal
// ones included.
func (s *Service) SearchKB(ctx context.Context, a *Actor, q, locale string, limit int) ([]KBHit, error) {
	if a.IsBot() {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "an agent bot has no knowledge base")
	}
	site, err := s.site(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	hits := site.Search(q, locale, true, limit)
	out := make([]KBHit, 0, len(hits))
	for _, h := range hits {
		hit := KBHit{ArticleID: h.ArticleID, Locale: h.Locale, Title: h.Title, Snippet: h.Snippet, Internal: h.Internal, Score: h.Score}
		if !h.Internal {
			hit.URL = ArticlePath(HelpCenterPath(site.Slug), h.Locale, h.ArticleID, h.Title)
		}
		out = append(out, hit)
	}
	return out, nil
}

// KBHit is a search result: the article's best translation for the
// query, a snippet with the matches marked, its public address.
type KBHit struct {
	ArticleID int64   `json:"article_id"`
	Locale    string  `json:"locale"`
	Title     string  `json:"title"`
	Snippet   string  `json:"snippet"`
	Internal  bool    `json:"internal"`
	URL       string  `json:"url"`
	Score     float64 `json:"score"`
}

// KBReport is what readers did over a period.
type KBReport struct {
	From       string               `json:"from"`
	To         string               `json:"to"`
	Views      int64                `json:"views"`
	Searches   int64                `json:"searches"`
	Helpful    int64                `json:"helpful"`
	NotHelpful int64                `json:"not_helpful"`
	MostViewed []KBArticleStat      `json:"most_viewed"`
	NoResult   []store.KBQueryCount `json:"no_result_searches"`
	// Helpfulness lists the articles readers answered about, least
	// helpful first.
	Helpfulness []KBArticleStat `json:"helpfulness"`
}

// KBArticleStat is an article's counts over the period.
type KBArticleStat struct {
	store.KBArticleCount
	Title string   `json:"title"`
	Rate  *float64 `json:"rate"`
}

// KBReport reports the help center's views, searches and feedback from
// and to (local dates YYYY-MM-DD, inclusive; the last 30 days by default)
// to administrators.
func (s *Service) KBReport(ctx context.Context, a *Actor, from, to string) (*KBReport, error) {
	if err := a.requireAdmin(); err != nil {
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
	today := time.Now().In(loc)
	fromT, toT := today.AddDate(0, 0, -29), today
	if from != "" {
		if fromT, err = time.ParseInLocation(time.DateOnly, from, loc); err != nil {
			return nil, sahay.Invalid("from: %q is not a date like 2026-12-01", from)
		}
	}
	if to != "" {
		if toT, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
			return nil, sahay.Invalid("to: %q is not a date like 2026-12-31", to)
		}
	}
	if toT.Before(fromT) || toT.Sub(fromT) > 400*24*time.Hour {
		return nil, sahay.Invalid("the period runs from a date to a later one, at most 400 days")
	}
	// What this node counted is in the report.
	if err := s.FlushKBStats(ctx); err != nil {
		return nil, err
	}
	fromDay, toDay := localDay(loc, fromT), localDay(loc, toT)
	counts, err := s.store.KBStatsBetween(ctx, acc.ID, fromDay, toDay)
	if err != nil {
		return nil, err
	}
	r := &KBReport{From: fromT.Format(time.DateOnly), To: toT.Format(time.DateOnly), MostViewed: []KBArticleStat{}, Helpfulness: []KBArticleStat{}}
	if r.Searches, r.NoResult, err = s.store.KBSearchesBetween(ctx, acc.ID, fromDay, toDay, 20); err != nil {
		return nil, err
	}
	arts, err := s.store.KBArticles(ctx, acc.ID, store.KBFilter{})
	if err != nil {
		return nil, err
	}
	st := kbSettings(acc, store.KBSettings{})
	if hc, err := s.store.HelpCenter(ctx, acc.ID); err == nil {
		st = kbSettings(acc, hc.Settings)
	}
	titles := map[int64]string{}
	for _, art := range arts {
		if t := art.Translation(st.DefaultLocale); t != nil {
			titles[art.ID] = t.Title
		} else if len(art.Translations) > 0 {
			titles[art.ID] = art.Translations[0].Title
		}
	}
	for _, c := range counts {
		r.Views += c.Views
		r.Helpful += c.Helpful
		r.NotHelpful += c.NotHelpful
		stat := KBArticleStat{KBArticleCount: c, Title: titles[c.ArticleID]}
		if n := c.Helpful + c.NotHelpful; n > 0 {
			rate := float64(c.Helpful) / float64(n)
			stat.Rate = &rate
			r.Helpfulness = append(r.Helpfulness, stat)
		}
		if c.Views > 0 && len(r.MostViewed) < 10 {
			r.MostViewed = append(r.MostViewed, stat)
		}
	}
	slices.SortStableFunc(r.Helpfulness, func(x, y KBArticleStat) int {
		switch {
		case *x.Rate < *y.Rate:
			return -1
		case *x.Rate > *y.Rate:
			return 1
		}
		return int((y.Helpful + y.NotHelpful) - (x.Helpful + x.NotHelpful))
	})
	if len(r.Helpfulness) > 20 {
		r.Helpfulness = r.Helpfulness[:20]
	}
	return r, nil
}
