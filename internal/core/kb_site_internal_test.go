package core

import (
	"testing"
	"time"
)

// TestEvictOldest: the site read longest ago goes, never the one being
// kept, and the sizes follow.
func TestEvictOldest(t *testing.T) {
	now := time.Now()
	k := &kbState{sites: map[int64]*siteEntry{
		1: {used: now.Add(-3 * time.Minute), size: 100},
		2: {used: now.Add(-1 * time.Minute), size: 200},
		3: {used: now.Add(-5 * time.Minute), size: 400},
	}, bytes: 700}
	k.evictOldest(3)
	if _, ok := k.sites[1]; ok || k.bytes != 600 || len(k.sites) != 2 {
		t.Fatalf("after keeping 3: %v sites, %d bytes", len(k.sites), k.bytes)
	}
	k.evictOldest(0)
	if _, ok := k.sites[3]; ok || k.bytes != 200 {
		t.Fatalf("after keeping none: %v, %d bytes", k.sites, k.bytes)
	}
	k.evictOldest(2)
	if len(k.sites) != 1 || k.bytes != 200 {
		t.Fatalf("the kept site went: %v, %d bytes", k.sites, k.bytes)
	}
}
