package api

import "testing"

// TestCSVCellGuardsFormulas: a spreadsheet runs a cell that starts with
// = + - @ (or a tab or carriage return) as a formula; such cells become
// text, everything else is left as written.
func TestCSVCellGuardsFormulas(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example","x")`: `'=HYPERLINK("http://evil.example","x")`,
		"+8801711000000":                        "'+8801711000000",
		"-2+3":                                  "'-2+3",
		"@SUM(A1:A2)":                           "'@SUM(A1:A2)",
		"\t=1":                                  "'\t=1",
		"\r=1":                                  "'\r=1",
		"":                                      "",
		"রহিম = ভালো":                           "রহিম = ভালো",
		"a@b.example":                           "a@b.example",
		"'quoted":                               "'quoted",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}
