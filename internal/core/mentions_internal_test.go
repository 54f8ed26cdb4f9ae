package core

import (
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/textnorm"
)

func TestMatchKeywords(t *testing.T) {
	for _, c := range []struct {
		keyword, text string
		want          bool
	}{
		{"Sahay", "Ordered from SAHAY's shop", true},
		{"Sahay", "#sahay is the best", true},
		{"Sahay", "sahayta chahiye", false},
		{"Sahay Shop", "the sahay   shop app", true},
		{"Sahay Shop", "sahay's new shop", false},
		{"bKash", "paid by bkash", true},
		{"সহায়", "সহায়ের ডেলিভারি ভালো", true},
		{"সহায়", "সহায়কে ধন্যবাদ", true},
		// Typed with a decomposed ya and nukta: the same word.
		{"সহায়", "সহায\u09bcের অর্ডার", true},
		{"সহায়", "আমার সহায়তা দরকার", false},
		{"ऑर्डर", "मेरे ऑर्डरों का क्या हुआ", true},
		{"ऑर्डर", "ऑर्डरबुक", false},
		{"ज़रूरी", "बहुत जरूरी है", true},
	} {
		kw := []keywordWords{{id: 1, words: strings.Fields(textnorm.ForSearch(c.keyword))}}
		if got := len(matchKeywords(c.text, kw)) == 1; got != c.want {
			t.Errorf("%q in %q: %v, want %v", c.keyword, c.text, got, c.want)
		}
	}
}
