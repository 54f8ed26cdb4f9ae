package bot

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/nlp"
)

func fixtureIndex(t *testing.T) *Index {
	t.Helper()
	raw, err := os.ReadFile("testdata/faqs.json")
	if err != nil {
		t.Fatal(err)
	}
	var faqs []*sahay.FAQ
	if err := json.Unmarshal(raw, &faqs); err != nil {
		t.Fatal(err)
	}
	return NewIndex(faqs)
}

func TestTermsStemAndFold(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"অর্ডারটি", "অর্ডার"},
		{"অর্ডারগুলোর", "অর্ডার"},
		{"অর্ডারের", "অর্ডার"},
		{"ডেলিভারির", "ডেলিভারি"},
		{"পাবো", "পাব"},
		{"ऑर्डरों", "ऑर्डर"},
		{"लड़कियों", "लडकी"},
		{"पहुँचेगा", "पहुंचेगा"},
		{"orders", "order"},
		{"cancelled", "cancel"},
		{"achha", "acha"},
		{"bhalo", "valo"},
		{"insaan", "insan"},
		{"nahin", "nhi"},
		{"kahan", "kaha"},
		{"Refunds", "REFUND"},
		{"\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC", "কোথায়"},
	} {
		a, b := Terms(tc.a), Terms(tc.b)
		if len(a) != 1 || !slices.Equal(a, b) {
			t.Errorf("Terms(%q) = %q, Terms(%q) = %q: want one and the same term", tc.a, a, tc.b, b)
		}
	}
	for _, s := range []string{"how do I", "আমি কি", "मैं क्या", "ami ki", "mujhe kya", "please thank you"} {
		if got := Terms(s); len(got) != 0 {
			t.Errorf("Terms(%q) = %q, want none: function words only", s, got)
		}
	}
}

// TestRetrievalRelevance asks the fixture's questions as customers write
// them, in every variant, and checks the entry the bot would answer with.
func TestRetrievalRelevance(t *testing.T) {
	ix := fixtureIndex(t)
	for _, tc := range []struct {
		lang, query string
		want        int64
	}{
		{"en", "how can I cancel my order", 1},
		{"en", "I want to cancel", 1},
		{"en", "where is my parcel", 2},
		{"en", "track order", 2},
		{"en", "I want my money back", 3},
		{"en", "do you take bKash?", 4},
		{"bn", "অর্ডারটি বাতিল করতে চাই", 5},
		{"bn", "আমার অর্ডারটি কোথায়?", 6},
		{"bn", "রিফান্ড কবে পাবো", 7},
		{"bn", "টাকা ফেরত চাই", 7},
		{"hi", "ऑर्डरों को कैंसिल कैसे करें", 8},
		{"hi", "मेरे ऑर्डर कहाँ हैं", 9},
		{"hi", "रिफंड कब मिलेगा भाई", 10},
		{"bn", "order cancel korte chai", 5},
		{"bn", "amar order kothay ache?", 6},
		{"bn", "refund kobe pabo", 7},
		{"hi", "mera order kahan hai", 9},
		{"hi", "refund kab milegaa", 10},
		{"hi", "order cancel kaise karen", 8},
	} {
		m, ok := ix.Answer(tc.query, tc.lang, 0.5)
		if !ok || m.FAQ.ID != tc.want {
			got := "nothing"
			if m != nil {
				got = m.FAQ.Question
			}
			t.Errorf("%s %q: answered %v with %s (%+v), want entry %d", tc.lang, tc.query, ok, got, m, tc.want)
		}
	}
}

// TestNeverAnswersBelowThreshold checks that no confidence below the
// threshold is ever an answer, on questions the fixture answers, half
// answers and does not answer, at every threshold.
func TestNeverAnswersBelowThreshold(t *testing.T) {
	ix := fixtureIndex(t)
	queries := []string{"how can I cancel my order", "order", "what is your return policy", "the weather today", "hello",
		"আজকের আবহাওয়া কেমন", "অর্ডার", "ऑर्डर", "cancel", "mera order kahan hai", "refund", "payment order cancel refund"}
	answered := 0
	for _, q := range queries {
		for _, lang := range []string{"en", "bn", "hi"} {
			for th := 0.0; th <= 1.0001; th += 0.05 {
				m, ok := ix.Answer(q, lang, th)
				if m != nil && (m.Confidence < 0 || m.Confidence > 1) {
					t.Fatalf("%q: confidence %v is not in 0..1", q, m.Confidence)
				}
				if ok && m.Confidence < th {
					t.Fatalf("%s %q at threshold %.2f: answered with confidence %.2f", lang, q, th, m.Confidence)
				}
				if ok {
					answered++
				}
			}
		}
	}
	if answered == 0 {
		t.Fatal("nothing was ever answered: the test proves nothing")
	}
	for _, q := range []string{"the weather today", "what is your return policy", "order", "অর্ডার", "ऑर्डर", "hello"} {
		if m, ok := ix.Answer(q, "en", 0.5); ok {
			t.Errorf("%q answered with %q at %.2f; an unknown or ambiguous question must not be", q, m.FAQ.Question, m.Confidence)
		}
	}
	if _, ok := ix.Answer("how can I cancel my order", "en", 1.0001); ok {
		t.Error("answered above any possible confidence")
	}
}

