package kb

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Text is the plain text of an article's Markdown, for search, snippets,
// the bot's answers and an agent's reply in a chat: paragraphs separated
// by blank lines, list items on lines starting "- " (nested ones
// indented), links as "text (url)", images dropped, no markup.
func Text(md string) string {
	return strings.Join(blocks(md), "\n\n")
}

// Summary is the text of the first paragraph of md (a heading when there
// is no paragraph), cut at n runes on a word boundary with "…". The
// result, "…" included, is at most n runes long.
func Summary(md string, n int) string {
	if n <= 0 {
		return ""
	}
	src := []byte(md)
	doc := plain.Parse(text.NewReader(src))
	var first, heading string
	for c := doc.FirstChild(); c != nil && first == ""; c = c.NextSibling() {
		switch c.Kind() {
		case ast.KindParagraph:
			first = collapseSpace(inlineText(c, src))
		case ast.KindHeading:
			if heading == "" {
				heading = collapseSpace(inlineText(c, src))
			}
		}
	}
	if first == "" {
		first = heading
	}
	return cut(first, n)
}

// cut shortens s to at most n runes, "…" included, at the last space
// that leaves any text at all, or mid-word when a single word is longer.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	end := 0
	for i := range s {
		if n--; n == 0 {
			end = i
			break
		}
	}
	s = s[:end]
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	return strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' && r != '"'
	}) + "…"
}

// collapseSpace puts single spaces between the words of s.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// blocks returns the text of each top-level block of md.
func blocks(md string) []string {
	src := []byte(md)
	doc := plain.Parse(text.NewReader(src))
	w := textWriter{src: src}
	for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
		w.block(c, "")
	}
	return w.out
}

// textWriter collects blocks of plain text.
type textWriter struct {
	src []byte
	out []string
}

func (w *textWriter) add(s string) {
	if s = strings.TrimSpace(s); s != "" {
		w.out = append(w.out, s)
	}
}

// block writes one block; indent is put before each list item's line.
func (w *textWriter) block(n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		w.add(inlineText(n, w.src))
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		var b strings.Builder
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.Write(seg.Value(w.src))
		}
		w.add(strings.TrimRight(b.String(), "\n"))
	case *ast.List:
		w.add(strings.Join(w.items(n, indent), "\n"))
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			w.block(c, indent)
		}
	case *east.Table:
		var rows []string
		for r := n.FirstChild(); r != nil; r = r.NextSibling() {
			var cells []string
			for c := r.FirstChild(); c != nil; c = c.NextSibling() {
				cells = append(cells, strings.TrimSpace(inlineText(c, w.src)))
			}
			rows = append(rows, strings.Join(cells, " | "))
		}
		w.add(strings.Join(rows, "\n"))
	}
	// Thematic breaks, link reference definitions and raw HTML have no
	// text of their own.
}

// items returns the lines of a list: each item's first block after "- ",
// further blocks on lines of their own, nested lists indented.
func (w *textWriter) items(list *ast.List, indent string) []string {
	var lines []string
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		marker := indent + "- "
		for c := item.FirstChild(); c != nil; c = c.NextSibling() {
			if sub, ok := c.(*ast.List); ok {
				lines = append(lines, w.items(sub, indent+"  ")...)
				continue
			}
			inner := textWriter{src: w.src}
			inner.block(c, indent+"  ")
			for _, s := range inner.out {
				lines = append(lines, marker+collapseLines(s))
				marker = indent + "  "
			}
		}
	}
	return lines
}

// collapseLines keeps a list item's text on one line.
func collapseLines(s string) string {
	return strings.ReplaceAll(s, "\n", " ")
}

// inlineText is the plain text of n's inline content.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	writeInline(&b, n, src)
	return b.String()
}

func writeInline(b *strings.Builder, n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(unescape(c.Value(src)))
			switch {
			case c.HardLineBreak():
				b.WriteByte('\n')
			case c.SoftLineBreak():
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(unescape(c.Value))
		case *ast.CodeSpan:
			// Code keeps its backslashes and ampersands.
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					b.Write(t.Value(src))
				}
			}
		case *ast.Image, *ast.RawHTML:
		case *ast.AutoLink:
			b.Write(c.Label(src))
		case *ast.Link:
			label := inlineText(c, src)
			dest := string(c.Destination)
			switch {
			case !allowedLink(dest) || strings.TrimPrefix(strings.TrimPrefix(dest, "mailto:"), "tel:") == label:
				b.WriteString(label)
			case strings.TrimSpace(label) == "":
				b.WriteString(dest)
			default:
				b.WriteString(label + " (" + dest + ")")
			}
		default:
			writeInline(b, c, src)
		}
	}
}

// allowedLink reports whether a link's address may be shown: one that
// [Render] keeps, http(s), mailto:, tel: or relative.
func allowedLink(dest string) bool {
	if dest == "" {
		return false
	}
	u, err := url.Parse(dest)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto", "tel":
		return true
	}
	return false
}

// unescape resolves backslash escapes and character references the way
// goldmark's HTML renderer does.
func unescape(s []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(s)))
}
