// Package config reads Sahay's settings from flags and SAHAY_* environment
// variables into one typed value, passed to whoever needs it; there is no
// global configuration.
package config

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
)

// Config is Sahay's configuration.
type Config struct {
	// Addr is the listen address of the HTTP server.
	Addr string
	// DataDir holds the SQLite database, the secret key and attachments.
	DataDir string
	// DatabaseURL, when it is a postgres:// URL, selects PostgreSQL.
	DatabaseURL string
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
	// NoDemo skips seeding the demo workspace on a new database.
	NoDemo bool
	// SecureCookies marks session cookies Secure; set behind HTTPS.
	SecureCookies bool
	// LogJSON switches logs to JSON lines.
	LogJSON bool
}

// Parse fills a Config from args (flags) and env; flags win over env.
// extra adds a subcommand's own flags to the same set.
func Parse(name string, args []string, getenv func(string) string, extra ...func(*flag.FlagSet)) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, add := range extra {
		add(fs)
	}
	fs.StringVar(&c.Addr, "addr", envOr(getenv, "SAHAY_ADDR", "127.0.0.1:8080"), "listen address (SAHAY_ADDR)")
	fs.StringVar(&c.DataDir, "data", envOr(getenv, "SAHAY_DATA_DIR", "./data"), "data directory (SAHAY_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database", getenv("SAHAY_DATABASE_URL"), "postgres:// URL; empty for SQLite in the data directory (SAHAY_DATABASE_URL)")
	fs.StringVar(&c.NATSURL, "nats", getenv("SAHAY_NATS_URL"), "NATS URL for multi-node event fan-out (SAHAY_NATS_URL)")
	fs.StringVar(&c.PublicURL, "public-url", getenv("SAHAY_PUBLIC_URL"), "public base URL, e.g. https://support.example.com (SAHAY_PUBLIC_URL)")
	fs.StringVar(&c.SMTPURL, "smtp", getenv("SAHAY_SMTP_URL"), "SMTP server for email notifications, smtp://user:pass@host:587?from=… (SAHAY_SMTP_URL)")
	fs.BoolVar(&c.NoDemo, "no-demo", getenv("SAHAY_NO_DEMO") == "1", "do not seed the demo workspace (SAHAY_NO_DEMO=1)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", getenv("SAHAY_SECURE_COOKIES") == "1", "mark cookies Secure (SAHAY_SECURE_COOKIES=1)")
	fs.BoolVar(&c.LogJSON, "log-json", getenv("SAHAY_LOG_JSON") == "1", "log JSON lines (SAHAY_LOG_JSON=1)")
	c.SecretKey = getenv("SAHAY_SECRET_KEY")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return nil, fmt.Errorf("SAHAY_DATABASE_URL must be a postgres:// URL (leave it empty for SQLite)")
	}
	return c, nil
}

// StoreURL is what store.Open takes: the PostgreSQL URL or the SQLite path.
func (c *Config) StoreURL() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "sahay.db")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
