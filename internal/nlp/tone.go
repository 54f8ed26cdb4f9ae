package nlp

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
)

// Kinds of [ToneIssue].
const (
	ToneRude       = "rude"
	ToneDismissive = "dismissive"
	ToneCold       = "cold"
	// TonePolicy is a phrase the team's own [TonePolicy] rules out.
	TonePolicyKind = "policy"
)

// TonePolicy is what a team wrote about its own replies: phrases never to
// write, and promises it does not make. Either list may be empty.
type TonePolicy struct {
	Forbidden []string `json:"forbidden"`
	Promises  []string `json:"promises"`
}

// ToneIssue is one thing in a draft that reads badly.
type ToneIssue struct {
	// Kind is rude, dismissive, cold or policy.
	Kind string `json:"kind"`
	// Code names the reason for machines and translations: blame,
	// condescending, insult, repeat, hopeless, brushoff, curt, no_empathy,
	// forbidden or promise.
	Code string `json:"code"`
	// Reason says in English why the span reads badly.
	Reason string `json:"reason"`
	// Text is the offending span as written; Start and End are its byte
	// offsets in the draft.
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// ToneCheck is what [CheckTone] finds in a draft.
type ToneCheck struct {
	// Flagged is set when there is at least one issue.
	Flagged bool        `json:"flagged"`
	Issues  []ToneIssue `json:"issues"`
	// Suggestion is an empathetic rephrasing of a flagged draft, in
	// Language ("en", "bn", "hi", or "bn-Latn"/"hi-Latn" when romanized);
	// empty when nothing was flagged.
	Suggestion string `json:"suggestion,omitempty"`
	Language   string `json:"language"`
}

// MaxToneDraftBytes bounds the draft [CheckTone] reads; the rest is not
// checked.
const MaxToneDraftBytes = 16 << 10

// CheckTone reads an agent's draft before it is sent, offline: phrases that
// read rude or dismissive in English, Bengali, Hindi and romanized Bengali
// and Hindi; a curt one-word reply; no greeting or empathy in a reply to an
// upset customer (customer, when given, is the analysis of the customer's
// last message); and the phrases and promises the team's policy rules out.
// language is the conversation's ("en", "bn", "hi", optionally with
// "-Latn"; empty when unknown): a flagged draft gets its suggestion in it
// when the draft is written in that language's script.
func CheckTone(draft, language string, p TonePolicy, customer ...Analysis) ToneCheck {
	if len(draft) > MaxToneDraftBytes {
		draft = draft[:MaxToneDraftBytes]
		for !utf8.ValidString(draft) {
			draft = draft[:len(draft)-1]
		}
	}
	toks := toneTokens(draft)
	var issues []ToneIssue
	romanized := map[string]bool{}
	add := func(kind, code, reason string, from, to int) {
		start, end := toks[from].start, toks[to-1].end
		for _, is := range issues {
			if start < is.End && is.Start < end {
				return
			}
		}
		issues = append(issues, ToneIssue{Kind: kind, Code: code, Reason: reason, Text: draft[start:end], Start: start, End: end})
	}
	for i := range toks {
		for _, ph := range phrasesAt(toks[i].norm) {
			end, ok := ph.matchAt(toks, i)
			if !ok || (ph.kind == ToneCold && (i != 0 || end != len(toks))) {
				continue
			}
			add(ph.kind, ph.code, toneReasons[ph.code], i, end)
			if ph.variant == "bn-Latn" || ph.variant == "hi-Latn" {
				romanized[ph.variant] = true
			}
		}
	}
	for _, s := range p.Forbidden {
		for _, m := range policyMatches(toks, s) {
			add(TonePolicyKind, "forbidden", fmt.Sprintf("the team's policy forbids %q", s), m[0], m[1])
		}
	}
	for _, s := range p.Promises {
		for _, m := range policyMatches(toks, s) {
			add(TonePolicyKind, "promise", fmt.Sprintf("the team does not promise %q", s), m[0], m[1])
		}
	}
	if len(customer) > 0 && upset(customer[0]) && len(toks) > 0 && !hasMarker(toks) {
		if len(toks) <= 2 {
			add(ToneCold, "curt", "a reply of a word or two to an upset customer reads cold", 0, len(toks))
		} else {
			add(ToneCold, "no_empathy", "the customer is upset and the reply has no greeting or word of empathy", 0, len(toks))
		}
	}
	slices.SortFunc(issues, func(a, b ToneIssue) int { return a.Start - b.Start })
	c := ToneCheck{Issues: issues, Language: suggestionLanguage(draft, language, romanized)}
	if c.Issues == nil {
		c.Issues = []ToneIssue{}
	}
	if len(issues) > 0 {
		c.Flagged = true
		c.Suggestion = suggest(draft, issues, toneTexts[c.Language])
	}
	return c
}

// ToneKinds lists the kinds of issue [CheckTone] reports.
func ToneKinds() []string { return []string{ToneRude, ToneDismissive, ToneCold, TonePolicyKind} }

// ToneCodes lists the reasons [CheckTone] gives, by [ToneIssue.Code].
func ToneCodes() []string {
	codes := slices.Sorted(maps.Keys(toneReasons))
	return append(codes, "no_empathy", "forbidden", "promise")
}

// upset reports whether the customer's message was negative, angry or
// frustrated.
func upset(a Analysis) bool {
	return a.Sentiment == Negative || a.Emotion == Anger || a.Emotion == Frustration
}

// toneReasons explain each code of the built-in lists in English.
var toneReasons = map[string]string{
	"blame":         "pushes the problem back on the customer",
	"condescending": "talks down to the customer",
	"insult":        "insults the customer",
	"repeat":        "reproaches the customer for asking again",
	"hopeless":      "shuts the door without saying what can be done",
	"brushoff":      "brushes the customer off",
	"curt":          "a bare refusal reads cold",
}

// toneToken is one word of a draft: its normalized form, where it is, and
// which clause it is in (clauses end at , ; : . ! ? । ॥ and new lines).
type toneToken struct {
	norm       string
	start, end int
	clause     int
}

func isToneClauseBreak(r rune) bool {
	return strings.ContainsRune(",;:.!?।॥\n", r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

func isToneWordRune(r rune) bool {
	return r != '\u200B' && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Cf, r))
}

// toneTokens splits s into normalized words. An apostrophe inside a word
// is dropped ("that's" is "thats"), as are letters typed three times or
// more in a row in Latin words ("nooo" is "no").
func toneTokens(s string) []toneToken {
	var toks []toneToken
	clause := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isToneWordRune(r) {
			if isToneClauseBreak(r) {
				clause++
			}
			i += size
			continue
		}
		start := i
		var word strings.Builder
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if isApostrophe(r) && i > start {
				if next, _ := utf8.DecodeRuneInString(s[i+size:]); unicode.IsLetter(next) {
					i += size
					continue
				}
			}
			if !isToneWordRune(r) {
				break
			}
			word.WriteRune(r)
			i += size
		}
		if norm := collapseRepeats(textnorm.ForSearch(word.String())); norm != "" {
			toks = append(toks, toneToken{norm: norm, start: start, end: i, clause: clause})
		}
	}
	return toks
}

