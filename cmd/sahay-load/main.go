// Command sahay-load measures the website widget under load: it opens N
// visitor WebSockets to a Sahay server on this machine, sends messages at a
// set total rate, and reports delivery latency percentiles and the server's
// memory per connection.
//
// Two latencies are measured per message: ack, from sending the frame to
// the server's acknowledgement (the message is durable: committed through
// the inbound pipeline), and delivery, from sending to the message.created
// event arriving back on the visitor's socket through the event bus, the
// path every realtime subscriber (agents included) is fed by. With -agent-token
// it also listens on the agent WebSocket and measures visitor → agent.
//
// Memory per connection is read from GET /widget/debug/vars (loopback only)
// before and after the sockets open.
//
// Targets are loopback addresses only, and every run is bounded by -conns
// and -duration. To have a server to measure, run
//
//	sahay-load -serve 127.0.0.1:8090
//
// in another shell: it starts an in-process Sahay on a temporary SQLite
// database with one widget inbox and prints the command to load it.
// Raise the file limit first (ulimit -n 65536) for thousands of sockets.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

func main() {
	var o options
	flag.StringVar(&o.base, "base", "http://127.0.0.1:8090", "Sahay base URL (loopback only)")
	flag.StringVar(&o.inbox, "inbox", "", "website token of a widget inbox")
	flag.IntVar(&o.conns, "conns", 1000, "visitor sockets to open (at most 50000)")
	flag.Float64Var(&o.rate, "rate", 100, "messages per second, over all sockets")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send messages (at most 10m)")
	flag.IntVar(&o.dialRate, "dial-rate", 500, "sockets opened per second")
	flag.StringVar(&o.agentToken, "agent-token", "", "API token of an agent: also measure delivery on the agent WebSocket")
	flag.StringVar(&o.agentPath, "agent-path", "/api/v1/realtime", "path of the agent WebSocket")
	serve := flag.String("serve", "", "instead of loading, serve an in-process Sahay on this loopback address (at most 30 minutes)")
	flag.Parse()
	if *serve != "" {
		if err := runServer(*serve); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := o.check(); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

type options struct {
	base       string
	inbox      string
	conns      int
	rate       float64
	duration   time.Duration
	dialRate   int
	agentToken string
	agentPath  string
}

func (o *options) check() error {
	u, err := url.Parse(o.base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("-base must be an http URL")
	}
	if !loopback(u.Hostname()) {
		return fmt.Errorf("-base must be a loopback address (127.0.0.1, ::1, localhost), not %s", u.Hostname())
	}
	switch {
	case o.inbox == "":
		return errors.New("-inbox is required: the website token of a widget inbox")
	case o.conns < 1 || o.conns > 50000:
		return errors.New("-conns must be 1 to 50000")
	case o.rate <= 0 || o.rate > 20000:
		return errors.New("-rate must be above 0 and at most 20000")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("-duration must be above 0 and at most 10m")
	case o.dialRate < 1:
		return errors.New("-dial-rate must be at least 1")
	}
	o.base = strings.TrimRight(o.base, "/")
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// debugVars is the server's GET /widget/debug/vars.
type debugVars struct {
	VisitorSockets int64  `json:"visitor_sockets"`
	Goroutines     int    `json:"goroutines"`
	HeapInuse      uint64 `json:"heap_inuse"`
	StackInuse     uint64 `json:"stack_inuse"`
	Sys            uint64 `json:"sys"`
}

func vars(ctx context.Context, base string) (debugVars, error) {
	var v debugVars
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/widget/debug/vars?gc=1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return v, fmt.Errorf("debug vars: %s", resp.Status)
	}
	return v, json.NewDecoder(resp.Body).Decode(&v)
}

// visitor is one simulated visitor.
type visitor struct {
	id   int
	conn *websocket.Conn
	mu   sync.Mutex
	sent map[string]sent
	n    int
}

// sent is when a message was sent, and whether it was the visitor's first
// (which also creates their contact and conversation).
type sent struct {
	at    time.Time
	first bool
}

// recorder collects latencies.
type recorder struct {
	mu       sync.Mutex
	ack      []time.Duration
	delivery []time.Duration
	// firstAck and laterAck split ack by the visitor's first message and
	// the ones after it.
	firstAck []time.Duration
	laterAck []time.Duration
	agent    []time.Duration
	errs     atomic.Int64
	sentAt   sync.Map // marker → time.Time, for the agent listener
	// closed counts sockets the server closed, by close status.
	closed sync.Map
}

func (r *recorder) add(list *[]time.Duration, d time.Duration) {
	r.mu.Lock()
	*list = append(*list, d)
	r.mu.Unlock()
}

func run(ctx context.Context, o options) error {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	before, err := vars(ctx, o.base)
	if err != nil {
		return fmt.Errorf("read %s/widget/debug/vars (is this a Sahay with the widget?): %w", o.base, err)
	}
	fmt.Printf("server before: %d sockets, heap %s, stack %s, %d goroutines\n", before.VisitorSockets, mb(before.HeapInuse), mb(before.StackInuse), before.Goroutines)

	rec := &recorder{}
	if o.agentToken != "" {
		if err := listenAgent(ctx, o, rec); err != nil {
			return err
		}
	}

	// Open the sockets at the dial rate.
	visitors := make([]*visitor, 0, o.conns)
	var vmu sync.Mutex
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(o.dialRate))
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range o.conns {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := dial(ctx, client, o, i, rec)
			if err != nil {
				if failed.Add(1) <= 3 {
					log.Printf("visitor %d: %v", i, err)
				}
				return
			}
			vmu.Lock()
			visitors = append(visitors, v)
			vmu.Unlock()
		}()
	}
	tick.Stop()
	wg.Wait()
	fmt.Printf("opened %d sockets in %s (%d failed)\n", len(visitors), time.Since(start).Round(time.Millisecond), failed.Load())
	if len(visitors) == 0 {
		return errors.New("no socket opened")
	}

	time.Sleep(2 * time.Second)
	idle, err := vars(ctx, o.base)
	if err != nil {
		return err
	}
	n := idle.VisitorSockets - before.VisitorSockets
	if n > 0 {
		heap := float64(int64(idle.HeapInuse)-int64(before.HeapInuse)) / float64(n)
		stack := float64(int64(idle.StackInuse)-int64(before.StackInuse)) / float64(n)
		fmt.Printf("server idle: %d sockets, heap %s, stack %s, %d goroutines\n", idle.VisitorSockets, mb(idle.HeapInuse), mb(idle.StackInuse), idle.Goroutines)
		fmt.Printf("memory per idle socket: %.1f KB (heap %.1f KB + stack %.1f KB)\n", (heap+stack)/1024, heap/1024, stack/1024)
	}

	// Send at the total rate, round robin over the sockets, with pings
	// keeping every socket alive.
	fmt.Printf("sending %.0f messages/s for %s\n", o.rate, o.duration)
	sendCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	interval := time.Duration(float64(time.Second) / o.rate)
	next := time.Now()
	sent := 0
	for sendCtx.Err() == nil {
		next = next.Add(interval)
		if d := time.Until(next); d > 0 {
			select {
			case <-sendCtx.Done():
			case <-time.After(d):
			}
		}
		if sendCtx.Err() != nil {
			break
		}
		v := visitors[sent%len(visitors)]
		sent++
		go v.send(ctx, rec, sent)
	}
	elapsed := o.duration
	time.Sleep(3 * time.Second) // let the last acks and deliveries arrive
	busy, _ := vars(ctx, o.base)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	fmt.Printf("sent %d messages (%.0f/s), %d acked, %d delivered back, %d errors\n", sent, float64(sent)/elapsed.Seconds(),
		len(rec.ack), len(rec.delivery), rec.errs.Load())
	report("ack (visitor → durable)", rec.ack)
	report("  first message of a visitor", rec.firstAck)
	report("  later messages", rec.laterAck)
	report("delivery (visitor → bus → socket)", rec.delivery)
	if o.agentToken != "" {
		report("visitor → agent socket", rec.agent)
	}
	fmt.Printf("server after load: %d sockets, heap %s, stack %s, sys %s, %d goroutines\n", busy.VisitorSockets, mb(busy.HeapInuse), mb(busy.StackInuse), mb(busy.Sys), busy.Goroutines)
	rec.closed.Range(func(k, v any) bool {
		fmt.Printf("sockets closed by the server during the run: %d with status %s\n", v.(*atomic.Int64).Load(), k)
		return true
	})
	for _, v := range visitors {
		v.conn.Close(websocket.StatusNormalClosure, "")
	}
	return nil
}

