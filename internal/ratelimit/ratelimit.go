// Package ratelimit keeps token buckets by key (a client address, a
// visitor, an inbox) on this node, for the routes that cost the server work
// or rows, and single buckets for one connection's frames.
package ratelimit

import (
	"container/list"
	"net"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
)

// Rate is a token bucket: Burst requests at once, then one every Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// full is how long an empty bucket at r takes to fill up again.
func (r Rate) full() time.Duration { return time.Duration(r.Burst) * r.Every }

// Bucket is one token bucket. Its zero value is full.
type Bucket struct {
	tokens float64
	last   time.Time
}

// Take spends one token at rate r. When the bucket is empty it spends
// nothing and returns false and how long until a token is back.
func (b *Bucket) Take(r Rate, now time.Time) (bool, time.Duration) {
	if b.last.IsZero() {
		b.tokens = float64(r.Burst)
	} else {
		b.tokens = min(float64(r.Burst), b.tokens+float64(now.Sub(b.last))/float64(r.Every))
	}
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(r.Every))
	}
	b.tokens--
	return true, 0
}

// Limiter is one bucket per key, all at the same rate, for at most a fixed
// number of keys. A bucket idle long enough to be full again is forgotten,
// which loses nothing; when the keys in use reach the bound, the one used
// longest ago is forgotten (it starts full if it comes back), so a caller
// cycling through keys cannot grow the memory without bound.
type Limiter struct {
	rate    Rate
	maxKeys int
	mu      sync.Mutex
	keys    map[string]*list.Element
	recent  list.List // of *keyed, the most recently used first
}

type keyed struct {
	key string
	Bucket
}

// New returns a Limiter at rate that keeps at most maxKeys buckets.
func New(rate Rate, maxKeys int) *Limiter {
	return &Limiter{rate: rate, maxKeys: max(maxKeys, 1), keys: map[string]*list.Element{}}
}

// Take spends one token of key's bucket. When it is empty it spends
// nothing and returns false and how long until a token is back.
func (l *Limiter) Take(key string) (bool, time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := l.recent.Back(); e != nil && now.Sub(e.Value.(*keyed).last) > l.rate.full(); e = l.recent.Back() {
		l.drop(e)
	}
	e := l.keys[key]
	if e == nil {
		if len(l.keys) >= l.maxKeys {
			l.drop(l.recent.Back())
		}
		e = l.recent.PushFront(&keyed{key: key})
		l.keys[key] = e
	} else {
		l.recent.MoveToFront(e)
	}
	return e.Value.(*keyed).Take(l.rate, now)
}

func (l *Limiter) drop(e *list.Element) {
	delete(l.keys, l.recent.Remove(e).(*keyed).key)
}

// Allow is [Limiter.Take] as an error: nil, or rate_limited with the wait
// for Retry-After and a message "too many <what>; try again in <wait>".
func (l *Limiter) Allow(key, what string) error {
	if ok, wait := l.Take(key); !ok {
		return sahay.RateLimited(wait, "too many %s; try again in %s", what, wait.Round(time.Second)+time.Second)
	}
	return nil
}

// AddressKey is the part of a client address one party holds: the address
// for IPv4, the /64 network for IPv6 (one subscriber's).
func AddressKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String()
}
