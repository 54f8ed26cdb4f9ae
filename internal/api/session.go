package api

import (
	"net/http"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Email == "" || in.Password == "" {
		return sahay.Invalid("email and password are required")
	}
	token, user, err := s.svc.Login(r.Context(), in.Email, in.Password, httpx.ClientAddr(r, s.trustedProxies))
	if err != nil {
		return err
	}
	s.setSession(w, token, core.SessionTTL)
	return httpx.OK(w, map[string]any{"user": user})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.svc.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.setSession(w, "", -time.Second)
	return httpx.NoContent(w)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	account, err := s.svc.Account(r.Context(), a)
	if err != nil {
		return err
	}
	inboxes, err := s.svc.Inboxes(r.Context(), a)
	if err != nil {
		return err
	}
	ids := []int64{}
	for _, in := range inboxes {
		ids = append(ids, in.ID)
	}
	u := *a.User
	u.Connected = s.svc.AgentConnectedNow(u.ID)
	return httpx.OK(w, map[string]any{"user": &u, "account": account, "slug": account.Slug, "inbox_ids": ids, "team_ids": a.Teams(),
		"email_available": s.svc.EmailAvailable()})
}

func (s *Server) updateMe(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.UserInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Role != nil {
		return sahay.Invalid("role cannot be changed here")
	}
	u, err := s.svc.UpdateUser(r.Context(), a, a.User.ID, in)
	if err != nil {
		return err
	}
	return httpx.OK(w, u)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.ChangePassword(r.Context(), a, in.Current, in.New); err != nil {
		return err
	}
	// Changing the password ends every session, this one too: start a fresh one.
	token, _, err := s.svc.Login(r.Context(), a.User.Email, in.New, httpx.ClientAddr(r, s.trustedProxies))
	if err != nil {
		return err
	}
	s.setSession(w, token, core.SessionTTL)
	return httpx.NoContent(w)
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	tokens, err := s.svc.APITokens(r.Context(), a)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"items": tokens})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	token, t, err := s.svc.CreateAPIToken(r.Context(), a, in.Name)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, map[string]any{"token": token, "api_token": t})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeAPIToken(r.Context(), a, id); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
