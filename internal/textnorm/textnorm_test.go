package textnorm

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNFC(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"latin composes", "e\u0301", "\u00E9"},
		{"bengali o-kar composes", "\u0995\u09C7\u09BE", "\u0995\u09CB"},
		{"bengali yya is a composition exclusion", "\u09DF", "\u09AF\u09BC"},
		{"devanagari qa is a composition exclusion", "\u0958", "\u0915\u093C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NFC(tt.in); got != tt.want {
				t.Errorf("NFC(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
}

func TestForSearch(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only separators", " ।, !? 😡 ", ""},
		{"english lower-cased", "Where IS my Order?", "where is my order"},
		{"native digits", "Order #১২৩", "order 123"},
		{"devanagari digits", "ऑर्डर ४५६", "ऑर्डर 456"},
		{"danda separates", "আসেনি।কেন", "আসেনি কেন"},
		{"double danda separates", "है॥ क्यों", "है क्यों"},
		{"emoji separates", "ভালো😊না", "ভালো না"},
		{"whitespace collapsed and trimmed", "\t a \n\n b  ", "a b"},
		{"zwj joins", "\u09B0\u200D\u09CD\u09AF\u09BE\u09AC", "\u09B0\u09CD\u09AF\u09BE\u09AC"},
		{"zwnj joins", "\u0995\u09CD\u200C\u09B7", "\u0995\u09CD\u09B7"},
		{"bom and soft hyphen vanish", "\uFEFFre\u00ADfund", "refund"},
		{"zero width space separates", "refund\u200Bnow", "refund now"},
		{"legacy khanda-ta", "\u0989\u09A4\u09CD\u200D\u09B8\u09AC", "\u0989\u09CE\u09B8\u09AC"},
		{"khanda-ta kept", "\u0989\u09CE\u09B8\u09AC", "\u0989\u09CE\u09B8\u09AC"},
		{"devanagari nukta folded", "ज़रूरी", "जरूरी"},
		{"precomposed devanagari nukta folded", "\u0929", "\u0928"},
		{"bengali nukta folded", "\u09DC", "\u09A1"},
		{"devanagari candrabindu to anusvara", "हूँ", "हूं"},
		{"bengali candrabindu to anusvara", "\u099A\u09BE\u0981\u09A6", "\u099A\u09BE\u0982\u09A6"},
		{"decomposed bengali recomposed", "\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC", "\u0995\u09CB\u09A5\u09BE\u09AF"},
		{"latin accents kept", "CAFÉ", "café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ForSearch(tt.in); got != tt.want {
				t.Errorf("ForSearch(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
}

// TestForSearchEquivalentSpellings checks spellings a reader cannot tell
// apart, or that casual typists use interchangeably, find each other.
func TestForSearchEquivalentSpellings(t *testing.T) {
	tests := []struct {
		name, a, b string
	}{
		{"bengali precomposed and decomposed yya", "বাংলা\u09DF", "বাংলা\u09AF\u09BC"},
		{"bengali precomposed and decomposed o-kar", "\u0995\u09CB\u09A5\u09BE\u09DF", "\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC"},
		{"hindi candrabindu and anusvara", "हूँ", "हूं"},
		{"hindi with and without nukta", "ज़रूरी", "जरूरी"},
		{"bengali khanda-ta legacy and atomic", "\u0989\u09A4\u09CD\u200D\u09B8\u09AC", "\u0989\u09CE\u09B8\u09AC"},
		{"native and ascii digits", "১২৩ १२३", "123 123"},
		{"case", "ORDER", "order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := ForSearch(tt.a), ForSearch(tt.b)
			if a != b {
				t.Errorf("ForSearch(%+q) = %+q, ForSearch(%+q) = %+q; want equal", tt.a, a, tt.b, b)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	long := strings.Repeat("a", 70)
	longBengali := strings.Repeat("ক", 25) // 75 bytes
	var twenty []string
	for r := 'a'; r < 'a'+20; r++ {
		twenty = append(twenty, string(r))
	}

	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only punctuation", "।?!", nil},
		{"bengali sentence", "আমার অর্ডার এখনও আসেনি।", []string{"আমার", "অর্ডার", "এখনও", "আসেনি"}},
		{
			"hindi sentence",
			"मेरा ऑर्डर अभी तक नहीं आया, बहुत गुस्सा आ रहा है",
			[]string{"मेरा", "ऑर्डर", "अभी", "तक", "नहीं", "आया", "बहुत", "गुस्सा", "आ", "रहा", "है"},
		},
		{"ya-phala with zwj stays one term", "র\u200D্যাব", []string{"র্যাব"}},
		{"order number", "Order #১২৩", []string{"order", "123"}},
		{"duplicates dropped in order", "order ORDER refund Order", []string{"order", "refund"}},
		{"at most sixteen", strings.Join(twenty, " "), twenty[:MaxTerms]},
		{"long term truncated", long, []string{long[:MaxTermBytes]}},
		{"truncated on rune boundary", longBengali, []string{strings.Repeat("ক", 21)}},
		{"duplicates after truncation dropped", long + "x " + long + "y", []string{long[:MaxTermBytes]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terms(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHighlightHTML(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		terms []string
		want  string
	}{
		{
			"markup escaped without a match",
			"<img src=x onerror=alert(1)>",
			[]string{"refund"},
			"&lt;img src=x onerror=alert(1)&gt;",
		},
		{
			"markup escaped around a match",
			"<img src=x onerror=alert(1)>",
			[]string{"img"},
			"&lt;<mark>img</mark> src=x onerror=alert(1)&gt;",
		},
		{
			"quotes and ampersand escaped",
			`"a" & 'b'`,
			[]string{"b"},
			"&#34;a&#34; &amp; &#39;<mark>b</mark>&#39;",
		},
		{
			"markup touching a matched word escaped",
			"order<script>",
			[]string{"order"},
			"<mark>order</mark>&lt;script&gt;",
		},
		{
			"bengali word marked",
			"আমার অর্ডার এখনও আসেনি।",
			Terms("অর্ডার"),
			"আমার <mark>অর্ডার</mark> এখনও আসেনি।",
		},
		{
			"hindi word marked despite nukta",
			"ज़रूरी है",
			Terms("जरूरी"),
			"<mark>ज़रूरी</mark> है",
		},
		{
			"decomposed original kept as typed",
			"\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC?",
			Terms("\u0995\u09CB\u09A5\u09BE\u09DF"),
			"<mark>\u0995\u09C7\u09BE\u09A5\u09BE\u09AF\u09BC</mark>?",
		},
		{
			"word with zwj marked whole",
			"র\u200D্যাব এসেছে",
			Terms("র্যাব"),
			"<mark>র\u200D্যাব</mark> এসেছে",
		},
		{
			"prefix of word matches",
			"Ordered, reorder",
			[]string{"order"},
			"<mark>Ordered</mark>, reorder",
		},
		{
			"raw query words normalized",
			"ORDER ১২৩",
			[]string{"Order", "123"},
			"<mark>ORDER</mark> <mark>১২৩</mark>",
		},
		{"no terms", "a<b", nil, "a&lt;b"},
		{"blank term ignored", "a b", []string{" ", "।"}, "a b"},
		{"empty text", "", []string{"a"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HighlightHTML(tt.text, tt.terms, "<mark>", "</mark>")
			if got != tt.want {
				t.Errorf("HighlightHTML(%q, %q) = %q, want %q", tt.text, tt.terms, got, tt.want)
			}
		})
	}
}

func TestDetectScript(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no letters", "123 !! 😡", ""},
		{"other script only", "Привет", ""},
		{"english", "Where is my order?", "en"},
		{"bengali", "আমার অর্ডার এখনও আসেনি।", "bn"},
		{"hindi", "मेरा ऑर्डर अभी तक नहीं आया", "hi"},
		{"hindi with latin order id", "मेरा ऑर्डर AB12 अभी तक नहीं आया", "hi"},
		{"english with one bengali word", "my order still আসেনি", "en"},
		{"tie goes to bengali", "ab কখ", "bn"},
		{"tie goes to hindi", "ab कख", "hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectScript(tt.in); got != tt.want {
				t.Errorf("DetectScript(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzForSearch(f *testing.F) {
	for _, s := range []string{
		"আমার অর্ডার এখনও আসেনি।",
		"मेरा ऑर्डर अभी तक नहीं आया, बहुत गुस्सा आ रहा है",
		"র\u200D্যাব",
		"\u0989\u09A4\u09CD\u200D\u09B8\u09AC",
		"Order #১২৩",
		"e\u0301\u200D\u0323",
		"\u09C7\u09BC\u09BE",
		"\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := ForSearch(s)
		if !utf8.ValidString(once) {
			t.Fatalf("ForSearch(%+q) = %+q, not valid UTF-8", s, once)
		}
		if twice := ForSearch(once); twice != once {
			t.Fatalf("ForSearch not idempotent on %+q: %+q then %+q", s, once, twice)
		}
		if strings.HasPrefix(once, " ") || strings.HasSuffix(once, " ") || strings.Contains(once, "  ") {
			t.Fatalf("ForSearch(%+q) = %+q, has stray spaces", s, once)
		}
		for _, r := range once {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsNumber(r) {
				t.Fatalf("ForSearch(%+q) = %+q, contains %U", s, once, r)
			}
		}
	})
}

// The ASCII path gives what the general one does, for every byte below
// 128 alone and between letters, and for the fuzzer's ASCII strings.
func TestForSearchASCIIAsUnicode(t *testing.T) {
	for c := range utf8.RuneSelf {
		for _, s := range []string{string(rune(c)), "a" + string(rune(c)) + "B", " " + string(rune(c)) + string(rune(c)) + "9 "} {
			if got, want := asciiForSearch(s), unicodeForSearch(s); got != want {
				t.Errorf("asciiForSearch(%+q) = %+q, want %+q", s, got, want)
			}
		}
	}
}

// The table of the Indic blocks answers as the rules do.
func TestFoldRuneIndicTable(t *testing.T) {
	for r := rune(0x900); r < 0xA00; r++ {
		gr, gk := foldRune(r)
		if wr, wk := foldAnyRune(r); gr != wr || gk != wk {
			t.Errorf("foldRune(%U) = %U, %v; want %U, %v", r, gr, gk, wr, wk)
		}
	}
}

func FuzzForSearchASCII(f *testing.F) {
	for _, s := range []string{"Where is my ORDER #1234?", "  refund--please!!  ", "\x00\t\n\x7f", "ami order ta pai ni"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !isASCII(s) {
			return
		}
		if got, want := ForSearch(s), unicodeForSearch(s); got != want {
			t.Fatalf("ForSearch(%+q) = %+q, want %+q", s, got, want)
		}
	})
}

func BenchmarkForSearch(b *testing.B) {
	for _, tc := range []struct{ name, text string }{
		{"en", "Hi, my order #4521 still hasn't arrived and it's been 10 days. Can you check the delivery status please?"},
		{"bn", "আমার অর্ডার এখনও আসেনি, দশ দিন হয়ে গেল। দয়া করে ডেলিভারির অবস্থা দেখবেন?"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				ForSearch(tc.text)
			}
		})
	}
}

func TestWordsKeepIndicWordsWhole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"বাংলায় কথা বলুন।", []string{"বাংলায়", "কথা", "বলুন"}},
		{"बहुत ज़रूरी है", []string{"बहुत", "ज़रूरी", "है"}},
		{"Order-ID ৪৫ OK", []string{"order", "id", "৪৫", "ok"}},
		{"র\u200d্যাব", []string{"র্যাব"}},
		{"ত\u09cd\u200dপর", []string{"ৎপর"}},
		{"a\u200bb", []string{"a", "b"}},
	} {
		want := make([]string, len(tc.want))
		for i, w := range tc.want {
			want[i] = NFC(w)
		}
		if got := Words(tc.in); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", tc.in, got, want)
		}
	}
}
