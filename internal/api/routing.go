package api

import (
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) getInboxRouting(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := s.svc.InboxRouting(r.Context(), a, id)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) setInboxRouting(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.RoutingInput) (sahay.RoutingSettings, error) {
		return s.svc.SetInboxRouting(r.Context(), a, id, in)
	})
}

func (s *Server) getTeamRouting(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := s.svc.TeamRouting(r.Context(), a, id)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) setTeamRouting(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.RoutingInput) (sahay.RoutingSettings, error) {
		return s.svc.SetTeamRouting(r.Context(), a, id, in)
	})
}

func (s *Server) getAccountCapacity(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	out, err := s.svc.AccountCapacity(r.Context(), a)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) setAccountCapacity(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in sahay.Capacity
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.svc.SetAccountCapacity(r.Context(), a, in)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) getUserCapacity(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := s.svc.UserCapacity(r.Context(), a, id)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) setUserCapacity(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in sahay.Capacity) (sahay.Capacity, error) {
		return s.svc.SetUserCapacity(r.Context(), a, id, in)
	})
}
