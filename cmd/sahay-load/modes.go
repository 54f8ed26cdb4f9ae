package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// modeOptions are the flags of the closed-loop modes; each mode reads the
// ones it names in its synopsis.
type modeOptions struct {
	// widget
	inbox       string
	sessionPath string
	socketPath  string
	// api, list, login
	token       string
	tokenHeader string
	path        string
	body        string
	contacts    int
	// list
	query       string
	pages       int
	cursorField string
	cursorParam string
	pageParam   string
	// login
	email    string
	password string
}

var synopses = map[string]string{
	"widget": "-inbox WEBSITE_TOKEN [-concurrency N] [-duration D] [-server-pid PID]",
	"api":    "-inbox ID -token TOKEN [-concurrency N] [-duration D] [-server-pid PID]",
	"list":   "-token TOKEN [-pages N] [-query Q] [-concurrency N] [-duration D] [-server-pid PID]",
	"login":  "-email EMAIL -password PASSWORD [-concurrency N] [-duration D] [-server-pid PID]",
}

// Defaults of the api, list and login modes' requests: Sahay's.
const (
	defaultAPIPath   = "/api/v1/inboxes/{inbox}/messages"
	defaultAPIBody   = `{"contact":{"identifier":"load-{contact}","name":"Load customer {contact}"},"content":"load message {seq} from the load tool","external_id":"load-{run}-{seq}"}`
	defaultListPath  = "/api/v1/conversations"
	defaultLoginPath = "/api/v1/auth/login"
	defaultLoginBody = `{"email":{email},"password":{password}}`
)

func loopCommand(ctx context.Context, mode string, args []string, getenv func(string) string, out io.Writer) error {
	var (
		t target
		l loop
		o modeOptions
	)
	fs := newFlagSet(mode, synopses[mode], out)
	t.flags(fs, getenv)
	l.flags(fs)
	switch mode {
	case "widget":
		fs.StringVar(&o.inbox, "inbox", getenv("SAHAY_LOAD_WIDGET_TOKEN"), "website token of a widget inbox (SAHAY_LOAD_WIDGET_TOKEN)")
		fs.StringVar(&o.sessionPath, "session-path", "/widget/v1/session", "path of the widget's session endpoint")
		fs.StringVar(&o.socketPath, "socket-path", "/widget/v1/ws", "path of the widget's WebSocket")
	case "api":
		fs.StringVar(&o.inbox, "inbox", getenv("SAHAY_LOAD_API_INBOX"), "id of an API inbox, put in the path for {inbox} (SAHAY_LOAD_API_INBOX)")
		fs.StringVar(&o.token, "token", getenv("SAHAY_LOAD_API_TOKEN"), "an administrator's API token (SAHAY_LOAD_API_TOKEN)")
		fs.StringVar(&o.path, "path", defaultAPIPath, "request path; {inbox} is replaced by -inbox")
		fs.StringVar(&o.body, "body", defaultAPIBody, "JSON body template; {run}, {worker}, {seq} and {contact} are replaced per request")
		fs.IntVar(&o.contacts, "contacts", 100, "distinct customers the messages come from ({contact} is the request number modulo this)")
	case "list":
		fs.StringVar(&o.token, "token", getenv("SAHAY_LOAD_AGENT_TOKEN"), "an agent's API token (SAHAY_LOAD_AGENT_TOKEN)")
		fs.StringVar(&o.path, "path", defaultListPath, "request path")
		fs.StringVar(&o.query, "query", "", "query string added to every page, such as status=all&limit=25")
		fs.IntVar(&o.pages, "pages", 5, "pages each worker reads in a row before starting again at the first")
		fs.StringVar(&o.cursorField, "cursor-field", "next_cursor", "top-level JSON field of a page holding the next page's cursor")
		fs.StringVar(&o.cursorParam, "cursor-param", "cursor", "query parameter that takes the cursor")
		fs.StringVar(&o.pageParam, "page-param", "", "numbered pages instead of cursors: the query parameter taking the page number, from 1")
	case "login":
		fs.StringVar(&o.email, "email", getenv("SAHAY_LOAD_EMAIL"), "email of a user (SAHAY_LOAD_EMAIL)")
		fs.StringVar(&o.password, "password", getenv("SAHAY_LOAD_PASSWORD"), "their password (SAHAY_LOAD_PASSWORD)")
		fs.StringVar(&o.path, "path", defaultLoginPath, "request path")
		fs.StringVar(&o.body, "body", defaultLoginBody, "JSON body template; {email} and {password} are replaced by JSON strings")
	}
	if mode != "widget" {
		fs.StringVar(&o.tokenHeader, "token-header", "Authorization", "header that carries -token; Authorization sends \"Bearer TOKEN\", any other header the token alone")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := t.check(); err != nil {
		return usageError{err}
	}
	if err := l.check(); err != nil {
		return usageError{err}
	}
	newW, err := o.workload(mode, t.base, l.concurrency)
	if err != nil {
		return usageError{err}
	}
	r, err := runLoop(ctx, t, l, newClient(l.concurrency), mode, newW)
	if err != nil {
		return err
	}
	return r.print(out, t.json)
}

// newClient returns an HTTP client that keeps a connection per worker.
func newClient(concurrency int) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: concurrency + 4, MaxIdleConns: concurrency + 4}}
}

