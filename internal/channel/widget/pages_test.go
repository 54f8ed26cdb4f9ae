package widget

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

func TestPagesHaveAStrictPolicy(t *testing.T) {
	e := newEnv(t, `{}`, Limits{})
	for _, path := range []string{"/demo?inbox=" + e.token, "/widget/preview"} {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		directives := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			directives[name] = value
		}
		for name, want := range map[string]string{
			"default-src":     "'none'",
			"script-src":      "'self' " + e.srv.URL,
			"frame-ancestors": "'self'",
			"object-src":      "'none'",
			"base-uri":        "'none'",
		} {
			if directives[name] != want {
				t.Errorf("%s: %s is %q, want %q (policy %q)", path, name, directives[name], want, csp)
			}
		}
		if strings.Contains(directives["script-src"], "unsafe") {
			t.Errorf("%s allows unsafe scripts: %s", path, csp)
		}
		if xfo := resp.Header.Get("X-Frame-Options"); xfo != "SAMEORIGIN" {
			t.Errorf("%s: X-Frame-Options %q", path, xfo)
		}
	}
}

// TestBrowserPagesFramedOnlyBySahay: the preview and the demo work under
// their policy, a page of Sahay's own origin may frame the preview (the
// dashboard's editor does), and a page of another origin may frame neither.
func TestBrowserPagesFramedOnlyBySahay(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{"greeting":"Welcome to the shop"}`, Limits{})

	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token)); err != nil {
		t.Fatal(err)
	}
	js[bool](t, ctx, `(document.addEventListener("securitypolicyviolation", (e) => (window.__csp = (window.__csp || []).concat(e.violatedDirective + " " + e.blockedURI))), true)`)
	until(t, ctx, "the widget on the demo shop", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
	js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
	until(t, ctx, "the greeting", shadow+`.querySelector(".body")?.textContent.includes("Welcome to the shop")`)
	js[any](t, ctx, `document.querySelector(".card .add").click()`)
	until(t, ctx, "the demo's own script counts the cart", `document.getElementById("cart").textContent.startsWith("Cart: 1")`)
	if got := js[[]string](t, ctx, `window.__csp || []`); len(got) > 0 {
		t.Fatalf("the demo breaks its own policy: %v", got)
	}

	// Sahay's own origin frames the preview.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/widget/v1/locales/en")); err != nil {
		t.Fatal(err)
	}
	js[bool](t, ctx, `(() => { const f = document.createElement("iframe"); f.id = "p"; f.src = "/widget/preview?settings=%7B%22greeting%22%3A%22Framed%22%7D"; document.body.append(f); return true; })()`)
	until(t, ctx, "the framed preview", `document.getElementById("p").contentDocument?.getElementById("sahay-widget")?.shadowRoot?.querySelector(".body")?.textContent.includes("Framed") === true`)

	// Another origin frames neither page.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><iframe src="%[1]s/widget/preview"></iframe><iframe src="%[1]s/demo?inbox=%[2]s"></iframe>`, e.srv.URL, e.token)
	}))
	defer other.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(other.URL)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both frames to settle", func() bool {
		res, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			t.Fatal(err)
		}
		tree := res.FrameTree
		if len(tree.ChildFrames) != 2 {
			return false
		}
		for _, f := range tree.ChildFrames {
			if f.Frame.URL == "about:blank" || f.Frame.URL == "" {
				return false
			}
			if strings.HasPrefix(f.Frame.URL, e.srv.URL) && f.Frame.UnreachableURL == "" {
				t.Fatalf("a page of another origin framed %s", f.Frame.URL)
			}
		}
		return true
	})
}

// TestBrowserAllowedDomainServesFiles: on a site among the inbox's allowed
// domains, even one whose pages send no referrer, the visitor's own image
// loads: the widget names its page when fetching files.
func TestBrowserAllowedDomainServesFiles(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{"allowed_domains":["localhost"],"attachments":true}`, Limits{})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><meta name="referrer" content="no-referrer"><title>Shop</title>`+
			`<script src="%s/widget.js" data-inbox="%s" async></script>`, e.srv.URL, e.token)
	}))
	defer site.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(strings.Replace(site.URL, "127.0.0.1", "localhost", 1))); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the widget on the shop", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
	js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
	js[bool](t, ctx, `new Promise((done) => {
		const c = document.createElement("canvas");
		c.width = c.height = 8;
		c.getContext("2d").fillRect(0, 0, 8, 8);
		c.toBlob((b) => {
			const input = `+shadow+`.querySelector("input[type=file]");
			const dt = new DataTransfer();
			dt.items.add(new File([b], "swatch.png", { type: "image/png" }));
			input.files = dt.files;
			input.dispatchEvent(new Event("change"));
			done(true);
		}, "image/png");
	})`)
	until(t, ctx, "the visitor's image loads", shadow+`?.querySelector(".msg img")?.complete && `+shadow+`.querySelector(".msg img").naturalWidth === 8`)
}
