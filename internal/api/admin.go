package api

import (
	"net/http"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func items[T any](w http.ResponseWriter, v []T, err error) error {
	if err != nil {
		return err
	}
	if v == nil {
		v = []T{}
	}
	return httpx.OK(w, map[string]any{"items": v})
}

func one[T any](w http.ResponseWriter, status int, v T, err error) error {
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, status, v)
}

func done(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// withID decodes a JSON body into a new In and calls fn with the path id.
func withID[In, Out any](w http.ResponseWriter, r *http.Request, fn func(id int64, in In) (Out, error)) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in In
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	out, err := fn(id, in)
	return one(w, http.StatusOK, out, err)
}

// create decodes a JSON body and answers 201 with what fn made.
func create[In, Out any](w http.ResponseWriter, r *http.Request, fn func(in In) (Out, error)) error {
	var in In
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	out, err := fn(in)
	return one(w, http.StatusCreated, out, err)
}

func remove(w http.ResponseWriter, r *http.Request, fn func(id int64) error) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	return done(w, fn(id))
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	acc, err := s.svc.Account(r.Context(), a)
	return one(w, http.StatusOK, acc, err)
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.AccountInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	acc, err := s.svc.UpdateAccount(r.Context(), a, in)
	return one(w, http.StatusOK, acc, err)
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	before, err := httpx.QueryInt(r, "before")
	if err != nil {
		return err
	}
	entries, err := s.svc.AuditLog(r.Context(), a, before, 50)
	return items(w, entries, err)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	users, err := s.svc.Users(r.Context(), a)
	return items(w, users, err)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.UserInput) (any, error) { return s.svc.CreateUser(r.Context(), a, in) })
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.UserInput) (any, error) { return s.svc.UpdateUser(r.Context(), a, id, in) })
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteUser(r.Context(), a, id) })
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	teams, err := s.svc.Teams(r.Context(), a)
	return items(w, teams, err)
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.TeamInput) (any, error) { return s.svc.SaveTeam(r.Context(), a, 0, in) })
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.TeamInput) (any, error) { return s.svc.SaveTeam(r.Context(), a, id, in) })
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteTeam(r.Context(), a, id) })
}

func (s *Server) listInboxes(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	inboxes, err := s.svc.Inboxes(r.Context(), a)
	return items(w, inboxes, err)
}

func (s *Server) createInbox(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.InboxInput) (any, error) { return s.svc.CreateInbox(r.Context(), a, in) })
}

func (s *Server) getInbox(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	inbox, err := s.svc.Inbox(r.Context(), a, id)
	return one(w, http.StatusOK, inbox, err)
}

func (s *Server) updateInbox(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.InboxInput) (any, error) { return s.svc.UpdateInbox(r.Context(), a, id, in) })
}

func (s *Server) deleteInbox(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteInbox(r.Context(), a, id) })
}

func (s *Server) inboxSecrets(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	secrets, err := s.svc.InboxSecrets(r.Context(), a, id)
	return one(w, http.StatusOK, secrets, err)
}

func (s *Server) setInboxMembers(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	type members struct {
		UserIDs []int64 `json:"user_ids"`
	}
	return withID(w, r, func(id int64, in members) (any, error) { return s.svc.SetInboxMembers(r.Context(), a, id, in.UserIDs) })
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	labels, err := s.svc.Labels(r.Context(), a)
	return items(w, labels, err)
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.LabelInput) (any, error) { return s.svc.SaveLabel(r.Context(), a, 0, in) })
}

func (s *Server) updateLabel(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.LabelInput) (any, error) { return s.svc.SaveLabel(r.Context(), a, id, in) })
}

func (s *Server) deleteLabel(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteLabel(r.Context(), a, id) })
}

func (s *Server) listCanned(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	all, err := s.svc.CannedResponses(r.Context(), a)
	return items(w, all, err)
}

func (s *Server) createCanned(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return create(w, r, func(in core.CannedInput) (any, error) { return s.svc.SaveCannedResponse(r.Context(), a, 0, in) })
}

func (s *Server) updateCanned(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.CannedInput) (any, error) {
		return s.svc.SaveCannedResponse(r.Context(), a, id, in)
	})
}

func (s *Server) deleteCanned(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteCannedResponse(r.Context(), a, id) })
}
