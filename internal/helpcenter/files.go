package helpcenter

import (
	"mime"
	"net/http"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// file serves an article's image. Its address holds an unguessable token
// and never changes, so it is cached for a year; it is served as the
// image type core checked at upload, never sniffed, and with a policy
// under which nothing in it can run. On a help center's own domain only
// that account's images are served.
func (s *Server) file(w http.ResponseWriter, r *http.Request, q *request) error {
	f, body, err := s.svc.OpenKBFile(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	defer body.Close()
	if f.Name != r.PathValue("name") || (q.site != nil && f.AccountID != q.site.AccountID) {
		return sahay.NotFound("file")
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": f.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'none'; sandbox")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+f.Token+`"`)
	http.ServeContent(w, r, "", time.Time{}, body)
	return nil
}
