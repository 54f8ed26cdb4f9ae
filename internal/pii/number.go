package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// digitGroup is one run of digits in a number written with separators.
type digitGroup struct {
	start, end int    // byte offsets of the run in the input
	digits     string // the run in ASCII digits
	sep        string // the separator before it, "" for the first
}

// minPhoneDigits is the fewest digits a phone number has; shorter numbers
// are prices, counts, times, years and short codes.
const minPhoneDigits = 7

// maxGroups bounds the groups read as one number; "+1 (555) 123-4567" has 4.
const maxGroups = 8

// maxSeparator bounds the separator between two groups, in bytes: ") " and
// " - " are separators, a longer gap separates two numbers.
const maxSeparator = 3

// phoneWords are words after which a long number is taken to be a phone
// number even when it is not a mobile number of a known country.
var phoneWords = newWordSet(
	"phone", "mobile", "mob", "cell", "call", "tel", "telephone", "whatsapp", "whatsap", "wa", "imo", "viber",
	"contact", "number", "num", "nambar", "nomber", "bkash", "bikash", "nagad", "rocket", "helpline",
	"ফোন", "মোবাইল", "নম্বর", "নাম্বার", "কল", "হোয়াটসঅ্যাপ", "ইমো", "বিকাশ", "নগদ", "যোগাযোগ",
	"फोन", "फ़ोन", "मोबाइल", "नंबर", "नम्बर", "कॉल", "व्हाट्सएप", "व्हाट्सऐप", "संपर्क",
)

// notPhoneWords introduce numbers that look like phone numbers but are not.
var notPhoneWords = newWordSet(
	"txn", "trx", "trxid", "transaction", "otp", "version", "ver", "isbn", "imei", "serial", "sku", "ref", "reference",
	"ট্রানজেকশন", "ওটিপি", "ट्रांजेक्शन", "ओटीपी",
)

// moneyWords are currencies and units: a number next to one is an amount.
var moneyWords = newWordSet(
	"tk", "taka", "bdt", "rs", "inr", "rupee", "rupees", "rupaye", "rupiya", "usd", "dollar", "dollars", "paisa", "poisha",
	"lakh", "lac", "lakhs", "crore", "percent", "pc", "pcs", "kg", "gm", "gram", "ml", "km", "mb", "gb",
	"টাকা", "টাকার", "৳", "রুপি", "পয়সা", "লাখ", "কোটি", "শতাংশ", "পিস", "কেজি",
	"रुपये", "रुपए", "रुपया", "रु", "पैसे", "लाख", "करोड़", "प्रतिशत", "पीस", "किलो",
)

// findNumbers reads every number in text, groups and all, and reports the
// longest run of its groups that is a card number or a phone number.
func findNumbers(text string, add addFunc) {
	for pos := 0; pos < len(text); {
		r, size := utf8.DecodeRuneInString(text[pos:])
		if !isDigit(r) {
			pos += size
			continue
		}
		groups := readGroups(text, pos)
		classifyGroups(text, groups, add)
		pos = groups[len(groups)-1].end
	}
}

// readGroups reads the digit groups of the number that starts at pos.
func readGroups(text string, pos int) []digitGroup {
	var groups []digitGroup
	sep := ""
	for len(groups) < maxGroups {
		g := digitGroup{start: pos, sep: sep}
		var digits []byte
		for pos < len(text) {
			r, size := utf8.DecodeRuneInString(text[pos:])
			if !isDigit(r) {
				break
			}
			digits = append(digits, asciiDigit(r))
			pos += size
		}
		g.end, g.digits = pos, string(digits)
		groups = append(groups, g)

		sepEnd := pos
		for sepEnd < len(text) && sepEnd-pos < maxSeparator && isSeparator(text[sepEnd]) {
			sepEnd++
		}
		r, _ := utf8.DecodeRuneInString(text[sepEnd:])
		if sepEnd == pos || !isDigit(r) {
			break
		}
		sep, pos = text[pos:sepEnd], sepEnd
	}
	return groups
}

