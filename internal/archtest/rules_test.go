package archtest

import (
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// TestRulesCatch runs the rules on small sources, so a rule that stopped
// seeing what it is for fails here rather than passing in silence.
func TestRulesCatch(t *testing.T) {
	const module = "example.com/m"
	tests := []struct {
		name, path, src string
		channel, write  bool
	}{
		{"channel imports the store", "internal/channel/chat/chat.go",
			`package chat; import "example.com/m/internal/store"; var _ *store.Store`, true, false},
		{"channel imports a package below the store", "internal/channel/chat/chat.go",
			`package chat; import _ "example.com/m/internal/store/storetest"`, true, false},
		{"channel reaches the store through core", "internal/channel/chat/chat.go",
			`package chat; func f(svc interface{ Store() any }) { svc.Store() }`, true, false},
		{"channel's test may use the store", "internal/channel/chat/chat_test.go",
			`package chat; import "example.com/m/internal/store"; var _ func(*store.Tx) error`, false, false},
		{"channel that goes through core", "internal/channel/chat/chat.go",
			`package chat; import "example.com/m/internal/core"; func f(s *core.Service) { s.Receive() }`, false, false},
		{"handler opens a store transaction", "internal/api/x.go",
			`package api; import "example.com/m/internal/store"; func f(st *store.Store) { st.Write(nil, func(tx *store.Tx) error { return nil }) }`, false, true},
		{"renamed store import", "cmd/tool/main.go",
			`package main; import db "example.com/m/internal/store"; func f(tx *db.Tx) {}`, false, true},
		{"dot import of the store", "cmd/tool/main.go",
			`package main; import . "example.com/m/internal/store"; func f(tx *Tx) {}`, false, true},
		{"database/sql transaction", "internal/report/r.go",
			`package report; import "database/sql"; func f(db *sql.DB) { db.BeginTx(nil, nil) }`, false, true},
		{"a channel's write in its test", "internal/channel/chat/harness_test.go",
			`package chat; import "example.com/m/internal/store"; func f(st *store.Store) { st.Write(nil, func(tx *store.Tx) error { return nil }) }`, false, false},
		{"core opens transactions", "internal/core/c.go",
			`package core; import "example.com/m/internal/store"; func f(tx *store.Tx) {}`, false, false},
		{"the store opens transactions", "internal/store/s.go",
			`package store; import "database/sql"; type Tx struct{}; func f(db *sql.DB) { db.BeginTx(nil, nil) }`, false, false},
		{"another package's Tx", "internal/api/x.go",
			`package api; import "example.com/m/internal/jobs"; var _ jobs.Tx`, false, false},
		{"writing bytes is no transaction", "internal/web/w.go",
			`package web; import "net/http"; func f(w http.ResponseWriter) { w.Write(nil) }`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, tt.path, tt.src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files := []file{{tt.path, f, fset}}
			if got := channelViolations(module, files); (len(got) > 0) != tt.channel {
				t.Errorf("channel rule: got %v, want a violation: %v", got, tt.channel)
			}
			got := writeViolations(module, files)
			if (len(got) > 0) != tt.write {
				t.Errorf("write rule: got %v, want a violation: %v", got, tt.write)
			}
			if slices.ContainsFunc(got, func(v violation) bool { return v.line != 1 }) {
				t.Errorf("write rule: got %v, want line 1", got)
			}
		})
	}
}
