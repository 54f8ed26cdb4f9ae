// Command assets builds the agent dashboard bundle and writes it where
// package web embeds it. It runs from `go generate ./internal/web`:
//
//	go run ../../cmd/assets -src ../../web/dashboard -out dist
//
// The output is committed, so building and testing Sahay needs neither Node
// nor this command. For front-end work, -serve runs a development server
// that rebuilds from the sources on change and passes /api/ to a running
// Sahay:
//
//	go run ./cmd/assets -serve 127.0.0.1:8081 -api http://127.0.0.1:8080
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/sahayhq/sahay/internal/web/bundle"
)

func main() {
	src := flag.String("src", "web/dashboard", "dashboard source directory")
	out := flag.String("out", "internal/web/dist", "output directory; replaced whole")
	addr := flag.String("serve", "", "instead of writing files, serve the dashboard on this address")
	apiURL := flag.String("api", "http://127.0.0.1:8080", "with -serve: the Sahay server that answers /api/")
	flag.Parse()
	var err error
	if *addr != "" {
		err = serve(*addr, *src, *apiURL)
	} else {
		err = run(*src, *out)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func run(src, out string) error {
	files, err := bundle.Build(src)
	if err != nil {
		return err
	}
	// Replace the whole directory so renamed (re-hashed) assets leave no
	// stale copies behind.
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("assets: %w", err)
	}
	var initial, lazy int
	for _, p := range files.Paths() {
		dst := filepath.Join(out, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("assets: %w", err)
		}
		if err := os.WriteFile(dst, files[p], 0o644); err != nil {
			return fmt.Errorf("assets: %w", err)
		}
		gz, err := gzipSize(files[p])
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(p, "assets/main-") || strings.HasPrefix(p, "assets/style-"):
			initial += gz
		case strings.HasPrefix(p, "assets/"):
			lazy += gz
		}
		fmt.Printf("%-40s %8d bytes %7d gzipped\n", p, len(files[p]), gz)
	}
	fmt.Printf("loaded at start (script and styles): %d bytes gzipped; loaded on demand (translations): %d bytes gzipped\n", initial, lazy)
	return nil
}

func gzipSize(b []byte) (int, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, fmt.Errorf("assets: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		return 0, fmt.Errorf("assets: %w", err)
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("assets: %w", err)
	}
	return buf.Len(), nil
}
