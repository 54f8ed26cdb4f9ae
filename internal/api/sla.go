package api

import (
	"net/http"
	"strconv"
	"strings"

	sahay "github.com/sahayhq/sahay"

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

// slaClocks answers the SLA clocks of a list of conversations, named by
// ?ids=1,2,3.
func (s *Server) slaClocks(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var ids []int64
	for _, part := range strings.Split(r.URL.Query().Get("ids"), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return sahay.Invalid("ids is a list of conversation ids separated by commas, not %q", part)
		}
		ids = append(ids, id)
	}
	list, err := s.svc.ConversationSLAs(r.Context(), a, ids)
	return items(w, list, err)
}
