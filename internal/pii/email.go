package pii

import "strings"

// findEmails reports every address of the form local@domain.tld. Only ASCII
// addresses are recognized; a handle such as "@sahay_help" has no domain and
// is not an address.
func findEmails(text string, add addFunc) {
	for at := strings.IndexByte(text, '@'); at >= 0; {
		start := at
		for start > 0 && isLocalPartByte(text[start-1]) {
			start--
		}
		for start < at && text[start] == '.' {
			start++
		}
		end := domainEnd(text, at+1)
		if start < at && end > at+1 {
			add(KindEmail, start, end)
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
}

func isLocalPartByte(c byte) bool {
	return isAlnumByte(c) || strings.IndexByte("._%+-", c) >= 0
}

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// domainEnd returns where the domain starting at start ends, or start if
// there is no domain with at least one dot and a top-level label of two or
// more letters.
func domainEnd(text string, start int) int {
	end := start
	for end < len(text) && (isAlnumByte(text[end]) || text[end] == '-' || text[end] == '.') {
		end++
	}
	for end > start && (text[end-1] == '.' || text[end-1] == '-') {
		end--
	}
	domain := text[start:end]
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || strings.Contains(domain, "..") {
		return start
	}
	tld := domain[dot+1:]
	if len(tld) < 2 {
		return start
	}
	for i := 0; i < len(tld); i++ {
		if c := tld[i]; c >= '0' && c <= '9' || c == '-' {
			return start
		}
	}
	return end
}
