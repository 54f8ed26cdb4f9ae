package nlp

import "unicode"

// scriptInfo is a script whose letters Analyze counts: its ISO 15924 code and
// the language its letters name on their own, or "und" when they do not.
type scriptInfo struct {
	code     string
	language string
	table    *unicode.RangeTable
}

// scripts are the scripts counted, in the order ties are settled. Bengali
// and Devanagari come first because Latin order numbers and brand names are
// routinely mixed into Bengali and Hindi messages, rarely the reverse.
//
// A script names a language only where one language dominates what our
// customers write in it: Devanagari is taken as Hindi (Marathi and Nepali
// read as Hindi), Arabic script as Arabic unless Urdu's own letters appear,
// Cyrillic names none.
var scripts = []scriptInfo{
	{"Beng", "bn", unicode.Bengali},
	{"Deva", "hi", unicode.Devanagari},
	{"Latn", "en", unicode.Latin},
	{"Arab", "ar", unicode.Arabic},
	{"Taml", "ta", unicode.Tamil},
	{"Telu", "te", unicode.Telugu},
	{"Knda", "kn", unicode.Kannada},
	{"Mlym", "ml", unicode.Malayalam},
	{"Gujr", "gu", unicode.Gujarati},
	{"Guru", "pa", unicode.Gurmukhi},
	{"Orya", "or", unicode.Oriya},
	{"Sinh", "si", unicode.Sinhala},
	{"Thai", "th", unicode.Thai},
	{"Mymr", "my", unicode.Myanmar},
	{"Khmr", "km", unicode.Khmer},
	{"Laoo", "lo", unicode.Lao},
	{"Tibt", "bo", unicode.Tibetan},
	{"Hang", "ko", unicode.Hangul},
	{"Jpan", "ja", unicode.Hiragana},
	{"Jpan", "ja", unicode.Katakana},
	{"Hani", "zh", unicode.Han},
	{"Grek", "el", unicode.Greek},
	{"Hebr", "he", unicode.Hebrew},
	{"Geor", "ka", unicode.Georgian},
	{"Armn", "hy", unicode.Armenian},
	{"Ethi", "am", unicode.Ethiopic},
	{"Cyrl", "und", unicode.Cyrillic},
}

// numScripts is len(scripts).
const numScripts = 27

const (
	beng = 0
	deva = 1
	latn = 2
	arab = 3
	hani = 20
)

// scriptCounts counts the letters of a text by script, with the few letters
// that tell a language apart within its script.
type scriptCounts struct {
	n [numScripts]int
	// kana counts Hiragana and Katakana: with them, Han text is Japanese.
	kana int
	// assamese counts ৰ and ৱ, letters of Assamese that Bengali lacks.
	assamese int
	// urdu counts the Arabic-script letters Urdu has and Arabic lacks.
	urdu int
	// latinLetters and upper count Latin letters and the capital ones.
	latinLetters, upper int
	// words counts words by the script of their first letter; inWord is
	// set while add is inside a word.
	words  [numScripts]int
	inWord bool
}

func (c *scriptCounts) add(r rune) {
	if r < 0x80 {
		switch {
		case 'a' <= r && r <= 'z':
			c.latinLetters++
		case 'A' <= r && r <= 'Z':
			c.latinLetters++
			c.upper++
		case '0' <= r && r <= '9':
			return
		default:
			c.inWord = false
			return
		}
		c.n[latn]++
		if !c.inWord {
			c.words[latn]++
			c.inWord = true
		}
		return
	}
	if i, letter, mark := indic(r); i >= 0 {
		// Most of what our customers write is in these two scripts, which
		// are decided without the general tables.
		if r == 'ৰ' || r == 'ৱ' {
			c.assamese++
		}
		switch {
		case letter:
			c.n[i]++
			if !c.inWord {
				c.words[i]++
			}
			c.inWord = true
		case !mark:
			c.inWord = false
		}
		return
	}
	if !unicode.IsLetter(r) {
		// Vowel signs and joiners continue a word.
		c.inWord = c.inWord && (unicode.IsMark(r) || unicode.Is(unicode.Cf, r))
		return
	}
	for i := range scripts {
		if unicode.Is(scripts[i].table, r) {
			c.n[i]++
			if !c.inWord {
				c.words[i]++
			}
			break
		}
	}
	c.inWord = true
	switch {
	case r == 'ٹ' || r == 'ڈ' || r == 'ڑ' || r == 'ں' || r == 'ے' || r == 'ھ':
		c.urdu++
	case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
		c.kana++
	case unicode.Is(unicode.Latin, r):
		c.latinLetters++
		if unicode.IsUpper(r) {
			c.upper++
		}
	}
}