// collapseRepeats folds a Latin letter typed three times or more in a row
// into one.
func collapseRepeats(w string) string {
	rs := []rune(w)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 && rs[i] < utf8.RuneSelf && unicode.IsLetter(rs[i]) {
			n = 1
		}
		for range n {
			b.WriteRune(rs[i])
		}
		i = j
	}
	return b.String()
}

// tonePhrase is one line of the word lists in tone/.
type tonePhrase struct {
	kind, code, variant string
	words               []toneWord
	// first and last: the phrase must open or close its clause.
	first, last bool
}

// toneWord is a word of a phrase: a normalized word, a prefix (ending in
// * in the list), or a gap of up to two words (~).
type toneWord struct {
	norm   string
	prefix bool
	gap    bool
}

// courtesy words may come before a phrase that must open its clause.
var courtesy = map[string]bool{}

func init() {
	for _, w := range strings.Fields("please pls plz just ok okay look listen sir madam maam mam dear hey so now well bhai dada apa apu didi ji arre arey yaar প্লিজ দয়া করে একটু ভাই আপু দাদা ভাইয়া জি प्लीज कृपया भाई जरा जी अरे यार") {
		courtesy[textnorm.ForSearch(w)] = true
	}
}

// matchAt reports where the phrase ends when it matches from toks[i].
func (p *tonePhrase) matchAt(toks []toneToken, i int) (int, bool) {
	if p.first {
		for j := i - 1; j >= 0 && toks[j].clause == toks[i].clause; j-- {
			if !courtesy[toks[j].norm] {
				return 0, false
			}
		}
	}
	end, ok := matchWords(p.words, toks, i, toks[i].clause)
	if !ok || (p.last && end < len(toks) && toks[end].clause == toks[i].clause) {
		return 0, false
	}
	return end, true
}