func isSeparator(c byte) bool {
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'
}

// classifyGroups reports the numbers among groups. From each group on, it
// tries the longest run first, so "01712 345678" is one phone number, and
// "room 5 01712345678" still finds the phone number after the 5.
func classifyGroups(text string, groups []digitGroup, add addFunc) {
	for i := 0; i < len(groups); i++ {
		for _, loose := range []bool{false, true} {
			if j, kind := longestMatch(text, groups, i, loose); kind != "" {
				start := numberStart(text, groups, i)
				if add(kind, start, groups[j-1].end) {
					i = j - 1
				}
				break
			}
		}
	}
}

// longestMatch returns the end j of the longest run groups[i:j] that is a
// card or phone number, and its kind. With loose set, it accepts any long
// number after a phone word; without, only numbers that are one by shape.
func longestMatch(text string, groups []digitGroup, i int, loose bool) (int, string) {
	var digits strings.Builder
	for j := i; j < len(groups); j++ {
		digits.WriteString(groups[j].digits)
	}
	all := digits.String()
	if len(all) < minPhoneDigits {
		return 0, ""
	}
	start := numberStart(text, groups, i)
	if !edgeOK(text, start, true) || amountBefore(text, start) {
		return 0, ""
	}
	before, at := prevWordAt(text, start)
	if notPhoneWords.has(before) || before != "" && notPhoneWords.has(prevWord(text, at)) {
		return 0, ""
	}
	if loose && !phoneWords.has(before) {
		return 0, ""
	}
	plus := i == 0 && start < groups[0].start
	if plus && text[start] == '(' {
		plus = strings.HasPrefix(text[start:], "(+")
	}
	for j := len(groups); j > i; j-- {
		d := all[:len(all)-digitsAfter(groups, j)]
		kind := ""
		switch {
		case loose:
			if len(d) >= minPhoneDigits && len(d) <= 15 && !looksLikeDate(groups[i:j]) {
				kind = KindPhone
			}
		case !plus && isCardNumber(d, groups[i+1:j]):
			kind = KindCardNumber
		case isPhoneNumber(d, plus) && (plus || !looksLikeDate(groups[i:j])):
			kind = KindPhone
		}
		if end := groups[j-1].end; kind != "" && edgeOK(text, end, false) && !amountAfter(text, end) {
			return j, kind
		}
	}
	return 0, ""
}

// digitsAfter counts the digits in groups[j:].
func digitsAfter(groups []digitGroup, j int) int {
	n := 0
	for _, g := range groups[j:] {
		n += len(g.digits)
	}
	return n
}

// numberStart returns where the number whose first group is groups[i]
// starts: at a '+' or "(+" written before the first group.
func numberStart(text string, groups []digitGroup, i int) int {
	start := groups[i].start
	if i > 0 {
		return start
	}
	if start > 0 && text[start-1] == '+' {
		start--
	}
	if start > 0 && text[start-1] == '(' && strings.Contains(text[start:groups[len(groups)-1].end], ")") {
		start--
	}
	return start
}

// edgeOK reports whether a number may start (or end) at pos: it must not be
// glued to a Latin letter or digit, as in an alphanumeric id, nor be part of
// a path, handle or query string.
func edgeOK(text string, pos int, atStart bool) bool {
	var r rune
	if atStart {
		r, _ = utf8.DecodeLastRuneInString(text[:pos])
	} else {
		r, _ = utf8.DecodeRuneInString(text[pos:])
	}
	if r == utf8.RuneError {
		return true
	}
	if isASCIILetter(r) || isDigit(r) || strings.ContainsRune("_/\\@=&#", r) {
		return false
	}
	// A period between digits makes a decimal or a version, not a phone number.
	if atStart {
		return !(r == '.' && pos >= 2 && text[pos-2] >= '0' && text[pos-2] <= '9')
	}
	return !(r == '.' && pos+1 < len(text) && text[pos+1] >= '0' && text[pos+1] <= '9')
}