// indic classifies a code point of the Bengali or Devanagari block: the
// script's index in scripts (-1 outside both blocks), and whether it is a
// letter or a mark (vowel sign, virama, nukta…) in Unicode's categories.
func indic(r rune) (script int, letter, mark bool) {
	switch {
	case r >= 0x0980 && r <= 0x09FF:
		mark = r >= 0x0981 && r <= 0x0983 || r == 0x09BC || r >= 0x09BE && r <= 0x09C4 || r == 0x09C7 || r == 0x09C8 ||
			r >= 0x09CB && r <= 0x09CD || r == 0x09D7 || r == 0x09E2 || r == 0x09E3 || r == 0x09FE
		letter = !mark && unicode.IsLetter(r)
		return beng, letter, mark
	case r >= 0x0900 && r <= 0x097F:
		mark = r <= 0x0903 || r >= 0x093A && r <= 0x093C || r >= 0x093E && r <= 0x094F || r >= 0x0951 && r <= 0x0957 ||
			r == 0x0962 || r == 0x0963
		letter = !mark && (r >= 0x0904 && r <= 0x0939 || r == 0x093D || r == 0x0950 || r >= 0x0958 && r <= 0x0961 || r >= 0x0971)
		return deva, letter, mark
	}
	return -1, false, false
}

// dominant returns the index in scripts of the script most words start
// in, or -1 when there are none. Words, not letters, are counted because
// Indic words are short in letters (vowel signs are marks) and an English
// word mixed into Hindi ("मेरा order अभी तक नहीं आया") is one word.
// Ties go to the script listed first.
func (c *scriptCounts) dominant() int {
	// English words come mixed into Bengali and Hindi messages ("please
	// check করুন, order status দেখান"), rarely the reverse: a quarter of
	// the words in Bengali or Devanagari is enough.
	indic := beng
	if c.words[deva] > c.words[beng] {
		indic = deva
	}
	if c.words[indic] > 0 && 3*c.words[indic] >= c.words[latn] {
		others := 0
		for i, n := range c.words {
			if i != beng && i != deva && i != latn {
				others += n
			}
		}
		if c.words[indic] >= others {
			return indic
		}
	}
	best := -1
	for i, n := range c.words {
		if n > 0 && (best < 0 || n > c.words[best]) {
			best = i
		}
	}
	return best
}

// language names the language the script alone tells, with its script code.
func (c *scriptCounts) language(i int) (language, script string) {
	if i < 0 {
		return "und", ""
	}
	s := scripts[i]
	switch {
	case i == beng && c.assamese > 0:
		return "as", s.code
	case i == arab && c.urdu > 0:
		return "ur", s.code
	case i == hani && c.kana > 0:
		return "ja", "Jpan"
	}
	return s.language, s.code
}

// Variant names the language and script of an analysis as the labelled
// data and the lexicons do: "en", "bn", "hi" in their own scripts, and
// "bn-Latn" or "hi-Latn" when romanized. Other languages are their code.
func (a Analysis) Variant() string {
	return VariantOf(a.Language, a.Script)
}

// VariantOf is [Analysis.Variant] for a language and script stored apart,
// as on a message: VariantOf("bn", "Latn") is "bn-Latn".
func VariantOf(language, script string) string {
	if script == "Latn" && language != "en" && language != "und" {
		return language + "-Latn"
	}
	return language
}
