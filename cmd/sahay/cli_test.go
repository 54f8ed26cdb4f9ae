package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func runCLI(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, getenv)
	return out.String(), err
}

// TestCommands drives the administrative subcommands on one data directory,
// as an operator setting up without the demo workspace would.
func TestCommands(t *testing.T) {
	data := t.TempDir()
	getenv := env(map[string]string{"SAHAY_DATA_DIR": data})

	if out, err := runCLI(t, getenv, "version"); err != nil || !strings.HasPrefix(out, "sahay ") {
		t.Fatalf("version: %q, %v", out, err)
	}
	if out, err := runCLI(t, getenv, "migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	out, err := runCLI(t, getenv, "admin", "create-user", "--email", "Boss@Example.com", "--password", "correct horse", "--role", "owner")
	if err != nil || !strings.Contains(out, "created account") {
		t.Fatalf("first create-user: %q, %v", out, err)
	}
	out, err = runCLI(t, getenv, "admin", "create-user", "--email", "agent@example.com", "--password", "battery staple", "--role", "agent")
	if err != nil || !strings.Contains(out, "created agent agent@example.com") {
		t.Fatalf("second create-user: %q, %v", out, err)
	}
	// A second account, and its owner.
	id, err := runCLI(t, getenv, "admin", "create-account", "--name", "Rahman Traders")
	if err != nil || strings.TrimSpace(id) != "2" {
		t.Fatalf("create-account: %q, %v", id, err)
	}
	out, err = runCLI(t, getenv, "admin", "create-user", "--account", strings.TrimSpace(id), "--email", "rahman@example.com", "--password", "correct horse", "--role", "owner")
	if err != nil || !strings.Contains(out, "created owner rahman@example.com") || !strings.HasSuffix(out, "in account 2\n") {
		t.Fatalf("create-user in the second account: %q, %v", out, err)
	}
	for _, bad := range [][]string{
		{"admin", "create-account"},
		{"admin", "create-account", "--name", "  "},
		{"admin", "create-user", "--account", "3", "--email", "x@example.com", "--password", "long enough"},
		{"admin", "create-user", "--email", "agent@example.com", "--password", "battery staple"},
		{"admin", "create-user", "--email", "x@example.com", "--password", "short"},
		{"admin", "create-user", "--email", "x@example.com", "--password", "long enough", "--role", "king"},
		{"admin", "create-user", "--password", "long enough"},
		{"admin", "delete-user"},
		{"token", "create"},
		{"token", "create", "--email", "nobody@example.com"},
		{"frobnicate"},
		{"backup"},
	} {
		if _, err := runCLI(t, getenv, bad...); err == nil {
			t.Errorf("%v succeeded, want an error", bad)
		}
	}
	// Names obey the limits of every other way in.
	for _, name := range []string{strings.Repeat("n", 10000), "Da\x1bna", "Da\xffna"} {
		for _, args := range [][]string{
			{"admin", "create-user", "--email", "named@example.com", "--password", "long enough", "--name", name},
			{"token", "create", "--email", "boss@example.com", "--name", name},
		} {
			if _, err := runCLI(t, getenv, args...); err == nil || !strings.Contains(err.Error(), "name") {
				t.Errorf("%s with a name of %d bytes: %v, want an error about the name", args[1], len(name), err)
			}
		}
	}
	token, err := runCLI(t, getenv, "token", "create", "--email", "boss@example.com", "--name", "crm")
	if err != nil || !strings.HasPrefix(token, "sahay_") {
		t.Fatalf("token create: %q, %v", token, err)
	}

	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if out, err := runCLI(t, getenv, "backup", "-o", copyPath); err != nil || !strings.Contains(out, copyPath) {
		t.Fatalf("backup: %q, %v", out, err)
	}
	if _, err := os.Stat(copyPath); err != nil {
		t.Fatalf("backup file: %v", err)
	}
	if _, err := runCLI(t, getenv, "backup", "-o", copyPath); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	// The copy is a working data directory: the users are in it.
	restored := t.TempDir()
	if err := os.Rename(copyPath, filepath.Join(restored, "sahay.db")); err != nil {
		t.Fatal(err)
	}
	renv := env(map[string]string{"SAHAY_DATA_DIR": restored})
	if _, err := runCLI(t, renv, "token", "create", "--email", "agent@example.com"); err != nil {
		t.Fatalf("restored copy lacks the agent: %v", err)
	}
}

// built is the command, compiled once for the tests that run it as a
// process.
var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binary returns the path of the compiled command.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "sahay-bin"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "sahay")
		out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// sahay runs the compiled command with args and the environment variables
