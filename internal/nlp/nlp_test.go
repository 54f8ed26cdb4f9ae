package nlp

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
	"golang.org/x/text/unicode/norm"
)

func TestLanguage(t *testing.T) {
	for _, tc := range []struct {
		text, variant, script string
	}{
		{"আমার অর্ডার এখনও আসেনি", "bn", "Beng"},
		{"ধন্যবাদ", "bn", "Beng"},
		{"मेरा ऑर्डर अभी तक नहीं आया", "hi", "Deva"},
		{"धन्यवाद", "hi", "Deva"},
		{"मेरा order अभी तक नहीं आया please help", "hi", "Deva"},
		{"please check করুন, আমার order status আপডেট হয়নি", "bn", "Beng"},
		{"Sir mera refund status please check कीजिए, अभी तक नहीं आया", "hi", "Deva"},
		// A single Bengali word in an English message does not make it Bengali.
		{"My order status is still not updated, please check it today. ধন্যবাদ", "en", "Latn"},
		{"My order has not arrived yet", "en", "Latn"},
		{"ok", "en", "Latn"},
		{"thanks", "en", "Latn"},
		{"hi", "en", "Latn"},
		{"amar order ekhono ashe ni", "bn-Latn", "Latn"},
		{"dhonnobad", "bn-Latn", "Latn"},
		{"apnader service khub valo", "bn-Latn", "Latn"},
		{"kobe pabo?", "bn-Latn", "Latn"},
		{"mera order abhi tak nahi aaya", "hi-Latn", "Latn"},
		{"refund kab milega yaar, 3 din ho gaye", "hi-Latn", "Latn"},
		{"shukriya", "hi-Latn", "Latn"},
		{"kya hua?", "hi-Latn", "Latn"},
		{"মোৰ অৰ্ডাৰ এতিয়াও অহা নাই", "as", "Beng"},
		{"میرا آرڈر ابھی تک نہیں آیا", "ur", "Arab"},
		{"طلبي لم يصل", "ar", "Arab"},
		{"என் ஆர்டர் வரவில்லை", "ta", "Taml"},
		{"注文が届きません", "ja", "Jpan"},
		{"Мой заказ не пришёл", "und", "Cyrl"},
		{"12345", "und", ""},
		{"😡😡", "und", ""},
		{"", "und", ""},
	} {
		a := Analyze(tc.text)
		if a.Variant() != tc.variant || a.Script != tc.script {
			t.Errorf("Analyze(%q): variant %q script %q, want %q %q", tc.text, a.Variant(), a.Script, tc.variant, tc.script)
		}
	}
}

// check is one expectation about an analysis.
type check struct {
	text      string
	sentiment string
	emotion   string
	// reason, when set, must be among the reasons.
	reason string
}

func runChecks(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		a := Analyze(c.text)
		if a.Sentiment != c.sentiment || c.emotion != "-" && a.Emotion != c.emotion {
			t.Errorf("Analyze(%q) = %s %v (emotion %q), want %s %q; reasons %q", c.text, a.Sentiment, a.Score, a.Emotion, c.sentiment, c.emotion, a.Reasons)
		}
		if c.reason != "" && !slices.Contains(a.Reasons, c.reason) {
			t.Errorf("Analyze(%q): reasons %q, want %q among them", c.text, a.Reasons, c.reason)
		}
	}
}

func TestNegation(t *testing.T) {
	runChecks(t, []check{
		// Bengali negation follows the word.
		{"সার্ভিস ভালো না", Negative, "-", "negated positive: ভালো না"},
		{"সার্ভিস ভালো", Positive, "", "positive: ভালো"},
		{"প্রোডাক্ট ভালো ছিল না", Negative, "-", "negated positive: ভালো ছিল না"},
		{"service valo na", Negative, "-", "negated positive: valo na"},
		{"kaj korche na", Negative, "-", "unmet expectation: kaj korche na"},
		// Hindi: after an adjective, before a verb.
		{"सर्विस अच्छी नहीं है", Negative, "-", "negated positive: अच्छी नहीं"},
		{"पैसे वापस नहीं मिले", Negative, Frustration, "unmet expectation: पैसे वापस नहीं"},
		{"service achhi nahi hai", Negative, "-", "negated positive: achhi nahi"},
		{"app kaam nahi kar raha", Negative, Frustration, "unmet expectation: kaam nahi"},
		// English: before the word.
		{"The service is not good", Negative, "-", "negated positive: not good"},
		{"I have not received my refund", Negative, Frustration, "unmet expectation: not received"},
		{"it was not terrible", Positive, "-", "negated negative: not terrible"},
		// A clause break ends the window: "না" negates nothing here.
		{"ডেলিভারি ভালো ছিল, কিন্তু প্যাকেট না", Positive, "-", ""},
		{"no problem, thanks", Positive, Gratitude, ""},
	})
}

