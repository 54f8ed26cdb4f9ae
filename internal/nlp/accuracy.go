package nlp

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Labelled is one message of a labelled set (testdata/dev.tsv, test.tsv)
// with what a person decided about it.
type Labelled struct {
	Text string
	// Variant is en, bn, hi, bn-Latn or hi-Latn.
	Variant string
	// Sentiment is negative, neutral or positive; Emotion is anger,
	// frustration, gratitude or "" (none).
	Sentiment, Emotion string
	// Urgent is set for high urgency.
	Urgent, Escalate, WantsHuman bool
}

// labelledColumns are the columns of a labelled file, in order.
var labelledColumns = []string{"text", "variant", "sentiment", "emotion", "urgency", "escalate", "wants_human"}

// maxLabelledLine bounds a line of a labelled file.
const maxLabelledLine = 64 << 10

// ReadLabelled reads a labelled set: tab-separated, a header line naming the
// columns text, variant, sentiment, emotion, urgency, escalate and
// wants_human, then one message a line.
func ReadLabelled(r io.Reader) ([]Labelled, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLabelledLine)
	var out []Labelled
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(sc.Text(), "\t")
		if line == 1 {
			if strings.Join(fields, "\t") != strings.Join(labelledColumns, "\t") {
				return nil, fmt.Errorf("line 1: header %q, want %q", sc.Text(), strings.Join(labelledColumns, "\t"))
			}
			continue
		}
		if len(fields) != len(labelledColumns) {
			return nil, fmt.Errorf("line %d: %d columns, want %d", line, len(fields), len(labelledColumns))
		}
		l := Labelled{Text: fields[0], Variant: fields[1], Sentiment: fields[2], Emotion: fields[3]}
		if l.Emotion == "none" {
			l.Emotion = ""
		}
		var err error
		bad := func(column, value string, allowed ...string) {
			for _, a := range allowed {
				if value == a {
					return
				}
			}
			if err == nil {
				err = fmt.Errorf("line %d: %s %q, want one of %s", line, column, value, strings.Join(allowed, ", "))
			}
		}
		bad("variant", l.Variant, variants...)
		bad("sentiment", l.Sentiment, Negative, Neutral, Positive)
		bad("emotion", fields[3], Anger, Frustration, Gratitude, "none")
		bad("urgency", fields[4], "high", "low")
		bad("escalate", fields[5], "yes", "no")
		bad("wants_human", fields[6], "yes", "no")
		if err != nil {
			return nil, err
		}
		l.Urgent, l.Escalate, l.WantsHuman = fields[4] == "high", fields[5] == "yes", fields[6] == "yes"
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("empty file, want a header line")
	}
	return out, nil
}

// baselines are published results of classical systems, beside which the
// report puts ours: SentNoB (Bengali social-media comments, micro-F1 of
// lexical n-grams, Islam et al. 2021) and SemEval-2020 SentiMix (Hinglish
// tweets, F1 of a classical system).
var baselines = map[string]string{
	"bn":      "64.6 (SentNoB)",
	"hi-Latn": "≈ 66 (SentiMix)",
}

// counts is a confusion tally of a yes/no decision.
type counts struct{ tp, fp, fn int }

func (c *counts) add(predicted, actual bool) {
	switch {
	case predicted && actual:
		c.tp++
	case predicted:
		c.fp++
	case actual:
		c.fn++
	}
}

func (c counts) precision() string { return ratio(c.tp, c.tp+c.fp) }
func (c counts) recall() string    { return ratio(c.tp, c.tp+c.fn) }

func (c counts) f1() float64 {
	if c.tp == 0 {
		return 0
	}
	return 2 * float64(c.tp) / float64(2*c.tp+c.fp+c.fn)
}

// ratio formats a/b as a percentage, or "–" when b is 0.
func ratio(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", 100*float64(a)/float64(b))
}

// score is the tally of one variant.
type score struct {
	n                       int
	languageRight, withText int
	sentimentRight          int
	sentiment               map[string]*counts
	emotionRight            int
	urgent, escalate, human counts
}

// Accuracy measures Analyze on a labelled set and returns a Markdown table
// with a row per variant and one for all: language accuracy (messages with
// letters only), sentiment accuracy (which is micro-F1 for one label a
// message) and macro-F1, emotion accuracy, precision and recall of high
// urgency, escalation and asking for a person, and the published baseline.
func Accuracy(set []Labelled) string {
	rows := map[string]*score{}
	newScore := func() *score {
		s := &score{sentiment: map[string]*counts{}}
		for _, l := range []string{Negative, Neutral, Positive} {
			s.sentiment[l] = &counts{}
		}
		return s
	}
	all := newScore()
	for _, l := range set {
		s := rows[l.Variant]
		if s == nil {
			s = newScore()
			rows[l.Variant] = s
		}
		a := Analyze(l.Text)
		for _, s := range []*score{s, all} {
			s.n++
			if a.Script != "" {
				s.withText++
				if a.Variant() == l.Variant {
					s.languageRight++
				}
			}
			if a.Sentiment == l.Sentiment {
				s.sentimentRight++
			}
			for label, c := range s.sentiment {
				c.add(a.Sentiment == label, l.Sentiment == label)
			}
			if a.Emotion == l.Emotion {
				s.emotionRight++
			}
			s.urgent.add(a.Urgency >= EscalateUrgency, l.Urgent)
			s.escalate.add(a.Escalate, l.Escalate)
			s.human.add(a.WantsHuman, l.WantsHuman)
		}
	}

	var b strings.Builder
	b.WriteString("| variant | messages | language | sentiment accuracy (micro-F1) | sentiment macro-F1 | emotion accuracy | urgent P / R | escalate P / R | wants human P / R | published baseline (micro-F1) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(name string, s *score) {
		macro := 0.0
		for _, c := range s.sentiment {
			macro += c.f1()
		}
		macro /= float64(len(s.sentiment))
		baseline := baselines[name]
		if baseline == "" {
			baseline = "–"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %.1f | %s | %s / %s | %s / %s | %s / %s | %s |\n",
			name, s.n, ratio(s.languageRight, s.withText), ratio(s.sentimentRight, s.n), 100*macro,
			ratio(s.emotionRight, s.n), s.urgent.precision(), s.urgent.recall(),
			s.escalate.precision(), s.escalate.recall(), s.human.precision(), s.human.recall(), baseline)
	}
	for _, v := range variants {
		if s := rows[v]; s != nil {
			row(v, s)
		}
	}
	row("all", all)
	return b.String()
}
