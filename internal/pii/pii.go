// Package pii finds personal data — email addresses, phone numbers, order
// and tracking numbers, card numbers and postal addresses — in the text of a
// reply, so that an agent can be warned before posting it where everyone can
// read it, such as a public comment on a social network.
//
// It reads English, Bengali and Hindi, their romanized forms, and numbers
// written in ASCII, Bengali (০-৯) or Devanagari (०-९) digits. A warning that
// fires on every message is ignored, so it prefers missing a doubtful case to
// flagging prices, dates, times, years, versions or short numbers: a phone
// number has to look like one (a Bangladeshi or Indian mobile number, a
// number written with its country code, or a long number after a word such as
// "call" or "ফোন"), and order numbers, postcodes and house numbers count only
// next to the words that introduce them.
package pii

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The kinds of personal data [Find] reports, in [Finding.Kind].
const (
	KindEmail       = "email"
	KindPhone       = "phone"
	KindOrderNumber = "order_number"
	KindAddress     = "address"
	KindCardNumber  = "card_number"
)

// Finding is one piece of personal data found in a text.
type Finding struct {
	Kind       string // "email", "phone", "order_number", "address", "card_number"
	Text       string // the matched text as it appears
	Start, End int    // byte offsets in the input
}

// Find returns the personal data in text, in order of position, none overlapping.
//
// The kinds are looked for from the most certain to the least — emails,
// then what a keyword introduces (order numbers, addresses), then bare
// numbers (cards, phones) — and a later match that overlaps an earlier one is
// dropped, so the digits of an email or an order number are not reported
// again as a phone number.
func Find(text string) []Finding {
	var fs findings
	fs.text = text
	findEmails(text, fs.add)
	toks := tokenize(text)
	findOrderNumbers(text, toks, fs.add)
	findAddresses(text, toks, fs.add)
	findNumbers(text, fs.add)
	return mergeAddresses(text, fs.list)
}

// findings collects matches in order of position, refusing any that
// overlaps one already taken.
type findings struct {
	text string
	list []Finding
}

// add records the text between start and end as kind, unless it overlaps an
// earlier finding. It reports whether it was recorded.
func (fs *findings) add(kind string, start, end int) bool {
	i, _ := slices.BinarySearchFunc(fs.list, start, func(f Finding, start int) int { return f.Start - start })
	if i > 0 && fs.list[i-1].End > start || i < len(fs.list) && fs.list[i].Start < end {
		return false
	}
	fs.list = slices.Insert(fs.list, i, Finding{Kind: kind, Text: fs.text[start:end], Start: start, End: end})
	return true
}

// addFunc is how the finders report a match.
type addFunc func(kind string, start, end int) bool

// maxAddressGap bounds the text between two parts of one address, such as
// the area name in "House 12, Road 5, Dhanmondi, Dhaka 1209".
const maxAddressGap = 40

// mergeAddresses joins address findings that only a few words of the same
// sentence separate, so the agent sees the address as one piece.
func mergeAddresses(text string, list []Finding) []Finding {
	var out []Finding
	for _, f := range list {
		if n := len(out); n > 0 && f.Kind == KindAddress && out[n-1].Kind == KindAddress {
			prev := &out[n-1]
			gap := text[prev.End:f.Start]
			if len(gap) <= maxAddressGap && utf8.ValidString(gap) && !strings.ContainsAny(gap, ".!?।\n") {
				prev.End = f.End
				prev.Text = text[prev.Start:prev.End]
				continue
			}
		}
		out = append(out, f)
	}
	return out
}
