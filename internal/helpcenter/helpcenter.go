// Package helpcenter serves an account's public help center: its
// published articles as server-rendered pages at /hc/{slug}/… on this
// server, or at / on the help center's own domain, with search, a
// sitemap, readers' feedback and the articles' images at /hc-files/.
// Everything it shows comes from core's cached [core.KBSite]; a page costs
// no database work beyond what core does to check the site is current.
// See docs/help-center.md.
package helpcenter

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// Limits are the per-client-address rates of the help center's routes.
type Limits struct {
	// Pages are page views, sitemaps and images.
	Pages ratelimit.Rate
	// Searches are searches, which cost more than a page.
	Searches ratelimit.Rate
	// Feedback is answers to "was this helpful?".
	Feedback ratelimit.Rate
}

// DefaultLimits let a reader browse freely (a page with a dozen images
// and quick clicks), and slow down a crawler that ignores the sitemap.
var DefaultLimits = Limits{
	Pages:    ratelimit.Rate{Burst: 120, Every: 250 * time.Millisecond},
	Searches: ratelimit.Rate{Burst: 30, Every: 2 * time.Second},
	Feedback: ratelimit.Rate{Burst: 10, Every: 10 * time.Second},
}

// limitKeys bounds the buckets each limit keeps.
const limitKeys = 100_000

// Config configures the help center's handler.
type Config struct {
	Service *core.Service
	Log     *slog.Logger
	// PublicURL is how browsers reach this server, for the absolute
	// addresses of canonical links and the sitemap.
	PublicURL string
	// TrustedProxies is how many reverse proxies append to
	// X-Forwarded-For (see httpx.ClientAddr).
	TrustedProxies int
	// Limits default to DefaultLimits.
	Limits *Limits
}

// Server serves the help centers.
type Server struct {
	svc            *core.Service
	log            *slog.Logger
	publicURL      string
	ownHost        string
	trustedProxies int
	pages          *ratelimit.Limiter
	searches       *ratelimit.Limiter
	feedback       *ratelimit.Limiter
	// domain serves a help center on its own domain, and domainFiles
	// its images (whose paths would be ambiguous with the pages').
	domain, domainFiles *http.ServeMux
}

// New returns the help center's server.
func New(cfg Config) *Server {
	limits := DefaultLimits
	if cfg.Limits != nil {
		limits = *cfg.Limits
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	s := &Server{
		svc:            cfg.Service,
		log:            log,
		publicURL:      strings.TrimRight(cfg.PublicURL, "/"),
		trustedProxies: cfg.TrustedProxies,
		pages:          ratelimit.New(limits.Pages, limitKeys),
		searches:       ratelimit.New(limits.Searches, limitKeys),
		feedback:       ratelimit.New(limits.Feedback, limitKeys),
	}
	if u, err := url.Parse(s.publicURL); err == nil {
		s.ownHost = strings.ToLower(u.Host)
	}
	s.domain = http.NewServeMux()
	s.routes(s.domain, "", s.byHost)
	s.domainFiles = http.NewServeMux()
	s.domainFiles.Handle("GET /hc-files/{token}/{name}", s.handle(s.byHost, s.pages, s.file))
	s.domainFiles.Handle("/", s.handle(s.byHost, s.pages, s.notFound))
	return s
}

// Routes registers the help centers' routes on this server's own host:
// /hc/{slug}/… and the articles' images.
func (s *Server) Routes(mux httpx.Mux) {
	s.routes(mux, "/hc/{slug}", s.bySlug)
}

// routes registers the pages below prefix, each finding its help center
// with find.
func (s *Server) routes(mux httpx.Mux, prefix string, find finder) {
	page := func(h pageFunc) http.Handler { return s.handle(find, s.pages, h) }
	if prefix == "" {
		mux.Handle("GET /{$}", page(s.home))
		mux.Handle("GET /robots.txt", page(s.robots))
	} else {
		mux.Handle("GET "+prefix, page(s.home))
		mux.Handle("GET "+prefix+"/{$}", page(s.home))
	}
	mux.Handle("GET "+prefix+"/{locale}", page(s.localeHome))
	mux.Handle("GET "+prefix+"/{locale}/categories/{ref}", page(s.category))
	mux.Handle("GET "+prefix+"/{locale}/articles/{ref}", page(s.article))
	mux.Handle("POST "+prefix+"/{locale}/articles/{id}/feedback", s.handle(find, s.feedback, s.answer))
	mux.Handle("GET "+prefix+"/search", s.handle(find, s.searches, s.search))
	mux.Handle("GET "+prefix+"/sitemap.xml", page(s.sitemap))
	mux.Handle("GET "+prefix+"/chat.js", page(s.opener))
	// Anything else below the help center is its 404 page, not the
	// dashboard's shell.
	mux.Handle(prefix+"/", page(s.notFound))
	if prefix != "" {
		mux.Handle("/hc/", page(s.notFound))
		mux.Handle("/hc", page(s.notFound))
		mux.Handle("GET /hc-files/{token}/{name}", page(s.file))
	}
}

// Domains serves a request whose Host is a help center's own domain with
// that help center, and any other request with next. Requests for the
// server's own host never look further.
func (s *Server) Domains(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		if host == "" || host == s.ownHost {
			next.ServeHTTP(w, r)
			return
		}
		site, err := s.svc.HelpCenterByHost(r.Context(), host)
		if err != nil {
			if sahay.ErrorCode(err) != sahay.ENOTFOUND {
				s.log.Error("help center by host", "host", host, "err", err)
			} else if s.svc.IsHelpCenterDomain(host) {
				// A help center turned off: its domain shows nothing else.
				s.writeError(w, r, nil, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), siteKey{}, site))
		if strings.HasPrefix(r.URL.Path, "/hc-files/") {
			s.domainFiles.ServeHTTP(w, r)
			return
		}
		s.domain.ServeHTTP(w, r)
	})
}

