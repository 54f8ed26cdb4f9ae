package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/store"
)

func createUser(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var email, password, role, name string
	var account int64
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email address (login)")
		fs.StringVar(&password, "password", "", "password, at least 8 characters")
		fs.StringVar(&role, "role", "agent", "owner, admin or agent")
		fs.StringVar(&name, "name", "", "display name (default: the part of the email before @)")
		fs.Int64Var(&account, "account", 0, "account id (default: the first account; a new one if there is none)")
	}
	return withApp(ctx, "sahay admin create-user", args, stderr, getenv, flags, func(a *app.App) error {
		if email == "" || password == "" {
			return errors.New("--email and --password are required")
		}
		if account == 0 {
			accounts, err := a.Store.Accounts(ctx)
			if err != nil {
				return err
			}
			if len(accounts) == 0 {
				acc, u, err := a.Service.CreateAccount(ctx, "My Company", email, name, password)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "created account %d (%s) with owner %s (user %d)\n", acc.ID, acc.Name, u.Email, u.ID)
				return nil
			}
			account = accounts[0].ID
		}
		u, err := a.Service.CreateUserCLI(ctx, account, email, name, role, password)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s %s (user %d) in account %d\n", u.Role, u.Email, u.ID, u.AccountID)
		return nil
	})
}

func createToken(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var email, name string
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user the token acts as")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	}
	return withApp(ctx, "sahay token create", args, stderr, getenv, flags, func(a *app.App) error {
		if email == "" {
			return errors.New("--email is required")
		}
		token, _, err := a.Service.CreateAPITokenCLI(ctx, email, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, token)
		return nil
	})
}

func backup(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	var out string
	cfg, err := config.Parse("sahay backup", args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "o", "", "file to write the copy to (must not exist)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return errors.New("-o FILE is required")
	}
	st, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", out)
	return nil
}
