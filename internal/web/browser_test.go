package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/web"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The browser tests drive the real dashboard in Debian's Chromium against a
// real Sahay. They are slow and need the browser, so they run only when
// asked:
//
//	SAHAY_TEST_BROWSER=1 go test ./internal/web -run TestBrowser
const browserEnv = "SAHAY_TEST_BROWSER"

const chromium = "/usr/bin/chromium"

func needBrowser(t *testing.T, env string) {
	t.Helper()
	if os.Getenv(env) != "1" {
		t.Skipf("browser test: set %s=1 to run it (needs %s: apt-get install -y chromium)", env, chromium)
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s=1 but %s is missing: apt-get install -y chromium", env, chromium)
	}
}

// dashboard is a Sahay serving its API and the dashboard from one origin, as
// a browser sees it in production.
type dashboard struct {
	*apitest.Server
	URL string // origin of the dashboard, without a trailing slash
}

func startDashboard(t *testing.T) *dashboard {
	t.Helper()
	return startDashboardWith(t, apitest.Options{})
}

// startDashboardWith is [startDashboard] with options for the server.
func startDashboardWith(t *testing.T, o apitest.Options) *dashboard {
	t.Helper()
	s := apitest.NewServerWith(t, o)
	mux := http.NewServeMux()
	mux.Handle("/api/", s.App.Handler())
	mux.Handle("/", web.Handler())
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return &dashboard{Server: s, URL: hs.URL}
}

// startShop is [startDashboard] with the widget's public routes mounted as
// well, so a second tab can be a visitor of the shop on /demo.
func startShop(t *testing.T) *dashboard {
	t.Helper()
	s := apitest.NewServer(t)
	app := s.App.Handler()
	var base string
	// The demo and preview pages load widget.js from the configured public
	// URL, and the widget talks to the origin it was loaded from. The test
	// server listens elsewhere, so those two pages are given its address.
	atTestServer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(bytes.ReplaceAll(rec.Body.Bytes(), []byte(s.App.Config.PublicURL), []byte(base)))
	})
	mux := http.NewServeMux()
	for _, p := range []string{"/api/", "/widget.js", "/widget/"} {
		mux.Handle(p, app)
	}
	mux.Handle("/demo", atTestServer)
	mux.Handle("/widget/preview", atTestServer)
	mux.Handle("/", web.Handler())
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	base = hs.URL
	return &dashboard{Server: s, URL: hs.URL}
}

// cspListener records a document's content security policy violations in
// window.__csp, once however often it runs.
const cspListener = `(window.__cspWatched || (window.__cspWatched = true,
	document.addEventListener("securitypolicyviolation", (e) => (window.__csp = (window.__csp || []).concat(e.violatedDirective + " " + e.blockedURI)))), true)`

// cspWatched holds the tabs whose every new document runs cspListener.
var cspWatched sync.Map

// watchCSP records the content security policy violations of the page open
// in ctx, and of every page the tab opens later, from before their own
// scripts run, for noCSPViolation to check: the dashboard must keep to its
// own policy (and be allowed to frame the widget's preview). A click that
// navigates may still be loading its page: that page is watched from its
// start, so the one being replaced needs no listener.
func watchCSP(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, done := cspWatched.LoadOrStore(chromedp.FromContext(ctx).Target, true); !done {
		do(t, ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			_, err := cdp.Call(ctx, tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener})
			return err
		}))
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Evaluate[bool](cspListener)); err != nil && !strings.Contains(err.Error(), "navigated or closed") {
		t.Fatalf("watch the page's policy: %v", err)
	}
}

// noCSPViolation fails the test if the page broke its policy since watchCSP.
func noCSPViolation(t *testing.T, ctx context.Context) {
	t.Helper()
	if got := eval[[]string](t, ctx, `window.__csp || []`); len(got) > 0 {
		t.Fatalf("the page broke its own policy: %v", got)
	}
}

