package kb

import (
	"html"
	"strings"
	"unicode/utf8"
)

// Snippet sizes, in runes.
const (
	snippetRunes = 200
	// snippetLead is how much text before the first match a snippet
	// shows, so the match is read in context.
	snippetLead = 40
)

// snippet returns the part of the first of passages that has the most
// of the query's words, HTML-escaped, with those words marked; the start
// of the first passage with any text when none has a match.
func snippet(query []queryTerm, passages ...passage) string {
	wanted := map[int32]int{}
	for qi, qt := range query {
		for _, id := range qt.ids {
			wanted[id] = qi
		}
	}
	var fallback *passage
	for i := range passages {
		p := &passages[i]
		if p.text == "" {
			continue
		}
		if fallback == nil {
			fallback = p
		}
		if start, ok := bestWindow(p.words, wanted); ok {
			return window(p, wanted, start)
		}
	}
	if fallback == nil {
		return ""
	}
	return window(fallback, wanted, -1)
}

// bestWindow returns the index of the matching word that starts the
// window with the most distinct query words, the earliest of equals.
func bestWindow(words []token, wanted map[int32]int) (start int, ok bool) {
	best := 0
	for i, w := range words {
		if _, ok := wanted[w.term]; !ok {
			continue
		}
		seen := map[int]bool{}
		for _, v := range words[i:] {
			if v.runeStart >= w.runeStart+snippetRunes-snippetLead {
				break
			}
			if qi, ok := wanted[v.term]; ok {
				seen[qi] = true
			}
		}
		if len(seen) > best {
			best, start = len(seen), i
		}
	}
	return start, best > 0
}

// window cuts about snippetRunes of p around its word match (from the
// start when match is -1) at word boundaries, HTML-escapes it and marks
// the words that match the query. The index knows which words those are,
// so it marks them and only them, where textnorm.HighlightHTML would
// normalize every word again and mark any that starts like a term.
func window(p *passage, wanted map[int32]int, match int) string {
	from, fromRune := int32(0), int32(0)
	if match >= 0 {
		lead := p.words[match].runeStart - snippetLead
		for _, w := range p.words[:match+1] {
			if w.runeStart >= lead {
				from, fromRune = w.start, w.runeStart
				break
			}
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, w := range p.words {
		if w.start < from {
			continue
		}
		if w.runeStart+int32(utf8.RuneCountInString(p.text[w.start:w.end])) > fromRune+snippetRunes {
			b.WriteString(html.EscapeString(strings.TrimRight(p.text[at:w.start], " ")))
			b.WriteString("…")
			return b.String()
		}
		if _, ok := wanted[w.term]; ok {
			b.WriteString(html.EscapeString(p.text[at:w.start]))
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(p.text[w.start:w.end]))
			b.WriteString("</mark>")
			at = w.end
		}
	}
	b.WriteString(html.EscapeString(p.text[at:]))
	return b.String()
}
