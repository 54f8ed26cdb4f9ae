package kb

import (
	"net/url"
	"strings"
)

// MatchPage reports whether a page's URL (absolute, or a path) matches
// one of an article's page patterns, which decide where the widget
// suggests it. A pattern is a path, matched exactly but for a trailing
// slash ("/checkout" matches "/checkout/?step=2"), or a prefix when it
// ends in "*" ("/help/*" matches "/help" and everything under it); a
// pattern that starts with a host ("shop.example.com/checkout*") matches
// only pages on that host. Queries and fragments are ignored on both
// sides, hosts compare without case or port, and paths after decoding.
func MatchPage(patterns []string, pageURL string) bool {
	host, path, ok := splitPage(pageURL)
	if !ok {
		return false
	}
	for _, p := range patterns {
		if matchPattern(strings.TrimSpace(p), host, path) {
			return true
		}
	}
	return false
}

// splitPage returns the host (lower case, without port; "" for a bare
// path) and the decoded path of a page's URL.
func splitPage(raw string) (host, path string, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	path = u.Path
	if u.Scheme == "" && u.Host == "" && !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return strings.ToLower(u.Hostname()), trimSlash(path), true
}

// matchPattern reports whether one pattern matches a page.
func matchPattern(pattern, host, path string) bool {
	switch pattern {
	case "":
		return false
	case "*":
		return true
	}
	if i := strings.Index(pattern, "://"); i >= 0 {
		pattern = pattern[i+3:]
	}
	if !strings.HasPrefix(pattern, "/") {
		wantHost, rest, _ := strings.Cut(pattern, "/")
		wantHost, prefixOnly := strings.CutSuffix(wantHost, "*")
		if host == "" || !strings.EqualFold(hostname(wantHost), host) {
			return false
		}
		if prefixOnly && rest == "" {
			return true
		}
		pattern = "/" + rest
	}
	pattern, _, _ = strings.Cut(pattern, "#")
	pattern, _, _ = strings.Cut(pattern, "?")
	prefix, isPrefix := strings.CutSuffix(pattern, "*")
	if p, err := url.PathUnescape(prefix); err == nil {
		prefix = p
	}
	if !isPrefix {
		return trimSlash(prefix) == path
	}
	// "/help/*" covers "/help" itself, whose trailing slash was trimmed.
	return strings.HasPrefix(path, prefix) || strings.HasSuffix(prefix, "/") && path == trimSlash(prefix)
}

// hostname is the host of a pattern without its port.
func hostname(hostport string) string {
	if u, err := url.Parse("//" + hostport); err == nil {
		return u.Hostname()
	}
	return hostport
}

// trimSlash removes a trailing slash from a path other than "/".
func trimSlash(path string) string {
	if path == "" {
		return "/"
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	return path
}