func dial(ctx context.Context, client *http.Client, o options, i int, rec *recorder) (*visitor, error) {
	body := fmt.Sprintf(`{"inbox":%q,"locales":["en"]}`, o.inbox)
	req, _ := http.NewRequestWithContext(ctx, "POST", o.base+"/widget/v1/session", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	var s struct {
		Token string
		Seq   int64
	}
	err = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		return nil, fmt.Errorf("session: %s %v", resp.Status, err)
	}
	u := strings.Replace(o.base, "http", "ws", 1) + "/widget/v1/ws?token=" + url.QueryEscape(s.Token)
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	v := &visitor{id: i, conn: c, sent: map[string]sent{}}
	go v.read(ctx, rec)
	go v.ping(ctx)
	return v, nil
}

// frame is what the visitor reads.
type frame struct {
	T   string `json:"t"`
	CID string `json:"cid"`
	M   struct {
		Text string `json:"text"`
		Out  bool   `json:"out"`
	} `json:"m"`
}

func (v *visitor) read(ctx context.Context, rec *recorder) {
	for {
		_, data, err := v.conn.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				key := websocket.CloseStatus(err).String()
				n, _ := rec.closed.LoadOrStore(key, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
			}
			return
		}
		now := time.Now()
		var f frame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.T {
		case "ack":
			v.mu.Lock()
			s, ok := v.sent[f.CID]
			v.mu.Unlock()
			if ok {
				rec.add(&rec.ack, now.Sub(s.at))
				if s.first {
					rec.add(&rec.firstAck, now.Sub(s.at))
				} else {
					rec.add(&rec.laterAck, now.Sub(s.at))
				}
			}
		case "msg":
			marker, _, _ := strings.Cut(f.M.Text, " ")
			v.mu.Lock()
			s, ok := v.sent[marker]
			v.mu.Unlock()
			if ok && !f.M.Out {
				rec.add(&rec.delivery, now.Sub(s.at))
			}
		case "err":
			rec.errs.Add(1)
		}
	}
}

