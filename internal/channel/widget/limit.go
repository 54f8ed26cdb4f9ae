package widget

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/httpx"
)

// Rate is a token bucket: Burst requests at once, refilled at PerSecond.
type Rate struct {
	PerSecond float64
	Burst     float64
}

// limiter keeps one token bucket per key (an address, a visitor, an inbox)
// on this node. Buckets that have filled up again are forgotten, so an
// attacker cycling through keys costs memory only while they are in use.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter() *limiter { return &limiter{buckets: map[string]*bucket{}, swept: time.Now()} }

// take spends one token of key's bucket, or, when it is empty, returns a
// rate_limited error that says when to retry.
func (l *limiter) take(key string, r Rate, what string) error {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: r.Burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(r.Burst, b.tokens+now.Sub(b.last).Seconds()*r.PerSecond)
	b.last = now
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) / r.PerSecond * float64(time.Second))
		return sahay.RateLimited(wait, "too many %s; try again in %s", what, wait.Round(time.Second)+time.Second)
	}
	b.tokens--
	return nil
}

// sweep forgets the buckets idle long enough to be full again: every
// rate of [Limits] refills its burst within ten minutes.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > 10*time.Minute {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

// addressKey is the part of a client address one party holds: the
// address for IPv4, the /64 network for IPv6 (one subscriber's).
func addressKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String()
}

// limitAddress charges the bucket kind of the request's client address.
func (s *Server) limitAddress(r *http.Request, kind string, rate Rate, what string) error {
	return s.limits.take(kind+"\x00"+addressKey(httpx.ClientAddr(r, s.cfg.TrustedProxies)), rate, what)
}

// limitVisitor charges the bucket kind of a visitor.
func (s *Server) limitVisitor(v *visitor, kind string, rate Rate, what string) error {
	return s.limits.take(kind+"\x00"+strconv.FormatInt(v.inbox.ID, 10)+"\x00"+v.subject, rate, what)
}

// limitNewContact charges the inbox's budget of new contacts when the
// visitor has none yet: each new one is a row, and with a message a
// conversation in the team's list.
func (s *Server) limitNewContact(ctx context.Context, v *visitor) error {
	id, err := s.contactID(ctx, v)
	if err != nil || id != 0 {
		return err
	}
	return s.limits.take("contacts\x00"+strconv.FormatInt(v.inbox.ID, 10), s.cfg.Limits.NewContactsPerInbox, "new visitors on this chat at once")
}
