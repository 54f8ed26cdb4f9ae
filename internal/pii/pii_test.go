package pii

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// found is a finding without its offsets, which TestFind checks apart.
type found struct{ kind, text string }

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []found
	}{
		// English.
		{"email", "Write to rahim.uddin@gmail.com for details", []found{{KindEmail, "rahim.uddin@gmail.com"}}},
		{"email with plus and subdomains", "cc: a+b@mail.example.co.uk.", []found{{KindEmail, "a+b@mail.example.co.uk"}}},
		{"bangladeshi mobile", "Call me on 01712345678", []found{{KindPhone, "01712345678"}}},
		{"bangladeshi mobile grouped", "my number is 01712-345678", []found{{KindPhone, "01712-345678"}}},
		{"bangladeshi with country code", "WhatsApp +880 1712 345678 please", []found{{KindPhone, "+880 1712 345678"}}},
		{"bangladeshi with country code and trunk zero", "+880-01812-345678", []found{{KindPhone, "+880-01812-345678"}}},
		{"indian mobile grouped", "reach me at 98765 43210", []found{{KindPhone, "98765 43210"}}},
		{"indian with country code", "+91-98765-43210", []found{{KindPhone, "+91-98765-43210"}}},
		{"indian with trunk zero", "ring 09876543210 after 5", []found{{KindPhone, "09876543210"}}},
		{"international with parentheses", "Our US office: +1 (415) 555-0132", []found{{KindPhone, "+1 (415) 555-0132"}}},
		{"international with dots", "London +44 20.7946.0958", []found{{KindPhone, "+44 20.7946.0958"}}},
		{"international with 00", "dial 00 880 1712 345678", []found{{KindPhone, "00 880 1712 345678"}}},
		{"landline after phone word", "phone: 02-9123456", []found{{KindPhone, "02-9123456"}}},
		{"order with hash", "Your order #12345 has shipped", []found{{KindOrderNumber, "#12345"}}},
		{"order no.", "order no. 12345", []found{{KindOrderNumber, "12345"}}},
		{"invoice code", "Invoice: #AB-12345", []found{{KindOrderNumber, "#AB-12345"}}},
		{"tracking id", "Tracking ID 1Z999AA10123456784", []found{{KindOrderNumber, "1Z999AA10123456784"}}},
		{"air waybill", "AWB 123456789012", []found{{KindOrderNumber, "123456789012"}}},
		{"order glued to its number", "order#4567 is late", []found{{KindOrderNumber, "#4567"}}},
		{"order number wins over phone shape", "order number 01712345678", []found{{KindOrderNumber, "01712345678"}}},
		{"card with spaces", "card 4111 1111 1111 1111", []found{{KindCardNumber, "4111 1111 1111 1111"}}},
		{"card with dashes", "5500-0000-0000-0004 exp 12/28", []found{{KindCardNumber, "5500-0000-0000-0004"}}},
		{"card ungrouped", "amex 378282246310005", []found{{KindCardNumber, "378282246310005"}}},
		{"house and road", "House 12, Road 5", []found{{KindAddress, "House 12, Road 5"}}},
		{"address joined across the area name", "House 12, Road 5, Dhanmondi, Dhaka 1209", []found{{KindAddress, "House 12, Road 5, Dhanmondi, Dhaka 1209"}}},
		{"flat", "Please deliver to flat 4B", []found{{KindAddress, "flat 4B"}}},
		{"abbreviated house and road", "H#12 R#5 Uttara", []found{{KindAddress, "H#12 R#5"}}},
		{"pin code", "PIN 110001", []found{{KindAddress, "PIN 110001"}}},
		{"city and pin", "Andheri, Mumbai 400001", []found{{KindAddress, "Mumbai 400001"}}},
		{"city and postcode glued", "Mirpur, Dhaka-1216", []found{{KindAddress, "Dhaka-1216"}}},
		{"pin code is", "our pin code is 700019, call 033 2222 3333", []found{{KindAddress, "pin code is 700019"}, {KindPhone, "033 2222 3333"}}},
		{"floor, house, road, area and postcode", "Our office: Level 5, House 42, Road 11, Banani, Dhaka 1213",
			[]found{{KindAddress, "Level 5, House 42, Road 11, Banani, Dhaka 1213"}}},
		{"flat and plot with letters", "Flat no. A-3, Plot 21", []found{{KindAddress, "Flat no. A-3, Plot 21"}}},
		{"bangladeshi ip phone", "Call 16247 or +8809612345678", []found{{KindPhone, "+8809612345678"}}},
		{"phone in parentheses", "(017) 1234-5678", []found{{KindPhone, "(017) 1234-5678"}}},
		{"short order number after hash", "order #123", []found{{KindOrderNumber, "#123"}}},
		{"invoice with year and serial", "Invoice 2026-0042 attached", []found{{KindOrderNumber, "2026-0042"}}},
		{"two phones", "Contact: 9876543210, 9123456780", []found{{KindPhone, "9876543210"}, {KindPhone, "9123456780"}}},

		// Bengali.
		{"bengali digits mobile", "আমার নম্বর ০১৭১২৩৪৫৬৭৮", []found{{KindPhone, "০১৭১২৩৪৫৬৭৮"}}},
		{"bengali digits country code", "+৮৮০ ১৮১২-৩৪৫৬৭৮", []found{{KindPhone, "+৮৮০ ১৮১২-৩৪৫৬৭৮"}}},
		{"bengali mobile with suffix", "০১৯১২৩৪৫৬৭৮-এ কল করুন", []found{{KindPhone, "০১৯১২৩৪৫৬৭৮"}}},
		{"bengali order number", "আমার অর্ডার নম্বর ১২৩৪৫ এখনও আসেনি", []found{{KindOrderNumber, "১২৩৪৫"}}},
		{"bengali order with case ending", "অর্ডারের আইডি ৯৮৭৬৫", []found{{KindOrderNumber, "৯৮৭৬৫"}}},
		{"bengali invoice typed decomposed", "\u0987\u09A8\u09AD\u09AF\u09BC\u09C7\u09B8 #INV-2291", []found{{KindOrderNumber, "#INV-2291"}}},
		{"bengali tracking", "ট্র্যাকিং নম্বর: DX123456789BD", []found{{KindOrderNumber, "DX123456789BD"}}},
		{"bengali house and road", "ঠিকানা: বাড়ি ১২, রোড ৫, মিরপুর", []found{{KindAddress, "বাড়ি ১২, রোড ৫"}}},
		{"bengali city and postcode", "মোহাম্মদপুর, ঢাকা-১২০৭", []found{{KindAddress, "ঢাকা-১২০৭"}}},
		{"bengali sentence with email", "ইমেইল দিন: karim_88@yahoo.com।", []found{{KindEmail, "karim_88@yahoo.com"}}},
		{"bengali digits card", "কার্ড ৪১১১ ১১১১ ১১১১ ১১১১", []found{{KindCardNumber, "৪১১১ ১১১১ ১১১১ ১১১১"}}},

		// Hindi.
		{"hindi order number", "मेरा ऑर्डर नंबर 12345 है", []found{{KindOrderNumber, "12345"}}},
		{"devanagari digits mobile", "मेरा नंबर ९८७६५४३२१० है", []found{{KindPhone, "९८७६५४३२१०"}}},
		{"hindi house number and lane", "मकान नं. 12, गली 4, लक्ष्मी नगर", []found{{KindAddress, "मकान नं. 12, गली 4"}}},
		{"hindi pin code", "पिन कोड 110092", []found{{KindAddress, "पिन कोड 110092"}}},
		{"hindi invoice", "इनवॉइस संख्या INV-88231", []found{{KindOrderNumber, "INV-88231"}}},
		{"hindi tracking", "ट्रैकिंग आईडी: 784512369", []found{{KindOrderNumber, "784512369"}}},
		{"hindi sentence with phone", "कॉल करें +91 98765 43210 पर", []found{{KindPhone, "+91 98765 43210"}}},
		{"hindi city and pin", "दिल्ली 110001", []found{{KindAddress, "दिल्ली 110001"}}},
		{"hindi flat and sector", "बिल्डिंग 4, फ्लैट 302, सेक्टर 18", []found{{KindAddress, "बिल्डिंग 4, फ्लैट 302, सेक्टर 18"}}},
		{"devanagari digits with country code", "+९१ ९८७६५ ४३२१०", []found{{KindPhone, "+९१ ९८७६५ ४३२१०"}}},

		// Banglish and Hinglish.
		{"banglish order", "amar order number 45678 ekhono ashe nai", []found{{KindOrderNumber, "45678"}}},
		{"banglish bkash number", "amar bkash number 01812345678 e pathan", []found{{KindPhone, "01812345678"}}},
		{"banglish address", "basa 7, road 11, Banani", []found{{KindAddress, "basa 7, road 11"}}},
		{"hinglish order", "mera order id ORD-7788 hai", []found{{KindOrderNumber, "ORD-7788"}}},
		{"hinglish phone", "mera no. 9123456789 pe call karo", []found{{KindPhone, "9123456789"}}},
		{"hinglish address", "makan no 45, sector 62, Noida 201301", []found{{KindAddress, "makan no 45, sector 62, Noida 201301"}}},

		// Mixed.
		{"mixed digit scripts", "ফোন 01৭12-345678", []found{{KindPhone, "01৭12-345678"}}},
		{"several kinds", "Order #5521 for Rahim, call 01712345678 or mail rahim@example.com",
			[]found{{KindOrderNumber, "#5521"}, {KindPhone, "01712345678"}, {KindEmail, "rahim@example.com"}}},
		{"digits inside an email are not a phone", "user01712345678@gmail.com", []found{{KindEmail, "user01712345678@gmail.com"}}},
		{"number after another number", "room 5 01712345678", []found{{KindPhone, "01712345678"}}},

		// Ordinary replies.
		{"time", "We open at 10:30", nil},
		{"price in taka", "price 1200 taka", nil},
		{"bengali year", "২০২৬ সালে আমরা নতুন শাখা খুলব", nil},
		{"no digits", "call us tomorrow", nil},
		{"version", "version 2.0 is out", nil},
		{"date with slashes", "Delivery on 12/05/2026", nil},
		{"date with dashes after phone word", "call on 12-05-2026", nil},
		{"iso date", "shipped 2026-05-12", nil},
		{"hours", "Reply within 24 hours", nil},
		{"percentage", "50% off on all orders", nil},
		{"taka sign", "৳1,200 only", nil},
		{"rupee sign and lakh grouping", "₹ 1,49,999 only", nil},
		{"amount after Tk", "Tk 15000", nil},
		{"long amount after Rs", "Rs. 9876543210", nil},
		{"flat discount", "Flat 500 Tk off", nil},
		{"flat percent", "flat 20% off", nil},
		{"house and a count", "I called the house 3 times", nil},
		{"order and a range", "your order will arrive in 3-5 days", nil},
		{"order count", "Your order of 2 items", nil},
		{"order and a year", "orders placed in 2025", nil},
		{"order word and a year", "order 2025", nil},
		{"short code", "helpline 16247", nil},
		{"emergency number", "call 999", nil},
		{"road alone", "Road 5 is closed", nil},
		{"sector alone", "Sector 7 market", nil},
		{"handle", "message @sahay_help on X", nil},
		{"ip address", "server 192.168.100.200", nil},
		{"bengali delivery charge", "ডেলিভারি চার্জ ৬০ টাকা", nil},
		{"bengali amount in digits", "মোট ১২৫০ টাকা পরিশোধ করুন", nil},
		{"hindi range", "डिलीवरी 3-4 दिन में होगी", nil},
		{"hindi price", "कीमत ₹1499 है", nil},
		{"hindi order in days", "ऑर्डर 2 दिन में आएगा", nil},
		{"city and a year", "Dhaka 2026 expo", nil},
		{"atm pin", "never share your PIN 1234", nil},
		{"transaction id", "transaction id 7234567890", nil},
		{"card failing luhn", "4111 1111 1111 1112", nil},
		{"thirteen digits", "ref 1234567890123", nil},
		{"timestamp", "at 1714567890", nil},
		{"ordinal floor", "room 301, 3rd floor", nil},
		{"banglish count", "amar 2 ta order ache", nil},
		{"banglish minutes", "apni ki 10 minute wait korben", nil},
		{"hinglish amount", "refund 2500 rupees kal tak", nil},
		{"decimal", "rating 4.5 out of 5", nil},
		{"url with number", "see https://example.com/track/9876543210", nil},
		{"bengali date after order word", "আপনার অর্ডারটি ০১/০৫/২০২৬ তারিখে পাঠানো হবে", nil},
		{"bengali hotline", "আমাদের হটলাইন ১৬২৪৭ নম্বরে কল করুন", nil},
		{"bengali date", "১২ই মে ২০২৬", nil},
		{"decimal amount", "9876543210.50", nil},
		{"flat size", "the flat 3 bedroom one", nil},
		{"count of customers", "We have 12345678 happy customers", nil},
		{"alphanumeric model", "Model 9876543210X", nil},
		{"amount with a space", "Price ₹ 98765 43210", nil},
		{"time with dots", "at 2.30pm or 5.45pm", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Find(tt.in)
			var kinds []found
			for _, f := range got {
				kinds = append(kinds, found{f.Kind, f.Text})
				if tt.in[f.Start:f.End] != f.Text {
					t.Errorf("Find(%q): %+v: input[%d:%d] is %q", tt.in, f, f.Start, f.End, tt.in[f.Start:f.End])
				}
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tt.want) {
				t.Errorf("Find(%q) = %v, want %v", tt.in, kinds, tt.want)
			}
		})
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"Order #5521 for Rahim, call 01712345678 or mail rahim@example.com",
		"House 12, Road 5, Dhanmondi, Dhaka 1209",
		"ঠিকানা: বাড়ি ১২/ক, রোড ৫, ঢাকা-১২০৭",
		"मकान नं. 12, गली 4, पिन कोड 110092, फोन +91 98765 43210",
		"+1 (415) 555-0132 4111 1111 1111 1111",
		"a@b.co@c.dd",
		"order#\xff12345",
		"H#-",
		"(+",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Boundaries are where ranging over s starts a rune, which for
		// invalid UTF-8 is every byte that is not part of a valid sequence.
		boundary := map[int]bool{len(s): true}
		for i := range s {
			boundary[i] = true
		}
		end := 0
		for _, f := range Find(s) {
			if f.Start < end || f.End <= f.Start || f.End > len(s) {
				t.Fatalf("Find(%q): %+v overlaps, is empty, is out of order or out of range", s, f)
			}
			if !boundary[f.Start] || !boundary[f.End] || !utf8.ValidString(f.Text) {
				t.Fatalf("Find(%q): %+v splits a rune or holds invalid UTF-8", s, f)
			}
			if s[f.Start:f.End] != f.Text {
				t.Fatalf("Find(%q): %+v does not match the input", s, f)
			}
			end = f.End
		}
	})
}

// reply is a 500-character public reply with one of each kind of finding.
var reply = strings.Repeat("Thank you for waiting. We open at 10:30 and the price is 1200 taka. ", 3) +
	"আপনার অর্ডার নম্বর ১২৩৪৫ পাঠানো হয়েছে। Call 01712-345678 or write to help@example.com. " +
	"Deliver to House 12, Road 5, Dhaka 1209. मेरा नंबर ९८७६५४३२१० है."

func BenchmarkFind(b *testing.B) {
	b.SetBytes(int64(len(reply)))
	for b.Loop() {
		Find(reply)
	}
}
