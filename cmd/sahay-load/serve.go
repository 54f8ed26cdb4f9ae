package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/blob"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/widget"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/ratelimit"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
)

// serveLimit bounds how long -serve runs.
const serveLimit = 30 * time.Minute

// runServer serves an in-process Sahay (SQLite in a temporary directory,
// the memory bus, one account with one widget inbox) on a loopback address
// until interrupted, at most serveLimit.
func runServer(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !loopback(host) {
		return fmt.Errorf("-serve must be a loopback address such as 127.0.0.1:8090")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, serveLimit)
	defer cancel()

	dir, err := os.MkdirTemp("", "sahay-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, filepath.Join(dir, "sahay.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	reg := channel.NewRegistry()
	svc := core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: reg, Log: log, Blobs: &blob.Disk{Dir: filepath.Join(dir, "files")}})
	defer svc.Close()
	// Every simulated visitor comes from this machine's one address, as
	// many at once as -dial-rate asks: lift the per-address and per-inbox
	// limits a real site's visitors meet.
	lifted := ratelimit.Rate{Burst: 1e6, Every: time.Microsecond}
	w := widget.New(svc, widget.Config{Log: log, Limits: widget.Limits{SessionsPerAddress: lifted, RequestsPerAddress: lifted,
		SessionsPerInbox: lifted, NewContactsPerInbox: lifted}})
	defer w.Close()
	reg.Register(widget.Name, w.Adapter())

	account, err := svc.CreateAccountCLI(ctx, "Load test")
	if err != nil {
		return err
	}
	u, err := svc.CreateUserCLI(ctx, account.ID, "load@example.com", "Load Agent", sahay.RoleOwner, "load test password")
	if err != nil {
		return err
	}
	actor, err := svc.Actor(ctx, u)
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

	mux := http.NewServeMux()
	w.Routes(mux)
	// Profiles of the server under load; it listens on loopback only.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("serving on http://%s (data in %s)\n", addr, dir)
	fmt.Printf("load it with: sahay-load -base http://%s -inbox %s -conns 1000 -rate 100\n", addr, set.WebsiteToken)
	go func() {
		<-ctx.Done()
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
