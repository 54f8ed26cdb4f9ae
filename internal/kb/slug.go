package kb

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxSlugBytes bounds a slug, so that a long title makes a usable URL.
const maxSlugBytes = 80

// Slug makes a URL path segment of a title: Latin letters lower-cased
// ASCII with their accents folded ("Café" → "cafe"), digits kept, Bengali
// and Devanagari letters, marks and digits kept as written (in NFC, less
// joiners), everything else one '-' between words; at most 80 bytes, cut
// between letters rather than inside a letter and its signs. A title with
// nothing to keep becomes "article".
func Slug(title string) string {
	if s := slug(title, maxSlugBytes); s != "" {
		return s
	}
	return "article"
}

// slug is [Slug] with "" for a title with nothing to keep.
func slug(title string, limit int) string {
	var b strings.Builder
	dash := false
	// indic tells whether the last rune kept was Bengali or Devanagari, so
	// a mark after it is kept and one after a Latin letter is an accent.
	indic := false
	keep := func(s string, isIndic bool) {
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteString(s)
		indic = isIndic
	}
	for _, r := range norm.NFC.String(title) {
		switch {
		case unicode.Is(unicode.Cf, r):
			// Joiners only steer how a cluster is drawn; in an address
			// they are invisible characters that break copying.
		case unicode.Is(unicode.Bengali, r) || unicode.Is(unicode.Devanagari, r):
			if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) {
				keep(string(r), true)
			} else {
				dash = true
			}
		case unicode.IsMark(r):
			if indic && !dash {
				keep(string(r), true)
			} else if !indic && b.Len() > 0 && !dash {
				// An accent that did not compose with its Latin letter.
				continue
			} else {
				dash = true
			}
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			keep(string(r), false)
		case r >= 'A' && r <= 'Z':
			keep(string(r+'a'-'A'), false)
		case unicode.Is(unicode.Latin, r):
			if f := foldLatin(r); f != "" {
				keep(f, false)
			} else {
				dash = true
			}
		default:
			dash = true
		}
	}
	return cutSlug(b.String(), limit)
}

// foldLatin spells a Latin letter in ASCII: its base letter without
// accents, or the usual spelling of a letter that has none.
func foldLatin(r rune) string {
	switch unicode.ToLower(r) {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'đ', 'ð':
		return "d"
	case 'ł':
		return "l"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	}
	var out strings.Builder
	for _, d := range norm.NFD.String(string(unicode.ToLower(r))) {
		if d >= 'a' && d <= 'z' {
			out.WriteRune(d)
		}
	}
	return out.String()
}

// cutSlug shortens s to at most limit bytes, after its last whole word
// when that keeps at least half, else never between a letter and the
// signs that follow it nor after a virama (which would leave half a
// conjunct), and trims dashes off the ends.
func cutSlug(s string, limit int) string {
	if len(s) > limit {
		end := limit
		for end > 0 && !utf8.RuneStart(s[end]) {
			end--
		}
		for end > 0 {
			next, _ := utf8.DecodeRuneInString(s[end:])
			last, size := utf8.DecodeLastRuneInString(s[:end])
			if !unicode.IsMark(next) && last != '\u09CD' && last != '\u094D' {
				break
			}
			end -= size
		}
		if i := strings.LastIndexByte(s[:end+1], '-'); i >= limit/2 {
			end = i
		}
		s = s[:end]
	}
	return strings.Trim(s, "-")
}