// vars (no others of SAHAY_*), and returns what it wrote and its exit status.
func sahay(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SAHAY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("sahay %v: %v", args, err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// TestHelp runs the binary as a person finding their way would: every
// way of asking for help answers on stdout with status 0, lists the
// commands or the command's own flags, and a wrong command line answers on
// stderr with status 2.
func TestHelp(t *testing.T) {
	names := []string{"serve", "migrate", "admin create-account", "admin create-user", "token create", "backup", "analyze", "version", "help"}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}} {
		out, errOut, code := sahay(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Errorf("sahay %v: status %d, stderr %q", args, code, errOut)
		}
		for _, name := range names {
			if !strings.Contains(out, "  "+name+" ") {
				t.Errorf("sahay %v does not list %q:\n%s", args, name, out)
			}
		}
	}

	serverOnly := []string{"-addr", "-nats", "-smtp", "-public-url", "-no-demo", "-secure-cookies"}
	for _, c := range []struct {
		name      string
		want, not []string
	}{
		{"serve", append([]string{"-data", "-database", "-log-json"}, serverOnly...), nil},
		{"migrate", []string{"-data", "-database"}, serverOnly},
		{"admin create-account", []string{"-name", "-data", "-database"}, serverOnly},
		{"admin create-user", []string{"-email", "-password", "-role", "-name", "-account", "-data"}, serverOnly},
		{"token create", []string{"-email", "-name", "-data"}, serverOnly},
		{"backup", []string{"-o", "-data"}, serverOnly},
		{"version", nil, append([]string{"-data"}, serverOnly...)},
	} {
		args := strings.Fields(c.name)
		for _, ask := range [][]string{append([]string{"help"}, args...), append(args, "-h"), append(args, "--help")} {
			out, errOut, code := sahay(t, nil, ask...)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage:\n  sahay "+c.name) {
				t.Errorf("sahay %v: status %d, stderr %q, stdout:\n%s", ask, code, errOut, out)
				continue
			}
			for _, f := range c.want {
				if !strings.Contains(out, "  "+f+" ") && !strings.Contains(out, "  "+f+"\n") {
					t.Errorf("sahay %v does not list %s:\n%s", ask, f, out)
				}
			}
			for _, f := range c.not {
				if strings.Contains(out, "  "+f) {
					t.Errorf("sahay %v lists the server's %s:\n%s", ask, f, out)
				}
			}
		}
	}
	for _, group := range []string{"admin", "token"} {
		out, errOut, code := sahay(t, nil, group, "-h")
		if code != 0 || errOut != "" || !strings.Contains(out, "  "+group+" ") {
			t.Errorf("sahay %s -h: status %d, stderr %q, stdout:\n%s", group, code, errOut, out)
		}
	}

	for _, args := range [][]string{{"frobnicate"}, {"help", "frobnicate"}, {"admin"}, {"admin", "delete-user"}} {
		out, errOut, code := sahay(t, nil, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "unknown command") && !strings.Contains(errOut, "needs a command") {
			t.Errorf("sahay %v: status %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		if !strings.Contains(errOut, "  admin create-user ") {
			t.Errorf("sahay %v does not list the commands: %q", args, errOut)
		}
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"backup", []string{"backup", "-nats", "nats://x"}},
		{"token create", []string{"token", "create"}},
		{"serve", []string{"serve", "stray"}},
		{"version", []string{"version", "-data", "x"}},
	} {
		out, errOut, code := sahay(t, nil, c.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, `Run "sahay help `+c.name+`"`) {
			t.Errorf("sahay %v: status %d, stdout %q, stderr %q", c.args, code, out, errOut)
		}
	}
}

// TestVersion checks that version prints what the toolchain recorded in
// the binary: its revision and time, and the Go version.
func TestVersion(t *testing.T) {
	out, errOut, code := sahay(t, nil, "version")
	if code != 0 || errOut != "" {
		t.Fatalf("version: status %d, stderr %q", code, errOut)
	}
	info, err := buildinfo.ReadFile(binary(t))
	if err != nil {
		t.Fatal(err)
	}
	version, revision, at := "dev", "unknown", "unknown"
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			at = s.Value
		}
	}
	for _, want := range []string{"sahay " + version + "\n", "revision  " + revision, "time      " + at + "\n", "go        " + info.GoVersion + " "} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
}
