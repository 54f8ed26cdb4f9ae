package helpcenter

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed templates/*.html templates/style.css
var files embed.FS

// style is the pages' style sheet, inlined in each page: one request for
// a page, and the policy allows exactly this text by its hash.
var style = mustRead("templates/style.css")

var styleHash = cspHash(style)

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// pages are the page templates, each the layout with its own "main".
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"style": func() template.CSS { return template.CSS(style) },
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"home", "category", "article", "search", "error"} {
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(files, "templates/"+name+".html"))
	}
	return out
}()

// view is what every page shows around its own content.
type view struct {
	// Lang is the page's language: its texts and <html lang>.
	Lang string
	Dir  string
	// SiteTitle heads every page; Home is its address in Lang.
	SiteTitle string
	Home      string
	// Title and Description are the page's <title> and meta
	// description; Canonical, Alternates and XDefault its absolute
	// addresses for search engines.
	Title       string
	Description string
	Canonical   string
	Alternates  []alternate
	XDefault    string
	NoIndex     bool
	OGType      string
	Crumbs      []link
	Languages   []languageLink
	SearchURL   string
	Query       string
	// Hero is the home's big question above the search box.
	Hero string
	// Brand is the style rule with the account's colour.
	Brand template.CSS
	// Contact is where "Contact us" leads: the settings' contact address,
	// else the account's site, when known.
	Contact string
	// Chat is the widget the page shows, or nil.
	Chat     *chat
	T        func(key string) string
	Content  any
	template string
}

type alternate struct {
	Lang, URL string
}

type link struct {
	Name, URL string
}

type languageLink struct {
	Code, Name, URL string
	Current         bool
}

// newView starts a page of site in lang.
func (q *request) newView(lang string) *view {
	st := q.site.Settings
	v := &view{
		Lang:      lang,
		Dir:       "ltr",
		SiteTitle: st.Title,
		Home:      q.base + "/" + lang,
		SearchURL: q.base + "/search",
		OGType:    "website",
		Brand:     brand(st.Color),
		T:         func(key string) string { return text(lang, key) },
	}
	if rtl(lang) {
		v.Dir = "rtl"
	}
	switch {
	case st.ContactURL != "":
		v.Contact = st.ContactURL
	case q.domain != "":
		v.Contact = "https://" + parentDomain(q.domain) + "/"
	}
	v.Chat = q.chatOf()
	v.Crumbs = []link{{Name: st.Title, URL: v.Home}}
	return v
}

// parentDomain is the site a help center's domain belongs to:
// help.acme.com → acme.com.
func parentDomain(d string) string {
	if _, rest, ok := strings.Cut(d, "."); ok && strings.Contains(rest, ".") {
		return rest
	}
	return d
}

// brand is the style rule of an account's colour (core checks it is
// #rrggbb), with the text colour that reads on it.
func brand(color string) template.CSS {
	if len(color) != 7 || color[0] != '#' {
		color = "#0b6e4f"
	}
	on := "#ffffff"
	if luminance(color) > 0.45 {
		on = "#111111"
	}
	return template.CSS(fmt.Sprintf(":root{--brand:%s;--on-brand:%s}", color, on))
}

// luminance is a colour's relative luminance (WCAG), 0 to 1.
func luminance(hex string) float64 {
	lin := func(s string) float64 {
		v, err := strconv.ParseUint(s, 16, 8)
		if err != nil {
			return 0
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(hex[1:3]) + 0.7152*lin(hex[3:5]) + 0.0722*lin(hex[5:7])
}

// policy is a page's content security policy: no scripts at all, its own
// two style elements, images from here and the web (articles may show
// remote images), forms posting here only.
func policy(brandRule template.CSS) string {
	return "default-src 'none'; script-src 'none'; style-src " + styleHash + " " + cspHash(string(brandRule)) +
		"; img-src 'self' https: http:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// write renders a page with status, compressed when the browser takes
// gzip.
func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("helpcenter: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if v.Chat != nil {
		h.Set("Content-Security-Policy", chatPolicy(v.Chat))
	} else {
		h.Set("Content-Security-Policy", policy(v.Brand))
	}
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.Set("Content-Language", v.Lang)
	if v.NoIndex {
		h.Set("X-Robots-Tag", "noindex")
	}
	if h.Get("Cache-Control") == "" {
		// Revalidated each time, so a publish shows at once and each
		// view is counted; an unchanged page is a 304.
		h.Set("Cache-Control", "public, no-cache")
	}
	if status == http.StatusOK {
		sum := sha256.Sum256(buf.Bytes())
		etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
		h.Set("ETag", etag)
		if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
	}
	return writeBody(w, r, status, buf.Bytes())
}

// writeBody writes body with status, gzipped when it is worth it and the
// client accepts it.
func writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) error {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if len(body) > 1024 && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(status)
		if r.Method == http.MethodHead {
			return nil
		}
		zw := gzipWriters.Get().(*gzip.Writer)
		defer gzipWriters.Put(zw)
		zw.Reset(w)
		if _, err := zw.Write(body); err != nil {
			return nil // the client went away
		}
		zw.Close()
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return nil
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		if weight, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(weight, 64)
			return err == nil && f > 0
		}
		return true
	}
	return false
}

// errorPage writes the error page of status in the reader's language.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, q *request, status int) {
	lang := "en"
	if q != nil && q.site == nil {
		q = nil
	}
	if q != nil {
		lang = q.site.Locale(r.PathValue("locale"), r.Header.Get("Accept-Language"))
	} else if l := r.PathValue("locale"); words[l] != nil {
		lang = l
	}
	var v *view
	if q != nil {
		v = q.newView(lang)
	} else {
		v = &view{Lang: lang, Dir: "ltr", Brand: brand(""), T: func(key string) string { return text(lang, key) }}
	}
	key := map[int]string{http.StatusNotFound: "not_found", http.StatusTooManyRequests: "slow_down",
		http.StatusBadRequest: "bad_request"}[status]
	if key == "" {
		key = "error"
	}
	v.Title = text(lang, key)
	if status == http.StatusNotFound {
		v.Title = text(lang, "not_found")
	}
	v.NoIndex = true
	v.Content = errorContent{Status: status, Message: text(lang, key), NotFound: status == http.StatusNotFound}
	w.Header().Set("Cache-Control", "no-store")
	if err := s.write(w, r, status, "error", v); err != nil {
		s.log.Error("help center error page", "err", err)
	}
}

type errorContent struct {
	Status   int
	Message  string
	NotFound bool
}

// months name the months in the help center's languages.
var months = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"bn": {"জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর"},
	"hi": {"जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"},
}

// date writes a day as readers of lang write it: "7 December 2026",
// "৭ ডিসেম্বর ২০২৬".
func date(lang string, t time.Time) string {
	names, ok := months[lang]
	if !ok {
		names = months["en"]
	}
	return number(lang, t.Day()) + " " + names[t.Month()-1] + " " + number(lang, t.Year())
}

// number writes n in lang's digits (Bengali's own; the others' ASCII).
func number(lang string, n int) string {
	s := strconv.Itoa(n)
	if lang != "bn" {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '০' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// countText is "3 articles" in lang.
func countText(lang string, n int) string {
	if n == 1 {
		return text(lang, "articles_1")
	}
	return strings.Replace(text(lang, "articles_n"), "%d", number(lang, n), 1)
}

// pageTitle is a page's <title>: the page's own, then the site's.
func pageTitle(page, site string) string {
	if page == "" || page == site {
		return site
	}
	return page + " – " + site
}

// absolute is q's address of path, percent-encoded.
func (q *request) absolute(path string) string {
	if path == "" {
		path = "/"
	}
	return q.origin + escapePath(path)
}
