package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// dwellingWords name a home, so "House 12" or "flat 4B" alone is an address.
var dwellingWords = newWordSet(
	"house", "flat", "apt", "apartment", "plot", "holding", "bari", "basa", "makan",
	"বাড়ি", "বাড়ী", "বাসা", "ফ্ল্যাট", "ফ্লাট", "হাউস", "হোল্ডিং", "প্লট",
	"मकान", "फ्लैट", "फ़्लैट", "हाउस", "प्लॉट", "प्लाट",
)

// streetWords name part of a street address; they count only next to
// another part, because "road 5" or "sector 7" alone names a place.
var streetWords = newWordSet(
	"road", "rd", "lane", "block", "sector", "sec", "gali", "street", "level", "floor", "building", "bldg", "tower",
	"রোড", "সড়ক", "লেন", "ব্লক", "সেক্টর", "গলি", "বিল্ডিং", "টাওয়ার",
	"रोड", "गली", "लेन", "ब्लॉक", "सेक्टर", "मार्ग", "बिल्डिंग", "टावर",
)

// shortAddressWords are the abbreviations written glued to the number:
// "H#12", "R-5".
var shortAddressWords = newWordSet("h", "r")

// pinWords introduce an Indian PIN code (six digits).
var pinWords = newWordSet("pin", "pincode", "पिन", "पिनकोड")

// postcodeWords introduce a postcode of four or six digits.
var postcodeWords = newWordSet("postcode", "zip", "zipcode", "postal", "পোস্টকোড", "পোস্ট", "पोस्टल")

// bangladeshCities are followed by a four-digit postcode ("Dhaka-1207").
var bangladeshCities = newWordSet(
	"dhaka", "chittagong", "chattogram", "ctg", "sylhet", "khulna", "rajshahi", "barisal", "barishal",
	"rangpur", "mymensingh", "comilla", "cumilla", "gazipur", "narayanganj",
	"ঢাকা", "চট্টগ্রাম", "সিলেট", "খুলনা", "রাজশাহী", "বরিশাল", "রংপুর", "ময়মনসিংহ", "কুমিল্লা", "গাজীপুর", "নারায়ণগঞ্জ",
)

// indianCities are followed by a six-digit PIN code ("Kolkata 700019").
var indianCities = newWordSet(
	"delhi", "mumbai", "kolkata", "calcutta", "chennai", "bengaluru", "bangalore", "hyderabad", "pune",
	"noida", "gurgaon", "gurugram", "ahmedabad", "jaipur", "lucknow", "patna", "guwahati", "agartala",
	"দিল্লি", "মুম্বাই", "কলকাতা", "চেন্নাই", "গুয়াহাটি", "আগরতলা",
	"दिल्ली", "मुंबई", "कोलकाता", "चेन्नई", "बेंगलुरु", "हैदराबाद", "पुणे", "नोएडा", "गुड़गांव", "अहमदाबाद", "जयपुर", "लखनऊ", "पटना",
)

// houseNumberMarkers may stand between "house" and its number.
var houseNumberMarkers = newWordSet(
	"no", "number", "num", "#", "-", "নং", "নম্বর", "নাম্বার", "नं", "नंबर", "नम्बर", "सं", "code", "কোড", "कोड",
)

// postcodeMarkers may stand between "PIN" or "postcode" and its number.
var postcodeMarkers = newWordSet("code", "no", "number", "is", "#", "-", "কোড", "নম্বর", "হলো", "कोड", "नंबर", "है")

// notHouseWords after "flat 500" or "house 3" show a discount or a count,
// not an address.
var notHouseWords = newWordSet(
	"off", "discount", "times", "time", "bar", "baar", "din", "days", "day", "hours", "minutes", "people", "jon", "log",
	"bed", "bedroom", "bedrooms", "bhk", "room", "rooms", "sqft", "katha", "tola", "storey",
	"ছাড়", "বার", "দিন", "জন", "ঘণ্টা", "রুম", "বেডরুম", "কাঠা", "তলা",
	"छूट", "बार", "दिन", "लोग", "घंटे", "कमरे", "बेडरूम",
)

// component is one part of an address that [readComponent] found.
type component struct {
	next     int  // index of the token after it
	end      int  // byte offset where it ends
	dwelling bool // a house or flat, which is an address on its own
	postcode bool // a postcode, which is too
}

// findAddresses reports street addresses ("House 12, Road 5", "বাড়ি ১২",
// "मकान नं. 12", "H#12 R#5") and postcodes next to the word that makes them
// one ("Dhaka-1207", "PIN 110001").
func findAddresses(text string, toks []token, add addFunc) {
	for i := 0; i < len(toks); {
		c, ok := readComponent(text, toks, i)
		if !ok {
			i++
			continue
		}
		start, parts, certain := toks[i].start, 1, c.dwelling || c.postcode
		for c.next < len(toks) && addressGapOK(text[c.end:toks[c.next].start]) {
			more, ok := readComponent(text, toks, c.next)
			if !ok {
				break
			}
			c.next, c.end = more.next, more.end
			certain = certain || more.dwelling || more.postcode
			parts++
		}
		if certain || parts > 1 {
			add(KindAddress, start, c.end)
		}
		i = c.next
	}
}

