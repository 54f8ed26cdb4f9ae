package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/api"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/channel/widget"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop the schema
)

// serveLimit bounds how long serve runs.
const serveLimit = 30 * time.Minute

// serveOptions are the flags of the serve mode.
type serveOptions struct {
	addr          string
	postgres      string
	conversations int
	envFile       string
}

func serveCommand(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	var o serveOptions
	fs := newFlagSet("serve", "[-addr 127.0.0.1:8090] [-postgres URL] [-conversations N] [-env-file FILE]", out)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8090", "loopback address to listen on")
	fs.StringVar(&o.postgres, "postgres", "", "postgres:// `URL` of a database to serve from, in a schema of its own dropped at exit; empty for SQLite in a temporary directory")
	fs.IntVar(&o.conversations, "conversations", 10000, "conversations to seed, for the list mode to page through")
	fs.StringVar(&o.envFile, "env-file", "", "write the SAHAY_LOAD_* variables the modes read to this `file`, for a shell to source; removed when serve stops")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return usageError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, serveLimit)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fmt.Fprintf(out, "seeding %d conversations…\n", o.conversations)
	s, err := startServer(ctx, o, log)
	if err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintf(out, "serving on %s from %s, process id %d, for at most %s (interrupt to stop)\n", s.URL, s.Database, os.Getpid(), serveLimit)
	if o.envFile != "" {
		if err := os.WriteFile(o.envFile, []byte(s.env()), 0o600); err != nil {
			return err
		}
		// A file left behind would point the next run at a server that is gone.
		defer os.Remove(o.envFile)
		fmt.Fprintf(out, "variables for the modes written to %s; load it with, for example:\n", o.envFile)
		fmt.Fprintf(out, "  (. %s && sahay-load widget && sahay-load api && sahay-load list && sahay-load login -concurrency 2)\n", o.envFile)
	} else {
		fmt.Fprintf(out, "load it with:\n%s", s.commands())
	}
	<-ctx.Done()
	return nil
}

func (o *serveOptions) check() error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil || !loopback(host) {
		return fmt.Errorf("-addr must be a loopback address such as 127.0.0.1:8090, not %q", o.addr)
	}
	if o.postgres != "" && !strings.HasPrefix(o.postgres, "postgres://") && !strings.HasPrefix(o.postgres, "postgresql://") {
		return errors.New("-postgres must be a postgres:// URL")
	}
	if o.conversations < 1 || o.conversations > 1_000_000 {
		return errors.New("-conversations must be 1 to 1000000")
	}
	return nil
}

// loadServer is a running in-process Sahay and what the modes need to
// load it.
type loadServer struct {
	URL string
	// Database says where the data is.
	Database     string
	WebsiteToken string
	APIInbox     int64
	// OwnerToken is the owner's API token, AgentToken an agent's; Email and
	// Password sign the owner in.
	OwnerToken, AgentToken string
	Email, Password        string
	close                  func()
}

// startServer starts Sahay on a fresh database: SQLite in a temporary
// directory, or a new schema of o.postgres, with a seeded workspace, a
// widget inbox and an API inbox. Every simulated client comes from this
// machine's one address, so the per-address and per-visitor limits a real
// site's visitors meet are lifted.
func startServer(ctx context.Context, o serveOptions, log *slog.Logger) (s *loadServer, err error) {
	var cleanups []func()
	s = &loadServer{close: func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}}
	defer func() {
		if err != nil {
			s.close()
		}
	}()

	dir, err := os.MkdirTemp("", "sahay-load-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	dbURL := filepath.Join(dir, "sahay.db")
	s.Database = "SQLite in " + dir
	if o.postgres != "" {
		schema, u, drop, err := newSchema(ctx, o.postgres)
		if err != nil {
			return nil, err
		}
		cleanups = append(cleanups, drop)
		dbURL = u
		s.Database = "PostgreSQL schema " + schema
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}

	s.Password = randomID() + randomID()
	hash, err := auth.HashPassword(ctx, s.Password)
	if err != nil {
		return nil, err
	}
	ws, err := bench.Seed(ctx, st, bench.Options{Conversations: o.conversations, Inboxes: 4, Agents: 4, Teams: 2, Labels: 6,
		PasswordHash: hash})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}

	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		return nil, err
	}
	reg := channel.NewRegistry()
	svc := core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: reg, Log: log, Blobs: &blob.Disk{Dir: filepath.Join(dir, "files")}})
	cleanups = append(cleanups, svc.Close)
	reg.Register(apichannel.Name, apichannel.New(svc, false))
	lifted := ratelimit.Rate{Burst: 1e6, Every: time.Microsecond}
	w := widget.New(svc, widget.Config{Log: log, Limits: widget.Limits{SessionsPerAddress: lifted, RequestsPerAddress: lifted,
		SessionsPerInbox: lifted, NewContactsPerInbox: lifted, Frames: lifted, WritesPerVisitor: lifted, ReadsPerVisitor: lifted}})
	cleanups = append(cleanups, w.Close)
	reg.Register(widget.Name, w.Adapter())
	apiServer := api.New(api.Config{Service: svc, Log: log})
	cleanups = append(cleanups, func() { apiServer.Close(context.Background()) })

	if err := s.prepare(ctx, st, svc, ws); err != nil {
		return nil, err
	}

	// The channels' routes, then the API's, as internal/app mounts them.
	mux := http.NewServeMux()
	channelMux := apiServer.ChannelMux(mux)
	for _, adapter := range reg.Adapters() {
		if r, ok := adapter.(channel.Router[*core.Actor]); ok {
			r.Routes(channelMux)
		}
	}
	apiServer.Register(mux)
	// Profiles of the server under load; it listens on loopback only.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	cleanups = append(cleanups, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	s.URL = "http://" + ln.Addr().String()
	return s, nil
}

