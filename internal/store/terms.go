package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

//go:generate go run ./internal/ftsfoldgen -out ftsfold_table.go

// maxPrefixTerms is how many indexed words a query's last term may start
// for SQLite search to ask for them by name. FTS5 reads exact words newest
// first and stops at the limit, each word costing a little; past this many
// its own prefix query, which merges every matching word's doclist, is the
// cheaper one.
const maxPrefixTerms = 64

// ftsTerm returns the token FTS5 makes of a word of search text
// (textnorm.ForSearch): messages_fts's tokenizer folds case and Latin
// diacritics code point by code point, as ftsFolds records.
func ftsTerm(word string) string {
	if !strings.ContainsFunc(word, func(r rune) bool { _, ok := ftsFolds[r]; return ok }) {
		return word
	}
	return strings.Map(func(r rune) rune {
		if f, ok := ftsFolds[r]; ok {
			return f
		}
		return r
	}, word)
}

// addTerms records the words of search texts in message_terms (SQLite),
// the vocabulary [Store.SearchMessages] spells a prefix out from. It runs
// with every insert into messages_fts, in the same transaction.
func (t *Tx) addTerms(ctx context.Context, texts []string) error {
	seen := make(map[string]bool)
	var terms []string
	for _, text := range texts {
		for _, w := range strings.Fields(text) {
			if w = ftsTerm(w); w != "" && !seen[w] {
				seen[w] = true
				terms = append(terms, w)
			}
		}
	}
	if len(terms) == 0 {
		return nil
	}
	list, err := json.Marshal(terms)
	if err != nil {
		return fmt.Errorf("store: index terms: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT OR IGNORE INTO message_terms (term) SELECT value FROM json_each($1)`, string(list)); err != nil {
		return fmt.Errorf("store: index terms: %w", err)
	}
	return nil
}

// messageFTSQuery builds the FTS5 query for terms, like [ftsQuery], but with
// the last term spelled out as the indexed words it starts when there are
// few: ("deliver" OR "delivered" OR "delivery") finds the same messages as
// "deliv"*, and FTS5 answers it newest first without reading every match.
func (s *Store) messageFTSQuery(ctx context.Context, terms []string) (string, error) {
	last := ftsTerm(terms[len(terms)-1])
	rows, err := s.read.QueryContext(ctx, `SELECT term FROM message_terms WHERE term >= $1 AND term < $2 ORDER BY term LIMIT $3`,
		last, last+"\U0010FFFF", maxPrefixTerms+1)
	if err != nil {
		return "", fmt.Errorf("store: search terms: %w", err)
	}
	defer rows.Close()
	var words []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return "", fmt.Errorf("store: search terms: %w", err)
		}
		words = append(words, w)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("store: search terms: %w", err)
	}
	// None (also what a database indexed without the vocabulary would say)
	// or too many: FTS5's prefix query, which is cheap when it matches no
	// word and correct when it matches many.
	if len(words) == 0 || len(words) > maxPrefixTerms {
		return ftsQuery(terms), nil
	}
	var b strings.Builder
	for _, term := range terms[:len(terms)-1] {
		// FTS5 allows an implicit AND between phrases only.
		b.WriteString(ftsPhrase(term) + " AND ")
	}
	if len(words) > 1 {
		b.WriteByte('(')
	}
	for i, w := range words {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(ftsPhrase(w))
	}
	if len(words) > 1 {
		b.WriteByte(')')
	}
	return b.String(), nil
}

// ftsPhrase quotes a word as an FTS5 string.
func ftsPhrase(word string) string {
	return `"` + strings.ReplaceAll(word, `"`, `""`) + `"`
}
