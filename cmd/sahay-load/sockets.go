package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// socketsOptions are the flags of the sockets mode.
type socketsOptions struct {
	target
	inbox      string
	conns      int
	rate       float64
	duration   time.Duration
	dialRate   int
	agentToken string
	agentPath  string
}

// socketsCommand is the open-loop socket test: two latencies are measured
// per message: ack, from sending the frame to the server's acknowledgement
// (the message is durable: committed through the inbound pipeline), and
// delivery, from sending to the message.created event arriving back on the
// visitor's socket through the event bus, the path every realtime
// subscriber (agents included) is fed by. With -agent-token it also listens
// on the agent WebSocket and measures visitor → agent. Memory per
// connection is read from GET /widget/debug/vars (a Sahay on this machine)
// before and after the sockets open. Raise the file limit first (ulimit -n
// 65536) for thousands of sockets.
func socketsCommand(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	var o socketsOptions
	fs := newFlagSet("sockets", "-inbox WEBSITE_TOKEN -conns N -rate R -duration D [-agent-token T]", out)
	o.target.flags(fs, getenv)
	fs.StringVar(&o.inbox, "inbox", getenv("SAHAY_LOAD_WIDGET_TOKEN"), "website token of a widget inbox (SAHAY_LOAD_WIDGET_TOKEN)")
	fs.IntVar(&o.conns, "conns", 1000, "visitor sockets to open (at most 50000)")
	fs.Float64Var(&o.rate, "rate", 100, "messages per second, over all sockets")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send messages (at most 10m)")
	fs.IntVar(&o.dialRate, "dial-rate", 500, "sockets opened per second")
	fs.StringVar(&o.agentToken, "agent-token", getenv("SAHAY_LOAD_AGENT_TOKEN"), "API token of an agent: also measure delivery on the agent WebSocket (SAHAY_LOAD_AGENT_TOKEN)")
	fs.StringVar(&o.agentPath, "agent-path", "/api/v1/realtime", "path of the agent WebSocket")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return usageError{err}
	}
	return runSockets(ctx, o, out)
}

