package kb

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/bot"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// Snippet sizes, in runes.
const (
	snippetRunes = 200
	// snippetLead is how much text before the first match a snippet
	// shows, so the match is read in context.
	snippetLead = 40
)

// snippet returns the part of the first of texts that has the most of
// the query's words, HTML-escaped, with those words marked; the start of
// the first non-empty text when none has any.
func snippet(query []queryTerm, texts ...string) string {
	wanted := map[string]int{}
	for qi, qt := range query {
		for _, t := range qt.terms {
			wanted[t] = qi
		}
	}
	var fallback []word
	var fallbackText string
	for _, text := range texts {
		text = flatten(text)
		if text == "" {
			continue
		}
		words := splitWords(text, wanted)
		if fallbackText == "" {
			fallbackText, fallback = text, words
		}
		if start, ok := bestWindow(words); ok {
			return window(text, words, start)
		}
	}
	if fallbackText == "" {
		return ""
	}
	return window(fallbackText, fallback, -1)
}

// word is a word of a text: its bytes, where it starts in runes, and the
// query word it matches (-1 for none).
type word struct {
	start, end int
	runeStart  int
	query      int
}

// splitWords splits text where [textnorm.ForSearch] does and finds the
// words of the query among them.
func splitWords(text string, wanted map[string]int) []word {
	var words []word
	runes := 0
	inWord := false
	for i, r := range text {
		if isWordRune(r) {
			if !inWord {
				words = append(words, word{start: i, runeStart: runes, query: -1})
				inWord = true
			}
			words[len(words)-1].end = i + utf8.RuneLen(r)
		} else {
			inWord = false
		}
		runes++
	}
	for i := range words {
		w := &words[i]
		if terms := bot.Terms(text[w.start:w.end]); len(terms) == 1 {
			if qi, ok := wanted[terms[0]]; ok {
				w.query = qi
			}
		}
	}
	return words
}

// bestWindow returns the index of the matching word that starts the
// window with the most distinct query words, the earliest of equals.
func bestWindow(words []word) (start int, ok bool) {
	best := 0
	for i, w := range words {
		if w.query < 0 {
			continue
		}
		seen := map[int]bool{}
		for j := i; j < len(words) && words[j].runeStart < w.runeStart+snippetRunes-snippetLead; j++ {
			if words[j].query >= 0 {
				seen[words[j].query] = true
			}
		}
		if len(seen) > best {
			best, start = len(seen), i
		}
	}
	return start, best > 0
}

// window cuts about snippetRunes of text around words[match] (from the
// start when match is -1) at word boundaries and marks the query's words.
func window(text string, words []word, match int) string {
	from, fromRune := 0, 0
	if match >= 0 {
		lead := words[match].runeStart - snippetLead
		for _, w := range words[:match+1] {
			if w.runeStart >= lead {
				from, fromRune = w.start, w.runeStart
				break
			}
		}
	}
	to := len(text)
	for _, w := range words {
		if w.start >= from && w.runeStart+utf8.RuneCountInString(text[w.start:w.end]) > fromRune+snippetRunes {
			to = w.start
			break
		}
	}
	var marked []string
	for _, w := range words {
		if w.query >= 0 && w.start >= from && w.end <= to {
			marked = append(marked, text[w.start:w.end])
		}
	}
	s := textnorm.HighlightHTML(strings.TrimSpace(text[from:to]), marked, "<mark>", "</mark>")
	if from > 0 {
		s = "…" + s
	}
	if to < len(text) {
		s += "…"
	}
	return s
}

// flatten puts text on one line: list markers dropped, single spaces.
func flatten(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(strings.TrimSpace(l), "- ")
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
}

// isWordRune reports whether r belongs inside a word, as textnorm splits
// them: letters, marks, numbers and the joiners, but not the zero width
// space.
func isWordRune(r rune) bool {
	if r == '\u200B' {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Cf, r)
}
