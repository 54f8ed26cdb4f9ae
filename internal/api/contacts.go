package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	before, err := httpx.QueryInt(r, "before")
	if err != nil {
		return err
	}
	contacts, err := s.svc.Contacts(r.Context(), a, r.URL.Query().Get("q"), before, 25)
	return items(w, contacts, err)
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.ContactInput) (any, error) { return s.svc.CreateContact(r.Context(), a, in) })
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Contact(r.Context(), a, id)
	return one(w, http.StatusOK, c, err)
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.ContactInput) (any, error) { return s.svc.UpdateContact(r.Context(), a, id, in) })
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteContact(r.Context(), a, id) })
}

func (s *Server) mergeContacts(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	type merge struct {
		OtherID int64 `json:"other_id"`
	}
	return withID(w, r, func(id int64, in merge) (any, error) { return s.svc.MergeContacts(r.Context(), a, id, in.OtherID) })
}

func (s *Server) contactConversations(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.svc.ContactConversations(r.Context(), a, id)
	return items(w, list, err)
}
