package email

import (
	"regexp"
	"strings"
)

// Fold returns the new words of a mail's text: without the quoted history
// a reply carries below it (top posting) and without the signature. A
// reply written between quoted lines (inline posting) is kept whole, since
// its words only make sense with what they answer; so is a mail that
// would be left with nothing.
func Fold(text string) string {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := range lines {
		span, inline := quoteStart(lines, i)
		if span == 0 {
			continue
		}
		// Below an attribution line or a quote, the customer may have
		// answered between the quoted lines; a separator or Outlook's
		// header block starts a copy of the earlier mail.
		if !inline || !answeredInline(lines[i+span:]) {
			cut = i
		}
		break
	}
	kept := lines[:cut]
	for i, l := range kept {
		if signatureStart(l) {
			kept = kept[:i]
			break
		}
	}
	visible := strings.TrimSpace(strings.Join(kept, "\n"))
	if visible == "" {
		return strings.TrimSpace(text)
	}
	return visible
}

var (
	// attribution is the line mail programs write above quoted history,
	// in English, Bengali and Hindi and the languages customers often
	// write in: "On Tue, 3 Dec 2026 at 10:00, Dana <dana@example.com> wrote:".
	attribution = regexp.MustCompile(`(?i)^(on\b.{4,300}\bwrote|.{4,300}(লিখেছেন|ने लिखा|schrieb|a écrit|escribió|scrisse|schreef|написал|kirjoitti|escreveu))\s*:?\s*$`)
	// outlookHeader starts the header block Outlook writes above the mail
	// it answers.
	outlookHeader = regexp.MustCompile(`(?i)^\*?(from|von|de|থেকে|प्रेषक)\s*:\*?\s+\S`)
	outlookField  = regexp.MustCompile(`(?i)^\*?(sent|date|to|subject|cc|gesendet|envoyé|enviado|পাঠানো|भेजा गया)\s*:`)
	separator     = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}|_{20,})\s*$`)
	// mobileSignature is what phones and apps add below a mail.
	mobileSignature = regexp.MustCompile(`(?i)^(sent from my \S.*|sent from (mail|outlook) for \S.*|get outlook for \S.*|sent from yahoo mail.*|sent with proton mail.*)$`)
)

// maxAttribution is the longest line taken for an attribution.
const maxAttribution = 400

// quoteStart reports whether the quoted history starts at line i: how
// many lines its marker takes (0 for none; a quoted line is not a marker
// but counts as one), and whether answers may follow between quotes.
func quoteStart(lines []string, i int) (span int, inline bool) {
	l := strings.TrimSpace(lines[i])
	switch {
	case strings.HasPrefix(l, ">"):
		return 1, true
	case separator.MatchString(l):
		return 1, false
	case len(l) > maxAttribution:
		// Not an attribution, and not worth the regular expression's time.
	case attribution.MatchString(l):
		return 1, true
	case i+1 < len(lines) && strings.HasPrefix(strings.ToLower(l), "on ") && len(lines[i+1]) <= maxAttribution &&
		attribution.MatchString(l+" "+strings.TrimSpace(lines[i+1])):
		// The attribution wrapped onto a second line.
		return 2, true
	case outlookHeader.MatchString(l):
		fields := 0
		for _, next := range lines[i+1 : min(i+6, len(lines))] {
			if outlookField.MatchString(strings.TrimSpace(next)) {
				fields++
			}
		}
		if fields >= 2 {
			return 1, false
		}
	}
	return 0, false
}

// answeredInline reports whether the customer wrote between quoted lines
// that follow: their own words, then more quotes.
func answeredInline(rest []string) bool {
	own, quotedAfterOwn := false, false
	inQuote := true
	for _, l := range rest {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
		case strings.HasPrefix(t, ">"):
			if own {
				quotedAfterOwn = true
			}
			inQuote = true
		case signatureStart(l):
			return own && quotedAfterOwn
		default:
			if inQuote && len(t) <= maxAttribution && attribution.MatchString(t) {
				continue
			}
			own = true
			inQuote = false
		}
	}
	return own && quotedAfterOwn
}

// signatureStart reports whether a line starts the signature: the
// "-- " delimiter (RFC 3676) or a phone's "Sent from my …".
func signatureStart(l string) bool {
	return l == "-- " || l == "--" || mobileSignature.MatchString(strings.TrimSpace(l))
}
