package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// analyzeCLI runs "sahay analyze args..." with stdin as its input.
func analyzeCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &cmdIO{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: env(nil)}
	err = runCommand(context.Background(), lookup("analyze"), args, e)
	return out.String(), errOut.String(), err
}

func TestAnalyzeLines(t *testing.T) {
	input := "আমার অর্ডার এখনও আসেনি, খুব রাগ হচ্ছে\r\n" +
		"kisi insaan se baat karao\n" +
		"\n" +
		strings.Repeat("x", maxAnalyzeLine+10) + " worst\n" +
		"thanks <3"
	out, errOut, err := analyzeCLI(t, input)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines of output for 5 of input:\n%s", len(lines), out)
	}
	type result struct {
		Language, Script, Sentiment, Emotion string
		Score, Urgency                       float64
		Escalate                             bool
		WantsHuman                           bool `json:"wants_human"`
		Reasons                              []string
	}
	var got []result
	for _, l := range lines {
		var r result
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, r)
	}
	if r := got[0]; r.Language != "bn" || r.Script != "Beng" || r.Sentiment != "negative" || r.Score >= 0 || !r.Escalate || len(r.Reasons) == 0 {
		t.Errorf("Bengali complaint: %+v", r)
	}
	if r := got[1]; r.Language != "hi" || r.Script != "Latn" || !r.WantsHuman || !r.Escalate {
		t.Errorf("Hinglish request for a person: %+v", r)
	}
	if r := got[2]; r.Language != "und" || r.Sentiment != "neutral" || r.Reasons == nil {
		t.Errorf("empty line: %+v", r)
	}
	if r := got[4]; r.Sentiment != "positive" || !strings.Contains(lines[4], `"positive emoji: <3"`) {
		t.Errorf("thanks <3: %s", lines[4])
	}
	if !strings.Contains(errOut, "line 4 is longer than 64 KiB") {
		t.Errorf("stderr %q, want the long line named", errOut)
	}
}

func TestAnalyzeAccuracy(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tsv")
	os.WriteFile(good, []byte("text\tvariant\tsentiment\temotion\turgency\tescalate\twants_human\n"+
		"সার্ভিস ভালো না\tbn\tnegative\tfrustration\tlow\tno\tno\n"+
		"agent please\ten\tneutral\tnone\tlow\tyes\tyes\n"), 0o600)
	out, _, err := analyzeCLI(t, "", "-accuracy", good)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"good.tsv (2 messages)", "| en | 1 | 100.0 | 100.0 |", "| bn | 1 | 100.0 | 100.0 |", "64.6 (SentNoB)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("text\tvariant\tsentiment\temotion\turgency\tescalate\twants_human\nhello\tfr\tneutral\tnone\tlow\tno\tno\n"), 0o600)
	for _, args := range [][]string{
		{"-accuracy"},
		{"-accuracy", bad},
		{"-accuracy", filepath.Join(dir, "missing.tsv")},
		{"some.tsv"},
	} {
		if _, _, err := analyzeCLI(t, "", args...); err == nil {
			t.Errorf("analyze %v succeeded", args)
		}
	}
}