// newBrowser starts a headless Chromium with a throwaway profile and returns
// the context of its first tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate"),
		chromedp.Flag("lang", "en-US"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// newProfile opens a tab in a fresh browser context: its own cookies and
// storage, as a second person on another computer.
func newProfile(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open browser context: %v", err)
	}
	return ctx
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			state := eval[string](t, ctx, `location.href + "\n" + (document.querySelector("#main")?.innerText ?? document.body.innerText).slice(0, 1500) +
				(document.querySelector(".dialog") ? "\ndialog:\n" + document.querySelector(".dialog").innerText.slice(0, 1000) : "")`)
			t.Fatalf("timed out waiting until %s (%s); err %v; page:\n%s", what, cond, err, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// press presses a key in the focused element as a keyboard does: one
// key-down that carries the text, so that a handler which prevents its
// default also prevents the typing. (chromedp's KeyEvent sends the text as a
// separate char event, which nothing can cancel.) Keys: "Enter", "Escape",
// or one lowercase letter or "/".
func press(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	k := input.DispatchKeyEventParams{Key: key}
	text := key
	switch {
	case key == "Enter":
		k.Code, k.WindowsVirtualKeyCode, text = "Enter", 13, "\r"
	case key == "Escape":
		k.Code, k.WindowsVirtualKeyCode, text = "Escape", 27, ""
	case key == "/":
		k.Code, k.WindowsVirtualKeyCode = "Slash", 191
	case len(key) == 1 && key[0] >= 'a' && key[0] <= 'z':
		k.Code, k.WindowsVirtualKeyCode = "Key"+strings.ToUpper(key), int64(key[0]-'a'+'A')
	default:
		t.Fatalf("press: unsupported key %q", key)
	}
	k.NativeVirtualKeyCode = k.WindowsVirtualKeyCode
	down, up := k, k
	down.Type, down.Text, down.UnmodifiedText = input.DispatchKeyEventTypeKeyDown, text, text
	if text == "" {
		down.Type = input.DispatchKeyEventTypeRawKeyDown
	}
	up.Type = input.DispatchKeyEventTypeKeyUp
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, e := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, e); err != nil {
				return err
			}
		}
		return nil
	}))
}

// clickText clicks the first element matching selector whose text contains text.
// click clicks the element selector matches, as a user would. The page may
// draw the element anew between chromedp finding it and clicking it (a
// live update re-rendering the list or the sidebar): then nothing was
// clicked, and the click is made again on the element drawn anew.
func click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Do(c, chromedp.Click(chromedp.CSS(selector)))
		cancel()
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "Could not find node with given id") || time.Now().After(deadline) {
			t.Fatalf("click %s: %v", selector, err)
		}
	}
}

