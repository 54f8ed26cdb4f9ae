package core

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/store"
)

// SessionTTL is how long a dashboard login lasts.
const SessionTTL = 30 * 24 * time.Hour

// Login checks an email and password and starts a session; it returns the
// session token for the cookie. addr is the client's address, for the
// limit on wrong passwords per address (see [AccountFreeFailures]); a
// sign-in over a limit is refused with rate_limited before any hashing.
func (s *Service) Login(ctx context.Context, email, password, addr string) (string, *sahay.User, error) {
	bad := sahay.Errorf(sahay.EUNAUTHORIZED, "wrong email or password")
	if len(password) > auth.MaxPasswordBytes {
		return "", nil, bad
	}
	if err := s.addresses.begin(addr, time.Now()); err != nil {
		return "", nil, err
	}
	wrong := false
	defer func() { s.addresses.end(addr, time.Now(), wrong) }()
	u, hash, err := s.store.UserByEmail(ctx, email)
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		// Spend the same time as a real check, so response times do not tell
		// which emails have accounts.
		if _, err := checkPassword(ctx, dummyHash(), password); err != nil {
			return "", nil, err
		}
		wrong = true
		return "", nil, bad
	}
	if err != nil {
		return "", nil, err
	}
	failures, until, err := s.store.LoginLock(ctx, u.ID)
	if err != nil {
		return "", nil, err
	}
	if wait := time.Until(until); wait > 0 {
		return "", nil, tooMany(wait, "for this account")
	}
	ok, err := checkPassword(ctx, hash, password)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		wrong = true
		if err := s.loginFailed(ctx, u, addr); err != nil {
			return "", nil, err
		}
		return "", nil, bad
	}
	if auth.NeedsRehash(hash) {
		s.rehash(ctx, u.ID, hash, password)
	}
	token := auth.NewToken()
	err = s.write(ctx, func(tx *store.Tx) error {
		if failures > 0 {
			if err := tx.ResetLoginFailures(ctx, u.ID); err != nil {
				return err
			}
		}
		return tx.CreateSession(ctx, auth.HashToken(token), u.ID, tx.Now().Add(SessionTTL))
	})
	if err != nil {
		return "", nil, err
	}
	return token, u, nil
}

// checkPassword is [auth.CheckPassword] with its errors as the API answers
// them: a malformed stored hash matches nothing, and a server with every
// hashing slot taken asks the client to come back.
func checkPassword(ctx context.Context, hash, password string) (bool, error) {
	ok, err := auth.CheckPassword(ctx, hash, password)
	switch {
	case errors.Is(err, auth.ErrBadHash):
		return false, nil
	case err != nil:
		return false, hashError(err)
	}
	return ok, nil
}

// hashError turns [auth.ErrBusy] into a rate_limited answer.
func hashError(err error) error {
	if errors.Is(err, auth.ErrBusy) {
		return sahay.RateLimited(time.Second, "the server is busy checking passwords; try again in a moment")
	}
	return err
}

// rehash stores a hash of password with the current parameters in place of
// old, which the password has just matched. Sessions stay: nothing about the
// password changed. A failure is logged, and the next login tries again.
func (s *Service) rehash(ctx context.Context, userID int64, old, password string) {
	h, err := auth.HashPassword(ctx, password)
	if err == nil {
		err = s.write(ctx, func(tx *store.Tx) error { return tx.RehashPassword(ctx, userID, old, h) })
	}
	if err != nil {
		s.log.Warn("password rehash failed", "user", userID, "err", err)
	}
}

// dummyHash is checked against when the email is unknown. It is made on
// first use: hashing at start-up would cost every process the hash's memory
// and a pause.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword(context.Background(), "not a real password")
	return h
})

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.write(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, auth.HashToken(token)) })
}

// SessionUser returns the user of a session token.
func (s *Service) SessionUser(ctx context.Context, token string) (*sahay.User, error) {
	return s.store.SessionUser(ctx, auth.HashToken(token))
}

// TokenUser returns the user of an API token.
func (s *Service) TokenUser(ctx context.Context, token string) (*sahay.User, error) {
	return s.store.TokenUser(ctx, auth.HashToken(token))
}

// UserInput creates or changes a user.
type UserInput struct {
	Email        *string   `json:"email"`
	Name         *string   `json:"name"`
	Role         *string   `json:"role"`
	Password     *string   `json:"password"`
	Languages    *[]string `json:"languages"`
	Locale       *string   `json:"locale"`
	Availability *string   `json:"availability"`
	Phone        *string   `json:"phone"`
}

// Locales the interface is translated into.
var Locales = []string{"en", "bn", "hi"}

