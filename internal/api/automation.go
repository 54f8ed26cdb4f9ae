package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listAutomationRules(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	list, err := s.svc.AutomationRules(r.Context(), a)
	return items(w, list, err)
}

func (s *Server) createAutomationRule(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.AutomationRuleInput) (any, error) {
		return s.svc.SaveAutomationRule(r.Context(), a, 0, in)
	})
}

func (s *Server) getAutomationRule(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.svc.AutomationRule(r.Context(), a, id)
	return one(w, http.StatusOK, rule, err)
}

func (s *Server) updateAutomationRule(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.AutomationRuleInput) (any, error) {
		return s.svc.SaveAutomationRule(r.Context(), a, id, in)
	})
}

func (s *Server) deleteAutomationRule(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteAutomationRule(r.Context(), a, id) })
}

func (s *Server) listAutomationRuns(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.svc.AutomationRuns(r.Context(), a, id)
	return items(w, list, err)
}
