package core

import (
	"context"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// What only the website chat has: its visitors' identity, their visits, the
// inbox named by a script tag's token, and proactive campaigns. Everything
// else the widget does for a visitor is a channel-neutral feature of core
// (customer.go, typing.go, csat.go, orders.go).

// WidgetIdentity names a website visitor's contact: the identity namespace
// "inbox:<id>" of the widget inbox and the visitor's subject.
func WidgetIdentity(inboxID int64) string { return identityNamespace(&sahay.Inbox{ID: inboxID}, "") }

// placeholderName is what a contact is called until they give a name: their
// identifier (a phone number, an email address), or, for an anonymous
// website visitor whose identifier is random ("v:7f3a…"), "Visitor 7F3A",
// which agents can read and tell apart.
func placeholderName(externalID string) string {
	if id, ok := strings.CutPrefix(externalID, "v:"); ok && len(id) >= 4 {
		return "Visitor " + strings.ToUpper(id[:4])
	}
	return externalID
}

// IsPlaceholderName reports whether name is one a real name may replace.
func IsPlaceholderName(name, externalID string) bool {
	return name == "" || name == externalID || name == placeholderName(externalID)
}

// WidgetInboxByToken returns the widget inbox whose public website token a
// script tag names, without its secrets.
func (s *Service) WidgetInboxByToken(ctx context.Context, token string) (*sahay.Inbox, error) {
	return s.store.WidgetInboxByToken(ctx, token)
}

// TouchWidgetVisitor records that a website visitor is on the site now and
// returns how many visits they have made: a visitor seen less recently than
// newVisitAfter starts a new one.
func (s *Service) TouchWidgetVisitor(ctx context.Context, inbox *sahay.Inbox, subject string, newVisitAfter time.Duration) (int64, error) {
	if subject == "" {
		return 0, sahay.Invalid("visitor is required")
	}
	if err := checkIdentifier("visitor", subject); err != nil {
		return 0, err
	}
	var visits int64
	err := s.write(ctx, func(tx *store.Tx) error {
		v, err := tx.TouchWidgetVisitor(ctx, inbox.AccountID, inbox.ID, subject, newVisitAfter)
		if err != nil {
			return err
		}
		visits = v.Visits
		return nil
	})
	return visits, err
}

// CountCampaign adds to how often a proactive campaign of the inbox was
// shown and how many conversations it opened. The counts are the
// campaign report's, not state that clients follow: no event.
func (s *Service) CountCampaign(ctx context.Context, inbox *sahay.Inbox, campaignID string, shown, replied int64) error {
	if campaignID == "" || len(campaignID) > 100 {
		return sahay.Invalid("campaign id must be 1 to 100 bytes")
	}
	if shown < 0 || replied < 0 || shown+replied == 0 {
		return sahay.Invalid("a campaign count adds shown or replied, never takes away")
	}
	return s.write(ctx, func(tx *store.Tx) error {
		return tx.CountCampaign(ctx, inbox.ID, campaignID, shown, replied)
	})
}

// CampaignStats returns the counts of the campaigns of an inbox the actor
// may see.
func (s *Service) CampaignStats(ctx context.Context, a *Actor, inboxID int64) ([]sahay.CampaignStat, error) {
	if _, err := s.Inbox(ctx, a, inboxID); err != nil {
		return nil, err
	}
	return s.store.CampaignStats(ctx, inboxID)
}
