// Package textnorm normalizes English, Bengali and Hindi text so that search
// matches what a person typed, whichever keyboard or input method they used.
//
// SQLite's unicode61 tokenizer and PostgreSQL's parser both split Indic words
// on combining marks or joiners, and neither unifies the many ways the same
// word can be encoded. Indexing and querying text that has passed through
// [ForSearch] sidesteps both problems.
package textnorm

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxTerms bounds how many terms [Terms] returns, keeping search queries cheap.
const MaxTerms = 16

// MaxTermBytes bounds the length of each term [Terms] returns.
const MaxTermBytes = 64

// zwsp, ZERO WIDTH SPACE, is the one format character that separates words.
const zwsp = '\u200B'

// legacyKhandaTa is how Bengali khanda-ta was typed before U+09CE existed;
// neither NFC nor NFKC unifies it with U+09CE.
const legacyKhandaTa = "\u09A4\u09CD\u200D"

// NFC returns s in Unicode Normalization Form C.
func NFC(s string) string {
	return norm.NFC.String(s)
}

// ForSearch returns the form of s to store in a search index and to query it
// with: words separated by single spaces, with case, joiners, nukta,
// candrabindu and native digits folded away.
//
// The result contains only letters, marks, numbers and ASCII spaces, so
// SQLite FTS5 (tokenize "unicode61 categories 'L* N* Co M* Cf'") and
// PostgreSQL to_tsvector('simple', …) both split it exactly at the spaces.
func ForSearch(s string) string {
	if isASCII(s) {
		return asciiForSearch(s)
	}
	return unicodeForSearch(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiForSearch is [ForSearch] of ASCII text, which neither normalization
// changes and which has no format characters nor Indic marks: letters
// lowered, digits kept, anything else a word break. It does in one pass
// without tables what unicodeForSearch does in four.
func asciiForSearch(s string) string {
	b := make([]byte, 0, len(s))
	pendingSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		default:
			pendingSpace = len(b) > 0
			continue
		}
		if pendingSpace {
			b = append(b, ' ')
			pendingSpace = false
		}
		b = append(b, c)
	}
	return string(b)
}

// unicodeForSearch is [ForSearch] of any text.
func unicodeForSearch(s string) string {
	// Folding works on the decomposed form so that precomposed letters
	// such as U+0929 (ऩ) lose their nukta too; NFC alone keeps them whole.
	s = norm.NFD.String(s)
	s = strings.ReplaceAll(s, legacyKhandaTa, "\u09CE")

	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		r, keep := foldRune(r)
		switch {
		case !keep:
			continue
		case r == ' ':
			pendingSpace = b.Len() > 0
			continue
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	// Deleting format characters and nukta can leave marks out of canonical
	// order or next to a base they compose with; NFC puts that right.
	return norm.NFC.String(b.String())
}

// indicFolds holds foldRune's answers for the Devanagari and Bengali
// blocks (U+0900 to U+09FF), where most of the Indic text folded is
// written: computed once by the same rules, then looked up rather than
// searched for in Unicode's category tables.
var indicFolds = func() (t [0x100]struct {
	r    rune
	keep bool
}) {
	for i := range t {
		t[i].r, t[i].keep = foldAnyRune(0x900 + rune(i))
	}
	return t
}()

// foldRune maps one rune of decomposed text to its search form. It reports
// keep=false for runes that vanish, and returns ' ' for word separators.
func foldRune(r rune) (folded rune, keep bool) {
	if r >= 0x900 && r < 0xA00 {
		f := indicFolds[r-0x900]
		return f.r, f.keep
	}
	return foldAnyRune(r)
}

// foldAnyRune is foldRune by its rules.
func foldAnyRune(r rune) (folded rune, keep bool) {
	switch {
	case r == zwsp:
		// Unlike the other format characters it marks a word break.
		return ' ', true
	case unicode.Is(unicode.Cf, r):
		// Joiners and soft hyphens only steer rendering, and typists use
		// them inconsistently inside the same word.
		return 0, false
	case r == '\u093C' || r == '\u09BC':
		// Casual typing drops the nukta (ज़रूरी vs जरूरी).
		return 0, false
	case r == '\u0901':
		return '\u0902', true
	case r == '\u0981':
		return '\u0982', true
	case r >= '\u09E6' && r <= '\u09EF':
		return '0' + (r - '\u09E6'), true
	case r >= '\u0966' && r <= '\u096F':
		return '0' + (r - '\u0966'), true
	case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r):
		return unicode.ToLower(r), true
	default:
		return ' ', true
	}
}

