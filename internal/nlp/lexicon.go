package nlp

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
)

// The lexicons are written for this project and reviewed entry by entry;
// none is a translation of another lexicon. The format is described at the
// top of lexicon/en.txt.
//
//go:embed lexicon/*.txt
var lexiconFiles embed.FS

// tag is a set of the things an entry signals besides its polarity.
type tag uint32

const (
	tagAnger tag = 1 << iota
	tagFrustration
	tagGratitude
	tagUrgent
	// tagSoon entries hint at a deadline (today, medicine) without asking
	// for speed themselves; they weigh half an urgent entry.
	tagSoon
	tagThreat
	// tagNegator entries reverse the polarity of a word near them; which
	// side they look at is the entry's negates field.
	tagNegator
	// tagIntensifier entries strengthen the next sentiment word.
	tagIntensifier
	// tagBreak entries (but, কিন্তু, लेकिन) end a negation window, and what
	// follows them weighs more than what comes before.
	tagBreak
	// tagExpect entries name what a customer expects to happen (came,
	// received, working, reply): negated, they are a complaint.
	tagExpect
	// tagPerson entries name a person to talk to (agent, মানুষ, इंसान).
	tagPerson
	// tagTalk entries ask to talk or connect (talk to, কথা বলতে, baat).
	tagTalk
	// tagHuman entries ask for a person on their own ("real person").
	tagHuman
	// tagBot entries name the bot or the automation a customer wants out
	// of ("not a bot", "robot").
	tagBot
	// tagRequest entries make a request (please, চাই, chahiye).
	tagRequest
	// tagPast entries tell of the past (হয়েছিল, hui thi, spoke): talk
	// with a person that happened is not a request for one.
	tagPast
	// tagWow entries open a message with praise (wow, বাহ, वाह); followed
	// by a length of time ("বাহ, ১৫ দিনে একটা পার্সেল!") they are sarcasm.
	tagWow
	// tagDuration entries name a length of time (days, দিনে, din).
	tagDuration
)

var tagNames = map[string]tag{
	"anger":       tagAnger,
	"frustration": tagFrustration,
	"gratitude":   tagGratitude,
	"urgent":      tagUrgent,
	"soon":        tagSoon,
	"threat":      tagThreat,
	"negator":     tagNegator,
	"intensifier": tagIntensifier,
	"break":       tagBreak,
	"expect":      tagExpect,
	"person":      tagPerson,
	"talk":        tagTalk,
	"human":       tagHuman,
	"bot":         tagBot,
	"request":     tagRequest,
	"past":        tagPast,
	"wow":         tagWow,
	"duration":    tagDuration,
}

// Sides a negator looks at for the word it negates.
const (
	negatesBefore = 1 << iota
	negatesAfter
)

// entry is one word or phrase of a lexicon.
type entry struct {
	// text is the entry as written, for reasons.
	text string
	// words are its normalized words; prefix marks those written with a
	// final * that match any word they begin.
	words  []string
	prefix []bool
	// polarity runs from -4 to 4.
	polarity float64
	tags     tag
	// negates is set on negators: the sides they look at.
	negates int
}

func (e *entry) has(t tag) bool { return e.tags&t != 0 }

// lexicon is the entries of one variant, indexed by their first word.
type lexicon struct {
	exact  map[string][]*entry
	prefix map[string][]*entry
	// maxPrefix is the longest prefix, in bytes, among prefix entries.
	maxPrefix int
	// prefixStarts holds the first two runes of every prefix entry's
	// first word, so that most words skip the search for prefixes.
	prefixStarts map[string]bool
}

func newLexicon() *lexicon {
	return &lexicon{exact: map[string][]*entry{}, prefix: map[string][]*entry{}, prefixStarts: map[string]bool{}}
}

func (l *lexicon) add(e *entry) {
	first := e.words[0]
	if e.prefix[0] {
		l.prefix[first] = append(l.prefix[first], e)
		l.maxPrefix = max(l.maxPrefix, len(first))
		l.prefixStarts[start(first)] = true
		return
	}
	l.exact[first] = append(l.exact[first], e)
}

// wordMatches reports whether token is the entry's word i.
func (e *entry) wordMatches(i int, token string) bool {
	if e.prefix[i] {
		return strings.HasPrefix(token, e.words[i])
	}
	return token == e.words[i]
}

// start returns the first two runes of w, or w if it is shorter.
func start(w string) string {
	n := 0
	for i := range w {
		if n == 2 {
			return w[:i]
		}
		n++
	}
	return w
}

