package core

import (
	"strings"
	"time"
)

// What the public help center's pages read of a site beyond kb_site.go.

// Location is the account's time zone, in which the help center writes
// dates.
func (s *KBSite) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// IsHelpCenterDomain tells whether host is a help center's own domain,
// turned on or off, as this node last read the domains (HelpCenterByHost
// reads them): a domain whose help center is off is answered "not found"
// rather than with the dashboard.
func (s *Service) IsHelpCenterDomain(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	s.kb.mu.Lock()
	defer s.kb.mu.Unlock()
	_, ok := s.kb.domains[host]
	return ok
}
