// Package app is Sahay's composition root: it opens the store, picks the
// bus, registers the channel adapters, starts the core service and builds
// the HTTP handler. cmd/sahay and end-to-end tests start Sahay through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/api"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/channel/email"
	"github.com/sahayhq/sahay/internal/channel/instagram"
	"github.com/sahayhq/sahay/internal/channel/messenger"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metalogin"
	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/channel/twilio"
	"github.com/sahayhq/sahay/internal/channel/whatsapp"
	"github.com/sahayhq/sahay/internal/channel/widget"
	"github.com/sahayhq/sahay/internal/channel/x"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/demo"
	"github.com/sahayhq/sahay/internal/helpcenter"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/netguard"
	"github.com/sahayhq/sahay/internal/notify"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/web"
	"github.com/sahayhq/sahay/internal/webpush"
)

// Version is set at build time with -ldflags "-X …/internal/app.Version=…".
var Version = "dev"

// App is a running Sahay.
type App struct {
	Config  *config.Config
	Store   *store.Store
	Service *core.Service
	API     *api.Server
	Log     *slog.Logger
	// EmailListener is the address the email channel's SMTP listener
	// took, nil when it is off (see config.EmailListen).
	EmailListener net.Addr
	bus           bus.Bus
	channels      *channel.Registry
	metaLogin     *metalogin.Login
	handler       http.Handler
	patterns      []string
}

// Open starts Sahay's components: it migrates the database and, on a new
// database, seeds the demo workspace (returned as the login to print).
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, *demo.Login, error) {
	st, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		return nil, nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	key, err := secretbox.LoadOrCreateKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("secret key: %w", err)
	}
	box, err := secretbox.New(key)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	var b bus.Bus = bus.NewMemory()
	if cfg.NATSURL != "" {
		if b, err = bus.NewNATS(cfg.NATSURL, ""); err != nil {
			st.Close()
			return nil, nil, err
		}
	}
	channels := channel.NewRegistry()
	channels.Register(telegram.Name, telegram.New(cfg.PublicURL, cfg.AllowPrivateURLs))
	channels.Register(messenger.Name, messenger.New(cfg.AllowPrivateURLs))
	channels.Register(instagram.Name, instagram.New(cfg.AllowPrivateURLs))
	channels.Register(whatsapp.Name, whatsapp.New(cfg.AllowPrivateURLs))
	channels.Register(x.Name, x.New(cfg.PublicURL, cfg.AllowPrivateURLs))
	blobs := &blob.Disk{Dir: filepath.Join(cfg.DataDir, "attachments")}
	var mailer core.Mailer
	if cfg.SMTPURL != "" {
		m, err := notify.ParseSMTP(cfg.SMTPURL)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		mailer = m
	}
	pusher, err := webPush(ctx, st, cfg)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	svc := core.New(core.Config{Store: st, Bus: b, Box: box, Channels: channels, Blobs: blobs, Mailer: mailer,
		Pusher: pusher, PublicURL: cfg.PublicURL, ServerSecrets: []string{cfg.MetaAppSecret}, SharedBus: cfg.NATSURL != "", AllowPrivateURLs: cfg.AllowPrivateURLs, Log: log, AllowSignUp: cfg.AllowSignUp})
	// The registry is read when an inbox is used, so the channels that
	// need the service register after it.
	channels.Register(apichannel.Name, apichannel.New(svc, cfg.AllowPrivateURLs))
	// The service gives phone inboxes without hours the account's.
	var _ twilio.Hours = svc
	channels.Register(twilio.Name, twilio.New(cfg.PublicURL, cfg.AllowPrivateURLs, svc, svc))
	mail := email.New(svc, cfg.AllowPrivateURLs)
	mail.SetLog(log)
	mail.SetReplyDomain(cfg.EmailReplyDomain)
	channels.Register(email.Name, mail)
	channels.Register(widget.Name, widget.New(svc, widget.Config{PublicURL: cfg.PublicURL, Log: log, Mailer: mailer, ReplyDomain: cfg.EmailReplyDomain,
		SharedBus: cfg.NATSURL != "", TrustedProxies: cfg.TrustedProxies}).Adapter())
	a := &App{Config: cfg, Store: st, Service: svc, Log: log, bus: b, channels: channels}
	metaApp := &meta.App{ID: cfg.MetaAppID, Secret: cfg.MetaAppSecret, VerifyToken: cfg.MetaVerifyToken, DialogURL: cfg.MetaDialogURL,
		GraphURL: cfg.MetaGraphURL, HTTP: netguard.Client(cfg.AllowPrivateURLs)}
	if err := metaVerifyToken(ctx, st, metaApp, cfg.PublicURL, log); err != nil {
		st.Close()
		return nil, nil, err
	}
	a.metaLogin = metalogin.New(metaApp, svc, cfg.PublicURL, log)
	a.metaLogin.SetTrustedProxies(cfg.TrustedProxies)
	a.API = api.New(api.Config{Service: svc, Log: log, SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies})
	a.handler = a.routes()
	if cfg.EmailListen != "" {
		if a.EmailListener, err = mail.Listen(cfg.EmailListen); err != nil {
			a.Close()
			return nil, nil, err
		}
		log.Info("email: SMTP listener", "addr", a.EmailListener.String(), "reply_domain", cfg.EmailReplyDomain)
	}

	var login *demo.Login
	if !cfg.NoDemo {
		accounts, err := st.Accounts(ctx)
		if err != nil {
			a.Close()
			return nil, nil, err
		}
		if len(accounts) == 0 {
			if login, err = demo.Seed(ctx, svc, widget.Name, nil); err != nil {
				a.Close()
				return nil, nil, err
			}
		}
	}
	return a, login, nil
}

