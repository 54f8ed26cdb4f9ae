package app

import (
	"io"
	"net/http"
	"strings"
	"time"
)

// Timing of a request's connection. The server's own ReadTimeout and
// WriteTimeout would cut long uploads and every WebSocket, so deadlines are
// set per request instead: a body must arrive at a minimum rate, an answer
// must be written within writeTimeout, and a WebSocket has neither (its hub
// pings and times out its own writes).
const (
	// minBodyRate is the slowest a request body may arrive, in bytes per
	// second, once the grace (config BodyTimeout) is over: slow mobile
	// uploads pass, a client that trickles a byte now and then to hold a
	// connection does not.
	minBodyRate = 1024
	// defaultBodyTimeout is the grace when the configuration sets none.
	defaultBodyTimeout = 20 * time.Second
	// writeTimeout bounds writing one answer, attachments included.
	writeTimeout = 5 * time.Minute
	// headerTimeout and idleTimeout bound reading a request's headers and
	// keeping an idle connection.
	headerTimeout = 10 * time.Second
	idleTimeout   = 120 * time.Second
)

// deadlines sets each request's read and write deadlines: grace is how long
// a body may take to start arriving and how far behind minBodyRate it may
// fall.
func deadlines(next http.Handler, grace time.Duration) http.Handler {
	if grace <= 0 {
		grace = defaultBodyTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if isUpgrade(r) {
			// A deadline an earlier request on this connection set would
			// otherwise outlive the upgrade and cut the socket.
			rc.SetReadDeadline(time.Time{})
			rc.SetWriteDeadline(time.Time{})
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rc.SetWriteDeadline(start.Add(writeTimeout))
		if r.Body != nil && r.Body != http.NoBody {
			// Also bounds the server's draining of a body the handler did
			// not read.
			rc.SetReadDeadline(start.Add(grace))
			r.Body = &rateBody{ReadCloser: r.Body, rc: rc, start: start, grace: grace}
		}
		next.ServeHTTP(w, r)
	})
}

func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Connection") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "upgrade") {
				return true
			}
		}
	}
	return false
}

// rateBody moves the connection's read deadline as a body arrives: the
// body may take grace plus one second per minBodyRate bytes read so far.
// A client slower than that meets the deadline and its connection closes.
type rateBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	grace time.Duration
	read  int64
}

func (b *rateBody) Read(p []byte) (int, error) {
	allowed := b.grace + time.Duration(b.read)*time.Second/minBodyRate
	b.rc.SetReadDeadline(b.start.Add(allowed))
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if err == io.EOF {
		// The whole body is in: a handler that works on past the deadline
		// must not see its connection, and so its context, end.
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
