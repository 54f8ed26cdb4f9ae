package widget

import (
	"net/http"
	"runtime"
	"runtime/debug"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/httpx"
)

// DebugVars are the server's socket count, memory and CPU time, for the
// load tool to measure memory per connection and CPU time per operation.
type DebugVars struct {
	VisitorSockets int64  `json:"visitor_sockets"`
	Goroutines     int    `json:"goroutines"`
	HeapInuse      uint64 `json:"heap_inuse"`
	StackInuse     uint64 `json:"stack_inuse"`
	Sys            uint64 `json:"sys"`
	NumGC          uint32 `json:"num_gc"`
	// CPUSeconds is the user and system CPU time of the process so far;
	// absent where it cannot be read.
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
}

// handleDebugVars answers GET /widget/debug/vars, from this machine only;
// ?gc=1 collects garbage first so the heap counts only live memory.
func (s *Server) handleDebugVars(w http.ResponseWriter, r *http.Request) error {
	if !isLoopback(r) {
		return sahay.NotFound("page")
	}
	if r.URL.Query().Get("gc") == "1" {
		runtime.GC()
		debug.FreeOSMemory()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return httpx.OK(w, DebugVars{VisitorSockets: s.hub.sockets.Count(), Goroutines: runtime.NumGoroutine(),
		HeapInuse: m.HeapInuse, StackInuse: m.StackInuse, Sys: m.Sys, NumGC: m.NumGC, CPUSeconds: processCPU().Seconds()})
}
