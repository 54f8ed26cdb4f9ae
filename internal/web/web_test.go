package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/web"
	"github.com/sahayhq/sahay/internal/web/bundle"
)

const sources = "../../web/dashboard"

// TestBundleNotStale rebuilds the dashboard in memory with the options of
// `go generate` and compares it with the embedded copy, so a change to the
// sources that was not regenerated fails here instead of shipping.
func TestBundleNotStale(t *testing.T) {
	built, err := bundle.Build(sources)
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	err = fs.WalkDir(web.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			embedded = append(embedded, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const fix = "the committed bundle is stale: run go generate ./internal/web"
	if want := built.Paths(); !slices.Equal(embedded, want) {
		t.Fatalf("%s\nembedded files %v\nbuilt files    %v", fix, embedded, want)
	}
	for _, p := range embedded {
		got, err := fs.ReadFile(web.Assets(), p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(p, ".png") {
			// PNG bytes depend on the Go version's compressor; the pixels
			// are what must match.
			samePixels(t, p, got, built[p])
			continue
		}
		if !bytes.Equal(got, built[p]) {
			t.Errorf("%s: %s differs", fix, p)
		}
	}
}

func samePixels(t *testing.T, name string, a, b []byte) {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("%s: size %v, rebuilt %v: run go generate ./internal/web", name, ia.Bounds(), ib.Bounds())
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !sameColor(ia, ib, x, y) {
				t.Fatalf("%s: pixel (%d,%d) differs: run go generate ./internal/web", name, x, y)
			}
		}
	}
}

func sameColor(a, b image.Image, x, y int) bool {
	r1, g1, b1, a1 := a.At(x, y).RGBA()
	r2, g2, b2, a2 := b.At(x, y).RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

func readCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(sources, "i18n", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return m
}

var placeholder = regexp.MustCompile(`\{\{?[\w.]+\}\}?`)

func placeholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return p
}

// TestCatalogsComplete checks that English, Bengali and Hindi translate
// exactly the same keys, none left empty, with the same placeholders.
func TestCatalogsComplete(t *testing.T) {
	en := readCatalog(t, "en")
	if len(en) == 0 {
		t.Fatal("en.json is empty")
	}
	for _, lang := range []string{"en", "bn", "hi"} {
		cat := readCatalog(t, lang)
		for k, v := range cat {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s.json: %q is empty", lang, k)
			}
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json: %q is not in en.json", lang, k)
			}
			if got, want := placeholders(v), placeholders(en[k]); !slices.Equal(got, want) {
				t.Errorf("%s.json: %q has placeholders %v, English has %v", lang, k, got, want)
			}
		}
		for k := range en {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s.json: missing %q", lang, k)
			}
		}
	}
}

