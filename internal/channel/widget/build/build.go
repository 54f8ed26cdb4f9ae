// Package build bundles the widget from its TypeScript, CSS and locale
// sources (web/widget) with esbuild. It is a build-time package: the gen
// command writes its output where package widget embeds it, and a test
// rebuilds it to prove the committed bundle is current. The server binary
// never links it.
package build

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Script is the name of the bundled widget script.
const Script = "widget.js"

// Build bundles the widget whose sources are in dir and returns the files to
// serve: widget.js (JavaScript with the CSS inlined) and locales/<tag>.json.
// The output depends only on the sources and the esbuild version.
func Build(dir string) (map[string][]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     abs,
		EntryPoints:       []string{"src/main.ts"},
		Outfile:           Script,
		Bundle:            true,
		Format:            api.FormatIIFE,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2019,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
		Loader:            map[string]api.Loader{".json": api.LoaderJSON},
		Plugins:           []api.Plugin{cssText},
		LogLevel:          api.LogLevelSilent,
		Write:             false,
	})
	if len(res.Errors) > 0 {
		var b strings.Builder
		for _, m := range res.Errors {
			loc := ""
			if m.Location != nil {
				loc = fmt.Sprintf("%s:%d:%d: ", m.Location.File, m.Location.Line, m.Location.Column)
			}
			fmt.Fprintf(&b, "\n%s%s", loc, m.Text)
		}
		return nil, fmt.Errorf("build: esbuild:%s", b.String())
	}
	if len(res.OutputFiles) != 1 {
		return nil, fmt.Errorf("build: esbuild wrote %d files, want 1", len(res.OutputFiles))
	}
	out := map[string][]byte{Script: bytes.TrimSpace(res.OutputFiles[0].Contents)}
	locales, err := filepath.Glob(filepath.Join(abs, "locales", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	sort.Strings(locales)
	for _, p := range locales {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("build: %s: %w", filepath.Base(p), err)
		}
		compact, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("build: %s: %w", filepath.Base(p), err)
		}
		out["locales/"+filepath.Base(p)] = compact
	}
	return out, nil
}

// cssText imports .css files as a string of minified CSS, which the widget
// puts in its shadow root.
var cssText = api.Plugin{
	Name: "css-text",
	Setup: func(b api.PluginBuild) {
		b.OnLoad(api.OnLoadOptions{Filter: `\.css$`}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			src, err := os.ReadFile(args.Path)
			if err != nil {
				return api.OnLoadResult{}, err
			}
			res := api.Transform(string(src), api.TransformOptions{Loader: api.LoaderCSS, MinifyWhitespace: true, MinifySyntax: true,
				Engines: []api.Engine{{Name: api.EngineChrome, Version: "90"}, {Name: api.EngineFirefox, Version: "90"}, {Name: api.EngineSafari, Version: "14"}}})
			if len(res.Errors) > 0 {
				return api.OnLoadResult{}, fmt.Errorf("%s: %s", filepath.Base(args.Path), res.Errors[0].Text)
			}
			css := strings.TrimSpace(string(res.Code))
			return api.OnLoadResult{Contents: &css, Loader: api.LoaderText}, nil
		})
	},
}
