package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listMacros(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	list, err := s.svc.Macros(r.Context(), a)
	return items(w, list, err)
}

func (s *Server) createMacro(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.MacroInput) (any, error) {
		return s.svc.SaveMacro(r.Context(), a, 0, in)
	})
}

func (s *Server) getMacro(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.Macro(r.Context(), a, id)
	return one(w, http.StatusOK, m, err)
}

func (s *Server) updateMacro(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.MacroInput) (any, error) {
		return s.svc.SaveMacro(r.Context(), a, id, in)
	})
}

func (s *Server) deleteMacro(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteMacro(r.Context(), a, id) })
}

// runMacro runs a macro on a conversation; the answer is the conversation
// as the macro left it.
func (s *Server) runMacro(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	macroID, err := httpx.PathID(r, "macro_id")
	if err != nil {
		return err
	}
	c, err := s.svc.RunMacro(r.Context(), a, id, macroID)
	return one(w, http.StatusOK, c, err)
}
