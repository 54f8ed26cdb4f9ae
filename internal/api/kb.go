package api

import (
	"net/http"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// The knowledge base's API: articles, their translations, categories,
// the help center's settings, search, images and the readers' report.
// The public help center's pages are internal/helpcenter's.

func (s *Server) listKBArticles(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q := r.URL.Query()
	f := core.KBArticleFilter{Locale: q.Get("locale"), Status: q.Get("status"), Internal: q.Get("internal")}
	if v := q.Get("category_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return sahay.Invalid("category_id: %q is not an id", v)
		}
		f.CategoryID = id
	}
	list, err := s.svc.KBArticles(r.Context(), a, f)
	return items(w, list, err)
}

func (s *Server) createKBArticle(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.ArticleInput) (any, error) { return s.svc.CreateKBArticle(r.Context(), a, in) })
}

func (s *Server) getKBArticle(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	art, err := s.svc.KBArticle(r.Context(), a, id)
	return one(w, http.StatusOK, art, err)
}

func (s *Server) updateKBArticle(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.ArticleInput) (any, error) {
		return s.svc.UpdateKBArticle(r.Context(), a, id, in)
	})
}

func (s *Server) deleteKBArticle(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteKBArticle(r.Context(), a, id) })
}

func (s *Server) saveKBTranslation(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.TranslationInput) (any, error) {
		return s.svc.SaveKBTranslation(r.Context(), a, id, r.PathValue("locale"), in)
	})
}

func (s *Server) deleteKBTranslation(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteKBTranslation(r.Context(), a, id, r.PathValue("locale")) })
}

func (s *Server) listKBCategories(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	list, err := s.svc.KBCategories(r.Context(), a)
	return items(w, list, err)
}

func (s *Server) createKBCategory(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.CategoryInput) (any, error) { return s.svc.SaveKBCategory(r.Context(), a, 0, in) })
}

func (s *Server) updateKBCategory(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.CategoryInput) (any, error) {
		return s.svc.SaveKBCategory(r.Context(), a, id, in)
	})
}

func (s *Server) deleteKBCategory(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteKBCategory(r.Context(), a, id) })
}

func (s *Server) searchKB(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return sahay.Invalid("limit: %q is not a number from 1 to 50", v)
		}
		limit = n
	}
	hits, err := s.svc.SearchKB(r.Context(), a, q.Get("q"), q.Get("locale"), limit)
	return items(w, hits, err)
}

func (s *Server) previewKB(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	html, err := s.svc.KBPreview(r.Context(), a, in.Body)
	return one(w, http.StatusOK, map[string]string{"html": html}, err)
}

// uploadKBFile stores an image for articles: one "file" part.
func (s *Server) uploadKBFile(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return sahay.BadRequest("send the image as multipart/form-data in a part named file")
	}
	var files []core.Upload
	err := readMultipart(w, r, &files, func(string, []byte) error { return nil })
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return sahay.Invalid("send one image in a part named file")
	}
	url, markdown, err := s.svc.KBUpload(r.Context(), a, files[0].FileName, files[0].ContentType, files[0].Body)
	return one(w, http.StatusCreated, map[string]string{"url": url, "markdown": markdown}, err)
}

func (s *Server) getKBSettings(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	st, err := s.svc.KBSettings(r.Context(), a)
	return one(w, http.StatusOK, st, err)
}

func (s *Server) setKBSettings(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.KBSettingsInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	st, err := s.svc.SaveKBSettings(r.Context(), a, in)
	return one(w, http.StatusOK, st, err)
}

func (s *Server) kbReport(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	rep, err := s.svc.KBReport(r.Context(), a, r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	return one(w, http.StatusOK, rep, err)
}

func (s *Server) listKBVersions(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.svc.KBVersions(r.Context(), a, id, r.URL.Query().Get("locale"))
	return items(w, list, err)
}

func (s *Server) restoreKBVersion(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	version, err := httpx.PathID(r, "version")
	if err != nil {
		return err
	}
	art, err := s.svc.RestoreKBVersion(r.Context(), a, id, version)
	return one(w, http.StatusOK, art, err)
}
