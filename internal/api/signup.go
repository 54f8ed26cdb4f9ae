package api

import (
	"net/http"
	"time"

	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// signUpRate bounds the sign-ups tried from one client address: each one
// hashes a password and may create an account.
var signUpRate = ratelimit.Rate{Burst: 5, Every: 10 * time.Minute}

// signUpAllowed tells the sign-in screen whether to offer sign-up: the
// resource exists only when it is allowed.
func (s *Server) signUpAllowed(w http.ResponseWriter, r *http.Request) error {
	if !s.svc.SignUpAllowed() {
		return core.ErrSignUpOff
	}
	return httpx.OK(w, map[string]bool{"allowed": true})
}

// signUp creates an account and its owner and signs the owner in, as login
// does.
func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	if s.svc.SignUpAllowed() {
		if err := s.signUps.Allow(ratelimit.AddressKey(httpx.ClientAddr(r, s.trustedProxies)), "sign-ups from this address"); err != nil {
			return err
		}
	}
	var in struct {
		AccountName string `json:"account_name"`
		Name        string `json:"name"`
		Email       string `json:"email"`
		Password    string `json:"password"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	token, account, user, err := s.svc.SignUp(r.Context(), in.AccountName, in.Name, in.Email, in.Password)
	if err != nil {
		return err
	}
	s.setSession(w, token, core.SessionTTL)
	return httpx.WriteJSON(w, http.StatusCreated, map[string]any{"user": user, "account": account})
}
