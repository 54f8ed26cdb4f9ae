package helpcenter

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/kb"
	"github.com/sahayhq/sahay/internal/store"
)

// maxQueryRunes bounds a search: longer queries are refused before any
// work.
const maxQueryRunes = 200

// searchResults is how many results a search shows.
const searchResults = 20

// item is an article in a list.
type item struct {
	Title, URL, Description string
	// Lang is set when the article is shown in another language than
	// the page's.
	Lang string
}

type categoryItem struct {
	Name, Description, URL, Count string
	Lang                          string
	// Top are its first articles.
	Top []item
}

type homeContent struct {
	Intro      string
	Categories []categoryItem
	Popular    []item
	Other      []item
}

type categoryContent struct {
	Name, Description string
	Articles          []item
}

type articleContent struct {
	Title    string
	Lang     string
	HTML     template.HTML
	Updated  string
	Fallback string
	Feedback string
	Thanks   bool
	Related  []item
}

type searchContent struct {
	Query   string
	Heading string
	Message string
	Results []result
}

type result struct {
	item
	Snippet  template.HTML
	Category string
}

// home is the help center's home in the reader's language: ?lang=, else
// Accept-Language, else the default. It is the x-default of the homes.
func (s *Server) home(w http.ResponseWriter, r *http.Request, q *request) error {
	lang := q.site.Locale(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	w.Header().Add("Vary", "Accept-Language")
	return s.homePage(w, r, q, lang, q.base)
}

// localeHome is the home in a locale of the help center.
func (s *Server) localeHome(w http.ResponseWriter, r *http.Request, q *request) error {
	lang := r.PathValue("locale")
	if !slices.Contains(q.site.Settings.Locales, lang) {
		return sahay.NotFound("page")
	}
	return s.homePage(w, r, q, lang, q.base+"/"+lang)
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request, q *request, lang, self string) error {
	site := q.site
	v := q.newView(lang)
	intro := site.Settings.Intro[lang]
	if intro == "" {
		intro = text(lang, "intro")
	}
	v.Title, v.Description, v.Hero = site.Settings.Title, intro, intro
	v.Canonical = q.absolute(self)
	v.Alternates, v.XDefault = q.homeAlternates()
	v.Languages = q.languages(lang, func(l string) string { return q.base + "/" + l })
	c := homeContent{Intro: intro}
	listed := map[int64]bool{}
	for _, cat := range site.Categories {
		arts := site.Articles(cat.ID, lang)
		if len(arts) == 0 {
			continue
		}
		listed[cat.ID] = true
		name, nameLang := localized(cat.Names, lang, site.Settings.DefaultLocale)
		desc, _ := localized(cat.Descriptions, lang, site.Settings.DefaultLocale)
		ci := categoryItem{Name: name, Description: desc, URL: escapePath(q.categoryPath(lang, cat)),
			Count: countText(lang, len(arts)), Lang: other(nameLang, lang)}
		for _, p := range arts[:min(len(arts), 3)] {
			ci.Top = append(ci.Top, q.item(p, lang))
		}
		c.Categories = append(c.Categories, ci)
	}
	// The most read articles, once readers have read some.
	for _, p := range site.Suggest("", lang, 5) {
		if p.Views > 0 {
			c.Popular = append(c.Popular, q.item(p, lang))
		}
	}
	for _, p := range site.Articles(0, lang) {
		if !listed[p.CategoryID] {
			c.Other = append(c.Other, q.item(p, lang))
		}
	}
	v.Content = c
	return s.write(w, r, http.StatusOK, "home", v)
}

// category lists a category's articles.
func (s *Server) category(w http.ResponseWriter, r *http.Request, q *request) error {
	lang := r.PathValue("locale")
	id, ok := refID(r.PathValue("ref"))
	cat := q.site.Category(id)
	if !ok || cat == nil || !slices.Contains(q.site.Settings.Locales, lang) {
		return sahay.NotFound("category")
	}
	self := q.categoryPath(lang, cat)
	if r.PathValue("ref") != self[strings.LastIndex(self, "/")+1:] {
		return redirect(w, r, self)
	}
	arts := q.site.Articles(cat.ID, lang)
	if len(arts) == 0 {
		return sahay.NotFound("category")
	}
	name, _ := localized(cat.Names, lang, q.site.Settings.DefaultLocale)
	desc, _ := localized(cat.Descriptions, lang, q.site.Settings.DefaultLocale)
	v := q.newView(lang)
	v.Title, v.Description = pageTitle(name, q.site.Settings.Title), desc
	if v.Description == "" {
		v.Description = name
	}
	v.Canonical = q.absolute(self)
	for _, l := range q.site.Settings.Locales {
		v.Alternates = append(v.Alternates, alternate{Lang: l, URL: q.absolute(q.categoryPath(l, cat))})
	}
	v.XDefault = q.absolute(q.categoryPath(q.site.Settings.DefaultLocale, cat))
	v.Languages = q.languages(lang, func(l string) string { return q.categoryPath(l, cat) })
	v.Crumbs = append(v.Crumbs, link{Name: name})
	c := categoryContent{Name: name, Description: desc}
	for _, p := range arts {
		c.Articles = append(c.Articles, q.item(p, lang))
	}
	v.Content = c
	return s.write(w, r, http.StatusOK, "category", v)
}

// article shows an article in the locale asked for, else in its fallback
// with a note; a wrong or missing slug redirects to the article's
// address.
func (s *Server) article(w http.ResponseWriter, r *http.Request, q *request) error {
	lang := r.PathValue("locale")
	id, ok := refID(r.PathValue("ref"))
	if !ok {
		return sahay.NotFound("article")
	}
	published := q.site.Locales(id)
	if !slices.Contains(q.site.Settings.Locales, lang) && !slices.Contains(published, lang) {
		return sahay.NotFound("article")
	}
	p, fallback := q.site.Page(id, lang, false)
	if p == nil {
		return sahay.NotFound("article")
	}
	self := core.ArticlePath(q.base, lang, id, p.Title)
	if r.PathValue("ref") != self[strings.LastIndex(self, "/")+1:] {
		return redirect(w, r, self)
	}
	site := q.site
	v := q.newView(lang)
	v.Title, v.Description, v.OGType = pageTitle(p.Title, site.Settings.Title), core.Description(p), "article"
	// A fallback's canonical address is the translation it shows.
	v.Canonical = q.absolute(core.ArticlePath(q.base, p.Locale, id, p.Title))
	for _, l := range published {
		t, _ := site.Page(id, l, false)
		if t == nil {
			continue
		}
		u := core.ArticlePath(q.base, l, id, t.Title)
		v.Alternates = append(v.Alternates, alternate{Lang: l, URL: q.absolute(u)})
		v.Languages = append(v.Languages, languageLink{Code: l, Name: languageName(l), URL: escapePath(u), Current: l == lang})
	}
	if len(v.Alternates) > 0 {
		v.XDefault = v.Alternates[0].URL
		for _, a := range v.Alternates {
			if a.Lang == site.Settings.DefaultLocale {
				v.XDefault = a.URL
			}
		}
	}
	if cat := site.Category(p.CategoryID); cat != nil {
		name, _ := localized(cat.Names, lang, site.Settings.DefaultLocale)
		v.Crumbs = append(v.Crumbs, link{Name: name, URL: escapePath(q.categoryPath(lang, cat))})
	}
	v.Crumbs = append(v.Crumbs, link{Name: p.Title})
	c := articleContent{
		Title: p.Title, Lang: p.Locale,
		// The store keeps the body as kb.Render made it: sanitized.
		HTML:     template.HTML(p.HTML),
		Updated:  strings.Replace(text(lang, "updated"), "%s", date(lang, p.PublishedAt.In(site.Location())), 1),
		Feedback: escapePath(fmt.Sprintf("%s/%s/articles/%d/feedback", q.base, p.Locale, id)),
		Thanks:   r.URL.Query().Get("feedback") == "thanks",
	}
	if fallback {
		c.Fallback = fmt.Sprintf(text(lang, "fallback"), languageName(lang), languageName(p.Locale))
	}
	if p.CategoryID != 0 {
		for _, o := range site.Articles(p.CategoryID, lang) {
			if o.ArticleID != id && len(c.Related) < 5 {
				c.Related = append(c.Related, q.item(o, lang))
			}
		}
	}
	v.Content = c
	if r.Method == http.MethodGet && !robot(r.UserAgent()) {
		s.svc.CountKBView(site, id, p.Locale)
	}
	return s.write(w, r, http.StatusOK, "article", v)
}

// search shows the articles that match ?q=, best first.
func (s *Server) search(w http.ResponseWriter, r *http.Request, q *request) error {
	query := r.URL.Query().Get("q")
	lang := q.site.Locale(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	w.Header().Add("Vary", "Accept-Language")
	v := q.newView(lang)
	v.NoIndex = true
	v.Query = query
	v.Title = pageTitle(text(lang, "search_title"), q.site.Settings.Title)
	v.Crumbs = append(v.Crumbs, link{Name: text(lang, "search_title")})
	v.Languages = q.languages(lang, func(l string) string { return q.base + "/search" })
	for i := range v.Languages {
		v.Languages[i].URL += "?" + url.Values{"q": {query}, "lang": {v.Languages[i].Code}}.Encode()
	}
	c := searchContent{Query: query}
	status := http.StatusOK
	switch {
	case !utf8.ValidString(query) || utf8.RuneCountInString(query) > maxQueryRunes:
		v.Query, c.Query = "", ""
		c.Message = text(lang, "query_too_long")
		status = http.StatusBadRequest
		v.Languages = nil
	case strings.TrimSpace(query) == "":
		c.Message = text(lang, "search_prompt")
	default:
		c.Heading = fmt.Sprintf(text(lang, "results_for"), query)
		for _, h := range s.svc.SearchHelpCenter(q.site, query, lang, searchResults) {
			p, _ := q.site.Page(h.ArticleID, h.Locale, false)
			if h.Internal || p == nil {
				continue
			}
			res := result{item: item{Title: h.Title, URL: escapePath(core.ArticlePath(q.base, h.Locale, h.ArticleID, h.Title)),
				Lang: other(h.Locale, lang)}, Snippet: snippet(h.Snippet)}
			if cat := q.site.Category(p.CategoryID); cat != nil {
				res.Category, _ = localized(cat.Names, lang, q.site.Settings.DefaultLocale)
			}
			c.Results = append(c.Results, res)
		}
		if len(c.Results) == 0 {
			c.Message = fmt.Sprintf(text(lang, "no_results"), query)
		}
	}
	v.Content = c
	w.Header().Set("Cache-Control", "private, no-cache")
	return s.write(w, r, status, "search", v)
}

// notFound is the help center's 404 page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, q *request) error {
	return sahay.NotFound("page")
}

// snippet marks a search snippet as HTML: kb escapes its text and adds
// only <mark> and </mark>. Anything else in it is escaped again.
func snippet(s string) template.HTML {
	bare := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
	if strings.ContainsAny(bare, "<>") {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(s)
}

// refID reads the id of "{id}-{slug}" (or "{id}").
func refID(ref string) (int64, bool) {
	digits, _, _ := strings.Cut(ref, "-")
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil && id > 0 && digits[0] != '+'
}

// redirect sends the reader to an article's or category's address, with
// the query kept.
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	target := escapePath(path)
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", target)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusMovedPermanently)
	return nil
}

// escapePath percent-encodes a path made of titles' slugs.
func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// item is an article in a list of a page in lang.
func (q *request) item(p *store.KBPage, lang string) item {
	return item{Title: p.Title, URL: escapePath(core.ArticlePath(q.base, lang, p.ArticleID, p.Title)),
		Description: core.Description(p), Lang: other(p.Locale, lang)}
}

// categoryPath is a category's address in lang.
func (q *request) categoryPath(lang string, c *store.KBCategory) string {
	name, _ := localized(c.Names, lang, q.site.Settings.DefaultLocale)
	return fmt.Sprintf("%s/%s/categories/%d-%s", q.base, lang, c.ID, kb.Slug(name))
}

// languages is the language switch of a page that exists in every
// locale of the help center.
func (q *request) languages(current string, path func(l string) string) []languageLink {
	var out []languageLink
	for _, l := range q.site.Settings.Locales {
		out = append(out, languageLink{Code: l, Name: languageName(l), URL: escapePath(path(l)), Current: l == current})
	}
	return out
}

// homeAlternates are the homes in every locale, and the negotiating
// home as x-default.
func (q *request) homeAlternates() ([]alternate, string) {
	var out []alternate
	for _, l := range q.site.Settings.Locales {
		out = append(out, alternate{Lang: l, URL: q.absolute(q.base + "/" + l)})
	}
	return out, q.absolute(q.base)
}

// localized picks a name in lang, else in the default locale, else in
// the first locale that has one; it returns that locale too.
func localized(m map[string]string, lang, def string) (string, string) {
	if v := m[lang]; v != "" {
		return v, lang
	}
	if v := m[def]; v != "" {
		return v, def
	}
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return "", lang
	}
	return m[keys[0]], keys[0]
}

// other is l when it is not the page's language, else "".
func other(l, page string) string {
	if l == page {
		return ""
	}
	return l
}

// robot tells crawlers and link previews, whose visits are not readers'.
func robot(ua string) bool {
	ua = strings.ToLower(ua)
	for _, w := range []string{"bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "curl", "wget"} {
		if strings.Contains(ua, w) {
			return true
		}
	}
	return ua == ""
}
