package kb

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, md, want string
	}{
		{"paragraph and emphasis", "Tap **Cancel** _now_.", `<p>Tap <strong>Cancel</strong> <em>now</em>.</p>`},
		{"heading ids", "# Refunds\n\n## Refunds\n\n## রিফান্ড কীভাবে পাবেন?\n\n### रिफंड",
			`<h1 id="refunds">Refunds</h1>` + "\n" + `<h2 id="refunds-2">Refunds</h2>` + "\n" +
				`<h2 id="রিফান্ড-কীভাবে-পাবেন">রিফান্ড কীভাবে পাবেন?</h2>` + "\n" + `<h3 id="रिफंड">रिफंड</h3>`},
		{"heading of symbols", "## ???", `<h2 id="section">???</h2>`},
		{"external link", "[bKash](https://www.bkash.com/help)",
			`<p><a href="https://www.bkash.com/help" rel="nofollow noopener" target="_blank">bKash</a></p>`},
		{"relative link", "[refunds](/hc/shop/en/articles/3-refunds)", `<p><a href="/hc/shop/en/articles/3-refunds">refunds</a></p>`},
		{"mailto and tel", "[mail](mailto:help@example.com) [call](tel:+8801700000000)",
			`<p><a href="mailto:help@example.com">mail</a> <a href="tel:+8801700000000">call</a></p>`},
		{"bare link", "Visit www.example.com today",
			`<p>Visit <a href="http://www.example.com" rel="nofollow noopener" target="_blank">www.example.com</a> today</p>`},
		{"uploaded image", "![Order page](/hc-files/abc123/order.png)", `<p><img src="/hc-files/abc123/order.png" alt="Order page"></p>`},
		{"remote image", "![x](https://cdn.example.com/a.png)", `<p><img src="https://cdn.example.com/a.png" alt="x"></p>`},
		{"hindi alt and title", `![रसीद "भुगतान"](https://cdn.example.com/a.png "रसीद का नमूना")`,
			`<p><img src="https://cdn.example.com/a.png" alt="रसीद &#34;भुगतान&#34;" title="रसीद का नमूना"></p>`},
		{"other relative image", "![secret](/api/v1/me)", `<p>secret</p>`},
		{"uploaded image with a bengali name", "![রসিদ](/hc-files/abc123/%E0%A6%B0.png)", `<p><img src="/hc-files/abc123/%E0%A6%B0.png" alt="রসিদ"></p>`},
		{"table", "| Method | Days |\n|:--|--:|\n| bKash | 1–3 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">Method</th>\n<th align=\"right\">Days</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">bKash</td>\n<td align=\"right\">1–3</td>\n</tr>\n</tbody>\n</table>"},
		{"strikethrough", "~~old price~~", `<p><del>old price</del></p>`},
		{"ordered list", "3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>"},
		{"code", "`a<b`", `<p><code>a&lt;b</code></p>`},
		{"raw html is text", "<b>bold</b> & <u>u</u>", `<p>bold &amp; u</p>`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.md); got != tt.want {
				t.Errorf("Render(%q) =\n%s\nwant\n%s", tt.md, got, tt.want)
			}
		})
	}
}

