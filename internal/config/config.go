// Package config reads Sahay's settings from flags and SAHAY_* environment
// variables into one typed value, passed to whoever needs it; there is no
// global configuration.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is Sahay's configuration.
type Config struct {
	// Addr is the listen address of the HTTP server.
	Addr string
	// DataDir holds the SQLite database, the secret key and attachments.
	DataDir string
	// DatabaseURL, when it is a postgres:// URL, selects PostgreSQL.
	DatabaseURL string
	// SQLiteSynchronous is how far a SQLite commit waits for the disk:
	// "normal" (survives the process dying) or "full" (survives a power
	// loss too, for an fsync per commit).
	SQLiteSynchronous string
	// SecretKey encrypts channel credentials; when empty a key file in
	// DataDir is used (and created).
	SecretKey string
	// NATSURL, when set, carries events between nodes through NATS.
	NATSURL string
	// PublicURL is how browsers and platforms reach this server.
	PublicURL string
	// SMTPURL is the server agents' email notifications go through, e.g.
	// smtp://user:pass@host:587?from=Support%20<support@example.com>.
	SMTPURL string
	// EmailReplyDomain is the domain of conversations' reply addresses,
	// reply+<token>@domain, whose mail reaches Sahay's SMTP listener (its
	// MX record points here). Set, every email Sahay sends a customer
	// carries it as Reply-To, and the answer returns to its conversation.
	EmailReplyDomain string
	// NoDemo skips seeding the demo workspace on a new database.
	NoDemo bool
	// SecureCookies marks session cookies Secure; set behind HTTPS.
	SecureCookies bool
	// LogJSON switches logs to JSON lines.
	LogJSON bool
	// TrustedProxies is how many reverse proxies in front of Sahay append
	// the client's address to X-Forwarded-For; 0 takes the connection's
	// peer as the client (see httpx.ClientAddr).
	TrustedProxies int
	// AllowPrivateURLs lets configured URLs (webhooks, channel base URLs,
	// Web Push endpoints) reach loopback, private and link-local addresses:
	// for a server whose integrations run on its own network, and tests.
	AllowPrivateURLs bool
	// AllowSignUp lets people create an account and its owner from the
	// sign-in page.
	AllowSignUp bool
	// BodyTimeout is how long a request body may take to start arriving,
	// and how far it may fall behind the minimum rate after that.
	BodyTimeout time.Duration
	// EmailListen, when set, is the host:port of Sahay's own SMTP listener,
	// which takes mail for email inboxes' addresses (forwarded to it) and
	// for conversations' reply addresses. Off when empty.
	EmailListen string
	// MetaAppID and MetaAppSecret are the operator's Meta app, which
	// admins sign in with to connect Facebook Pages and Instagram accounts
	// ("Connect with Facebook"); empty, the sign-in is not offered.
	MetaAppID     string
	MetaAppSecret string
	// MetaVerifyToken is what the Meta app's webhook settings send back
	// when its callback URL, /webhooks/meta, is saved; empty, Sahay makes
	// one, keeps it in the database and logs it at start.
	MetaVerifyToken string
	// MetaDialogURL and MetaGraphURL are Facebook Login's dialog and the
	// Graph API the sign-in uses: Meta's, unless a test names a simulator.
	MetaDialogURL string
	MetaGraphURL  string
}

// Scope is the set of settings a command takes as flags. The settings
// outside it still come from the environment.
type Scope int

const (
	// Storage is where the data lives: -data and -database.
	Storage Scope = iota
	// Server is everything the server takes.
	Server
)

