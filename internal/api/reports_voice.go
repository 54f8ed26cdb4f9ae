package api

import (
	"net/http"
	"strconv"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
)

// voiceQuery reads the period and filters of the sentiment trend and the
// voice of the customer from the query string: a report's, and language.
func voiceQuery(r *http.Request) (core.VoiceQuery, error) {
	q, err := reportQuery(r)
	return core.VoiceQuery{From: q.From, To: q.To, InboxID: q.InboxID, TeamID: q.TeamID, AgentID: q.AgentID, Channel: q.Channel,
		Label: q.Label, BusinessHours: q.BusinessHours, Language: r.URL.Query().Get("language")}, err
}

// reportSentiment answers the sentiment trend, as JSON or CSV.
func (s *Server) reportSentiment(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := voiceQuery(r)
	if err != nil {
		return err
	}
	trend, err := s.svc.SentimentTrend(r.Context(), a, q)
	if err != nil {
		return err
	}
	if !wantsCSV(r) {
		return one(w, http.StatusOK, trend, nil)
	}
	rows := [][]string{{"day", "positive", "neutral", "negative"}}
	for _, d := range trend.Days {
		rows = append(rows, []string{d.Day, strconv.Itoa(d.Positive), strconv.Itoa(d.Neutral), strconv.Itoa(d.Negative)})
	}
	return writeReportCSV(w, "sentiment", trend.From, trend.To, rows)
}

// reportTopics answers the voice of the customer, as JSON or as a CSV of
// its three lists, one row per label or term.
func (s *Server) reportTopics(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := voiceQuery(r)
	if err != nil {
		return err
	}
	topics, err := s.svc.Topics(r.Context(), a, q)
	if err != nil {
		return err
	}
	if !wantsCSV(r) {
		return one(w, http.StatusOK, topics, nil)
	}
	rows := [][]string{{"list", "kind", "name", "language", "count", "previous", "change"}}
	add := func(list, kind string, t core.TopicCount) {
		rows = append(rows, []string{list, kind, csvCell(t.Name + t.Term), t.Language, strconv.Itoa(t.Count), strconv.Itoa(t.Previous),
			strconv.FormatFloat(t.Change, 'f', 4, 64)})
	}
	for _, t := range topics.Labels {
		add("labels", "label", t)
	}
	for _, t := range topics.Terms {
		add("terms", "term", t)
	}
	for _, t := range topics.Rising {
		add("rising", t.Kind, t)
	}
	return writeReportCSV(w, "topics", topics.From, topics.To, rows)
}

// topicConversationList is the answer of /reports/topics/conversations.
type topicConversationList struct {
	Conversations []store.TopicConversation `json:"conversations"`
}

// reportTopicConversations lists the conversations behind a term or a
// label, as JSON or CSV.
func (s *Server) reportTopicConversations(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q, err := voiceQuery(r)
	if err != nil {
		return err
	}
	term := r.URL.Query().Get("term")
	if term == "" && q.Label == "" {
		return sahay.Invalid("term or label is required")
	}
	list, err := s.svc.TopicConversations(r.Context(), a, q, term)
	if err != nil {
		return err
	}
	if !wantsCSV(r) {
		return one(w, http.StatusOK, topicConversationList{Conversations: list}, nil)
	}
	rows := [][]string{{"id", "display_id", "contact_name", "snippet", "created_at"}}
	for _, v := range list {
		rows = append(rows, []string{strconv.FormatInt(v.ID, 10), strconv.FormatInt(v.DisplayID, 10), csvCell(v.ContactName), csvCell(v.Snippet),
			v.CreatedAt.Format(time.RFC3339)})
	}
	return writeReportCSV(w, "topic-conversations", q.From, q.To, rows)
}

// reportLive answers the live view.
func (s *Server) reportLive(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	v, err := s.svc.LiveView(r.Context(), a)
	return one(w, http.StatusOK, v, err)
}
