package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
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
	if !strings.ContainsFunc(word, ftsFolded) {
		return word
	}
	return strings.Map(func(r rune) rune {
		if f, ok := ftsFolds[r]; ok {
			return f
		}
		return r
	}, word)
}

// ftsFoldsBelow marks the code points below 0x2000 that ftsFolds holds, a
// cheaper lookup than the map's for the letters of most words.
var ftsFoldsBelow = func() (below [0x2000]bool) {
	for r := range ftsFolds {
		if r < 0x2000 {
			below[r] = true
		}
	}
	return below
}()

// ftsFolded reports whether FTS5's tokenizer changes r (see [ftsTerm]).
func ftsFolded(r rune) bool {
	if r >= 0 && r < 0x2000 {
		return ftsFoldsBelow[r]
	}
	_, ok := ftsFolds[r]
	return ok
}

// addTerms records the words of search texts in message_terms (SQLite),
// the vocabulary [Store.SearchMessages] spells a prefix out from. It runs
// with every insert into messages_fts, in the same transaction. Words the
// writer knows are stored are left out: most of a message's words are.
func (t *Tx) addTerms(ctx context.Context, texts []string) error {
	seen := make(map[string]bool)
	var terms []string
	for _, text := range texts {
		for _, w := range strings.Fields(text) {
			if w = ftsTerm(w); w == "" || seen[w] {
				continue
			}
			seen[w] = true
			if t.s.w != nil {
				if _, known := t.s.w.terms[w]; known {
					continue
				}
			}
			terms = append(terms, w)
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
	if t.sp == 0 {
		// A savepoint may yet undo the words stored inside it.
		t.newTerms = append(t.newTerms, terms...)
	}
	return nil
}

// messageFTSQuery builds the FTS5 query for terms, like [ftsQuery], but with
// the last term spelled out as the indexed words it starts when there are
// few: ("deliver" OR "delivered" OR "delivery") finds the same messages as
// "deliv"*, and FTS5 answers it newest first without reading every match.
// It also returns how many indexed words the last term starts, counting up
// to maxPrefixTerms+1.
func (s *Store) messageFTSQuery(ctx context.Context, terms []string) (string, int, error) {
	last := ftsTerm(terms[len(terms)-1])
	rows, err := s.read.QueryContext(ctx, `SELECT term FROM message_terms WHERE term >= $1 AND term < $2 ORDER BY term LIMIT $3`,
		last, last+"\U0010FFFF", maxPrefixTerms+1)
	if err != nil {
		return "", 0, fmt.Errorf("store: search terms: %w", err)
	}
	defer rows.Close()
	var words []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return "", 0, fmt.Errorf("store: search terms: %w", err)
		}
		words = append(words, w)
	}
	if err := rows.Err(); err != nil {
		return "", 0, fmt.Errorf("store: search terms: %w", err)
	}
	// None (also what a database indexed without the vocabulary would say)
	// or too many: FTS5's prefix query, which is cheap when it matches no
	// word and correct when it matches many.
	if len(words) == 0 || len(words) > maxPrefixTerms {
		return ftsQuery(terms), len(words), nil
	}
	var b strings.Builder
	b.WriteString(wholeWordsQuery(terms[:len(terms)-1]))
	if len(terms) > 1 {
		// FTS5 allows an implicit AND between phrases only.
		b.WriteString(" AND ")
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
	return b.String(), len(words), nil
}

// wholeWordsQuery is the FTS5 query for messages containing every one of
// words as a whole word.
func wholeWordsQuery(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(ftsPhrase(w))
	}
	return b.String()
}

// commonPrefixTerms is how many indexed words a query's last term may start
// before SQLite search first looks for it among the newest candidates
// ([Store.searchRecent]). Each spelled-out word costs FTS5 a seek in every
// segment of the index, a fraction of a millisecond for a common word at
// 10,000,000 messages; a prefix that starts many words is usually common
// enough that the newest candidates hold a page of matches.
const commonPrefixTerms = 16

// recentScanRows is how many candidates [Store.searchRecent] reads at most.
// A variable so that tests can make it small.
var recentScanRows = 2000

// searchRecent looks for an account's messages containing every one of
// whole (whole words) and a word starting with prefix (as FTS5 folds it),
// newest first, among the newest recentScanRows candidates: the newest
// messages, or the newest holding the whole words, read from the index.
// It checks the prefix itself, word by word of the search text, which holds
// exactly the words FTS5 indexed (TestFTSTermIsTheTokenizersFold), so it
// finds what FTS5's prefix query would without merging the doclist of
// every word the prefix starts. It returns the ids found and whether they
// are the answer: limit of them, or every candidate there is. Otherwise the
// caller asks FTS5.
func (s *Store) searchRecent(ctx context.Context, accountID int64, inboxes []int64, whole []string, prefix string, limit int) ([]int64, bool, error) {
	var rows *sql.Rows
	var err error
	if len(whole) == 0 {
		rows, err = s.read.QueryContext(ctx, `SELECT id, account_id, inbox_id, search_text FROM messages ORDER BY id DESC LIMIT $1`, recentScanRows)
	} else {
		rows, err = s.read.QueryContext(ctx, `SELECT m.id, m.account_id, m.inbox_id, m.search_text
			FROM messages_fts f JOIN messages m ON m.id = f.rowid
			WHERE messages_fts MATCH $1 ORDER BY f.rowid DESC LIMIT $2`, wholeWordsQuery(whole), recentScanRows)
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: search recent messages: %w", err)
	}
	defer rows.Close()
	want := []byte(prefix)
	return firstMatches(rows, accountID, inboxes, func(text []byte) bool { return hasWordPrefix(text, want) }, limit, recentScanRows)
}

