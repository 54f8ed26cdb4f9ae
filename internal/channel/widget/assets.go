package widget

//go:generate go run ./gen -src ../../../web/widget -out dist

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/httpx"
)

//go:embed dist templates
var files embed.FS

// assets are the built widget and its locales, loaded once.
type assets struct {
	script   []byte
	scriptGz []byte
	etag     string
	locales  map[string]map[string]string
	pages    *template.Template
	// demoScript is the demo shop's page script.
	demoScript []byte
}

func loadAssets() *assets {
	a := &assets{locales: map[string]map[string]string{}}
	var err error
	if a.script, err = files.ReadFile("dist/widget.js"); err != nil {
		panic("widget: the bundle is missing; run go generate ./internal/channel/widget")
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(a.script)
	zw.Close()
	a.scriptGz = buf.Bytes()
	sum := sha256.Sum256(a.script)
	a.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	entries, _ := fs.Glob(files, "dist/locales/*.json")
	for _, p := range entries {
		raw, _ := files.ReadFile(p)
		var m map[string]string
		if json.Unmarshal(raw, &m) == nil {
			a.locales[strings.TrimSuffix(path.Base(p), ".json")] = m
		}
	}
	a.pages = template.Must(template.ParseFS(files, "templates/*.html"))
	a.demoScript, _ = files.ReadFile("templates/demo.js")
	return a
}

// builtinLocales are the locale tags the widget ships, read once from the
// embedded bundle.
var builtinLocales = func() []string {
	entries, _ := fs.Glob(files, "dist/locales/*.json")
	out := make([]string, 0, len(entries))
	for _, p := range entries {
		out = append(out, strings.TrimSuffix(path.Base(p), ".json"))
	}
	sort.Strings(out)
	return out
}()

// Locales lists the languages the widget speaks, as BCP 47 tags.
func Locales() []string { return append([]string(nil), builtinLocales...) }

func hasLocale(tag string) bool { return slices.Contains(builtinLocales, tag) }

// pickLocale returns the first supported language of a preference list:
// an exact tag ("zh-TW"), else its language ("bn" for "bn-BD"), else the
// language's default variant ("zh-CN" for "zh"); English if none fits.
func pickLocale(prefs []string) string {
	for _, p := range prefs {
		p = strings.TrimSpace(strings.ReplaceAll(p, "_", "-"))
		if p == "" {
			continue
		}
		for _, l := range builtinLocales {
			if strings.EqualFold(l, p) {
				return l
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(p), "-")
		for _, l := range builtinLocales {
			if l == base {
				return l
			}
		}
		for _, l := range builtinLocales {
			if strings.HasPrefix(l, base+"-") {
				return l
			}
		}
	}
	return "en"
}

func (a *assets) strings(locale string) map[string]string {
	if m, ok := a.locales[locale]; ok {
		return m
	}
	return a.locales["en"]
}

// serveScript serves widget.js, gzipped when the browser accepts it. It is
// cached briefly and revalidated by ETag, so a new release reaches sites
// within minutes.
func (s *Server) serveScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", s.assets.etag)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == s.assets.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := s.assets.script
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = s.assets.scriptGz
	}
	w.Write(body)
}

// serveLocale serves one locale's strings: GET /widget/v1/locales/bn (the
// best match of the requested tag).
func (s *Server) serveLocale(w http.ResponseWriter, r *http.Request) {
	loc := pickLocale([]string{r.PathValue("locale")})
	w.Header().Set("Cache-Control", "public, max-age=3600")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"locale": loc, "strings": s.assets.strings(loc)})
}

