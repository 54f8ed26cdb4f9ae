package core

import (
	"context"

	sahay "github.com/sahayhq/sahay"
)

// HoursFor returns an inbox's effective business hours: its own when it
// has enabled ones (the "business_hours" setting of a widget or phone
// inbox), else the account's, in the account's time zone. Hours that are
// not enabled mean the team is always in.
func (s *Service) HoursFor(ctx context.Context, accountID, inboxID int64) (sahay.BusinessHours, error) {
	inbox, err := s.store.Inbox(ctx, accountID, inboxID)
	if err != nil {
		return sahay.BusinessHours{}, err
	}
	return s.EffectiveHours(ctx, accountID, ownHours(inbox))
}

// EffectiveHours returns own when they are enabled, else the account's
// business hours: for a caller that has read an inbox's own hours from
// its settings already.
func (s *Service) EffectiveHours(ctx context.Context, accountID int64, own sahay.BusinessHours) (sahay.BusinessHours, error) {
	if own.Enabled {
		return own, nil
	}
	acc, err := s.store.Account(ctx, accountID)
	if err != nil {
		return sahay.BusinessHours{}, err
	}
	return acc.BusinessHours, nil
}

// ownHours are the hours an inbox's settings hold when enabled, else
// none.
func ownHours(inbox *sahay.Inbox) sahay.BusinessHours {
	if h := inboxHours(inbox); h != nil {
		return *h
	}
	return sahay.BusinessHours{}
}

// accountHours are an inbox's own enabled hours, else the account's when
// enabled, else nil: for a caller that has the account at hand.
func accountHours(inbox *sahay.Inbox, account *sahay.Account) *sahay.BusinessHours {
	if h := inboxHours(inbox); h != nil {
		return h
	}
	if account.BusinessHours.Enabled {
		return &account.BusinessHours
	}
	return nil
}