func TestFusedBengaliNegation(t *testing.T) {
	runChecks(t, []check{
		{"আমার অর্ডার এখনও আসেনি", Negative, Frustration, "fused negation: আসেনি"},
		{"টাকা ফেরত পাইনি", Negative, Frustration, "fused negation: পাইনি"},
		{"কেউ রিপ্লাই দেয়নি", Negative, Frustration, "fused negation: দেযনি"},
		{"সমস্যার সমাধান হয়নি", Negative, Frustration, "fused negation: হযনি"},
		// Words that only end in নি.
		{"আপনি কি আমাকে সাহায্য করতে পারবেন", Neutral, "", ""},
		{"আমি জানি", Neutral, "", ""},
		{"তিনি আসবেন", Neutral, "", ""},
	})
	for _, w := range []string{"আসেনি", "পাইনি", "করিনি", "পারিনি", "দেখেনি"} {
		if _, ok := fusedNegation(w); !ok {
			t.Errorf("fusedNegation(%q) = false", w)
		}
	}
	for _, w := range []string{"আপনি", "তিনি", "জানি", "চিনি", "এখনি", "উনি", "নি"} {
		if _, ok := fusedNegation(w); ok {
			t.Errorf("fusedNegation(%q) = true", w)
		}
	}
}

func TestIntensifiers(t *testing.T) {
	for _, pair := range [][2]string{
		{"সার্ভিস ভালো", "সার্ভিস খুব ভালো"},
		{"सर्विस अच्छी है", "सर्विस बहुत अच्छी है"},
		{"service bhalo", "service ekdom bhalo"},
		{"service accha hai", "service bahut accha hai"},
		{"the service is bad", "the service is very bad"},
	} {
		plain, strong := Analyze(pair[0]), Analyze(pair[1])
		if plain.Sentiment == Neutral || plain.Sentiment != strong.Sentiment || abs(strong.Score) <= abs(plain.Score) {
			t.Errorf("%q scores %v, %q scores %v: want the same sign, stronger", pair[0], plain.Score, pair[1], strong.Score)
		}
	}
	// An intensifier alone has no polarity: "बहुत" is not negative.
	runChecks(t, []check{
		{"बहुत", Neutral, "", ""},
		{"খুব", Neutral, "", ""},
		{"आपकी सेवा बहुत अच्छी है, धन्यवाद", Positive, Gratitude, "intensified: बहुत अच्छी"},
	})
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestEmojiAndPunctuation(t *testing.T) {
	runChecks(t, []check{
		{"😡😡😡", Negative, Anger, "negative emoji: 😡"},
		{"👍", Positive, "", "positive emoji: 👍"},
		{"🙏🙏", Positive, Gratitude, ""},
		{"❤️", Positive, "", ""},
		{"👍🏽", Positive, "", ""},
		{":(", Negative, Frustration, ""},
		{"thanks :)", Positive, Gratitude, ""},
		// The ":/" of a link is not a face.
		{"see https://example.com/help", Neutral, "", ""},
		{"THIS IS THE WORST SERVICE EVER!!!", Negative, Anger, "shouting in capitals"},
		{"WHERE IS MY ORDER", Negative, Anger, "shouting in capitals"},
		// Acronyms and sizes are not shouting.
		{"I did not get the OTP for COD", Negative, Frustration, ""},
		{"Wrong size delivered AGAIN. I ordered XL, got M.", Negative, Frustration, ""},
	})
	a, b := Analyze("this is bad"), Analyze("this is bad!!!")
	if b.Score >= a.Score {
		t.Errorf("repeated ! did not strengthen: %v then %v", a.Score, b.Score)
	}
}

func TestEmotion(t *testing.T) {
	runChecks(t, []check{
		// A complaint without hostility is frustration, even when calm.
		{"The package was torn open and one item was missing.", Negative, Frustration, ""},
		{"সার্ভিস ভালো না।", Negative, Frustration, ""},
		// Accusations and insults are anger.
		{"You people are cheaters, fraud company", Negative, Anger, ""},
		{"তোমরা প্রতারক", Negative, Anger, ""},
		{"dhokebaaz log ho tum", Negative, Anger, ""},
		// Praise is gratitude; a bare acknowledgement is not.
		{"প্যাকেজিং দারুণ ছিল!", Positive, Gratitude, ""},
		{"packing ekdum mast thi!", Positive, Gratitude, ""},
		{"great", Positive, "", ""},
		{"👍", Positive, "", ""},
		{"ঠিক আছে", Neutral, "", ""},
		{"theek hai", Neutral, "", ""},
	})
}

func TestSarcasm(t *testing.T) {
	runChecks(t, []check{
		{"বাহ, ১৫ দিনে একটা পার্সেল! খুব দ্রুত সার্ভিস আপনাদের।", Negative, Frustration, "sarcasm: বাহ … দিনে"},
		{"wah, 20 din mein delivery!", Negative, Frustration, ""},
		{"Wow, 10 days for a parcel. Great job.", Negative, Frustration, ""},
		{"वाह, तीन हफ्ते में डिलीवरी", Negative, Frustration, ""},
		// Praise of the thing itself names no time.
		{"বাহ, জামাটা খুব সুন্দর হয়েছে।", Positive, Gratitude, ""},
		{"wow, great service", Positive, Gratitude, ""},
	})
}

func TestThreats(t *testing.T) {
	for _, text := range []string{
		"I will take you to consumer court",
		"I will post this on social media",
		"ভোক্তা অধিকারে অভিযোগ করব",
		"আর কখনো কিনব না",
		"ar kinbo na tomader kach theke",
		"उपभोक्ता अदालत में केस करूंगा",
		"ab main ye app chhod dunga",
		"police complaint karunga",
		"Fix it today or I will post about you on Facebook",
		"aj thik na korle facebook e likhe debo",
		"kal tak refund nahi mila to facebook pe likh dunga",
		"ठीक नहीं किया तो फेसबुक पर लिख दूंगा",
	} {
		a := Analyze(text)
		if !a.Threat || !a.Escalate || a.Sentiment != Negative {
			t.Errorf("Analyze(%q): threat %v escalate %v sentiment %s, want a negative threat that escalates; reasons %q", text, a.Threat, a.Escalate, a.Sentiment, a.Reasons)
		}
	}
	if a := Analyze("how do I leave a review?"); a.Threat {
		t.Errorf("a question about reviews is a threat: %q", a.Reasons)
	}
}

func TestUrgency(t *testing.T) {
	for _, pair := range [][2]string{
		{"please check my order", "please check my order urgently, asap"},
		{"অর্ডারটা দেখুন", "অর্ডারটা এখনই দেখুন, খুব জরুরি"},
		{"order check kijiye", "order jaldi check kijiye, urgent hai"},
		{"ऑर्डर देखिए", "ऑर्डर तुरंत देखिए, बहुत जरूरी है"},
		{"order ta dekhen", "order ta taratari dekhen, ekhoni"},
	} {
		calm, urgent := Analyze(pair[0]), Analyze(pair[1])
		if calm.Urgency >= 0.3 || urgent.Urgency < 0.5 {
			t.Errorf("urgency %v for %q and %v for %q", calm.Urgency, pair[0], urgent.Urgency, pair[1])
		}
	}
	// Speed praised is not speed asked for.
	if a := Analyze("shukriya bhai, bahut jaldi solve kar diya"); a.Urgency >= EscalateUrgency {
		t.Errorf("thanks for a quick fix: urgency %v", a.Urgency)
	}
	a := Analyze("money deducted twice!! refund immediately or I go to consumer court")
	if a.Urgency < EscalateUrgency || !a.Escalate {
		t.Errorf("urgency %v escalate %v; reasons %q", a.Urgency, a.Escalate, a.Reasons)
	}
}

func TestWantsHuman(t *testing.T) {
	for _, text := range []string{
		"I want to talk to a human",
		"agent",
		"human please",
		"can I speak to a real person?",
		"connect me to customer care",
		"মানুষের সাথে কথা বলতে চাই",
		"এজেন্টের সাথে কথা বলতে চাই",
		"manush er sathe kotha bolte chai",
		"customer care e kotha bolte chai",
		"kisi insaan se baat karao",
		"agent se baat karni hai",
		"एजेंट से बात कराइए",
		"मुझे किसी इंसान से बात करनी है",
		"Is any agent online? I need to talk to one.",
		"please call me back",
		"ভাই, একটু কল দিবেন?",
		"mujhe call kar lo",
		"manush er sathe kotha",
		"एजेंट से बात",
	} {
		a := Analyze(text)
		if !a.WantsHuman || !a.Escalate || !slices.Contains(a.Reasons, "asked for a person") {
			t.Errorf("Analyze(%q): wants_human %v escalate %v; reasons %q", text, a.WantsHuman, a.Escalate, a.Reasons)
		}
	}
	for _, text := range []string{
		"is your agent app free?",
		"the delivery agent was polite",
		"my order number is 4521",
		"কোনো সমস্যা নেই, ধন্যবাদ",
		"कोई बात नहीं",
		"apnader app ta kemon?",
		"I need someone to fix my router",
		"I spoke to your agent yesterday and he said the refund would come today",
		"kal aapke agent se baat hui thi",
		"kal apnader agent er sathe kotha hoisilo",
		"कल एजेंट से बात हुई थी",
		"delivery agent kaise ban sakte hai?",
		"jaldi kisi ko bhejo, AC kharab hai",
	} {
		if a := Analyze(text); a.WantsHuman {
			t.Errorf("Analyze(%q) wants a human; reasons %q", text, a.Reasons)
		}
	}
}

func TestEscalatesWithOwnThresholds(t *testing.T) {
	a := Analyze("this is bad")
	if a.Escalate {
		t.Fatalf("a mild complaint escalates by default: %+v", a)
	}
	if !a.Escalates(Thresholds{Score: -0.2, Anger: 1, Urgency: 1}) {
		t.Errorf("score %v does not escalate at -0.2", a.Score)
	}
	// The zero Thresholds are the defaults.
	for _, text := range []string{"this is bad", "ok", "I want to talk to a human", "FRAUD!!! 😡"} {
		a := Analyze(text)
		if a.Escalates(Thresholds{}) != a.Escalate || a.Escalates(DefaultThresholds) != a.Escalate {
			t.Errorf("%q: escalate %v, but %v with the zero thresholds", text, a.Escalate, a.Escalates(Thresholds{}))
		}
	}
}

func TestScriptsTable(t *testing.T) {
	if len(scripts) != numScripts {
		t.Fatalf("numScripts is %d, scripts has %d", numScripts, len(scripts))
	}
}

func TestReasonsAreBoundedAndValid(t *testing.T) {
	a := Analyze(strings.Repeat("bad worst terrible awful urgent asap consumer court 😡 ", 500))
	if len(a.Reasons) > maxReasons {
		t.Errorf("%d reasons", len(a.Reasons))
	}
	b := Analyze("bad \xff\xfe service")
	for _, r := range b.Reasons {
		if !utf8.ValidString(r) {
			t.Errorf("invalid reason %q", r)
		}
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"আমার অর্ডার এখনও আসেনি 😡", "बहुत अच्छा नहीं", "kisi insaan se baat karao", "NOT GOOD!!!", ":(", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Analyze(s)
		switch a.Sentiment {
		case Negative, Neutral, Positive:
		default:
			t.Fatalf("sentiment %q", a.Sentiment)
		}
		switch a.Emotion {
		case "", Anger, Frustration, Gratitude:
		default:
			t.Fatalf("emotion %q", a.Emotion)
		}
		if a.Score < -1 || a.Score > 1 || a.Urgency < 0 || a.Urgency > 1 || a.AngerLevel < 0 || a.AngerLevel > 1 {
			t.Fatalf("out of range: %+v", a)
		}
		if a.Language == "" || a.Reasons == nil {
			t.Fatalf("empty fields: %+v", a)
		}
		for _, r := range a.Reasons {
			if !utf8.ValidString(r) {
				t.Fatalf("invalid reason %q", r)
			}
		}
	})
}

