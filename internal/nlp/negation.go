package nlp

import (
	"strings"
	"unicode/utf8"
)

// unmetVerb stands for a Bengali verb with the fused -নি suffix that no
// lexicon names: in a support message, "আসেনি" (has not come), "পাইনি" (did
// not get) and their like are complaints whatever the verb.
var unmetVerb = &entry{text: "-নি", words: []string{"নি"}, prefix: []bool{false}, tags: tagExpect}

// findEntries finds the lexicon's entries in the tokens, longest first, and
// the Bengali verbs negated by a fused -নি.
func (r *reader) findEntries(l *lexicon) {
	breaks := 0
	for i := 0; i < len(r.tokens); {
		t := r.tokens[i]
		if e := l.match(r.tokens, i); e != nil {
			n := len(e.words)
			r.hits = append(r.hits, hit{e: e, pos: i, end: i + n, negator: -1, scope: t.clause + breaks, value: e.polarity})
			if e.has(tagBreak) {
				breaks++
			}
			i += n
			continue
		}
		if t.script == beng {
			if stem, ok := fusedNegation(t.text); ok {
				e := l.matchWord(stem)
				if e == nil || e.polarity == 0 && !e.has(tagExpect) {
					e = unmetVerb
				}
				r.hits = append(r.hits, hit{e: e, pos: i, end: i + 1, negator: i, scope: t.clause + breaks, negated: true, fused: t.text, value: negatedValue(e)})
			}
		}
		i++
	}
}

// fusedNegation reports whether a Bengali word is a verb negated by the
// fused perfective suffix -নি (আসেনি, পাইনি, দেয়নি, করিনি), and returns the
// verb without it. Words that merely end in নি are not: আপনি (you), তিনি
// (he), জানি (I know), চিনি (sugar), এখনি (right now).
func fusedNegation(w string) (stem string, ok bool) {
	stem, ok = strings.CutSuffix(w, "নি")
	if !ok || utf8.RuneCountInString(stem) < 2 {
		return "", false
	}
	last, _ := utf8.DecodeLastRuneInString(stem)
	switch last {
	case 'ে', 'ই', 'য':
		// আসে-নি, পাই-নি, দেয়-নি (normalization folds য় to য).
		return stem, true
	case 'ন':
		// দেন-নি, করেন-নি: the honorific forms.
		return stem, strings.HasSuffix(stem, "েন") && utf8.RuneCountInString(stem) >= 3
	case 'ি':
		// করি-নি, পারি-নি; but তিনি, চিনি, শুনি are whole words.
		return stem, utf8.RuneCountInString(stem) >= 3
	}
	return "", false
}

// negatedValue is the sentiment of a negated entry.
func negatedValue(e *entry) float64 {
	switch {
	case e.polarity > 0:
		return e.polarity * negatedPositive
	case e.polarity < 0:
		return e.polarity * negatedNegative
	case e.has(tagExpect):
		return unmetExpectation
	}
	return 0
}

// negatable reports whether a negator can turn the entry.
func negatable(h *hit) bool {
	e := h.e
	return h.pos >= 0 && !h.negated && !e.has(tagNegator|tagThreat|tagIntensifier|tagBreak) && (e.polarity != 0 || e.has(tagExpect))
}

// applyModifiers applies intensifiers and negators to the entries near them.
func (r *reader) applyModifiers() {
	for k := range r.hits {
		mod := &r.hits[k]
		if mod.pos < 0 {
			continue
		}
		switch {
		case mod.e.has(tagIntensifier):
			// The next sentiment word, at most one word further.
			for j := range r.hits {
				h := &r.hits[j]
				if h.pos >= mod.end && h.pos-mod.end <= 1 && h.scope == mod.scope && h.e.polarity != 0 && !h.e.has(tagIntensifier) {
					h.value *= intensify
					r.reason("intensified: " + r.span(mod.pos, h.end))
					break
				}
			}
		case mod.e.has(tagNegator):
			target := -1
			if mod.e.negates&negatesBefore != 0 {
				for j := range r.hits {
					h := &r.hits[j]
					if negatable(h) && h.scope == mod.scope && h.end <= mod.pos && mod.pos-h.end < negationWindow &&
						(target < 0 || h.end > r.hits[target].end) {
						target = j
					}
				}
			}
			if target < 0 && mod.e.negates&negatesAfter != 0 {
				for j := range r.hits {
					h := &r.hits[j]
					if negatable(h) && h.scope == mod.scope && h.pos >= mod.end && h.pos-mod.end < negationWindow &&
						(target < 0 || h.pos < r.hits[target].pos) {
						target = j
					}
				}
			}
			if target >= 0 {
				h := &r.hits[target]
				h.negated = true
				h.negator = mod.pos
				scale := 1.0
				if h.e.polarity != 0 {
					// An intensified word stays as strong once negated.
					scale = h.value / h.e.polarity
				}
				h.value = negatedValue(h.e) * scale
			}
		}
	}
}