func TestAsksForHumanEveryVariant(t *testing.T) {
	for _, tc := range []struct{ variant, text string }{
		{"en", "human"},
		{"en", "Agent please"},
		{"en", "can I talk to someone real?"},
		{"en", "I want to speak to a person"},
		{"en", "connect me with a REAL PERSON now"},
		{"en", "representative"},
		{"bn", "মানুষের সাথে কথা বলতে চাই"},
		{"bn", "এজেন্ট দিন"},
		{"bn", "কারো সাথে কথা বলা যাবে?"},
		{"bn", "প্রতিনিধির সঙ্গে কথা বলব"},
		{"hi", "किसी इंसान से बात कराओ"},
		{"hi", "एजेंट से बात करनी है"},
		{"hi", "किसी से बात करवा दो"},
		{"hi", "असली व्यक्ति चाहिए"},
		{"bn-Latn", "manusher sathe kotha bolte chai"},
		{"bn-Latn", "kono manush ache?"},
		{"bn-Latn", "karo sathe kotha bolbo"},
		{"hi-Latn", "kisi insaan se baat karao"},
		{"hi-Latn", "kisi se baat karao yaar"},
		{"hi-Latn", "asli banda chahiye"},
		{"hi-Latn", "agent se baat karni hai"},
	} {
		ok, variant := AsksForHuman(tc.text)
		if !ok {
			t.Errorf("%s %q: not read as asking for a person", tc.variant, tc.text)
			continue
		}
		if variant != tc.variant && !(tc.variant == "hi-Latn" && variant == "en") {
			t.Errorf("%q: read as %s, want %s", tc.text, variant, tc.variant)
		}
	}
	for _, text := range []string{"where is my order", "আমার অর্ডার কোথায়", "मेरा ऑर्डर कहाँ है", "amar order kothay", "mera order kahan hai",
		"refund kab milega", "thank you so much", "is this a humane product"} {
		if ok, v := AsksForHuman(text); ok {
			t.Errorf("%q read as asking for a person (%s)", text, v)
		}
	}
}