// addressGapOK reports whether gap, between two parts of an address, keeps
// them in one address: spaces, commas, dashes and slashes.
func addressGapOK(gap string) bool {
	return strings.Trim(gap, " ,-/&") == ""
}

// readComponent reads the address part that starts at toks[i], if any.
func readComponent(text string, toks []token, i int) (component, bool) {
	tok := toks[i]
	switch {
	case tok.is(dwellingWords), tok.is(streetWords):
		c, ok := readHouseNumber(text, toks, i)
		c.dwelling = tok.is(dwellingWords)
		return c, ok
	case tok.is(shortAddressWords) && (strings.HasPrefix(tok.tail, "#") || strings.HasPrefix(tok.tail, "-")):
		c, ok := readHouseNumber(text, toks, i)
		c.dwelling = tok.key == "h"
		return c, ok
	case tok.is(pinWords):
		return readPostcode(text, toks, i, 6, 6)
	case tok.is(postcodeWords):
		return readPostcode(text, toks, i, 4, 6)
	case tok.is(bangladeshCities):
		return readPostcode(text, toks, i, 4, 4)
	case tok.is(indianCities):
		return readPostcode(text, toks, i, 6, 6)
	}
	return component{}, false
}

// readHouseNumber reads the number after the address word toks[i]: glued to
// it ("H#12"), or after a marker such as "no." or "নং".
func readHouseNumber(text string, toks []token, i int) (component, bool) {
	pos, s, next, ok := valueAfter(text, toks, i, houseNumberMarkers)
	if !ok {
		return component{}, false
	}
	n, ok := houseNumberLen(s)
	if !ok || notHouseWords.has(nextWord(text, pos+n)) || amountAfter(text, pos+n) {
		return component{}, false
	}
	return component{next: next, end: pos + n}, true
}

// readPostcode reads a postcode of minDigits to maxDigits digits after the
// word toks[i]. A four-digit postcode that reads as a year is refused.
func readPostcode(text string, toks []token, i int, minDigits, maxDigits int) (component, bool) {
	pos, s, next, ok := valueAfter(text, toks, i, postcodeMarkers)
	if !ok {
		return component{}, false
	}
	var digits []byte
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !isDigit(r) {
			break
		}
		digits = append(digits, asciiDigit(r))
		n += size
	}
	d := string(digits)
	switch {
	case len(d) != minDigits && len(d) != maxDigits || d[0] == '0':
		return component{}, false
	case len(d) == 4 && isYear(d):
		return component{}, false
	case !postcodeEnds(s[n:]):
		return component{}, false
	}
	return component{next: next, end: pos + n, postcode: true}, true
}

// postcodeEnds reports whether rest, what follows a postcode in its word, is
// empty or an attached Bengali or Hindi suffix.
func postcodeEnds(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || r == '-' || isIndicLetter(r)
}

// valueAfter finds the value that follows the word toks[i]: its tail
// ("H#12", "ঢাকা-১২০৭") or the next word, skipping markers such as "no.".
// It returns the value's offset and text, and the index of the token after it.
func valueAfter(text string, toks []token, i int, markers wordSet) (int, string, int, bool) {
	if tail := toks[i].tail; tail != "" {
		trimmed := strings.TrimLeft(tail, "#:-")
		return toks[i].tailStart + len(tail) - len(trimmed), trimmed, i + 1, true
	}
	for j := i + 1; j < len(toks) && j <= i+3; j++ {
		if !orderGapOK(text[toks[j-1].end:toks[j].start], j-1 > i) {
			return 0, "", 0, false
		}
		t := toks[j]
		switch {
		case t.tail == "" && t.is(markers), t.text == "#", t.text == "-":
			continue
		case t.is(markers):
			trimmed := strings.TrimLeft(t.tail, "#:-")
			return t.tailStart + len(t.tail) - len(trimmed), trimmed, j + 1, true
		}
		return t.start, t.text, j + 1, true
	}
	return 0, "", 0, false
}

// houseNumberLen returns the length of the house number at the start of s:
// digits with an optional letter or number after a slash or dash ("12",
// "4B", "12/3", "C-4", "১২/ক"). It refuses one followed by anything but an
// attached Bengali or Hindi suffix.
func houseNumberLen(s string) (int, bool) {
	n, digits, letters := 0, 0, 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		switch {
		case isDigit(r):
			digits++
		case isASCIILetter(r):
			letters++
		case r == '/' || r == '-':
			// A Bengali or Hindi letter after a slash is part of the number ("১২/ক").
			if r2, size2 := utf8.DecodeRuneInString(s[n+size:]); isIndicLetter(r2) && !unicode.IsMark(r2) {
				n += size + size2
				for n < len(s) {
					m, msize := utf8.DecodeRuneInString(s[n:])
					if !unicode.IsMark(m) {
						break
					}
					n += msize
				}
				return n, digits > 0 && digits <= 6 && n == len(s)
			}
		default:
			end := len(strings.TrimRight(s[:n], "/-"))
			return end, digits > 0 && digits <= 6 && letters <= 3 && isIndicLetter(r)
		}
		n += size
	}
	end := len(strings.TrimRight(s, "/-"))
	return end, digits > 0 && digits <= 6 && letters <= 3
}
