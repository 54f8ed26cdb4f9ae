// Package nlp understands what a customer wrote, offline: the language and
// script of a message (English, Bengali and Hindi, in their own scripts and
// romanized), how it feels (sentiment, emotion), how urgent it is, and
// whether it asks for a person. It also reads an agent's draft for tone.
//
// Everything here is pure Go over word lists embedded in the binary: no
// model downloads, no network, no state. Analyze is safe for concurrent use.
// docs/nlp.md describes the rules and their measured accuracy.
package nlp

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
	"golang.org/x/text/unicode/norm"
)

// Sentiment labels.
const (
	Negative = "negative"
	Neutral  = "neutral"
	Positive = "positive"
)

// Emotions an analysis names; empty when none stands out.
const (
	Anger       = "anger"
	Frustration = "frustration"
	Gratitude   = "gratitude"
)

// The default escalation thresholds. A message escalates when it asks for a
// person or threatens to leave or complain, and when it crosses one of
// these; they were chosen on the development set (docs/nlp.md), and a bot
// may use its own through [Analysis.Escalates].
const (
	// EscalateScore: a score at or below it escalates. The default, below
	// any score, leaves negativity alone to the queue: a disappointed
	// customer needs a good answer, not necessarily a person at once.
	EscalateScore = -2
	// EscalateAnger: an anger level at or above it escalates.
	EscalateAnger = 0.5
	// EscalateUrgency: a negative message this urgent or more escalates;
	// an urgent question without a complaint does not.
	EscalateUrgency = 0.7
)

// Thresholds decide when an analysis escalates; see [Analysis.Escalates].
type Thresholds struct {
	Score, Anger, Urgency float64
}

// DefaultThresholds are the thresholds Analyze sets Escalate with.
var DefaultThresholds = Thresholds{Score: EscalateScore, Anger: EscalateAnger, Urgency: EscalateUrgency}

// MaxBytes bounds how much of a message Analyze reads: a pasted document
// costs no more than its first few pages.
const MaxBytes = 8 << 10

// Analysis is what one message says beyond its words.
type Analysis struct {
	// Language is "en", "bn" or "hi" (also when romanized), another ISO
	// 639-1 code where the script tells, or "und" when nothing does.
	Language string `json:"language"`
	// Script is the ISO 15924 code of the script: "Latn", "Beng", "Deva"…
	Script string `json:"script"`
	// Sentiment is negative, neutral or positive; Score runs from -1 (most
	// negative) to 1 (most positive).
	Sentiment string  `json:"sentiment"`
	Score     float64 `json:"score"`
	// Emotion is anger, frustration or gratitude, or empty.
	Emotion string `json:"emotion"`
	// AngerLevel runs from 0 to 1: how angry the message reads, whatever
	// emotion was named.
	AngerLevel float64 `json:"anger"`
	// Urgency runs from 0 (none) to 1 (needs an answer now).
	Urgency float64 `json:"urgency"`
	// Threat is set when the customer threatens to leave or to complain
	// publicly or to an authority.
	Threat bool `json:"threat"`
	// WantsHuman is set when the customer asks for a person.
	WantsHuman bool `json:"wants_human"`
	// Escalate is set when the message should reach a person at once: it
	// asks for one, threatens, or crosses [DefaultThresholds].
	Escalate bool `json:"escalate"`
	// Reasons say in words what decided the result, for agents and tests.
	Reasons []string `json:"reasons"`
}

// Escalates reports whether the message should reach a person at once under
// thresholds t.
func (a Analysis) Escalates(t Thresholds) bool {
	return a.WantsHuman || a.Threat || a.Score <= t.Score || a.AngerLevel >= t.Anger ||
		a.Urgency >= t.Urgency && a.Sentiment == Negative
}

// token is one normalized word of a message.
type token struct {
	text string
	// clause counts the clause breaks (sentence punctuation, commas) before
	// the word; phrases and negation stay within a clause.
	clause int
	// script is the script index of the word's first letter.
	script int
}

// hit is a lexicon entry found in a message.
type hit struct {
	e *entry
	// pos is the index of its first token, end one past its last.
	pos, end int
	// scope is the clause, counting "but" words as breaks too.
	scope int
	// value is its contribution to the sentiment.
	value float64
	// negated is set once a negator has turned it.
	negated bool
	// negator is the token index of the negator that turned it, or -1.
	negator int
	// fused is set for a Bengali verb negated by its -নি suffix.
	fused string
}

