package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// notificationList is the answer of GET /api/v1/notifications.
type notificationList struct {
	Items  []sahay.Notification `json:"items"`
	Unread int64                `json:"unread"`
}

func agentNotifications(t *testing.T, d *dashboard, token string) notificationList {
	t.Helper()
	var l notificationList
	d.Must(t, token, http.MethodGet, "/api/v1/notifications", nil, http.StatusOK, &l)
	return l
}

// grantNotifications allows the origin's notifications in the browser's
// default profile, as an agent who clicked Allow would.
func grantNotifications(t *testing.T, ctx context.Context, origin string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := chromedp.CallBrowser(c, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"},
		Setting:    browser.PermissionSettingGranted,
		Origin:     origin,
	})
	if err != nil {
		t.Fatalf("grant notifications: %v", err)
	}
}

// stubPushManager replaces the page's push manager with one that
// subscribes without a push service, which headless Chromium lacks, and
// records what the dashboard asked of it in window.__push.
const stubPushManager = `(() => {
  const state = { sub: null, options: null, unsubscribed: false };
  window.__push = state;
  const manager = {
    getSubscription: async () => state.sub,
    subscribe: async (options) => {
      state.options = { userVisibleOnly: options.userVisibleOnly, key: Array.from(options.applicationServerKey) };
      const endpoint = "https://push.example.test/send/device-1";
      state.sub = {
        endpoint,
        options: { applicationServerKey: new Uint8Array(options.applicationServerKey).buffer },
        toJSON: () => ({ endpoint, expirationTime: null, keys: {
          p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
          auth: "tBHItJI5svbpez7KI4CCXg" } }),
        unsubscribe: async () => { state.sub = null; state.unsubscribed = true; return true; },
      };
      return state.sub;
    },
  };
  Object.defineProperty(ServiceWorkerRegistration.prototype, "pushManager", { configurable: true, get: () => manager });
  return true;
})()`

// shownNotifications lists the system notifications the service worker
// shows, as JSON.
const shownNotifications = `(async () => {
  const reg = await navigator.serviceWorker.ready;
  const list = await reg.getNotifications();
  return JSON.stringify(list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })));
})()`

type shown struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Tag   string `json:"tag"`
	Data  struct {
		Path string `json:"path"`
		ID   int64  `json:"id"`
	} `json:"data"`
}