func applyProfile(u *sahay.User, in UserInput) error {
	if in.Name != nil {
		name, err := cleanName("name", *in.Name, MaxNameChars)
		if err != nil {
			return err
		}
		u.Name = name
	}
	if in.Languages != nil {
		if err := checkLanguages("languages", *in.Languages); err != nil {
			return err
		}
		u.Languages = *in.Languages
	}
	if in.Locale != nil {
		if !slices.Contains(Locales, *in.Locale) {
			return sahay.Invalid("locale must be one of %v", Locales)
		}
		u.Locale = *in.Locale
	}
	if in.Phone != nil {
		phone := strings.Join(strings.Fields(*in.Phone), "")
		if phone != "" && !PhonePattern.MatchString(phone) {
			return sahay.Invalid("phone must be a number with its country code, like +8801712345678, or empty")
		}
		u.Phone = phone
	}
	if in.Availability != nil {
		switch *in.Availability {
		case sahay.AvailabilityOnline, sahay.AvailabilityBusy, sahay.AvailabilityOffline:
			u.Availability = *in.Availability
		default:
			return sahay.Invalid("availability must be online, busy or offline")
		}
	}
	return nil
}

// Users lists the account's users.
func (s *Service) Users(ctx context.Context, a *Actor) ([]*sahay.User, error) {
	users, err := s.store.Users(ctx, a.AccountID())
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		u.Connected = s.AgentConnectedNow(u.ID)
	}
	return users, nil
}

// CreateUser adds a user to the actor's account. Only an owner may create
// another owner.
func (s *Service) CreateUser(ctx context.Context, a *Actor, in UserInput) (*sahay.User, error) {
	if err := a.requireAdmin(); err != nil {
		return nil, err
	}
	if in.Email == nil || in.Name == nil || in.Role == nil || in.Password == nil {
		return nil, sahay.Invalid("email, name, role and password are required")
	}
	if *in.Role == sahay.RoleOwner && a.User.Role != sahay.RoleOwner {
		return nil, sahay.Errorf(sahay.EFORBIDDEN, "only an owner may add an owner")
	}
	u := &sahay.User{AccountID: a.AccountID()}
	if err := applyProfile(u, in); err != nil {
		return nil, err
	}
	var err error
	u, err = s.createUser(ctx, a.AccountID(), *in.Email, u.Name, *in.Role, *in.Password, func(tx *store.Tx, created *sahay.User) error {
		created.Languages, created.Locale = u.Languages, u.Locale
		return audit(ctx, tx, a, "user.create", "user", created.ID, map[string]string{"email": created.Email, "role": created.Role})
	})
	return u, err
}

// CreateUserCLI adds a user from the command line, where there is no actor.
func (s *Service) CreateUserCLI(ctx context.Context, accountID int64, email, name, role, password string) (*sahay.User, error) {
	return s.createUser(ctx, accountID, email, name, role, password, nil)
}

func (s *Service) createUser(ctx context.Context, accountID int64, email, name, role, password string, also func(*store.Tx, *sahay.User) error) (*sahay.User, error) {
	n, err := checkNewUser(ctx, email, name, role, password)
	if err != nil {
		return nil, err
	}
	u := n.user
	u.AccountID = accountID
	err = s.write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Account(ctx, accountID); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, u, n.hash); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx, u); err != nil {
				return err
			}
			return tx.UpdateUser(ctx, u)
		}
		return nil
	})
	return u, err
}

// newUser is a user checked and with its password hashed, not yet stored.
type newUser struct {
	user *sahay.User
	hash string
}

// checkNewUser refuses the fields of a new user that the rules refuse, and
// hashes the password.
func checkNewUser(ctx context.Context, email, name, role, password string) (*newUser, error) {
	email, err := cleanLine("email", email, MaxEmailChars)
	if err != nil {
		return nil, err
	}
	if email = strings.ToLower(email); !strings.Contains(email, "@") {
		return nil, sahay.Invalid("email %q is not an email address", email)
	}
	if name, err = cleanLine("name", name, MaxNameChars); err != nil {
		return nil, err
	}
	switch role {
	case sahay.RoleOwner, sahay.RoleAdmin, sahay.RoleAgent:
	default:
		return nil, sahay.Invalid("role must be owner, admin or agent")
	}
	if err := auth.ValidatePassword(password); err != nil {
		return nil, sahay.Invalid("%s", strings.TrimPrefix(err.Error(), "auth: "))
	}
	if name == "" {
		name = strings.Split(email, "@")[0]
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return nil, hashError(err)
	}
	return &newUser{user: &sahay.User{Email: email, Name: name, Role: role}, hash: hash}, nil
}