// Flags reads the settings from getenv and declares those of scope on fs,
// with the environment's values as defaults, so a flag wins over its
// variable. It returns the Config fs.Parse fills; call Check after it.
func Flags(fs *flag.FlagSet, scope Scope, getenv func(string) string) *Config {
	c := &Config{
		Addr:             envOr(getenv, "SAHAY_ADDR", "127.0.0.1:8080"),
		DataDir:          envOr(getenv, "SAHAY_DATA_DIR", "./data"),
		DatabaseURL:      getenv("SAHAY_DATABASE_URL"),
		SecretKey:        getenv("SAHAY_SECRET_KEY"),
		NATSURL:          getenv("SAHAY_NATS_URL"),
		PublicURL:        getenv("SAHAY_PUBLIC_URL"),
		SMTPURL:          getenv("SAHAY_SMTP_URL"),
		EmailReplyDomain: getenv("SAHAY_EMAIL_REPLY_DOMAIN"),
		NoDemo:           getenv("SAHAY_NO_DEMO") == "1",
		SecureCookies:    getenv("SAHAY_SECURE_COOKIES") == "1",
		LogJSON:          getenv("SAHAY_LOG_JSON") == "1",

		AllowPrivateURLs: getenv("SAHAY_ALLOW_PRIVATE_URLS") == "1",
		AllowSignUp:      getenv("SAHAY_ALLOW_SIGNUP") == "1",

		SQLiteSynchronous: envOr(getenv, "SAHAY_SQLITE_SYNCHRONOUS", "normal"),

		EmailListen: getenv("SAHAY_EMAIL_LISTEN"),

		MetaAppID:       getenv("SAHAY_META_APP_ID"),
		MetaAppSecret:   getenv("SAHAY_META_APP_SECRET"),
		MetaVerifyToken: getenv("SAHAY_META_VERIFY_TOKEN"),
		MetaDialogURL:   envOr(getenv, "SAHAY_META_DIALOG_URL", "https://www.facebook.com/v25.0/dialog/oauth"),
		MetaGraphURL:    envOr(getenv, "SAHAY_META_GRAPH_URL", "https://graph.facebook.com/v25.0"),
	}
	if d, err := time.ParseDuration(envOr(getenv, "SAHAY_BODY_TIMEOUT", "20s")); err != nil {
		c.BodyTimeout = -1 // refused by Check
	} else {
		c.BodyTimeout = d
	}
	if proxies, err := strconv.Atoi(envOr(getenv, "SAHAY_TRUSTED_PROXIES", "0")); err != nil {
		c.TrustedProxies = -1 // refused by Check
	} else {
		c.TrustedProxies = proxies
	}
	fs.StringVar(&c.DataDir, "data", c.DataDir, "`directory` of the SQLite database, the secret key and attachments (SAHAY_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database", c.DatabaseURL, "postgres:// `URL` of a PostgreSQL database; empty for SQLite in the data directory (SAHAY_DATABASE_URL)")
	fs.StringVar(&c.SQLiteSynchronous, "sqlite-synchronous", c.SQLiteSynchronous,
		"`normal` or full: whether a SQLite commit waits for the disk, to survive a power loss too (SAHAY_SQLITE_SYNCHRONOUS; see docs/operations.md)")
	if scope < Server {
		return c
	}
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to listen on (SAHAY_ADDR)")
	fs.StringVar(&c.NATSURL, "nats", c.NATSURL, "nats:// `URL` of the NATS server carrying events between nodes (SAHAY_NATS_URL)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "`URL` browsers and platforms reach this server at, e.g. https://support.example.com (SAHAY_PUBLIC_URL)")
	fs.StringVar(&c.SMTPURL, "smtp", c.SMTPURL, "`URL` of the server email goes out through: smtp://user:pass@host:587?from=… (SAHAY_SMTP_URL)")
	fs.StringVar(&c.EmailReplyDomain, "email-reply-domain", c.EmailReplyDomain,
		"`domain` of conversations' reply addresses (reply+<token>@domain), whose mail reaches Sahay's SMTP listener; empty sends no Reply-To (SAHAY_EMAIL_REPLY_DOMAIN)")
	fs.BoolVar(&c.NoDemo, "no-demo", c.NoDemo, "do not seed the demo workspace (SAHAY_NO_DEMO=1)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark cookies Secure (SAHAY_SECURE_COOKIES=1)")
	fs.BoolVar(&c.LogJSON, "log-json", c.LogJSON, "log JSON lines (SAHAY_LOG_JSON=1)")
	fs.IntVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "how many reverse proxies in front append the client's address to X-Forwarded-For; 0 believes no such header (SAHAY_TRUSTED_PROXIES)")
	fs.BoolVar(&c.AllowPrivateURLs, "allow-private-urls", c.AllowPrivateURLs,
		"let webhooks and other configured URLs reach loopback, private and link-local addresses (SAHAY_ALLOW_PRIVATE_URLS=1)")
	fs.BoolVar(&c.AllowSignUp, "allow-signup", c.AllowSignUp, "let people create an account and its owner from the sign-in page (SAHAY_ALLOW_SIGNUP=1)")
	fs.DurationVar(&c.BodyTimeout, "body-timeout", c.BodyTimeout, "how long a request body may take to start arriving, and fall behind 1 KiB/s after that (SAHAY_BODY_TIMEOUT)")
	fs.StringVar(&c.EmailListen, "email-listen", c.EmailListen,
		"`host:port` of the SMTP listener taking mail for email inboxes and reply addresses, such as :25; off when empty (SAHAY_EMAIL_LISTEN)")
	fs.StringVar(&c.MetaAppID, "meta-app-id", c.MetaAppID, "`id` of the Meta app admins sign in with to connect Facebook Pages and Instagram accounts (SAHAY_META_APP_ID)")
	// A Func flag, so that -help does not print the secret the environment gave.
	fs.Func("meta-app-secret", "`secret` of that Meta app; prefer the variable, which stays out of the process list (SAHAY_META_APP_SECRET)",
		func(v string) error { c.MetaAppSecret = v; return nil })
	fs.Func("meta-verify-token", "`token` the Meta app's webhook settings give with the callback URL <public-url>/webhooks/meta; made and logged at start when empty (SAHAY_META_VERIFY_TOKEN)",
		func(v string) error { c.MetaVerifyToken = v; return nil })
	fs.StringVar(&c.MetaDialogURL, "meta-dialog-url", c.MetaDialogURL, "`URL` of Facebook Login's dialog (SAHAY_META_DIALOG_URL)")
	fs.StringVar(&c.MetaGraphURL, "meta-graph-url", c.MetaGraphURL, "`URL` of the Graph API, with its version, the sign-in and its inboxes use (SAHAY_META_GRAPH_URL)")
	return c
}

