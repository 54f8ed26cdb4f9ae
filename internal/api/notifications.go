package api

import (
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	before, err := httpx.QueryInt(r, "before")
	if err != nil {
		return err
	}
	list, unread, err := s.svc.Notifications(r.Context(), a, before)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"items": list, "unread": unread})
}

func (s *Server) readNotifications(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in struct {
		UpTo int64 `json:"up_to"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	return done(w, s.svc.MarkNotificationsRead(r.Context(), a, in.UpTo))
}

func (s *Server) getNotifyPrefs(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	prefs, err := s.svc.NotifyPrefs(r.Context(), a)
	return one(w, http.StatusOK, prefs, err)
}

func (s *Server) setNotifyPrefs(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in sahay.NotifyPrefs
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	prefs, err := s.svc.SetNotifyPrefs(r.Context(), a, in)
	return one(w, http.StatusOK, prefs, err)
}

func (s *Server) pushKey(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	return httpx.OK(w, map[string]string{"public_key": s.svc.PushPublicKey()})
}

// pushSubscription is the JSON a browser's PushSubscription.toJSON() gives.
type pushSubscription struct {
	Endpoint       string  `json:"endpoint"`
	ExpirationTime *string `json:"expirationTime"`
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

func (s *Server) subscribePush(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in pushSubscription
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	err := s.svc.SavePushSubscription(r.Context(), a, sahay.PushSubscription{Endpoint: in.Endpoint, P256dh: in.Keys.P256dh, Auth: in.Keys.Auth})
	return done(w, err)
}

func (s *Server) unsubscribePush(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	var in struct {
		Endpoint string `json:"endpoint"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	return done(w, s.svc.DeletePushSubscription(r.Context(), a, in.Endpoint))
}

func (s *Server) mergeConversations(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	type merge struct {
		OtherID int64 `json:"other_id"`
	}
	return withID(w, r, func(id int64, in merge) (any, error) { return s.svc.MergeConversations(r.Context(), a, id, in.OtherID) })
}