// Analyze reads one message.
func Analyze(text string) Analysis {
	if len(text) > MaxBytes {
		text = text[:MaxBytes]
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	if !isNFC(text) {
		text = norm.NFC.String(text)
	}
	a := Analysis{Language: "und", Sentiment: Neutral, Reasons: []string{}}
	r := newReader(text)

	var counts scriptCounts
	for _, c := range text {
		counts.add(c)
	}
	dominant := counts.dominant()
	a.Language, a.Script = counts.language(dominant)

	r.tokenize()
	if dominant == latn {
		var ev romanEvidence
		for _, t := range r.tokens {
			if t.script == latn {
				ev.add(t.text)
			}
		}
		a.Language = ev.decide()
	}
	r.shouting = shouting(text, &counts)
	r.score(lexiconFor(variantOf(a.Language, a.Script)), &a)
	return a
}

// reader holds the state of one analysis.
type reader struct {
	text    string
	tokens  []token
	hits    []hit
	reasons []string
	// exclamations and questions count "!" and "?"; clauses counts breaks.
	exclamations, questions int
	shouting                bool
	// asked has bit c set when clause c ends with a question mark.
	asked uint64
}

func newReader(text string) *reader {
	return &reader{text: text, tokens: make([]token, 0, 32), hits: make([]hit, 0, 16)}
}

// isClauseBreak reports whether r ends a clause: sentence punctuation,
// commas and the danda.
func isClauseBreak(r rune) bool {
	switch r {
	case '.', ',', '!', '?', ';', ':', '\n', '।', '॥', '…', '(', ')', '"', '“', '”':
		return true
	}
	return false
}

// isWordRune reports whether r belongs inside a word; it agrees with
// textnorm, which deletes format characters rather than splitting on them.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return r != '\u200B' && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Cf, r))
}

// tokenize splits the text into normalized words, counts punctuation and
// reads emoji and emoticons.
func (r *reader) tokenize() {
	s := r.text
	clause := 0
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(c) {
			j := i + size
			for j < len(s) {
				c2, size2 := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(c2) {
					break
				}
				j += size2
			}
			r.addWord(s[i:j], clause)
			i = j
			continue
		}
		switch {
		case c == '!':
			r.exclamations++
		case c == '?':
			r.questions++
			if clause < 64 {
				r.asked |= 1 << clause
			}
		case isEmoji(c):
			r.addEmoji(c, clause)
		}
		if isClauseBreak(c) {
			clause++
		}
		i += size
	}
	for _, e := range emojis.emoticons {
		for from := 0; ; {
			k := strings.Index(s[from:], e.text)
			if k < 0 {
				break
			}
			k += from
			if emoticonEnds(s, k, k+len(e.text)) {
				r.hits = append(r.hits, hit{e: e, pos: -1, end: -1, negator: -1, value: e.polarity})
			}
			from = k + len(e.text)
		}
	}
}

// addWord appends the normalized form of one word of the text.
func (r *reader) addWord(w string, clause int) {
	first, _ := utf8.DecodeRuneInString(w)
	script := -1
	switch {
	case first < utf8.RuneSelf:
		script = latn
		if !isASCIILower(w) {
			w = strings.ToLower(w)
		}
		r.tokens = append(r.tokens, token{text: w, clause: clause, script: script})
		return
	case unicode.Is(unicode.Bengali, first):
		script = beng
	case unicode.Is(unicode.Devanagari, first):
		script = deva
	case unicode.Is(unicode.Latin, first):
		script = latn
	}
	if folded, ok := foldIndic(w); ok {
		r.tokens = append(r.tokens, token{text: folded, clause: clause, script: script})
		return
	}
	for _, part := range strings.Fields(textnorm.ForSearch(w)) {
		r.tokens = append(r.tokens, token{text: part, clause: clause, script: script})
	}
}