// workload checks the mode's options and returns how to make its workers.
func (o *modeOptions) workload(mode, base string, concurrency int) (newWorker, error) {
	client := newClient(concurrency)
	run := randomID()
	switch mode {
	case "widget":
		if o.inbox == "" {
			return nil, errors.New("-inbox is required: the website token of a widget inbox")
		}
		return o.widgetWorker(client, base, run), nil
	case "api":
		switch {
		case o.token == "":
			return nil, errors.New("-token is required: an administrator's API token")
		case strings.Contains(o.path, "{inbox}") && o.inbox == "":
			return nil, errors.New("-inbox is required: the id of an API inbox")
		case o.contacts < 1:
			return nil, errors.New("-contacts must be at least 1")
		}
		if err := checkPath(o.path); err != nil {
			return nil, err
		}
		path := strings.ReplaceAll(o.path, "{inbox}", url.PathEscape(o.inbox))
		var seq atomic.Int64
		return func(ctx context.Context, i int) (worker, error) {
			return worker{op: func(ctx context.Context) error {
				n := seq.Add(1)
				body := strings.NewReplacer("{run}", run, "{worker}", strconv.Itoa(i), "{seq}", strconv.FormatInt(n, 10),
					"{contact}", strconv.FormatInt(n%int64(o.contacts), 10)).Replace(o.body)
				return o.request(ctx, client, "POST", base+path, body, nil)
			}}, nil
		}, nil
	case "list":
		switch {
		case o.token == "":
			return nil, errors.New("-token is required: an agent's API token")
		case o.pages < 1:
			return nil, errors.New("-pages must be at least 1")
		case o.pageParam == "" && o.pages > 1 && (o.cursorField == "" || o.cursorParam == ""):
			return nil, errors.New("-cursor-field and -cursor-param are required to read more than one page (or use -page-param)")
		}
		if err := checkPath(o.path); err != nil {
			return nil, err
		}
		query, err := url.ParseQuery(o.query)
		if err != nil {
			return nil, fmt.Errorf("-query: %w", err)
		}
		return func(ctx context.Context, i int) (worker, error) {
			return worker{op: o.pager(client, base, query)}, nil
		}, nil
	case "login":
		if o.email == "" || o.password == "" {
			return nil, errors.New("-email and -password are required: a user who can sign in")
		}
		if err := checkPath(o.path); err != nil {
			return nil, err
		}
		email, _ := json.Marshal(o.email)
		password, _ := json.Marshal(o.password)
		body := strings.NewReplacer("{email}", string(email), "{password}", string(password)).Replace(o.body)
		return func(ctx context.Context, i int) (worker, error) {
			return worker{op: func(ctx context.Context) error {
				return o.request(ctx, client, "POST", base+o.path, body, nil)
			}}, nil
		}, nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("-path must start with /, not %q", p)
	}
	return nil
}

