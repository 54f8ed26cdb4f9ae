package core

import (
	"testing"
	"time"
)

// SetSLASkew moves the SLA timer's clock ahead by d until t ends: every
// service's, so the tests of the package that run later see no skew.
func SetSLASkew(t testing.TB, d time.Duration) {
	slaSkew.Store(int64(d))
	t.Cleanup(func() { slaSkew.Store(0) })
}

// SLAChecked is how many conversations the service's SLA timer read, and
// in how many passes.
func (s *Service) SLAChecked() (conversations, passes int64) {
	return s.slaChecked.Load(), s.slaPasses.Load()
}
