// Package bundle builds the agent dashboard from its TypeScript and CSS
// sources with esbuild. It is a build-time package: cmd/assets writes its
// output to internal/web/dist, and a test of package web rebuilds it in
// memory to prove the committed bundle is not stale. The server binary never
// links it.
package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Entry points and templates, relative to the source directory.
const (
	appEntry    = "src/main.ts"
	styleEntry  = "style.css"
	workerEntry = "src/sw.ts"
	indexFile   = "index.html"
)

// Placeholders in index.html replaced by the hashed asset paths.
const (
	scriptPlaceholder = "{{script}}"
	stylePlaceholder  = "{{style}}"
)

// Files is a built tree: slash-separated paths relative to the served root
// ("index.html", "assets/main-HASH.js", …) mapped to their contents.
type Files map[string][]byte

// Paths returns the paths of the tree in sorted order.
func (f Files) Paths() []string {
	ps := make([]string, 0, len(f))
	for p := range f {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// Build bundles the dashboard whose sources are in dir (web/dashboard) and
// returns the whole served tree. The output depends only on the sources and
// the esbuild version, never on where dir is, so it can be compared byte for
// byte with a committed copy.
func Build(dir string) (Files, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	out := Files{}

	app := api.Build(api.BuildOptions{
		AbsWorkingDir:     abs,
		EntryPoints:       []string{appEntry, styleEntry},
		Outdir:            "assets",
		EntryNames:        "[name]-[hash]",
		ChunkNames:        "[name]-[hash]",
		AssetNames:        "[name]-[hash]",
		Bundle:            true,
		Splitting:         true,
		Format:            api.FormatESModule,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
		Loader:            map[string]api.Loader{".json": api.LoaderJSON, ".svg": api.LoaderText},
		Metafile:          true,
		LogLevel:          api.LogLevelSilent,
		Write:             false,
	})
	if err := buildErrors("dashboard", app); err != nil {
		return nil, err
	}
	entries, err := entryOutputs(app.Metafile)
	if err != nil {
		return nil, err
	}
	for _, f := range app.OutputFiles {
		rel, err := relPath(abs, f.Path)
		if err != nil {
			return nil, err
		}
		out[rel] = f.Contents
	}
	script, style := entries[appEntry], entries[styleEntry]
	if script == "" || style == "" {
		return nil, errors.New("bundle: esbuild did not report the app's script and style outputs")
	}

	tmpl, err := os.ReadFile(filepath.Join(abs, indexFile))
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if !bytes.Contains(tmpl, []byte(scriptPlaceholder)) || !bytes.Contains(tmpl, []byte(stylePlaceholder)) {
		return nil, fmt.Errorf("bundle: %s lacks %s or %s", indexFile, scriptPlaceholder, stylePlaceholder)
	}
	index := bytes.ReplaceAll(tmpl, []byte(scriptPlaceholder), []byte("/"+script))
	out["index.html"] = bytes.ReplaceAll(index, []byte(stylePlaceholder), []byte("/"+style))

	if err := addIcons(out); err != nil {
		return nil, err
	}
	if out["manifest.webmanifest"], err = manifest(); err != nil {
		return nil, err
	}

	// The service worker precaches the app shell; its list and version
	// change whenever any shell file does, which makes browsers install the
	// new worker and drop the old cache.
	shell := []string{"/"}
	for _, p := range out.Paths() {
		if p != "index.html" {
			shell = append(shell, "/"+p)
		}
	}
	sum := sha256.New()
	for _, p := range out.Paths() {
		sum.Write([]byte(p))
		sum.Write(out[p])
	}
	shellJSON, err := json.Marshal(shell)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	sw := api.Build(api.BuildOptions{
		AbsWorkingDir:     abs,
		EntryPoints:       []string{workerEntry},
		Outfile:           "sw.js",
		Bundle:            true,
		Format:            api.FormatIIFE,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
		Define: map[string]string{
			"__SHELL__":   string(shellJSON),
			"__VERSION__": fmt.Sprintf("%q", hex.EncodeToString(sum.Sum(nil))[:12]),
		},
		LogLevel: api.LogLevelSilent,
		Write:    false,
	})
	if err := buildErrors("service worker", sw); err != nil {
		return nil, err
	}
	if len(sw.OutputFiles) != 1 {
		return nil, fmt.Errorf("bundle: service worker build wrote %d files, want 1", len(sw.OutputFiles))
	}
	out["sw.js"] = sw.OutputFiles[0].Contents
	return out, nil
}

func buildErrors(what string, r api.BuildResult) error {
	if len(r.Errors) == 0 {
		return nil
	}
	msgs := api.FormatMessages(r.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
	return fmt.Errorf("bundle: %s: %d errors:\n%s", what, len(r.Errors), strings.Join(msgs, ""))
}

// entryOutputs maps each entry point to the path of its output file,
// relative to the served root, from esbuild's metafile.
func entryOutputs(metafile string) (map[string]string, error) {
	var meta struct {
		Outputs map[string]struct {
			EntryPoint string `json:"entryPoint"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &meta); err != nil {
		return nil, fmt.Errorf("bundle: read metafile: %w", err)
	}
	m := map[string]string{}
	for p, o := range meta.Outputs {
		if o.EntryPoint != "" {
			m[o.EntryPoint] = p
		}
	}
	return m, nil
}

func relPath(root, p string) (string, error) {
	rel, err := filepath.Rel(root, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("bundle: output %s is outside %s", p, root)
	}
	return filepath.ToSlash(rel), nil
}

// Icon sizes written as PNG next to the SVG icon.
var iconSizes = []int{192, 512}

func addIcons(out Files) error {
	out["icons/icon.svg"] = iconSVG()
	for _, size := range iconSizes {
		b, err := iconPNG(size, false)
		if err != nil {
			return err
		}
		out[fmt.Sprintf("icons/icon-%d.png", size)] = b
	}
	b, err := iconPNG(512, true)
	if err != nil {
		return err
	}
	out["icons/maskable-512.png"] = b
	b, err = iconPNG(180, true)
	if err != nil {
		return err
	}
	out["icons/apple-touch-icon.png"] = b
	return nil
}

func manifest() ([]byte, error) {
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose,omitempty"`
	}
	icons := []icon{{Src: "/icons/icon.svg", Sizes: "any", Type: "image/svg+xml"}}
	for _, size := range iconSizes {
		icons = append(icons, icon{Src: path.Join("/icons", fmt.Sprintf("icon-%d.png", size)), Sizes: fmt.Sprintf("%dx%d", size, size), Type: "image/png"})
	}
	icons = append(icons, icon{Src: "/icons/maskable-512.png", Sizes: "512x512", Type: "image/png", Purpose: "maskable"})
	m := map[string]any{
		"name":             "Sahay",
		"short_name":       "Sahay",
		"description":      "Shared inbox for customer conversations",
		"id":               "/",
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      fmt.Sprintf("#%02x%02x%02x", iconBackground.R, iconBackground.G, iconBackground.B),
		"icons":            icons,
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle: manifest: %w", err)
	}
	return append(b, '\n'), nil
}
