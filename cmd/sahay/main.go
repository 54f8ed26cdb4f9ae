// Command sahay runs Sahay, the open-source customer-support platform.
//
//	sahay [serve] [flags]                      run the server (the default)
//	sahay migrate [flags]                      bring the database schema up to date
//	sahay admin create-account -name N         create an account, print its id
//	sahay admin create-user -email E -password P [-role R] [-account ID] [-name N]
//	sahay token create -email E [-name N]      print a new API token
//	sahay backup -o FILE [flags]               consistent online copy of the SQLite database
//	sahay analyze [-accuracy FILE...]          language, sentiment and urgency of messages on stdin
//	sahay version                              the version and how it was built
//	sahay help [command]                       the commands, or one command's flags
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
	"strings"
	"syscall"

	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the process's exit status: 0
// on success, 2 for a command line that cannot be run, 1 for a failure.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "sahay:", err)
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprint(stderr, u.help)
		return 2
	}
	return 1
}

// usageError is a command line that cannot be run; help says what can.
type usageError struct {
	msg  string
	help string
}

func (e *usageError) Error() string { return e.msg }

// cmdIO is where a command reads and writes and what it reads its settings
// from.
type cmdIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one thing sahay does.
type command struct {
	// name is how it is typed: "backup", "admin create-user".
	name string
	// synopsis is what follows the name in its usage line.
	synopsis string
	// summary is a line for the list of commands; about says more.
	summary, about string
	// setup declares the command's flags on fs and returns what runs it
	// once they are parsed.
	setup func(fs *flag.FlagSet, e *cmdIO) func(ctx context.Context) error
	// arguments is set for a command that takes arguments after its flags
	// (fs.Args()); the others refuse them.
	arguments bool
}

var commands = []*command{
	{
		name: "serve", synopsis: "[flags]",
		summary: "run the server (the command when none is given)",
		about:   "Serve the dashboard, the widget and the API. On a new database without -no-demo it seeds a\ndemo workspace and prints the owner's login.",
		setup: func(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
			cfg := config.Flags(fs, config.Server, e.getenv)
			return func(ctx context.Context) error { return serve(ctx, cfg, e) }
		},
	},
	{
		name: "migrate", synopsis: "[flags]",
		summary: "bring the database schema up to date",
		about:   "Apply the database migrations not yet applied, then exit. The server does it too when it starts.",
		setup: func(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
			cfg := config.Flags(fs, config.Storage, e.getenv)
			return func(ctx context.Context) error { return migrate(ctx, cfg, e) }
		},
	},
	{
		name: "admin create-account", synopsis: "-name name [flags]",
		summary: "create an account (a tenant) and print its id",
		about:   "Create an account without users and print its id. Add its first owner with\nsahay admin create-user -account ID -role owner.",
		setup:   createAccount,
	},
	{
		name: "admin create-user", synopsis: "-email address -password password [flags]",
		summary: "create a user in an account",
		about:   "Create a user who signs in with the email and password. On a database without accounts it\ncreates the first account, with the user as its owner.",
		setup:   createUser,
	},
	{
		name: "token create", synopsis: "-email address [flags]",
		summary: "print a new API token that acts as a user",
		about:   "Create an API token acting as the user with that email, and print it: it is shown only once.",
		setup:   createToken,
	},
	{
		name: "backup", synopsis: "-o file [flags]",
		summary: "write a consistent copy of the SQLite database",
		about:   "Copy the SQLite database while the server runs (VACUUM INTO). Restore by putting the file in an\nempty data directory as sahay.db. For PostgreSQL use pg_dump.",
		setup:   backup,
	},
	{
		name: "analyze", synopsis: "[-accuracy file...]",
		summary: "print the language, sentiment and urgency of each message on stdin",
		about: "Read one message per line on standard input and print, for each, one JSON object: language,\n" +
			"script, sentiment and score, emotion, urgency, whether it asks for a person or should escalate,\n" +
			"and the reasons. Lines longer than 64 KiB are analyzed by their beginning. With -accuracy, read\n" +
			"labelled TSV files (internal/nlp/testdata) and print the accuracy per variant as Markdown.",
		setup:     analyze,
		arguments: true,
	},
	{
		name: "version", synopsis: "",
		summary: "print the version, the source revision and the Go version",
		about:   "Print the version, the revision and time of the source it was built from, and the Go version.",
		setup: func(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
			return func(context.Context) error { return version(e.stdout) }
		},
	},
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// run executes the command line args; it is main without the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &cmdIO{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	switch {
	case len(args) == 0:
		return runCommand(ctx, lookup("serve"), nil, e)
	case isHelp(args[0]):
		fmt.Fprint(stdout, overview(""))
		return nil
	case args[0] == "help":
		return help(args[1:], e)
	case strings.HasPrefix(args[0], "-"):
		return runCommand(ctx, lookup("serve"), args, e)
	}
	if c := lookup(args[0]); c != nil {
		return runCommand(ctx, c, args[1:], e)
	}
	if !isGroup(args[0]) {
		return &usageError{fmt.Sprintf("unknown command %q", args[0]), overview("")}
	}
	group := args[0]
	if len(args) == 1 {
		return &usageError{fmt.Sprintf("%s needs a command", group), overview(group)}
	}
	if isHelp(args[1]) {
		fmt.Fprint(stdout, overview(group))
		return nil
	}
	c := lookup(group + " " + args[1])
	if c == nil {
		return &usageError{fmt.Sprintf("unknown command %q", group+" "+args[1]), overview(group)}
	}
	return runCommand(ctx, c, args[2:], e)
}

