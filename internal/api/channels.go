package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// Limits of a platform's webhook request.
const (
	maxWebhookBody    = 1 << 20
	webhookReadWithin = 10 * time.Second
)

// webhookRate bounds the requests to one inbox's webhook on a node,
// verified or not: a platform refused for a moment delivers again later.
var webhookRate = ratelimit.Rate{Burst: 200, Every: 20 * time.Millisecond}

// webhook takes a platform's request for an inbox: the adapter verifies it,
// core journals it, and only then is it answered.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return sahay.NotFound("inbox")
	}
	if ok, wait := s.webhooks.Take(strconv.FormatInt(id, 10)); !ok {
		return sahay.RateLimited(wait, "too many requests to this inbox's webhook; try again shortly")
	}
	sub := ""
	if rest := r.PathValue("sub"); rest != "" {
		sub = "/" + rest
	}
	// A slow sender must not hold a connection for ever.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(webhookReadWithin))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return sahay.Errorf(sahay.ETOOLARGE, "the request body is over %d bytes", maxWebhookBody)
	}
	if err != nil {
		return sahay.BadRequest("the request body could not be read: %v", err)
	}
	hook, err := s.svc.Webhook(r.Context(), id, r, sub, body)
	if err != nil {
		return err
	}
	if hook.Status == 0 {
		return httpx.OK(w, struct{}{})
	}
	if hook.ContentType != "" {
		w.Header().Set("Content-Type", hook.ContentType)
	}
	w.WriteHeader(hook.Status)
	_, err = w.Write(hook.Body)
	return err
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return items(w, s.svc.ChannelDescriptions(), nil)
}

func (s *Server) testInbox(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	res, err := s.svc.TestInbox(r.Context(), a, id)
	return one(w, http.StatusOK, res, err)
}

func (s *Server) listInboxEvents(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	events, err := s.svc.InboxEvents(r.Context(), a, id, r.URL.Query().Get("state"))
	return items(w, events, err)
}

func (s *Server) retryInboxEvent(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	eid, err := httpx.PathID(r, "eid")
	if err != nil {
		return err
	}
	return done(w, s.svc.RetryInboxEvent(r.Context(), a, id, eid))
}

// fileLinkRate bounds the file links one address reads: a platform
// fetches each file of a message once, a guesser gets nowhere fast.
var fileLinkRate = ratelimit.Rate{Burst: 60, Every: time.Second}

// fileLink serves the attachment a file link names (see core's
// FileLink) to a platform that fetches it, without signing in.
func (s *Server) fileLink(w http.ResponseWriter, r *http.Request) error {
	if err := s.fileLinks.Allow(ratelimit.AddressKey(httpx.ClientAddr(r, s.trustedProxies)), "file requests from this address"); err != nil {
		return err
	}
	att, f, err := s.svc.OpenFileLink(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	httpx.ServeAttachment(w, r, att, f)
	return nil
}
