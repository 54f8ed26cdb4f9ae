package widget

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// Help articles in the widget: before a visitor starts a chat, the widget
// suggests the help center's articles for the page they are on, searches
// them, and shows one inside the chat window. Only what the public help
// center shows is answered: published translations of public articles of
// an account whose help center is on.

const (
	// kbSuggestions is how many articles the widget suggests.
	kbSuggestions = 5
	// kbSearchHits is how many search results the widget lists.
	kbSearchHits = 8
	// maxKBQueryChars bounds a search's text.
	maxKBQueryChars = 200
	// maxPageURLBytes bounds the page address suggestions are asked for.
	maxPageURLBytes = 2048
)

// localeParam is a language tag a widget names ("bn", "zh-CN").
var localeParam = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$`)

// kbSuggestion is an article the widget suggests.
type kbSuggestion struct {
	ArticleID   int64  `json:"article_id"`
	Locale      string `json:"locale"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// kbHit is a search result as a visitor sees it.
type kbHit struct {
	ArticleID int64   `json:"article_id"`
	Locale    string  `json:"locale"`
	Title     string  `json:"title"`
	Snippet   string  `json:"snippet"`
	URL       string  `json:"url"`
	Score     float64 `json:"score"`
}

// kbArticle is an article shown in the widget.
type kbArticle struct {
	ArticleID int64  `json:"article_id"`
	Locale    string `json:"locale"`
	Title     string `json:"title"`
	HTML      string `json:"html"`
	URL       string `json:"url"`
}

// kbFeedback is a visitor's answer to "was this helpful?".
type kbFeedback struct {
	Helpful *bool  `json:"helpful"`
	Locale  string `json:"locale"`
}

// helpCenter returns the visitor's account's help center and the locale
// to read it in, from the request's locale parameter and the browser's
// languages.
func (s *Server) helpCenter(r *http.Request, v *visitor) (*core.KBSite, string, error) {
	asked := r.URL.Query().Get("locale")
	if asked != "" && !localeParam.MatchString(asked) {
		return nil, "", sahay.Invalid("locale: %q is not a language tag like en, bn or hi", asked)
	}
	site, err := s.svc.HelpCenterOf(r.Context(), v.inbox.AccountID)
	if err != nil {
		return nil, "", err
	}
	primary, _, _ := strings.Cut(strings.ToLower(asked), "-")
	return site, site.Locale(primary, r.Header.Get("Accept-Language")), nil
}

// articleURL is an article's address on the help center: on its own
// domain when it has one (its canonical address, always https), else
// absolute when the server knows its public URL, else a path on this
// server, which the widget completes with the address it loaded from.
func (s *Server) articleURL(site *core.KBSite, locale string, id int64, title string) string {
	if site.Settings.Domain != "" {
		return core.ArticlePath("https://"+site.Settings.Domain, locale, id, title)
	}
	return s.cfg.PublicURL + core.ArticlePath(core.HelpCenterPath(site.Slug), locale, id, title)
}

// handleKBSuggest answers GET /widget/v1/kb/suggest?url=&locale=: the
// articles for the visitor's page, else the most viewed. Enabled is false
// when the help center is off or has nothing public to read, and the
// widget then shows no help section at all.
func (s *Server) handleKBSuggest(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	page := r.URL.Query().Get("url")
	if len(page) > maxPageURLBytes || !utf8.ValidString(page) {
		return sahay.Invalid("url: at most %d bytes of UTF-8", maxPageURLBytes)
	}
	out := struct {
		Items   []kbSuggestion `json:"items"`
		Enabled bool           `json:"enabled"`
	}{Items: []kbSuggestion{}}
	site, locale, err := s.helpCenter(r, v)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return httpx.OK(w, out)
	}
	if err != nil {
		return err
	}
	for _, p := range site.Suggest(page, locale, kbSuggestions) {
		out.Items = append(out.Items, kbSuggestion{ArticleID: p.ArticleID, Locale: p.Locale, Title: p.Title, Description: core.Description(p)})
	}
	out.Enabled = len(out.Items) > 0
	return httpx.OK(w, out)
}

// handleKBSearch answers GET /widget/v1/kb/search?q=&locale= with the
// public articles that match, best first.
func (s *Server) handleKBSearch(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > maxKBQueryChars {
		return sahay.Invalid("q: at most %d characters", maxKBQueryChars)
	}
	site, locale, err := s.helpCenter(r, v)
	if err != nil {
		return err
	}
	out := []kbHit{}
	if q != "" {
		for _, h := range s.svc.SearchHelpCenterTyped(site, v.subject, q, locale, kbSearchHits) {
			if h.Internal {
				continue
			}
			out = append(out, kbHit{ArticleID: h.ArticleID, Locale: h.Locale, Title: h.Title, Snippet: h.Snippet,
				URL: s.articleURL(site, h.Locale, h.ArticleID, h.Title), Score: h.Score})
		}
	}
	return httpx.OK(w, map[string]any{"items": out})
}

// handleKBArticle answers GET /widget/v1/kb/articles/{id}?locale= with a
// public article's published translation (in the help center's fallback
// locale when it has none in the one asked for), and counts the view.
func (s *Server) handleKBArticle(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	site, locale, err := s.helpCenter(r, v)
	if err != nil {
		return err
	}
	p, _ := site.Page(id, locale, false)
	if p == nil {
		return sahay.NotFound("article")
	}
	s.svc.CountKBView(site, p.ArticleID, p.Locale)
	return httpx.OK(w, kbArticle{ArticleID: p.ArticleID, Locale: p.Locale, Title: p.Title, HTML: p.HTML,
		URL: s.articleURL(site, p.Locale, p.ArticleID, p.Title)})
}

// handleKBFeedback answers POST /widget/v1/kb/articles/{id}/feedback
// {"helpful":true,"locale":"bn"}: the locale is the translation the
// visitor read. Each visitor's first answer about an article counts.
func (s *Server) handleKBFeedback(w http.ResponseWriter, r *http.Request) error {
	v, err := s.visitor(r)
	if err != nil {
		return err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var req kbFeedback
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	if req.Helpful == nil {
		return sahay.Invalid("helpful: true or false is required")
	}
	if !localeParam.MatchString(req.Locale) {
		return sahay.Invalid("locale: %q is not a language tag like en, bn or hi", req.Locale)
	}
	site, err := s.svc.HelpCenterOf(r.Context(), v.inbox.AccountID)
	if err != nil {
		return err
	}
	p, _ := site.Page(id, req.Locale, false)
	if p == nil {
		return sahay.NotFound("article")
	}
	if p.Locale != req.Locale {
		return sahay.Invalid("locale: the article is not published in %q", req.Locale)
	}
	// A visitor's second answer about an article is taken and not
	// counted: the first one stands.
	if ok, _ := s.limits.kbAnswers.Take(strconv.FormatInt(v.inbox.ID, 10) + "\x00" + v.subject + "\x00" + strconv.FormatInt(id, 10)); !ok {
		return httpx.NoContent(w)
	}
	if err := s.svc.KBFeedback(site, id, req.Locale, *req.Helpful); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