// foldIndic is textnorm.ForSearch for one word in NFC, made cheap for the
// common case: it drops nukta and joiners, folds candrabindu to anusvara and
// native digits to ASCII, and allocates only when something changes. It
// reports false for a word it cannot fold alone (with letters that have
// case), which ForSearch then handles.
func foldIndic(w string) (string, bool) {
	changed := false
	for _, c := range w {
		switch {
		case c == '\u093C' || c == '\u09BC' || c == '\u0901' || c == '\u0981' || c == 'ऩ' || c == 'ऱ' || c == 'ऴ' ||
			c >= '\u0966' && c <= '\u096F' || c >= '\u09E6' && c <= '\u09EF' || unicode.Is(unicode.Cf, c):
			changed = true
		case c < utf8.RuneSelf || unicode.IsUpper(c) || unicode.IsLower(c):
			return "", false
		}
	}
	if !changed {
		return w, true
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, c := range w {
		switch {
		case c == '\u093C' || c == '\u09BC' || unicode.Is(unicode.Cf, c):
		case c == '\u0901':
			b.WriteRune('\u0902')
		case c == '\u0981':
			b.WriteRune('\u0982')
		case c == 'ऩ':
			b.WriteRune('न')
		case c == 'ऱ':
			b.WriteRune('र')
		case c == 'ऴ':
			b.WriteRune('ळ')
		case c >= '\u0966' && c <= '\u096F':
			b.WriteRune('0' + c - '\u0966')
		case c >= '\u09E6' && c <= '\u09EF':
			b.WriteRune('0' + c - '\u09E6')
		default:
			b.WriteRune(c)
		}
	}
	return b.String(), true
}

// isNFC reports whether s is in Unicode Normalization Form C. Text in ASCII,
// Bengali and Devanagari is checked by their few rules, quicker than the
// general check (which the rest gets): a nukta never follows a virama nor
// the letters it composes with (न, र, ळ), the letters NFC decomposes never
// appear, and Bengali's two-part vowels are precomposed.
func isNFC(s string) bool {
	var prev rune
	for _, c := range s {
		switch {
		case c < utf8.RuneSelf:
		case c == '\u093C' || c == '\u09BC':
			if prev == '\u094D' || prev == '\u09CD' || c == '\u093C' && (prev == 'न' || prev == 'र' || prev == 'ळ') {
				return false
			}
		case c >= '\u0958' && c <= '\u095F' || c == '\u09DC' || c == '\u09DD' || c == '\u09DF' || c >= '\u0951' && c <= '\u0954':
			return false
		case c == '\u09BE' || c == '\u09D7':
			if prev == '\u09C7' {
				return false
			}
		case c >= '\u0900' && c <= '\u09FF' || c == '\u200C' || c == '\u200D' || c == '\u0964' || c == '\u0965':
		default:
			return norm.NFC.IsNormalString(s)
		}
		prev = c
	}
	return true
}

func isASCIILower(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || 'A' <= w[i] && w[i] <= 'Z' {
			return false
		}
	}
	return true
}

// maxSameEmoji bounds how often one emoji counts: "😡😡😡" is angrier than
// "😡", but a row of fifty is not fifty times so.
const maxSameEmoji = 3

func (r *reader) addEmoji(c rune, clause int) {
	e := emojis.runes[c]
	if e == nil {
		return
	}
	n := 0
	for _, h := range r.hits {
		if h.e == e {
			n++
		}
	}
	if n < maxSameEmoji {
		r.hits = append(r.hits, hit{e: e, pos: -1, end: -1, negator: -1, scope: clause, value: e.polarity})
	}
}

// shouting reports whether a message shouts: three words or more in
// capitals, or Latin letters mostly capitals, with at least eight capitals
// either way so that acronyms (OTP, COD, UPI) do not count.
func shouting(text string, c *scriptCounts) bool {
	if c.upper < 8 {
		return false
	}
	words := 0
	for _, w := range strings.Fields(text) {
		upper, lower := 0, 0
		for _, r := range w {
			switch {
			case unicode.IsUpper(r):
				upper++
			case unicode.IsLower(r):
				lower++
			}
		}
		if upper >= 2 && lower == 0 {
			words++
		}
	}
	return words >= 3 || words >= 2 && float64(c.upper) >= 0.7*float64(c.latinLetters)
}

// Weights of the rules, chosen on the development set.
const (
	// intensify multiplies a sentiment word after an intensifier.
	intensify = 1.5
	// negatedPositive and negatedNegative multiply a negated word: "not
	// good" is bad, "not bad" is only mildly good.
	negatedPositive = -0.8
	negatedNegative = -0.7
	// unmetExpectation is a negated expectation: "has not arrived".
	unmetExpectation = -1.8
	// beforeBut and afterBut weigh the clauses around "but": the
	// complaint after it is what the customer wants acted on.
	beforeBut = 0.3
	afterBut  = 1.5
	// exclamationBoost adds to the size of the sum per "!", up to four.
	exclamationBoost = 0.3
	// normalization is alpha in score = sum / sqrt(sum² + alpha).
	normalization = 8
	// neutralBand is how far from 0 a score must be to be labelled.
	neutralBand = 0.2
	// negationWindow is how many words away a negator reaches.
	negationWindow = 3
	// inQuestion weighs a word in a question: "is that a problem?" is
	// not a complaint, "ar koto din wait korbo??" still is.
	inQuestion = 0.5
	// praiseWords is how many words a positive message needs to be
	// gratitude without a word of thanks.
	praiseWords = 3
)

