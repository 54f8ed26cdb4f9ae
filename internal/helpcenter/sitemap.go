package helpcenter

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"time"

	"github.com/sahayhq/sahay/internal/core"
)

// urlset is a sitemap with hreflang alternates
// (https://www.sitemaps.org/protocol.html and the xhtml:link extension).
type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc        string      `xml:"loc"`
	LastMod    string      `xml:"lastmod,omitempty"`
	Alternates []xhtmlLink `xml:"xhtml:link"`
}

type xhtmlLink struct {
	Rel      string `xml:"rel,attr"`
	HrefLang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// sitemap lists the homes in each locale and every public published
// translation, each with its last change and its alternates.
func (s *Server) sitemap(w http.ResponseWriter, r *http.Request, q *request) error {
	site := q.site
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
	homes, xdefault := q.homeAlternates()
	for _, h := range homes {
		u := sitemapURL{Loc: h.URL}
		for _, a := range homes {
			u.Alternates = append(u.Alternates, xhtmlLink{Rel: "alternate", HrefLang: a.Lang, Href: a.URL})
		}
		u.Alternates = append(u.Alternates, xhtmlLink{Rel: "alternate", HrefLang: "x-default", Href: xdefault})
		set.URLs = append(set.URLs, u)
	}
	for _, any := range site.Articles(0, site.Settings.DefaultLocale) {
		id := any.ArticleID
		type translation struct {
			loc     string
			lastMod time.Time
		}
		var alts []xhtmlLink
		var ts []translation
		xdef := ""
		for _, l := range site.Locales(id) {
			p, _ := site.Page(id, l, false)
			if p == nil || p.Locale != l {
				continue
			}
			loc := q.absolute(core.ArticlePath(q.base, l, id, p.Title))
			alts = append(alts, xhtmlLink{Rel: "alternate", HrefLang: l, Href: loc})
			ts = append(ts, translation{loc: loc, lastMod: p.PublishedAt})
			if l == site.Settings.DefaultLocale || xdef == "" {
				xdef = loc
			}
		}
		if len(ts) == 0 {
			continue
		}
		alts = append(alts, xhtmlLink{Rel: "alternate", HrefLang: "x-default", Href: xdef})
		for _, t := range ts {
			u := sitemapURL{Loc: t.loc, Alternates: alts}
			if !t.lastMod.IsZero() {
				u.LastMod = t.lastMod.UTC().Format(time.RFC3339)
			}
			set.URLs = append(set.URLs, u)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(set); err != nil {
		return err
	}
	buf.WriteByte('\n')
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=600")
	return writeBody(w, r, http.StatusOK, buf.Bytes())
}

// robots is robots.txt on a help center's own domain: everything but
// search results may be crawled, and the sitemap is named.
func (s *Server) robots(w http.ResponseWriter, r *http.Request, q *request) error {
	body := "User-agent: *\nAllow: /\nDisallow: /search\nSitemap: " + q.absolute("/sitemap.xml") + "\n"
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	return writeBody(w, r, http.StatusOK, []byte(body))
}
