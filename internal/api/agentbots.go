package api

import (
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// botRoutes are what an agent bot's token may call: read its inbox's
// conversations, answer them and hand them to a person. Every other route
// is refused, so the token of a bot an administrator made can never act as
// that administrator.
var botRoutes = map[string]bool{
	"GET /api/v1/conversations":                true,
	"GET /api/v1/conversations/{id}":           true,
	"GET /api/v1/conversations/{id}/messages":  true,
	"POST /api/v1/conversations/{id}/messages": true,
	"POST /api/v1/conversations/{id}/typing":   true,
	"POST /api/v1/conversations/{id}/handoff":  true,
	"PUT /api/v1/conversations/{id}/labels":    true,
	"GET /api/v1/contacts/{id}":                true,
	"GET /api/v1/attachments/{id}":             true,
}

// allowBot refuses an agent bot's token on the routes it may not call.
func allowBot(r *http.Request, a *core.Actor) error {
	if a.IsBot() && !botRoutes[r.Pattern] {
		return sahay.Errorf(sahay.EFORBIDDEN, "an agent bot's token may only read and answer its inbox's conversations and hand them off")
	}
	return nil
}

func (s *Server) getAgentBot(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.svc.AgentBot(r.Context(), a, id)
	return one(w, http.StatusOK, b, err)
}

func (s *Server) setAgentBot(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return withID(w, r, func(id int64, in core.AgentBotInput) (any, error) { return s.svc.SetAgentBot(r.Context(), a, id, in) })
}

func (s *Server) deleteAgentBot(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return remove(w, r, func(id int64) error { return s.svc.DeleteAgentBot(r.Context(), a, id) })
}

// AgentBotToken is the answer of making an agent bot's token: the token,
// shown this once.
type AgentBotToken struct {
	Token    string          `json:"token"`
	APIToken *sahay.APIToken `json:"api_token"`
}

func (s *Server) createAgentBotToken(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	token, tok, err := s.svc.CreateAgentBotToken(r.Context(), a, id)
	return one(w, http.StatusCreated, AgentBotToken{Token: token, APIToken: tok}, err)
}