// score finds the lexicon's entries in the tokens and decides everything
// else from them.
func (r *reader) score(l *lexicon, a *Analysis) {
	r.findEntries(l)
	r.applyModifiers()

	var sum float64
	var anger, frustration, gratitude, urgent float64
	// afterBreak is the first scope after the last "but", or -1.
	afterBreak := -1
	for _, h := range r.hits {
		if h.e.has(tagBreak) && h.pos >= 0 {
			afterBreak = max(afterBreak, h.scope+1)
		}
	}
	for i := range r.hits {
		h := &r.hits[i]
		e := h.e
		v := h.value
		if afterBreak >= 0 && h.pos >= 0 && v != 0 {
			if h.scope < afterBreak {
				v *= beforeBut
			} else {
				v *= afterBut
			}
		}
		if h.pos >= 0 && r.isQuestion(r.tokens[h.pos].clause) {
			// "is that a problem?" asks; it does not complain.
			v *= inQuestion
		}
		sum += v
		negative := h.value < 0 || e.polarity < 0 && !h.negated
		switch {
		case h.fused != "":
			r.reason("fused negation: " + h.fused)
			frustration++
		case h.negated && e.has(tagExpect) && e.polarity == 0:
			r.reason("unmet expectation: " + r.phrase(h))
			frustration++
		case h.negated && e.polarity > 0:
			r.reason("negated positive: " + r.phrase(h))
		case h.negated && e.polarity < 0:
			r.reason("negated negative: " + r.phrase(h))
		case e.polarity > 0 && h.pos < 0:
			r.reason("positive emoji: " + e.text)
		case e.polarity < 0 && h.pos < 0:
			r.reason("negative emoji: " + e.text)
		case e.polarity > 0:
			r.reason("positive: " + r.span(h.pos, h.end))
		case e.polarity < 0 && !e.has(tagThreat):
			r.reason("negative: " + r.span(h.pos, h.end))
		}
		if h.negated && !e.has(tagThreat) {
			continue
		}
		if e.has(tagAnger) && negative || e.has(tagAnger) && e.polarity == 0 {
			anger++
		}
		if e.has(tagFrustration) {
			frustration++
		}
		if e.has(tagGratitude) {
			gratitude++
		}
		if e.has(tagUrgent) {
			urgent++
			r.reason("urgent: " + r.spanOf(h))
		}
		if e.has(tagSoon) {
			urgent += 0.5
		}
		if e.has(tagThreat) {
			a.Threat = true
			r.reason("threat to leave or complain: " + r.spanOf(h))
		}
	}

	if sum != 0 && r.exclamations > 0 {
		boost := exclamationBoost * float64(min(r.exclamations, 4))
		sum += math.Copysign(boost, sum)
		if r.exclamations >= 2 {
			r.reason("repeated !")
		}
	}
	if r.questions >= 3 && sum < 0 {
		sum -= 0.5
		r.reason("repeated ?")
	}
	if r.shouting {
		r.reason("shouting in capitals")
		if sum <= 0 {
			sum -= 1
			anger++
		}
	}
	if a.Threat {
		anger++
	}
	if r.exclamations >= 3 && sum < 0 {
		anger += 0.5
	}

	a.Score = round2(sum / math.Sqrt(sum*sum+normalization))
	switch {
	case a.Score >= neutralBand:
		a.Sentiment = Positive
	case a.Score <= -neutralBand:
		a.Sentiment = Negative
	}

	a.AngerLevel = round2(1 - math.Exp(-0.7*anger))
	// Anger and frustration belong to complaints, gratitude to praise. A
	// complaint without hostility is frustration, even when calm; praise
	// of more than a word or two ("packaging was great!") is gratitude,
	// a bare acknowledgement ("great", "👍") is not.
	switch a.Sentiment {
	case Negative:
		a.Emotion = Frustration
		if anger >= 1 && anger >= frustration {
			a.Emotion = Anger
		}
	case Positive:
		if gratitude >= 1 || len(r.tokens) >= praiseWords {
			a.Emotion = Gratitude
		}
	}
	if a.Sentiment != Negative {
		a.AngerLevel = 0
	}

	u := urgent
	u += 0.3 * anger
	if r.exclamations >= 2 {
		u += 0.2
	}
	if a.Sentiment == Positive {
		// "solved so quickly, thanks": speed praised, not asked for.
		u *= 0.3
	}
	a.Urgency = round2(1 - math.Exp(-1.3*u))

	a.WantsHuman = r.asksForPerson()
	if a.WantsHuman {
		r.reason("asked for a person")
	}
	// The constants, not DefaultThresholds, which a caller could change.
	a.Escalate = a.Escalates(Thresholds{Score: EscalateScore, Anger: EscalateAnger, Urgency: EscalateUrgency})
	a.Reasons = r.reasons
	if a.Reasons == nil {
		a.Reasons = []string{}
	}
}

