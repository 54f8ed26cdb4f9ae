package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/survey"
)

// SurveyAnswerWindow is how long after a survey's first answer the
// customer may change it; later answers are refused.
const SurveyAnswerWindow = 30 * time.Minute

const jobCSATSurvey = "csat_survey"

type surveyPayload struct {
	ConversationID int64 `json:"conversation_id"`
}

// SurveySetting is whether an inbox sends the customer a satisfaction
// survey when their conversation is resolved. It is off until an admin
// turns it on. The website widget asks for its rating in the chat
// instead (its "csat" widget setting) and is never sent a survey link.
type SurveySetting struct {
	SurveyOnResolve bool `json:"survey_on_resolve"`
}

// InboxSurvey returns an inbox's survey setting.
func (s *Service) InboxSurvey(ctx context.Context, a *Actor, inboxID int64) (*SurveySetting, error) {
	if _, err := s.Inbox(ctx, a, inboxID); err != nil {
		return nil, err
	}
	on, err := s.store.InboxSurvey(ctx, a.AccountID(), inboxID)
	return &SurveySetting{SurveyOnResolve: on}, err
}

// SetInboxSurvey turns an inbox's survey on resolve on or off (admins).
func (s *Service) SetInboxSurvey(ctx context.Context, a *Actor, inboxID int64, in SurveySetting) (*SurveySetting, error) {
	if err := s.administerInbox(ctx, a, inboxID); err != nil {
		return nil, err
	}
	inbox, err := s.store.Inbox(ctx, a.AccountID(), inboxID)
	if err != nil {
		return nil, err
	}
	if in.SurveyOnResolve && inbox.Channel == "widget" {
		return nil, sahay.Invalid("survey_on_resolve: the website widget asks for its rating in the chat (its csat setting)")
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetInboxSurvey(ctx, a.AccountID(), inboxID, in.SurveyOnResolve); err != nil {
			return err
		}
		return audit(ctx, tx, a, "inbox.survey", "inbox", inboxID, in)
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// queueSurvey queues the survey of a conversation being resolved in tx,
// once per conversation: a reopen and a second resolve send nothing more,
// unless the first survey was skipped because the messaging window had
// closed (the customer wrote again since, so the next resolve may send
// it).
func (s *Service) queueSurvey(ctx context.Context, tx *store.Tx, c *sahay.Conversation) error {
	on, err := s.store.InboxSurvey(ctx, c.AccountID, c.InboxID)
	if err != nil || !on {
		return err
	}
	claimed, err := tx.ClaimSurvey(ctx, c.AccountID, c.InboxID, c.ID, sahay.EWINDOW)
	if err != nil || !claimed {
		return err
	}
	payload, _ := json.Marshal(surveyPayload{ConversationID: c.ID})
	_, err = tx.EnqueueJob(ctx, c.AccountID, jobCSATSurvey, string(payload), tx.Now())
	return err
}

// surveyKey is the key survey links are signed with: made once and kept
// in the database, so every node signs and checks alike.
func (s *Service) surveyKey(ctx context.Context) ([]byte, error) {
	v, err := s.store.ServerSetting(ctx, "csat_survey_key", func() (string, error) {
		b := make([]byte, 32)
		rand.Read(b)
		return hex.EncodeToString(b), nil
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// SurveyLink returns the signed link of a conversation's survey, valid for
// survey.TTL from now.
func (s *Service) SurveyLink(ctx context.Context, accountID, conversationID int64, now time.Time) (string, error) {
	key, err := s.surveyKey(ctx)
	if err != nil {
		return "", err
	}
	token := survey.Sign(key, survey.Token{AccountID: accountID, ConversationID: conversationID, Expires: now.Add(survey.TTL)})
	return strings.TrimRight(s.publicURL, "/") + "/survey/" + token, nil
}

// runSurvey is the survey job: it checks the conversation may still be
// written to on its channel and adds the survey's message, in the
// customer's language, sent like any reply. What it skips is recorded
// with the reason.
func (s *Service) runSurvey(ctx context.Context, job *store.Job) error {
	var p surveyPayload
	if err := json.Unmarshal([]byte(job.Payload), &p); err != nil {
		return channel.Permanent(fmt.Errorf("bad payload: %w", err))
	}
	c, err := s.store.Conversation(ctx, job.AccountID, p.ConversationID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	inbox, err := s.store.Inbox(ctx, c.AccountID, c.InboxID)
	if err != nil {
		return err
	}
	lang := survey.Lang(c.Language)
	skip := func(reason string) error {
		s.log.Info("csat survey skipped", "conversation", c.ID, "reason", reason)
		return s.write(ctx, func(tx *store.Tx) error {
			return tx.SetSurveyStatus(ctx, c.AccountID, c.ID, store.SurveySkipped, reason, lang, 0)
		})
	}
	if c.Status != sahay.StatusResolved {
		return skip("reopened")
	}
	now := time.Now()
	link, err := s.SurveyLink(ctx, c.AccountID, c.ID, now)
	if err != nil {
		return err
	}
	content := fmt.Sprintf(survey.Text(lang, "message"), link)
	details, err := s.replyDetails(ctx, inbox, c, nil, &content, now)
	if sahay.ErrorCode(err) == sahay.EWINDOW {
		return skip(sahay.EWINDOW)
	}
	if err != nil {
		return err
	}
	if details == nil {
		details = &sahay.MessageDetails{}
	}
	details.Survey = true
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, c.AccountID); err != nil {
			return err
		}
		sv, err := tx.Survey(ctx, c.AccountID, c.ID)
		if err != nil {
			return err
		}
		if sv.Status != store.SurveyQueued {
			return nil // a retried job whose first run got this far
		}
		msg := &sahay.Message{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID, Kind: sahay.MessageOutgoing,
			SenderType: sahay.SenderSystem, Content: content, Status: sahay.DeliveryPending, Details: details, Public: c.Public}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		payload, _ := json.Marshal(sendPayload{MessageID: msg.ID})
		if _, err := tx.EnqueueJob(ctx, c.AccountID, jobSendMessage, string(payload), tx.Now()); err != nil {
			return err
		}
		if err := tx.SetSurveyStatus(ctx, c.AccountID, c.ID, store.SurveySent, "", lang, msg.ID); err != nil {
			return err
		}
		return tx.Emit(ctx, c.AccountID, c.InboxID, c.ID, sahay.MessageCreated{Message: msg})
	})
	if err == nil {
		s.jobs.Wake()
	}
	return err
}

// surveyFailed records a survey whose job gave up.
func (s *Service) surveyFailed(ctx context.Context, job *store.Job, cause error) {
	var p surveyPayload
	if json.Unmarshal([]byte(job.Payload), &p) != nil {
		return
	}
	err := s.write(ctx, func(tx *store.Tx) error {
		return tx.SetSurveyStatus(ctx, job.AccountID, p.ConversationID, store.SurveySkipped, "failed: "+failureText(cause), "", 0)
	})
	if err != nil {
		s.log.Error("mark survey failed", "conversation", p.ConversationID, "err", err)
	}
}

// SurveyView is what the survey page shows of a link.
type SurveyView struct {
	Language string
	// Rating is the customer's answer, nil before they gave one;
	// Changeable says they may still change it.
	Rating     *sahay.CSAT
	Changeable bool
}

// Survey errors the page tells apart.
var (
	ErrSurveyInvalid  = sahay.Errorf(sahay.ENOTFOUND, "this survey link is not valid")
	ErrSurveyExpired  = sahay.Errorf("expired", "this survey link has expired")
	ErrSurveyAnswered = sahay.Errorf(sahay.ECONFLICT, "this survey has been answered already")
)

// openSurvey checks a link's token and finds its conversation.
func (s *Service) openSurvey(ctx context.Context, token string, now time.Time) (*sahay.Conversation, error) {
	key, err := s.surveyKey(ctx)
	if err != nil {
		return nil, err
	}
	t, err := survey.Verify(key, token, now)
	switch {
	case errors.Is(err, survey.ErrExpired):
		return nil, ErrSurveyExpired
	case err != nil:
		return nil, ErrSurveyInvalid
	}
	c, err := s.store.Conversation(ctx, t.AccountID, t.ConversationID)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		return nil, ErrSurveyInvalid
	}
	return c, err
}

// OpenSurvey returns what a survey link's page shows: the language of
// its conversation and the rating given so far.
func (s *Service) OpenSurvey(ctx context.Context, token string) (*SurveyView, error) {
	c, err := s.openSurvey(ctx, token, time.Now())
	if err != nil {
		return nil, err
	}
	v := &SurveyView{Language: survey.Lang(c.Language)}
	switch r, err := s.store.ConversationCSAT(ctx, c.AccountID, c.ID); {
	case err == nil:
		v.Rating, v.Changeable = r, time.Since(r.CreatedAt) < SurveyAnswerWindow
	case sahay.ErrorCode(err) != sahay.ENOTFOUND:
		return nil, err
	}
	return v, nil
}

// AnswerSurvey stores a customer's 1 to 5 rating from a survey link,
// where the widget keeps its ratings, adds a line to the timeline and
// emits the rating and the conversation's update. A second answer within
// SurveyAnswerWindow of the first replaces it; a later one is refused.
func (s *Service) AnswerSurvey(ctx context.Context, token string, rating int, comment string) (*sahay.CSAT, error) {
	c, err := s.openSurvey(ctx, token, time.Now())
	if err != nil {
		return nil, err
	}
	if rating < 1 || rating > 5 {
		return nil, sahay.Invalid("rating must be 1 to 5")
	}
	if len([]rune(comment)) > survey.MaxComment {
		return nil, sahay.Invalid("comment: at most %d characters", survey.MaxComment)
	}
	if comment, err = CleanText("comment", comment, 4*survey.MaxComment); err != nil {
		return nil, err
	}
	var out *sahay.CSAT
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, c.AccountID); err != nil {
			return err
		}
		cur, err := tx.Conversation(ctx, c.AccountID, c.ID)
		if err != nil {
			return err
		}
		switch prev, err := tx.ConversationCSAT(ctx, c.AccountID, c.ID); {
		case err == nil && tx.Now().Sub(prev.CreatedAt) >= SurveyAnswerWindow:
			return ErrSurveyAnswered
		case err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND:
			return err
		}
		out = &sahay.CSAT{ConversationID: cur.ID, AccountID: cur.AccountID, InboxID: cur.InboxID, ContactID: cur.ContactID,
			AssigneeID: cur.AssigneeID, Rating: rating, Comment: comment}
		if err := tx.SaveCSAT(ctx, out); err != nil {
			return err
		}
		if err := tx.SetSurveyAnswered(ctx, cur.AccountID, cur.ID); err != nil {
			return err
		}
		if err := s.activity(ctx, tx, cur, 0, fmt.Sprintf("csat:%d", rating)); err != nil {
			return err
		}
		if err := tx.Emit(ctx, cur.AccountID, cur.InboxID, cur.ID, sahay.CSATCreated{CSAT: out}); err != nil {
			return err
		}
		return tx.Emit(ctx, cur.AccountID, cur.InboxID, cur.ID, sahay.ConversationUpdated{Conversation: cur})
	})
	return out, err
}

