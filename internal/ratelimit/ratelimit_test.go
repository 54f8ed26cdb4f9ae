package ratelimit

import (
	"testing"
	"time"
)

func TestTake(t *testing.T) {
	l := New(Rate{Burst: 3, Every: time.Hour})
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

	fast := New(Rate{Burst: 1, Every: 20 * time.Millisecond})
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
