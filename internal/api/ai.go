package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// aiRate bounds the AI calls one user makes: each costs the account money
// at its provider and an agent clicks at most a few times a minute.
var aiRate = ratelimit.Rate{Burst: 10, Every: 6 * time.Second}

// allowAI spends one of the user's AI calls.
func (s *Server) allowAI(a *core.Actor) error {
	return s.aiCalls.Allow(strconv.FormatInt(a.User.ID, 10), "AI requests")
}

func (s *Server) getAI(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	out, err := s.svc.AISettings(r.Context(), a)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) setAI(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in core.AIInput
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.svc.SetAISettings(r.Context(), a, in)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) deleteAI(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return done(w, s.svc.DeleteAISettings(r.Context(), a))
}

// testAI tests the settings in the body, or the saved ones when there is
// none (or an empty object).
func (s *Server) testAI(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in *core.AIInput
	if r.ContentLength != 0 {
		in = &core.AIInput{}
		if err := httpx.Decode(w, r, in); err != nil {
			return err
		}
		if in.BaseURL == "" && in.Model == "" && in.APIKey == nil {
			in = nil
		}
	}
	if err := s.allowAI(a); err != nil {
		return err
	}
	out, err := s.svc.TestAI(r.Context(), a, in)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) suggestReplies(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.allowAI(a); err != nil {
		return err
	}
	out, err := s.svc.SuggestReplies(r.Context(), a, id)
	return one(w, http.StatusOK, out, err)
}

func (s *Server) summarize(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.allowAI(a); err != nil {
		return err
	}
	out, err := s.svc.SummarizeConversation(r.Context(), a, id)
	return one(w, http.StatusOK, out, err)
}
