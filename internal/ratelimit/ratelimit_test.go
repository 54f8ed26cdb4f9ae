package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

func TestTake(t *testing.T) {
	l := New(Rate{Burst: 3, Every: time.Hour}, 10)
	for i := range 3 {
		if ok, _ := l.Take("a"); !ok {
			t.Fatalf("take %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := l.Take("a")
	if ok || wait <= 59*time.Minute || wait > time.Hour {
		t.Fatalf("fourth take = %v, wait %v; want refused for about an hour", ok, wait)
	}
	if ok, _ := l.Take("b"); !ok {
		t.Fatal("another key shares the first one's bucket")
	}

	fast := New(Rate{Burst: 1, Every: 20 * time.Millisecond}, 10)
	fast.Take("a")
	if ok, _ := fast.Take("a"); ok {
		t.Fatal("an empty bucket gave a token")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if ok, _ := fast.Take("a"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the bucket never refilled")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBoundedKeys checks that keys cycled through faster than their buckets
// refill cost at most the bound, that the bucket forgotten is the one used
// longest ago, and that idle buckets full again are forgotten.
func TestBoundedKeys(t *testing.T) {
	l := New(Rate{Burst: 1, Every: time.Hour}, 100)
	for i := range 10_000 {
		if ok, _ := l.Take(fmt.Sprint("addr", i)); !ok {
			t.Fatalf("new key %d refused", i)
		}
		if n := len(l.keys); n > 100 {
			t.Fatalf("%d buckets after %d keys, bound 100", n, i+1)
		}
	}
	if n := len(l.keys); n != 100 {
		t.Fatalf("%d buckets, want the bound 100", n)
	}
	if ok, _ := l.Take("addr9999"); ok {
		t.Fatal("the key used last was forgotten")
	}
	if ok, _ := l.Take("addr0"); !ok {
		t.Fatal("the key used longest ago is still remembered past the bound")
	}

	idle := New(Rate{Burst: 2, Every: 5 * time.Millisecond}, 100)
	for i := range 50 {
		idle.Take(fmt.Sprint("addr", i))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		idle.Take("now")
		if n := len(idle.keys); n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d buckets long idle and full again are still kept", len(idle.keys)-1)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAddressKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::",
		"not an address":       "not an address",
	} {
		if got := AddressKey(addr); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", addr, got, want)
		}
	}
}
