package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
	"golang.org/x/text/unicode/norm"
)

// isClauseBreak reports whether r ends a clause: sentence punctuation,
// commas and the danda.
func isClauseBreak(r rune) bool {
	switch r {
	case '.', ',', '!', '?', ';', ':', '\n', '।', '॥', '…', '(', ')', '"', '“', '”':
		return true
	}
	return false
}

// isWordRune reports whether r belongs inside a word; it agrees with
// textnorm, which deletes format characters rather than splitting on them.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return r != '\u200B' && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Cf, r))
}

// tokenize splits the text into normalized words, counts punctuation and
// reads emoji and emoticons.
func (r *reader) tokenize() {
	s := r.text
	clause := 0
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(c) {
			j := i + size
			for j < len(s) {
				c2, size2 := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(c2) {
					break
				}
				j += size2
			}
			r.addWord(s[i:j], clause)
			i = j
			continue
		}
		switch {
		case c == '!':
			r.exclamations++
		case c == '?':
			r.questions++
			if clause < 64 {
				r.asked |= 1 << clause
			}
		case isEmoji(c):
			r.addEmoji(c, clause)
		}
		if isClauseBreak(c) {
			clause++
		}
		i += size
	}
	for _, e := range emojis.emoticons {
		for from := 0; ; {
			k := strings.Index(s[from:], e.text)
			if k < 0 {
				break
			}
			k += from
			if emoticonEnds(s, k, k+len(e.text)) {
				r.hits = append(r.hits, hit{e: e, pos: -1, end: -1, negator: -1, value: e.polarity})
			}
			from = k + len(e.text)
		}
	}
}

// addWord appends the normalized form of one word of the text.
func (r *reader) addWord(w string, clause int) {
	first, _ := utf8.DecodeRuneInString(w)
	script := -1
	switch {
	case first < utf8.RuneSelf:
		script = latn
		if !isASCIILower(w) {
			w = strings.ToLower(w)
		}
		r.tokens = append(r.tokens, token{text: w, clause: clause, script: script})
		return
	case unicode.Is(unicode.Bengali, first):
		script = beng
	case unicode.Is(unicode.Devanagari, first):
		script = deva
	case unicode.Is(unicode.Latin, first):
		script = latn
	}
	if folded, ok := foldIndic(w); ok {
		r.tokens = append(r.tokens, token{text: folded, clause: clause, script: script})
		return
	}
	for _, part := range strings.Fields(textnorm.ForSearch(w)) {
		r.tokens = append(r.tokens, token{text: part, clause: clause, script: script})
	}
}

// foldIndic is textnorm.ForSearch for one word in NFC, made cheap for the
// common case: it drops nukta and joiners, folds candrabindu to anusvara and
// native digits to ASCII, and allocates only when something changes. It
// reports false for a word it cannot fold alone (with letters that have
// case), which ForSearch then handles.
func foldIndic(w string) (string, bool) {
	changed := false
	for _, c := range w {
		switch {
		case c == '\u093C' || c == '\u09BC' || c == '\u0901' || c == '\u0981' || c == 'ऩ' || c == 'ऱ' || c == 'ऴ' ||
			c >= '\u0966' && c <= '\u096F' || c >= '\u09E6' && c <= '\u09EF' || unicode.Is(unicode.Cf, c):
			changed = true
		case c < utf8.RuneSelf || unicode.IsUpper(c) || unicode.IsLower(c):
			return "", false
		}
	}
	if !changed {
		return w, true
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, c := range w {
		switch {
		case c == '\u093C' || c == '\u09BC' || unicode.Is(unicode.Cf, c):
		case c == '\u0901':
			b.WriteRune('\u0902')
		case c == '\u0981':
			b.WriteRune('\u0982')
		case c == 'ऩ':
			b.WriteRune('न')
		case c == 'ऱ':
			b.WriteRune('र')
		case c == 'ऴ':
			b.WriteRune('ळ')
		case c >= '\u0966' && c <= '\u096F':
			b.WriteRune('0' + c - '\u0966')
		case c >= '\u09E6' && c <= '\u09EF':
			b.WriteRune('0' + c - '\u09E6')
		default:
			b.WriteRune(c)
		}
	}
	return b.String(), true
}

// isNFC reports whether s is in Unicode Normalization Form C. Text in ASCII,
// Bengali and Devanagari is checked by their few rules, quicker than the
// general check (which the rest gets): a nukta never follows a virama nor
// the letters it composes with (न, र, ळ), the letters NFC decomposes never
// appear, and Bengali's two-part vowels are precomposed.
func isNFC(s string) bool {
	var prev rune
	for _, c := range s {
		switch {
		case c < utf8.RuneSelf:
		case c == '\u093C' || c == '\u09BC':
			if prev == '\u094D' || prev == '\u09CD' || c == '\u093C' && (prev == 'न' || prev == 'र' || prev == 'ळ') {
				return false
			}
		case c >= '\u0958' && c <= '\u095F' || c == '\u09DC' || c == '\u09DD' || c == '\u09DF' || c >= '\u0951' && c <= '\u0954':
			return false
		case c == '\u09BE' || c == '\u09D7':
			if prev == '\u09C7' {
				return false
			}
		case c >= '\u0900' && c <= '\u09FF' || c == '\u200C' || c == '\u200D' || c == '\u0964' || c == '\u0965':
		default:
			return norm.NFC.IsNormalString(s)
		}
		prev = c
	}
	return true
}

func isASCIILower(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || 'A' <= w[i] && w[i] <= 'Z' {
			return false
		}
	}
	return true
}

// maxSameEmoji bounds how often one emoji counts: "😡😡😡" is angrier than
// "😡", but a row of fifty is not fifty times so.
const maxSameEmoji = 3

func (r *reader) addEmoji(c rune, clause int) {
	e := emojis.runes[c]
	if e == nil {
		return
	}
	n := 0
	for _, h := range r.hits {
		if h.e == e {
			n++
		}
	}
	if n < maxSameEmoji {
		r.hits = append(r.hits, hit{e: e, pos: -1, end: -1, negator: -1, scope: clause, value: e.polarity})
	}
}