func matchWords(words []toneWord, toks []toneToken, i, clause int) (int, bool) {
	if len(words) == 0 {
		return i, true
	}
	w := words[0]
	if w.gap {
		for skip := 0; skip <= 2; skip++ {
			if i+skip > len(toks) || (skip > 0 && toks[i+skip-1].clause != clause) {
				break
			}
			if end, ok := matchWords(words[1:], toks, i+skip, clause); ok {
				return end, true
			}
		}
		return 0, false
	}
	if i >= len(toks) || toks[i].clause != clause {
		return 0, false
	}
	if toks[i].norm != w.norm && !(w.prefix && strings.HasPrefix(toks[i].norm, w.norm)) {
		return 0, false
	}
	return matchWords(words[1:], toks, i+1, clause)
}

// policyMatches finds a policy phrase in the draft: all its words in one
// clause within a few words of each other, in any order ("guaranteed
// refund" finds "the refund is guaranteed"), each word also matching a
// longer form of itself ("refund" finds "refunds", "ফেরত" finds "ফেরতের").
// It returns the token ranges, end exclusive.
func policyMatches(toks []toneToken, phrase string) [][2]int {
	var words []string
	for _, t := range toneTokens(phrase) {
		words = append(words, t.norm)
	}
	if len(words) == 0 {
		return nil
	}
	window := len(words) + 2
	var out [][2]int
	for i := 0; i < len(toks); i++ {
		if !policyWord(toks[i].norm, words) {
			continue
		}
		need := slices.Clone(words)
		last := i
		for j := i; j < len(toks) && j < i+window && toks[j].clause == toks[i].clause && len(need) > 0; j++ {
			if k := slices.IndexFunc(need, func(w string) bool { return policyWord(toks[j].norm, []string{w}) }); k >= 0 {
				need = slices.Delete(need, k, k+1)
				last = j
			}
		}
		if len(need) == 0 {
			out = append(out, [2]int{i, last + 1})
			i = last
		}
	}
	return out
}

// policyWord reports whether tok is one of words, or one of them with a
// short ending (at most three letters) when the word has four letters or more.
func policyWord(tok string, words []string) bool {
	for _, w := range words {
		if tok == w {
			return true
		}
		n := utf8.RuneCountInString(w)
		if n >= 4 && strings.HasPrefix(tok, w) && utf8.RuneCountInString(tok)-n <= 3 {
			return true
		}
	}
	return false
}

// hasMarker reports whether the draft greets or shows empathy.
func hasMarker(toks []toneToken) bool {
	for i := range toks {
		for _, m := range toneMarkers {
			if _, ok := m.matchAt(toks, i); ok {
				return true
			}
		}
	}
	return false
}

//go:embed tone/*.txt
var toneFS embed.FS

var tonePhrases, toneMarkers = loadTone()