// webPush returns the Web Push sender. Its VAPID key pair is made once and
// kept in the database, so every node signs with the same key and browsers'
// subscriptions survive restarts.
func webPush(ctx context.Context, st *store.Store, cfg *config.Config) (*notify.WebPush, error) {
	private, err := st.ServerSetting(ctx, "vapid_private_key", func() (string, error) {
		priv, _, err := webpush.GenerateVAPIDKeys()
		return priv, err
	})
	if err != nil {
		return nil, err
	}
	subject := "mailto:admin@localhost"
	if strings.HasPrefix(cfg.PublicURL, "https://") {
		subject = cfg.PublicURL
	}
	vapid, err := webpush.ParseVAPID(private, subject)
	if err != nil {
		return nil, fmt.Errorf("web push key: %w", err)
	}
	return notify.NewWebPush(vapid, netguard.Client(cfg.AllowPrivateURLs)), nil
}

// metaVerifyToken gives the operator's Meta app the verify token of its
// webhook when the operator set none: one made once and kept in the
// database, so every node answers Meta's check alike, and logged with
// the callback URL for the operator to paste in the app's settings.
func metaVerifyToken(ctx context.Context, st *store.Store, app *meta.App, publicURL string, log *slog.Logger) error {
	if !app.Configured() || app.VerifyToken != "" {
		return nil
	}
	token, err := st.ServerSetting(ctx, "meta_verify_token", func() (string, error) { return auth.NewToken(), nil })
	if err != nil {
		return fmt.Errorf("meta verify token: %w", err)
	}
	app.VerifyToken = token
	log.Info("meta: the app's webhook", "callback_url", publicURL+metalogin.WebhookPath, "verify_token", token,
		"note", "set -meta-verify-token (SAHAY_META_VERIFY_TOKEN) to choose the token")
	return nil
}

// Handler is the HTTP handler of everything Sahay serves.
func (a *App) Handler() http.Handler { return a.handler }

// Patterns returns the pattern of every route the handler serves, in the
// order they were registered, so tests can check each one is documented.
func (a *App) Patterns() []string { return slices.Clone(a.patterns) }

// recorder registers routes on a ServeMux and remembers their patterns.
type recorder struct {
	mux      *http.ServeMux
	patterns []string
}

func (r *recorder) Handle(pattern string, h http.Handler) {
	r.patterns = append(r.patterns, pattern)
	r.mux.Handle(pattern, h)
}

func (a *App) routes() http.Handler {
	mux := &recorder{mux: http.NewServeMux()}
	mux.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok\n"))
	}))
	mux.Handle("GET /readyz", http.HandlerFunc(a.ready))
	// Every channel's own routes (see channel.Router), then the API's.
	channelMux := a.API.ChannelMux(mux)
	for _, adapter := range a.channels.Adapters() {
		if r, ok := adapter.(channel.Router[*core.Actor]); ok {
			r.Routes(channelMux)
		}
	}
	a.metaLogin.Routes(channelMux)
	a.API.Register(mux)
	// The public help centers, at /hc/{slug} and on their own domains.
	hc := helpcenter.New(helpcenter.Config{Service: a.Service, Log: a.Log, PublicURL: a.Config.PublicURL,
		TrustedProxies: a.Config.TrustedProxies})
	hc.Routes(mux)
	// The dashboard: its assets, and its app shell for every other path.
	mux.Handle("/", web.Handler())
	a.patterns = mux.patterns
	return deadlines(a.protect(hc.Domains(mux.mux)), a.Config.BodyTimeout)
}

// ready answers 200 when the database answers and its schema is current.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain")
	if err := a.Store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "database unreachable\n")
		return
	}
	if ok, err := a.Store.MigrationsCurrent(ctx); err != nil || !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "migrations pending\n")
		return
	}
	w.Write([]byte("ready\n"))
}

// protect applies what every response needs: cross-origin request
// forgery protection for browser routes (the widget and platform webhooks
// are cross-origin by design and authenticate otherwise), security headers,
// and recovery from a handler's panic.
func (a *App) protect(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("/widget/")
	cop.AddInsecureBypassPattern("/webhooks/")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, a.Log, sahay.Errorf(sahay.EFORBIDDEN, "cross-origin request refused"))
	}))
	guarded := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		if !strings.HasPrefix(r.URL.Path, "/widget") && r.URL.Path != "/demo" {
			h.Set("X-Frame-Options", "DENY")
		}
		guarded.ServeHTTP(w, r)
	})
}

// Serve listens on the configured address until ctx ends, then shuts down
// gracefully. ready, if not nil, receives the bound address.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: headerTimeout, IdleTimeout: idleTimeout}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.API.Close(shutdown)
	err = srv.Shutdown(shutdown)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close stops background work and closes the database.
func (a *App) Close() error {
	a.API.Close(context.Background())
	for _, adapter := range a.channels.Adapters() {
		if c, ok := adapter.(channel.Closer); ok {
			c.Close()
		}
	}
	a.Service.Close()
	a.bus.Close()
	return a.Store.Close()
}