// servePreview renders the widget with settings that are not saved yet, for
// the dashboard's live preview: GET /widget/preview?inbox=TOKEN&settings=JSON
// (settings in the stored shape; both parameters optional) &locale=bn.
func (s *Server) servePreview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	set := DefaultSettings()
	title := "Sahay"
	var in *widgetInbox
	if tok := q.Get("inbox"); tok != "" {
		var err error
		if in, err = s.cache.byWebsiteToken(r.Context(), tok); err != nil {
			return err
		}
		set, title = in.settings, in.Name
	}
	if raw := q.Get("settings"); raw != "" {
		var err error
		if set, err = ParseSettings(json.RawMessage(raw)); err != nil {
			return err
		}
	}
	pub := publicSettings{Title: set.Title, Color: set.Color, TextColor: set.TextColor, Position: set.Position, LauncherIcon: set.LauncherIcon,
		LauncherText: set.LauncherText, Greeting: set.Greeting, AwayMessage: set.AwayMessage, ReplyTime: set.ReplyTime, Avatars: set.Avatars,
		Team: []string{}, Online: true, InHours: true, PreChat: set.PreChat, Attachments: set.Attachments, MaxFileBytes: s.cfg.Limits.AttachmentBytes,
		FileTypes: fileTypes, CSAT: set.CSAT, Campaigns: []Campaign{}}
	if in != nil {
		var err error
		if pub, err = s.publicSettings(r.Context(), in, set); err != nil {
			return err
		}
		pub.Campaigns = []Campaign{}
		// Only a number the saved settings already show is shown: the
		// preview takes any settings from anyone with the public token,
		// and must not list the account's other phone lines. Another is
		// masked, so the preview still shows where it goes.
		if p := pub.Phone; p != nil && p.Number != "" && (!in.settings.CallUs || in.settings.PhoneInboxID != set.PhoneInboxID) {
			p.Number = "+" + strings.Repeat("•", len(p.Number)-1)
		}
	}
	if pub.Title == "" {
		pub.Title = title
	}
	loc := pickLocale([]string{q.Get("locale"), set.Locale, "en"})
	data, err := json.Marshal(map[string]any{"settings": pub, "strings": s.assets.strings(loc), "locale": loc})
	if err != nil {
		return err
	}
	return s.page(w, r, "preview.html", map[string]any{"Preview": template.JS(data), "Base": s.publicURL(r)})
}

// serveDemo shows a demo shop with the widget: GET /demo?inbox=TOKEN, or the
// first widget inbox when no token is given.
func (s *Server) serveDemo(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("inbox")
	if token == "" {
		token = s.firstWidgetToken(r)
	} else if _, err := s.cache.byWebsiteToken(r.Context(), token); err != nil {
		token = ""
	}
	if err := s.page(w, r, "demo.html", map[string]any{"Token": token, "Base": s.publicURL(r), "Locale": r.URL.Query().Get("locale")}); err != nil {
		httpx.WriteError(w, r, s.log, err)
	}
}

// serveDemoScript serves the demo shop's own script, kept out of the page
// so the page's policy allows no inline script.
func (s *Server) serveDemoScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(s.assets.demoScript)
}

func (s *Server) firstWidgetToken(r *http.Request) string {
	inboxes, err := s.svc.InboxesOfChannel(r.Context(), Name)
	if err != nil {
		return ""
	}
	for _, in := range inboxes {
		if set, err := ParseSettings(in.Settings); err == nil && set.WebsiteToken != "" {
			return set.WebsiteToken
		}
	}
	return ""
}

// pagePolicy is the content security policy of Sahay's own widget pages
// (/demo and /widget/preview): scripts only from this server and the
// public URL the widget loads from, no inline script, and framing only by
// a page of this server (the dashboard's settings preview). Inline styles
// stay allowed: the widget styles its shadow root with a style element.
func pagePolicy(base string) string {
	ws := "ws" + strings.TrimPrefix(base, "http")
	return "default-src 'none'; script-src 'self' " + base + "; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' " + base + " data: blob: https:; media-src 'self' " + base + " blob:; font-src 'self'; " +
		"connect-src 'self' " + base + " " + ws + "; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'self'"
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, name string, data any) error {
	var buf bytes.Buffer
	if err := s.assets.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return sahay.Errorf(sahay.EINTERNAL, "render %s: %v", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pagePolicy(s.publicURL(r)))
	h.Set("X-Frame-Options", "SAMEORIGIN")
	_, err := w.Write(buf.Bytes())
	return err
}
