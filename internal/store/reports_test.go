package store_test

import (
	"testing"

	"github.com/sahayhq/sahay/internal/store"
)

func TestReportBucketPrecision(t *testing.T) {
	last := -1
	for s := int64(0); s < 400*86400; s += 1 + s/50 {
		b := store.ReportBucket(s)
		if b < last {
			t.Fatalf("bucket of %d is %d, below the previous %d", s, b, last)
		}
		last = b
		v := store.ReportBucketValue(b)
		if s < 120 && v != s {
			t.Fatalf("%d s stands as %d; want exact below two minutes", s, v)
		}
		if err := float64(v-s) / float64(max(s, 1)); err > store.ReportBucketError || err < -store.ReportBucketError {
			t.Fatalf("%d s stands as %d: error %.4f over %.2f", s, v, err, store.ReportBucketError)
		}
	}
}
