package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
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
	for _, bad := range [][]string{
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
