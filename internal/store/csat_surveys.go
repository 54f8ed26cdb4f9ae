package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// Survey statuses: a survey is queued when its conversation is resolved,
// then sent, or skipped with a reason.
const (
	SurveyQueued  = "queued"
	SurveySent    = "sent"
	SurveySkipped = "skipped"
)

// Survey is the satisfaction survey of one conversation.
type Survey struct {
	ConversationID int64      `json:"conversation_id"`
	AccountID      int64      `json:"account_id"`
	InboxID        int64      `json:"inbox_id"`
	Status         string     `json:"status"`
	Reason         string     `json:"reason"`
	MessageID      int64      `json:"message_id"`
	Language       string     `json:"language"`
	AnsweredAt     *time.Time `json:"answered_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// ClaimSurvey records a queued survey of a conversation unless it has one
// already, and reports whether it recorded it: a conversation is surveyed
// once. A survey skipped only because the channel's messaging window had
// closed (reason retryReason) is queued again.
func (t *Tx) ClaimSurvey(ctx context.Context, accountID, inboxID, conversationID int64, retryReason string) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO csat_surveys (conversation_id, account_id, inbox_id, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (conversation_id) DO UPDATE SET status = $4, reason = '', updated_at = $5
		WHERE csat_surveys.status = $6 AND csat_surveys.reason = $7`,
		conversationID, accountID, inboxID, SurveyQueued, ms(t.now), SurveySkipped, retryReason)
	if err != nil {
		return false, fmt.Errorf("store: claim survey: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetSurveyStatus records what became of a survey.
func (t *Tx) SetSurveyStatus(ctx context.Context, accountID, conversationID int64, status, reason, language string, messageID int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE csat_surveys SET status = $1, reason = $2, language = $3, message_id = $4, updated_at = $5
		WHERE conversation_id = $6 AND account_id = $7`, status, reason, language, messageID, ms(t.now), conversationID, accountID)
	if err != nil {
		return fmt.Errorf("store: survey status: %w", err)
	}
	return nil
}

// SetSurveyAnswered records when a survey was first answered.
func (t *Tx) SetSurveyAnswered(ctx context.Context, accountID, conversationID int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE csat_surveys SET answered_at = $1, updated_at = $1
		WHERE conversation_id = $2 AND account_id = $3 AND answered_at = 0`, ms(t.now), conversationID, accountID)
	if err != nil {
		return fmt.Errorf("store: survey answered: %w", err)
	}
	return nil
}

const surveyColumns = `conversation_id, account_id, inbox_id, status, reason, message_id, language, answered_at, created_at`

func scanSurvey(row interface{ Scan(...any) error }) (*Survey, error) {
	var s Survey
	var answered, created int64
	if err := row.Scan(&s.ConversationID, &s.AccountID, &s.InboxID, &s.Status, &s.Reason, &s.MessageID, &s.Language, &answered, &created); err != nil {
		return nil, err
	}
	if answered != 0 {
		at := fromMS(answered)
		s.AnsweredAt = &at
	}
	s.CreatedAt = fromMS(created)
	return &s, nil
}

// Survey returns the survey of a conversation.
func (s *Store) Survey(ctx context.Context, accountID, conversationID int64) (*Survey, error) {
	v, err := scanSurvey(s.read.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys WHERE conversation_id = $1 AND account_id = $2`,
		conversationID, accountID))
	return v, notFound(err, "survey")
}

// TxSurvey returns the survey of a conversation, read in the transaction.
func (t *Tx) Survey(ctx context.Context, accountID, conversationID int64) (*Survey, error) {
	v, err := scanSurvey(t.tx.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys WHERE conversation_id = $1 AND account_id = $2`,
		conversationID, accountID))
	return v, notFound(err, "survey")
}

// AccountCSAT returns an account's ratings given in [from, to), newest
// first, at most limit of them.
func (s *Store) AccountCSAT(ctx context.Context, accountID int64, from, to time.Time, limit int) ([]*sahay.CSAT, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+csatColumns+` FROM widget_csat WHERE account_id = $1 AND created_at >= $2 AND created_at < $3
		ORDER BY created_at DESC LIMIT $4`, accountID, ms(from), ms(to), limit)
	if err != nil {
		return nil, fmt.Errorf("store: csat: %w", err)
	}
	defer rows.Close()
	out := []*sahay.CSAT{}
	for rows.Next() {
		c, err := scanCSAT(rows)
		if err != nil {
			return nil, fmt.Errorf("store: csat: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TxConversationCSAT returns the rating of a conversation, read in the
// transaction.
func (t *Tx) ConversationCSAT(ctx context.Context, accountID, conversationID int64) (*sahay.CSAT, error) {
	c, err := scanCSAT(t.tx.QueryRowContext(ctx, `SELECT `+csatColumns+` FROM widget_csat WHERE conversation_id = $1 AND account_id = $2`,
		conversationID, accountID))
	return c, notFound(err, "rating")
}

// InboxSurvey reports whether an inbox sends a survey on resolve.
func (s *Store) InboxSurvey(ctx context.Context, accountID, inboxID int64) (bool, error) {
	var on bool
	err := s.read.QueryRowContext(ctx, `SELECT survey_on_resolve FROM csat_inbox_settings WHERE inbox_id = $1 AND account_id = $2`,
		inboxID, accountID).Scan(&on)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: inbox survey: %w", err)
	}
	return on, nil
}

// SetInboxSurvey turns an inbox's survey on resolve on or off.
func (t *Tx) SetInboxSurvey(ctx context.Context, accountID, inboxID int64, on bool) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO csat_inbox_settings (inbox_id, account_id, survey_on_resolve, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (inbox_id) DO UPDATE SET survey_on_resolve = $3, updated_at = $4`, inboxID, accountID, on, ms(t.now))
	if err != nil {
		return fmt.Errorf("store: set inbox survey: %w", err)
	}
	return nil
}
