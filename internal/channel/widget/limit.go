package widget

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// limitKeys bounds the buckets each of the limits keeps: beyond it the one
// used longest ago is forgotten, so an attacker cycling through addresses
// or visitors cannot grow the memory without bound.
const limitKeys = 100_000

// limiters are the HTTP endpoints' limits of [Limits], on this node.
type limiters struct {
	sessionsPerAddress, requestsPerAddress   *ratelimit.Limiter
	writesPerVisitor, readsPerVisitor        *ratelimit.Limiter
	transcriptsPerVisitor                    *ratelimit.Limiter
	callbacksPerVisitor, callbacksPerAddress *ratelimit.Limiter
	callbacksPerInbox                        *ratelimit.Limiter
	sessionsPerInbox, newContactsPerInbox    *ratelimit.Limiter
	// kbAnswers holds one answer to "was this helpful?" per visitor
	// and article a day, so one visitor cannot tilt the help center's
	// report.
	kbAnswers *ratelimit.Limiter
}

// kbAnswerRate is one answer, then none for a day.
var kbAnswerRate = ratelimit.Rate{Burst: 1, Every: 24 * time.Hour}

func newLimiters(l Limits) limiters {
	return limiters{
		sessionsPerAddress:    ratelimit.New(l.SessionsPerAddress, limitKeys),
		requestsPerAddress:    ratelimit.New(l.RequestsPerAddress, limitKeys),
		writesPerVisitor:      ratelimit.New(l.WritesPerVisitor, limitKeys),
		readsPerVisitor:       ratelimit.New(l.ReadsPerVisitor, limitKeys),
		transcriptsPerVisitor: ratelimit.New(l.TranscriptsPerVisitor, limitKeys),
		callbacksPerVisitor:   ratelimit.New(l.CallbacksPerVisitor, limitKeys),
		callbacksPerAddress:   ratelimit.New(l.CallbacksPerAddress, limitKeys),
		callbacksPerInbox:     ratelimit.New(l.CallbacksPerInbox, limitKeys),
		sessionsPerInbox:      ratelimit.New(l.SessionsPerInbox, limitKeys),
		newContactsPerInbox:   ratelimit.New(l.NewContactsPerInbox, limitKeys),
		kbAnswers:             ratelimit.New(kbAnswerRate, limitKeys),
	}
}

// limitAddress charges lim's bucket of the request's client address.
func (s *Server) limitAddress(r *http.Request, lim *ratelimit.Limiter, what string) error {
	return lim.Allow(ratelimit.AddressKey(httpx.ClientAddr(r, s.cfg.TrustedProxies)), what)
}

// limitVisitor charges lim's bucket of a visitor.
func limitVisitor(v *visitor, lim *ratelimit.Limiter, what string) error {
	return lim.Allow(strconv.FormatInt(v.inbox.ID, 10)+"\x00"+v.subject, what)
}

// limitNewContact charges the inbox's budget of new contacts when the
// visitor has none yet: each new one is a row, and with a message a
// conversation in the team's list.
func (s *Server) limitNewContact(ctx context.Context, v *visitor) error {
	id, err := s.contactID(ctx, v)
	if err != nil || id != 0 {
		return err
	}
	return s.limits.newContactsPerInbox.Allow(strconv.FormatInt(v.inbox.ID, 10), "new visitors on this chat at once")
}
