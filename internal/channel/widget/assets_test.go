package widget

import (
	"bytes"
	"compress/gzip"
	"regexp"
	"slices"
	"testing"

	"github.com/sahayhq/sahay/internal/channel/widget/build"
)

// maxBundleGzip is the budget of all widget JavaScript and CSS (the CSS is
// inside widget.js), gzipped.
const maxBundleGzip = 20 << 10

func TestBundleFitsBudgetAndIsCurrent(t *testing.T) {
	a := loadAssets()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(a.script)
	zw.Close()
	t.Logf("widget.js: %d bytes, %d gzipped", len(a.script), buf.Len())
	if buf.Len() > maxBundleGzip {
		t.Errorf("widget.js is %d bytes gzipped, over the %d budget", buf.Len(), maxBundleGzip)
	}
	fresh, err := build.Build("../../../web/widget")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range fresh {
		got, err := files.ReadFile("dist/" + name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("dist/%s is stale: run go generate ./internal/channel/widget", name)
		}
	}
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

func TestEveryLocaleHasEveryString(t *testing.T) {
	a := loadAssets()
	en := a.locales["en"]
	if len(a.locales) < 25 {
		t.Errorf("%d locales, want at least 25", len(a.locales))
	}
	for _, must := range []string{"bn", "hi", "ur", "ar"} {
		if a.locales[must] == nil {
			t.Errorf("locale %s is missing", must)
		}
	}
	for loc, m := range a.locales {
		for key, english := range en {
			v, ok := m[key]
			if !ok || v == "" {
				t.Errorf("%s: %q is missing", loc, key)
				continue
			}
			want, got := placeholder.FindAllString(english, -1), placeholder.FindAllString(v, -1)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Errorf("%s: %q has placeholders %v, want %v", loc, key, got, want)
			}
		}
		for key := range m {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: %q is not an English key", loc, key)
			}
		}
	}
}

func TestPickLocale(t *testing.T) {
	for _, c := range []struct {
		prefs []string
		want  string
	}{
		{[]string{"bn-BD", "en"}, "bn"},
		{[]string{"", "ar-EG"}, "ar"},
		{[]string{"zh"}, "zh-CN"},
		{[]string{"zh-tw"}, "zh-TW"},
		{[]string{"pt_BR"}, "pt"},
		{[]string{"xx", "ur-PK"}, "ur"},
		{[]string{"xx"}, "en"},
	} {
		if got := pickLocale(c.prefs); got != c.want {
			t.Errorf("pickLocale(%v) = %s, want %s", c.prefs, got, c.want)
		}
	}
}
