// Package web serves the agent dashboard: a single-page app whose bundle is
// built from web/dashboard by cmd/assets and embedded here, so the server
// needs neither Node nor the sources at run time.
package web

//go:generate go run ../../cmd/assets -src ../../web/dashboard -out dist

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built dashboard: index.html, sw.js,
// manifest.webmanifest, icons/ and the hashed files under assets/.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embedded tree always has dist
	}
	return sub
}

// ContentSecurityPolicy allows only the dashboard's own scripts, styles and
// connections: no inline script, no third-party origin.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// EmailFramePath is the page the dashboard shows an email's original HTML
// in: an empty document, framed by the dashboard, which fills it from its
// own script. Its policy runs no script at all and loads images only from
// Sahay (inline images are attachments), unless the address asks for
// ?images=1, which the dashboard does when the agent chooses to load an
// email's remote images. The sandbox keeps the page's origin so the
// dashboard can fill it, but allows it no script, form or navigation of
// the dashboard.
const EmailFramePath = "/email-frame"

// emailFramePolicy is the frame's policy; images adds remote images.
func emailFramePolicy(images bool) string {
	img := "'self' data: blob:"
	if images {
		img += " https: http:"
	}
	return "default-src 'none'; img-src " + img + "; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; " +
		"frame-ancestors 'self'; sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox"
}

// emailFrame is the frame's page: a white sheet, as mail programs show
// mail, whatever the dashboard's theme.
const emailFrame = `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
	`<style>html{color-scheme:light}body{margin:0;padding:12px 14px;background:#fff;color:#1f2328;` +
	`font:14px/1.5 system-ui,"Noto Sans Bengali","Noto Sans Devanagari",sans-serif;overflow-wrap:anywhere}` +
	`img{max-width:100%;height:auto}img:not([src]){display:inline-block;min-width:24px;min-height:24px;` +
	`background:#eef1f4;outline:1px dashed #c3cad2}blockquote{margin:.5em 0 .5em .25em;padding-left:.75em;` +
	`border-left:3px solid #d0d7de;color:#57606a}pre{white-space:pre-wrap}table{max-width:100%}a{color:#0b63ce}</style>` +
	`</head><body></body></html>`

func serveEmailFrame(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", emailFramePolicy(r.URL.Query().Get("images") == "1"))
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	io.WriteString(w, emailFrame)
}

// file is one embedded file, prepared once: its type, validator and a
// gzipped copy when compressing pays off.
type file struct {
	body   []byte
	gz     []byte
	ctype  string
	etag   string
	maxAge string
}

type handler struct {
	fsys  fs.FS
	once  sync.Once
	files map[string]*file
}

// Handler serves the embedded dashboard. Hashed files under /assets/ are
// cached for a year; /sw.js, /manifest.webmanifest and icons are served
// from the root; every other GET outside /api/ answers with the app shell so
// deep links such as /conversations/12 load the app, which then routes on
// the client.
func Handler() http.Handler {
	return NewHandler(Assets())
}

// NewHandler serves a dashboard tree laid out like [Assets], for example
// one just built from the sources by the development server.
func NewHandler(fsys fs.FS) http.Handler {
	return &handler{fsys: fsys}
}

func (h *handler) load() {
	h.files = map[string]*file{}
	_ = fs.WalkDir(h.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(h.fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &file{
			body:  body,
			ctype: contentType(p),
			etag:  `"` + hex.EncodeToString(sum[:8]) + `"`,
		}
		switch {
		case strings.HasPrefix(p, "assets/"):
			f.maxAge = "public, max-age=31536000, immutable"
		case strings.HasPrefix(p, "icons/"):
			f.maxAge = "public, max-age=86400"
		default:
			// index.html, sw.js and the manifest name the hashed files and
			// must be revalidated so a deploy takes effect at once.
			f.maxAge = "no-cache"
		}
		if compressible(f.ctype) && len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if _, err := zw.Write(body); err == nil && zw.Close() == nil && buf.Len() < len(body) {
				f.gz = buf.Bytes()
			}
		}
		h.files[p] = f
		return nil
	})
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".webmanifest":
		return "application/manifest+json"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.load)
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", ContentSecurityPolicy)
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")

	p := r.URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		writeNotFound(w)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if p == EmailFramePath {
		serveEmailFrame(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	f, ok := h.files[name]
	if h.files["index.html"] == nil {
		http.Error(w, "dashboard not built: run go generate ./internal/web", http.StatusInternalServerError)
		return
	}
	switch {
	case ok && name != "index.html":
	case strings.HasPrefix(name, "assets/") || strings.HasPrefix(name, "icons/") || path.Ext(name) != "" && !ok:
		// A missing file must be a 404, not the app shell: a stale page
		// asking for an old hashed script would otherwise get HTML.
		http.NotFound(w, r)
		return
	default:
		f = h.files["index.html"]
	}
	if name == "sw.js" {
		hdr.Set("Service-Worker-Allowed", "/")
	}
	hdr.Set("Content-Type", f.ctype)
	hdr.Set("Cache-Control", f.maxAge)
	hdr.Set("ETag", f.etag)
	hdr.Add("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && match == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		hdr.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

func writeNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"no such API endpoint"}}` + "\n"))
}
