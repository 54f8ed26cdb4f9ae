package archtest

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// writers are the files outside internal/store and internal/core that may
// open a write transaction, each with its reason. A file that no longer
// does must leave the list.
var writers = map[string]string{
	"internal/bench/workspace.go": "seeds benchmark workspaces of millions of rows in batches, far faster than core's one-at-a-time rules allow",
}

// file is one parsed Go source file, by its slash-separated path from the
// module root.
type file struct {
	path string
	ast  *ast.File
	fset *token.FileSet
}

// A rule violation, as the test reports it.
type violation struct {
	path string
	line int
	what string
}

func (v violation) String() string { return fmt.Sprintf("%s:%d: %s", v.path, v.line, v.what) }

// TestChannelsReachOnlyCore fails if an adapter under internal/channel
// imports the store, or reaches it through core's Store accessor: a channel
// reads and changes state only through core's services, where
// authorization, audit and events happen.
func TestChannelsReachOnlyCore(t *testing.T) {
	module, files := parseModule(t)
	for _, v := range channelViolations(module, files) {
		t.Error(v)
	}
}

// TestOnlyStoreAndCoreWrite fails if a file outside internal/store and
// internal/core opens a write transaction: names the store's transaction
// (every Store.Write callback takes a *store.Tx) or begins a database/sql
// transaction.
func TestOnlyStoreAndCoreWrite(t *testing.T) {
	module, files := parseModule(t)
	found := map[string]bool{}
	for _, v := range writeViolations(module, files) {
		found[v.path] = true
		if _, ok := writers[v.path]; !ok {
			t.Error(v)
		}
	}
	for path := range writers {
		if !found[path] {
			t.Errorf("%s no longer opens a transaction: take it off the writers list", path)
		}
	}
}

// channelViolations lists the non-test files of packages under
// internal/channel that import internal/store (or a package below it) or
// call a Store() accessor.
func channelViolations(module string, files []file) []violation {
	var out []violation
	for _, f := range files {
		if !underDir(f.path, "internal/channel") || strings.HasSuffix(f.path, "_test.go") {
			continue
		}
		for _, imp := range f.ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == module+"/internal/store" || strings.HasPrefix(p, module+"/internal/store/") {
				out = append(out, violation{f.path, f.line(imp), "imports " + p + ": a channel reaches state only through core"})
			}
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && len(call.Args) == 0 {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Store" {
					out = append(out, violation{f.path, f.line(call), "calls Store(): a channel reaches state only through core"})
				}
			}
			return true
		})
	}
	return out
}

// writeViolations lists the non-test files outside internal/store and
// internal/core that name store.Tx or call BeginTx, one entry per file and
// reason.
func writeViolations(module string, files []file) []violation {
	var out []violation
	for _, f := range files {
		if underDir(f.path, "internal/store") || underDir(f.path, "internal/core") || strings.HasSuffix(f.path, "_test.go") {
			continue
		}
		local := storeImportName(module, f.ast)
		seen := map[string]bool{}
		add := func(n ast.Node, what string) {
			if !seen[what] {
				seen[what] = true
				out = append(out, violation{f.path, f.line(n), what})
			}
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && local != "" && id.Name == local && n.Sel.Name == "Tx" {
					add(n, "names store.Tx: only internal/store and internal/core open write transactions")
				}
				if n.Sel.Name == "BeginTx" {
					add(n, "calls BeginTx: only internal/store opens database transactions")
				}
			case *ast.Ident:
				// A dot import makes Tx a bare name.
				if local == "." && n.Name == "Tx" {
					add(n, "names store.Tx: only internal/store and internal/core open write transactions")
				}
			}
			return true
		})
	}
	return out
}

// storeImportName is the name a file gives internal/store, "" if it does
// not import it.
func storeImportName(module string, f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == module+"/internal/store" {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return "store"
		}
	}
	return ""
}

func underDir(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

func (f file) line(n ast.Node) int { return f.fset.Position(n.Pos()).Line }

// parseModule parses every Go file of the module this test runs in,
// skipping testdata, hidden and generated-asset directories.
func parseModule(t *testing.T) (string, []file) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	module := modulePath(t, filepath.Join(root, "go.mod"))
	fset := token.NewFileSet()
	var files []file
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, file{filepath.ToSlash(rel), f, fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(files, func(f file) bool { return f.path == "internal/store/store.go" }) {
		t.Fatalf("parsed %d files under %s, but not internal/store/store.go: not the module root", len(files), root)
	}
	return module, files
}

func modulePath(t *testing.T, gomod string) string {
	t.Helper()
	f, err := os.Open(gomod)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatalf("%s names no module", gomod)
	return ""
}
