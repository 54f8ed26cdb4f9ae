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
	maxQueryTerms = textnorm.MaxTerms
	// minPrefixRunes is how much of a last word must be typed before it
	// matches as a prefix: fewer letters match too much to rank.
	minPrefixRunes = 3
	// maxExpansions bounds the terms one prefix stands for.
	maxExpansions = 64
)

// Limits on how many hits a search returns.
const (
	defaultLimit = 10
	maxLimit     = 50
)

// BM25F: a term's frequency is summed over the fields by their weights,
// each field normalized by its own mean length, and saturated once.
const (
	k1 = 1.2
	// prefixWeight discounts a term the last query word only starts, so
	// that "pay" ranks "pay" above "payment".
	prefixWeight = 0.9
	// localeBonus multiplies the score of a translation in the reader's
	// locale: of translations that match about as well it wins, but one
	// that matches clearly better still does.
	localeBonus = 1.2
)

var (
	fieldWeight = [numFields]float64{fieldTitle: 4, fieldDescription: 2, fieldText: 1}
	// fieldB is BM25's length normalization per field: a title's length
	// says little about how much of it is about a word.
	fieldB = [numFields]float64{fieldTitle: 0.3, fieldDescription: 0.5, fieldText: 0.75}
)

// SearchOptions says who searches and how many hits they want.
type SearchOptions struct {
	// Locale is the reader's locale. Of an article's translations that
	// match, one in this locale is preferred; the others still match.
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
	// Score is the hit's relevance, comparable with the scores of the
	// same search only.
	Score float64
}

// queryTerm is one word of a query and the terms it matches, with the
// weight of each.
type queryTerm struct {
	ids     []int32
	weights []float64
}

// Search returns the articles that match q, best first, one hit per
// article in its best-matching translation. An article that has every
// word of the query ranks above one that has only some; among equals
// the score decides (BM25 over title, description and text, in that
// order of weight), then views. The last word of the query also matches
// as the start of a longer word once it has three letters, so results
// follow someone typing. A query of function words alone finds nothing.
//
// Nothing found is an empty slice, not nil, so that it encodes as a JSON
// array.
func (ix *Index) Search(q string, o SearchOptions) []Hit {
	query := ix.parse(q)
	if len(query) == 0 {
		return []Hit{}
	}
	limit := o.Limit
	switch {
	case limit <= 0:
		limit = defaultLimit
	case limit > maxLimit:
		limit = maxLimit
	}
	ranked := ix.rank(query, primaryTag(o.Locale), o.Internal)
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
			Snippet:   snippet(query, d.text, d.description),
			Internal:  d.Internal,
			Score:     c.score,
		}
	}
	return hits
}

// candidate is a translation that matches a query.
type candidate struct {
	doc   int32
	all   bool // it has every word of the query
	score float64
}

// better orders candidates: every query word first, then score.
func (c candidate) better(o candidate) bool {
	if c.all != o.all {
		return c.all
	}
	return c.score > o.score
}

// rank returns each matching article's best translation, best first.
func (ix *Index) rank(query []queryTerm, locale string, internal bool) []candidate {
	type match struct {
		score   float64
		matched uint32 // a bit for each query word the document has
	}
	matches := map[int32]*match{}
	for qi, qt := range query {
		// A document scores a query word by the best of the terms it
		// stands for, so a prefix counts once however many words it opens.
		best := map[int32]float64{}
		for ti, t := range qt.ids {
			idf := ix.idf(t)
			for _, p := range ix.postings[t] {
				if s := qt.weights[ti] * idf * ix.saturate(p); s > best[p.doc] {
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

	articles := map[int64]candidate{}
	for d, m := range matches {
		doc := &ix.docs[d]
		if doc.Internal && !internal {
			continue
		}
		n := bits.OnesCount32(m.matched)
		c := candidate{doc: d, all: n == len(query), score: m.score * float64(n) / float64(len(query))}
		if locale != "" && doc.locale == locale {
			c.score *= localeBonus
		}
		// Of equals the first indexed wins, whatever the map's order.
		if prev, ok := articles[doc.ArticleID]; !ok || c.better(prev) || !prev.better(c) && c.doc < prev.doc {
			articles[doc.ArticleID] = c
		}
	}
	ranked := make([]candidate, 0, len(articles))
	for _, c := range articles {
		ranked = append(ranked, c)
	}
	slices.SortFunc(ranked, func(a, b candidate) int {
		switch {
		case a.better(b):
			return -1
		case b.better(a):
			return 1
		}
		da, db := &ix.docs[a.doc], &ix.docs[b.doc]
		return cmp.Or(cmp.Compare(db.Views, da.Views), cmp.Compare(da.ArticleID, db.ArticleID))
	})
	return ranked
}

// parse turns a query into its distinct words, each with the terms it
// matches: its own, and for a last word still being typed the terms it
// starts. A word no article has still counts as a word of the query.
func (ix *Index) parse(q string) []queryTerm {
	q = firstRunes(q, maxQueryRunes)
	var query []queryTerm
	seen := map[string]bool{}
	var last string
	for _, t := range bot.Terms(q) {
		if seen[t] {
			continue
		}
		seen[t] = true
		qt := queryTerm{}
		if id, ok := ix.ids[t]; ok {
			qt = queryTerm{ids: []int32{id}, weights: []float64{1}}
		}
		query = append(query, qt)
		last = t
		if len(query) == maxQueryTerms {
			break
		}
	}
	if len(query) == 0 || !typing(q, last) {
		return query
	}
	qt := &query[len(query)-1]
	for _, id := range ix.withPrefix(last) {
		if ix.terms[id] != last {
			qt.ids = append(qt.ids, id)
			qt.weights = append(qt.weights, prefixWeight)
		}
	}
	return query
}

// firstRunes returns s cut after n runes.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// typing reports whether q ends in the word whose term is t, long
// enough to match as a prefix and not yet followed by a space.
func typing(q, t string) bool {
	if utf8.RuneCountInString(t) < minPrefixRunes {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(q)
	if !isWordRune(r) || unicode.Is(unicode.Cf, r) {
		return false
	}
	words := strings.Fields(textnorm.ForSearch(q))
	if len(words) == 0 {
		return false
	}
	last := bot.Terms(words[len(words)-1])
	return len(last) == 1 && last[0] == t
}

// withPrefix returns the ids of the terms that start with p.
func (ix *Index) withPrefix(p string) []int32 {
	i := sort.Search(len(ix.sorted), func(i int) bool { return ix.terms[ix.sorted[i]] >= p })
	var out []int32
	for ; i < len(ix.sorted) && strings.HasPrefix(ix.terms[ix.sorted[i]], p) && len(out) < maxExpansions; i++ {
		out = append(out, ix.sorted[i])
	}
	return out
}

// idf is BM25's inverse document frequency, never negative.
func (ix *Index) idf(t int32) float64 {
	n := float64(len(ix.docs))
	df := float64(len(ix.postings[t]))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// saturate is BM25F's term frequency part of one posting.
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