// request sends one request and succeeds on a 2xx answer; into, if not
// nil, receives the decoded JSON body.
func (o *modeOptions) request(ctx context.Context, client *http.Client, method, u, body string, into any) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.token != "" {
		if strings.EqualFold(o.tokenHeader, "Authorization") {
			req.Header.Set("Authorization", "Bearer "+o.token)
		} else {
			req.Header.Set(o.tokenHeader, o.token)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: %s %s", method, req.URL.Path, resp.Status, firstLine(data))
	}
	if into != nil {
		if err := json.Unmarshal(data, into); err != nil {
			return fmt.Errorf("%s %s: the answer is not JSON: %w", method, req.URL.Path, err)
		}
	}
	return nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(bytes.TrimSpace(b)), "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// pager returns a list worker's operation: read the next page, following
// the cursor (or page number) of the last one, and start again at the
// first page after o.pages pages or at the end of the list.
func (o *modeOptions) pager(client *http.Client, base string, query url.Values) func(ctx context.Context) error {
	var (
		page   int // pages read in this walk
		cursor string
	)
	return func(ctx context.Context) error {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		switch {
		case o.pageParam != "":
			q.Set(o.pageParam, strconv.Itoa(page+1))
		case cursor != "":
			q.Set(o.cursorParam, cursor)
		}
		u := base + o.path
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		var answer map[string]json.RawMessage
		var into any
		if o.pages > 1 && o.pageParam == "" {
			into = &answer
		}
		if err := o.request(ctx, client, "GET", u, "", into); err != nil {
			page, cursor = 0, ""
			return err
		}
		page++
		next := ""
		if into != nil {
			json.Unmarshal(answer[o.cursorField], &next)
		}
		if page >= o.pages || (o.pageParam == "" && next == "") {
			page, cursor = 0, ""
		} else {
			cursor = next
		}
		return nil
	}
}

// widgetWorker returns the widget mode's workers: each is one visitor,
// with a session and an open WebSocket, who sends a message and waits for
// its acknowledgement.
func (o *modeOptions) widgetWorker(client *http.Client, base, run string) newWorker {
	return func(ctx context.Context, i int) (worker, error) {
		v, err := openVisitor(ctx, client, base, o.sessionPath, o.socketPath, o.inbox)
		if err != nil {
			return worker{}, err
		}
		replies := make(chan socketReply, 16)
		readCtx, stop := context.WithCancel(context.Background())
		go func() {
			defer close(replies)
			for {
				_, data, err := v.Read(readCtx)
				if err != nil {
					return
				}
				var f struct {
					T       string `json:"t"`
					CID     string `json:"cid"`
					Code    string `json:"code"`
					Message string `json:"message"`
				}
				if json.Unmarshal(data, &f) != nil || (f.T != "ack" && f.T != "err") {
					continue
				}
				r := socketReply{cid: f.CID}
				if f.T == "err" {
					r.err = fmt.Errorf("widget: %s: %s", f.Code, f.Message)
				}
				select {
				case replies <- r:
				case <-readCtx.Done():
					return
				}
			}
		}()
		n := 0
		op := func(ctx context.Context) error {
			n++
			cid := fmt.Sprintf("load-%s-%d-%d", run, i, n)
			frame, _ := json.Marshal(map[string]string{"t": "msg", "cid": cid, "text": cid + " hello from the load tool"})
			if err := v.Write(ctx, websocket.MessageText, frame); err != nil {
				return fmt.Errorf("widget: send: %w", err)
			}
			for {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case r, ok := <-replies:
					if !ok {
						return errors.New("widget: the server closed the socket")
					}
					if r.cid == cid || (r.cid == "" && r.err != nil) {
						return r.err
					}
					// An answer to an earlier message that timed out.
				}
			}
		}
		return worker{op: op, close: func() {
			stop()
			v.Close(websocket.StatusNormalClosure, "")
		}}, nil
	}
}

// socketReply is the server's answer to a visitor's frame: an ack, or an
// error.
type socketReply struct {
	cid string
	err error
}

// openVisitor starts a widget session and opens its WebSocket.
func openVisitor(ctx context.Context, client *http.Client, base, sessionPath, socketPath, inbox string) (*websocket.Conn, error) {
	body := fmt.Sprintf(`{"inbox":%q,"locales":["en"]}`, inbox)
	req, err := http.NewRequestWithContext(ctx, "POST", base+sessionPath, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("session: %s %s", resp.Status, firstLine(data))
	}
	var s struct{ Token string }
	if err := json.Unmarshal(data, &s); err != nil || s.Token == "" {
		return nil, fmt.Errorf("session: no token in the answer %s", firstLine(data))
	}
	u := "ws" + strings.TrimPrefix(base, "http") + socketPath + "?token=" + url.QueryEscape(s.Token)
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	return c, nil
}

// randomID names a run, so that its external ids and markers differ from
// every other run's.
func randomID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
