package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listFAQs(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	all, err := s.svc.FAQs(r.Context(), a)
	return items(w, all, err)
}

func (s *Server) createFAQ(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.FAQInput) (any, error) { return s.svc.SaveFAQ(r.Context(), a, 0, in) })
}

func (s *Server) updateFAQ(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.FAQInput) (any, error) { return s.svc.SaveFAQ(r.Context(), a, id, in) })
}

func (s *Server) deleteFAQ(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteFAQ(r.Context(), a, id) })
}

func (s *Server) tryBot(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.BotTrial
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.svc.TryBot(r.Context(), a, in)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) getInboxBot(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.svc.BotSettings(r.Context(), a, id)
	return one(w, http.StatusOK, b, err)
}

func (s *Server) updateInboxBot(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.BotSettingsInput) (any, error) {
		return s.svc.SetBotSettings(r.Context(), a, id, in)
	})
}

// HandoffRequest is the body of POST /conversations/{id}/handoff.
type HandoffRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (s *Server) handOff(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in HandoffRequest) (any, error) {
		return s.svc.HandOff(r.Context(), a, id, in.Reason, in.Note)
	})
}
