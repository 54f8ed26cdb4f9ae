package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sahayhq/sahay/internal/textnorm"
)

// token is one word of the input with the punctuation around it removed.
type token struct {
	start, end int    // byte offsets of text in the input
	text       string // the word as typed
	// key is the normalized form of the word's head: the part before the
	// first digit, '#', ':' or '-', so that "H#12", "order#123" and
	// "ঢাকা-১২০৭" are recognized by their first part.
	key string
	// tail is what follows the head in text ("#12", "-১২০৭"), or "".
	tail      string
	tailStart int     // byte offset of tail in the input
	sets      wordSet // the keyword sets key belongs to
}

// is reports whether the token's head is a keyword of ws.
func (t token) is(ws wordSet) bool {
	return t.sets&ws != 0
}

// tokenize splits text into words at spaces and at punctuation that never
// belongs to a number or a code, and trims trailing periods and colons.
func tokenize(text string) []token {
	var toks []token
	start := -1
	for i, r := range text {
		if isTokenBreak(r) {
			if start >= 0 {
				toks = appendToken(toks, text, start, i)
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		toks = appendToken(toks, text, start, len(text))
	}
	return toks
}

// isTokenBreak reports whether r separates words. Invalid UTF-8 does too,
// so that no finding starts or ends inside a broken sequence.
func isTokenBreak(r rune) bool {
	return unicode.IsSpace(r) || r == utf8.RuneError || strings.ContainsRune(",;!?।॥()[]{}\"“”‘’«»|", r)
}

// appendToken adds text[start:end], less trailing periods, colons and
// apostrophes, to toks.
func appendToken(toks []token, text string, start, end int) []token {
	for end > start && strings.IndexByte(".:'", text[end-1]) >= 0 {
		end--
	}
	for start < end && text[start] == '\'' {
		start++
	}
	if start == end {
		return toks
	}
	t := token{start: start, end: end, text: text[start:end]}
	cut := strings.IndexFunc(t.text, func(r rune) bool { return r == '#' || r == ':' || r == '-' || isDigit(r) })
	head := t.text
	if cut >= 0 {
		head, t.tail, t.tailStart = t.text[:cut], t.text[cut:], start+cut
	}
	t.key = fold(strings.TrimRight(head, "."))
	t.sets = setsOf(t.key)
	return append(toks, t)
}

// fold returns the form a word is compared in: lower case, and for Bengali
// and Hindi the search normalization, which unifies the ways one word can be
// typed (precomposed or not, with or without nukta, joiners, candrabindu).
func fold(word string) string {
	if isASCII(word) {
		return strings.ToLower(word)
	}
	if !needsFold(word) && norm.NFC.IsNormalString(word) {
		// What ForSearch would return, without its allocations: most
		// Bengali and Hindi words are typed this way.
		return word
	}
	return textnorm.ForSearch(word)
}

// needsFold reports whether word has a rune that [textnorm.ForSearch]
// changes even in NFC text: upper case, a separator, a native digit, a
// joiner, a nukta (alone or inside a precomposed letter) or a candrabindu.
func needsFold(word string) bool {
	for _, r := range word {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsMark(r), unicode.IsUpper(r):
			return true
		case r == '\u093C', r == '\u09BC', r == '\u0901', r == '\u0981':
			return true
		case r == '\u0929', r == '\u0931', r == '\u0934', r >= '\u0958' && r <= '\u095F':
			return true
		case r == '\u09DC', r == '\u09DD', r == '\u09DF':
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// wordSet is a set of keywords, one bit of the lexicon.
//
// A Bengali or Hindi keyword of three letters or more also matches the word
// with a suffix in its script attached (অর্ডারের, নম্বরটি); an English or
// romanized one of four or more matches with a short suffix ("orders",
// "orderer", Banglish "numberta").
type wordSet uint32

// lexicon maps every folded keyword to the sets it belongs to, so that a
// word is looked up once however many sets are asked about it.
var lexicon = make(map[string]wordSet)

// indicStems holds the Bengali and Hindi keywords that take suffixes, by
// first rune.
var indicStems = make(map[rune][]stem)

type stem struct {
	word string
	sets wordSet
}

// nextSet is the bit the next [newWordSet] takes.
var nextSet wordSet = 1

// latinSuffixes are the endings a romanized keyword may carry.
var latinSuffixes = []string{"s", "'s", "er", "ta", "ti", "te"}

func newWordSet(words ...string) wordSet {
	ws := nextSet
	if ws == 0 {
		panic("pii: more word sets than bits in wordSet")
	}
	nextSet <<= 1
	for _, w := range words {
		w = fold(w)
		lexicon[w] |= ws
		if !isASCII(w) && utf8.RuneCountInString(w) >= 3 {
			first, _ := utf8.DecodeRuneInString(w)
			indicStems[first] = append(indicStems[first], stem{w, ws})
		}
	}
	return ws
}

// has reports whether the folded word is one of the set's keywords.
func (ws wordSet) has(word string) bool {
	return setsOf(word)&ws != 0
}

// setsOf returns the sets the folded word belongs to.
func setsOf(word string) wordSet {
	if word == "" {
		return 0
	}
	sets := lexicon[word]
	if isASCII(word) {
		for _, suffix := range latinSuffixes {
			if s, ok := strings.CutSuffix(word, suffix); ok && len(s) >= 4 {
				sets |= lexicon[s]
			}
		}
		return sets
	}
	first, _ := utf8.DecodeRuneInString(word)
	for _, st := range indicStems[first] {
		if rest, ok := strings.CutPrefix(word, st.word); ok {
			if r, _ := utf8.DecodeRuneInString(rest); rest == "" || isIndicLetter(r) {
				sets |= st.sets
			}
		}
	}
	return sets
}

// isDigit reports whether r is an ASCII, Bengali or Devanagari digit.
func isDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= '০' && r <= '৯' || r >= '०' && r <= '९'
}

// asciiDigit returns the ASCII digit of a digit [isDigit] accepts.
func asciiDigit(r rune) byte {
	switch {
	case r >= '০':
		return byte('0' + r - '০')
	case r >= '०':
		return byte('0' + r - '०')
	default:
		return byte(r)
	}
}

// isIndicLetter reports whether r is a Bengali or Devanagari letter or sign,
// the kind of rune a suffix attached to a number is made of ("১২৩-এর").
func isIndicLetter(r rune) bool {
	return (unicode.Is(unicode.Bengali, r) || unicode.Is(unicode.Devanagari, r)) && !isDigit(r)
}

func isASCIILetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// prevWord returns the folded word that ends before pos, skipping at most a
// few bytes of spaces and punctuation, or "" if there is none.
func prevWord(text string, pos int) string {
	word, _ := prevWordAt(text, pos)
	return word
}

// prevWordAt is [prevWord] that also returns where the word starts.
func prevWordAt(text string, pos int) (string, int) {
	end := pos
	for skipped := 0; end > 0 && skipped < 4; skipped++ {
		r, size := utf8.DecodeLastRuneInString(text[:end])
		if unicode.IsLetter(r) || unicode.IsMark(r) || isDigit(r) {
			break
		}
		end -= size
	}
	start := end
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:start])
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			break
		}
		start -= size
	}
	return fold(text[start:end]), start
}

// nextWord returns the folded word that starts after pos, skipping spaces.
func nextWord(text string, pos int) string {
	start := pos
	for start < len(text) {
		r, size := utf8.DecodeRuneInString(text[start:])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	end := start
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			break
		}
		end += size
	}
	return fold(text[start:end])
}
