//go:build !linux

package bench

import "time"

// ProcessCPU returns 0: other processes' CPU time is read only on Linux.
func ProcessCPU(pid int) time.Duration { return 0 }

// WriteCalls returns 0: the count of write calls is read only on Linux.
func WriteCalls() int64 { return 0 }
