package core

import (
	"context"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/store"
)

// CreateAccount opens a new account with its owner, in one transaction:
// input the rules refuse creates neither.
func (s *Service) CreateAccount(ctx context.Context, name, ownerEmail, ownerName, password string) (*sahay.Account, *sahay.User, error) {
	return s.createAccount(ctx, name, ownerEmail, ownerName, password, nil)
}

// CreateAccountCLI opens a new account without users, from the command
// line; its first owner is added with [Service.CreateUserCLI].
func (s *Service) CreateAccountCLI(ctx context.Context, name string) (*sahay.Account, error) {
	name, err := cleanName("account name", name, MaxNameChars)
	if err != nil {
		return nil, err
	}
	acc := &sahay.Account{Name: name, Slug: AccountSlug(name)}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccount(ctx, acc); err != nil {
			return err
		}
		return tx.CreateDefaultSLA(ctx, acc.ID)
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}

// ErrSignUpOff is the answer to a sign-up on a server that does not allow
// it: there is nothing to sign up to.
var ErrSignUpOff = sahay.Errorf(sahay.ENOTFOUND, "sign-up is turned off on this server; ask its operator for an account")

// SignUpAllowed reports whether people may create accounts themselves.
func (s *Service) SignUpAllowed() bool { return s.allowSignUp }

// SignUp opens an account for a person who signs up, with them as its
// owner, and signs them in: it returns a session token. The server's
// operator allows it with [Config.AllowSignUp].
func (s *Service) SignUp(ctx context.Context, accountName, name, email, password string) (string, *sahay.Account, *sahay.User, error) {
	if !s.allowSignUp {
		return "", nil, nil, ErrSignUpOff
	}
	token := auth.NewToken()
	acc, u, err := s.createAccount(ctx, accountName, email, name, password, func(tx *store.Tx, u *sahay.User) error {
		return tx.CreateSession(ctx, auth.HashToken(token), u.ID, tx.Now().Add(SessionTTL))
	})
	if err != nil {
		return "", nil, nil, err
	}
	return token, acc, u, nil
}

// createAccount creates an account and its owner, and runs also in the
// same transaction.
func (s *Service) createAccount(ctx context.Context, name, ownerEmail, ownerName, password string, also func(*store.Tx, *sahay.User) error) (*sahay.Account, *sahay.User, error) {
	name, err := cleanName("account name", name, MaxNameChars)
	if err != nil {
		return nil, nil, err
	}
	n, err := checkNewUser(ctx, ownerEmail, ownerName, sahay.RoleOwner, password)
	if err != nil {
		return nil, nil, err
	}
	acc, owner := &sahay.Account{Name: name, Slug: AccountSlug(name)}, n.user
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccount(ctx, acc); err != nil {
			return err
		}
		if err := tx.CreateDefaultSLA(ctx, acc.ID); err != nil {
			return err
		}
		owner.AccountID = acc.ID
		if err := tx.CreateUser(ctx, owner, n.hash); err != nil {
			return err
		}
		if also != nil {
			return also(tx, owner)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return acc, owner, nil
}
