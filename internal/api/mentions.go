package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// mentionQuery reads the Mentions view's filters from the query string.
func mentionQuery(r *http.Request) (core.MentionQuery, error) {
	q := r.URL.Query()
	mq := core.MentionQuery{Channel: q.Get("channel"), Sentiment: q.Get("sentiment"), Cursor: q.Get("cursor")}
	var err error
	if mq.KeywordID, err = httpx.QueryInt(r, "keyword"); err != nil {
		return mq, err
	}
	limit, err := httpx.QueryInt(r, "limit")
	mq.Limit = int(limit)
	return mq, err
}

func (s *Server) listMentions(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	mq, err := mentionQuery(r)
	if err != nil {
		return err
	}
	list, next, err := s.svc.Mentions(r.Context(), a, mq)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"items": list, "next_cursor": next})
}

func (s *Server) mentionTrend(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	mq, err := mentionQuery(r)
	if err != nil {
		return err
	}
	days, err := httpx.QueryInt(r, "days")
	if err != nil {
		return err
	}
	if days == 0 {
		days = 14
	}
	t, err := s.svc.MentionTrend(r.Context(), a, mq, int(days))
	return one(w, http.StatusOK, t, err)
}

func (s *Server) listKeywords(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	list, err := s.svc.MentionKeywords(r.Context(), a)
	return items(w, list, err)
}

func (s *Server) createKeyword(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.KeywordInput) (any, error) { return s.svc.SaveMentionKeyword(r.Context(), a, 0, in) })
}

func (s *Server) updateKeyword(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.KeywordInput) (any, error) {
		return s.svc.SaveMentionKeyword(r.Context(), a, id, in)
	})
}

func (s *Server) deleteKeyword(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteMentionKeyword(r.Context(), a, id) })
}
