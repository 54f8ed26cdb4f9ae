package kb

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sahayhq/sahay/internal/bot"
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

// Fields of a document, strongest first.
const (
	fieldTitle = iota
	fieldDescription
	fieldText
	numFields
)

// Index is an immutable search index over published translations. It is
// safe for concurrent use.
type Index struct {
	docs []indexedDoc
	// terms holds each term once; a term's id is its position.
	terms []string
	ids   map[string]int32
	// postings lists, by term id, the documents a term is in.
	postings [][]posting
	// sorted is every term id in the order of its term, for prefixes.
	sorted []int32
	avgLen [numFields]float64
}

type indexedDoc struct {
	Doc
	locale string // the primary language subtag, lower case
	len    [numFields]int
	// description and text are what snippets are cut from.
	description, text passage
}

type posting struct {
	doc int32
	tf  [numFields]uint16
}

// passage is a text on one line, split into words whose terms are known,
// so that a search need not normalize it again to find its matches.
type passage struct {
	text  string
	words []token
}

// token is a word of a passage: its bytes, its first rune's position and
// its term (noTerm for a function word).
type token struct {
	start, end, runeStart int32
	term                  int32
}

// noTerm is the term of a function word, which no search matches.
const noTerm = -1

// NewIndex indexes docs. It keeps the texts it needs for snippets, so
// the caller may reuse docs.
func NewIndex(docs []Doc) *Index {
	ix := &Index{ids: map[string]int32{}}
	// Words repeat across articles far more than they differ: each one
	// is normalized and stemmed once.
	seen := map[string]int32{}
	var total [numFields]int
	for i, d := range docs {
		title := ix.passage(d.Title, seen)
		id := indexedDoc{
			Doc:         d,
			locale:      primaryTag(d.Locale),
			description: ix.passage(d.Description, seen),
			text:        ix.passage(d.Text, seen),
		}
		// The passage holds the text, on one line.
		id.Doc.Text = ""
		tf := map[int32]*[numFields]uint16{}
		for f, p := range [numFields]passage{title, id.description, id.text} {
			for _, w := range p.words {
				if w.term == noTerm {
					continue
				}
				if tf[w.term] == nil {
					tf[w.term] = new([numFields]uint16)
				}
				if tf[w.term][f] < math.MaxUint16 {
					tf[w.term][f]++
				}
				id.len[f]++
			}
			total[f] += id.len[f]
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
	ix.sorted = make([]int32, len(ix.terms))
	for i := range ix.sorted {
		ix.sorted[i] = int32(i)
	}
	slices.SortFunc(ix.sorted, func(a, b int32) int { return strings.Compare(ix.terms[a], ix.terms[b]) })
	// Postings are read, never appended to again: drop the spare room.
	for i, p := range ix.postings {
		ix.postings[i] = slices.Clip(p)
	}
	return ix
}

// Len is the number of translations in the index.
func (ix *Index) Len() int {
	return len(ix.docs)
}

// passage puts s on one line (list markers dropped, single spaces) and
// finds the term of each of its words; seen remembers the words met.
func (ix *Index) passage(s string, seen map[string]int32) passage {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(strings.TrimSpace(l), "- ")
	}
	p := passage{text: strings.Join(strings.Fields(strings.Join(lines, " ")), " ")}
	p.words = splitWords(p.text)
	for i := range p.words {
		w := &p.words[i]
		word := p.text[w.start:w.end]
		id, ok := seen[word]
		if !ok {
			id = noTerm
			// Terms splits where splitWords does, so one word gives one
			// term at most.
			if terms := bot.Terms(word); len(terms) == 1 {
				id = ix.termID(terms[0])
			}
			seen[word] = id
		}
		w.term = id
	}
	return p
}

// termID returns the id of a term, adding it when it is new.
func (ix *Index) termID(t string) int32 {
	id, ok := ix.ids[t]
	if !ok {
		id = int32(len(ix.terms))
		ix.ids[t] = id
		ix.terms = append(ix.terms, t)
		ix.postings = append(ix.postings, nil)
	}
	return id
}

// splitWords splits text into words where textnorm.ForSearch does.
func splitWords(text string) []token {
	var words []token
	runes := int32(0)
	inWord := false
	for i, r := range text {
		if isWordRune(r) {
			if !inWord {
				words = append(words, token{start: int32(i), runeStart: runes, term: noTerm})
				inWord = true
			}
			words[len(words)-1].end = int32(i + utf8.RuneLen(r))
		} else {
			inWord = false
		}
		runes++
	}
	return words
}

// isWordRune reports whether r belongs inside a word as textnorm splits
// them: letters, marks, numbers and the joiners, but not the zero width
// space.
func isWordRune(r rune) bool {
	if r == '\u200B' {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Cf, r)
}

// primaryTag is the language of a BCP 47 tag: "bn" of "bn-BD".
func primaryTag(locale string) string {
	tag, _, _ := strings.Cut(locale, "-")
	tag, _, _ = strings.Cut(tag, "_")
	return strings.ToLower(strings.TrimSpace(tag))
}
