package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/nlp"
)

func (s *Server) checkTone(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.ToneInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Rephrase {
		if err := s.allowAI(a); err != nil {
			return err
		}
	}
	c, err := s.svc.CheckTone(r.Context(), a, in)
	return one(w, http.StatusOK, c, err)
}

func (s *Server) getTonePolicy(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	p, err := s.svc.TonePolicy(r.Context(), a)
	return one(w, http.StatusOK, p, err)
}

func (s *Server) setTonePolicy(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in nlp.TonePolicy
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.SetTonePolicy(r.Context(), a, in)
	return one(w, http.StatusOK, p, err)
}
