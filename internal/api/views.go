package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listViews(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	views, err := s.svc.Views(r.Context(), a)
	return items(w, views, err)
}

func (s *Server) createView(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.ViewInput) (any, error) { return s.svc.CreateView(r.Context(), a, in) })
}

func (s *Server) getView(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.svc.View(r.Context(), a, id)
	return one(w, http.StatusOK, v, err)
}

func (s *Server) updateView(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.ViewInput) (any, error) { return s.svc.UpdateView(r.Context(), a, id, in) })
}

func (s *Server) deleteView(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteView(r.Context(), a, id) })
}
