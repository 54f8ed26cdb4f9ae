// Package widget is the website live-chat channel: the embeddable widget
// (one script tag, rendered in a shadow root so the host page's CSS cannot
// reach it), the visitor API it talks to, the visitor WebSocket hub that
// carries messages, typing and receipts both ways, the JavaScript SDK behind
// window.Sahay, live visitors and proactive chat for agents, campaigns, cart
// and order insight (from the SDK and from Shopify webhooks), and a demo
// store page.
//
// Visitors never get cookies. A visitor is identified by a token the server
// signs with the inbox's identity secret: it names the inbox and a subject,
// "v:<random>" for an anonymous visitor or "u:<id>" for a user the site
// vouched for with setUser's HMAC. Every message goes in through the inbound
// pipeline ([core.Service.Receive]) and every reply comes back as a committed
// event from the bus, so any node can hold any visitor's socket.
package widget

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// Config configures a [Server].
type Config struct {
	// PublicURL is where visitors' browsers reach Sahay
	// ("https://support.example.com"); the demo page and snippets use it.
	// Empty uses the host of each request.
	PublicURL string
	Log       *slog.Logger
	// Limits bound what one visitor may send; zero fields take defaults.
	Limits Limits
	// Mailer sends transcripts a visitor asks for (the server's SMTP
	// mailer); nil answers that email is not set up, and the visitor can
	// still download the transcript.
	Mailer core.Mailer
	// ReplyDomain is the domain of conversations' reply addresses,
	// whose mail reaches Sahay's SMTP listener (-email-reply-domain).
	// Set, and with a mailer that can name a Reply-To, a reply emailed to
	// an away visitor carries their conversation's reply address, and
	// their answer by email returns to the chat.
	ReplyDomain string
	// SharedBus is set when several nodes share the event bus (NATS): each
	// node then tells the others about the visitors it holds, so any node
	// lists them all.
	SharedBus bool
	// TrustedProxies is how many reverse proxies in front append the
	// client's address to X-Forwarded-For (see [httpx.ClientAddr]); the
	// per-address limits use that address.
	TrustedProxies int
}

// Limits bound what one visitor connection may send.
type Limits struct {
	// FrameBytes is the largest WebSocket frame accepted; a larger one
	// closes the connection with status 1009 (message too big).
	FrameBytes int64
	// Frames rate-limits frames per connection; frames over the limit are
	// refused with a rate_limited error.
	Frames ratelimit.Rate
	// MaxExcess is how many refused frames close the connection (1008).
	MaxExcess int
	// AttachmentBytes is the largest file a visitor may attach.
	AttachmentBytes int64
	// SocketsPerVisitor caps one visitor's simultaneous sockets (tabs).
	SocketsPerVisitor int

	// The HTTP endpoints' limits, kept per node. A request over one is
	// answered 429 rate_limited with Retry-After.

	// SessionsPerAddress bounds sessions (page views) per client address.
	SessionsPerAddress ratelimit.Rate
	// RequestsPerAddress bounds every visitor request and socket
	// handshake per client address.
	RequestsPerAddress ratelimit.Rate
	// WritesPerVisitor bounds a visitor's messages (over HTTP and the
	// socket), files, contact details, carts and orders, and ratings.
	WritesPerVisitor ratelimit.Rate
	// ReadsPerVisitor bounds a visitor's reads: conversations, history,
	// files.
	ReadsPerVisitor ratelimit.Rate
	// TranscriptsPerVisitor bounds the transcripts a visitor has emailed.
	TranscriptsPerVisitor ratelimit.Rate
	// CallbacksPerVisitor, CallbacksPerAddress and CallbacksPerInbox bound
	// the requests to be called back: each is a conversation the team
	// must answer with a call.
	CallbacksPerVisitor ratelimit.Rate
	CallbacksPerAddress ratelimit.Rate
	CallbacksPerInbox   ratelimit.Rate
	// SessionsPerInbox bounds the sessions of one inbox from all
	// addresses together.
	SessionsPerInbox ratelimit.Rate
	// NewContactsPerInbox bounds how many visitors become contacts, and
	// with a message conversations, of one inbox.
	NewContactsPerInbox ratelimit.Rate
}

