package helpcenter

import (
	"net/http"
	"slices"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// maxFeedbackForm bounds the feedback form's body: two short fields.
const maxFeedbackForm = 1 << 10

// answer counts a reader's answer to "was this helpful?" (form field
// helpful=yes|no) for the article's translation in the path, and sends
// them back to the article with a thank-you: a plain form post, no
// script needed. The app's cross-origin protection refuses posts from
// other sites' pages.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFeedbackForm)
	if err := r.ParseForm(); err != nil {
		return sahay.BadRequest("the form could not be read")
	}
	var helpful bool
	switch r.PostForm.Get("helpful") {
	case "yes":
		helpful = true
	case "no":
	default:
		return sahay.BadRequest("helpful: yes or no")
	}
	locale := r.PathValue("locale")
	p, fallback := q.site.Page(id, locale, false)
	if p == nil || fallback {
		return sahay.NotFound("article")
	}
	if err := s.svc.KBFeedback(q.site, id, locale, helpful); err != nil {
		return err
	}
	// Back to the page the reader answered on, which may show this
	// translation as another language's fallback.
	back := locale
	if l := r.PostForm.Get("lang"); slices.Contains(q.site.Settings.Locales, l) {
		back = l
	}
	w.Header().Set("Location", escapePath(core.ArticlePath(q.base, back, id, p.Title))+"?feedback=thanks#feedback")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
	return nil
}
