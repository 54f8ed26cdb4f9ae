package nlp

import (
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestTopicTerms(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"english", "My order #4521 still hasn't arrived, I want a refund! Refund please.",
			[]string{"order", "arrived", "refund"}},
		{"bengali", "আমার অর্ডার এখনো আসেনি, টাকা ফেরত চাই।",
			[]string{"অর্ডার", "আসেনি", "টাকা", "ফেরত"}},
		{"bengali with nukta and ya-phala", "ডেলিভারি সময়মতো হয়নি, র‍্যাব কে জানাবো",
			[]string{"ডেলিভারি", "সময়মতো", "র্যাব", "জানাবো"}},
		{"hindi", "मेरा ऑर्डर अभी तक नहीं आया, पैसे वापस चाहिए।",
			[]string{"ऑर्डर", "आया", "पैसे", "वापस"}},
		{"hindi with virama and nukta", "कृपया मेरा पार्सल ज़रूर भेजें",
			[]string{"पार्सल", "ज़रूर", "भेजें"}},
		{"banglish", "amar order ekhono ashe nai, taka ferot chai",
			[]string{"order", "ashe", "nai", "taka", "ferot"}},
		{"numbers and courtesy only", "ধন্যবাদ 12345 thanks धन्यवाद", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = norm.NFC.String(w)
			}
			if got := TopicTerms(tc.text); !slices.Equal(got, want) {
				t.Errorf("TopicTerms(%q) = %q, want %q", tc.text, got, want)
			}
			// The decomposed spelling of the same text gives the same terms.
			if got := TopicTerms(norm.NFD.String(tc.text)); !slices.Equal(got, want) {
				t.Errorf("TopicTerms(NFD %q) = %q, want %q", tc.text, got, want)
			}
		})
	}
}
