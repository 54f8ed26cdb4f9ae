package nlp

import (
	"strings"
	"testing"
)

// toneCase is a draft and the kind and span the check must find in it, or
// no kind when the draft must pass.
type toneCase struct {
	draft string
	kind  string
	span  string
}

func runToneCases(t *testing.T, cases []toneCase) {
	t.Helper()
	for _, c := range cases {
		got := CheckTone(c.draft, "", TonePolicy{})
		if c.kind == "" {
			if got.Flagged {
				t.Errorf("%q flagged %+v, want it to pass", c.draft, got.Issues)
			}
			continue
		}
		if !got.Flagged || got.Issues[0].Kind != c.kind || got.Issues[0].Text != c.span {
			t.Errorf("%q = %+v, want %s %q", c.draft, got.Issues, c.kind, c.span)
			continue
		}
		if got.Suggestion == "" || (c.kind != ToneCold && strings.Contains(got.Suggestion, c.span)) {
			t.Errorf("%q: suggestion %q keeps the offending %q", c.draft, got.Suggestion, c.span)
		}
	}
}

func TestToneEnglish(t *testing.T) {
	runToneCases(t, []toneCase{
		{"That's not my problem, please contact the courier.", ToneRude, "not my problem"},
		{"that’s NOT my problem", ToneRude, "NOT my problem"},
		{"Read the FAQ.", ToneRude, "Read the FAQ"},
		{"Did you even read the FAQ?", ToneRude, "Did you even read the FAQ"},
		{"Please calm down, sir.", ToneRude, "calm down"},
		{"You are so stupid", ToneRude, "You are so stupid"},
		{"As I already said, the refund takes five days.", ToneDismissive, "As I already said"},
		{"Like I said, there's nothing we can do.", ToneDismissive, "Like I said"},
		{"Sorry, there is nothing we can do.", ToneDismissive, "nothing we can do"},
		{"Whatever.", ToneDismissive, "Whatever"},
		{"whateverrrr", ToneDismissive, "whateverrrr"},
		{"No.", ToneCold, "No"},
		{"Nooo!!", ToneCold, "Nooo"},

		// Near misses.
		{"No problem at all!", "", ""},
		{"No, the refund takes five days.", "", ""},
		{"Whatever you need, just ask.", "", ""},
		{"You can read the FAQ here: example.com/faq", "", ""},
		{"Once things calm down at the warehouse we will ship it.", "", ""},
		{"I have already sent the replacement.", "", ""},
		{"Thank you for your patience!", "", ""},
		{"Is there anything else I can do?", "", ""},
	})
}

func TestToneBengali(t *testing.T) {
	runToneCases(t, []toneCase{
		{"এটা আমার সমস্যা না, কুরিয়ারে যোগাযোগ করুন।", ToneRude, "এটা আমার সমস্যা না"},
		{"আগে FAQ পড়ুন।", ToneRude, "FAQ পড়ুন"},
		{"প্লিজ শান্ত হন।", ToneRude, "শান্ত হন"},
		{"আপনি একটা বোকা", ToneRude, "বোকা"},
		{"আমি আগেই বলেছি, টাকা ৫ দিনে ফেরত আসবে।", ToneDismissive, "আগেই বলেছি"},
		{"আমাদের কিছু করার নেই।", ToneDismissive, "কিছু করার নেই"},
		{"না।", ToneCold, "না"},

		{"কোনো সমস্যা নেই!", "", ""},
		{"না, টাকা ৫ দিনে ফেরত আসবে।", "", ""},
		{"ধন্যবাদ, আমরা আজই পাঠিয়ে দিচ্ছি।", "", ""},
		{"পরিস্থিতি শান্ত হলে আমরা পাঠাব।", "", ""},
	})
}

func TestToneHindi(t *testing.T) {
	runToneCases(t, []toneCase{
		{"यह मेरी समस्या नहीं है, कूरियर से बात कीजिए।", ToneRude, "मेरी समस्या नहीं"},
		{"पहले FAQ पढ़ो।", ToneRude, "FAQ पढ़ो"},
		{"शांत हो जाइए!", ToneRude, "शांत हो जाइए"},
		{"आप बेवकूफ़ हैं", ToneRude, "बेवकूफ़"},
		{"मैंने पहले ही बताया था, रिफंड 5 दिन में आएगा।", ToneDismissive, "पहले ही बताया"},
		{"हम कुछ नहीं कर सकते।", ToneDismissive, "कुछ नहीं कर सकते"},
		{"नहीं।", ToneCold, "नहीं"},

		{"कोई समस्या नहीं!", "", ""},
		{"नहीं, रिफंड 5 दिन में आएगा।", "", ""},
		{"धन्यवाद, हम आज ही भेज रहे हैं।", "", ""},
	})
}