// help answers "sahay help [command]".
func help(args []string, e *cmdIO) error {
	name := strings.Join(args, " ")
	if name == "" || isGroup(name) {
		fmt.Fprint(e.stdout, overview(name))
		return nil
	}
	c := lookup(name)
	if c == nil {
		return &usageError{fmt.Sprintf("unknown command %q", name), overview("")}
	}
	fs, _ := flags(c, e)
	fmt.Fprint(e.stdout, usage(c, fs))
	return nil
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// isGroup reports whether name is the first word of commands of two words.
func isGroup(name string) bool {
	for _, c := range commands {
		if strings.HasPrefix(c.name, name+" ") {
			return true
		}
	}
	return false
}

func flags(c *command, e *cmdIO) (*flag.FlagSet, func(context.Context) error) {
	fs := flag.NewFlagSet("sahay "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs, c.setup(fs, e)
}

// runCommand parses c's flags from args and runs it.
func runCommand(ctx context.Context, c *command, args []string, e *cmdIO) error {
	fs, fn := flags(c, e)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, usage(c, fs))
		return nil
	}
	if err == nil && fs.NArg() > 0 && !c.arguments {
		err = fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err != nil {
		return &usageError{fmt.Sprintf("%s: %v", c.name, err), hint(c)}
	}
	err = fn(ctx)
	if u, ok := err.(*usageError); ok && u.help == "" {
		u.help = hint(c)
	}
	return err
}

// hint is the help of a command line with a wrong flag: the usage line and
// where the flags are listed.
func hint(c *command) string {
	return fmt.Sprintf("Usage: %s\nRun \"sahay help %s\" for its flags.\n", strings.TrimSpace("sahay "+c.name+" "+c.synopsis), c.name)
}

// required is the error of a command run without a flag it needs.
func required(flag string) error {
	return &usageError{msg: flag + " is required"}
}

// overview lists the commands, or those of one group ("admin").
func overview(group string) string {
	var b strings.Builder
	if group == "" {
		b.WriteString("Sahay is an open-source customer-support platform.\n\nUsage:\n  sahay [command] [flags]\n\nCommands:\n")
	} else {
		fmt.Fprintf(&b, "Usage:\n  sahay %s <command> [flags]\n\nCommands:\n", group)
	}
	for _, c := range commands {
		if group == "" || strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(&b, "  %-21s %s\n", c.name, c.summary)
		}
	}
	if group == "" {
		fmt.Fprintf(&b, "  %-21s %s\n", "help [command]", "show this list, or a command's flags")
	}
	b.WriteString("\nRun \"sahay help <command>\" or \"sahay <command> -h\" for a command's flags.\n")
	if group == "" {
		b.WriteString("Flags can also be set with SAHAY_* environment variables; a flag wins over its variable.\n")
	}
	return b.String()
}

// usage is one command's help: its usage line, what it does, its flags.
func usage(c *command, fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage:\n  %s\n\n%s\n", strings.TrimSpace("sahay "+c.name+" "+c.synopsis), c.about)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\nFlags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return b.String()
}

func logger(cfg *config.Config, w io.Writer) *slog.Logger {
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func serve(ctx context.Context, cfg *config.Config, e *cmdIO) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	log := logger(cfg, e.stderr)
	a, login, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, func(addr string) {
		fmt.Fprintf(e.stdout, "Sahay %s listening on http://%s (database: %s)\n", app.Version, addr, a.Store.Dialect())
		if login != nil {
			fmt.Fprintf(e.stdout, "Demo workspace created. Log in as %s with password %s\n", login.Email, login.Password)
		}
	})
}

// withApp opens Sahay without serving and without the demo workspace, for
// one-shot commands.
func withApp(ctx context.Context, cfg *config.Config, e *cmdIO, fn func(*app.App) error) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	cfg.NoDemo = true
	a, _, err := app.Open(ctx, cfg, logger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

// withStore opens the database alone, as it is, for the commands that work
// on the database itself.
func withStore(ctx context.Context, cfg *config.Config, fn func(*store.Store) error) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func migrate(ctx context.Context, cfg *config.Config, e *cmdIO) error {
	return withStore(ctx, cfg, func(st *store.Store) error {
		if err := st.Migrate(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "database schema is up to date")
		return nil
	})
}