// TestCatalogCoversSources checks that every literal key the TypeScript
// passes to t() exists, so a typo cannot show a raw key to an agent.
func TestCatalogCoversSources(t *testing.T) {
	en := readCatalog(t, "en")
	call := regexp.MustCompile(`\bt\(\s*"([^"]+)"`)
	keyword := regexp.MustCompile(`"((?:help|snooze)\.[a-z_]+)"`)
	n := 0
	err := filepath.WalkDir(filepath.Join(sources, "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".ts") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{call, keyword} {
			for _, m := range re.FindAllSubmatch(src, -1) {
				n++
				key := string(m[1])
				if strings.HasSuffix(key, ".") || strings.HasSuffix(key, "_") {
					// t("status." + s), t("activity.label_" + kind): some key
					// must complete the prefix.
					if !slices.ContainsFunc(slices.Collect(maps.Keys(en)), func(k string) bool { return strings.HasPrefix(k, key) }) {
						t.Errorf("%s: no key in en.json starts with %q", p, key)
					}
					continue
				}
				if _, ok := en[key]; !ok {
					t.Errorf("%s: key %q is not in en.json", p, key)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("found only %d translated strings in the sources; is the pattern still right?", n)
	}
}

// TestCatalogCoversChannelSettings checks that the catalogs word every
// setting the server's channels declare (GET /api/v1/channels): its label,
// its help when the server gives one, and each of its choices, so the
// inbox dialog speaks Bengali and Hindi for every channel, not English.
func TestCatalogCoversChannelSettings(t *testing.T) {
	en := readCatalog(t, "en")
	s := apitest.NewServer(t)
	owner := s.NewAccount(t, "Bazaar")
	var list struct {
		Items []channel.Description
	}
	s.Must(t, owner.Token, http.MethodGet, "/api/v1/channels", nil, http.StatusOK, &list)
	if len(list.Items) < 9 {
		t.Fatalf("the server describes %d channels; are they all registered?", len(list.Items))
	}
	for _, ch := range list.Items {
		for _, st := range ch.Settings {
			keys := []string{"setting." + ch.Name + "." + st.Key}
			if st.Help != "" {
				keys = append(keys, keys[0]+".help")
			}
			for _, c := range st.Choices {
				keys = append(keys, keys[0]+"."+c)
			}
			for _, k := range keys {
				if _, ok := en[k]; !ok {
					t.Errorf("en.json: missing %q", k)
				}
			}
		}
	}
}

func get(t *testing.T, h http.Handler, method, path string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assetPath(t *testing.T, prefix, ext string) string {
	t.Helper()
	matches, err := fs.Glob(web.Assets(), "assets/"+prefix+"-*"+ext)
	if err != nil || len(matches) != 1 {
		t.Fatalf("assets/%s-*%s: %v %v", prefix, ext, matches, err)
	}
	return "/" + matches[0]
}

func TestHandlerServesAppShellForDeepLinks(t *testing.T) {
	h := web.Handler()
	for _, path := range []string{"/", "/conversations/12", "/settings/agents", "/search?q=x", "/login"} {
		r := get(t, h, http.MethodGet, path, nil)
		b := body(t, r)
		if r.StatusCode != http.StatusOK || !strings.Contains(b, `<div id="app">`) {
			t.Errorf("GET %s: %d, want the app shell", path, r.StatusCode)
		}
		if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", path, cc)
		}
	}
}

func TestHandlerSecurityHeaders(t *testing.T) {
	r := get(t, web.Handler(), http.MethodGet, "/conversations", nil)
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy %q allows inline or eval", csp)
	}
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q, want nosniff", got)
	}
	if got := r.Header.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options %q, want DENY", got)
	}
}

// The policy forbids inline scripts, so the shell must have none: every
// script element loads a file, and no element carries an event attribute.
func TestIndexHasNoInlineScript(t *testing.T) {
	index, err := fs.ReadFile(web.Assets(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	scripts := regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllSubmatch(index, -1)
	if len(scripts) == 0 {
		t.Fatal("index.html loads no script")
	}
	for _, s := range scripts {
		if !bytes.Contains(s[1], []byte(`src="/assets/`)) || len(bytes.TrimSpace(s[2])) > 0 {
			t.Errorf("inline or foreign script in index.html: %s", s[0])
		}
	}
	if regexp.MustCompile(`(?i)\son[a-z]+=`).Match(index) {
		t.Error("index.html has an inline event handler attribute")
	}
	if regexp.MustCompile(`(?i)\sstyle=`).Match(index) {
		t.Error("index.html has an inline style, which the policy blocks")
	}
}

func TestHandlerCachesHashedAssets(t *testing.T) {
	h := web.Handler()
	for path, ctype := range map[string]string{
		assetPath(t, "main", ".js"):   "text/javascript; charset=utf-8",
		assetPath(t, "style", ".css"): "text/css; charset=utf-8",
	} {
		r := get(t, h, http.MethodGet, path, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.StatusCode)
		}
		if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q", path, got)
		}
		if got := r.Header.Get("Content-Type"); got != ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", path, got, ctype)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", path)
		}
		again := get(t, h, http.MethodGet, path, http.Header{"If-None-Match": {etag}})
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", path, again.StatusCode)
		}
	}
}

