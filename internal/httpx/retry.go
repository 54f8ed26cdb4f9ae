package httpx

import "time"

// Retry is an error the client may retry after a while, such as a rate
// limit: [WriteError] answers it with a Retry-After header, in whole
// seconds and at least 1, beside the usual error body of Err.
type Retry struct {
	Err   error
	After time.Duration
}

func (e *Retry) Error() string { return e.Err.Error() }

func (e *Retry) Unwrap() error { return e.Err }