// phrasesByWord indexes the phrases by their first word, those that
// start with a prefix apart, so a draft is checked only against phrases
// that can start at each of its words.
var phrasesByWord, phrasesByPrefix = indexPhrases(tonePhrases)

func indexPhrases(all []*tonePhrase) (map[string][]*tonePhrase, []*tonePhrase) {
	byWord := map[string][]*tonePhrase{}
	var byPrefix []*tonePhrase
	for _, p := range all {
		if p.words[0].prefix {
			byPrefix = append(byPrefix, p)
		} else {
			byWord[p.words[0].norm] = append(byWord[p.words[0].norm], p)
		}
	}
	return byWord, byPrefix
}

// phrasesAt returns the phrases that may start at a word.
func phrasesAt(word string) []*tonePhrase {
	out := phrasesByWord[word]
	for _, p := range phrasesByPrefix {
		if strings.HasPrefix(word, p.words[0].norm) {
			out = append(slices.Clip(out), p)
		}
	}
	return out
}

// variants name the word lists by file.
var toneVariants = map[string]string{"en.txt": "en", "bn.txt": "bn", "hi.txt": "hi", "bn-latn.txt": "bn-Latn", "hi-latn.txt": "hi-Latn"}

func loadTone() (phrases, markers []*tonePhrase) {
	files, err := fs.Glob(toneFS, "tone/*.txt")
	if err != nil {
		panic(err)
	}
	for _, name := range files {
		base := strings.TrimPrefix(name, "tone/")
		f, err := toneFS.Open(name)
		if err != nil {
			panic(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if base == "markers.txt" {
				markers = append(markers, parsePhrase(line, fmt.Sprintf("%s:%d", name, n)))
				continue
			}
			parts := strings.Split(line, "|")
			if len(parts) != 3 {
				panic(fmt.Sprintf("nlp: %s:%d: want kind | code | phrase", name, n))
			}
			p := parsePhrase(strings.TrimSpace(parts[2]), fmt.Sprintf("%s:%d", name, n))
			p.kind, p.code, p.variant = strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), toneVariants[base]
			if _, ok := toneReasons[p.code]; !ok || !slices.Contains([]string{ToneRude, ToneDismissive, ToneCold}, p.kind) {
				panic(fmt.Sprintf("nlp: %s:%d: unknown kind %q or code %q", name, n, p.kind, p.code))
			}
			phrases = append(phrases, p)
		}
		f.Close()
	}
	return phrases, markers
}

func parsePhrase(s, where string) *tonePhrase {
	p := &tonePhrase{}
	if rest, ok := strings.CutPrefix(s, "^"); ok {
		p.first, s = true, rest
	}
	if rest, ok := strings.CutSuffix(s, "$"); ok {
		p.last, s = true, rest
	}
	for _, f := range strings.Fields(s) {
		switch {
		case f == "~":
			p.words = append(p.words, toneWord{gap: true})
		default:
			prefix := strings.HasSuffix(f, "*")
			toks := toneTokens(strings.TrimSuffix(f, "*"))
			if len(toks) != 1 {
				panic(fmt.Sprintf("nlp: %s: %q is not one word", where, f))
			}
			p.words = append(p.words, toneWord{norm: toks[0].norm, prefix: prefix})
		}
	}
	if len(p.words) == 0 || p.words[0].gap {
		panic(fmt.Sprintf("nlp: %s: a phrase starts with a word", where))
	}
	return p
}

// toneText is what a suggestion is made of, in one language.
type toneText struct {
	// opener acknowledges the customer's feelings; closer says what
	// happens next when nothing of the draft is kept; refusal replaces a
	// bare "no".
	opener, closer, refusal string
	// stop ends a sentence.
	stop string
}