func TestToneBanglish(t *testing.T) {
	runToneCases(t, []toneCase{
		{"eta amar problem na, courier e jogajog korun", ToneRude, "eta amar problem na"},
		{"age faq poren", ToneRude, "faq poren"},
		{"shanto hon please", ToneRude, "shanto hon"},
		{"ami agei bolechi refund 5 dine ashbe", ToneDismissive, "agei bolechi"},
		{"amader kichu korar nai", ToneDismissive, "kichu korar nai"},

		{"kono problem nai!", "", ""},
		{"dhonnobad, amra ajkei pathacchi", "", ""},
	})
}

func TestToneHinglish(t *testing.T) {
	runToneCases(t, []toneCase{
		{"bhai ye meri problem nahi hai", ToneRude, "meri problem nahi"},
		{"pehle faq padho", ToneRude, "faq padho"},
		{"shant ho jao yaar", ToneRude, "shant ho jao"},
		{"maine pehle hi bataya tha", ToneDismissive, "pehle hi bataya"},
		{"hum kuch nahi kar sakte", ToneDismissive, "kuch nahi kar sakte"},
		{"nahi", ToneCold, "nahi"},

		{"koi problem nahi!", "", ""},
		{"nahi, refund 5 din mein aayega", "", ""},
		{"shukriya, hum aaj hi bhej rahe hain", "", ""},
	})
}

// Every phrase of the lists must flag a draft made of its own words.
func TestTonePhrasesMatchThemselves(t *testing.T) {
	if len(tonePhrases) < 200 {
		t.Fatalf("%d phrases loaded, want the five lists", len(tonePhrases))
	}
	for _, p := range tonePhrases {
		var words []string
		for _, w := range p.words {
			if !w.gap {
				words = append(words, w.norm)
			}
		}
		draft := strings.Join(words, " ")
		if got := CheckTone(draft, "", TonePolicy{}); !got.Flagged || got.Issues[0].Kind != p.kind {
			t.Errorf("%s phrase %q: %+v", p.variant, draft, got.Issues)
		}
	}
}

func TestToneColdToUpsetCustomer(t *testing.T) {
	angry := Analysis{Sentiment: Negative, Emotion: Anger}
	calm := Analysis{Sentiment: Neutral}
	for _, c := range []struct {
		draft    string
		customer Analysis
		code     string
	}{
		{"ok", angry, "curt"},
		{"Noted.", angry, "curt"},
		{"The refund takes five days.", angry, "no_empathy"},
		{"রিফান্ড ৫ দিনে আসবে।", angry, "no_empathy"},
		{"रिफंड 5 दिन में आएगा।", Analysis{Sentiment: Negative}, "no_empathy"},
		{"refund 5 din mein aayega", Analysis{Emotion: Frustration}, "no_empathy"},

		{"Sorry for the wait, the refund takes five days.", angry, ""},
		{"Hi Rina, the refund takes five days.", angry, ""},
		{"অসুবিধার জন্য দুঃখিত, রিফান্ড ৫ দিনে আসবে।", angry, ""},
		{"असुविधा के लिए माफ़ी, रिफंड 5 दिन में आएगा।", angry, ""},
		{"maaf kijiye, refund 5 din mein aayega", angry, ""},
		{"dukkhito, refund 5 dine ashbe", angry, ""},
		{"ok", calm, ""},
		{"The refund takes five days.", calm, ""},
	} {
		got := CheckTone(c.draft, "", TonePolicy{}, c.customer)
		if c.code == "" {
			if got.Flagged {
				t.Errorf("%q to %+v flagged %+v", c.draft, c.customer, got.Issues)
			}
			continue
		}
		if !got.Flagged || got.Issues[0].Code != c.code || got.Issues[0].Kind != ToneCold {
			t.Errorf("%q to %+v = %+v, want cold %s", c.draft, c.customer, got.Issues, c.code)
		}
	}
	// Without the customer's analysis a plain reply is not cold.
	if got := CheckTone("ok", "", TonePolicy{}); got.Flagged {
		t.Errorf("ok without a customer: %+v", got.Issues)
	}
}

