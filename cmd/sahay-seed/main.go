// Command sahay-seed fills a Sahay database with a large generated workspace,
// for benchmarks and for trying the dashboard at scale:
//
//	sahay-seed [-data DIR | -database postgres://…] [-conversations N] [-messages-per N]
//	           [-inboxes N] [-agents N] [-teams N] [-labels N] [-contacts N] [-seed N]
//	           [-batch N] [-password P] [-needles]
//
// It adds one account ("Seeded Shop") with an owner (owner@seed.sahay.local),
// agents (agent001@seed.sahay.local, …), inboxes, teams, labels, contacts and
// conversations with messages in English, Bengali and Hindi. Rows are written
// through the store's transaction methods in batches, so the maintained
// conversation counts and the search index are exactly what the server
// would have built. The same -seed gives the same workspace.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sahay-seed:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("sahay-seed", flag.ContinueOnError)
	cfg := &config.Config{}
	var opts bench.Options
	var password string
	fs.StringVar(&cfg.DataDir, "data", envOr(getenv, "SAHAY_DATA_DIR", "./data"), "data directory holding sahay.db (SAHAY_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "database", getenv("SAHAY_DATABASE_URL"), "postgres:// URL instead of SQLite in the data directory (SAHAY_DATABASE_URL)")
	fs.IntVar(&opts.Conversations, "conversations", 100_000, "conversations to create")
	fs.IntVar(&opts.MessagesPer, "messages-per", 4, "average messages per conversation (0: none)")
	fs.IntVar(&opts.Inboxes, "inboxes", 8, "inboxes")
	fs.IntVar(&opts.Agents, "agents", 20, "agents")
	fs.IntVar(&opts.Teams, "teams", 4, "teams (at most 8)")
	fs.IntVar(&opts.Labels, "labels", 12, "labels (at most 16)")
	fs.IntVar(&opts.Contacts, "contacts", 0, "contacts (default: half the conversations)")
	fs.Uint64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same workspace")
	fs.IntVar(&opts.Batch, "batch", 5_000, "rows per transaction")
	fs.StringVar(&password, "password", "", "password for the owner and agents (default: they cannot log in)")
	fs.BoolVar(&opts.Needles, "needles", false, "plant the search benchmark's needle messages")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the seeding to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if opts.Conversations <= 0 || opts.MessagesPer < 0 || opts.Inboxes <= 0 || opts.Agents <= 0 || opts.Batch <= 0 {
		return errors.New("-conversations, -inboxes, -agents and -batch must be positive, -messages-per not negative")
	}
	if password != "" {
		if err := auth.ValidatePassword(password); err != nil {
			return err
		}
		hash, err := auth.HashPassword(ctx, password)
		if err != nil {
			return err
		}
		opts.PasswordHash = hash
	}

	st, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeding %s database %s: %d conversations, ~%d messages each\n",
		st.Dialect(), cfg.StoreURL(), opts.Conversations, opts.MessagesPer)

	var lastPrint time.Time
	var lastPhase string
	opts.Progress = func(p bench.Progress) {
		finished := p.Done == p.Total
		if !finished && p.Phase == lastPhase && time.Since(lastPrint) < 2*time.Second {
			return
		}
		lastPrint, lastPhase = time.Now(), p.Phase
		secs := max(p.PhaseDuration.Seconds(), 1e-9)
		line := fmt.Sprintf("%-13s %9d/%d  %8.0f/s", p.Phase, p.Done, p.Total, float64(p.Done)/secs)
		if p.Phase == "conversations" {
			line += fmt.Sprintf("  messages %9d  %8.0f/s", p.Messages, float64(p.Messages)/secs)
		}
		fmt.Fprintf(stdout, "%s  elapsed %s\n", line, p.Elapsed.Round(100*time.Millisecond))
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	ws, err := bench.Seed(ctx, st, opts)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "done in %s: account %d, %d agents, %d inboxes, %d contacts, %d conversations, %d messages (%.0f rows/s)\n",
		elapsed.Round(100*time.Millisecond), ws.AccountID, len(ws.AgentIDs), len(ws.InboxIDs), ws.Contacts, ws.Conversations, ws.Messages,
		float64(ws.Contacts+int(ws.Conversations)+ws.Messages)/elapsed.Seconds())
	if password != "" {
		fmt.Fprintf(stdout, "log in as %s with the password given\n", bench.OwnerEmail)
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
