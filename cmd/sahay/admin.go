package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/store"
)

func createAccount(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
	cfg := config.Flags(fs, config.Storage, e.getenv)
	name := fs.String("name", "", "the account's `name`, e.g. the company's (required)")
	return func(ctx context.Context) error {
		if *name == "" {
			return required("-name")
		}
		return withApp(ctx, cfg, e, func(a *app.App) error {
			acc, err := a.Service.CreateAccountCLI(ctx, *name)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, acc.ID)
			return nil
		})
	}
}

func createUser(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
	cfg := config.Flags(fs, config.Storage, e.getenv)
	email := fs.String("email", "", "`address` the user signs in with (required)")
	password := fs.String("password", "", "`password`, at least 8 characters (required)")
	role := fs.String("role", "agent", "`role`: owner, admin or agent")
	name := fs.String("name", "", "display `name` (default: the part of the email before @)")
	account := fs.Int64("account", 0, "`id` of the account (default: the first account; a new one if there is none)")
	return func(ctx context.Context) error {
		if *email == "" {
			return required("-email")
		}
		if *password == "" {
			return required("-password")
		}
		return withApp(ctx, cfg, e, func(a *app.App) error {
			if *account == 0 {
				accounts, err := a.Store.Accounts(ctx)
				if err != nil {
					return err
				}
				if len(accounts) == 0 {
					acc, u, err := a.Service.CreateAccount(ctx, "My Company", *email, *name, *password)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "created account %d (%s) with owner %s (user %d)\n", acc.ID, acc.Name, u.Email, u.ID)
					return nil
				}
				*account = accounts[0].ID
			}
			u, err := a.Service.CreateUserCLI(ctx, *account, *email, *name, *role, *password)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "created %s %s (user %d) in account %d\n", u.Role, u.Email, u.ID, u.AccountID)
			return nil
		})
	}
}

func createToken(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
	cfg := config.Flags(fs, config.Storage, e.getenv)
	email := fs.String("email", "", "`address` of the user the token acts as (required)")
	name := fs.String("name", "cli", "a `name` to recognise the token by")
	return func(ctx context.Context) error {
		if *email == "" {
			return required("-email")
		}
		return withApp(ctx, cfg, e, func(a *app.App) error {
			token, _, err := a.Service.CreateAPITokenCLI(ctx, *email, *name)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, token)
			return nil
		})
	}
}

func backup(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
	cfg := config.Flags(fs, config.Storage, e.getenv)
	out := fs.String("o", "", "`file` to write the copy to; it must not exist (required)")
	return func(ctx context.Context) error {
		if *out == "" {
			return required("-o")
		}
		return withStore(ctx, cfg, func(st *store.Store) error {
			if err := st.Backup(ctx, *out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "backup written to %s\n", *out)
			return nil
		})
	}
}

// version prints the version and what the Go toolchain recorded of the
// build: the source revision and its time, and the Go version.
func version(w io.Writer) error {
	v, revision, at, modified := app.Version, "unknown", "unknown", false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		revision += " (with uncommitted changes)"
	}
	fmt.Fprintf(w, "sahay %s\nrevision  %s\ntime      %s\ngo        %s %s/%s\n", v, revision, at, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