// match returns the longest entry starting at tokens[i] within one clause,
// or nil. Among entries as long, an exact one wins over a prefix, a later
// loaded one (the variant's own) over an earlier one (English).
func (l *lexicon) match(tokens []token, i int) *entry {
	var best *entry
	try := func(candidates []*entry) {
		for _, e := range candidates {
			if best != nil && len(e.words) < len(best.words) {
				continue
			}
			if i+len(e.words) > len(tokens) {
				continue
			}
			ok := true
			for j := 1; j < len(e.words); j++ {
				t := tokens[i+j]
				if t.clause != tokens[i].clause || !e.wordMatches(j, t.text) {
					ok = false
					break
				}
			}
			if ok {
				best = e
			}
		}
	}
	word := tokens[i].text
	if l.prefixStarts[start(word)] {
		for n := 1; n <= min(len(word), l.maxPrefix); n++ {
			if n < len(word) && !utf8.RuneStart(word[n]) {
				continue
			}
			if c, ok := l.prefix[word[:n]]; ok {
				try(c)
			}
		}
	}
	try(l.exact[word])
	return best
}

// matchWord returns the one-word entry for word, or nil.
func (l *lexicon) matchWord(word string) *entry {
	var best *entry
	if l.prefixStarts[start(word)] {
		for n := 1; n <= min(len(word), l.maxPrefix); n++ {
			if n < len(word) && !utf8.RuneStart(word[n]) {
				continue
			}
			for _, e := range l.prefix[word[:n]] {
				if len(e.words) == 1 {
					best = e
				}
			}
		}
	}
	for _, e := range l.exact[word] {
		if len(e.words) == 1 {
			best = e
		}
	}
	return best
}

// parseLexicon reads a lexicon file into l. Each line is a word or phrase,
// "=", and space-separated fields: a polarity number, tag names, and for
// negators "before", "after" or both.
func parseLexicon(l *lexicon, name, data string) error {
	return eachEntry(name, data, func(phrase string, e *entry) error {
		for _, w := range strings.Fields(phrase) {
			star := strings.HasSuffix(w, "*")
			for _, part := range strings.Fields(textnorm.ForSearch(strings.TrimSuffix(w, "*"))) {
				e.words = append(e.words, part)
				e.prefix = append(e.prefix, false)
			}
			if star && len(e.prefix) > 0 {
				e.prefix[len(e.prefix)-1] = true
			}
		}
		if len(e.words) == 0 {
			return fmt.Errorf("no words in %q", phrase)
		}
		if e.prefix[0] && utf8.RuneCountInString(e.words[0]) < 2 {
			return fmt.Errorf("a prefix needs two letters or more: %q", phrase)
		}
		l.add(e)
		return nil
	})
}

// eachEntry parses the lines of a lexicon file and passes each phrase with
// its entry, fields filled in, to add.
func eachEntry(name, data string, add func(phrase string, e *entry) error) error {
	seen := map[string]bool{}
	for n, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		phrase, fields, ok := strings.Cut(line, " = ")
		if !ok {
			return fmt.Errorf("%s:%d: no \" = \" in %q", name, n+1, line)
		}
		phrase = strings.TrimSpace(phrase)
		if seen[phrase] {
			// Two lines for one phrase would leave one of them unread.
			return fmt.Errorf("%s:%d: %q is listed twice", name, n+1, phrase)
		}
		seen[phrase] = true
		e := &entry{text: phrase}
		for _, f := range strings.Fields(fields) {
			if t, ok := tagNames[f]; ok {
				e.tags |= t
				continue
			}
			switch f {
			case "before":
				e.negates |= negatesBefore
				continue
			case "after":
				e.negates |= negatesAfter
				continue
			}
			p, err := strconv.ParseFloat(f, 64)
			if err != nil || p < -4 || p > 4 {
				return fmt.Errorf("%s:%d: unknown field %q", name, n+1, f)
			}
			e.polarity = p
		}
		if e.has(tagNegator) != (e.negates != 0) {
			return fmt.Errorf("%s:%d: a negator needs before or after, and only a negator has them", name, n+1)
		}
		if err := add(phrase, e); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n+1, err)
		}
	}
	return nil
}

// variants are the variants with a lexicon of their own.
var variants = []string{"en", "bn", "hi", "bn-Latn", "hi-Latn"}

// lexicons holds one lexicon per variant. Each also holds the English
// entries, because English words are mixed into every variant; its own
// entries win over them.
var lexicons = mustLoadLexicons()

// readLexicon returns an embedded lexicon file; a missing one is a defect
// of the build.
func readLexicon(name string) string {
	b, err := lexiconFiles.ReadFile("lexicon/" + name + ".txt")
	if err != nil {
		panic(err)
	}
	return string(b)
}

func mustLoadLexicons() map[string]*lexicon {
	m := map[string]*lexicon{}
	for _, v := range variants {
		l := newLexicon()
		files := []string{"en"}
		if v != "en" {
			files = append(files, v)
		}
		for _, f := range files {
			if err := parseLexicon(l, f, readLexicon(f)); err != nil {
				panic(err)
			}
		}
		m[v] = l
	}
	return m
}

// lexiconFor returns the lexicon of a variant, English for one without.
func lexiconFor(variant string) *lexicon {
	if l, ok := lexicons[variant]; ok {
		return l
	}
	return lexicons["en"]
}