// Check completes c once its flags are parsed and refuses settings that
// cannot work.
func (c *Config) Check() error {
	if c.SQLiteSynchronous == "" {
		c.SQLiteSynchronous = "normal"
	}
	if c.SQLiteSynchronous != "normal" && c.SQLiteSynchronous != "full" {
		return fmt.Errorf("-sqlite-synchronous (SAHAY_SQLITE_SYNCHRONOUS) must be normal or full, not %q", c.SQLiteSynchronous)
	}
	if c.BodyTimeout <= 0 {
		return fmt.Errorf("-body-timeout (SAHAY_BODY_TIMEOUT) must be a positive duration such as 20s")
	}
	if c.TrustedProxies < 0 {
		return fmt.Errorf("-trusted-proxies (SAHAY_TRUSTED_PROXIES) must be a number, 0 or more")
	}
	if c.EmailListen != "" {
		if _, _, err := net.SplitHostPort(c.EmailListen); err != nil {
			return fmt.Errorf("-email-listen (SAHAY_EMAIL_LISTEN) must be host:port, such as :25 or 127.0.0.1:2525: %v", err)
		}
	}
	c.EmailReplyDomain = strings.ToLower(strings.TrimSpace(c.EmailReplyDomain))
	if d := c.EmailReplyDomain; d != "" && (strings.ContainsAny(d, "@/: ") || !strings.Contains(d, ".")) {
		return fmt.Errorf("-email-reply-domain (SAHAY_EMAIL_REPLY_DOMAIN) must be a domain such as reply.example.com, not %q", d)
	}
	if err := c.checkMeta(); err != nil {
		return err
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("SAHAY_DATABASE_URL must be a postgres:// URL (leave it empty for SQLite)")
	}
	return nil
}

// checkMeta refuses half a Meta app, and dialog or Graph addresses that
// are not http(s) URLs.
func (c *Config) checkMeta() error {
	c.MetaAppID, c.MetaAppSecret = strings.TrimSpace(c.MetaAppID), strings.TrimSpace(c.MetaAppSecret)
	if (c.MetaAppID == "") != (c.MetaAppSecret == "") {
		return fmt.Errorf("-meta-app-id (SAHAY_META_APP_ID) and -meta-app-secret (SAHAY_META_APP_SECRET) go together: set both, or neither")
	}
	c.MetaVerifyToken = strings.TrimSpace(c.MetaVerifyToken)
	if t := c.MetaVerifyToken; t != "" && (len(t) > 200 || strings.ContainsFunc(t, func(r rune) bool { return r < 0x21 || r > 0x7e })) {
		return fmt.Errorf("-meta-verify-token (SAHAY_META_VERIFY_TOKEN) must be at most 200 printable ASCII characters without spaces")
	}
	for _, u := range []struct{ flag, env, value string }{
		{"-meta-dialog-url", "SAHAY_META_DIALOG_URL", c.MetaDialogURL},
		{"-meta-graph-url", "SAHAY_META_GRAPH_URL", c.MetaGraphURL},
	} {
		p, err := url.Parse(u.value)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("%s (%s) must be an http(s) URL, not %q", u.flag, u.env, u.value)
		}
	}
	c.MetaDialogURL = strings.TrimRight(c.MetaDialogURL, "/")
	c.MetaGraphURL = strings.TrimRight(c.MetaGraphURL, "/")
	return nil
}

// Parse fills a Config with the server's settings from args (flags) and
// getenv; flags win over the environment.
func Parse(name string, args []string, getenv func(string) string) (*Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c := Flags(fs, Server, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return c, c.Check()
}

// StoreURL is what store.Open takes: the PostgreSQL URL or the SQLite path,
// with its synchronous setting when it is not the default.
func (c *Config) StoreURL() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	path := filepath.Join(c.DataDir, "sahay.db")
	if c.SQLiteSynchronous == "full" {
		path += "?synchronous=full"
	}
	return path
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
