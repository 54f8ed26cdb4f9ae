// Command gen builds the widget bundle and writes it where package widget
// embeds it. It runs from `go generate ./internal/channel/widget`:
//
//	go run ./gen -src ../../../web/widget -out dist
//
// The output is committed, so building and testing Sahay needs neither Node
// nor this command.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"

	"github.com/sahayhq/sahay/internal/channel/widget/build"
)

func main() {
	src := flag.String("src", "web/widget", "widget source directory")
	out := flag.String("out", "internal/channel/widget/dist", "output directory; replaced whole")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		log.Fatal(err)
	}
}

func run(src, out string) error {
	files, err := build.Build(src)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		dst := filepath.Join(out, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		if err := os.WriteFile(dst, files[n], 0o644); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(files[build.Script])
	w.Close()
	fmt.Printf("%s: %d bytes, %d gzipped; %d locales\n", build.Script, len(files[build.Script]), gz.Len(), len(files)-1)
	return nil
}