// prepare adds the widget and API inboxes to the seeded workspace, with
// an agent as their member, and issues the owner's and the agent's API
// tokens.
func (s *loadServer) prepare(ctx context.Context, st *store.Store, svc *core.Service, ws *bench.Workspace) error {
	users, err := st.Users(ctx, ws.AccountID)
	if err != nil {
		return err
	}
	var owner, agent *sahay.User
	for _, u := range users {
		switch {
		case u.ID == ws.OwnerID:
			owner = u
		case agent == nil && len(ws.AgentIDs) > 0 && u.ID == ws.AgentIDs[0]:
			agent = u
		}
	}
	if owner == nil || agent == nil {
		return errors.New("seed: no owner or agent")
	}
	actor, err := svc.Actor(ctx, owner)
	if err != nil {
		return err
	}
	name := "Load test site"
	inbox, err := svc.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: widget.Name, Settings: json.RawMessage(`{}`)})
	if err != nil {
		return err
	}
	set, err := widget.ParseSettings(inbox.Settings)
	if err != nil {
		return err
	}
	s.WebsiteToken = set.WebsiteToken
	name = "Load test app"
	apiInbox, err := svc.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: apichannel.Name, Settings: json.RawMessage(`{}`)})
	if err != nil {
		return err
	}
	s.APIInbox = apiInbox.ID
	// The agent answers both, so their events reach the agent's socket.
	for _, id := range []int64{inbox.ID, apiInbox.ID} {
		if _, err := svc.SetInboxMembers(ctx, actor, id, []int64{agent.ID}); err != nil {
			return err
		}
	}
	if s.OwnerToken, _, err = svc.CreateAPITokenCLI(ctx, owner.Email, "load test"); err != nil {
		return err
	}
	if s.AgentToken, _, err = svc.CreateAPITokenCLI(ctx, agent.Email, "load test"); err != nil {
		return err
	}
	s.Email = owner.Email
	return nil
}

// env returns the variables the modes read, as shell assignments.
func (s *loadServer) env() string {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"SAHAY_LOAD_BASE", s.URL}, {"SAHAY_LOAD_SERVER_PID", strconv.Itoa(os.Getpid())},
		{"SAHAY_LOAD_WIDGET_TOKEN", s.WebsiteToken}, {"SAHAY_LOAD_API_INBOX", strconv.FormatInt(s.APIInbox, 10)},
		{"SAHAY_LOAD_API_TOKEN", s.OwnerToken}, {"SAHAY_LOAD_AGENT_TOKEN", s.AgentToken},
		{"SAHAY_LOAD_EMAIL", s.Email}, {"SAHAY_LOAD_PASSWORD", s.Password},
	} {
		fmt.Fprintf(&b, "export %s='%s'\n", kv[0], kv[1])
	}
	return b.String()
}

// commands returns a command line for each mode.
func (s *loadServer) commands() string {
	pid := os.Getpid()
	return fmt.Sprintf(`  sahay-load widget -base %[1]s -inbox %[2]s -server-pid %[7]d
  sahay-load api -base %[1]s -inbox %[3]d -token %[4]s -server-pid %[7]d
  sahay-load list -base %[1]s -token %[5]s -server-pid %[7]d
  sahay-load login -base %[1]s -email %[6]s -password %[8]s -concurrency 2 -server-pid %[7]d
  sahay-load sockets -base %[1]s -inbox %[2]s -conns 1000 -rate 100 -agent-token %[5]s
`, s.URL, s.WebsiteToken, s.APIInbox, s.OwnerToken, s.AgentToken, s.Email, pid, s.Password)
}

// newSchema creates a schema of its own in the PostgreSQL database at
// base, and returns its name, the URL that uses it, and a function that
// drops it.
func newSchema(ctx context.Context, base string) (string, string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", "", nil, fmt.Errorf("-postgres: %w", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sahay_load_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", "", nil, fmt.Errorf("-postgres: %w", err)
	}
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		return "", "", nil, fmt.Errorf("-postgres: create schema: %w", err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(dctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintf(os.Stderr, "sahay-load: drop schema %s: %v\n", schema, err)
		}
		db.Close()
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return schema, u.String(), drop, nil
}
