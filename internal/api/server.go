// Package api serves Sahay's REST API under /api/v1 and the agents'
// realtime WebSocket. Every route is listed in routes.go; handlers decode
// input, call the core service (which checks authorization) and encode its
// answer.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/realtime"
)

// SessionCookie names the dashboard's session cookie.
const SessionCookie = "sahay_session"

// Server is the API.
type Server struct {
	svc            *core.Service
	log            *slog.Logger
	hub            *realtime.Hub
	secure         bool
	trustedProxies int
	signUps        *ratelimit.Limiter
	webhooks       *ratelimit.Limiter
	fileLinks      *ratelimit.Limiter
	aiCalls        *ratelimit.Limiter
	analyses       *ratelimit.Limiter
	surveys        *ratelimit.Limiter
}

// Config configures the API.
type Config struct {
	Service *core.Service
	Log     *slog.Logger
	// SecureCookies marks the session cookie Secure (behind HTTPS).
	SecureCookies bool
	// TrustedProxies is how many reverse proxies append the client's
	// address to X-Forwarded-For (see [httpx.ClientAddr]).
	TrustedProxies int
}

// limitKeys bounds the keys (client addresses, inboxes) each of the
// server's rate limits remembers: beyond it the one heard from longest ago
// is forgotten, so a flood of distinct keys cannot grow the memory without
// bound.
const limitKeys = 100_000

// New returns the API server.
func New(cfg Config) *Server {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	return &Server{svc: cfg.Service, log: log, hub: realtime.NewHub(cfg.Service, log), secure: cfg.SecureCookies,
		trustedProxies: cfg.TrustedProxies, signUps: ratelimit.New(signUpRate, limitKeys), webhooks: ratelimit.New(webhookRate, limitKeys),
		fileLinks: ratelimit.New(fileLinkRate, limitKeys), aiCalls: ratelimit.New(aiRate, limitKeys),
		analyses: ratelimit.New(analyzeRate, limitKeys), surveys: ratelimit.New(surveyRate, limitKeys)}
}

// Hub returns the realtime hub, for shutdown.
func (s *Server) Hub() *realtime.Hub { return s.hub }

// authedFunc is a handler that needs a signed-in user.
type authedFunc func(w http.ResponseWriter, r *http.Request, a *core.Actor) error

// Register adds every API route to mux.
func (s *Server) Register(mux httpx.Mux) {
	for _, rt := range s.routes() {
		pattern := rt.Method + " " + rt.Path
		if rt.Public != nil {
			mux.Handle(pattern, httpx.Handle(s.log, rt.Public))
			continue
		}
		mux.Handle(pattern, s.authed(rt.Authed))
	}
	mux.Handle("/api/", httpx.Handle(s.log, func(w http.ResponseWriter, r *http.Request) error {
		return sahay.Errorf(sahay.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path)
	}))
}

// authed serves h to signed-in users.
func (s *Server) authed(h authedFunc) http.Handler {
	return httpx.Handle(s.log, func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.authenticate(r)
		if err != nil {
			return err
		}
		if err := allowBot(r, a); err != nil {
			return err
		}
		return h(w, r, a)
	})
}

// ChannelMux returns mux as channel adapters register their routes on it
// (see [channel.Router]): their authenticated routes go behind the API's
// authentication. Mount them before [Server.Register], whose catch-all
// answers every other /api/ path.
func (s *Server) ChannelMux(mux httpx.Mux) channel.Mux[*core.Actor] {
	return channelMux{Mux: mux, s: s}
}

type channelMux struct {
	httpx.Mux
	s *Server
}

func (m channelMux) HandleAuthed(pattern string, h func(http.ResponseWriter, *http.Request, *core.Actor) error) {
	m.Handle(pattern, m.s.authed(h))
}

// authenticate finds the user of a request: a bearer API token, or the
// dashboard's session cookie.
func (s *Server) authenticate(r *http.Request) (*core.Actor, error) {
	ctx := r.Context()
	var user *sahay.User
	var err error
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return nil, sahay.Errorf(sahay.EUNAUTHORIZED, "Authorization must be \"Bearer <token>\"")
		}
		user, err = s.svc.TokenUser(ctx, token)
	} else if c, cerr := r.Cookie(SessionCookie); cerr == nil && c.Value != "" {
		user, err = s.svc.SessionUser(ctx, c.Value)
	} else {
		return nil, sahay.Errorf(sahay.EUNAUTHORIZED, "sign in or send an API token")
	}
	if err != nil {
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			return nil, sahay.Errorf(sahay.EUNAUTHORIZED, "invalid credentials")
		}
		return nil, err
	}
	return s.svc.Actor(ctx, user)
}

func (s *Server) setSession(w http.ResponseWriter, token string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(ttl.Seconds()),
	})
}

// Close stops the realtime hub.
func (s *Server) Close(ctx context.Context) { s.hub.Close() }
