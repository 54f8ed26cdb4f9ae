package twilio_test

import (
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/channel/twilio"
)

func TestSegments(t *testing.T) {
	tests := []struct {
		name string
		text string
		n    int
		enc  twilio.Encoding
	}{
		{"empty", "", 0, twilio.GSM7},
		{"short English", "Your order has shipped.", 1, twilio.GSM7},
		{"160 GSM-7 in one", strings.Repeat("a", 160), 1, twilio.GSM7},
		{"161 GSM-7 in two", strings.Repeat("a", 161), 2, twilio.GSM7},
		{"306 GSM-7 in two", strings.Repeat("a", 306), 2, twilio.GSM7},
		{"307 GSM-7 in three", strings.Repeat("a", 307), 3, twilio.GSM7},
		{"extension characters take two", strings.Repeat("€", 80), 1, twilio.GSM7},
		{"81 euros take three segments' worth", strings.Repeat("€", 81), 2, twilio.GSM7},
		{"Bengali is UCS-2", "আপনার অর্ডার পাঠানো হয়েছে", 1, twilio.UCS2},
		{"Hindi is UCS-2", "आपका ऑर्डर भेज दिया गया है", 1, twilio.UCS2},
		{"70 UCS-2 in one", strings.Repeat("অ", 70), 1, twilio.UCS2},
		{"71 UCS-2 in two", strings.Repeat("অ", 71), 2, twilio.UCS2},
		{"134 UCS-2 in two", strings.Repeat("क", 134), 2, twilio.UCS2},
		{"135 UCS-2 in three", strings.Repeat("क", 135), 3, twilio.UCS2},
		{"one Bengali letter makes English UCS-2", strings.Repeat("a", 100) + "অ", 2, twilio.UCS2},
		{"an emoji takes two UCS-2 units", strings.Repeat("a", 69) + "😀", 2, twilio.UCS2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, enc := twilio.Segments(tt.text)
			if n != tt.n || enc != tt.enc {
				t.Errorf("Segments = %d, %s; want %d, %s", n, enc, tt.n, tt.enc)
			}
		})
	}
}
