package bot

import (
	"strings"

	"github.com/sahayhq/sahay/internal/textnorm"
)

// A request is one way of asking for a person: words that must appear in
// order, each within a few words of the one before. Each word lists its
// alternatives; one ending in "*" matches any word it begins
// ("মানুষ*" matches "মানুষের").
type request struct {
	variant string
	words   [][]string
}

// requestGap is how many words may come between two words of a request
// ("talk to a real person", "kisi insaan se baat karao").
const requestGap = 3

// requests are the ways customers ask for a person, by variant. They are
// matched on textnorm's normalized words, so spellings with or without
// nukta, joiners or capitals all match.
var requests = compileRequests([]struct {
	variant string
	words   string
}{
	{"en", "human humans"},
	{"en", "agent agents"},
	{"en", "representative* operator*"},
	{"en", "real|live person|people|human*|someone|agent*"},
	{"en", "talk*|speak*|chat* someone|somebody|person|people|staff|manager|supervisor|human*"},
	{"en", "customer care|service|support"},
	{"bn", "মানুষ*"},
	{"bn", "এজেন্ট*"},
	{"bn", "প্রতিনিধি*"},
	{"bn", "কারো|কারও|কারোর|কারুর|কোনো|কারোও সাথে|সাথ|সঙ্গে|সংগে কথা"},
	{"bn", "লোক*|কর্মী*|স্টাফ* সাথে|সঙ্গে|সংগে কথা"},
	{"bn", "কাস্টমার কেয়ার|সার্ভিস"},
	{"hi", "इंसान* इन्सान*"},
	{"hi", "एजेंट* एजेन्ट*"},
	{"hi", "प्रतिनिधि* मनुष्य*"},
	{"hi", "किसी|आदमी*|व्यक्ति*|स्टाफ से बात"},
	{"hi", "असली|सच्चे|जीवित इंसान*|व्यक्ति*|आदमी*"},
	{"hi", "कस्टमर केयर|सर्विस"},
	{"bn-Latn", "manush* manus* manuh*"},
	{"bn-Latn", "protinidhi*"},
	{"bn-Latn", "karo|karor|karu|kono|kauke sathe|sate|shathe|songe|shonge kotha|kota"},
	{"bn-Latn", "lok*|staff sathe|sate|shathe|songe|shonge kotha|kota"},
	{"hi-Latn", "insaan* insan* insaa*"},
	{"hi-Latn", "kisi|kisee|aadmi*|admi*|vyakti*|banda|bande|staff se baat|bat|baath"},
	{"hi-Latn", "asli|asal|sachcha|sacha insaan*|insan*|aadmi*|admi*|banda|bande"},
})

// compileRequests reads each pattern: words separated by spaces are said
// in order, and alternatives of one word separated by "|". A pattern of
// one position may list its alternatives with spaces too ("agent agents").
func compileRequests(patterns []struct{ variant, words string }) []request {
	var out []request
	for _, p := range patterns {
		fields := strings.Fields(p.words)
		if !strings.Contains(p.words, "|") {
			// Single words, each a request of its own.
			for _, f := range fields {
				out = append(out, request{variant: p.variant, words: [][]string{{norm(f)}}})
			}
			continue
		}
		r := request{variant: p.variant}
		for _, f := range fields {
			var alts []string
			for _, a := range strings.Split(f, "|") {
				alts = append(alts, norm(a))
			}
			r.words = append(r.words, alts)
		}
		out = append(out, r)
	}
	return out
}

// norm normalizes a pattern word as ForSearch does the text, keeping its
// "*".
func norm(w string) string {
	if strings.HasSuffix(w, "*") {
		return textnorm.ForSearch(strings.TrimSuffix(w, "*")) + "*"
	}
	return textnorm.ForSearch(w)
}

// AsksForHuman reports whether text asks to talk to a person, in English,
// Bengali, Hindi or romanized Bengali or Hindi, and in which of those
// variants ("en", "bn", "hi", "bn-Latn", "hi-Latn"). Single words such as
// "agent" count: a customer who types only that wants a person.
func AsksForHuman(text string) (bool, string) {
	words := strings.Fields(textnorm.ForSearch(text))
	for _, r := range requests {
		if r.matches(words) {
			return true, r.variant
		}
	}
	return false, ""
}

func (r request) matches(words []string) bool {
	for start := range words {
		if !wordMatches(r.words[0], words[start]) {
			continue
		}
		at, ok := start, true
		for _, alts := range r.words[1:] {
			found := -1
			for j := at + 1; j < len(words) && j <= at+1+requestGap; j++ {
				if wordMatches(alts, words[j]) {
					found = j
					break
				}
			}
			if found < 0 {
				ok = false
				break
			}
			at = found
		}
		if ok {
			return true
		}
	}
	return false
}

func wordMatches(alts []string, w string) bool {
	for _, a := range alts {
		if p, ok := strings.CutSuffix(a, "*"); ok {
			if strings.HasPrefix(w, p) {
				return true
			}
		} else if w == a {
			return true
		}
	}
	return false
}