// UpdateUser changes a user. Users change their own profile; administrators
// change anyone's role; nobody demotes the last owner.
func (s *Service) UpdateUser(ctx context.Context, a *Actor, id int64, in UserInput) (*sahay.User, error) {
	if id != a.User.ID {
		if err := a.requireAdmin(); err != nil {
			return nil, err
		}
	}
	if in.Email != nil || in.Password != nil {
		return nil, sahay.Invalid("email and password cannot be changed here")
	}
	u, err := s.store.User(ctx, a.AccountID(), id)
	if err != nil {
		return nil, err
	}
	if err := applyProfile(u, in); err != nil {
		return nil, err
	}
	if in.Role != nil && *in.Role != u.Role {
		if err := a.requireAdmin(); err != nil {
			return nil, err
		}
		switch *in.Role {
		case sahay.RoleOwner, sahay.RoleAdmin, sahay.RoleAgent:
		default:
			return nil, sahay.Invalid("role must be owner, admin or agent")
		}
		if (*in.Role == sahay.RoleOwner || u.Role == sahay.RoleOwner) && a.User.Role != sahay.RoleOwner {
			return nil, sahay.Errorf(sahay.EFORBIDDEN, "only an owner may grant or take the owner role")
		}
		if u.Role == sahay.RoleOwner {
			if err := s.keepAnOwner(ctx, a.AccountID(), u.ID); err != nil {
				return nil, err
			}
		}
		u.Role = *in.Role
	}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if in.Role != nil {
			return audit(ctx, tx, a, "user.update", "user", u.ID, map[string]string{"role": u.Role})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if in.Availability != nil {
		s.agentChanged(u.AccountID, u.ID)
	}
	u.Connected = s.AgentConnectedNow(u.ID)
	return u, nil
}

func (s *Service) keepAnOwner(ctx context.Context, accountID, leaving int64) error {
	users, err := s.store.Users(ctx, accountID)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Role == sahay.RoleOwner && u.ID != leaving {
			return nil
		}
	}
	return sahay.Errorf(sahay.ECONFLICT, "the account needs at least one owner")
}

// DeleteUser removes a user; their conversations become unassigned.
func (s *Service) DeleteUser(ctx context.Context, a *Actor, id int64) error {
	if err := a.requireAdmin(); err != nil {
		return err
	}
	u, err := s.store.User(ctx, a.AccountID(), id)
	if err != nil {
		return err
	}
	if u.Role == sahay.RoleOwner {
		if a.User.Role != sahay.RoleOwner {
			return sahay.Errorf(sahay.EFORBIDDEN, "only an owner may remove an owner")
		}
		if err := s.keepAnOwner(ctx, a.AccountID(), id); err != nil {
			return err
		}
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.LockAccount(ctx, a.AccountID()); err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, a.AccountID(), id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "user.delete", "user", id, map[string]string{"email": u.Email})
	})
}

// ChangePassword replaces the actor's password after checking the current
// one; every session of the user ends.
func (s *Service) ChangePassword(ctx context.Context, a *Actor, current, next string) error {
	hash, err := s.store.PasswordHash(ctx, a.User.ID)
	if err != nil {
		return err
	}
	ok, err := checkPassword(ctx, hash, current)
	if err != nil {
		return err
	}
	if !ok {
		return sahay.Invalid("the current password is wrong")
	}
	if err := auth.ValidatePassword(next); err != nil {
		return sahay.Invalid("%s", strings.TrimPrefix(err.Error(), "auth: "))
	}
	newHash, err := auth.HashPassword(ctx, next)
	if err != nil {
		return hashError(err)
	}
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.SetPassword(ctx, a.User.ID, newHash); err != nil {
			return err
		}
		return audit(ctx, tx, a, "user.password", "user", a.User.ID, nil)
	})
}

// CreateAPIToken issues an API token for the actor; the token is shown once.
func (s *Service) CreateAPIToken(ctx context.Context, a *Actor, name string) (string, *sahay.APIToken, error) {
	if a.IsBot() {
		return "", nil, sahay.Errorf(sahay.EFORBIDDEN, "an agent bot's token cannot make tokens")
	}
	return s.createToken(ctx, a.User, name)
}

// CreateAPITokenCLI issues an API token for a user from the command line.
func (s *Service) CreateAPITokenCLI(ctx context.Context, email, name string) (string, *sahay.APIToken, error) {
	u, _, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return "", nil, err
	}
	return s.createToken(ctx, u, name)
}

func (s *Service) createToken(ctx context.Context, u *sahay.User, name string) (string, *sahay.APIToken, error) {
	name, err := cleanLine("name", name, MaxNameChars)
	if err != nil {
		return "", nil, err
	}
	if name == "" {
		name = "API token"
	}
	token := "sahay_" + auth.NewToken()
	t := &sahay.APIToken{UserID: u.ID, Name: name}
	err = s.write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAPIToken(ctx, t, auth.HashToken(token)); err != nil {
			return err
		}
		return tx.Audit(ctx, sahay.AuditEntry{AccountID: u.AccountID, UserID: u.ID, Action: "token.create", TargetType: "token", TargetID: t.ID})
	})
	return token, t, err
}

// APITokens lists the actor's tokens.
func (s *Service) APITokens(ctx context.Context, a *Actor) ([]sahay.APIToken, error) {
	return s.store.APITokens(ctx, a.User.ID)
}

// RevokeAPIToken revokes one of the actor's tokens.
func (s *Service) RevokeAPIToken(ctx context.Context, a *Actor, id int64) error {
	return s.write(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeAPIToken(ctx, a.User.ID, id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "token.revoke", "token", id, nil)
	})
}
