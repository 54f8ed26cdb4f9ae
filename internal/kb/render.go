package kb

import (
	"bytes"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// extensions are GitHub's tables, strikethrough and bare links, with a
// cell's alignment as an attribute the sanitizer can allow (rather than
// a style it cannot).
var extensions = goldmark.WithExtensions(
	extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	extension.Strikethrough,
	extension.Linkify,
)

// markdown renders articles. Raw HTML is left out (goldmark's renderer
// is safe unless told otherwise): an article's author writes Markdown,
// not markup.
var markdown = goldmark.New(extensions, goldmark.WithParserOptions(
	parser.WithAutoHeadingID(),
	parser.WithASTTransformers(util.Prioritized(imageFilter{}, 100)),
))

// plain parses articles for their text, which has no images at all.
var plain = goldmark.New(extensions).Parser()

// policy is what rendered HTML may keep. Goldmark already escapes raw
// HTML and drops dangerous link targets; the policy is the second line,
// so a bug in either one alone lets nothing through.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	// Links within the help center are the team's own and keep their
	// weight; links elsewhere open in a new tab and pass no authority.
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("id").Matching(headingID).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	// UGCPolicy's pattern for alt and title has no combining marks, so it
	// drops nearly every Bengali or Hindi text; the sanitizer escapes
	// attribute values, so any printable text is safe in them.
	p.AllowAttrs("alt", "title").Matching(attributeText).OnElements("img")
	p.AllowAttrs("title").Matching(attributeText).OnElements("a")
	return p
}()

// attributeText is printable text on one line.
var attributeText = regexp.MustCompile(`^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]*$`)

// headingID is the form [headingIDs] gives.
var headingID = regexp.MustCompile(`^[\p{L}\p{M}\p{N}-]{1,90}$`)

// Render turns an article's Markdown into safe HTML for the help center,
// the widget and the dashboard's preview: no raw HTML, scripts, event
// handlers or script and data URLs; images only from http(s) addresses or
// the help center's own files (/hc-files/…); links to http(s), mailto:,
// tel: or relative addresses, those to other sites marked
// rel="nofollow noopener" and opened in a new tab; headings with ids
// made like slugs, so that anchors stay put while the text around them
// changes.
func Render(md string) string {
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{used: map[string]bool{}}))
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf, parser.WithContext(ctx)); err != nil {
		// Converting to a bytes.Buffer cannot fail; nothing is better
		// than half an article if it ever does.
		return ""
	}
	return strings.TrimSpace(policy.Sanitize(buf.String()))
}

// imageFilter replaces an image whose address is not one the help center
// shows with its alternative text: a remote http(s) image or one of the
// account's uploaded files. The sanitizer could only drop the address and
// leave a broken image behind.
type imageFilter struct{}

func (imageFilter) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	var refused []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering && !allowedImage(string(img.Destination)) {
			refused = append(refused, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range refused {
		alt := inlineText(img, reader.Source())
		img.Parent().ReplaceChild(img.Parent(), img, ast.NewString([]byte(alt)))
	}
}

// allowedImage reports whether an image's address is a remote http(s)
// one or one of the help center's files, "/hc-files/{token}/{name}". A
// file's address must not climb out of /hc-files/ ("..", "%2e%2e" or a
// backslash, which browsers read as a slash), or an article could make
// each reader's browser request another page of the site as them.
func allowedImage(dest string) bool {
	lower := strings.ToLower(strings.TrimSpace(dest))
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		return true
	}
	rest, ok := strings.CutPrefix(dest, "/hc-files/")
	if !ok || strings.ContainsRune(rest, '\\') {
		return false
	}
	segments := strings.Split(rest, "/")
	if len(segments) != 2 {
		return false
	}
	for _, seg := range segments {
		seg, err := url.PathUnescape(seg)
		if err != nil || seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "/\\") {
			return false
		}
	}
	return true
}

// headingIDs gives headings ids made like slugs, numbered from the second
// heading with the same text ("billing", "billing-2").
type headingIDs struct {
	used map[string]bool
}

func (ids *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := slug(string(value), 80)
	if base == "" {
		base = "section"
	}
	id := base
	for n := 2; ids.used[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	ids.used[id] = true
	return []byte(id)
}

func (ids *headingIDs) Put(value []byte) {
	ids.used[string(value)] = true
}