var toneTexts = map[string]toneText{
	"en": {
		opener:  "I understand how frustrating this is, and I'm sorry for the trouble.",
		closer:  "I'm looking into it now and will keep you updated.",
		refusal: "I'm sorry, that isn't possible this time.",
		stop:    ".",
	},
	"bn": {
		opener:  "আমি বুঝতে পারছি এটা কতটা বিরক্তিকর, অসুবিধার জন্য দুঃখিত।",
		closer:  "আমি বিষয়টি এখনই দেখছি এবং আপনাকে জানিয়ে দেব।",
		refusal: "দুঃখিত, এবার এটা সম্ভব হচ্ছে না।",
		stop:    "।",
	},
	"hi": {
		opener:  "मैं समझ सकता हूँ कि यह कितना परेशान करने वाला है, असुविधा के लिए माफ़ी चाहते हैं।",
		closer:  "हम इसे अभी देख रहे हैं और आपको जल्द ही बताएँगे।",
		refusal: "माफ़ कीजिए, इस बार यह संभव नहीं है।",
		stop:    "।",
	},
	"bn-Latn": {
		opener:  "Ami bujhte parchi eta koto ta biroktikor, oshubidhar jonno dukkhito.",
		closer:  "Ami bishoyta ekhoni dekhchi, apnake janiye debo.",
		refusal: "Dukkhito, ebar eta shombhob hocche na.",
		stop:    ".",
	},
	"hi-Latn": {
		opener:  "Main samajh sakta hoon ki yeh kitna pareshan karne wala hai, asuvidha ke liye maafi chahte hain.",
		closer:  "Hum ise abhi dekh rahe hain aur aapko jaldi batayenge.",
		refusal: "Maaf kijiye, is baar yeh sambhav nahi hai.",
		stop:    ".",
	},
}

// suggestionLanguage picks the language of the suggestion: the
// conversation's when the draft is written in its script, otherwise the
// draft's own. romanized holds the romanized lists the draft matched.
func suggestionLanguage(draft, language string, romanized map[string]bool) string {
	base, _, _ := strings.Cut(language, "-")
	switch textnorm.DetectScript(draft) {
	case "bn":
		return "bn"
	case "hi":
		return "hi"
	case "en":
		if base == "bn" || base == "hi" {
			if a := Analyze(draft); a.Language == base || romanized[base+"-Latn"] || strings.HasSuffix(language, "-Latn") {
				return base + "-Latn"
			}
		}
		for _, v := range []string{"bn-Latn", "hi-Latn"} {
			if romanized[v] {
				return v
			}
		}
		return "en"
	}
	if _, ok := toneTexts[language]; ok {
		return language
	}
	if _, ok := toneTexts[base]; ok {
		return base
	}
	return "en"
}

// suggest rephrases a flagged draft: an empathetic opener, then the
// draft's clauses that carry no rude, dismissive or policy issue; a bare
// refusal becomes a polite one, and a draft with nothing left to keep
// says what happens next.
func suggest(draft string, issues []ToneIssue, tt toneText) string {
	var kept strings.Builder
	curt := false
	start := 0
	flush := func(end int) {
		clause := draft[start:end]
		drop := false
		for _, is := range issues {
			if is.Code == "curt" {
				curt = true
			}
			if is.Kind != ToneCold && is.Start < end && start < is.End {
				drop = true
			}
		}
		if !drop && strings.IndexFunc(clause, isToneWordRune) >= 0 {
			kept.WriteString(clause)
		}
		start = end
	}
	for i, r := range draft {
		if isToneClauseBreak(r) {
			flush(i + utf8.RuneLen(r))
		}
	}
	flush(len(draft))
	body := strings.TrimFunc(kept.String(), func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' })
	if curt {
		body = ""
	}
	if body != "" {
		if r, size := utf8.DecodeRuneInString(body); unicode.IsLower(r) {
			body = string(unicode.ToUpper(r)) + body[size:]
		}
		if last, _ := utf8.DecodeLastRuneInString(body); !strings.ContainsRune(".!?।॥", last) {
			body += tt.stop
		}
	}
	parts := []string{tt.opener}
	switch {
	case curt:
		parts = append(parts, tt.refusal, tt.closer)
	case body == "":
		parts = append(parts, tt.closer)
	default:
		parts = append(parts, body)
	}
	return strings.Join(parts, " ")
}
