// Command sahay runs Sahay, the open-source customer-support platform.
//
//	sahay [serve] [flags]          run the server (default)
//	sahay migrate [flags]          bring the database schema up to date
//	sahay admin create-user --email E --password P --role owner|admin|agent [--account ID] [--name N]
//	sahay token create --email E [--name N]
//	sahay backup -o FILE [flags]   consistent online copy of the SQLite database
//	sahay version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sahay:", err)
		}
		os.Exit(1)
	}
}

// run executes one subcommand; it is main without the process, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr, getenv)
	case "migrate":
		return migrate(ctx, args, stdout, getenv)
	case "admin":
		if len(args) == 0 || args[0] != "create-user" {
			return errors.New("usage: sahay admin create-user --email E --password P --role owner|admin|agent [--account ID]")
		}
		return createUser(ctx, args[1:], stdout, stderr, getenv)
	case "token":
		if len(args) == 0 || args[0] != "create" {
			return errors.New("usage: sahay token create --email E [--name N]")
		}
		return createToken(ctx, args[1:], stdout, stderr, getenv)
	case "backup":
		return backup(ctx, args, stdout, getenv)
	case "version":
		fmt.Fprintln(stdout, "sahay", app.Version)
		return nil
	}
	return fmt.Errorf("unknown command %q: use serve, migrate, admin, token, backup or version", cmd)
}

func logger(cfg *config.Config, w io.Writer) *slog.Logger {
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, err := config.Parse("sahay serve", args, getenv)
	if err != nil {
		return err
	}
	log := logger(cfg, stderr)
	a, login, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, func(addr string) {
		fmt.Fprintf(stdout, "Sahay %s listening on http://%s (database: %s)\n", app.Version, addr, a.Store.Dialect())
		if login != nil {
			fmt.Fprintf(stdout, "Demo workspace created. Log in as %s with password %s\n", login.Email, login.Password)
		}
	})
}

// withApp opens Sahay without serving and without the demo workspace, for
// one-shot commands; flags adds the command's own flags.
func withApp(ctx context.Context, name string, args []string, stderr io.Writer, getenv func(string) string, flags func(*flag.FlagSet), fn func(*app.App) error) error {
	cfg, err := config.Parse(name, args, getenv, flags)
	if err != nil {
		return err
	}
	cfg.NoDemo = true
	a, _, err := app.Open(ctx, cfg, logger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func migrate(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	cfg, err := config.Parse("sahay migrate", args, getenv)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "database schema is up to date")
	return nil
}