// TestRenderXSS feeds Render the ways of running script or loading
// something unwanted that a Markdown author could try.
func TestRenderXSS(t *testing.T) {
	attacks := []string{
		`<script>alert(1)</script>`,
		"<script>\nalert(1)\n</script>",
		`<img src=x onerror=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<svg onload=alert(1)>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		`[x](javascript:alert(1))`,
		`[x](JaVaScRiPt:alert(1))`,
		`[x](  javascript:alert(1)  )`,
		`[x](java&#x73;cript:alert(1))`,
		`[x](java%73cript:alert(1))`,
		`[x](&#106;avascript:alert(1))`,
		`[x](vbscript:msgbox(1))`,
		`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`![x](javascript:alert(1))`,
		`![x](data:image/png;base64,iVBORw0KGgo=)`,
		`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
		`![x](//evil.example/a.png)`,
		`<javascript:alert(1)>`,
		`[x]: javascript:alert(1)` + "\n\n[x]",
		`[x](https://example.com "a\" onmouseover=\"alert(1)")`,
		`![x" onerror="alert(1)](https://example.com/a.png)`,
		`# <img src=x onerror=alert(1)>`,
		"```html\n<script>alert(1)</script>\n```",
		`<a href="https://example.com" onclick="alert(1)">x</a>`,
		`<form action="https://evil.example"><input name=p></form>`,
		`<object data="x.swf"></object><embed src="x.swf">`,
		`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
		`<style>body{display:none}</style>`,
		`[x](file:///etc/passwd)`,
		`![&lt;script&gt;alert(1)&lt;/script&gt;](/x.png)`,
		`![<img src=x onerror=alert(1)>](/x.png)`,
		`![x](/hc-files/../api/v1/me)`,
		`![x](/hc-files/%2e%2e/api/v1/me)`,
		`![x](/hc-files/tok/..%2f..%2fapi)`,
		`![x](/hc-files/tok\..\..\api)`,
		`![x](/hc-files/tok/a.png/../../../api)`,
	}
	for _, md := range attacks {
		got := Render(md)
		if err := checkSafe(got); err != nil {
			t.Errorf("Render(%q) = %q: %v", md, got, err)
		}
	}
}

// hcFile is the address of a help center file, /hc-files/{token}/{name}.
var hcFile = regexp.MustCompile(`^/hc-files/[A-Za-z0-9_-]+/[^/\\.][^/\\]*$`)

// safeElements are the elements rendered Markdown has.
var safeElements = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "a": true, "img": true,
	"strong": true, "em": true, "del": true, "code": true, "pre": true, "blockquote": true, "ul": true, "ol": true,
	"li": true, "br": true, "hr": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
}

// checkSafe parses rendered HTML as a browser would and reports an
// element, attribute or address that could run or load anything unsafe.
func checkSafe(rendered string) error {
	nodes, err := html.ParseFragment(strings.NewReader(rendered), &html.Node{Type: html.ElementNode, DataAtom: atom.Div, Data: "div"})
	if err != nil {
		return err
	}
	var check func(n *html.Node) error
	check = func(n *html.Node) error {
		if n.Type == html.ElementNode {
			if !safeElements[n.Data] {
				return fmt.Errorf("element <%s>", n.Data)
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "href", "src":
					u, err := url.Parse(strings.TrimSpace(a.Val))
					if err != nil {
						return fmt.Errorf("%s=%q: %w", a.Key, a.Val, err)
					}
					scheme := strings.ToLower(u.Scheme)
					if scheme != "" && scheme != "http" && scheme != "https" && (a.Key == "src" || scheme != "mailto" && scheme != "tel") ||
						strings.HasPrefix(a.Val, "//") || a.Key == "src" && scheme == "" && !hcFile.MatchString(a.Val) {
						return fmt.Errorf("%s=%q", a.Key, a.Val)
					}
				case "alt", "title", "id", "align", "rel", "target", "start":
				default:
					return fmt.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range nodes {
		if err := check(n); err != nil {
			return err
		}
	}
	return nil
}

func TestText(t *testing.T) {
	tests := []struct {
		name, md, want string
	}{
		{"paragraphs", "First **bold** line\nwraps.\n\nSecond.", "First bold line wraps.\n\nSecond."},
		{"heading", "## Refunds\n\nText.", "Refunds\n\nText."},
		{"lists", "Steps:\n\n1. Open\n2. Tap *Cancel*\n   - then confirm\n\nDone.", "Steps:\n\n- Open\n- Tap Cancel\n  - then confirm\n\nDone."},
		{"links", "See [refunds](/hc/a/3) or <https://example.com> or [call](tel:+880).",
			"See refunds (/hc/a/3) or https://example.com or call (tel:+880)."},
		{"unsafe link keeps its text", "[click](javascript:alert(1))", "click"},
		{"images dropped", "Before ![shot](/hc-files/a/b.png) after\n\n![only](https://x.example/a.png)", "Before  after"},
		{"escapes and entities", `5 \* 2 &amp; &copy; &#2453;`, "5 * 2 & © ক"},
		{"code", "Run `a\\b`:\n\n```\nx < y\n```", "Run a\\b:\n\nx < y"},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"},
		{"raw html dropped", "a <b>b</b> c\n\n<div>\nblock\n</div>", "a b c"},
		{"quote", "> quoted _text_", "quoted text"},
		{"hard break", "line  \nnext", "line\nnext"},
		{"bengali", "**আমার অর্ডার** খুলুন।", "আমার অর্ডার খুলুন।"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.md); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.md, got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name, md string
		n        int
		want     string
	}{
		{"short", "Open **My orders**.\n\nMore.", 50, "Open My orders."},
		{"cut at a word", "Open the order and choose the refund.", 20, "Open the order and…"},
		{"punctuation before the cut goes", "Open the order, then choose.", 17, "Open the order…"},
		{"skips a heading", "# Refunds\n\nAsk for your money back.", 100, "Ask for your money back."},
		{"heading when no paragraph", "# Refunds\n\n- one", 100, "Refunds"},
		{"bengali", "আমার অর্ডার থেকে অর্ডারটি খুলে বাতিল চাপুন।", 20, "আমার অর্ডার থেকে…"},
		{"one long word", "Supercalifragilistic", 6, "Super…"},
		{"exact length", "12345", 5, "12345"},
		{"zero", "Text", 0, ""},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summary(tt.md, tt.n); got != tt.want {
				t.Errorf("Summary(%q, %d) = %q, want %q", tt.md, tt.n, got, tt.want)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	tests := []struct {
		title, want string
	}{
		{"How to Track Your Order?", "how-to-track-your-order"},
		{"  Refunds -- and   returns!  ", "refunds-and-returns"},
		{"Café crème brûlée", "cafe-creme-brulee"},
		{"Cafe\u0301 (decomposed)", "cafe-decomposed"},
		{"Straße Ærø Łódź", "strasse-aero-lodz"},
		{"Top 10 tips for 2026", "top-10-tips-for-2026"},
		{"কীভাবে অর্ডার ট্র্যাক করবেন?", "কীভাবে-অর্ডার-ট্র্যাক-করবেন"},
		{"রিফান্ড: ৭ দিন", "রিফান্ড-৭-দিন"},
		{"रिफंड का अनुरोध कैसे करें?", "रिफंड-का-अनुरोध-कैसे-करें"},
		{"bKash পেমেন্ট", "bkash-পেমেন্ট"},
		{"日本語", "article"},
		{"", "article"},
		{"!!!", "article"},
		{strings.Repeat("refund ", 20), "refund-refund-refund-refund-refund-refund-refund-refund-refund-refund-refund"},
		{strings.Repeat("x", 100), strings.Repeat("x", 80)},
	}
	for _, tt := range tests {
		if got := Slug(tt.title); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestSlugLong(t *testing.T) {
	// Bengali takes three bytes a rune: a cut must not part a letter from
	// its vowel sign or leave half a conjunct.
	for _, title := range []string{
		strings.Repeat("ক্ষ", 30),
		strings.Repeat("কী", 30),
		"রিফান্ড " + strings.Repeat("ট্র্যাকিং", 10),
	} {
		s := Slug(title)
		rest, ok := strings.CutPrefix(strings.ReplaceAll(title, " ", "-"), s)
		switch {
		case len(s) > 80:
			t.Errorf("Slug(%q) has %d bytes, want at most 80", title, len(s))
		case !ok:
			t.Errorf("Slug(%q) = %q, not the start of the title", title, s)
		case strings.HasSuffix(s, "\u09CD"):
			t.Errorf("Slug(%q) = %q ends in a virama", title, s)
		case rest != "" && unicode.IsMark([]rune(rest)[0]):
			t.Errorf("Slug(%q) = %q parts a letter from its sign", title, s)
		}
	}
}

func TestMatchPage(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		page     string
		want     bool
	}{
		{"exact path", []string{"/checkout"}, "/checkout", true},
		{"absolute url", []string{"/checkout"}, "https://shop.example.com/checkout?step=2#pay", true},
		{"trailing slash on page", []string{"/checkout"}, "https://shop.example.com/checkout/", true},
		{"trailing slash on pattern", []string{"/checkout/"}, "/checkout", true},
		{"query in pattern ignored", []string{"/checkout?x=1"}, "/checkout?y=2", true},
		{"longer path", []string{"/checkout"}, "/checkout/done", false},
		{"other path", []string{"/checkout"}, "/cart", false},
		{"prefix", []string{"/orders*"}, "/orders/123", true},
		{"prefix matches itself", []string{"/orders*"}, "/orders", true},
		{"directory prefix matches itself", []string{"/orders/*"}, "/orders", true},
		{"directory prefix", []string{"/orders/*"}, "/ordersx", false},
		{"everything", []string{"*"}, "https://shop.example.com/anything", true},
		{"second pattern", []string{"/cart", "/checkout*"}, "/checkout/pay", true},
		{"host", []string{"shop.example.com/checkout*"}, "https://shop.example.com/checkout/pay", true},
		{"host ignores case and port", []string{"Shop.Example.com/checkout"}, "https://shop.example.com:8443/checkout", true},
		{"host with scheme", []string{"https://shop.example.com/checkout"}, "http://shop.example.com/checkout", true},
		{"other host", []string{"shop.example.com/checkout*"}, "https://blog.example.com/checkout", false},
		{"host against a bare path", []string{"shop.example.com/checkout"}, "/checkout", false},
		{"whole host", []string{"shop.example.com*"}, "https://shop.example.com/any/page", true},
		{"host root", []string{"shop.example.com"}, "https://shop.example.com/", true},
		{"encoded path", []string{"/অর্ডার*"}, "https://shop.example.com/%E0%A6%85%E0%A6%B0%E0%A7%8D%E0%A6%A1%E0%A6%BE%E0%A6%B0/5", true},
		{"path is case sensitive", []string{"/Checkout"}, "/checkout", false},
		{"relative page", []string{"/help"}, "help", true},
		{"no patterns", nil, "/checkout", false},
		{"empty pattern", []string{""}, "/checkout", false},
		{"empty page", []string{"*"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchPage(tt.patterns, tt.page); got != tt.want {
				t.Errorf("MatchPage(%q, %q) = %v, want %v", tt.patterns, tt.page, got, tt.want)
			}
		})
	}
}

// TestCheckSafe makes sure the XSS test's checker catches what it is for.
func TestCheckSafe(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<img src="x" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" JAVASCRIPT:alert(1)">x</a>`,
		`<img src="data:image/png;base64,AAAA">`,
		`<img src="/api/v1/me">`,
		`<img src="//evil.example/a.png">`,
		`<img src="/hc-files/../api/v1/me">`,
		`<p style="color:red">x</p>`,
		`<iframe src="https://evil.example"></iframe>`,
	} {
		if checkSafe(bad) == nil {
			t.Errorf("checkSafe(%q) found nothing wrong", bad)
		}
	}
	if err := checkSafe(`<p><a href="/hc/a" id="x">a</a> <img src="/hc-files/t/a.png" alt="a"></p>`); err != nil {
		t.Errorf("checkSafe(safe HTML) = %v", err)
	}
}
