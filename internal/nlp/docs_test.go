package nlp

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the accuracy tables of docs/nlp.md from testdata")

// docsPath is the page that reports the analyzer's accuracy.
const docsPath = "../../docs/nlp.md"

// TestDocsAccuracyTables keeps the accuracy tables in docs/nlp.md equal to
// what the analyzer scores on the labelled sets today, so that a change to
// the lexicons or rules cannot leave the documented numbers behind. Run
// "go test ./internal/nlp -run DocsAccuracy -update-docs" to rewrite them.
func TestDocsAccuracyTables(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, name := range []string{"dev.tsv", "test.tsv"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		set, err := ReadLabelled(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := Accuracy(set)
		start := "<!-- accuracy " + name + " -->\n"
		end := "<!-- end accuracy -->"
		i := strings.Index(text, start)
		if i < 0 {
			t.Fatalf("%s has no %q", docsPath, strings.TrimSpace(start))
		}
		i += len(start)
		j := strings.Index(text[i:], end)
		if j < 0 {
			t.Fatalf("%s: no %q after the %s table", docsPath, end, name)
		}
		if got := text[i : i+j]; got != want {
			if *updateDocs {
				text = text[:i] + want + text[i+j:]
				continue
			}
			t.Errorf("the %s table in %s is not what the analyzer scores now; run\n"+
				"go test ./internal/nlp -run DocsAccuracy -update-docs\nwant:\n%s", name, docsPath, want)
		}
	}
	if *updateDocs && text != string(doc) {
		if err := os.WriteFile(docsPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
