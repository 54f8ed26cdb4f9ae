package core

import (
	"context"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// RateConversation stores a customer's 1 to 5 rating of a resolved
// conversation of theirs in the inbox, replacing an earlier rating, and
// commits a [sahay.EventCSATCreated] event. The channel has authenticated the
// customer as contactID; a conversation of another contact or inbox is
// not_found.
func (s *Service) RateConversation(ctx context.Context, inbox *sahay.Inbox, conversationID, contactID int64, rating int, comment string) (*sahay.CSAT, error) {
	if rating < 1 || rating > 5 {
		return nil, sahay.Invalid("rating must be 1 to 5")
	}
	comment, err := CleanText("comment", comment, 2000)
	if err != nil {
		return nil, err
	}
	var out *sahay.CSAT
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, inbox.AccountID); err != nil {
			return err
		}
		c, err := tx.Conversation(ctx, inbox.AccountID, conversationID)
		if err != nil {
			return err
		}
		if c.ContactID != contactID || c.InboxID != inbox.ID {
			return sahay.NotFound("conversation")
		}
		if c.Status != sahay.StatusResolved {
			return sahay.Errorf(sahay.ECONFLICT, "only a resolved conversation can be rated")
		}
		out = &sahay.CSAT{ConversationID: c.ID, AccountID: inbox.AccountID, InboxID: c.InboxID, ContactID: contactID,
			AssigneeID: c.AssigneeID, Rating: rating, Comment: comment}
		if err := tx.SaveCSAT(ctx, out); err != nil {
			return err
		}
		return tx.Emit(ctx, inbox.AccountID, c.InboxID, c.ID, sahay.CSATCreated{CSAT: out})
	})
	return out, err
}

// ConversationRating returns the customer's rating of a conversation, for
// the channel that shows the customer their conversation; not_found if
// they gave none.
func (s *Service) ConversationRating(ctx context.Context, c *sahay.Conversation) (*sahay.CSAT, error) {
	return s.store.ConversationCSAT(ctx, c.AccountID, c.ID)
}

// maxRatingsReported is how many of an inbox's latest ratings a report
// counts.
const maxRatingsReported = 500

// CSATReport is an inbox's latest ratings and the share of them that are
// satisfied (4 or 5).
type CSATReport struct {
	Responses    []*sahay.CSAT `json:"responses"`
	Count        int           `json:"count"`
	Satisfaction float64       `json:"satisfaction"`
}

// InboxRatings reports the latest ratings of an inbox the actor may see.
func (s *Service) InboxRatings(ctx context.Context, a *Actor, inboxID int64) (*CSATReport, error) {
	if _, err := s.Inbox(ctx, a, inboxID); err != nil {
		return nil, err
	}
	list, err := s.store.InboxCSAT(ctx, a.AccountID(), inboxID, maxRatingsReported)
	if err != nil {
		return nil, err
	}
	r := &CSATReport{Responses: list, Count: len(list)}
	satisfied := 0
	for _, c := range list {
		if c.Rating >= 4 {
			satisfied++
		}
	}
	if len(list) > 0 {
		r.Satisfaction = float64(satisfied) / float64(len(list))
	}
	return r, nil
}