// Terms splits s into the distinct normalized words of a search query, in
// order of first appearance, bounded by [MaxTerms] and [MaxTermBytes] so that
// a pasted essay cannot become an expensive query.
func Terms(s string) []string {
	var terms []string
	seen := make(map[string]bool)
	for _, word := range strings.Fields(ForSearch(s)) {
		word = truncate(word, MaxTermBytes)
		if seen[word] {
			continue
		}
		seen[word] = true
		terms = append(terms, word)
		if len(terms) == MaxTerms {
			break
		}
	}
	return terms
}

// Words splits s into its words as a reader sees them, for counting
// rather than matching: in NFC, lower case, without joiners, but with
// nukta, candrabindu and native digits as typed. It splits where
// [ForSearch] does: never at a Bengali or Devanagari vowel sign or virama.
func Words(s string) []string {
	s = strings.ReplaceAll(norm.NFC.String(s), legacyKhandaTa, "\u09CE")
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) }) {
		w = strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Cf, r) {
				return -1
			}
			return unicode.ToLower(r)
		}, w)
		if w != "" {
			out = append(out, norm.NFC.String(w))
		}
	}
	return out
}

// truncate shortens s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// HighlightHTML returns text, HTML-escaped, with openMark and closeMark
// inserted unescaped around every word whose normalized form starts with one
// of terms.
//
// Terms are normalized with [ForSearch] before matching, so the result of
// [Terms] and raw query words work alike. Whole words are marked, because a
// prefix match found in normalized text cannot be mapped back to a position
// inside the original word.
func HighlightHTML(text string, terms []string, openMark, closeMark string) string {
	var wanted []string
	for _, t := range terms {
		if t = ForSearch(t); t != "" {
			wanted = append(wanted, t)
		}
	}

	var b strings.Builder
	for text != "" {
		n, isWord := leadingRun(text)
		run := text[:n]
		text = text[n:]
		if !isWord || !matchesAny(ForSearch(run), wanted) {
			b.WriteString(html.EscapeString(run))
			continue
		}
		b.WriteString(openMark)
		b.WriteString(html.EscapeString(run))
		b.WriteString(closeMark)
	}
	return b.String()
}

// matchesAny reports whether word starts with any of prefixes.
func matchesAny(word string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(word, p) {
			return true
		}
	}
	return false
}

// leadingRun returns the byte length of the word or separator run that s
// starts with, and whether it is a word.
func leadingRun(s string) (n int, isWord bool) {
	r, _ := utf8.DecodeRuneInString(s)
	isWord = isWordRune(r)
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if isWordRune(r) != isWord {
			break
		}
		n += size
	}
	return n, isWord
}

// isWordRune reports whether r belongs inside a word. It agrees with
// [ForSearch], which deletes format characters rather than splitting on them;
// invalid UTF-8 decodes to U+FFFD, a symbol, and so separates words.
func isWordRune(r rune) bool {
	if r == zwsp {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Cf, r)
}

// DetectScript names the script most of the letters in s are written in:
// "bn" for Bengali, "hi" for Devanagari, "en" for Latin, or "" when s has no
// letters in any of them.
//
// Ties go to the Indic script, because Latin order numbers and brand names
// are routinely mixed into Bengali and Hindi messages but rarely the reverse.
func DetectScript(s string) string {
	var bengali, devanagari, latin int
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		switch {
		case unicode.Is(unicode.Bengali, r):
			bengali++
		case unicode.Is(unicode.Devanagari, r):
			devanagari++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	switch {
	case bengali == 0 && devanagari == 0 && latin == 0:
		return ""
	case bengali >= devanagari && bengali >= latin:
		return "bn"
	case devanagari >= latin:
		return "hi"
	default:
		return "en"
	}
}