// amountBefore reports whether a number starting at start is a price: a
// currency sign or word comes before it.
func amountBefore(text string, start int) bool {
	before := strings.TrimRight(text[:start], " ")
	if r, _ := utf8.DecodeLastRuneInString(before); unicode.Is(unicode.Sc, r) {
		return true
	}
	return moneyWords.has(prevWord(text, start))
}

// amountAfter reports whether a number ending at end is a price, a
// percentage or a quantity: a currency sign or word, '%', "/-" or a unit
// comes after it.
func amountAfter(text string, end int) bool {
	after := strings.TrimLeft(text[end:], " ")
	if r, _ := utf8.DecodeRuneInString(after); r == '%' || unicode.Is(unicode.Sc, r) {
		return true
	}
	if strings.HasPrefix(after, "/-") || strings.HasPrefix(after, "/=") {
		return true
	}
	return moneyWords.has(nextWord(text, end))
}

// looksLikeDate reports whether groups read as a date (12-05-2026,
// 2026.05.12) or an IP address rather than a phone number.
func looksLikeDate(groups []digitGroup) bool {
	for _, g := range groups[1:] {
		if strings.TrimSpace(g.sep) == "" {
			return false
		}
	}
	lens := make([]int, len(groups))
	for i, g := range groups {
		lens[i] = len(g.digits)
	}
	switch {
	case len(lens) == 3 && lens[0] <= 2 && lens[1] <= 2 && (lens[2] == 2 || lens[2] == 4):
		return true
	case len(lens) == 3 && lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2:
		return true
	case len(lens) == 4 && lens[0] <= 3 && lens[1] <= 3 && lens[2] <= 3 && lens[3] <= 3:
		return true
	}
	return false
}

// isPhoneNumber reports whether the digits d are a Bangladeshi or Indian
// number, or any number written with a country code after '+' (or "00").
func isPhoneNumber(d string, plus bool) bool {
	if !plus {
		if rest, ok := strings.CutPrefix(d, "00"); ok && len(rest) >= 8 {
			d, plus = rest, true
		}
	}
	if plus {
		switch {
		case strings.HasPrefix(d, "880"):
			rest := d[3:]
			if len(rest) == 11 && rest[0] == '0' {
				rest = rest[1:]
			}
			return len(rest) == 9 || len(rest) == 10
		case strings.HasPrefix(d, "91"):
			return len(d) == 12
		default:
			return len(d) >= 8 && len(d) <= 15
		}
	}
	switch len(d) {
	case 10:
		return isIndianMobile(d)
	case 11:
		return isBangladeshiMobile(d) || d[0] == '0' && isIndianMobile(d[1:])
	case 12:
		return strings.HasPrefix(d, "91") && isIndianMobile(d[2:])
	case 13:
		return strings.HasPrefix(d, "88") && isBangladeshiMobile(d[2:])
	}
	return false
}

// isBangladeshiMobile reports whether d is 01[3-9] and eight more digits.
func isBangladeshiMobile(d string) bool {
	return len(d) == 11 && d[0] == '0' && d[1] == '1' && d[2] >= '3' && d[2] <= '9'
}

// isIndianMobile reports whether d is ten digits starting 6 to 9.
func isIndianMobile(d string) bool {
	return len(d) == 10 && d[0] >= '6' && d[0] <= '9'
}

// isCardNumber reports whether d, written with the separators of rest, is a
// payment card number: 13 to 19 digits of a card network's range that pass
// the Luhn check, grouped by spaces or dashes if at all.
func isCardNumber(d string, rest []digitGroup) bool {
	if len(d) < 13 || len(d) > 19 || d[0] < '2' || d[0] > '6' {
		return false
	}
	for _, g := range rest {
		if g.sep != " " && g.sep != "-" {
			return false
		}
	}
	return luhn(d)
}

// luhn reports whether the ASCII digits d pass the Luhn checksum.
func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}