// TestFoldIndicAgreesWithTextnorm keeps the fast path of word normalization
// equal to textnorm.ForSearch, which the lexicons are normalized with.
func TestFoldIndicAgreesWithTextnorm(t *testing.T) {
	for _, w := range []string{
		"আসেনি", "দেয়নি", "হয়নি", "বাংলায়", "র\u200d্যাব", "৫০০", "পৌঁছায়নি",
		"नहीं", "ज़रूरी", "पहुँचा", "बढ़िया", "ऩ", "१२३", "गुस्सा",
	} {
		want := textnorm.ForSearch(w)
		if got, ok := foldIndic(textnorm.NFC(w)); ok && got != want {
			t.Errorf("foldIndic(%q) = %q, ForSearch gives %q", w, got, want)
		}
	}
}

// TestIsNFC checks the quick NFC rules against the general check on triples
// of a sample of Bengali and Devanagari code points. isNFC may be cautious
// (false for text in NFC costs a normalization); it may not pass text that
// is not in NFC.
func TestIsNFC(t *testing.T) {
	var sample []rune
	for c := rune(0x0900); c <= 0x09FF; c++ {
		if c%3 == 0 || c == 0x093C || c == 0x09BC || c == 0x094D || c == 0x09CD || c == 0x09C7 || c == 0x09BE || c == 0x09D7 ||
			c == 'न' || c == 'र' || c == 'ळ' || c == 'য' || c == 'ড' || c == 0x09DF || c == 0x0958 || c == 0x0951 {
			sample = append(sample, c)
		}
	}
	sample = append(sample, 'a', ' ', 0x200D)
	for _, a := range sample {
		for _, b := range sample {
			for _, c := range []rune{'x', 0x093C, 0x09BC, 0x09BE, 0x094D} {
				s := string([]rune{a, b, c})
				if got, want := isNFC(s), norm.NFC.IsNormalString(s); got && !want {
					t.Fatalf("isNFC(%+q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

// TestIndicClasses keeps the quick classification of Bengali and Devanagari
// code points equal to Unicode's categories.
func TestIndicClasses(t *testing.T) {
	for r := rune(0x0900); r <= 0x09FF; r++ {
		script, letter, mark := indic(r)
		want := deva
		if r >= 0x0980 {
			want = beng
		}
		if script != want || letter != unicode.IsLetter(r) || mark != unicode.IsMark(r) {
			t.Errorf("indic(%U) = %d, letter %v, mark %v; want %d, %v, %v", r, script, letter, mark, want, unicode.IsLetter(r), unicode.IsMark(r))
		}
	}
}

func TestVariantOf(t *testing.T) {
	for _, tc := range [][3]string{
		{"bn", "Latn", "bn-Latn"}, {"hi", "Latn", "hi-Latn"}, {"en", "Latn", "en"},
		{"bn", "Beng", "bn"}, {"und", "Latn", "und"}, {"und", "", "und"}, {"ta", "Taml", "ta"},
	} {
		if got := VariantOf(tc[0], tc[1]); got != tc[2] {
			t.Errorf("VariantOf(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

// TestAnalyzeConcurrently analyzes from many goroutines at once; run with
// -race, it shows Analyze shares nothing it writes.
func TestAnalyzeConcurrently(t *testing.T) {
	texts := []string{"আমার অর্ডার এখনও আসেনি 😡", "kisi insaan se baat karao", "बहुत अच्छा", "WORST!!!", "amar taka ferot chai ekhoni"}
	want := make([]Analysis, len(texts))
	for i, s := range texts {
		want[i] = Analyze(s)
	}
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 200; i++ {
				k := (g + i) % len(texts)
				if got := Analyze(texts[k]); got.Score != want[k].Score || got.Variant() != want[k].Variant() {
					t.Errorf("%q: %+v, want %+v", texts[k], got, want[k])
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}
