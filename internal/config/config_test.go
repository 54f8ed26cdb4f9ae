package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	env := map[string]string{"SAHAY_ADDR": "0.0.0.0:9000", "SAHAY_DATA_DIR": "/var/lib/sahay"}
	c, err := Parse("sahay", []string{"-addr", "127.0.0.1:7000"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" {
		t.Errorf("flag did not win over env: addr %s", c.Addr)
	}
	if c.StoreURL() != "/var/lib/sahay/sahay.db" {
		t.Errorf("StoreURL = %s", c.StoreURL())
	}
	if c.PublicURL != "http://127.0.0.1:7000" {
		t.Errorf("PublicURL = %s", c.PublicURL)
	}
	env["SAHAY_DATABASE_URL"] = "postgres://db/sahay"
	if c, _ := Parse("sahay", nil, func(k string) string { return env[k] }); c.StoreURL() != "postgres://db/sahay" {
		t.Errorf("StoreURL with PostgreSQL = %s", c.StoreURL())
	}
	if c, _ := Parse("sahay", nil, func(k string) string { return map[string]string{"SAHAY_TRUSTED_PROXIES": "2"}[k] }); c.TrustedProxies != 2 {
		t.Errorf("TrustedProxies = %d, want 2 from SAHAY_TRUSTED_PROXIES", c.TrustedProxies)
	}
	if _, err := Parse("sahay", []string{"-trusted-proxies", "-1"}, func(string) string { return "" }); err == nil {
		t.Error("Parse accepted -trusted-proxies -1")
	}
	for _, bad := range []map[string]string{{"SAHAY_DATABASE_URL": "mysql://x"}, {"SAHAY_TRUSTED_PROXIES": "yes"}} {
		if _, err := Parse("sahay", nil, func(k string) string { return bad[k] }); err == nil {
			t.Errorf("Parse accepted %v", bad)
		}
	}
	if c.AllowPrivateURLs {
		t.Error("private URLs allowed by default")
	}
	env["SAHAY_ALLOW_PRIVATE_URLS"] = "1"
	if c, _ := Parse("sahay", nil, func(k string) string { return env[k] }); !c.AllowPrivateURLs {
		t.Error("SAHAY_ALLOW_PRIVATE_URLS=1 does not allow private URLs")
	}
	if c, _ := Parse("sahay", []string{"-allow-private-urls=false"}, func(k string) string { return env[k] }); c.AllowPrivateURLs {
		t.Error("-allow-private-urls=false does not win over the environment")
	}
	if c, _ := Parse("sahay", []string{"-data", "/d", "-sqlite-synchronous", "full"}, func(string) string { return "" }); c.StoreURL() != "/d/sahay.db?synchronous=full" {
		t.Errorf("StoreURL with -sqlite-synchronous full = %s", c.StoreURL())
	}
	if c, _ := Parse("sahay", []string{"-data", "/d"}, func(k string) string { return map[string]string{"SAHAY_SQLITE_SYNCHRONOUS": "full"}[k] }); c.StoreURL() != "/d/sahay.db?synchronous=full" {
		t.Errorf("StoreURL with SAHAY_SQLITE_SYNCHRONOUS=full = %s", c.StoreURL())
	}
	for _, bad := range []string{"off", "FULL", "extra"} {
		if _, err := Parse("sahay", []string{"-sqlite-synchronous", bad}, func(string) string { return "" }); err == nil {
			t.Errorf("Parse accepted -sqlite-synchronous %s", bad)
		}
	}
	if _, err := Parse("sahay", []string{"extra"}, func(string) string { return "" }); err == nil {
		t.Error("Parse accepted a stray argument")
	}
}

// TestStorageScope checks that a command taking only the storage flags
// refuses the server's, and still reads every setting from the environment.
func TestStorageScope(t *testing.T) {
	env := map[string]string{"SAHAY_NATS_URL": "nats://n:4222", "SAHAY_SECRET_KEY": "k"}
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := Flags(fs, Storage, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"-data", "/srv/sahay"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/srv/sahay" || c.NATSURL != "nats://n:4222" || c.SecretKey != "k" {
		t.Errorf("config %+v", c)
	}
	for _, server := range []string{"-addr", "-nats", "-smtp", "-public-url", "-no-demo", "-secure-cookies", "-log-json", "-allow-private-urls"} {
		if fs.Lookup(server[1:]) != nil {
			t.Errorf("the storage scope declares %s", server)
		}
	}
}

// The Meta app is both halves or neither; its addresses default to Meta's.
func TestParseMetaApp(t *testing.T) {
	env := map[string]string{"SAHAY_META_APP_SECRET": "s3cret", "SAHAY_META_VERIFY_TOKEN": "v3rify"}
	c, err := Parse("sahay", []string{"-meta-app-id", "4242"}, func(k string) string { return env[k] })
	if err != nil || c.MetaAppID != "4242" || c.MetaAppSecret != "s3cret" || c.MetaVerifyToken != "v3rify" {
		t.Fatalf("meta app %q %q %q %v", c.MetaAppID, c.MetaAppSecret, c.MetaVerifyToken, err)
	}
	var help strings.Builder
	fs := flag.NewFlagSet("sahay", flag.ContinueOnError)
	Flags(fs, Server, func(k string) string { return env[k] })
	fs.SetOutput(&help)
	fs.PrintDefaults()
	if strings.Contains(help.String(), "s3cret") || strings.Contains(help.String(), "v3rify") {
		t.Error("-help prints the Meta app secret or verify token")
	}
	if c.MetaDialogURL != "https://www.facebook.com/v25.0/dialog/oauth" || c.MetaGraphURL != "https://graph.facebook.com/v25.0" {
		t.Errorf("defaults %s %s", c.MetaDialogURL, c.MetaGraphURL)
	}
	for _, args := range [][]string{
		{"-meta-app-id", "4242"},
		{"-meta-app-secret", "s3cret"},
		{"-meta-graph-url", "graph.facebook.com"},
		{"-meta-dialog-url", "ftp://x/dialog"},
		{"-meta-verify-token", "two words"},
	} {
		if _, err := Parse("sahay", args, func(string) string { return "" }); err == nil {
			t.Errorf("Parse accepted %v", args)
		}
	}
}
