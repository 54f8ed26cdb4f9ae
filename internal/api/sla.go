package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listSLAPolicies(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	list, err := s.svc.SLAPolicies(r.Context(), a)
	return items(w, list, err)
}

func (s *Server) createSLAPolicy(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.SLAPolicyInput) (any, error) {
		return s.svc.SaveSLAPolicy(r.Context(), a, 0, in)
	})
}

func (s *Server) getSLAPolicy(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.SLAPolicy(r.Context(), a, id)
	return one(w, http.StatusOK, p, err)
}

func (s *Server) updateSLAPolicy(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.SLAPolicyInput) (any, error) {
		return s.svc.SaveSLAPolicy(r.Context(), a, id, in)
	})
}

func (s *Server) deleteSLAPolicy(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteSLAPolicy(r.Context(), a, id) })
}

// conversationSLA answers a conversation's SLA clock; null when no policy
// applies to it.
func (s *Server) conversationSLA(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.ConversationSLA(r.Context(), a, id)
	return one(w, http.StatusOK, c, err)
}
