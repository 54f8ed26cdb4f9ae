package realtime

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// Timing and limits of every socket.
const (
	writeTimeout = 10 * time.Second
	// visitorQueue and agentQueue are how many items may wait for a slow
	// client before its socket is closed; the client reconnects and
	// resumes by sequence. An agent receives every event of the account.
	visitorQueue = 256
	agentQueue   = 1024
	// replayPage is how many events one read of the store returns.
	replayPage = 500
	// sweepEvery is how often silent sockets are looked for.
	sweepEvery = 15 * time.Second
)

// item is one thing queued for a client: a frame already encoded, an event
// its face encodes (or skips) when the writer reaches it, or for an agent
// a mark to read what it missed from the store.
type item struct {
	data    []byte
	ev      sahay.Event
	catchUp bool
}

// seq is the sequence number that orders the item: a stored event's.
func (it item) seq() int64 {
	if it.data != nil || it.catchUp {
		return 0
	}
	return it.ev.Seq
}

// face writes what a client sees of a queued event or mark. It runs in the
// socket's writer goroutine, so it may read the store.
type face interface {
	writeItem(it item) error
}

// socket is the mechanism both faces share: a client's WebSocket with a
// send queue. A writer goroutine runs only while there is something to
// write, so an idle socket costs one goroutine, its reader; a client that
// falls too far behind is closed and resumes by sequence. While the
// socket replays from the store, live items are held and sent after it.
type socket struct {
	conn     *websocket.Conn
	ctx      context.Context
	cancel   context.CancelFunc
	out      face
	limit    int          // of the queue
	lastRead atomic.Int64 // unix nanoseconds of the last frame read

	mu        sync.Mutex
	queue     []item
	writing   bool
	replaying bool
	held      []item
	closed    bool
	// closing is closed once the close handshake a close started is over.
	closing chan struct{}

	frames ratelimit.Bucket
	excess int
}

// init readies a socket on conn, closed with parent at the latest, whose
// queue holds limit items.
func (s *socket) init(parent context.Context, conn *websocket.Conn, out face, limit int, replaying bool) {
	s.ctx, s.cancel = context.WithCancel(parent)
	s.conn, s.out, s.limit, s.replaying = conn, out, limit, replaying
	s.lastRead.Store(time.Now().UnixNano())
}

// send queues an item for the client.
func (s *socket) send(it item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.replaying {
		s.held = append(s.held, it)
		if len(s.held) > s.limit*4 {
			s.closeLocked(websocket.StatusPolicyViolation, "too far behind; reconnect")
		}
		return
	}
	s.enqueueLocked(it)
}

// sendFrame queues an encoded frame.
func (s *socket) sendFrame(data []byte) { s.send(item{data: data}) }

// enqueue queues an item even while replaying: the replay's own.
func (s *socket) enqueue(it item) {
	s.mu.Lock()
	s.enqueueLocked(it)
	s.mu.Unlock()
}

func (s *socket) enqueueLocked(it item) {
	if s.closed {
		return
	}
	if len(s.queue) >= s.limit {
		s.closeLocked(websocket.StatusPolicyViolation, "too far behind; reconnect")
		return
	}
	s.queue = append(s.queue, it)
	if !s.writing {
		s.writing = true
		go s.flush()
	}
}

func (s *socket) flush() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			s.writing = false
			s.queue = nil
			s.mu.Unlock()
			return
		}
		it := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		var err error
		if it.data != nil {
			err = s.write(it.data)
		} else {
			err = s.out.writeItem(it)
		}
		if err != nil {
			s.close(websocket.StatusGoingAway, "write failed")
		}
	}
}

// write sends one frame; only the socket's writer calls it.
func (s *socket) write(data []byte) error {
	ctx, cancel := context.WithTimeout(s.ctx, writeTimeout)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, data)
}

// endReplay sends the items held during a replay that are newer than what
// it replayed.
func (s *socket) endReplay(replayed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replaying = false
	for _, it := range s.held {
		if it.seq() == 0 || it.seq() > replayed {
			s.enqueueLocked(it)
		}
	}
	s.held = nil
}

// close closes the socket; its reader then returns.
func (s *socket) close(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	s.closeLocked(code, reason)
	s.mu.Unlock()
}

func (s *socket) closeLocked(code websocket.StatusCode, reason string) {
	if s.closed {
		return
	}
	s.closed = true
	s.closing = make(chan struct{})
	go func() {
		defer close(s.closing)
		s.conn.Close(code, reason)
		s.cancel()
	}()
}

// wait waits for the close handshake, if a close started one.
func (s *socket) wait() {
	s.mu.Lock()
	ch := s.closing
	s.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// read returns the client's next frame.
func (s *socket) read() ([]byte, error) {
	_, data, err := s.conn.Read(s.ctx)
	if err == nil {
		s.lastRead.Store(time.Now().UnixNano())
	}
	return data, err
}

// allow applies a frame rate; it reports false for a frame over it, and
// how many such frames the client has sent.
func (s *socket) allow(rate ratelimit.Rate) (bool, int) {
	if ok, _ := s.frames.Take(rate, time.Now()); !ok {
		s.excess++
		return false, s.excess
	}
	return true, s.excess
}

// silentSince reports whether the client sent nothing after cutoff.
func (s *socket) silentSince(cutoff time.Time) bool { return s.lastRead.Load() < cutoff.UnixNano() }

// accept upgrades the request on a lean hijacked connection.
func accept(w http.ResponseWriter, r *http.Request, opts *websocket.AcceptOptions, readLimit int64) (*websocket.Conn, error) {
	conn, err := websocket.Accept(leanWriter{w}, r, opts)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(readLimit)
	return conn, nil
}

// leanWriter hands the WebSocket a hijacked connection with small buffers.
// Frames are small, and net/http's 4 KB reader and writer would be a third
// of an idle socket's memory.
type leanWriter struct{ http.ResponseWriter }

func (w leanWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes the client sent right after its handshake (a first frame) may
	// already sit in net/http's buffer. They must come first from the
	// connection itself: the WebSocket library resets the reader we return
	// onto the connection, which would drop them from any reader of ours.
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		conn = &prefixedConn{Conn: conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)}
	}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, 512), bufio.NewWriterSize(conn, 512)), nil
}

// prefixedConn is a connection that first returns bytes read before it was
// hijacked.
type prefixedConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
