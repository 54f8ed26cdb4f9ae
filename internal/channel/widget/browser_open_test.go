package widget

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOpenAsItLoads: a site's button that calls Sahay.open() as
// the widget's script loads, before the visitor's session exists, opens
// the chat once the session has its settings (it threw and left the
// widget closed).
func TestBrowserOpenAsItLoads(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{}`, Limits{})
	e.mux.HandleFunc("GET /open-early", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body><p>Shop</p>
<script src="/widget.js" data-inbox="%s" onload="window.Sahay.open()"></script></body></html>`, e.token)
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/open-early")); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the chat open", shadow+`?.querySelector(".panel") && getComputedStyle(`+shadow+`.querySelector(".panel")).display == "flex"`)
}
