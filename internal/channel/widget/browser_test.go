package widget

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// startBrowser starts headless Chromium (SAHAY_CHROMIUM, else
// /usr/bin/chromium) for a test, or skips the test unless
// SAHAY_TEST_BROWSER=1.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if os.Getenv("SAHAY_TEST_BROWSER") != "1" {
		t.Skip("browser test: set SAHAY_TEST_BROWSER=1 and install Chromium (apt-get install -y chromium) to run it")
	}
	path := os.Getenv("SAHAY_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("SAHAY_TEST_BROWSER=1 but %s is missing: apt-get install -y chromium", path)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 760),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// shadow is a script prefix that finds the widget's shadow root.
const shadow = `(() => { const r = document.getElementById("sahay-widget"); return r && r.shadowRoot; })()`

func awaitPromise(p *runtime.EvaluateParams) {
	yes := true
	p.AwaitPromise = &yes
}

// js evaluates an expression in the page.
func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, awaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// until polls a page expression until it is true.
func until(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	// Each try evaluates afresh: a page that is still navigating has no
	// context to evaluate in yet, which is a reason to try again, not to
	// fail.
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out (last error: %v)", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor polls a Go condition.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot writes the page to docs/screenshots when SAHAY_SCREENSHOTS=1,
// so that running the tests leaves the documentation as it is.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("SAHAY_SCREENSHOTS") != "1" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserVisitorChatsWithAgent runs on both databases: the widget's
// other browser tests run on SQLite only, to keep the suite's time down.
func TestBrowserVisitorChatsWithAgent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		ctx := startBrowser(t)
		e := newEnvOn(t, open(t), `{"title":"Nakshi Crafts","greeting":"Hi! Ask us about orders, sizes or delivery."}`, Limits{})
		bg := context.Background()
		sub, err := e.svc.Bus().Subscribe(e.agent.AccountID())
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		demo := e.srv.URL + "/demo?inbox=" + e.token

		if err := chromedp.Do(ctx, chromedp.Navigate(demo)); err != nil {
			t.Fatal(err)
		}
		until(t, ctx, "the launcher", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
		js[any](t, ctx, `window.Sahay.ready`)
		js[any](t, ctx, shadow+`.querySelector(".launcher").click()`)
		until(t, ctx, "the open panel", shadow+`.querySelector(".panel") && getComputedStyle(`+shadow+`.querySelector(".panel")).display == "flex"`)

		// The visitor writes; the message reaches the inbox.
		js[any](t, ctx, `(() => { const r = `+shadow+`; const i = r.querySelector("textarea"); i.value = "Is the Jamdani saree in stock?"; r.querySelector(".send").click(); })()`)
		var conv *sahay.Conversation
		waitFor(t, "the conversation", func() bool {
			list, _, err := e.svc.ListConversations(bg, e.agent, core.ListQuery{})
			if err == nil && len(list) == 1 && list[0].LastMessage == "Is the Jamdani saree in stock?" {
				conv = list[0]
				return true
			}
			return false
		})
		until(t, ctx, "the visitor's message acknowledged", shadow+`.querySelector(".msg.out .st")?.textContent == "Sent"`)

		// Typing both ways.
		js[any](t, ctx, `(() => { const i = `+shadow+`.querySelector("textarea"); i.value = "Also"; i.dispatchEvent(new Event("input")); })()`)
		waitEvent(t, sub.C, func(ev sahay.Event) bool { return ev.Type == sahay.EventTyping && ev.ConversationID == conv.ID })
		if err := e.svc.AgentTyping(bg, e.agent, conv.ID, true); err != nil {
			t.Fatal(err)
		}
		until(t, ctx, "the agent's typing indicator", shadow+`.querySelector(".typing")?.textContent.includes("Ayesha")`)

		// The agent answers; the visitor sees it, and reading it marks it read.
		reply, err := e.svc.PostMessage(bg, e.agent, conv.ID, core.NewMessage{Content: "Yes, we have it in red and green."})
		if err != nil {
			t.Fatal(err)
		}
		until(t, ctx, "the agent's reply", shadow+`.querySelector(".body").textContent.includes("we have it in red and green")`)
		until(t, ctx, "the typing indicator to go", shadow+`.querySelector(".typing") == null`)
		waitFor(t, "the read receipt", func() bool {
			m, err := e.store.Message(bg, e.agent.AccountID(), reply.ID)
			return err == nil && m.Status == sahay.DeliveryRead
		})

		// The agent reads the visitor's message: the visitor sees "Seen".
		msgs, _ := e.store.Messages(bg, e.agent.AccountID(), conv.ID, 0, 10)
		if err := e.svc.AgentSeen(bg, e.agent, conv.ID, msgs[0].ID); err != nil {
			t.Fatal(err)
		}
		until(t, ctx, "the seen receipt", shadow+`.querySelector(".msg.out .st")?.textContent == "Seen"`)
		screenshot(t, ctx, "widget-en.png")

		// A reload keeps the history.
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		until(t, ctx, "the widget after reload", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
		js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
		until(t, ctx, "the history after reload", shadow+`?.querySelector(".body")?.textContent.includes("Is the Jamdani saree in stock?") && `+
			shadow+`.querySelector(".body").textContent.includes("we have it in red and green")`)

		// A forged identity is refused and changes nothing.
		got := js[string](t, ctx, `window.Sahay.setUser({id: "cust-42", name: "Mallory", hash: "00ff"}).then(() => "accepted", e => "refused: " + e.message)`)
		if !strings.HasPrefix(got, "refused") || !strings.Contains(got, "identity hash") {
			t.Fatalf("forged setUser: %s", got)
		}
		until(t, ctx, "the history after the refused setUser", shadow+`.querySelector(".body").textContent.includes("Is the Jamdani saree in stock?")`)

		// Bengali and Arabic (right to left).
		for _, c := range []struct{ locale, placeholder, dir string }{
			{"bn", "আপনার বার্তা লিখুন…", "ltr"},
			{"ar", "اكتب رسالتك…", "rtl"},
		} {
			if err := chromedp.Do(ctx, chromedp.Navigate(demo+"&locale="+c.locale)); err != nil {
				t.Fatal(err)
			}
			until(t, ctx, "the widget in "+c.locale, shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
			js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
			until(t, ctx, c.locale+" strings", shadow+`?.querySelector("textarea")?.placeholder == "`+c.placeholder+`"`)
			if d := js[string](t, ctx, shadow+`.querySelector(".panel").dir`); d != c.dir {
				t.Errorf("%s: dir = %q, want %q", c.locale, d, c.dir)
			}
			until(t, ctx, "the history in "+c.locale, shadow+`.querySelector(".body").textContent.includes("we have it in red and green")`)
			screenshot(t, ctx, "widget-"+c.locale+".png")
		}
	})
}

func TestBrowserProactiveChatAndPreview(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{"color":"#0f7b3f","launcher_text":"Need help?","pre_chat":{"enabled":true,"fields":[{"name":"name","required":true},{"name":"email","required":true}]}}`, Limits{})
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token)); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the launcher", shadow+`?.querySelector(".ltext")?.textContent == "Need help?"`)
	js[any](t, ctx, `window.Sahay.ready`)
	var live []LiveVisitor
	waitFor(t, "the live visitor", func() bool {
		live = e.widget.hub.liveVisitors(e.inbox.ID)
		return len(live) == 1 && live[0].Page.Title != ""
	})
	if !strings.Contains(live[0].Page.Title, "Nakshi") || live[0].Device != "desktop" {
		t.Fatalf("live visitor = %+v", live[0])
	}
	// The pre-chat form asks for name and email first.
	js[any](t, ctx, `window.Sahay.open()`)
	until(t, ctx, "the pre-chat form", shadow+`.querySelector("form.pre") != null`)
	screenshot(t, ctx, "widget-prechat.png")
	js[any](t, ctx, `window.Sahay.close()`)

	// An agent starts a chat with the visitor, who sees the widget open.
	if _, _, err := e.svc.StartConversation(context.Background(), e.agent, e.inbox.ID, live[0].ID, "Hi! Can I help you choose a gift?"); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the proactive message", shadow+`.querySelector(".panel") && getComputedStyle(`+shadow+`.querySelector(".panel")).display == "flex" && `+
		shadow+`.querySelector(".body").textContent.includes("choose a gift")`)

	// The settings preview renders unsaved settings without a session.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+`/widget/preview?settings={"color":"%23b42318","title":"Preview","greeting":"Welcome!","position":"left"}`)); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the preview", shadow+`?.querySelector(".body")?.textContent.includes("Welcome!")`)
	if c := js[string](t, ctx, `getComputedStyle(`+shadow+`.querySelector("header")).backgroundColor`); c != "rgb(180, 35, 24)" {
		t.Errorf("preview header color = %s", c)
	}
	screenshot(t, ctx, "widget-preview.png")
}

// TestBrowserSetUserWithoutID: Sahay.setUser with details but no id gives
// them to the current visitor; a call the server refuses rejects its
// promise and shows the reason in the console.
func TestBrowserSetUserWithoutID(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{}`, Limits{})
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token)); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "the launcher", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
	js[any](t, ctx, `window.Sahay.ready.then(() => { window.__errors = []; const log = console.error; console.error = (...a) => { window.__errors.push(a.join(" ")); log(...a); }; })`)
	before := js[string](t, ctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith("sahay:") && k !== "sahay:locale"))).token`)

	if got := js[string](t, ctx, `window.Sahay.setUser({name: "Rahim Uddin", email: "rahim@example.com"}).then(() => "applied", (e) => "refused: " + e.message)`); got != "applied" {
		t.Fatalf("setUser without id: %s", got)
	}
	v, err := e.widget.parseVisitor(context.Background(), before)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.widget.contactID(context.Background(), v)
	if err != nil || id == 0 {
		t.Fatalf("the visitor has no contact after setUser: %d %v", id, err)
	}
	c, err := e.store.Contact(context.Background(), e.agent.AccountID(), id)
	if err != nil || c.Name != "Rahim Uddin" || c.Email != "rahim@example.com" {
		t.Fatalf("the visitor's contact: %+v %v", c, err)
	}

	for call, reason := range map[string]string{
		`window.Sahay.setUser({})`:                      "setUser needs an id, or a name, email or phone",
		`window.Sahay.setUser({name: "X", hash: "00"})`: "a hash needs the user id",
		`window.Sahay.setUser("rahim@example.com")`:     "setUser takes {id, name, email, phone, hash}",
	} {
		got := js[string](t, ctx, call+`.then(() => "applied", (e) => "refused: " + e.message)`)
		if !strings.HasPrefix(got, "refused: ") || !strings.Contains(got, reason) {
			t.Errorf("%s: %s, want refused with %q", call, got, reason)
		}
		if !js[bool](t, ctx, `window.__errors.some((m) => m.startsWith("Sahay:") && m.includes(`+"`"+reason+"`"+`))`) {
			t.Errorf("%s: the console shows no error with %q: %v", call, reason, js[[]string](t, ctx, `window.__errors`))
		}
	}
}

// TestBrowserWidgetLayout checks the widget on a phone in English, Bengali
// and Hindi: the pre-chat form comes first and alone, with the cursor in
// its first field; the ⋯ menu opens below the header's buttons however
// tall the header is; no team avatar hides another's initials.
func TestBrowserWidgetLayout(t *testing.T) {
	ctx := startBrowser(t)
	e := newEnv(t, `{"title":"Nakshi Crafts","away_message":"We are away right now. Leave a message and we will write back as soon as the shop opens again.",`+
		`"pre_chat":{"enabled":true,"fields":[{"name":"name","required":true},{"name":"email","required":true}]}}`, Limits{})
	var team []int64
	for _, name := range []string{"Amina Rahman", "Ravi Sharma"} {
		u, err := e.svc.CreateUserCLI(context.Background(), e.agent.AccountID(), strings.ToLower(strings.Fields(name)[0])+"@example.com", name, sahay.RoleAgent, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		team = append(team, u.ID)
	}
	if _, err := e.svc.SetInboxMembers(context.Background(), e.agent, e.inbox.ID, team); err != nil {
		t.Fatal(err)
	}
	for _, locale := range []string{"en", "bn", "hi"} {
		t.Run(locale, func(t *testing.T) {
			// A new visitor: the shop's storage is cleared while no widget
			// runs that could store its token again.
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile), chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: e.srv.URL, StorageTypes: "local_storage"}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/demo?inbox="+e.token+"&locale="+locale)); err != nil {
				t.Fatal(err)
			}
			until(t, ctx, "the launcher", shadow+`?.querySelector(".launcher") != null && window.Sahay != null`)
			js[any](t, ctx, `window.Sahay.ready.then(() => window.Sahay.open())`)
			until(t, ctx, "the pre-chat form", shadow+`.querySelector("form.pre") != null`)

			if got := js[string](t, ctx, shadow+`.activeElement?.name || `+shadow+`.activeElement?.tagName || "nothing"`); got != "name" {
				t.Errorf("the cursor is in %s, not in the form's first field", got)
			}
			if js[bool](t, ctx, shadow+`.querySelector("textarea").getClientRects().length > 0`) {
				t.Error("the message box shows beside the pre-chat form")
			}
			if covered := js[[]string](t, ctx, `(() => {
				const avs = [...`+shadow+`.querySelectorAll("header .av")], out = [];
				if (avs.length < 3) out.push("only " + avs.length + " avatars");
				for (let i = 0; i + 1 < avs.length; i++) {
					const r = document.createRange();
					r.selectNodeContents(avs[i]);
					if (r.getBoundingClientRect().right > avs[i + 1].getBoundingClientRect().left) out.push(avs[i].textContent);
				}
				return out;
			})()`); len(covered) > 0 {
				t.Errorf("avatars with hidden initials: %v", covered)
			}

			js[any](t, ctx, `(() => { const r = `+shadow+`; r.querySelector("input[name=name]").value = "Rahim"; r.querySelector("input[name=email]").value = "rahim@example.com"; r.querySelector("form.pre button").click(); })()`)
			until(t, ctx, "the message box after the form", shadow+`.querySelector("form.pre") == null && `+shadow+`.querySelector("textarea").getClientRects().length > 0 && `+shadow+`.activeElement === `+shadow+`.querySelector("textarea")`)
			js[any](t, ctx, `(() => { const r = `+shadow+`; r.querySelector("textarea").value = "Is the quilt in stock?"; r.querySelector(".send").click(); })()`)
			until(t, ctx, "the message sent", shadow+`.querySelector(".msg.out .st") != null`)
			// A time says the part of the day in the visitor's language:
			// not "৫:৫৬ PM" in Bengali.
			if at := js[string](t, ctx, shadow+`.querySelector(".msg.out time")?.textContent ?? ""`); at == "" || locale != "en" && strings.ContainsAny(at, "APMapm") {
				t.Errorf("the message's time reads %q", at)
			}

			js[any](t, ctx, `[...`+shadow+`.querySelectorAll("header .hb")].at(-2).click()`)
			until(t, ctx, "the menu", shadow+`.querySelector(".menu") != null`)
			if overlap := js[bool](t, ctx, `(() => {
				const hbs = `+shadow+`.querySelectorAll("header .hb");
				const m = `+shadow+`.querySelector(".menu").getBoundingClientRect(), c = hbs[hbs.length - 1].getBoundingClientRect();
				return m.left < c.right && c.left < m.right && m.top < c.bottom && c.top < m.bottom;
			})()`); overlap {
				t.Error("the menu covers the close button")
			}
		})
	}
}
