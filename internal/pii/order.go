package pii

import (
	"strings"
	"unicode/utf8"
)

// orderWords introduce an order, invoice, tracking or air waybill number.
var orderWords = newWordSet(
	"order", "ordr", "invoice", "inv", "tracking", "track", "awb", "waybill", "consignment", "shipment", "parcel",
	"অর্ডার", "অডার", "অর্ডার", "ইনভয়েস", "ইনভয়েজ", "ট্র্যাকিং", "ট্রাকিং", "কনসাইনমেন্ট", "পার্সেল", "চালান",
	"ऑर्डर", "आर्डर", "ऑडर", "ओर्डर", "इनवॉइस", "इनवॉयस", "इनवाइस", "ट्रैकिंग", "ट्रेकिंग", "पार्सल",
)

// numberMarkers say that a number follows ("no.", "নং", "नंबर"); after one
// a three-digit order number is enough.
var numberMarkers = newWordSet(
	"no", "nr", "num", "number", "nambar", "nomber", "numbr", "id", "#",
	"নম্বর", "নাম্বার", "নং", "আইডি",
	"नंबर", "नम्बर", "नं", "संख्या", "आईडी", "क्रमांक",
)

// orderFillers may stand between an order word and its number ("order
// number is", "অর্ডার নম্বর হলো", "ऑर्डर का नंबर").
var orderFillers = newWordSet(
	"is", "was", "code", "ref", "my", "your", "the", "ka", "ki", "ke", "er", "ta", "hai", "holo", "hoilo", "-",
	"কোড", "হলো", "হল", "এর", "টি", "টা",
	"का", "की", "के", "है", "कोड",
)

// maxFillers bounds the words between an order word and its number.
const maxFillers = 4

// findOrderNumbers reports the code that follows an order, invoice or
// tracking word: "order #12345", "অর্ডার নম্বর ১২৩৪৫", "ऑर्डर नंबर 12345",
// "invoice: #AB-12345", "order#123".
func findOrderNumbers(text string, toks []token, add addFunc) {
	for i, tok := range toks {
		if !tok.is(orderWords) {
			continue
		}
		if tok.tail != "" {
			addCode(text, tok.tailStart, tok.tail, false, add)
			continue
		}
		marked := false
		for j, fillers := i+1, 0; j < len(toks) && fillers <= maxFillers; j++ {
			if !orderGapOK(text[toks[j-1].end:toks[j].start], j-1 > i) {
				break
			}
			next := toks[j]
			if next.tail == "" && (next.is(numberMarkers) || next.is(orderFillers)) {
				marked = marked || next.is(numberMarkers)
				fillers++
				continue
			}
			if next.text == "#" || next.text == "-" {
				marked = marked || next.text == "#"
				continue
			}
			if next.key == "" || next.is(numberMarkers) {
				marked = marked || next.key != ""
				addCode(text, next.tailStart, next.tail, marked, add)
			} else {
				addCode(text, next.start, next.text, marked, add)
			}
			break
		}
	}
}

// orderGapOK reports whether the characters between two words keep them in
// one phrase: spaces, ':', '#', '-', and after a filler such as "no." a
// period. A comma or a sentence's end breaks the phrase.
func orderGapOK(gap string, afterFiller bool) bool {
	for _, r := range gap {
		switch r {
		case ' ', '\t', ':', '#', '-', '(', ')':
		case '.':
			if !afterFiller {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// addCode reports the order code at the start of s, which begins at byte pos
// of the input, if it is one. A code is letters, digits, '-' and '/', with
// at least four digits (three after '#' or a word such as "no."), and a bare
// four-digit year is not one.
func addCode(text string, pos int, s string, marked bool, add addFunc) {
	trimmed := strings.TrimLeft(s, ":-")
	pos, s = pos+len(s)-len(trimmed), trimmed
	if strings.HasPrefix(s, "#") {
		marked = true
	}
	c := readCode(s)
	switch {
	case len(c.digits) < 3 || len(c.digits) < 4 && !marked:
		return
	case c.letters > 12 || c.end > 40:
		return
	case !marked && c.letters == 0 && len(c.digits) == 4 && isYear(c.digits):
		return
	case c.letters == 0 && isDate(s[:c.end]):
		return
	case amountAfter(text, pos+c.end):
		return
	}
	add(KindOrderNumber, pos, pos+c.end)
}

// code is what [readCode] found.
type code struct {
	end     int    // byte length of the code
	digits  string // its digits, in ASCII
	letters int    // how many Latin letters it has
}

// readCode reads the code at the start of s: an optional '#', then letters,
// digits, '-', '/' and '_', not ending in punctuation.
func readCode(s string) code {
	var c code
	var digits []byte
	if strings.HasPrefix(s, "#") {
		c.end = 1
	}
	for c.end < len(s) {
		r, size := utf8.DecodeRuneInString(s[c.end:])
		if isDigit(r) {
			digits = append(digits, asciiDigit(r))
		} else if isASCIILetter(r) {
			c.letters++
		} else if r != '-' && r != '/' && r != '_' {
			break
		}
		c.end += size
	}
	c.digits = string(digits)
	c.end = len(strings.TrimRight(s[:c.end], "-/_"))
	return c
}

// isDate reports whether s, digits and separators only, reads as a date
// (০১/০৫/২০২৬, 2026-05-12).
func isDate(s string) bool {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '_' })
	if len(parts) != 3 {
		return false
	}
	var lens [3]int
	for i, p := range parts {
		lens[i] = utf8.RuneCountInString(p)
	}
	return lens[0] <= 2 && lens[1] <= 2 && (lens[2] == 2 || lens[2] == 4) ||
		lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2
}

// isYear reports whether the four ASCII digits of s are a year from 1900
// to 2099.
func isYear(s string) bool {
	return s[:2] == "19" || s[:2] == "20"
}
