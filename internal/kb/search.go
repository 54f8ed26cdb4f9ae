package kb

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/bot"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// Query bounds: a pasted page searches as its first words.
const (
	maxQueryRunes = 200
	maxQueryTerms = 16
	// minPrefixRunes is how much of a last word must be typed before it
	// matches as a prefix: fewer letters match too much to rank.
	minPrefixRunes = 3
	// maxExpansions bounds the words one prefix stands for.
	maxExpansions = 64
)

// Limits on how many hits a search returns.
const (
	defaultLimit = 10
	maxLimit     = 50
)

// BM25F: a term's frequency is summed over fields by weight, each field
// normalized by its own mean length, and saturated once.
const (
	k1 = 1.2
	// prefixWeight discounts a word the last query word is only a prefix
	// of, so that "pay" ranks "pay" above "payment".
	prefixWeight = 0.9
	// localeBonus multiplies the score of a translation in the reader's
	// locale: among translations that match about as well it wins, but a
	// translation that matches clearly better still does.
	localeBonus = 1.2
)

// Fields of a document, strongest first.
const (
	fieldTitle = iota
	fieldDescription
	fieldText
	numFields
)

var (
	fieldWeight = [numFields]float64{4, 2, 1}
	// fieldB is BM25's length normalization per field: a title's length
	// says little about how much of it is about a word.
	fieldB = [numFields]float64{0.3, 0.5, 0.75}
)

// Doc is one published translation of an article, as the index reads it.
type Doc struct {
	ArticleID   int64
	Locale      string
	Title       string
	Description string
	// Text is the body's plain text ([Text] of its Markdown).
	Text     string
	Internal bool
	// Views breaks ties between articles that match equally well.
	Views int64
}

// SearchOptions says who searches and how many hits they want.
type SearchOptions struct {
	// Locale is the reader's locale. Among an article's translations
	// that match, one in this locale is preferred; others still match.
	Locale string
	// Internal includes articles for agents only. It is false for the
	// public help center and the widget.
	Internal bool
	// Limit is how many hits to return: 10 when 0, at most 50.
	Limit int
}

// Hit is an article that matches a query, in its best-matching
// translation.
type Hit struct {
	ArticleID int64
	Locale    string
	Title     string
	// Snippet is HTML-escaped text around the best match with the
	// matching words wrapped in <mark>…</mark>, about 200 runes at most.
	Snippet  string
	Internal bool
	Score    float64
}

// Index is an immutable search index over published translations. It is
// safe for concurrent use.
type Index struct {
	docs []indexedDoc
	// postings lists, for each term, the documents it is in.
	postings map[string][]posting
	// vocab is every term in order, for prefix matches.
	vocab  []string
	avgLen [numFields]float64
}

type indexedDoc struct {
	Doc
	locale string // the primary language subtag, lower case
	len    [numFields]int
}

type posting struct {
	doc int32
	tf  [numFields]uint16
}

// NewIndex indexes docs, which it keeps: callers must not change them
// afterwards.
func NewIndex(docs []Doc) *Index {
	ix := &Index{postings: map[string][]posting{}}
	var total [numFields]int
	for i, d := range docs {
		id := indexedDoc{Doc: d, locale: primaryTag(d.Locale)}
		tf := map[string]*[numFields]uint16{}
		for f, s := range [numFields]string{d.Title, d.Description, d.Text} {
			terms := bot.Terms(s)
			id.len[f] = len(terms)
			total[f] += len(terms)
			for _, t := range terms {
				if tf[t] == nil {
					tf[t] = new([numFields]uint16)
				}
				if tf[t][f] < math.MaxUint16 {
					tf[t][f]++
				}
			}
		}
		for t, n := range tf {
			ix.postings[t] = append(ix.postings[t], posting{doc: int32(i), tf: *n})
		}
		ix.docs = append(ix.docs, id)
	}
	for f := range total {
		if len(docs) > 0 {
			ix.avgLen[f] = max(1, float64(total[f])/float64(len(docs)))
		}
	}
	for t := range ix.postings {
		ix.vocab = append(ix.vocab, t)
	}
	sort.Strings(ix.vocab)
	return ix
}

// Len is the number of translations in the index.
func (ix *Index) Len() int {
	return len(ix.docs)
}

// queryTerm is one word of a query and the index terms it matches, with
// the weight of each.
type queryTerm struct {
	terms   []string
	weights []float64
}

