package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
)

// MaxTopicTerms bounds how many terms [TopicTerms] takes from one message.
const MaxTopicTerms = 30

// TopicTerms returns the distinct words of a customer's message that say
// what it is about, in order of first appearance: the words of
// textnorm.Words (whole, so "ফেরত" and "वापस" are never split at a vowel
// sign), without the function and courtesy words of English, Bengali and
// Hindi in their own scripts and romanized, without words holding a digit
// (order and phone numbers), Latin words shorter than three letters and
// one-letter words. Words are kept as written, not stemmed: a report
// shows them to people. It reads at most MaxBytes of text.
func TopicTerms(text string) []string {
	if len(text) > MaxBytes {
		text = text[:MaxBytes]
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range textnorm.Words(text) {
		if seen[w] || !topical(w) {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == MaxTopicTerms {
			break
		}
	}
	return out
}

// topical reports whether a word of textnorm.Words may name a topic.
func topical(w string) bool {
	if topicStopwords[w] || strings.ContainsFunc(w, unicode.IsDigit) {
		return false
	}
	n := utf8.RuneCountInString(w)
	first, _ := utf8.DecodeRuneInString(w)
	if unicode.Is(unicode.Latin, first) {
		return n >= 3 && n <= 32
	}
	return n >= 2 && n <= 32
}

// topicStopwords are words that say nothing of what a message is about,
// in the form textnorm.Words gives them: pronouns, auxiliaries,
// postpositions, particles, greetings and thanks. The three languages
// share one list: their native scripts do not collide, and a Bengali or
// Hindi message often holds English words.
var topicStopwords = func() map[string]bool {
	words := strings.Fields(`
		the and but for nor yet not are was were been being has have had does did doing done can could
		would will shall should may might must this that these those there here their them they then than
		what which who whom whose when where why how all any both each few more most other some such only own
		same too very just also into onto from with about above below over under again further once out off
		you your yours our ours his her hers its him she himself herself itself myself yourself
		get got getting want need needs please pls plz hello hey thanks thank thx okay yes yeah
		dear sir madam still now today even let lets one
		don didn doesn isn wasn aren weren won wouldn couldn shouldn haven hasn hadn
		আমি আমার আমাকে আমরা আমাদের আপনি আপনার আপনাকে আপনারা আপনাদের তুমি তোমার তোমাকে সে তার তাকে তারা তাদের
		এই ওই সেই এটা ওটা সেটা এটি ওটি এখানে সেখানে কি কী কেন কবে কোথায় কিভাবে কীভাবে কেমন কত কোন কে
		করে করতে করব করবো করবেন করেন করা করুন হয় হবে হয়েছে হয়নি হচ্ছে আছে নেই ছিল ছিলো থাকে
		একটা একটি দয়া প্লিজ জন্য থেকে দিয়ে নিয়ে সাথে সঙ্গে ও এবং আর না তো যে কিছু চাই
		এখন এখনো এখনও আজ কাল শুধু খুব অনেক ভাই আপু ধন্যবাদ হ্যালো জি হ্যাঁ
		मैं मेरा मेरी मेरे मुझे मुझको हम हमारा हमारी हमारे हमें आप आपका आपकी आपके आपको तुम तुम्हारा
		वह वो ये यह इस उस इसे उसे उनका उनकी उनके क्या क्यों कब कहाँ कहां कैसे कितना कितने कौन
		है हैं था थी थे हो होगा होगी हुआ हुई गया गई गए रहा रही रहे कर करें करना करो करूं करूँ किया
		को का की के में से पर तक और या भी तो ही जी ना नहीं न कृपया प्लीज चाहिए चाहता चाहती
		अभी आज कल बस बहुत एक भाई सर धन्यवाद शुक्रिया नमस्ते हेलो हाँ हां
		ami amar amake amra apni apnar apnake tumi tomar keno kobe kothay kivabe kemon koto kore korte
		korbo korben hoy hobe hoyeche hocche ache nei chilo ekta ekti jonno theke diye niye ar kichu chai
		ekhon ekhono aj kal khub vai bhai apu dhonnobad
		main mera meri mere mujhe hum hamara humara aap apka apki apke tum kya kyu kyun kab kaha kahan kaise
		hai hain tha thi the hoga hua gaya raha rahi kar karo karna karein karen kiya aur bhi nahi nahin
		kripya chahiye abhi bahut bhaiya shukriya namaste`)
	m := make(map[string]bool, len(words))
	for _, w := range words {
		for _, f := range textnorm.Words(w) {
			m[f] = true
		}
	}
	return m
}()
