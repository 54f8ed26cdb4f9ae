package api

import (
	"context"
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) getRota(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	rota, err := s.svc.Rota(r.Context(), a)
	return one(w, http.StatusOK, rota, err)
}

func (s *Server) createShift(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.ShiftInput) (any, error) { return s.svc.CreateShift(r.Context(), a, in) })
}

func (s *Server) deleteShift(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteShift(r.Context(), a, id) })
}

func (s *Server) requestSwap(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.SwapInput) (any, error) { return s.svc.RequestSwap(r.Context(), a, in) })
}

// decideSwap answers POST /rota/swaps/{id}/accept, /decline and /cancel.
func (s *Server) decideSwap(decide func(*core.Service, context.Context, *core.Actor, int64) (*sahay.Swap, error)) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		sw, err := decide(s.svc, r.Context(), a, id)
		return one(w, http.StatusOK, sw, err)
	}
}
