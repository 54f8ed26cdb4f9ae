// Package bot is the built-in FAQ bot's reading: the terms a question is
// matched by in English, Bengali, Hindi and their romanized forms, BM25
// retrieval over an account's FAQ entries with a confidence from 0 to 1,
// the phrases a customer asks for a person with, and what the bot says to
// the customer in their language. It is pure: core stores, decides when
// to run it and sends what it says.
package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
)

// Terms returns the words of s that retrieval matches on, in order, with
// repeats: normalized by textnorm (case, joiners, nukta, candrabindu,
// digits), stemmed lightly by script ("অর্ডারটি" and "অর্ডার" give one
// term, so do "ऑर्डरों" and "ऑर्डर", "orders" and "order"), romanized
// spellings folded ("achha" and "acha", "bhalo" and "valo"), and common
// function words of the three languages left out.
func Terms(s string) []string {
	var out []string
	for _, w := range strings.Fields(textnorm.ForSearch(s)) {
		if t := term(w); t != "" && !stopwords[t] {
			out = append(out, t)
		}
	}
	return out
}

// term is the stem of one normalized word.
func term(w string) string {
	r, _ := utf8.DecodeRuneInString(w)
	switch {
	case unicode.Is(unicode.Bengali, r):
		return bengali(w)
	case unicode.Is(unicode.Devanagari, r):
		return stripSuffix(w, hindiSuffixes)
	case unicode.Is(unicode.Latin, r):
		return latin(w)
	}
	return w
}

// stripSuffix removes the longest of suffixes that leaves at least two
// letters. Index and query go through the same rules, so a stem need not
// be a word: it only has to be the same for the forms of one word.
func stripSuffix(w string, suffixes []string) string {
	for _, suf := range suffixes {
		if strings.HasSuffix(w, suf) && utf8.RuneCountInString(w)-utf8.RuneCountInString(suf) >= 2 {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// bengali stems a Bengali word. The genitive "র" alone is taken only
// after a vowel sign other than "া" ("ডেলিভারির"), because many nouns end
// in "-ার" ("অর্ডার").
func bengali(w string) string {
	if stem := stripSuffix(w, bengaliSuffixes); stem != w {
		return stem
	}
	if rest, ok := strings.CutSuffix(w, "র"); ok && utf8.RuneCountInString(rest) >= 3 {
		if last, _ := utf8.DecodeLastRuneInString(rest); strings.ContainsRune("িীুূো", last) {
			return rest
		}
	}
	return w
}

// bengaliSuffixes are determiners, plurals and case endings, longest
// first, in their normalized form (ForSearch drops the nukta of য়).
var bengaliSuffixes = byLength(normalized([]string{
	"গুলোতে", "গুলিতে", "গুলোর", "গুলির", "গুলোকে", "গুলিকে", "গুলো", "গুলি", "দেরকে", "দের",
	"টিতে", "টাতে", "টির", "টার", "টিকে", "টাকে", "টি", "টা", "খানা", "খানি",
	"য়ের", "েরা", "ের", "কে", "তে", "েয়",
	// Verb endings written with or without o-kar ("পাব", "পাবো") and
	// the locative "-e" ("অর্ডারে").
	"ো", "ে",
}))

// hindiSuffixes are plural, oblique and a few verb endings, longest first.
var hindiSuffixes = byLength(normalized([]string{
	"ियों", "ियां", "ियाँ", "ाओं", "ाएं", "ाएँ", "ों", "ें", "ीं", "ाँ", "ां",
	"ो", "े", "ा", "ी", "ि", "ु", "ू",
}))

// latin stems an English or romanized Bengali/Hindi word: a light English
// suffix strip, then the folds that romanized spellings vary by.
func latin(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		w = w[:len(w)-3] + "y"
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		w = w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		w = w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "es") && strings.ContainsAny(w[len(w)-3:len(w)-2], "sxz"):
		w = w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	w = latinFolds.Replace(w)
	// Doubled letters carry no meaning in chat spelling: "achha",
	// "acha"; "insaan", "insan"; "plzzz", "plz"; "cancelled", "canceled".
	var b strings.Builder
	var last rune
	for _, r := range w {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	w = b.String()
	if v, ok := romanized[w]; ok {
		return v
	}
	return w
}

// latinFolds are the letters romanized Bengali and Hindi write either way.
var latinFolds = strings.NewReplacer("ph", "f", "bh", "v", "w", "v", "ee", "i", "oo", "u", "z", "j", "sh", "s")

// romanized maps common spellings of one romanized word to one of them,
// after latin's folds.
var romanized = map[string]string{
	"nahin": "nahi", "nhi": "nahi", "nai": "nahi",
	"kivave": "kivabe", "kibave": "kibabe", "kemne": "kivabe", "kibabe": "kivabe",
	"kese": "kaise", "kaisay": "kaise", "kaise": "kaise",
	"kb": "kab", "tk": "taka",
	"pese": "paise", "paisa": "paise",
	"refand": "refund", "ordar": "order", "oder": "order",
	"kahan": "kaha", "kidhar": "kaha", "kothai": "kothay", "kotay": "kothay",
}

// stopwords are function words that say nothing of what a question is
// about, in the form Terms gives them.
var stopwords = func() map[string]bool {
	words := strings.Fields(`
		a an the i me my mine you your we us our it its this that these those is are was were be been am
		to of in on at for from by with about and or but so if do does did done can could would will shall
		should may might have has had get got want need please pls plz hi hello hey thanks thank ok okay
		how what which who whom there here any some just also very much yes no not
		আমি আমার আমাকে আমরা আমাদের আপনি আপনার আপনাকে আপনাদের তুমি তোমার কি কী কেন করে করতে করব করবো করবেন
		হয় হবে হয়েছে আছে ছিল এই ওই সেই এটা ওটা একটা একটি দয়া প্লিজ জন্য থেকে ও এবং না তো যে কিছু চাই
		মैं मेरा मेरी मेरे मुझे हम हमारा हमारी आप आपका आपकी आपके तुम क्या है हैं था थी थे को का की के में से पर
		और या यह वह ये वो कर करें करना करूं करूँ हो भी तो ही जी कृपया प्लीज नहीं चाहिए चाहता चाहती मैं
		ami amar amake amra apni apnar apnake tumi ki keno kore korte korbo korben hoy hobe ache chilo ei oi
		ekta ekti jonno theke o ar na to je kichu chai
		main mera meri mere mujhe hum humara aap apka apki apke tum kya hai hain tha thi the ka ke ko me mein
		se par aur ya ye yeh vo wo kar karo karna karein karen ho bhi hi ji kripya chahiye`)
	m := make(map[string]bool, len(words))
	for _, w := range words {
		for _, f := range strings.Fields(textnorm.ForSearch(w)) {
			m[term(f)] = true
		}
	}
	return m
}()

// normalized returns words in the form ForSearch gives them.
func normalized(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = textnorm.ForSearch(w)
	}
	return out
}

// byLength sorts suffixes longest first, so the longest one is stripped.
func byLength(words []string) []string {
	out := append([]string(nil), words...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
