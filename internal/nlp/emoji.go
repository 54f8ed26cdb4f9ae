package nlp

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// emojiLexicon scores emoji and ASCII emoticons. Word tokenizers drop both,
// so Analyze reads them from the raw text before it splits words.
type emojiLexicon struct {
	// runes maps an emoji's first code point to its entry; variation
	// selectors, skin tones and joiners after it do not change the score.
	runes map[rune]*entry
	// emoticons are the ASCII ones (":(", ":-)"), found as substrings.
	emoticons []*entry
}

var emojis = mustLoadEmoji()

func mustLoadEmoji() *emojiLexicon {
	l := &emojiLexicon{runes: map[rune]*entry{}}
	err := eachEntry("emoji", readLexicon("emoji"), func(phrase string, e *entry) error {
		r, size := utf8.DecodeRuneInString(phrase)
		if r < utf8.RuneSelf {
			l.emoticons = append(l.emoticons, e)
			return nil
		}
		if size != len(strings.TrimRight(phrase, "\uFE0F")) {
			return fmt.Errorf("%q is more than one emoji", phrase)
		}
		l.runes[r] = e
		return nil
	})
	if err != nil {
		panic(err)
	}
	return l
}

// isEmoji reports whether r may be an emoji: a symbol outside the letters,
// or a code point of the emoji blocks.
func isEmoji(r rune) bool {
	return r >= 0x2190 && (unicode.Is(unicode.So, r) || r >= 0x1F000 && r <= 0x1FAFF)
}

// emoticonEnds reports whether an emoticon found at s[i:j] stands alone, so
// that the ":/" of "https://" or the ":p" of "10:pm" are not read as faces.
func emoticonEnds(s string, i, j int) bool {
	before := i == 0 || s[i-1] == ' ' || s[i-1] == '\n' || s[i-1] == '\t'
	after := j == len(s) || s[j] == ' ' || s[j] == '\n' || s[j] == '\t' || s[j] == '.' || s[j] == ',' || s[j] == '!' || s[j] == '?' || s[j] == ')' || s[j] == '('
	return before && after
}
