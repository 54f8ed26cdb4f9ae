package bench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sahayhq/sahay/internal/textnorm"
	"golang.org/x/text/unicode/norm"
)

// Query is a search a person might type, with what kind of search it is.
type Query struct {
	Text string
	// Lang is the language the query is typed in.
	Lang string
	// Class is how selective it is: "common" (in several percent of the
	// messages of its language), "medium", "rare", "two-words" (both must
	// occur), "prefix" (a word still being typed), "first-letters" (one or
	// two characters, the start of many words) or "variant" (typed in
	// another Unicode form than the corpus stores, found only because both
	// are normalized).
	Class string
}

// Queries is the search mix the benchmarks run: every class in each of the
// three scripts, and a few romanized ones. Each matches messages of a corpus
// of 10,000 or more messages.
var Queries = []Query{
	{"order", English, "common"},
	{"delivery", English, "common"},
	{"refund", English, "medium"},
	{"warranty", English, "medium"},
	{"sunglasses", English, "rare"},
	{"Guwahati", English, "rare"},
	{"DIWALI10", English, "rare"},
	{"cash delivery", English, "two-words"},
	{"discount code", English, "two-words"},
	{"deliv", English, "prefix"},
	{"refu", English, "prefix"},

	{"অর্ডার", Bengali, "common"},
	{"ডেলিভারি", Bengali, "common"},
	{"ফেরত", Bengali, "medium"},
	{"ঠিকানা", Bengali, "medium"},
	{"সানগ্লাস", Bengali, "rare"},
	{"লুঙ্গি", Bengali, "rare"},
	{"ক্যাশ ডেলিভারি", Bengali, "two-words"},
	{"ডেলি", Bengali, "prefix"},
	{"ঠিকা", Bengali, "prefix"},
	// Candrabindu and nukta typed as separate code points (decomposed).
	{"ছে\u0981ড\u09BCা", Bengali, "variant"},
	{"ময\u09BCমনসিংহ", Bengali, "variant"},

	{"ऑर्डर", Hindi, "common"},
	{"डिलीवरी", Hindi, "common"},
	{"रिफंड", Hindi, "medium"},
	{"वापस", Hindi, "medium"},
	{"वाराणसी", Hindi, "rare"},
	{"लहंगा", Hindi, "rare"},
	{"कैश डिलीवरी", Hindi, "two-words"},
	{"डिली", Hindi, "prefix"},
	{"रिफ", Hindi, "prefix"},
	// Typed without the nukta the corpus has, and with anusvara where the
	// corpus has candrabindu.
	{"जरूरी", Hindi, "variant"},
	{"इंतजार", Hindi, "variant"},
	{"पहुंच", Hindi, "variant"},

	// The first keystrokes of a search as it is typed: one or two
	// characters, each the start of many words; order numbers in every
	// language start with a digit.
	{"d", English, "first-letters"},
	{"s", English, "first-letters"},
	{"1", English, "first-letters"},
	{"12", English, "first-letters"},
	{"ক", Bengali, "first-letters"},
	{"প", Bengali, "first-letters"},
	{"क", Hindi, "first-letters"},
	{"प", Hindi, "first-letters"},

	{"kobe pabo", Banglish, "two-words"},
	{"nahi aaya", Hinglish, "two-words"},
	{"bhaiya", Hinglish, "medium"},
}

// Matches reports whether a message's content answers a search for terms
// (as textnorm.Terms gives them): every term is a whole word of the
// normalized content, except the last, which starts a word.
func Matches(content string, terms []string) bool {
	words := strings.Fields(textnorm.ForSearch(content))
	for i, t := range terms {
		last := i == len(terms)-1
		if !slices.ContainsFunc(words, func(w string) bool { return w == t || (last && strings.HasPrefix(w, t)) }) {
			return false
		}
	}
	return true
}

// Needles are messages planted in a corpus (Options.Needles) with words
// found nowhere else, each in several Unicode spellings. A search for
// Needle.Query must return exactly the Needle.Contents, which proves that
// search finds every match and not only correct ones.
type Needle struct {
	Query    string
	Contents []string
}

// needleSyllables build words that occur in no template.
var needleSyllables = map[string][]string{
	English: {"quor", "zim", "vell", "drax", "plon", "tesk"},
	Bengali: {"ঝি", "ঙু", "ফো", "ক্ষা", "ঢৌ", "ঋদ্ধ"},
	Hindi:   {"झि", "ठौ", "क्ष", "ढू", "ऋद्", "फ़ि"},
}

var needleTemplates = map[string]string{
	English: "Escalation note: parcel %s came back to the warehouse.",
	Bengali: "জরুরি নোট: %s পার্সেলটি গুদামে ফেরত এসেছে।",
	Hindi:   "ज़रूरी नोट: %s पार्सल गोदाम में लौट आया।",
}

// needleWords is how many needle words each script gets.
const needleWords = 4

func needleWord(lang string, k int) string {
	s := needleSyllables[lang]
	return s[k%len(s)] + s[(k/len(s)+1)%len(s)] + s[(k+3)%len(s)] + s[(k+2)%len(s)]
}

// spellings returns the forms one word is stored in: canonical (NFC),
// decomposed (NFD), and with joiners after each virama as some keyboards
// insert them.
func spellings(word string) []string {
	joined := strings.NewReplacer("\u09CD", "\u09CD\u200D", "\u094D", "\u094D\u200C").Replace(word)
	return []string{norm.NFC.String(word), norm.NFD.String(word), joined}
}

// Needles returns the planted messages, in the order they are planted.
func Needles() []Needle {
	var out []Needle
	for _, lang := range []string{English, Bengali, Hindi} {
		for k := range needleWords {
			w := needleWord(lang, k)
			n := Needle{Query: w}
			for _, sp := range spellings(w) {
				n.Contents = append(n.Contents, fmt.Sprintf(needleTemplates[lang], sp))
			}
			out = append(out, n)
		}
	}
	return out
}

// needleContents flattens Needles into the messages to plant.
func needleContents() []string {
	var out []string
	for _, n := range Needles() {
		out = append(out, n.Contents...)
	}
	return out
}