// maxCSATListed bounds the ratings GET /api/v1/csat returns.
const maxCSATListed = 1000

// ListCSAT returns the account's ratings given in [from, to), newest
// first, of the inboxes the actor may see.
func (s *Service) ListCSAT(ctx context.Context, a *Actor, from, to time.Time) ([]*sahay.CSAT, error) {
	if !to.After(from) {
		return nil, sahay.Invalid("to must be after from")
	}
	list, err := s.store.AccountCSAT(ctx, a.AccountID(), from, to, maxCSATListed)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, c := range list {
		if a.CanSeeInbox(c.InboxID) {
			out = append(out, c)
		}
	}
	return out, nil
}

// ConversationSatisfaction is a conversation's rating and survey.
type ConversationSatisfaction struct {
	Rating *sahay.CSAT   `json:"rating"`
	Survey *store.Survey `json:"survey"`
}

// ConversationSatisfaction returns the customer's rating of a
// conversation the actor may see and what became of its survey; either
// is null when there is none.
func (s *Service) ConversationSatisfaction(ctx context.Context, a *Actor, conversationID int64) (*ConversationSatisfaction, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	out := &ConversationSatisfaction{}
	if out.Rating, err = s.store.ConversationCSAT(ctx, c.AccountID, c.ID); err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
		return nil, err
	}
	if out.Survey, err = s.store.Survey(ctx, c.AccountID, c.ID); err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
		return nil, err
	}
	return out, nil
}