func (o *socketsOptions) check() error {
	if err := o.target.check(); err != nil {
		return err
	}
	switch {
	case o.inbox == "":
		return errors.New("-inbox is required: the website token of a widget inbox")
	case o.conns < 1 || o.conns > 50000:
		return errors.New("-conns must be 1 to 50000")
	case o.rate <= 0 || o.rate > 20000:
		return errors.New("-rate must be above 0 and at most 20000")
	case o.duration <= 0 || o.duration > maxDuration:
		return fmt.Errorf("-duration must be above 0 and at most %s", maxDuration)
	case o.dialRate < 1:
		return errors.New("-dial-rate must be at least 1")
	}
	return nil
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

func runSockets(ctx context.Context, o socketsOptions, out io.Writer) error {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	watch, err := newServerWatch(ctx, client, o.base, o.serverPID)
	if err != nil {
		return err
	}
	// The debug vars answer only a client on the server's machine.
	local := loopbackURL(o.base)
	var before debugVars
	if local {
		if before, err = vars(ctx, client, o.base, true); err != nil {
			return fmt.Errorf("read %s/widget/debug/vars (is this a Sahay with the widget?): %w", o.base, err)
		}
		fmt.Fprintf(out, "server before: %d sockets, heap %s, stack %s, %d goroutines\n", before.VisitorSockets, mb(before.HeapInuse), mb(before.StackInuse), before.Goroutines)
	}

	rec := &recorder{}
	if o.agentToken != "" {
		if err := listenAgent(ctx, o, rec); err != nil {
			return err
		}
	}

	// Open the sockets at the dial rate.
	visitors := make([]*visitor, 0, o.conns)
	var vmu sync.Mutex
	var dialErrs []string
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
				vmu.Lock()
				if failed.Add(1) <= 3 {
					dialErrs = append(dialErrs, fmt.Sprintf("visitor %d: %v", i, err))
				}
				vmu.Unlock()
				return
			}
			vmu.Lock()
			visitors = append(visitors, v)
			vmu.Unlock()
		}()
	}
	tick.Stop()
	wg.Wait()
	for _, e := range dialErrs {
		fmt.Fprintln(out, e)
	}
	fmt.Fprintf(out, "opened %d sockets in %s (%d failed)\n", len(visitors), time.Since(start).Round(time.Millisecond), failed.Load())
	if len(visitors) == 0 {
		return errors.New("no socket opened")
	}

	time.Sleep(2 * time.Second)
	var idle debugVars
	if local {
		if idle, err = vars(ctx, client, o.base, true); err != nil {
			return err
		}
	}
	if n := idle.VisitorSockets - before.VisitorSockets; n > 0 {
		heap := float64(int64(idle.HeapInuse)-int64(before.HeapInuse)) / float64(n)
		stack := float64(int64(idle.StackInuse)-int64(before.StackInuse)) / float64(n)
		fmt.Fprintf(out, "server idle: %d sockets, heap %s, stack %s, %d goroutines\n", idle.VisitorSockets, mb(idle.HeapInuse), mb(idle.StackInuse), idle.Goroutines)
		fmt.Fprintf(out, "memory per idle socket: %.1f KB (heap %.1f KB + stack %.1f KB)\n", (heap+stack)/1024, heap/1024, stack/1024)
	}

	// Send at the total rate, round robin over the sockets, with pings
	// keeping every socket alive.
	fmt.Fprintf(out, "sending %.0f messages/s for %s\n", o.rate, o.duration)
	if err := watch.begin(ctx); err != nil {
		return err
	}
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
	cpu := &Report{Ops: int64(sent)}
	if err := watch.end(ctx, cpu); err != nil {
		return err
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	fmt.Fprintf(out, "sent %d messages (%.0f/s), %d acked, %d delivered back, %d errors\n", sent, float64(sent)/elapsed.Seconds(),
		len(rec.ack), len(rec.delivery), rec.errs.Load())
	report(out, "ack (visitor → durable)", rec.ack)
	report(out, "  first message of a visitor", rec.firstAck)
	report(out, "  later messages", rec.laterAck)
	report(out, "delivery (visitor → bus → socket)", rec.delivery)
	if o.agentToken != "" {
		report(out, "visitor → agent socket", rec.agent)
	}
	if cpu.CPUSource != "" {
		fmt.Fprintf(out, "server CPU while sending: %.2fs, %s per message (from %s)\n", cpu.ServerCPU.Seconds(), ms(cpu.ServerCPUPerOp), cpu.CPUSource)
	}
	if cpu.ServerRSSEnd > 0 {
		fmt.Fprintf(out, "server RSS while sending: %s at start, %s at most, %s at the end\n", mb(cpu.ServerRSSStart), mb(cpu.ServerRSSMax), mb(cpu.ServerRSSEnd))
	}
	if local {
		if busy, err := vars(ctx, client, o.base, true); err == nil {
			fmt.Fprintf(out, "server after load: %d sockets, heap %s, stack %s, sys %s, %d goroutines\n", busy.VisitorSockets, mb(busy.HeapInuse), mb(busy.StackInuse), mb(busy.Sys), busy.Goroutines)
		}
	}
	rec.closed.Range(func(k, v any) bool {
		fmt.Fprintf(out, "sockets closed by the server during the run: %d with status %s\n", v.(*atomic.Int64).Load(), k)
		return true
	})
	for _, v := range visitors {
		v.conn.Close(websocket.StatusNormalClosure, "")
	}
	return nil
}

func dial(ctx context.Context, client *http.Client, o socketsOptions, i int, rec *recorder) (*visitor, error) {
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
	u := "ws" + strings.TrimPrefix(o.base, "http") + "/widget/v1/ws?token=" + url.QueryEscape(s.Token)
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
func listenAgent(ctx context.Context, o socketsOptions, rec *recorder) error {
	u := "ws" + strings.TrimPrefix(o.base, "http") + o.agentPath
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

func report(out io.Writer, name string, ds []time.Duration) {
	if len(ds) == 0 {
		fmt.Fprintf(out, "%-36s no samples\n", name)
		return
	}
	slices.Sort(ds)
	p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	fmt.Fprintf(out, "%-36s n=%d p50=%s p90=%s p99=%s max=%s\n", name, len(ds), ms(p(.5)), ms(p(.9)), ms(p(.99)), ms(ds[len(ds)-1]))
}