func TestBrowserNotifications(t *testing.T) {
	needBrowser(t, browserEnv)
	// Email is offered only by a server that can send it; nothing listens
	// on this port, so the emails fail and are retried, out of sight.
	d := startDashboardWith(t, apitest.Options{Env: map[string]string{"SAHAY_SMTP_URL": "smtp://127.0.0.1:9/?from=sahay@example.com&tls=none"}})
	owner := d.NewAccount(t, "Haat")
	agent := d.NewUser(t, owner, sahay.RoleAgent)
	inbox := d.NewInbox(t, owner, "Shop", "api", nil, owner.ID, agent.ID)
	first := d.Receive(t, owner, inbox.ID, "Rahim", "Where is my order 1042?", "m1")
	second := d.Receive(t, owner, inbox.ID, "Karim", "The parcel came damaged", "m2")
	assign := func(t *testing.T, c sahay.Conversation) {
		t.Helper()
		d.Must(t, owner.Token, http.MethodPatch, fmt.Sprintf("/api/v1/conversations/%d", c.ID), map[string]any{"assignee_id": agent.ID}, http.StatusOK, nil)
	}

	ctx := newBrowser(t)
	grantNotifications(t, ctx, d.URL)
	login(t, ctx, d.URL, agent.Email, agent.Password)
	click(t, ctx, "#nav-notifications")
	waitFor(t, ctx, "the notifications page shows its preferences", `document.querySelector(".notify-prefs .prefs-table")`)
	waitFor(t, ctx, "the realtime connection is up", `window.__sahay && window.__sahay.connected()`)
	waitFor(t, ctx, "the list is empty", `!document.querySelector(".note-item") && document.querySelector(".notes .empty")`)
	eval[bool](t, ctx, `window.__noReload = true`)

	t.Run("assignments arrive live with the unread count", func(t *testing.T) {
		assign(t, first.Conversation)
		assign(t, second.Conversation)
		waitFor(t, ctx, "both notifications show, unread", `document.querySelectorAll(".note-item.unread").length === 2`)
		want := fmt.Sprintf("Conversation #%d was assigned to you", second.Conversation.DisplayID)
		waitFor(t, ctx, "the newest names its conversation", fmt.Sprintf(`document.querySelector(".note-item")?.textContent.includes(%s)`, jsString(want)))
		waitFor(t, ctx, "and shows the customer and their message", `document.querySelector(".note-item .note-body")?.textContent === "Karim: The parcel came damaged"`)
		waitFor(t, ctx, "the sidebar counts two unread", `document.querySelector("#nav-notifications .badge")?.textContent === "2"`)
		// Two notifications, and the two conversations whose customers wait
		// for an answer the agent has not seen.
		if title := eval[string](t, ctx, `document.title`); title != "(4) Sahay" {
			t.Errorf("title %q, want (4) Sahay", title)
		}
		if !eval[bool](t, ctx, `window.__noReload === true`) {
			t.Fatal("the page reloaded")
		}
	})

	t.Run("opening one marks it read on the server", func(t *testing.T) {
		older := `document.querySelectorAll(".note-item a")[1]`
		waitFor(t, ctx, "the older notification is Rahim's", older+`?.textContent.includes("Rahim")`)
		eval[bool](t, ctx, `(`+older+`.click(), true)`)
		waitFor(t, ctx, "its conversation opens", fmt.Sprintf(`location.pathname === "/conversations/%d"`, first.Conversation.ID))
		waitFor(t, ctx, "the sidebar counts one unread", `document.querySelector("#nav-notifications .badge")?.textContent === "1"`)
		eventually(t, "the server counts one unread", func() bool { return agentNotifications(t, d, agent.Token).Unread == 1 })
		l := agentNotifications(t, d, agent.Token)
		if len(l.Items) != 2 || l.Items[0].ReadAt != nil || l.Items[1].ReadAt == nil || l.Items[1].ConversationID != first.Conversation.ID {
			t.Fatalf("notifications %+v: want Karim's unread, Rahim's read", l.Items)
		}

		do(t, ctx, chromedp.Navigate(d.URL+"/notifications"))
		waitFor(t, ctx, "after a reload the list comes from the server", `document.querySelectorAll(".note-item").length === 2`)
		waitFor(t, ctx, "Karim's is still unread, Rahim's read", `document.querySelectorAll(".note-item.unread").length === 1 && document.querySelector(".note-item.unread").textContent.includes("Karim")`)
		waitFor(t, ctx, "the sidebar still counts one", `document.querySelector("#nav-notifications .badge")?.textContent === "1"`)
	})

	t.Run("mark all read", func(t *testing.T) {
		click(t, ctx, ".mark-all")
		waitFor(t, ctx, "nothing is unread", `!document.querySelector(".note-item.unread") && !document.querySelector("#nav-notifications .badge")`)
		eventually(t, "the server counts none unread", func() bool { return agentNotifications(t, d, agent.Token).Unread == 0 })
		do(t, ctx, chromedp.Navigate(d.URL+"/notifications"))
		waitFor(t, ctx, "after a reload both are listed", `document.querySelectorAll(".note-item").length === 2`)
		if eval[bool](t, ctx, `!!document.querySelector(".note-item.unread, #nav-notifications .badge")`) {
			t.Fatal("a notification is unread again after a reload")
		}
	})

	t.Run("preferences are saved", func(t *testing.T) {
		box := func(name string) string {
			return fmt.Sprintf(`document.querySelector(%s)`, jsString(fmt.Sprintf(".prefs-table input[name=%q]", name)))
		}
		waitFor(t, ctx, "the preferences load", box("assigned.email")+`?.checked === true`)
		if eval[bool](t, ctx, box("new_conversation.email")+`.checked || !`+box("mentioned.push")+`.checked`) {
			t.Fatal("the boxes do not show the defaults: new conversations off, mentions on")
		}
		var prefs sahay.NotifyPrefs
		saved := func() sahay.NotifyPrefs {
			prefs = nil
			d.Must(t, agent.Token, http.MethodGet, "/api/v1/me/notification_prefs", nil, http.StatusOK, &prefs)
			return prefs
		}
		eval[bool](t, ctx, `(`+box("new_conversation.email")+`.click(), true)`)
		eventually(t, "the server has the first change", func() bool { return saved()["new_conversation"]["email"] })
		// The second save must keep the first.
		eval[bool](t, ctx, `(`+box("mentioned.push")+`.click(), true)`)
		eventually(t, "the server has both changes", func() bool {
			p := saved()
			return p["new_conversation"]["email"] && !p["mentioned"]["push"]
		})
		if !prefs["assigned"]["email"] || !prefs["assigned"]["push"] || prefs["new_conversation"]["push"] || !prefs["mentioned"]["email"] {
			t.Errorf("preferences %v: an untouched choice changed", prefs)
		}
		do(t, ctx, chromedp.Navigate(d.URL+"/notifications"))
		waitFor(t, ctx, "after a reload the boxes show the saved choices",
			box("new_conversation.email")+`?.checked === true && `+box("mentioned.push")+`?.checked === false && `+box("assigned.push")+`?.checked === true`)
	})

	t.Run("push on this device", func(t *testing.T) {
		waitFor(t, ctx, "the service worker is active", `navigator.serviceWorker.controller !== null`)
		eval[bool](t, ctx, stubPushManager)
		clickText(t, ctx, ".prefs-device button", "Enable push notifications on this device")
		waitFor(t, ctx, "the device shows push on", `document.querySelector(".prefs-device .push-off")`)
		subs, err := d.App.Store.PushSubscriptions(context.Background(), agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 1 || subs[0].Endpoint != "https://push.example.test/send/device-1" || subs[0].Auth != "tBHItJI5svbpez7KI4CCXg" {
			t.Fatalf("subscriptions %+v, want the device's", subs)
		}
		var key struct {
			PublicKey string `json:"public_key"`
		}
		d.Must(t, agent.Token, http.MethodGet, "/api/v1/push/key", nil, http.StatusOK, &key)
		raw, err := base64.RawURLEncoding.DecodeString(key.PublicKey)
		if err != nil || len(raw) != 65 {
			t.Fatalf("push key %q: %v", key.PublicKey, err)
		}
		var asked struct {
			UserVisibleOnly bool  `json:"userVisibleOnly"`
			Key             []int `json:"key"`
		}
		if err := json.Unmarshal([]byte(eval[string](t, ctx, `JSON.stringify(window.__push.options)`)), &asked); err != nil {
			t.Fatal(err)
		}
		want := make([]int, len(raw))
		for i, b := range raw {
			want[i] = int(b)
		}
		if !asked.UserVisibleOnly || !slices.Equal(asked.Key, want) {
			t.Fatalf("subscribed with %+v, want userVisibleOnly and the server's key %v", asked, want)
		}

		clickText(t, ctx, ".prefs-device button", "Turn off on this device")
		waitFor(t, ctx, "the device offers push again", `document.querySelector(".prefs-device .push-on") && window.__push.unsubscribed`)
		eventually(t, "the server forgets the device", func() bool {
			subs, err := d.App.Store.PushSubscriptions(context.Background(), agent.ID)
			return err == nil && len(subs) == 0
		})
	})

	t.Run("the service worker shows push messages", func(t *testing.T) {
		regs := make(chan serviceworker.RegistrationID, 8)
		if err := chromedp.Listen(ctx, func(ev any) {
			if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
				for _, r := range e.Registrations {
					if !r.IsDeleted && r.ScopeURL == d.URL+"/" {
						select {
						case regs <- r.RegistrationID:
						default:
						}
					}
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := chromedp.Call(c, serviceworker.Enable, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		var reg serviceworker.RegistrationID
		select {
		case reg = <-regs:
		case <-c.Done():
			t.Fatal("no service worker registration reported")
		}
		push := func(data string) {
			t.Helper()
			if _, err := chromedp.Call(c, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{Origin: d.URL, RegistrationID: reg, Data: data}); err != nil {
				t.Fatal(err)
			}
		}
		read := func(n int) []shown {
			t.Helper()
			var list []shown
			deadline := time.Now().Add(10 * time.Second)
			for {
				if err := json.Unmarshal([]byte(eval[string](t, ctx, shownNotifications)), &list); err != nil {
					t.Fatal(err)
				}
				if len(list) >= n || time.Now().After(deadline) {
					return list
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		// With no dashboard open, the service worker shows what arrives.
		do(t, ctx, chromedp.Navigate("about:blank"))
		push(`{"title":"Amina assigned #7 to you","body":"Where is my order?","url":"https://support.example.com/conversations/42","notification_id":9}`)
		push(`not json`)
		do(t, ctx, chromedp.Navigate(d.URL+"/notifications"))
		list := read(2)
		slices.SortFunc(list, func(a, b shown) int { return strings.Compare(a.Tag, b.Tag) })
		if len(list) != 2 {
			t.Fatalf("shown %+v, want two notifications", list)
		}
		generic, assigned := list[0], list[1]
		if assigned.Title != "Amina assigned #7 to you" || assigned.Body != "Where is my order?" || assigned.Tag != "sahay-notification-9" ||
			assigned.Data.Path != "/conversations/42" || assigned.Data.ID != 9 {
			t.Errorf("push message shown as %+v", assigned)
		}
		if generic.Title != "Sahay" || generic.Body == "" || generic.Tag != "sahay-notification" || generic.Data.Path != "/notifications" {
			t.Errorf("unreadable push message shown as %+v, want a generic notification", generic)
		}
	})

	t.Run("signing out turns push off on this device", func(t *testing.T) {
		do(t, ctx, chromedp.Navigate(d.URL+"/notifications"))
		waitFor(t, ctx, "the service worker is active", `navigator.serviceWorker.controller !== null`)
		eval[bool](t, ctx, stubPushManager)
		clickText(t, ctx, ".prefs-device button", "Enable push notifications on this device")
		eventually(t, "the server has the device", func() bool {
			subs, err := d.App.Store.PushSubscriptions(context.Background(), agent.ID)
			return err == nil && len(subs) == 1
		})
		click(t, ctx, ".me-button")
		clickText(t, ctx, ".menu .menu-item", "Sign out")
		waitFor(t, ctx, "the login page", `location.pathname === "/login"`)
		subs, err := d.App.Store.PushSubscriptions(context.Background(), agent.ID)
		if err != nil || len(subs) != 0 {
			t.Fatalf("after signing out the server still pushes to %+v (%v)", subs, err)
		}
	})
}
