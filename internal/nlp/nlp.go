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
	"strings"

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

// Thresholds decide when an analysis escalates; see [Analysis.Escalates]. A
// zero field stands for its default (EscalateScore, EscalateAnger,
// EscalateUrgency), so the zero Thresholds are the defaults.
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
	if t.Score == 0 {
		t.Score = EscalateScore
	}
	if t.Anger == 0 {
		t.Anger = EscalateAnger
	}
	if t.Urgency == 0 {
		t.Urgency = EscalateUrgency
	}
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
	r.score(lexiconFor(VariantOf(a.Language, a.Script)), &a)
	return a
}

// reader holds the state of one analysis.
type reader struct {
	text    string
	tokens  []token
	hits    []hit
	reasons []string
	// exclamations and questions count "!" and "?".
	exclamations, questions int
	shouting                bool
	// asked has bit c set when clause c ends with a question mark.
	asked uint64
}

func newReader(text string) *reader {
	return &reader{text: text, tokens: make([]token, 0, 32), hits: make([]hit, 0, 16)}
}
