// Command sahay-load measures a Sahay server, or another helpdesk, under
// load, so that anyone can compare Sahay on SQLite and on PostgreSQL, or
// Sahay with another product, on their own machine:
//
//	sahay-load serve   [-addr 127.0.0.1:8090] [-postgres URL] [-env-file F]
//	sahay-load widget  -inbox WEBSITE_TOKEN  [common flags]
//	sahay-load api     -inbox ID -token T    [common flags]
//	sahay-load list    -token T              [common flags]
//	sahay-load login   -email E -password P  [common flags]
//	sahay-load sockets -inbox WEBSITE_TOKEN -conns N -rate R -duration D
//
// serve starts an in-process Sahay to measure, on a fresh SQLite database
// or, with -postgres, in a fresh schema of a PostgreSQL database: a seeded
// workspace (conversations to list, an owner and agents who can sign in),
// a widget inbox and an API inbox, with the per-visitor and per-address
// limits lifted (every simulated client comes from this machine). It
// prints its process id and the command line of each mode, and with
// -env-file writes them as SAHAY_LOAD_* variables that the modes read as
// their defaults.
//
// widget, api, list and login are closed loops: -concurrency workers each
// repeat one operation, waiting for its answer before the next, for
// -duration. widget sends a message on a visitor's WebSocket and waits for
// its acknowledgement (the message is durable); api posts a customer
// message to POST /api/v1/inboxes/{id}/messages with an administrator's API
// token; list reads GET /api/v1/conversations as an agent, following the
// next-page cursor for -pages pages; login signs in (each check costs an
// argon2id hash). Each prints operations per second, latency p50, p90, p99
// and max, errors, and the server's CPU time per operation: read from
// /proc/<pid>/stat with -server-pid (any server on this machine, Sahay or
// not), else from GET /widget/debug/vars of a Sahay on this machine. With
// -server-pid it also prints the server's resident memory (start, highest
// during the run, end). -json prints the report as one JSON object.
//
// sockets is the open-loop socket test: it opens -conns visitor WebSockets,
// reports the server's memory per idle socket, sends -rate messages per
// second over all of them and reports acknowledgement and delivery latency
// (and, with -agent-token, visitor → agent socket latency).
//
// Another helpdesk's endpoints can stand in for Sahay's: the api, list and
// login modes take the request path, body template, token header and
// pagination parameters as flags (see docs/PERFORMANCE.md); widget and
// sockets speak Sahay's widget protocol only.
//
// Targets on this machine (loopback) are always allowed; any other needs
// -i-own-this-server, since a load test is indistinguishable from an
// attack on a server one does not run. Every run is bounded: at most
// 1,000 workers (50,000 sockets) for at most 10 minutes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// Bounds of every run.
const (
	maxConcurrency = 1000
	maxDuration    = 10 * time.Minute
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sahay-load:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a command line that cannot run, as opposed to a run that
// failed.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

const usage = `sahay-load measures a Sahay server, or another helpdesk, under load.

usage:
  sahay-load serve   [-addr 127.0.0.1:8090] [-postgres URL] [-env-file FILE]
  sahay-load widget  -inbox WEBSITE_TOKEN  [common flags]   visitor messages on the widget WebSocket, until acknowledged
  sahay-load api     -inbox ID -token T    [common flags]   POST /api/v1/inboxes/{id}/messages
  sahay-load list    -token T              [common flags]   GET /api/v1/conversations, following cursors
  sahay-load login   -email E -password P  [common flags]   POST /api/v1/auth/login
  sahay-load sockets -inbox WEBSITE_TOKEN -conns N -rate R  open-loop visitor sockets: memory per socket, delivery latency

common flags: -base URL -concurrency N -duration D -timeout D -server-pid PID -i-own-this-server -json
Run "sahay-load MODE -h" for a mode's flags. Flags default to the SAHAY_LOAD_* variables that
"sahay-load serve -env-file FILE" writes.
`

// run runs the command line args.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		if len(args) == 0 {
			return usageError{errors.New("no mode given")}
		}
		return flag.ErrHelp
	}
	mode, args := args[0], args[1:]
	switch mode {
	case "serve":
		return serveCommand(ctx, args, getenv, out)
	case "sockets":
		return socketsCommand(ctx, args, getenv, out)
	case "widget", "api", "list", "login":
		return loopCommand(ctx, mode, args, getenv, out)
	}
	return usageError{fmt.Errorf("unknown mode %q: modes are serve, widget, api, list, login, sockets (sahay-load -h)", mode)}
}

// target is the server a mode measures, and what every mode's flags share.
type target struct {
	base      string
	ownServer bool
	serverPID int
	json      bool
}

func (t *target) flags(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&t.base, "base", envOr(getenv, "SAHAY_LOAD_BASE", "http://127.0.0.1:8090"), "base `URL` of the server (SAHAY_LOAD_BASE)")
	fs.BoolVar(&t.ownServer, "i-own-this-server", false, "allow a -base that is not on this machine: only for a server you run")
	pid, _ := strconv.Atoi(getenv("SAHAY_LOAD_SERVER_PID"))
	fs.IntVar(&t.serverPID, "server-pid", pid, "process id of the server on this machine, to read its CPU and memory from /proc (SAHAY_LOAD_SERVER_PID)")
	fs.BoolVar(&t.json, "json", false, "print the report as JSON")
}

func (t *target) check() error {
	u, err := url.Parse(t.base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-base must be an http or https URL, not %q", t.base)
	}
	if !loopback(u.Hostname()) && !t.ownServer {
		return fmt.Errorf("-base %s is not on this machine: load only a server you run, and say so with -i-own-this-server", u.Hostname())
	}
	if t.serverPID < 0 {
		return errors.New("-server-pid must be a process id")
	}
	t.base = strings.TrimRight(t.base, "/")
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loopbackURL(base string) bool {
	u, err := url.Parse(base)
	return err == nil && loopback(u.Hostname())
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// newFlagSet returns a flag set for a mode that returns its errors and
// prints its help to out.
func newFlagSet(mode, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(mode, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: sahay-load %s %s\n\n", mode, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses a mode's flags; a mode takes no arguments besides them.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}
