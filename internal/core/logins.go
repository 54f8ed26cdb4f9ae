package core

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// Limits on wrong passwords. After AccountFreeFailures wrong passwords in a
// row for an account (a user's email), its sign-ins are refused for a pause
// that starts at LoginBasePause and doubles with each further wrong
// password, up to LoginMaxPause; a correct password ends the count. A client address is treated alike after
// AddressFreeFailures wrong passwords, for any email, within
// addressMemory. A refused sign-in is answered before any password is
// hashed, so guessing costs the server nothing and cannot starve real
// sign-ins of the hashing slots.
const (
	AccountFreeFailures = 5
	AddressFreeFailures = 20
	LoginBasePause      = 30 * time.Second
	LoginMaxPause       = 15 * time.Minute
	// addressMemory is how long an address's wrong passwords are remembered
	// after its last one.
	addressMemory = time.Hour
	// maxAddresses bounds the addresses remembered; beyond it the oldest
	// are forgotten first.
	maxAddresses = 100_000
	// addressChecks is how many passwords one address may have checked at
	// once; one person signs in once at a time, and a flood from one
	// address must leave the hashing slots to everyone else.
	addressChecks = 4
)

// loginPause is the pause after the nth wrong password in a row when free
// of them are allowed: none before the free-th, then doubling from
// LoginBasePause.
func loginPause(n, free int) time.Duration {
	if n < free {
		return 0
	}
	shift := min(n-free, int(math.Log2(float64(LoginMaxPause/LoginBasePause)))+1)
	return min(LoginBasePause<<shift, LoginMaxPause)
}

// addressLimits counts wrong passwords by client address. It lives in the
// node's memory: with several nodes behind a load balancer an address gets
// up to AddressFreeFailures on each before it waits, while the account
// limit, kept in the database, holds across all of them.
type addressLimits struct {
	mu    sync.Mutex
	addrs map[string]*addressState
}

type addressState struct {
	failures int
	checking int
	last     time.Time
	until    time.Time
}

// begin admits a sign-in from addr, or returns the rate_limited error
// that refuses it. An admitted sign-in is ended with [addressLimits.end].
func (l *addressLimits) begin(addr string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state(addr, now)
	switch {
	case st.until.After(now):
		return tooMany(st.until.Sub(now), "from this address")
	case st.checking >= addressChecks:
		return sahay.RateLimited(time.Second, "too many sign-ins at once from this address; try again in a second")
	}
	st.checking++
	return nil
}

// end closes a sign-in begun from addr, counting it if the password was
// wrong.
func (l *addressLimits) end(addr string, now time.Time, wrong bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state(addr, now)
	st.checking = max(st.checking-1, 0)
	if !wrong {
		return
	}
	st.failures++
	st.last = now
	if p := loginPause(st.failures, AddressFreeFailures); p > 0 {
		st.until = now.Add(p)
	}
}

// state returns addr's state, a fresh one if addr has not failed within
// addressMemory. Call it with l.mu held.
func (l *addressLimits) state(addr string, now time.Time) *addressState {
	if l.addrs == nil {
		l.addrs = map[string]*addressState{}
	}
	st := l.addrs[addr]
	if st == nil {
		if len(l.addrs) >= maxAddresses {
			l.forget(now)
		}
		st = &addressState{last: now}
		l.addrs[addr] = st
	} else if st.checking == 0 && now.Sub(st.last) > addressMemory {
		*st = addressState{last: now}
	}
	return st
}

// forget drops the addresses not heard from within addressMemory and, if
// that is not enough, the half heard from longest ago.
func (l *addressLimits) forget(now time.Time) {
	for a, st := range l.addrs {
		if st.checking == 0 && now.Sub(st.last) > addressMemory {
			delete(l.addrs, a)
		}
	}
	if len(l.addrs) < maxAddresses {
		return
	}
	var total time.Duration
	for _, st := range l.addrs {
		total += now.Sub(st.last) / time.Duration(len(l.addrs))
	}
	for a, st := range l.addrs {
		if st.checking == 0 && now.Sub(st.last) >= total {
			delete(l.addrs, a)
		}
	}
}

// tooMany is the answer to a sign-in refused for wait.
func tooMany(wait time.Duration, whose string) error {
	secs := int64((wait + time.Second - 1) / time.Second)
	return sahay.RateLimited(wait, "too many wrong passwords %s; try again in %d seconds", whose, secs)
}

// loginFailed records a wrong password for the user. The wrong password
// that starts an account's pause notifies the user and the account's
// owners.
func (s *Service) loginFailed(ctx context.Context, u *sahay.User, addr string) error {
	now := time.Now()
	return s.write(ctx, func(tx *store.Tx) error {
		n, err := tx.LoginFailed(ctx, u.ID)
		if err != nil {
			return err
		}
		pause := loginPause(n, AccountFreeFailures)
		if pause == 0 {
			return nil
		}
		if err := tx.SetLoginLock(ctx, u.ID, now.Add(pause)); err != nil {
			return err
		}
		if n != AccountFreeFailures {
			return nil
		}
		return s.notifyLockout(ctx, tx, u, n, addr, pause)
	})
}

// notifyLockout tells the user whose sign-in is paused, and the account's
// owners, through the notifications (in the dashboard, and by email when
// the server sends email).
func (s *Service) notifyLockout(ctx context.Context, tx *store.Tx, u *sahay.User, n int, addr string, pause time.Duration) error {
	users, err := tx.Users(ctx, u.AccountID)
	if err != nil {
		return err
	}
	from := ""
	if addr != "" {
		from = " from " + addr
	}
	body := fmt.Sprintf("%d wrong passwords in a row for %s%s; sign-in is paused for %s, longer after each further wrong password.",
		n, u.Email, from, pause)
	for _, to := range users {
		if to.ID != u.ID && to.Role != sahay.RoleOwner {
			continue
		}
		err := s.notify(ctx, tx, &sahay.Notification{AccountID: u.AccountID, UserID: to.ID, Kind: sahay.NotifyLoginLocked,
			ActorID: u.ID, Body: body})
		if err != nil {
			return err
		}
	}
	return nil
}
