//go:build !unix

package bench

import "time"

// CPUTime returns 0: process CPU time is read only on Unix systems.
func CPUTime() time.Duration { return 0 }
