package core

import "time"

// SetSLASkew moves the SLA timer's clock ahead by d.
func SetSLASkew(d time.Duration) { slaSkew.Store(int64(d)) }