type siteKey struct{}

// finder finds the help center a request is for, and the address of its
// home: the path prefix on this server, and the absolute origin.
type finder func(r *http.Request) (*core.KBSite, where, error)

// where is where a help center is served.
type where struct {
	// base is the home's path: "/hc/{slug}", or "" on its own domain.
	base string
	// origin is the scheme and host the absolute addresses start with.
	origin string
	// domain is set on the help center's own domain.
	domain string
	// server is the server's public URL, or "".
	server string
}

func (s *Server) bySlug(r *http.Request) (*core.KBSite, where, error) {
	if strings.HasPrefix(r.URL.Path, "/hc-files/") {
		// Images are served to any page that shows them: the help
		// center, the widget, the dashboard's preview.
		return nil, where{}, nil
	}
	site, err := s.svc.HelpCenter(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, where{}, err
	}
	return site, where{base: core.HelpCenterPath(site.Slug), origin: s.publicURL, server: s.publicURL}, nil
}

func (s *Server) byHost(r *http.Request) (*core.KBSite, where, error) {
	site, _ := r.Context().Value(siteKey{}).(*core.KBSite)
	if site == nil {
		return nil, where{}, sahay.NotFound("help center")
	}
	// A help center's own domain is served over HTTPS, behind the proxy
	// that holds its certificate (docs/help-center.md).
	return site, where{origin: "https://" + site.Settings.Domain, domain: site.Settings.Domain, server: s.publicURL}, nil
}

// request is what a page handler gets: the help center and where it is.
type request struct {
	site *core.KBSite
	where
}

type pageFunc func(w http.ResponseWriter, r *http.Request, q *request) error

// handle charges the client address's bucket of lim, finds the help
// center and runs h; an error is an HTML error page.
func (s *Server) handle(find finder, lim *ratelimit.Limiter, h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var q *request
		err := s.limit(r, lim)
		if err == nil {
			var site *core.KBSite
			var at where
			if site, at, err = find(r); err == nil {
				q = &request{site: site, where: at}
				err = h(w, r, q)
			}
		}
		if err != nil {
			s.writeError(w, r, q, err)
		}
	})
}

func (s *Server) limit(r *http.Request, lim *ratelimit.Limiter) error {
	return lim.Allow(ratelimit.AddressKey(httpx.ClientAddr(r, s.trustedProxies)), "requests to the help center")
}

// writeError answers with the error page in the reader's language: 404
// for what is not there (or not public), 429 with Retry-After, 400 for
// a bad request, and 500, logged, for the rest.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, q *request, err error) {
	code := sahay.ErrorCode(err)
	status := httpx.Status(code)
	switch code {
	case sahay.ENOTFOUND, sahay.ERATELIMITED, sahay.EBADREQUEST:
	case sahay.EINVALID:
		status = http.StatusBadRequest
	default:
		s.log.Error("help center", "method", r.Method, "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
	}
	if e := (*sahay.Error)(nil); errors.As(err, &e) && e.Code == sahay.ERATELIMITED {
		w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
	}
	s.errorPage(w, r, q, status)
}

func retryAfter(d time.Duration) string {
	// Whole seconds, rounded up and at least one: a reader who waits
	// this long is let in.
	return strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10)
}
