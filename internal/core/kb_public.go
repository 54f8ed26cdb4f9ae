package core

import "time"

// What the public help center's pages read of a site beyond kb_site.go.

// Location is the account's time zone, in which the help center writes
// dates.
func (s *KBSite) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}