func (l Limits) withDefaults() Limits {
	if l.FrameBytes <= 0 {
		l.FrameBytes = 16 << 10
	}
	if l.MaxExcess <= 0 {
		l.MaxExcess = 100
	}
	if l.AttachmentBytes <= 0 {
		l.AttachmentBytes = 10 << 20
	}
	if l.SocketsPerVisitor <= 0 {
		l.SocketsPerVisitor = 20
	}
	for _, r := range []struct {
		rate *ratelimit.Rate
		def  ratelimit.Rate
	}{
		{&l.Frames, ratelimit.Rate{Burst: 30, Every: time.Second / 10}},
		{&l.SessionsPerAddress, ratelimit.Rate{Burst: 120, Every: time.Second / 2}},
		{&l.RequestsPerAddress, ratelimit.Rate{Burst: 600, Every: time.Second / 30}},
		{&l.WritesPerVisitor, ratelimit.Rate{Burst: 30, Every: time.Second}},
		{&l.ReadsPerVisitor, ratelimit.Rate{Burst: 120, Every: time.Second / 10}},
		{&l.TranscriptsPerVisitor, ratelimit.Rate{Burst: 3, Every: time.Minute}},
		{&l.CallbacksPerVisitor, ratelimit.Rate{Burst: 3, Every: 20 * time.Minute}},
		{&l.CallbacksPerAddress, ratelimit.Rate{Burst: 10, Every: 6 * time.Minute}},
		{&l.CallbacksPerInbox, ratelimit.Rate{Burst: 60, Every: 30 * time.Second}},
		{&l.SessionsPerInbox, ratelimit.Rate{Burst: 1000, Every: time.Second / 50}},
		{&l.NewContactsPerInbox, ratelimit.Rate{Burst: 100, Every: time.Second / 5}},
	} {
		if r.rate.Every <= 0 || r.rate.Burst < 1 {
			*r.rate = r.def
		}
	}
	return l
}

// Server serves the widget, the visitor API and the visitor WebSockets.
// Create it with [New] and stop it with [Server.Close].
type Server struct {
	svc    *core.Service
	cfg    Config
	log    *slog.Logger
	hub    *hub
	cache  *inboxCache
	assets *assets

	teamMu  sync.Mutex
	teams   map[int64]teamStatus
	linesMu sync.Mutex
	lines   map[lineKey]cachedLine
	namesMu sync.Mutex
	names   map[int64]cachedName
	limits  limiters

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a running server: its visitor sockets follow the event bus
// until [Server.Close].
func New(svc *core.Service, cfg Config) *Server {
	cfg.Limits = cfg.Limits.withDefaults()
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{svc: svc, cfg: cfg, log: cfg.Log, ctx: ctx, cancel: cancel,
		teams: map[int64]teamStatus{}, lines: map[lineKey]cachedLine{}, names: map[int64]cachedName{}, limits: newLimiters(cfg.Limits)}
	s.cache = newInboxCache(svc)
	s.hub = newHub(s)
	// Whether the team is online, and whether someone takes calls, change
	// with an agent's connection or choice: the next visitor asking must
	// not read them from the cache, and the open chat windows of the
	// account are told.
	svc.OnAgentPresence(func(accountID, _ int64) {
		s.teamMu.Lock()
		clear(s.teams)
		s.teamMu.Unlock()
		s.linesMu.Lock()
		clear(s.lines)
		s.linesMu.Unlock()
		s.announceTeam(accountID)
	})
	s.assets = loadAssets()
	s.wg.Add(1)
	if cfg.SharedBus {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.hub.share(ctx)
		}()
	}
	go func() {
		defer s.wg.Done()
		s.hub.sweep(ctx)
	}()
	return s
}

// Close disconnects every visitor and stops the hub.
func (s *Server) Close() {
	s.cancel()
	s.hub.sockets.Close()
	s.wg.Wait()
}

// Adapter returns the channel adapter to register as channel "widget".
func (s *Server) Adapter() channel.Adapter { return &Adapter{s: s} }

// Routes registers every visitor-facing route of the widget on mux. They
// are cross-origin by design: CORS answers for the inbox's allowed domains,
// and they authenticate by visitor token, never by cookie, so the
// dashboard's CSRF protection must let /widget/ through.
func (s *Server) Routes(mux httpx.Mux) {
	h := func(f httpx.HandlerFunc) http.Handler {
		return s.cors(httpx.Handle(s.log, func(w http.ResponseWriter, r *http.Request) error {
			if err := s.limitAddress(r, s.limits.requestsPerAddress, "requests from your address"); err != nil {
				return err
			}
			return f(w, r)
		}))
	}
	mux.Handle("GET /widget.js", http.HandlerFunc(s.serveScript))
	mux.Handle("GET /demo", http.HandlerFunc(s.serveDemo))
	mux.Handle("GET /demo.js", http.HandlerFunc(s.serveDemoScript))
	mux.Handle("GET /widget/preview", httpx.Handle(s.log, s.servePreview))
	mux.Handle("GET /widget/v1/locales/{locale}", s.cors(http.HandlerFunc(s.serveLocale)))
	mux.Handle("OPTIONS /widget/v1/", s.cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })))
	mux.Handle("POST /widget/v1/session", h(s.handleSession))
	mux.Handle("GET /widget/v1/conversations", h(s.handleConversations))
	mux.Handle("GET /widget/v1/conversations/{id}/messages", h(s.handleMessages))
	mux.Handle("POST /widget/v1/messages", h(s.handlePostMessage))
	mux.Handle("POST /widget/v1/attachments", h(s.handleUpload))
	mux.Handle("GET /widget/v1/files/{key...}", h(s.handleFile))
	mux.Handle("POST /widget/v1/conversations/{id}/csat", h(s.handleCSAT))
	mux.Handle("POST /widget/v1/conversations/{id}/transcript", h(s.handleTranscript))
	mux.Handle("POST /widget/v1/contact", h(s.handleContact))
	mux.Handle("POST /widget/v1/commerce", h(s.handleCommerce))
	mux.Handle("POST /widget/v1/campaigns/{id}/shown", h(s.handleCampaignShown))
	mux.Handle("POST /widget/v1/callback", h(s.handleCallback))
	mux.Handle("GET /widget/v1/kb/suggest", h(s.handleKBSuggest))
	mux.Handle("GET /widget/v1/kb/search", h(s.handleKBSearch))
	mux.Handle("GET /widget/v1/kb/articles/{id}", h(s.handleKBArticle))
	mux.Handle("POST /widget/v1/kb/articles/{id}/feedback", h(s.handleKBFeedback))
	mux.Handle("GET /widget/v1/ws", http.HandlerFunc(s.serveSocket))
	mux.Handle("POST /widget/shopify/{token}", httpx.Handle(s.log, s.handleShopify))
	mux.Handle("GET /widget/debug/vars", httpx.Handle(s.log, s.handleDebugVars))
}

