package widget

import (
	"fmt"
	"html"
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
)

// AgentHandler is an agent-facing handler; the API authenticates the agent
// and passes their actor.
type AgentHandler func(w http.ResponseWriter, r *http.Request, a *core.Actor) error

// AgentHandlers returns the agent-facing routes of the widget, by ServeMux
// pattern, for the API to mount behind its authentication:
//
//	GET  /api/v1/inboxes/{id}/widget                      embed snippet and settings
//	GET  /api/v1/inboxes/{id}/visitors                    visitors on the site now
//	POST /api/v1/inboxes/{id}/visitors/{visitor}/chat     start a chat with one {"content"}
//	GET  /api/v1/inboxes/{id}/campaigns                   campaigns with shown and replied counts
//	GET  /api/v1/inboxes/{id}/csat                        ratings and satisfaction score
func (s *Server) AgentHandlers() map[string]AgentHandler {
	return map[string]AgentHandler{
		"GET /api/v1/inboxes/{id}/widget":                   s.agentEmbed,
		"GET /api/v1/inboxes/{id}/visitors":                 s.agentVisitors,
		"POST /api/v1/inboxes/{id}/visitors/{visitor}/chat": s.agentStartChat,
		"GET /api/v1/inboxes/{id}/campaigns":                s.agentCampaigns,
		"GET /api/v1/inboxes/{id}/csat":                     s.agentCSAT,
	}
}

// agentInbox returns a widget inbox the agent may see.
func (s *Server) agentInbox(r *http.Request, a *core.Actor) (*widgetInbox, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	if _, err := s.svc.Inbox(r.Context(), a, id); err != nil {
		return nil, err
	}
	in, err := s.cache.get(r.Context(), a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	return in, nil
}

// Embed is how to put an inbox's widget on a site.
type Embed struct {
	WebsiteToken string   `json:"website_token"`
	Snippet      string   `json:"snippet"`
	PreviewURL   string   `json:"preview_url"`
	Settings     Settings `json:"settings"`
}

func (s *Server) agentEmbed(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	in, err := s.agentInbox(r, a)
	if err != nil {
		return err
	}
	base := s.publicURL(r)
	return httpx.OK(w, Embed{
		WebsiteToken: in.settings.WebsiteToken,
		Snippet:      fmt.Sprintf(`<script src="%s/widget.js" data-inbox="%s" async></script>`, html.EscapeString(base), in.settings.WebsiteToken),
		PreviewURL:   base + "/widget/preview?inbox=" + in.settings.WebsiteToken,
		Settings:     in.settings,
	})
}

func (s *Server) agentVisitors(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	in, err := s.agentInbox(r, a)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"visitors": s.hub.liveVisitors(in.ID)})
}

// StartChatRequest is an agent's first message to a visitor.
type StartChatRequest struct {
	Content string `json:"content"`
}

func (s *Server) agentStartChat(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	in, err := s.agentInbox(r, a)
	if err != nil {
		return err
	}
	subject := r.PathValue("visitor")
	if !validSubject(subject) {
		return sahay.NotFound("visitor")
	}
	var req StartChatRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		return err
	}
	conv, m, err := s.svc.StartConversation(r.Context(), a, in.ID, subject, req.Content)
	if err != nil {
		return err
	}
	return httpx.OK(w, map[string]any{"conversation": conv, "message": m})
}

// CampaignReport is a campaign with how it did.
type CampaignReport struct {
	Campaign
	Shown   int64 `json:"shown"`
	Replied int64 `json:"replied"`
}

func (s *Server) agentCampaigns(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	in, err := s.agentInbox(r, a)
	if err != nil {
		return err
	}
	stats, err := s.svc.CampaignStats(r.Context(), a, in.ID)
	if err != nil {
		return err
	}
	byID := map[string]sahay.CampaignStat{}
	for _, st := range stats {
		byID[st.CampaignID] = st
	}
	out := []CampaignReport{}
	for _, c := range in.settings.Campaigns {
		st := byID[c.ID]
		out = append(out, CampaignReport{Campaign: c, Shown: st.Shown, Replied: st.Replied})
	}
	return httpx.OK(w, map[string]any{"campaigns": out})
}

func (s *Server) agentCSAT(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	in, err := s.agentInbox(r, a)
	if err != nil {
		return err
	}
	report, err := s.svc.InboxRatings(r.Context(), a, in.ID)
	if err != nil {
		return err
	}
	return httpx.OK(w, report)
}
