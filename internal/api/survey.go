package api

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/survey"
)

// surveyRate limits the survey page per client address: a customer opens
// and answers it a few times; a guesser of links is slowed down.
var surveyRate = ratelimit.Rate{Burst: 20, Every: 3 * time.Second}

// maxSurveyForm bounds a posted survey form.
const maxSurveyForm = 16 << 10

// surveyPage serves a survey link: GET shows the form (or the answer
// given), POST stores the answer. Every outcome is a page in the
// customer's language; nothing is stored unless the link is genuine and
// current and the answer valid.
func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	p := survey.Page{Lang: r.URL.Query().Get("lang"), Path: "/survey/" + token}
	if !validLang(p.Lang) {
		p.Lang = ""
	}
	if err := s.surveys.Allow(ratelimit.AddressKey(httpx.ClientAddr(r, s.trustedProxies)), "survey requests from this address"); err != nil {
		p.Lang = orLang(p.Lang, "en")
		p.Error = survey.Text(p.Lang, "slow_down")
		return writeSurvey(w, http.StatusTooManyRequests, p)
	}
	view, err := s.svc.OpenSurvey(r.Context(), token)
	if err != nil {
		return s.surveyError(w, p, err)
	}
	p.Lang = orLang(p.Lang, view.Language)
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxSurveyForm)
		if err := r.ParseForm(); err != nil {
			p.Form, p.Error = true, survey.Text(p.Lang, "error")
			return writeSurvey(w, http.StatusBadRequest, p)
		}
		if l := r.PostForm.Get("lang"); validLang(l) {
			p.Lang = l
		}
		rating, _ := strconv.Atoi(r.PostForm.Get("rating"))
		p.Rating, p.Comment = rating, r.PostForm.Get("comment")
		if _, err := s.svc.AnswerSurvey(r.Context(), token, rating, p.Comment); err != nil {
			if sahay.ErrorCode(err) == sahay.EINVALID {
				p.Form, p.Error = true, survey.Text(p.Lang, "choose")
				if rating >= 1 && rating <= 5 {
					p.Error = survey.Text(p.Lang, "too_long")
				}
				return writeSurvey(w, http.StatusUnprocessableEntity, p)
			}
			return s.surveyError(w, p, err)
		}
		p.Notice = survey.Text(p.Lang, "thanks") + " " + survey.Text(p.Lang, "change")
		p.Form = true
		return writeSurvey(w, http.StatusOK, p)
	}
	switch {
	case view.Rating == nil:
		p.Form = true
	case view.Changeable:
		p.Form, p.Rating, p.Comment = true, view.Rating.Rating, view.Rating.Comment
		p.Notice = survey.Text(p.Lang, "thanks") + " " + survey.Text(p.Lang, "change")
	default:
		p.Notice = survey.Text(p.Lang, "answered")
	}
	return writeSurvey(w, http.StatusOK, p)
}

func (s *Server) surveyError(w http.ResponseWriter, p survey.Page, err error) error {
	p.Lang = orLang(p.Lang, "en")
	p.Form = false
	switch {
	case errors.Is(err, core.ErrSurveyInvalid):
		p.Error = survey.Text(p.Lang, "invalid")
		return writeSurvey(w, http.StatusNotFound, p)
	case errors.Is(err, core.ErrSurveyExpired):
		p.Error = survey.Text(p.Lang, "expired")
		return writeSurvey(w, http.StatusGone, p)
	case errors.Is(err, core.ErrSurveyAnswered):
		p.Notice = survey.Text(p.Lang, "answered")
		return writeSurvey(w, http.StatusConflict, p)
	}
	s.log.Error("survey page", "err", err)
	p.Error = survey.Text(p.Lang, "error")
	return writeSurvey(w, http.StatusInternalServerError, p)
}

func validLang(l string) bool {
	for _, v := range survey.Languages {
		if l == v {
			return true
		}
	}
	return false
}

func orLang(l, fallback string) string {
	if l != "" {
		return l
	}
	return fallback
}

func writeSurvey(w http.ResponseWriter, status int, p survey.Page) error {
	var buf bytes.Buffer
	if err := survey.Render(&buf, p); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", survey.ContentSecurityPolicy)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// csatList is GET /api/v1/csat: the ratings given in a period.
func (s *Server) listCSAT(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	now := time.Now().UTC()
	from, to := now.AddDate(0, 0, -30), now.Add(time.Second)
	var err error
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = time.Parse(time.DateOnly, v); err != nil {
			return sahay.Invalid("from: a date, YYYY-MM-DD")
		}
	}
	if v := r.URL.Query().Get("to"); v != "" {
		if to, err = time.Parse(time.DateOnly, v); err != nil {
			return sahay.Invalid("to: a date, YYYY-MM-DD")
		}
		to = to.AddDate(0, 0, 1) // to is the period's last day
	}
	list, err := s.svc.ListCSAT(r.Context(), a, from, to)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"ratings": list, "count": len(list)})
}

// conversationCSAT is GET /api/v1/conversations/{id}/csat.
func (s *Server) conversationCSAT(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := s.svc.ConversationSatisfaction(r.Context(), a, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

// getInboxSurvey is GET /api/v1/inboxes/{id}/survey.
func (s *Server) getInboxSurvey(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := s.svc.InboxSurvey(r.Context(), a, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

// setInboxSurvey is PUT /api/v1/inboxes/{id}/survey.
func (s *Server) setInboxSurvey(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in core.SurveySetting
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.svc.SetInboxSurvey(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}
