package nlp

import (
	"math"
	"strings"
	"unicode"
)

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
	// sarcasm is what a sarcastic opener takes from the score.
	sarcasm = 2
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

	if r.sarcastic() {
		// "wah, 20 din mein delivery!": the praise is for the wait.
		sum = -math.Abs(sum) - sarcasm
		frustration++
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

// sarcastic reports whether the message opens with praise (wow, বাহ, वाह)
// and goes on to name a length of time: "wow, 10 days for a parcel",
// "বাহ, ১৫ দিনে একটা পার্সেল!". Praise of the thing itself ("বাহ, জামাটা খুব
// সুন্দর") names no time.
func (r *reader) sarcastic() bool {
	var wow *hit
	for i := range r.hits {
		h := &r.hits[i]
		switch {
		case h.pos == 0 && h.e.has(tagWow):
			wow = h
		case wow != nil && h.pos >= 0 && h.e.has(tagDuration):
			r.reason("sarcasm: " + r.span(wow.pos, wow.end) + " … " + r.span(h.pos, h.end))
			return true
		}
	}
	return false
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