func TestHandoffReasonThresholds(t *testing.T) {
	s := sahay.DefaultBotSettings(1)
	for _, tc := range []struct {
		name string
		a    nlp.Analysis
		want string
	}{
		{"calm", nlp.Analysis{Score: -0.2}, ""},
		{"negative past the threshold", nlp.Analysis{Score: -0.6}, sahay.HandoffNegative},
		{"negative short of it", nlp.Analysis{Score: -0.59}, ""},
		{"angry", nlp.Analysis{Score: -0.3, AngerLevel: 0.5, Emotion: nlp.Anger}, sahay.HandoffAnger},
		{"a little cross", nlp.Analysis{Score: -0.1, AngerLevel: 0.49, Emotion: nlp.Anger}, ""},
		{"threatening to leave", nlp.Analysis{Score: -0.2, Threat: true}, sahay.HandoffThreat},
		{"urgent", nlp.Analysis{Urgency: 0.7}, sahay.HandoffUrgent},
		{"not urgent enough", nlp.Analysis{Urgency: 0.69}, ""},
		{"analyzer heard a request", nlp.Analysis{WantsHuman: true}, sahay.HandoffAsked},
	} {
		if got := HandoffReason("hello", tc.a, &s); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := HandoffReason("kisi insaan se baat karao", nlp.Analysis{}, &s); got != sahay.HandoffAsked {
		t.Errorf("a request the analyzer missed: %q", got)
	}
	off := sahay.BotSettings{Threshold: 0.5}
	if got := HandoffReason("hello", nlp.Analysis{Score: -1, AngerLevel: 1, Urgency: 1}, &off); got != "" {
		t.Errorf("thresholds of 0 handed off (%q): 0 turns a trigger off", got)
	}
}

func TestIsVIP(t *testing.T) {
	for _, tc := range []struct {
		attrs  map[string]any
		labels []string
		want   bool
	}{
		{map[string]any{"vip": true}, nil, true},
		{map[string]any{"vip": "yes"}, nil, true},
		{map[string]any{"vip": float64(1)}, nil, true},
		{map[string]any{"vip": false}, nil, false},
		{map[string]any{"vip": "no"}, nil, false},
		{nil, []string{"vip"}, true},
		{nil, []string{"billing"}, false},
	} {
		if got := IsVIP(&sahay.Contact{Attributes: tc.attrs}, tc.labels); got != tc.want {
			t.Errorf("IsVIP(%v, %v) = %v", tc.attrs, tc.labels, got)
		}
	}
}

func TestComingTellsWhen(t *testing.T) {
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, dhaka) // a Friday evening
	for _, tc := range []struct {
		lang  string
		opens time.Time
		want  []string
	}{
		{"en", time.Time{}, []string{"within about 15 minutes"}},
		{"bn", time.Time{}, []string{"১৫", "মিনিটের মধ্যে"}},
		{"hi", time.Time{}, []string{"15 मिनट"}},
		{"en", time.Date(2026, 12, 5, 9, 0, 0, 0, dhaka), []string{"closed", "tomorrow at 09:00"}},
		{"bn", time.Date(2026, 12, 5, 9, 0, 0, 0, dhaka), []string{"বন্ধ", "আগামীকাল 09:00"}},
		{"hi", time.Date(2026, 12, 7, 9, 0, 0, 0, dhaka), []string{"बंद", "सोमवार 09:00"}},
		{"en", time.Date(2026, 12, 7, 9, 0, 0, 0, dhaka), []string{"on Monday at 09:00"}},
	} {
		got := Coming(tc.lang, 15, "", now, tc.opens, dhaka)
		for _, w := range tc.want {
			if tc.lang == "bn" && w == "১৫" {
				w = "15"
			}
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q does not say %q", tc.lang, got, w)
			}
		}
	}
}

// TestAnalyzerReadingsHandOff runs messages that must reach a person
// through the real analyzer and the default thresholds, in every variant:
// the thresholds are on the analyzer's scale.
func TestAnalyzerReadingsHandOff(t *testing.T) {
	s := sahay.DefaultBotSettings(1)
	for _, tc := range []struct{ want, text string }{
		{sahay.HandoffNegative, "This is the worst shop, totally useless"},
		{sahay.HandoffNegative, "সবচেয়ে বাজে দোকান, একদম অকেজো"},
		{sahay.HandoffNegative, "सबसे घटिया दुकान, बिल्कुल बेकार"},
		{sahay.HandoffNegative, "sobcheye baje dokan, ekdom faltu"},
		{sahay.HandoffNegative, "sabse ghatiya dukaan, bilkul bekaar"},
		{sahay.HandoffAnger, "I am furious, you people cheated me"},
		{sahay.HandoffAnger, "আমি ভীষণ রেগে আছি, আপনারা ঠকিয়েছেন"},
		{sahay.HandoffAnger, "मुझे बहुत गुस्सा है, आपने धोखा दिया"},
		{sahay.HandoffAnger, "ami khub rege achi, apnara thokiyechen"},
		{sahay.HandoffAnger, "mujhe bahut gussa hai, aapne dhokha diya"},
		{sahay.HandoffThreat, "আজ ঠিক না করলে ফেসবুকে লিখে দেব"},
		{sahay.HandoffThreat, "आज ठीक नहीं किया तो कंज्यूमर कोर्ट जाऊंगा"},
		{sahay.HandoffThreat, "aaj theek nahi kiya to consumer court jaunga"},
		{sahay.HandoffUrgent, "URGENT my flight is in 2 hours, need it now"},
		{sahay.HandoffUrgent, "জরুরি! দুই ঘণ্টা পরে ফ্লাইট, এখনই লাগবে"},
		{sahay.HandoffUrgent, "अर्जेंट! दो घंटे में फ्लाइट है, अभी चाहिए"},
		{sahay.HandoffUrgent, "jaruri! dui ghonta pore flight, ekhoni lagbe"},
		{sahay.HandoffUrgent, "urgent hai! do ghante mein flight, abhi chahiye"},
		{"", "How can I cancel my order?"},
		{"", "আমার অর্ডার কোথায়?"},
		{"", "refund kab milega?"},
		{"", "thanks a lot!"},
	} {
		if got := HandoffReason(tc.text, nlp.Analyze(tc.text), &s); got != tc.want {
			t.Errorf("%q: hand-off %q, want %q (analysis %+v)", tc.text, got, tc.want, nlp.Analyze(tc.text))
		}
	}
}