func TestTonePolicy(t *testing.T) {
	p := TonePolicy{
		Forbidden: []string{"cheap", "আমাদের নীতি", "हमारी पॉलिसी"},
		Promises:  []string{"guaranteed refund", "tomorrow for sure", "কালকের মধ্যে ফেরত", "kal tak pakka"},
	}
	for _, c := range []struct{ draft, code, span string }{
		{"You will get a guaranteed refund.", "promise", "guaranteed refund"},
		{"Your refund is guaranteed!", "promise", "refund is guaranteed"},
		{"It ships tomorrow for sure.", "promise", "tomorrow for sure"},
		{"Refunds guaranteed.", "promise", "Refunds guaranteed"},
		{"That is a cheap trick.", "forbidden", "cheap"},
		{"এটা আমাদের নীতির বাইরে", "forbidden", "আমাদের নীতির"},
		{"কালকের মধ্যে টাকা ফেরত পাবেন।", "promise", "কালকের মধ্যে টাকা ফেরত"},
		{"यह हमारी पॉलिसी है", "forbidden", "हमारी पॉलिसी"},
		{"order kal tak pakka aa jayega", "promise", "kal tak pakka"},

		{"A refund is possible once we get the parcel.", "", ""},
		{"It should ship tomorrow.", "", ""},
		{"Our prices are low this week.", "", ""},
		// A forbidden word also rules out its inflected forms.
		{"That is cheaper than before.", "forbidden", "cheaper"},
	} {
		got := CheckTone(c.draft, "", p)
		if c.code == "" {
			if got.Flagged {
				t.Errorf("%q flagged %+v", c.draft, got.Issues)
			}
			continue
		}
		if !got.Flagged || got.Issues[0].Kind != TonePolicyKind || got.Issues[0].Code != c.code || got.Issues[0].Text != c.span {
			t.Errorf("%q = %+v, want %s %q", c.draft, got.Issues, c.code, c.span)
		}
	}
}

func TestToneSuggestion(t *testing.T) {
	for _, c := range []struct {
		draft, language, wantLanguage, want string
	}{
		{"That's not my problem, contact the courier.", "en", "en", "I understand how frustrating this is, and I'm sorry for the trouble. Contact the courier."},
		{"No.", "", "en", "I understand how frustrating this is, and I'm sorry for the trouble. I'm sorry, that isn't possible this time. I'm looking into it now and will keep you updated."},
		{"এটা আমার সমস্যা না, কুরিয়ারে যোগাযোগ করুন।", "bn", "bn", "আমি বুঝতে পারছি এটা কতটা বিরক্তিকর, অসুবিধার জন্য দুঃখিত। কুরিয়ারে যোগাযোগ করুন।"},
		{"मैंने पहले ही बताया था, रिफंड 5 दिन में आएगा।", "hi", "hi", "मैं समझ सकता हूँ कि यह कितना परेशान करने वाला है, असुविधा के लिए माफ़ी चाहते हैं। रिफंड 5 दिन में आएगा।"},
		{"amar kichu korar nai", "bn", "bn-Latn", "Ami bujhte parchi eta koto ta biroktikor, oshubidhar jonno dukkhito. Ami bishoyta ekhoni dekhchi, apnake janiye debo."},
		{"hum kuch nahi kar sakte", "", "hi-Latn", "Main samajh sakta hoon ki yeh kitna pareshan karne wala hai, asuvidha ke liye maafi chahte hain. Hum ise abhi dekh rahe hain aur aapko jaldi batayenge."},
		// An English draft in a Bengali conversation is answered in English.
		{"Whatever.", "bn", "en", "I understand how frustrating this is, and I'm sorry for the trouble. I'm looking into it now and will keep you updated."},
	} {
		got := CheckTone(c.draft, c.language, TonePolicy{})
		if got.Language != c.wantLanguage || got.Suggestion != c.want {
			t.Errorf("%q in %q: %s %q, want %s %q", c.draft, c.language, got.Language, got.Suggestion, c.wantLanguage, c.want)
		}
	}
	if got := CheckTone("Thanks, it ships today.", "en", TonePolicy{}); got.Suggestion != "" || got.Issues == nil {
		t.Errorf("a good draft: %+v", got)
	}
}

func TestToneLongDraft(t *testing.T) {
	long := strings.Repeat("আমরা দেখছি। ", 4000) + "এটা আমার সমস্যা না"
	if got := CheckTone(long, "bn", TonePolicy{}); got.Flagged {
		t.Errorf("the text past MaxToneDraftBytes was read: %+v", got.Issues)
	}
}

func BenchmarkCheckTone(b *testing.B) {
	p := TonePolicy{Forbidden: []string{"cheap"}, Promises: []string{"guaranteed refund", "tomorrow for sure"}}
	draft := "Hi Rina, sorry for the wait. As I already said, your parcel left the warehouse yesterday and should reach you within two days."
	for b.Loop() {
		CheckTone(draft, "en", p, Analysis{Sentiment: Negative})
	}
}
