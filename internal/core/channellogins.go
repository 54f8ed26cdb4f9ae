package core

import (
	"context"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/store"
)

// A channel login is an admin's sign-in to a platform to connect an inbox
// without pasting tokens ("Connect with Facebook"). The platform's
// answer, the accounts the admin may connect with their tokens, is kept
// sealed in the database for minutes, so the sign-in may return to any
// node and the dashboard's choice reach another.

// ClaimChannelLogin records that the sign-in whose state carries nonce
// returned, before the platform is asked anything: a state is used once,
// and a second return with it is a conflict. until bounds how long the
// sign-in is kept if it goes no further.
func (s *Service) ClaimChannelLogin(ctx context.Context, a *Actor, nonce, channel string, until time.Time) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	if nonce == "" {
		return sahay.Invalid("the sign-in has no nonce")
	}
	return s.write(ctx, func(tx *store.Tx) error {
		return tx.ClaimChannelLogin(ctx, &store.ChannelLogin{ID: nonce, AccountID: a.AccountID(), UserID: a.User.ID,
			Channel: channel, ExpiresAt: until})
	})
}

// CompleteChannelLogin keeps what the platform answered a claimed
// sign-in, sealed, until until, and returns the key the dashboard names
// it by.
func (s *Service) CompleteChannelLogin(ctx context.Context, a *Actor, nonce string, choices []byte, until time.Time) (string, error) {
	if err := a.requireAdmin(); err != nil {
		return "", err
	}
	sealed, err := s.box.Seal(choices)
	if err != nil {
		return "", err
	}
	key := auth.NewToken()
	err = s.write(ctx, func(tx *store.Tx) error {
		return tx.SetChannelLoginChoices(ctx, nonce, key, sealed, until)
	})
	return key, err
}

// ChannelLogin returns the channel and the choices of a completed
// sign-in, to the admin who signed in, until it expires.
func (s *Service) ChannelLogin(ctx context.Context, a *Actor, key string) (channel string, choices []byte, err error) {
	l, err := s.channelLogin(ctx, a, key)
	if err != nil {
		return "", nil, err
	}
	choices, err = s.box.Open(l.Choices)
	if err != nil {
		return "", nil, err
	}
	return l.Channel, choices, nil
}

func (s *Service) channelLogin(ctx context.Context, a *Actor, key string) (*store.ChannelLogin, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	l, err := s.store.ChannelLogin(ctx, a.AccountID(), key)
	if err != nil || l.UserID != a.User.ID || l.Choices == "" {
		return nil, sahay.NotFound("sign-in")
	}
	if !time.Now().Before(l.ExpiresAt) {
		return nil, sahay.Errorf(sahay.ENOTFOUND, "this sign-in has expired: sign in again")
	}
	return l, nil
}

// EndChannelLogin forgets a completed sign-in once its inbox is made, so
// its tokens are kept nowhere else than in the inbox.
func (s *Service) EndChannelLogin(ctx context.Context, a *Actor, key string) error {
	l, err := s.channelLogin(ctx, a, key)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		_, err := tx.DeleteChannelLogin(ctx, l.ID)
		return err
	})
}