func (v *visitor) send(ctx context.Context, rec *recorder, n int) {
	cid := fmt.Sprintf("load-%d-%d", v.id, n)
	frame, _ := json.Marshal(map[string]string{"t": "msg", "cid": cid, "text": cid + " hello from the load tool"})
	now := time.Now()
	v.mu.Lock()
	v.sent[cid] = sent{at: now, first: v.n == 0}
	v.n++
	v.mu.Unlock()
	rec.sentAt.Store(cid, now)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := v.conn.Write(wctx, websocket.MessageText, frame); err != nil {
		rec.errs.Add(1)
	}
}

// ping keeps a socket alive with a ping each 20 seconds, from a random
// start so that sockets ping spread out, as real visitors' do.
func (v *visitor) ping(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(time.Duration(rand.Int64N(int64(20 * time.Second)))):
	}
	t := time.NewTicker(20 * time.Second)
	defer t.Stop()
	for {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := v.conn.Write(wctx, websocket.MessageText, []byte(`{"t":"ping"}`))
		cancel()
		if err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// listenAgent opens the agent WebSocket and records when each load
// message's marker first appears in a frame, whatever the frame's shape.
func listenAgent(ctx context.Context, o options, rec *recorder) error {
	u := strings.Replace(o.base, "http", "ws", 1) + o.agentPath
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + o.agentToken}}})
	if err != nil {
		return fmt.Errorf("agent socket %s: %w", u, err)
	}
	c.SetReadLimit(4 << 20)
	go func() {
		defer c.CloseNow()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			now := time.Now()
			s := string(data)
			for {
				i := strings.Index(s, "load-")
				if i < 0 {
					break
				}
				s = s[i:]
				end := strings.IndexAny(s, " \"")
				if end < 0 {
					break
				}
				if at, ok := rec.sentAt.LoadAndDelete(s[:end]); ok {
					rec.add(&rec.agent, now.Sub(at.(time.Time)))
				}
				s = s[end:]
			}
		}
	}()
	return nil
}

func report(name string, ds []time.Duration) {
	if len(ds) == 0 {
		fmt.Printf("%-36s no samples\n", name)
		return
	}
	slices.Sort(ds)
	p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	fmt.Printf("%-36s n=%d p50=%s p90=%s p99=%s max=%s\n", name, len(ds), ms(p(.5)), ms(p(.9)), ms(p(.99)), ms(ds[len(ds)-1]))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func mb(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
