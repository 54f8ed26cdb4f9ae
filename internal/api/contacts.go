package api

import (
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	cq, err := contactQuery(r)
	if err != nil {
		return err
	}
	contacts, err := s.svc.ListContacts(r.Context(), a, cq)
	if err != nil {
		return err
	}
	var next int64
	if len(contacts) == cq.Limit {
		next = contacts[len(contacts)-1].ID
	}
	return httpx.OK(w, map[string]any{"items": contacts, "next_before": next})
}

// contactQuery reads the contact list's filters from the query string.
func contactQuery(r *http.Request) (core.ContactQuery, error) {
	q := r.URL.Query()
	cq := core.ContactQuery{Query: q.Get("q"), Label: q.Get("label"), Channel: q.Get("channel"), Limit: 25}
	var err error
	if cq.Before, err = httpx.QueryInt(r, "before"); err != nil {
		return cq, err
	}
	limit, err := httpx.QueryInt(r, "limit")
	if err != nil {
		return cq, err
	}
	if limit > 100 {
		return cq, sahay.Invalid("limit is at most 100")
	}
	if limit > 0 {
		cq.Limit = int(limit)
	}
	return cq, nil
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

// contactOrders lists the carts and orders reported for a contact.
func (s *Server) contactOrders(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	orders, err := s.svc.ContactOrders(r.Context(), a, id)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"orders": orders})
}
