package twilio

import (
	"strings"
	"unicode/utf16"
)

// Encoding is how an SMS carries its text.
type Encoding string

// The two encodings of SMS text: GSM-7 takes Latin letters and a few
// symbols; any other character (Bengali, Hindi, most emoji) makes the
// whole message UCS-2.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// Characters a segment holds, alone or as part of a longer message (the
// rest of a concatenated segment holds the header that joins them).
const (
	GSM7Single       = 160
	GSM7Concatenated = 153
	UCS2Single       = 70
	UCS2Concatenated = 67
)

// gsm7Basic is the GSM 03.38 default alphabet; gsm7Extended are the
// characters of its extension table, which take two septets each.
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extended = "\f^{}\\[~]|€"
)

// Segments is how many SMS segments text takes and in which encoding, as
// the customer's phone counts them.
func Segments(text string) (int, Encoding) {
	if text == "" {
		return 0, GSM7
	}
	if septets, ok := gsm7Length(text); ok {
		return count(septets, GSM7Single, GSM7Concatenated), GSM7
	}
	return count(len(utf16.Encode([]rune(text))), UCS2Single, UCS2Concatenated), UCS2
}

// gsm7Length is the number of septets text takes in GSM-7, false when a
// character has no GSM-7 form.
func gsm7Length(text string) (int, bool) {
	n := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Extended, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

func count(units, single, concatenated int) int {
	if units <= single {
		return 1
	}
	return (units + concatenated - 1) / concatenated
}
