package main

import (
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/sahayhq/sahay/internal/web"
	"github.com/sahayhq/sahay/internal/web/bundle"
)

// devServer serves the dashboard built from its sources, rebuilding when a
// source file changes, and passes /api/ (including the realtime WebSocket)
// to a running Sahay, so the front end can be changed without restarting
// or regenerating anything.
type devServer struct {
	src string
	api *httputil.ReverseProxy

	mu      sync.Mutex
	stamp   time.Time
	handler http.Handler
	err     error
}

func serve(addr, src, apiURL string) error {
	target, err := url.Parse(apiURL)
	if err != nil {
		return fmt.Errorf("assets: -api: %w", err)
	}
	d := &devServer{src: src, api: &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// Keep the browser's host so the server sees a same-origin request.
			r.Out.Host = r.In.Host
		},
	}}
	log.Printf("dashboard from %s on http://%s, API from %s", src, addr, apiURL)
	srv := &http.Server{Addr: addr, Handler: d, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

func (d *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		d.api.ServeHTTP(w, r)
		return
	}
	h, err := d.current()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h.ServeHTTP(w, r)
}

// current returns a handler for the latest sources, rebuilding when any
// source file is newer than the last build.
func (d *devServer) current() (http.Handler, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	latest, err := newest(d.src)
	if err != nil {
		return nil, err
	}
	if d.handler != nil && !latest.After(d.stamp) {
		return d.handler, d.err
	}
	d.stamp = latest
	files, err := bundle.Build(d.src)
	if err != nil {
		d.handler, d.err = nil, err
		return nil, err
	}
	m := fstest.MapFS{}
	for p, b := range files {
		m[p] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	d.handler, d.err = web.NewHandler(m), nil
	log.Printf("rebuilt the dashboard (%d files)", len(files))
	return d.handler, nil
}

func newest(dir string) (time.Time, error) {
	var t time.Time
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if e.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if info.ModTime().After(t) {
			t = info.ModTime()
		}
		return nil
	})
	if err != nil {
		return t, fmt.Errorf("assets: %w", err)
	}
	return t, nil
}