// asksForPerson reports whether the message asks for a person: with a
// phrase that does on its own ("real person"), or, within one clause, by
// naming a person with a request to talk ("কথা বলতে চাই", "baat karao") or
// right beside a request ("agent please", "मुझे एजेंट चाहिए"). A person only
// mentioned ("is the agent app free?", "I spoke to your agent") is not.
func (r *reader) asksForPerson() bool {
	for i := range r.hits {
		p := &r.hits[i]
		if p.e.has(tagHuman) && !p.negated {
			return true
		}
		if !p.e.has(tagPerson) || p.pos < 0 {
			continue
		}
		talk, request := false, false
		for j := range r.hits {
			h := &r.hits[j]
			if h.pos < 0 || r.tokens[h.pos].clause != r.tokens[p.pos].clause {
				continue
			}
			talk = talk || h.e.has(tagTalk)
			if h.e.has(tagRequest) {
				request = true
				if h.pos >= p.end && h.pos-p.end <= 2 || p.pos >= h.end && p.pos-h.end <= 2 {
					// Right beside the person: "agent please".
					talk = true
				}
			}
		}
		if talk && request || r.onlyAsks() {
			return true
		}
	}
	// "Is any agent online? I need to talk to one.": the request to talk
	// may follow the person in a clause of its own.
	personClause := -1
	talkClause, requestClause := -1, -1
	for i := range r.hits {
		h := &r.hits[i]
		if h.pos < 0 {
			continue
		}
		c := r.tokens[h.pos].clause
		switch {
		case h.e.has(tagPerson):
			if personClause < 0 {
				personClause = c
			}
		case personClause >= 0 && c > personClause:
			if h.e.has(tagTalk) {
				talkClause = c
			}
			if h.e.has(tagRequest) {
				requestClause = c
			}
			if talkClause == requestClause && talkClause >= 0 {
				return true
			}
		}
	}
	return false
}

// onlyAsks reports whether every word of a short message is part of an
// entry, as in "agent please" or "মানুষ চাই".
func (r *reader) onlyAsks() bool {
	if len(r.tokens) > 4 {
		return false
	}
	covered := 0
	for _, h := range r.hits {
		if h.pos >= 0 {
			covered += h.end - h.pos
		}
	}
	return covered == len(r.tokens)
}

// isQuestion reports whether clause c ends with a question mark.
func (r *reader) isQuestion(c int) bool {
	return c < 64 && r.asked&(1<<c) != 0
}

// maxReasons bounds the reasons an analysis gives.
const maxReasons = 12

func (r *reader) reason(s string) {
	if len(r.reasons) >= maxReasons {
		return
	}
	for _, x := range r.reasons {
		if x == s {
			return
		}
	}
	r.reasons = append(r.reasons, s)
}

// phrase returns the words a hit spans with the negator that turned it, as
// the message has them.
func (r *reader) phrase(h *hit) string {
	from, to := h.pos, h.end
	if h.negator >= 0 {
		from, to = min(from, h.negator), max(to, h.negator+1)
	}
	return r.span(from, to)
}

// span returns tokens[from:to] joined by spaces.
func (r *reader) span(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		if i > from {
			b.WriteByte(' ')
		}
		b.WriteString(r.tokens[i].text)
	}
	return b.String()
}

// spanOf returns the words of a hit, or the emoji's text.
func (r *reader) spanOf(h *hit) string {
	if h.pos < 0 {
		return h.e.text
	}
	return r.span(h.pos, h.end)
}

func round2(x float64) float64 {
	return math.Round(x*100) / 100
}
