package helpcenter_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/testenv"

	"golang.org/x/net/html"
)

func TestMain(m *testing.M) {
	testenv.Report(testenv.Suite{Env: apitest.PostgresEnv, What: "PostgreSQL runs of the help center tests"})
	os.Exit(m.Run())
}

// desk is a test server with an account whose help center is on.
type desk struct {
	*apitest.Server
	owner *apitest.User
	slug  string
	// client follows no redirects.
	client *http.Client
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	s := apitest.NewServer(t)
	owner := s.NewAccount(t, "Acme Shop")
	var me struct {
		Slug string `json:"slug"`
	}
	s.Must(t, owner.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
	if me.Slug == "" {
		t.Fatal("the account has no slug")
	}
	d := &desk{Server: s, owner: owner, slug: me.Slug, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	d.settings(t, map[string]any{"enabled": true, "title": "Acme Help", "locales": []string{"en", "bn", "hi"},
		"default_locale": "en", "color": "#0b6e4f",
		"intro": map[string]string{"en": "How can we help?", "bn": "আমরা কীভাবে সাহায্য করতে পারি?", "hi": "हम आपकी कैसे मदद कर सकते हैं?"}})
	return d
}

func (d *desk) settings(t *testing.T, in map[string]any) {
	t.Helper()
	d.Must(t, d.owner.Token, http.MethodPut, "/api/v1/kb/settings", in, http.StatusOK, nil)
}

func (d *desk) category(t *testing.T, names map[string]string) int64 {
	t.Helper()
	var c struct{ ID int64 }
	d.Must(t, d.owner.Token, http.MethodPost, "/api/v1/kb/categories", map[string]any{"names": names}, http.StatusCreated, &c)
	return c.ID
}

// article is an article as the API answers.
type article struct {
	ID           int64 `json:"id"`
	Translations []struct {
		Locale string `json:"locale"`
		URL    string `json:"url"`
		Slug   string `json:"slug"`
	} `json:"translations"`
}

// publish creates an article with one published translation; fields add
// to or replace the request's.
func (d *desk) publish(t *testing.T, locale, title, body string, fields map[string]any) article {
	t.Helper()
	in := map[string]any{"locale": locale, "title": title, "body": body, "status": "published"}
	for k, v := range fields {
		in[k] = v
	}
	var a article
	d.Must(t, d.owner.Token, http.MethodPost, "/api/v1/kb/articles", in, http.StatusCreated, &a)
	return a
}

// translate adds a translation to an article.
func (d *desk) translate(t *testing.T, id int64, locale, title, body, status string) article {
	t.Helper()
	var a article
	d.Must(t, d.owner.Token, http.MethodPut, fmt.Sprintf("/api/v1/kb/articles/%d/translations/%s", id, locale),
		map[string]any{"title": title, "body": body, "status": status}, http.StatusOK, &a)
	return a
}

func (a article) url(locale string) string {
	for _, tr := range a.Translations {
		if tr.Locale == locale {
			return tr.URL
		}
	}
	return ""
}

// page is an answer of the help center, its HTML parsed.
type page struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

// get fetches path (with the header's fields; "Host" sets the host) and
// follows no redirect.
func (d *desk) get(t *testing.T, path string, header ...string) *page {
	t.Helper()
	return d.send(t, http.MethodGet, path, nil, header...)
}

func (d *desk) send(t *testing.T, method, path string, form url.Values, header ...string) *page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, d.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := d.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := &page{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if p.doc, err = html.Parse(strings.NewReader(p.body)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return p
}

// all returns the elements named tag whose attributes include attrs
// (name, value pairs; a value "*" matches any).
func (p *page) all(tag string, attrs ...string) []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			ok := true
			for i := 0; i+1 < len(attrs); i += 2 {
				v, has := attr(n, attrs[i])
				if !has || (attrs[i+1] != "*" && v != attrs[i+1]) {
					ok = false
				}
			}
			if ok {
				out = append(out, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if p.doc != nil {
		walk(p.doc)
	}
	return out
}

// one returns the attribute of the only element that matches, or fails.
func (p *page) one(t *testing.T, tag, want string, attrs ...string) string {
	t.Helper()
	found := p.all(tag, attrs...)
	if len(found) != 1 {
		t.Fatalf("%d <%s %v> elements, want 1:\n%s", len(found), tag, attrs, p.body)
	}
	v, _ := attr(found[0], want)
	return v
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// text is the text of a node.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// texts are the texts of the elements that match.
func (p *page) texts(tag string, attrs ...string) []string {
	var out []string
	for _, n := range p.all(tag, attrs...) {
		out = append(out, text(n))
	}
	return out
}

// class matches an element with the class among its classes.
func (p *page) class(tag, class string) []*html.Node {
	var out []*html.Node
	for _, n := range p.all(tag, "class", "*") {
		v, _ := attr(n, "class")
		for _, c := range strings.Fields(v) {
			if c == class {
				out = append(out, n)
			}
		}
	}
	return out
}

// hreflangs maps each alternate's language to its address.
func (p *page) hreflangs() map[string]string {
	out := map[string]string{}
	for _, n := range p.all("link", "rel", "alternate") {
		l, _ := attr(n, "hreflang")
		h, _ := attr(n, "href")
		out[l] = h
	}
	return out
}

func unescape(t *testing.T, s string) string {
	t.Helper()
	u, err := url.PathUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// renderHTML is a node as HTML.
func renderHTML(n *html.Node) string {
	var b strings.Builder
	html.Render(&b, n)
	return b.String()
}
