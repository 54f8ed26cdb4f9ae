package nlp

import (
	"math"
	"strings"
)

// Latin-script text is English, romanized Bengali (Banglish) or romanized
// Hindi (Hinglish). No language-detection library tells the last two apart
// from English, so Analyze decides with two signals built from our own word
// lists: function words, which are frequent and nearly unambiguous, and a
// character-trigram model of each variant's words for the rest.

// romanLanguages are the languages of Latin-script text, in the order of
// their index in the arrays below.
var romanLanguages = [3]string{"en", "bn", "hi"}

// romanModel is what the decision is built from.
type romanModel struct {
	// words maps a function word to its weight in each language: 1 split
	// between the languages whose lists hold it.
	words map[string][3]float64
	// trigrams maps a character trigram (bytes packed into a uint32, with
	// ' ' marking word boundaries) to its log probability in each language.
	trigrams map[uint32][3]float32
	// unseen is the log probability of a trigram a language never showed.
	unseen [3]float32
}

var roman = mustLoadRoman()

func mustLoadRoman() *romanModel {
	m := &romanModel{words: map[string][3]float64{}, trigrams: map[uint32][3]float32{}}
	var lists [3][]string
	for i, lang := range romanLanguages {
		variant := lang
		if lang != "en" {
			variant += "-Latn"
		}
		lists[i] = wordList(readLexicon("words-" + variant))
		if lang == "en" {
			continue
		}
		// A word of a romanized lexicon is as telling as a function word:
		// "shukriya" alone is Hinglish.
		l := newLexicon()
		if err := parseLexicon(l, variant, readLexicon(variant)); err != nil {
			panic(err)
		}
		for w, es := range l.exact {
			for _, e := range es {
				if len(e.words) == 1 && !contains(lists[i], w) {
					lists[i] = append(lists[i], w)
				}
			}
		}
	}
	for i := range lists {
		for _, w := range lists[i] {
			n := 0
			for j := range lists {
				if contains(lists[j], w) {
					n++
				}
			}
			weights := m.words[w]
			weights[i] = 1 / float64(n)
			m.words[w] = weights
		}
	}

	// The trigram model learns from the function words and from every
	// word of the variant's own lexicon.
	var counts [3]map[uint32]int
	var totals [3]int
	for i, lang := range romanLanguages {
		counts[i] = map[uint32]int{}
		words := append([]string(nil), lists[i]...)
		variant := lang
		if lang != "en" {
			variant += "-Latn"
		}
		l := newLexicon()
		if err := parseLexicon(l, variant, readLexicon(variant)); err != nil {
			panic(err)
		}
		for _, es := range [2]map[string][]*entry{l.exact, l.prefix} {
			for _, list := range es {
				for _, e := range list {
					words = append(words, e.words...)
				}
			}
		}
		for _, w := range words {
			eachTrigram(w, func(t uint32) {
				counts[i][t]++
				totals[i]++
			})
		}
	}
	vocabulary := map[uint32]bool{}
	for i := range counts {
		for t := range counts[i] {
			vocabulary[t] = true
		}
	}
	v := float64(len(vocabulary))
	for i := range counts {
		m.unseen[i] = float32(math.Log(1 / (float64(totals[i]) + v)))
	}
	for t := range vocabulary {
		var p [3]float32
		for i := range counts {
			p[i] = float32(math.Log((float64(counts[i][t]) + 1) / (float64(totals[i]) + v)))
		}
		m.trigrams[t] = p
	}
	return m
}

// wordList returns the words of a list file: whitespace-separated, with
// "#" starting a comment line.
func wordList(data string) []string {
	var words []string
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		words = append(words, strings.Fields(strings.ToLower(line))...)
	}
	return words
}

func contains(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

// eachTrigram calls fn with each trigram of an ASCII word padded with a
// space on each side; words with other bytes have none.
func eachTrigram(w string, fn func(uint32)) {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return
		}
	}
	padded := len(w) + 2
	at := func(i int) uint32 {
		if i == 0 || i == padded-1 {
			return ' '
		}
		return uint32(w[i-1])
	}
	for i := 0; i+3 <= padded; i++ {
		fn(at(i)<<16 | at(i+1)<<8 | at(i+2))
	}
}

// romanEvidence is what decides the language of Latin-script text.
type romanEvidence struct {
	words [3]float64
	// logp sums the trigram log probabilities of the words that are not
	// function words; n counts those words.
	logp [3]float64
	n    int
}

func (ev *romanEvidence) add(word string) {
	if w, ok := roman.words[word]; ok {
		for i := range w {
			ev.words[i] += w[i]
		}
		return
	}
	if len(word) < 3 || word[0] >= '0' && word[0] <= '9' {
		return
	}
	seen := false
	eachTrigram(word, func(t uint32) {
		seen = true
		p, ok := roman.trigrams[t]
		for i := range ev.logp {
			if ok {
				ev.logp[i] += float64(p[i])
			} else {
				ev.logp[i] += float64(roman.unseen[i])
			}
		}
	})
	if seen {
		ev.n++
	}
}

// decide returns "en", "bn" or "hi". Romanized Bengali and Hindi messages
// mix in English words freely, English messages rarely the reverse; so a
// romanized language wins when its function words are at least half as
// many as English's. The trigram model settles ties between the two, and
// speaks alone when there are no function words at all.
func (ev *romanEvidence) decide() string {
	w := ev.words
	trigram := ev.trigramShares()
	roman := 1
	if w[2] > w[1] || w[2] == w[1] && trigram[2] > trigram[1] {
		roman = 2
	}
	switch {
	case w[roman] > 0 && w[roman] >= 0.5*w[0]:
		return romanLanguages[roman]
	case w[0] > 0:
		return "en"
	}
	best := 0
	for i := 1; i < 3; i++ {
		if trigram[i] > trigram[best] {
			best = i
		}
	}
	// Without function words, only a clear trigram verdict on a few
	// words makes the text romanized.
	if best != 0 && trigram[best] >= 0.6 && ev.n >= 2 {
		return romanLanguages[best]
	}
	return "en"
}

// trigramShares turns the summed log likelihoods into a share per language,
// from per-word likelihoods so that long texts do not saturate.
func (ev *romanEvidence) trigramShares() [3]float64 {
	var p [3]float64
	if ev.n == 0 {
		return p
	}
	best := math.Max(ev.logp[0], math.Max(ev.logp[1], ev.logp[2]))
	var sum float64
	for i := range p {
		p[i] = math.Exp((ev.logp[i] - best) / float64(ev.n))
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}
