package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/textnorm"
)

// TestFTSTermIsTheTokenizersFold indexes every code point search text can
// hold inside a word, as messages_fts tokenizes it, and checks that ftsTerm
// makes the same token of it as FTS5 does; ftsfold_table.go is stale when
// this fails (go generate ./internal/store).
func TestFTSTermIsTheTokenizersFold(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE VIRTUAL TABLE f USING fts5(search_text, content='', contentless_delete=1, tokenize="unicode61 categories 'L* N* Co M* Cf'")`,
		`CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, f, instance)`,
		`BEGIN`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// Each code point between digits, which no mark composes with; and,
	// in the blocks of the alphabets that fold, after letters that marks
	// compose with, in upper case, which search text holds lowered.
	want := map[int64]string{}
	doc := int64(0)
	for r := rune(0); r <= utf8.MaxRune; r++ {
		words := []string{"0" + string(r) + "0"}
		if r < 0x2000 {
			words = append(words, "a"+string(r)+"b", "I"+string(r)+"İ")
		}
		for _, w := range words {
			w = textnorm.ForSearch(w)
			if strings.ContainsRune(w, ' ') || utf8.RuneCountInString(w) < 2 {
				continue
			}
			doc++
			want[doc] = ftsTerm(w)
			if _, err := db.Exec(`INSERT INTO f (rowid, search_text) VALUES ($1, $2)`, doc, w); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, err := db.Query(`SELECT doc, term FROM v`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int64]string{}
	for rows.Next() {
		var doc int64
		var term string
		if err := rows.Scan(&doc, &term); err != nil {
			t.Fatal(err)
		}
		if _, ok := got[doc]; ok {
			t.Errorf("FTS5 split %q", want[doc])
		}
		got[doc] = term
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for r, w := range want {
		if got[r] != w {
			if bad++; bad <= 20 {
				t.Errorf("FTS5 token %q, ftsTerm %q", got[r], w)
			}
		}
	}
	if len(want) < 140_000 || bad > 0 {
		t.Errorf("%d of %d words differ", bad, len(want))
	}
}

// TestLastTermSpelledOut checks the SQLite query the last term becomes:
// the indexed words it starts, as exact terms, while there are few.
func TestLastTermSpelledOut(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "sahay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(ctx, func(tx *Tx) error {
		words := []string{"delivery delivered déliver ডেলিভারি"}
		for i := range maxPrefixTerms + 1 {
			words = append(words, "many"+strings.Repeat("x", i))
		}
		return tx.addTerms(ctx, words)
	}); err != nil {
		t.Fatal(err)
	}
	var ors []string
	for i := 1; i <= maxPrefixTerms; i++ {
		ors = append(ors, `"many`+strings.Repeat("x", i)+`"`)
	}
	manyx := "(" + strings.Join(ors, " OR ") + ")"
	for _, tc := range []struct {
		terms []string
		want  string
	}{
		{[]string{"deliv"}, `("deliver" OR "delivered" OR "delivery")`},
		{[]string{"déli"}, `("deliver" OR "delivered" OR "delivery")`},
		{[]string{"delivery"}, `"delivery"`},
		{[]string{"cash", "deliv"}, `"cash" AND ("deliver" OR "delivered" OR "delivery")`},
		{[]string{"ডেলি"}, `"ডেলিভারি"`},
		// No such word, or too many: FTS5's prefix query.
		{[]string{"zebra"}, `"zebra"*`},
		{[]string{"cash", "many"}, `"cash" "many"*`},
		// As many as are spelled out.
		{[]string{"manyx"}, manyx},
	} {
		got, _, err := st.messageFTSQuery(ctx, tc.terms)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("messageFTSQuery(%q) = %s, want %s", tc.terms, got, tc.want)
		}
	}
}

// TestKnownTermsAreCommittedOnes checks that the writer skips only words
// message_terms holds: a word whose transaction rolled back, or whose
// savepoint did, is stored again by the next transaction that uses it.
func TestKnownTermsAreCommittedOnes(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "sahay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	stored := func(word string) bool {
		var n int
		if err := st.read.QueryRowContext(ctx, `SELECT count(*) FROM message_terms WHERE term = $1`, word).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	failed := errors.New("failed")
	if _, err := st.Write(ctx, func(tx *Tx) error {
		if err := tx.addTerms(ctx, []string{"kept rolledback"}); err != nil {
			return err
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("write: %v", err)
	}
	if _, err := st.Write(ctx, func(tx *Tx) error {
		if err := tx.addTerms(ctx, []string{"kept"}); err != nil {
			return err
		}
		return tx.Savepoint(ctx, func() error {
			if err := tx.addTerms(ctx, []string{"undone"}); err != nil {
				return err
			}
			return failed
		})
	}); !errors.Is(err, failed) {
		t.Fatalf("write: %v", err)
	}
	if _, err := st.Write(ctx, func(tx *Tx) error {
		if err := tx.addTerms(ctx, []string{"kept"}); err != nil {
			return err
		}
		err := tx.Savepoint(ctx, func() error {
			if err := tx.addTerms(ctx, []string{"undone"}); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !stored("kept") || stored("rolledback") || stored("undone") {
		t.Fatalf("stored kept %v, rolledback %v, undone %v; want only kept", stored("kept"), stored("rolledback"), stored("undone"))
	}
	if _, err := st.Write(ctx, func(tx *Tx) error { return tx.addTerms(ctx, []string{"kept rolledback undone"}) }); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"kept", "rolledback", "undone"} {
		if !stored(w) {
			t.Errorf("%q not in message_terms after a committed transaction used it", w)
		}
	}
	if _, ok := st.w.terms["kept"]; !ok {
		t.Error("the writer does not know the committed word")
	}
}
