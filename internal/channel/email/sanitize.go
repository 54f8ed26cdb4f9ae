package email

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// policy is what a mail's HTML may keep: text formatting, lists, tables,
// links (made safe) and images whose address is held back; no scripts,
// styles sheets, forms, frames, event handlers or URLs in CSS.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "div", "span", "b", "i", "u", "s", "strong", "em", "small", "big", "sub", "sup",
		"blockquote", "pre", "code", "tt", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
		"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col", "center", "font", "del", "ins",
		"abbr", "address", "cite", "q", "mark", "figure", "figcaption")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("data-src").Matching(remoteImage).OnElements("img")
	p.AllowAttrs("data-cid").Matching(contentID).OnElements("img")
	p.AllowAttrs("alt", "title", "width", "height").OnElements("img")
	p.AllowAttrs("dir", "lang", "title").Globally()
	p.AllowAttrs("align").Matching(regexp.MustCompile(`(?i)^(left|right|center|justify)$`)).Globally()
	p.AllowAttrs("valign").Matching(regexp.MustCompile(`(?i)^(top|middle|bottom|baseline)$`)).OnElements("td", "th", "tr")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^[0-9]{1,4}%?$`)).OnElements("table", "td", "th", "col")
	p.AllowAttrs("border", "cellpadding", "cellspacing").Matching(bluemonday.Integer).OnElements("table")
	p.AllowAttrs("color").Matching(regexp.MustCompile(`^#?[0-9A-Za-z]{1,20}$`)).OnElements("font")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^cite$`)).OnElements("blockquote")
	p.AllowAttrs("class").Matching(quoteClass).OnElements("div", "blockquote")
	p.AllowStyles("color", "background-color", "font-size", "font-weight", "font-style", "font-family", "text-align",
		"text-decoration", "line-height", "vertical-align", "white-space", "direction", "margin", "margin-top",
		"margin-bottom", "margin-left", "margin-right", "padding", "padding-top", "padding-bottom", "padding-left",
		"padding-right", "border", "border-top", "border-bottom", "border-left", "border-right", "border-collapse",
		"width", "max-width", "height").Globally()
	return p
}()

var (
	remoteImage = regexp.MustCompile(`^https?://[^\s"'<>\\]+$`)
	contentID   = regexp.MustCompile(`^[!-~]{1,250}$`)
	// quoteClass keeps the classes mail programs mark quoted history
	// with, so a reader can fold it.
	quoteClass = regexp.MustCompile(`^(gmail_quote|gmail_attr|gmail_signature|moz-cite-prefix|moz-signature|yahoo_quoted|OutlookMessageHeader)$`)
)

// Sanitize returns a mail's HTML as it is safe to show: first each image
// is made to wait (its remote address moved from src to data-src, an
// inline image's cid: address to data-cid), then the policy drops
// everything else that could run, load or submit anything.
func Sanitize(body string) string {
	return strings.TrimSpace(policy.Sanitize(holdImages(body)))
}

// holdImages rewrites the src of every img: https?:// to data-src, cid: to
// data-cid, anything else (data:, file:, javascript:) dropped.
func holdImages(body string) string {
	z := html.NewTokenizer(strings.NewReader(body))
	var b strings.Builder
	b.Grow(len(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		tok := z.Token()
		if (tt == html.StartTagToken || tt == html.SelfClosingTagToken) && tok.DataAtom == atom.Img {
			attrs := tok.Attr[:0:0]
			for _, a := range tok.Attr {
				switch strings.ToLower(a.Key) {
				case "src":
					v := strings.TrimSpace(a.Val)
					lower := strings.ToLower(v)
					switch {
					case strings.HasPrefix(lower, "cid:"):
						attrs = append(attrs, html.Attribute{Key: "data-cid", Val: strings.Trim(v[4:], "<>")})
					case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
						attrs = append(attrs, html.Attribute{Key: "data-src", Val: v})
					}
				case "data-src", "data-cid":
					// Only what this rewrite sets.
				default:
					attrs = append(attrs, a)
				}
			}
			tok.Attr = attrs
		}
		b.WriteString(tok.String())
	}
}

// maxQuoteDepth is the most "> " marks a line of [HTMLText] gets.
const maxQuoteDepth = 8

// HTMLText returns the text of a mail's HTML, for a mail without a plain
// text part: paragraphs and line breaks as newlines, quoted blocks with
// "> " before each line, so that [Fold] finds the quoted history.
func HTMLText(body string) string {
	z := html.NewTokenizer(strings.NewReader(body))
	var b strings.Builder
	quote, skip := 0, 0
	atLineStart := true
	newline := func() {
		b.WriteString("\n")
		atLineStart = true
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(collapseBlankLines(b.String()))
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := strings.Join(strings.Fields(string(z.Text())), " ")
			if text == "" {
				continue
			}
			if atLineStart {
				b.WriteString(strings.Repeat("> ", min(quote, maxQuoteDepth)))
				atLineStart = false
			} else {
				b.WriteString(" ")
			}
			b.WriteString(text)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case atom.Blockquote:
				if tt == html.StartTagToken {
					quote++
				} else if tt == html.EndTagToken && quote > 0 {
					quote--
				}
				newline()
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Hr, atom.Table, atom.Pre, atom.Ul, atom.Ol:
				newline()
			}
		}
	}
}

// collapseBlankLines keeps at most one blank line in a row.
func collapseBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " ")
		if strings.Trim(l, "> ") == "" {
			if blank++; blank > 1 {
				continue
			}
			l = strings.TrimRight(l, " >")
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