// Search returns the articles that match q, best first, one hit per
// article in its best-matching translation. An article that has every
// word of the query ranks above one that has only some; among equals
// the score decides (BM25 over title, description and text, strongest
// first), then views. The last word of the query also matches as the
// start of a longer word once it has three letters, so results follow
// someone typing. A query with nothing but function words finds nothing.
func (ix *Index) Search(q string, o SearchOptions) []Hit {
	query := ix.parse(q)
	if len(query) == 0 || len(ix.docs) == 0 {
		return nil
	}
	limit := o.Limit
	switch {
	case limit <= 0:
		limit = defaultLimit
	case limit > maxLimit:
		limit = maxLimit
	}
	locale := primaryTag(o.Locale)

	type match struct {
		score   float64
		matched uint32 // a bit for each query word the document has
	}
	matches := map[int32]*match{}
	for qi, qt := range query {
		// A document scores a query word by the best of the terms it
		// stands for, so a prefix counts once however many words it opens.
		best := map[int32]float64{}
		for ti, t := range qt.terms {
			idf := ix.idf(t)
			for _, p := range ix.postings[t] {
				s := qt.weights[ti] * idf * ix.saturate(p)
				if s > best[p.doc] {
					best[p.doc] = s
				}
			}
		}
		for d, s := range best {
			m := matches[d]
			if m == nil {
				m = &match{}
				matches[d] = m
			}
			m.score += s
			m.matched |= 1 << qi
		}
	}

	// Keep each article's best translation.
	type candidate struct {
		doc   int32
		all   bool
		score float64
	}
	best := map[int64]candidate{}
	for d, m := range matches {
		doc := &ix.docs[d]
		if doc.Internal && !o.Internal {
			continue
		}
		n := bits.OnesCount32(m.matched)
		c := candidate{doc: d, all: n == len(query), score: m.score * float64(n) / float64(len(query))}
		if locale != "" && doc.locale == locale {
			c.score *= localeBonus
		}
		if prev, ok := best[doc.ArticleID]; !ok || better(c.all, c.score, prev.all, prev.score) ||
			!better(prev.all, prev.score, c.all, c.score) && c.doc < prev.doc {
			best[doc.ArticleID] = c
		}
	}
	ranked := make([]candidate, 0, len(best))
	for _, c := range best {
		ranked = append(ranked, c)
	}
	slices.SortFunc(ranked, func(a, b candidate) int {
		switch {
		case better(a.all, a.score, b.all, b.score):
			return -1
		case better(b.all, b.score, a.all, a.score):
			return 1
		}
		da, db := &ix.docs[a.doc], &ix.docs[b.doc]
		return cmp.Or(cmp.Compare(db.Views, da.Views), cmp.Compare(da.ArticleID, db.ArticleID))
	})
	if len(ranked) > limit {
		ranked = ranked[:limit]
	}
	hits := make([]Hit, len(ranked))
	for i, c := range ranked {
		d := &ix.docs[c.doc]
		hits[i] = Hit{
			ArticleID: d.ArticleID,
			Locale:    d.Locale,
			Title:     d.Title,
			Snippet:   snippet(query, d.Text, d.Description),
			Internal:  d.Internal,
			Score:     c.score,
		}
	}
	return hits
}

// better orders two matches: every query word first, then score.
func better(allA bool, scoreA float64, allB bool, scoreB float64) bool {
	if allA != allB {
		return allA
	}
	return scoreA > scoreB
}

// parse turns a query into its words, each with the index terms it
// matches: itself, and for a last word still being typed the terms it
// starts.
func (ix *Index) parse(q string) []queryTerm {
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = string([]rune(q)[:maxQueryRunes])
	}
	terms := bot.Terms(q)
	var query []queryTerm
	seen := map[string]bool{}
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		query = append(query, queryTerm{terms: []string{t}, weights: []float64{1}})
		if len(query) == maxQueryTerms {
			break
		}
	}
	if len(query) == 0 {
		return nil
	}
	last := &query[len(query)-1]
	if typing(q, last.terms[0]) {
		for _, t := range ix.withPrefix(last.terms[0]) {
			if t != last.terms[0] {
				last.terms = append(last.terms, t)
				last.weights = append(last.weights, prefixWeight)
			}
		}
	}
	return query
}

// typing reports whether q ends in the word whose term is t, long
// enough to match as a prefix and not yet followed by a space.
func typing(q, t string) bool {
	if utf8.RuneCountInString(t) < minPrefixRunes {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(q)
	if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsNumber(r) {
		return false
	}
	words := strings.Fields(textnorm.ForSearch(q))
	if len(words) == 0 {
		return false
	}
	last := bot.Terms(words[len(words)-1])
	return len(last) == 1 && last[0] == t
}

// withPrefix returns the index's terms that start with p.
func (ix *Index) withPrefix(p string) []string {
	i := sort.SearchStrings(ix.vocab, p)
	var out []string
	for ; i < len(ix.vocab) && strings.HasPrefix(ix.vocab[i], p) && len(out) < maxExpansions; i++ {
		out = append(out, ix.vocab[i])
	}
	return out
}

// idf is BM25's inverse document frequency, never negative.
func (ix *Index) idf(t string) float64 {
	n := float64(len(ix.docs))
	df := float64(len(ix.postings[t]))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// saturate is BM25F's term frequency part for one posting.
func (ix *Index) saturate(p posting) float64 {
	d := &ix.docs[p.doc]
	tf := 0.0
	for f := range numFields {
		if p.tf[f] == 0 {
			continue
		}
		norm := 1 - fieldB[f] + fieldB[f]*float64(d.len[f])/ix.avgLen[f]
		tf += fieldWeight[f] * float64(p.tf[f]) / norm
	}
	return tf * (k1 + 1) / (tf + k1)
}

// primaryTag is the language of a BCP 47 tag: "bn" of "bn-BD".
func primaryTag(locale string) string {
	tag, _, _ := strings.Cut(locale, "-")
	tag, _, _ = strings.Cut(tag, "_")
	return strings.ToLower(strings.TrimSpace(tag))
}
