// Package ratelimit keeps token buckets by key (a client address, an
// account) on this node, for the anonymous routes that cost the server
// work or rows.
package ratelimit

import (
	"net"
	"sync"
	"time"
)

// Rate is a token bucket: Burst requests at once, then one every Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// Limiter is one bucket per key, all at the same rate. Buckets that have
// filled up again are forgotten, so a caller cycling through keys costs
// memory only while they are in use.
type Limiter struct {
	rate    Rate
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a Limiter at rate.
func New(rate Rate) *Limiter {
	return &Limiter{rate: rate, buckets: map[string]*bucket{}, swept: time.Now()}
}

// Take spends one token of key's bucket. When it is empty it spends
// nothing and returns false and how long until a token is back.
func (l *Limiter) Take(key string) (bool, time.Duration) {
	now := time.Now()
	full := time.Duration(l.rate.Burst) * l.rate.Every
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > full {
		for k, b := range l.buckets {
			if now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = min(float64(l.rate.Burst), b.tokens+float64(now.Sub(b.last))/float64(l.rate.Every))
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.rate.Every))
	}
	b.tokens--
	return true, 0
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
