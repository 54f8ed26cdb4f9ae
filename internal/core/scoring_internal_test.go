package core

import (
	"testing"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
)

func TestMoodFollowsTheCustomersMessages(t *testing.T) {
	c := &sahay.Conversation{Language: "bn"}
	steps := []struct {
		name     string
		a        nlp.Analysis
		label    string
		trend    string
		average  float64
		language string
	}{
		{"the first message sets the mood", nlp.Analysis{Language: "en", Sentiment: sahay.MoodNegative, Score: -0.6, Emotion: nlp.Anger, Urgency: 0.8},
			sahay.MoodNegative, sahay.TrendSteady, -0.6, "en"},
		{"much better than the average rises", nlp.Analysis{Language: "und", Sentiment: sahay.MoodPositive, Score: 0.4},
			sahay.MoodPositive, sahay.TrendRising, -0.1, "en"},
		{"close to the average is steady", nlp.Analysis{Language: "bn", Sentiment: sahay.MoodNeutral, Score: 0},
			sahay.MoodNeutral, sahay.TrendSteady, -0.05, "bn"},
		{"much worse falls", nlp.Analysis{Language: "bn", Sentiment: sahay.MoodNegative, Score: -0.5, Emotion: nlp.Frustration},
			sahay.MoodNegative, sahay.TrendFalling, -0.275, "bn"},
	}
	for _, s := range steps {
		moveMood(c, s.a)
		m := c.Mood
		if m == nil || m.Sentiment != s.label || m.Trend != s.trend || m.Score != s.a.Score || c.Sentiment != s.a.Score ||
			m.Emotion != s.a.Emotion || m.Urgency != s.a.Urgency || c.Language != s.language || !near(m.Average, s.average) {
			t.Fatalf("%s: mood %+v, sentiment %v, language %q; want %s %s average %v language %q",
				s.name, m, c.Sentiment, c.Language, s.label, s.trend, s.average, s.language)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