func clickText(t *testing.T, ctx context.Context, selector, text string) {
	t.Helper()
	waitFor(t, ctx, fmt.Sprintf("%s with %q", selector, text),
		fmt.Sprintf(`[...document.querySelectorAll(%s)].some((e) => e.textContent.includes(%s))`, jsString(selector), jsString(text)))
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = [...document.querySelectorAll(%s)].find((e) => e.textContent.includes(%s)); e.click(); return true })()`,
		jsString(selector), jsString(text)))
}

func login(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/conversations?view=all&status=open&sort=last_activity"),
		chromedp.WaitVisible(chromedp.CSS(".login-card input[name=email]")),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), email),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
		chromedp.Click(chromedp.CSS(".login-card button[type=submit]")),
	)
	waitFor(t, ctx, "the inbox shows after signing in", `document.querySelector(".sidebar .me-name")`)
}

// receive posts a customer message into an API inbox, as the platform
// integration would.
func receive(t *testing.T, d *dashboard, token string, inbox int64, contactID, name, content, externalID string) *apitest.Received {
	t.Helper()
	var out apitest.Received
	d.Must(t, token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/messages", inbox), map[string]any{
		"contact":     map[string]any{"identifier": contactID, "name": name},
		"content":     content,
		"external_id": externalID,
	}, http.StatusCreated, &out)
	return &out
}

func conversation(t *testing.T, d *dashboard, token string, id int64) sahay.Conversation {
	t.Helper()
	var c sahay.Conversation
	d.Must(t, token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d", id), nil, http.StatusOK, &c)
	return c
}

// eventually polls an API check until it holds.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestBrowser(t *testing.T) {
	needBrowser(t, browserEnv)
	// One of the browser tests that also run on PostgreSQL; the others
	// run on SQLite only, to keep the suite's time down.
	apitest.Dialects(t, func(t *testing.T, dialect string) {
		d := startDashboard(t)
		owner := d.NewAccount(t, "Shop")
		agent := d.NewUser(t, owner, sahay.RoleAgent)
		inbox := d.NewInbox(t, owner, "Website", "api", map[string]any{"webhook_url": ""}, owner.ID, agent.ID)
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/labels", map[string]any{"name": "billing", "color": "#2563eb"}, http.StatusCreated, nil)
		d.Must(t, owner.Token, http.MethodPost, "/api/v1/canned_responses", map[string]any{
			"short_code": "thanks",
			"content":    "Hello {{contact.name}}, this is {{agent.name}} about #{{conversation.id}}.",
		}, http.StatusCreated, nil)

		browser := newBrowser(t)
		ctx := browser
		var first *apitest.Received

		t.Run("login", func(t *testing.T) {
			// A laptop's screen, where agents work.
			do(t, ctx, chromedp.EmulateViewport(1280, 800))
			do(t, ctx, chromedp.Navigate(d.URL+"/conversations/1"), chromedp.WaitVisible(chromedp.CSS(".login-card")))
			watchCSP(t, ctx)
			if got := eval[string](t, ctx, `location.pathname`); got != "/login" {
				t.Fatalf("signed-out deep link went to %s, want /login", got)
			}
			do(t, ctx,
				chromedp.SendKeys(chromedp.CSS("input[name=email]"), owner.Email),
				chromedp.SendKeys(chromedp.CSS("input[name=password]"), "wrong password"),
				chromedp.Click(chromedp.CSS(".login-card button[type=submit]")),
			)
			waitFor(t, ctx, "a bad password is refused", `document.querySelector(".form-error")?.textContent.includes("Wrong email or password")`)
			eval[bool](t, ctx, `(document.querySelector("input[name=password]").value = "", true)`)
			do(t, ctx,
				chromedp.SendKeys(chromedp.CSS("input[name=password]"), owner.Password),
				chromedp.Click(chromedp.CSS(".login-card button[type=submit]")),
			)
			waitFor(t, ctx, "the deep link opens after signing in", `location.pathname === "/conversations/1" && document.querySelector(".sidebar .me-name")`)
			do(t, ctx, chromedp.Navigate(d.URL+"/conversations?view=all&status=open&sort=last_activity"))
			watchCSP(t, ctx)
			waitFor(t, ctx, "the account name shows", `document.querySelector(".brand-name").textContent === "Shop"`)
			// Marks the page: if anything reloads it, the mark disappears.
			eval[bool](t, ctx, `window.__noReload = true`)
		})

		t.Run("conversation arrives live", func(t *testing.T) {
			waitFor(t, ctx, "the realtime connection is up", `window.__sahay && window.__sahay.connected()`)
			waitFor(t, ctx, "the list is empty", `document.querySelector(".conv-list .empty")`)
			first = receive(t, d, owner.Token, inbox.ID, "c1", "Rahim", "Where is my order 1042?", "m1")
			waitFor(t, ctx, "Rahim's conversation appears in the list", `[...document.querySelectorAll(".conv-item .name")].some((e) => e.textContent === "Rahim")`)
			waitFor(t, ctx, "its preview shows the message", `document.querySelector(".conv-item .preview")?.textContent.includes("order 1042")`)
			waitFor(t, ctx, "the open count updates", `document.querySelector(".tab.active .count")?.textContent === "1"`)
			if !eval[bool](t, ctx, `window.__noReload === true`) {
				t.Fatal("the page reloaded")
			}
		})

		t.Run("reply with a canned response", func(t *testing.T) {
			clickText(t, ctx, ".conv-item .name", "Rahim")
			waitFor(t, ctx, "the conversation opens", `document.querySelector(".timeline .msg.incoming")?.textContent.includes("order 1042")`)
			do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "/tha"))
			waitFor(t, ctx, "the canned response popup lists /thanks", `document.querySelector(".suggest:not([hidden]) .suggest-item.active")?.textContent.includes("/thanks")`)
			press(t, ctx, "Enter")
			want := fmt.Sprintf("Hello Rahim, this is %s about #%d.", owner.Name, first.Conversation.DisplayID)
			if got := eval[string](t, ctx, `document.querySelector(".composer-input").value`); got != want {
				t.Fatalf("composer holds %q, want %q", got, want)
			}
			press(t, ctx, "Enter")
			waitFor(t, ctx, "the composer is cleared", `document.querySelector(".composer-input").value === ""`)
			waitFor(t, ctx, "the reply shows on the right", fmt.Sprintf(`[...document.querySelectorAll(".timeline .msg.outgoing .msg-body")].some((e) => e.textContent === %s)`, jsString(want)))
			waitFor(t, ctx, "the reply has a delivery status", `document.querySelector(".timeline .msg.outgoing .delivery")`)
			var msgs struct{ Items []sahay.Message }
			d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", first.Conversation.ID), nil, http.StatusOK, &msgs)
			last := msgs.Items[len(msgs.Items)-1]
			if last.Kind != sahay.MessageOutgoing || last.Content != want {
				t.Fatalf("last message is %s %q, want the outgoing reply", last.Kind, last.Content)
			}
		})

		t.Run("note with a mention notifies the agent", func(t *testing.T) {
			other := newProfile(t, browser)
			login(t, other, d.URL, agent.Email, agent.Password)
			waitFor(t, other, "the agent is connected", `window.__sahay && window.__sahay.lastSeq() > 0`)

			eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
			press(t, ctx, "n")
			waitFor(t, ctx, "n switches the composer to a private note", `document.querySelector(".composer.note .composer-input") === document.activeElement`)
			do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "@Test"))
			waitFor(t, ctx, "the mention popup lists the agent", fmt.Sprintf(`document.querySelector(".suggest:not([hidden])")?.textContent.includes(%s)`, jsString(agent.Name)))
			press(t, ctx, "Enter")
			do(t, ctx, chromedp.SendKeys(chromedp.CSS(".composer-input"), "can you check the refund?"))
			press(t, ctx, "Enter")
			note := "@" + agent.Name + " can you check the refund?"
			waitFor(t, ctx, "the note shows, yellow", fmt.Sprintf(`[...document.querySelectorAll(".timeline .msg.note .msg-body")].some((e) => e.textContent === %s)`, jsString(note)))

			waitFor(t, other, "the agent's notification count shows", `document.querySelector("#nav-notifications .badge")`)
			click(t, other, "#nav-notifications")
			waitFor(t, other, "the notification names the mention", fmt.Sprintf(`document.querySelector(".note-item.unread")?.textContent.includes("You were mentioned in #%d")`, first.Conversation.DisplayID))
		})

		t.Run("assign, label and resolve", func(t *testing.T) {
			clickText(t, ctx, ".conv-tools .tool.assign", "")
			clickText(t, ctx, ".menu .menu-item", agent.Name)
			eventually(t, "the conversation is assigned to the agent", func() bool {
				return conversation(t, d, owner.Token, first.Conversation.ID).AssigneeID == agent.ID
			})
			waitFor(t, ctx, "the header shows the assignee", fmt.Sprintf(`document.querySelector(".tool.assign .tool-value").textContent === %s`, jsString(agent.Name)))

			click(t, ctx, ".conv-tools .add-label")
			clickText(t, ctx, ".labels-menu label", "billing")
			eventually(t, "the conversation has the billing label", func() bool {
				c := conversation(t, d, owner.Token, first.Conversation.ID)
				return len(c.Labels) == 1 && c.Labels[0] == "billing"
			})
			press(t, ctx, "Escape")
			waitFor(t, ctx, "the label chip shows in the list", `document.querySelector(".conv-item.active .chip")?.textContent.includes("billing")`)
			waitFor(t, ctx, "the timeline records the label", fmt.Sprintf(`[...document.querySelectorAll(".timeline .msg.activity")].some((e) => e.textContent.includes(%s))`,
				jsString(owner.Name+" added the label billing")))
			d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", first.Conversation.ID), map[string]any{"priority": sahay.PriorityHigh}, http.StatusOK, nil)
			waitFor(t, ctx, "the timeline records the priority", fmt.Sprintf(`[...document.querySelectorAll(".timeline .msg.activity")].some((e) => e.textContent.includes(%s))`,
				jsString(owner.Name+" set the priority to High")))

			eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
			press(t, ctx, "e")
			eventually(t, "the conversation is resolved", func() bool {
				return conversation(t, d, owner.Token, first.Conversation.ID).Status == sahay.StatusResolved
			})
			waitFor(t, ctx, "the header offers Reopen", `document.querySelector(".conv-head .reopen")`)
			waitFor(t, ctx, "the conversation leaves the Open list", `!document.querySelector(".conv-item")`)
			click(t, ctx, ".conv-head .reopen")
			eventually(t, "the conversation is open again", func() bool {
				return conversation(t, d, owner.Token, first.Conversation.ID).Status == sahay.StatusOpen
			})
		})

		t.Run("search in Bengali", func(t *testing.T) {
			receive(t, d, owner.Token, inbox.ID, "c3", "Farzana", "আমার অর্ডার এখনও আসেনি। কবে পাব?", "m3")
			press(t, ctx, "/")
			waitFor(t, ctx, "the search page opens", `document.querySelector(".search-input") === document.activeElement`)
			do(t, ctx, chromedp.SendKeys(chromedp.CSS(".search-input"), "অর্ডার"))
			waitFor(t, ctx, "a highlighted Bengali match shows", `document.querySelector(".message-result mark")?.textContent.includes("অর্ডার")`)
			if got := eval[string](t, ctx, `document.querySelector(".message-result .snippet").textContent`); !strings.Contains(got, "আসেনি") {
				t.Fatalf("snippet %q lacks the message text", got)
			}
			eval[bool](t, ctx, `(history.back(), true)`)
			waitFor(t, ctx, "back to the inbox", `document.querySelector(".conv-list")`)
		})

		t.Run("list resumes after the socket is cut", func(t *testing.T) {
			before := eval[int](t, ctx, `window.__sahay.lastSeq()`)
			// Stay offline for two seconds: the message below is committed
			// while no socket is open, so only the resume can bring it.
			eval[bool](t, ctx, `(window.__sahay.dropSocket(2000), true)`)
			waitFor(t, ctx, "the socket is closed", `!window.__sahay.connected()`)
			receive(t, d, owner.Token, inbox.ID, "c4", "Karim", "Posted while the socket was down", "m4")
			if eval[bool](t, ctx, `window.__sahay.connected() || [...document.querySelectorAll(".conv-item .name")].some((e) => e.textContent === "Karim")`) {
				t.Fatal("the socket was back before the message was posted; the test proves nothing")
			}
			waitFor(t, ctx, "Karim's conversation appears after the reconnect", `[...document.querySelectorAll(".conv-item .name")].some((e) => e.textContent === "Karim")`)
			if after := eval[int](t, ctx, `window.__sahay.lastSeq()`); after <= before {
				t.Fatalf("last sequence %d after the reconnect, was %d", after, before)
			}
			if !eval[bool](t, ctx, `window.__noReload === true`) {
				t.Fatal("the page reloaded")
			}
		})

		t.Run("delivery status and retry", func(t *testing.T) {
			clickText(t, ctx, ".conv-item .name", "Rahim")
			waitFor(t, ctx, "the reply shows", `document.querySelector(".timeline .msg.outgoing .delivery")`)
			var msgs struct{ Items []sahay.Message }
			d.Must(t, owner.Token, http.MethodGet, fmt.Sprintf("/api/v1/conversations/%d/messages", first.Conversation.ID), nil, http.StatusOK, &msgs)
			var reply sahay.Message
			for _, m := range msgs.Items {
				if m.Kind == sahay.MessageOutgoing {
					reply = m
				}
			}
			if reply.ExternalID == "" {
				t.Fatalf("the reply has no external id yet: %+v", reply)
			}
			status := func(s, errText string) {
				d.Must(t, owner.Token, http.MethodPost, fmt.Sprintf("/api/v1/inboxes/%d/statuses", inbox.ID),
					map[string]any{"external_id": reply.ExternalID, "status": s, "error": errText}, http.StatusNoContent, nil)
			}
			sel := fmt.Sprintf(`.timeline .msg[data-id="%d"] .delivery`, reply.ID)
			status("delivered", "")
			waitFor(t, ctx, "the reply shows double ticks", fmt.Sprintf(`document.querySelector(%s)?.classList.contains("delivered")`, jsString(sel)))
			status("failed", "recipient blocked")
			waitFor(t, ctx, "the reply shows as failed with Retry", fmt.Sprintf(`document.querySelector(%s)?.classList.contains("failed") && document.querySelector(%s)`, jsString(sel), jsString(sel+" .retry")))
			click(t, ctx, sel+" .retry")
			waitFor(t, ctx, "the retried reply is no longer failed", fmt.Sprintf(`!document.querySelector(%s).classList.contains("failed")`, jsString(sel)))
			status("read", "")
			waitFor(t, ctx, "the reply shows blue double ticks", fmt.Sprintf(`document.querySelector(%s)?.classList.contains("read")`, jsString(sel)))
		})

		t.Run("customer text cannot inject markup", func(t *testing.T) {
			payload := `<img src=x onerror=window.__xss=1> <script>window.__xss=2</script> [click](javascript:alert(1)) javascript:alert(1)`
			evil := receive(t, d, owner.Token, inbox.ID, "c5", `<img src=x onerror=window.__xss=3>`, payload, "m5")
			// Clicked in the page: the list may draw the item again (its
			// analysis arriving) between finding a node and clicking it.
			openConversation(t, ctx, evil.Conversation.ID)
			waitFor(t, ctx, "the message renders", `document.querySelector(".timeline .msg.incoming .msg-body")?.textContent.includes("onerror")`)
			if got := eval[string](t, ctx, `document.querySelector(".timeline .msg.incoming .msg-body").textContent`); got != payload {
				t.Fatalf("message shows as %q, want the literal text %q", got, payload)
			}
			checks := map[string]string{
				"no script ran":                           `window.__xss === undefined`,
				"no img element in the timeline":          `document.querySelectorAll(".timeline img").length === 0`,
				"no img element in the list":              `document.querySelectorAll(".conv-list img").length === 0`,
				"no javascript: link anywhere":            `document.querySelectorAll('a[href^="javascript:" i]').length === 0`,
				"no script element in the page body":      `document.body.querySelectorAll("script").length === 0`,
				"the contact name is literal in the list": `document.querySelector(".conv-item.active .name").textContent === "<img src=x onerror=window.__xss=3>"`,
			}
			for what, cond := range checks {
				if !eval[bool](t, ctx, cond) {
					t.Errorf("%s: %s is false", what, cond)
				}
			}
		})

		t.Run("no content security policy violation", func(t *testing.T) {
			noCSPViolation(t, ctx)
		})
	})
}