func TestHandlerCompresses(t *testing.T) {
	h := web.Handler()
	path := assetPath(t, "main", ".js")
	plain := body(t, get(t, h, http.MethodGet, path, nil))
	r := get(t, h, http.MethodGet, path, http.Header{"Accept-Encoding": {"br, gzip"}})
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s accepting gzip: Content-Encoding %q", path, r.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(unzipped) != plain {
		t.Error("gzipped body differs from the plain one")
	}
	if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
		t.Error("compressed answer lacks Vary: Accept-Encoding")
	}
}

func TestHandlerServiceWorkerAndManifest(t *testing.T) {
	h := web.Handler()
	sw := get(t, h, http.MethodGet, "/sw.js", nil)
	if sw.StatusCode != http.StatusOK || sw.Header.Get("Service-Worker-Allowed") != "/" {
		t.Errorf("GET /sw.js: %d, Service-Worker-Allowed %q", sw.StatusCode, sw.Header.Get("Service-Worker-Allowed"))
	}
	if sw.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET /sw.js: Cache-Control %q, want no-cache", sw.Header.Get("Cache-Control"))
	}
	swBody := body(t, sw)
	if !strings.Contains(swBody, "/api/") {
		t.Error("sw.js does not mention /api/, which it must leave to the network")
	}
	m := get(t, h, http.MethodGet, "/manifest.webmanifest", nil)
	if ct := m.Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Errorf("manifest Content-Type %q", ct)
	}
	var manifest struct {
		Name    string `json:"name"`
		Display string `json:"display"`
		Icons   []struct {
			Src     string `json:"src"`
			Sizes   string `json:"sizes"`
			Purpose string `json:"purpose"`
		} `json:"icons"`
	}
	if err := json.Unmarshal([]byte(body(t, m)), &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Name != "Sahay" || manifest.Display != "standalone" {
		t.Errorf("manifest name %q display %q", manifest.Name, manifest.Display)
	}
	sizes := map[string]bool{}
	for _, icon := range manifest.Icons {
		sizes[icon.Sizes] = true
		r := get(t, h, http.MethodGet, icon.Src, nil)
		if r.StatusCode != http.StatusOK {
			t.Errorf("icon %s: %d", icon.Src, r.StatusCode)
		}
		if strings.HasSuffix(icon.Src, ".png") {
			cfg, err := png.DecodeConfig(r.Body)
			if err != nil {
				t.Errorf("icon %s: %v", icon.Src, err)
			} else if got := strings.Join([]string{itoa(cfg.Width), itoa(cfg.Height)}, "x"); got != icon.Sizes {
				t.Errorf("icon %s is %s, manifest says %s", icon.Src, got, icon.Sizes)
			}
		}
	}
	if !sizes["192x192"] || !sizes["512x512"] {
		t.Errorf("manifest icons %v lack 192x192 or 512x512, which installation needs", sizes)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestHandlerNotFound(t *testing.T) {
	h := web.Handler()
	for _, path := range []string{"/assets/main-OLD.js", "/icons/missing.png", "/favicon.ico"} {
		if r := get(t, h, http.MethodGet, path, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 rather than the app shell", path, r.StatusCode)
		}
	}
	r := get(t, h, http.MethodGet, "/api/v1/nothing", nil)
	if r.StatusCode != http.StatusNotFound || !strings.Contains(r.Header.Get("Content-Type"), "json") {
		t.Errorf("GET /api/v1/nothing: %d %q, want a JSON 404", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if !strings.Contains(body(t, r), `"not_found"`) {
		t.Error("API 404 lacks the error code")
	}
	if r := get(t, h, http.MethodPost, "/conversations", nil); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /conversations: %d, want 405", r.StatusCode)
	}
}
