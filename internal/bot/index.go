package bot

import (
	"math"

	sahay "github.com/sahayhq/sahay"
)

// BM25 parameters: the usual ones. Phrasings are short, so length
// normalization matters little either way.
const (
	k1 = 1.2
	b  = 0.75
)

// Index is a BM25 index over FAQ entries. Each way of asking an entry
// (its question and every phrasing) is a document of its own, and an
// entry scores as its best document: one phrasing that matches well is
// what counts, not the sum of many that each match a little.
type Index struct {
	docs []doc
	// df counts the documents each term is in; avgLen is their mean
	// length in terms.
	df     map[string]int
	avgLen float64
}

type doc struct {
	faq   *sahay.FAQ
	terms map[string]int
	len   int
}

// NewIndex indexes faqs.
func NewIndex(faqs []*sahay.FAQ) *Index {
	ix := &Index{df: map[string]int{}}
	total := 0
	for _, f := range faqs {
		for _, text := range append([]string{f.Question}, f.Phrasings...) {
			terms := Terms(text)
			if len(terms) == 0 {
				continue
			}
			d := doc{faq: f, terms: map[string]int{}, len: len(terms)}
			for _, t := range terms {
				if d.terms[t] == 0 {
					ix.df[t]++
				}
				d.terms[t]++
			}
			ix.docs = append(ix.docs, d)
			total += len(terms)
		}
	}
	if len(ix.docs) > 0 {
		ix.avgLen = float64(total) / float64(len(ix.docs))
	}
	return ix
}

// Match is the entry that answers a question best, and how sure the index
// is of it.
type Match struct {
	FAQ *sahay.FAQ
	// Confidence runs from 0 (no idea) to 1.
	Confidence float64
	// Score is the entry's BM25 score; RunnerUp the best score of any
	// other entry.
	Score, RunnerUp float64
}

// idf is BM25's inverse document frequency, never negative.
func (ix *Index) idf(term string) float64 {
	n := float64(len(ix.docs))
	df := float64(ix.df[term])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// Search finds the entry that answers query best among those whose
// language is lang, or among all of them when lang is "". It returns nil
// when no entry shares a term with the query.
//
// The confidence is how much of the question the best document covers
// and how much of the document the question covers (the geometric mean of
// the two, each weighing terms by their idf, so a rare word counts more
// than a common one and a word no entry has counts fully against), times
// how far the entry is ahead of the runner-up: (1 + margin) / 2, where
// margin is (score - runner-up) / score. Two entries that match equally
// well halve it: the bot does not guess between them.
func (ix *Index) Search(query, lang string) *Match {
	q := Terms(query)
	if len(q) == 0 || len(ix.docs) == 0 {
		return nil
	}
	unique := map[string]bool{}
	for _, t := range q {
		unique[t] = true
	}
	best := map[*sahay.FAQ]float64{}
	bestDoc := map[*sahay.FAQ]*doc{}
	for i := range ix.docs {
		d := &ix.docs[i]
		if lang != "" && d.faq.Language != lang {
			continue
		}
		score := 0.0
		for t := range unique {
			tf := float64(d.terms[t])
			if tf == 0 {
				continue
			}
			score += ix.idf(t) * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(d.len)/ix.avgLen))
		}
		if score > best[d.faq] {
			best[d.faq], bestDoc[d.faq] = score, d
		}
	}
	var top *sahay.FAQ
	var first, second float64
	for f, s := range best {
		switch {
		case s > first || s == first && top != nil && f.ID < top.ID:
			if top != nil {
				second = max(second, first)
			}
			top, first = f, s
		case s > second:
			second = s
		}
	}
	if top == nil {
		return nil
	}
	d := bestDoc[top]
	var qAll, qHit, dAll, dHit float64
	for t := range unique {
		w := ix.idf(t)
		qAll += w
		if d.terms[t] > 0 {
			qHit += w
		}
	}
	for t := range d.terms {
		w := ix.idf(t)
		dAll += w
		if unique[t] {
			dHit += w
		}
	}
	coverage := math.Sqrt(qHit / qAll * dHit / dAll)
	margin := (first - second) / first
	return &Match{FAQ: top, Confidence: coverage * (1 + margin) / 2, Score: first, RunnerUp: second}
}

// Answer finds the entry that answers query with at least threshold
// confidence: among the entries in the customer's language lang first,
// then among all. It returns the best match found (nil when none shares a
// term with the query) and whether it may be given.
func (ix *Index) Answer(query, lang string, threshold float64) (*Match, bool) {
	var m *Match
	if lang != "" {
		m = ix.Search(query, lang)
		if m != nil && m.Confidence >= threshold {
			return m, true
		}
	}
	if all := ix.Search(query, ""); all != nil && (m == nil || all.Confidence > m.Confidence) {
		m = all
	}
	return m, m != nil && m.Confidence >= threshold
}