// cors answers cross-origin browsers. Preflights are answered for any
// origin (they carry no token); the request itself is checked against the
// inbox's allowed domains by [Server.visitor], and only an allowed origin
// gets the header that lets its page read the answer.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "86400")
			h.Add("Vary", "Origin")
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed reports whether the request comes from a page allowed to
// use the inbox's widget. Without allowed domains any page is. With them,
// the request must name its page, by Origin, or, for a navigation or an
// image that carries none, by Referer, and the page must be Sahay's own
// (demo, preview) or on one of the domains. A request naming no page is
// not a browser's, and browsers are what allowed domains are about: a
// server-to-server integration uses the API channel.
func originAllowed(r *http.Request, set *Settings) bool {
	if len(set.AllowedDomains) == 0 {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref, err := url.Parse(r.Header.Get("Referer"))
		if err != nil || ref.Host == "" || (ref.Scheme != "http" && ref.Scheme != "https") {
			return false
		}
		origin = ref.Scheme + "://" + ref.Host
	}
	if host, ok := strings.CutPrefix(origin, "http://"); ok && host == r.Host {
		return true
	}
	if host, ok := strings.CutPrefix(origin, "https://"); ok && host == r.Host {
		return true
	}
	return set.allowsOrigin(origin)
}

// publicURL is the base URL visitors reach this server at.
func (s *Server) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// isLoopback reports whether the request comes from this machine.
func isLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// widgetInbox is a widget inbox with its decrypted secrets and parsed
// settings.
type widgetInbox struct {
	*sahay.Inbox
	settings Settings
	loaded   time.Time
}

// inboxCache keeps widget inboxes by token and id for a short while, so the
// hot paths (every visitor request) read no secrets from the database. An
// inbox change on the bus empties it.
type inboxCache struct {
	svc     *core.Service
	mu      sync.Mutex
	byToken map[string]*widgetInbox
	byID    map[int64]*widgetInbox
}

const inboxTTL = 30 * time.Second

func newInboxCache(svc *core.Service) *inboxCache {
	return &inboxCache{svc: svc, byToken: map[string]*widgetInbox{}, byID: map[int64]*widgetInbox{}}
}

func (c *inboxCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byToken)
	clear(c.byID)
}

// byWebsiteToken returns the widget inbox of a script tag's token.
func (c *inboxCache) byWebsiteToken(ctx context.Context, token string) (*widgetInbox, error) {
	c.mu.Lock()
	in := c.byToken[token]
	c.mu.Unlock()
	if in != nil && time.Since(in.loaded) < inboxTTL {
		return in, nil
	}
	found, err := c.svc.WidgetInboxByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return c.load(ctx, found.AccountID, found.ID)
}

// get returns a widget inbox by id.
func (c *inboxCache) get(ctx context.Context, accountID, id int64) (*widgetInbox, error) {
	c.mu.Lock()
	in := c.byID[id]
	c.mu.Unlock()
	if in != nil && time.Since(in.loaded) < inboxTTL && (accountID == 0 || in.AccountID == accountID) {
		return in, nil
	}
	if accountID == 0 {
		found, err := c.svc.InboxByID(ctx, id)
		if err != nil {
			return nil, err
		}
		accountID = found.AccountID
	}
	return c.load(ctx, accountID, id)
}

func (c *inboxCache) load(ctx context.Context, accountID, id int64) (*widgetInbox, error) {
	inbox, err := c.svc.InboxWithSecrets(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	if inbox.Channel != Name {
		return nil, sahay.NotFound("inbox")
	}
	set, err := ParseSettings(inbox.Settings)
	if err != nil {
		return nil, err
	}
	if inbox.Secrets[IdentitySecretKey] == "" {
		return nil, sahay.Errorf(sahay.EINTERNAL, "widget inbox %d has no identity secret", id)
	}
	in := &widgetInbox{Inbox: inbox, settings: set, loaded: time.Now()}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byID[id] = in
	if set.WebsiteToken != "" {
		c.byToken[set.WebsiteToken] = in
	}
	return in, nil
}