// firstMatches reads rows of candidates (id, account_id, inbox_id,
// search_text), newest first, and returns the ids of the first limit of
// them that are the account's, in inboxes (nil for all), and whose text
// match accepts; and whether they are the answer: limit of them, or fewer
// than most rows were read, so there were no more candidates.
func firstMatches(rows *sql.Rows, accountID int64, inboxes []int64, match func(text []byte) bool, limit, most int) ([]int64, bool, error) {
	ids := []int64{}
	read := 0
	for rows.Next() {
		read++
		var id, account, inbox int64
		var text sql.RawBytes
		if err := rows.Scan(&id, &account, &inbox, &text); err != nil {
			return nil, false, fmt.Errorf("store: search candidates: %w", err)
		}
		if account != accountID || (inboxes != nil && !slices.Contains(inboxes, inbox)) || !match(text) {
			continue
		}
		if ids = append(ids, id); len(ids) == limit {
			return ids, true, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("store: search candidates: %w", err)
	}
	return ids, read < most, nil
}

// hasWordPrefix reports whether a word of search text starts with prefix
// (a term as [ftsTerm] folds it) once folded as FTS5 folds it.
func hasWordPrefix(text []byte, prefix []byte) bool {
	return anyWord(text, func(w []byte) bool {
		// Folding maps code point by code point and leaves prefix as it
		// is, so a word that starts with prefix still does once folded.
		return bytes.HasPrefix(w, prefix) || (bytes.ContainsFunc(w, ftsFolded) && strings.HasPrefix(ftsTerm(string(w)), string(prefix)))
	})
}

// anyWord reports whether f is true of a word of search text, whose words
// are separated by single spaces.
func anyWord(text []byte, f func(w []byte) bool) bool {
	for len(text) > 0 {
		w := text
		if i := bytes.IndexByte(text, ' '); i >= 0 {
			w, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		if f(w) {
			return true
		}
	}
	return false
}

// ftsPhrase quotes a word as an FTS5 string.
func ftsPhrase(word string) string {
	return `"` + strings.ReplaceAll(word, `"`, `""`) + `"`
}

// smallAccountShare is the share of a database's conversations under which
// SQLite search reads an account's own messages ([Store.searchAccount])
// before asking FTS5, whose index holds every account's messages: for a
// small account FTS5 would read the others' matches for the join to
// reject them (seconds for a common word at 10,000,000 messages).
const smallAccountShare = 0.2

// accountScanRows is how many of an account's newest messages
// [Store.searchAccount] reads at most. A variable so that tests can make
// it small.
var accountScanRows = 20000

// smallAccount reports whether the account holds less than
// smallAccountShare of the database's conversations, counted as the
// numbers given out: the account's display numbers and every account's
// conversation ids.
func (s *Store) smallAccount(ctx context.Context, accountID int64) (bool, error) {
	var mine, all int64
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT conversation_seq FROM accounts WHERE id = $1), 0),
		(SELECT COALESCE(MAX(id), 0) FROM conversations)`, accountID).Scan(&mine, &all)
	if err != nil {
		return false, fmt.Errorf("store: search: %w", err)
	}
	return float64(mine) < smallAccountShare*float64(all), nil
}

// searchAccount looks for an account's messages containing every one of
// terms as a whole word but the last, which a word must start, as FTS5
// folds them, newest first, among the account's newest accountScanRows
// messages (SQLite). Like [Store.searchRecent] it checks each message's
// search text itself. It returns the ids found and whether they are the
// answer: limit of them, or all the account's messages were read.
func (s *Store) searchAccount(ctx context.Context, accountID int64, inboxes []int64, terms []string, limit int) ([]int64, bool, error) {
	whole := make([]string, len(terms)-1)
	for i, t := range terms[:len(terms)-1] {
		whole[i] = ftsTerm(t)
	}
	prefix := []byte(ftsTerm(terms[len(terms)-1]))
	rows, err := s.read.QueryContext(ctx, `SELECT id, account_id, inbox_id, search_text FROM messages
		WHERE account_id = $1 AND search_text <> '' ORDER BY id DESC LIMIT $2`, accountID, accountScanRows)
	if err != nil {
		return nil, false, fmt.Errorf("store: search account messages: %w", err)
	}
	defer rows.Close()
	return firstMatches(rows, accountID, inboxes, func(text []byte) bool { return hasWords(text, whole) && hasWordPrefix(text, prefix) },
		limit, accountScanRows)
}

// hasWords reports whether search text holds each of words (terms as
// [ftsTerm] folds them) as a whole word once folded as FTS5 folds it.
func hasWords(text []byte, words []string) bool {
	for _, want := range words {
		if !anyWord(text, func(w []byte) bool {
			return string(w) == want || (bytes.ContainsFunc(w, ftsFolded) && ftsTerm(string(w)) == want)
		}) {
			return false
		}
	}
	return true
}
