package metalogin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metalogin"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/core"
)

const (
	appID     = "4242"
	appSecret = "operator-app-secret"
	shopPage  = "106541234567890"
	shopToken = "EAAP-page-token-shop"
	cafePage  = "106541234567891"
	cafeToken = "EAAP-page-token-cafe"
	cafeIG    = "17841405822304914"
	// verifyToken is the operator's verify token of the app's webhook.
	verifyToken = "operator-verify-token"
)

type harness struct {
	s   *apitest.Server
	sim *metatest.Sim
	// noFollow sends requests without following redirects, to read where
	// the callback sends the browser.
	noFollow *http.Client
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	sim := metatest.New(t, appSecret)
	sim.SetApp(metatest.App{ID: appID, Secret: appSecret})
	sim.AddPage(metatest.Page{ID: shopPage, Name: "Shop", Token: shopToken})
	sim.AddPage(metatest.Page{ID: cafePage, Name: "Café", Token: cafeToken, InstagramID: cafeIG, InstagramUsername: "cafe.gram"})
	s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{
		"SAHAY_META_APP_ID": appID, "SAHAY_META_APP_SECRET": appSecret, "SAHAY_META_VERIFY_TOKEN": verifyToken,
		"SAHAY_META_DIALOG_URL": sim.DialogURL(), "SAHAY_META_GRAPH_URL": sim.URL,
	}})
	return &harness{s: s, sim: sim, noFollow: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// start asks for the dialog's address and returns its query.
func (h *harness) start(t *testing.T, token, channel string) url.Values {
	t.Helper()
	var answer metalogin.StartAnswer
	h.s.Must(t, token, http.MethodPost, "/api/v1/meta/connect", map[string]string{"channel": channel}, http.StatusOK, &answer)
	u, err := url.Parse(answer.URL)
	if err != nil || !strings.HasPrefix(answer.URL, h.sim.DialogURL()+"?") {
		t.Fatalf("dialog URL %q %v", answer.URL, err)
	}
	return u.Query()
}

// callback returns from the dialog with query and returns the dashboard
// address it was sent to.
func (h *harness) callback(t *testing.T, token string, query url.Values) *url.URL {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.s.URL+metalogin.CallbackPath+"?"+query.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Host != "" || loc.Path != "/settings/inboxes" {
		t.Fatalf("callback: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	if strings.Contains(loc.String(), "EAA") {
		t.Fatalf("a token in the address %s", loc)
	}
	return loc
}

func (h *harness) inboxes(t *testing.T, token string) []sahay.Inbox {
	t.Helper()
	var list struct{ Items []sahay.Inbox }
	h.s.Must(t, token, http.MethodGet, "/api/v1/inboxes", nil, http.StatusOK, &list)
	return list.Items
}

// An admin signs in, picks a Page and gets a working Messenger inbox: the
// Page subscribed, its token and the app's secret among the inbox's
// secrets, and no token ever shown.
func TestConnectMessengerPage(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		h := newHarness(t)
		admin := h.s.NewAccount(t, "Shop")
		agent := h.s.NewUser(t, admin, "agent")

		var st metalogin.Status
		h.s.Must(t, agent.Token, http.MethodGet, "/api/v1/meta/connect", nil, http.StatusOK, &st)
		if !st.Configured || !slices.Equal(st.Channels, []string{"messenger", "instagram"}) {
			t.Fatalf("status %+v", st)
		}
		if r := h.s.Call(t, agent.Token, http.MethodPost, "/api/v1/meta/connect", map[string]string{"channel": "messenger"}); r.Status != http.StatusForbidden {
			t.Fatalf("an agent started a sign-in: %s", r)
		}
		if r := h.s.Call(t, admin.Token, http.MethodPost, "/api/v1/meta/connect", map[string]string{"channel": "telegram"}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("telegram: %s", r)
		}

		dialog := h.start(t, admin.Token, "messenger")
		if dialog.Get("client_id") != appID || dialog.Get("redirect_uri") != h.s.App.Config.PublicURL+"/meta/callback" ||
			dialog.Get("scope") != "pages_show_list,pages_messaging,pages_manage_metadata,pages_read_engagement,pages_manage_engagement" {
			t.Fatalf("dialog %v", dialog)
		}
		back := url.Values{"code": {h.sim.Code(dialog.Get("redirect_uri"))}, "state": {dialog.Get("state")}}
		key := h.callback(t, admin.Token, back).Query().Get("meta_connect")
		if key == "" {
			t.Fatal("no key")
		}
		if n := len(h.sim.Find(http.MethodGet, "/oauth/access_token")); n != 2 {
			t.Fatalf("%d token exchanges, want the code's and the long-lived one", n)
		}
		// The same state again is refused before Meta is asked anything.
		if got := h.callback(t, admin.Token, back).Query().Get("meta_error"); got != metalogin.ErrUsed {
			t.Fatalf("reused state: %q", got)
		}
		if n := len(h.sim.Find(http.MethodGet, "/oauth/access_token")); n != 2 {
			t.Fatalf("a reused state reached Meta: %d exchanges", n)
		}

		r := h.s.Must(t, admin.Token, http.MethodGet, "/api/v1/meta/connect/"+key, nil, http.StatusOK, nil)
		if strings.Contains(string(r.Body), "EAA") {
			t.Fatalf("the choices show a token: %s", r.Body)
		}
		var choices metalogin.Choices
		r.Decode(t, &choices)
		if choices.Channel != "messenger" || len(choices.Items) != 2 || choices.Items[0] != (metalogin.Choice{ID: shopPage, Name: "Shop", PageID: shopPage, PageName: "Shop"}) {
			t.Fatalf("choices %+v", choices)
		}
		other := h.s.NewUser(t, admin, "admin")
		if r := h.s.Call(t, other.Token, http.MethodGet, "/api/v1/meta/connect/"+key, nil); r.Status != http.StatusNotFound {
			t.Fatalf("another admin read the sign-in: %s", r)
		}
		if r := h.s.Call(t, admin.Token, http.MethodPost, "/api/v1/meta/connect/"+key, map[string]string{"id": "999"}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a Page not shared: %s", r)
		}

		var inbox sahay.Inbox
		h.s.Must(t, admin.Token, http.MethodPost, "/api/v1/meta/connect/"+key, map[string]string{"id": shopPage, "name": "Shop on Messenger"}, http.StatusCreated, &inbox)
		if inbox.Channel != "messenger" || inbox.Name != "Shop on Messenger" || !strings.Contains(string(inbox.Settings), `"page_id":"`+shopPage+`"`) {
			t.Fatalf("inbox %+v %s", inbox, inbox.Settings)
		}
		if got := h.sim.Subscriptions(shopPage); !slices.Equal(got, meta.MessengerFields) {
			t.Fatalf("Page subscribed to %v", got)
		}
		var secrets map[string]string
		h.s.Must(t, admin.Token, http.MethodGet, "/api/v1/inboxes/"+itoa(inbox.ID)+"/secrets", nil, http.StatusOK, &secrets)
		// The operator's app secret serves every account: no account's
		// admin reads it, nor loses it by saving what was shown.
		if secrets["access_token"] != shopToken || secrets["app_secret"] != core.ServerSecretShown || len(secrets["verify_token"]) < 20 {
			t.Fatalf("secrets %v", secrets)
		}
		var settings map[string]any
		if err := json.Unmarshal(inbox.Settings, &settings); err != nil {
			t.Fatal(err)
		}
		settings["app_secret"] = core.ServerSecretShown
		h.s.Must(t, admin.Token, http.MethodPatch, "/api/v1/inboxes/"+itoa(inbox.ID), map[string]any{"settings": settings}, http.StatusOK, nil)
		stored, err := h.s.App.Service.InboxWithSecrets(context.Background(), inbox.AccountID, inbox.ID)
		if err != nil || stored.Secrets["app_secret"] != appSecret {
			t.Fatalf("app secret after saving what was shown = %q, %v", stored.Secrets["app_secret"], err)
		}
		// The Page token works: "test connection" reads the Page with it.
		h.sim.AddObject(shopPage, map[string]any{"name": "Shop"})
		var test struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		h.s.Must(t, admin.Token, http.MethodPost, "/api/v1/inboxes/"+itoa(inbox.ID)+"/test", nil, http.StatusOK, &test)
		if !test.OK {
			t.Fatalf("test connection: %s", test.Error)
		}
		// The sign-in is forgotten once used.
		if r := h.s.Call(t, admin.Token, http.MethodGet, "/api/v1/meta/connect/"+key, nil); r.Status != http.StatusNotFound {
			t.Fatalf("the sign-in outlived its inbox: %s", r)
		}
	})
}

// A state that is forged, another admin's, expired or refused in the
// dialog makes nothing, and asks Meta nothing.
func TestCallbackRefusals(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		h := newHarness(t)
		admin := h.s.NewAccount(t, "Shop")
		other := h.s.NewUser(t, admin, "admin")
		foreign := h.s.NewAccount(t, "Elsewhere")

		dialog := h.start(t, admin.Token, "messenger")
		state := dialog.Get("state")
		code := h.sim.Code(dialog.Get("redirect_uri"))
		payload, sig, _ := strings.Cut(state, ".")
		forger := &meta.App{ID: appID, Secret: "guessed-secret"}
		app := &meta.App{ID: appID, Secret: appSecret}
		var me sahay.User
		h.s.Must(t, admin.Token, http.MethodGet, "/api/v1/me", nil, http.StatusOK, &me)
		expired := app.SignState(meta.LoginState{Nonce: "n-expired", AccountID: me.AccountID, UserID: me.ID, Channel: "messenger", Expires: time.Now().Add(-time.Second)})

		for _, tt := range []struct {
			name, token string
			query       url.Values
			want        string
		}{
			{"forged signature", admin.Token, url.Values{"code": {code}, "state": {forger.SignState(meta.LoginState{Nonce: "n1", AccountID: me.AccountID, UserID: me.ID, Channel: "messenger", Expires: time.Now().Add(time.Minute)})}}, metalogin.ErrInvalidState},
			{"altered payload", admin.Token, url.Values{"code": {code}, "state": {payload + "x." + sig}}, metalogin.ErrInvalidState},
			{"no state", admin.Token, url.Values{"code": {code}}, metalogin.ErrInvalidState},
			{"another admin's state", other.Token, url.Values{"code": {code}, "state": {state}}, metalogin.ErrInvalidState},
			{"another account's state", foreign.Token, url.Values{"code": {code}, "state": {state}}, metalogin.ErrInvalidState},
			{"expired", admin.Token, url.Values{"code": {code}, "state": {expired}}, metalogin.ErrExpired},
			{"denied in the dialog", admin.Token, url.Values{"error": {"access_denied"}, "error_reason": {"user_denied"}, "state": {state}}, metalogin.ErrDenied},
			{"the denied state again, with a code", admin.Token, url.Values{"code": {code}, "state": {state}}, metalogin.ErrUsed},
		} {
			if got := h.callback(t, tt.token, tt.query).Query().Get("meta_error"); got != tt.want {
				t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
			}
		}
		if n := len(h.sim.Find("", "/oauth/access_token")); n != 0 {
			t.Errorf("refused sign-ins reached Meta: %d exchanges", n)
		}
		if got := h.inboxes(t, admin.Token); len(got) != 0 {
			t.Errorf("inboxes made: %+v", got)
		}
		// Without a session or token the callback is refused, as the API is.
		resp, err := h.noFollow.Get(h.s.URL + metalogin.CallbackPath + "?" + url.Values{"code": {code}, "state": {state}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous callback: %s", resp.Status)
		}
	})
}

// Instagram offers the accounts linked to the shared Pages, and connects
// one with its Page's token on the Graph API; a refused subscription
// makes no inbox.
func TestConnectInstagramAccount(t *testing.T) {
	h := newHarness(t)
	admin := h.s.NewAccount(t, "Café")
	dialog := h.start(t, admin.Token, "instagram")
	if got := dialog.Get("scope"); got != strings.Join(meta.InstagramScopes, ",") {
		t.Fatalf("scopes %v", got)
	}
	key := h.callback(t, admin.Token, url.Values{"code": {h.sim.Code(dialog.Get("redirect_uri"))}, "state": {dialog.Get("state")}}).Query().Get("meta_connect")
	var choices metalogin.Choices
	h.s.Must(t, admin.Token, http.MethodGet, "/api/v1/meta/connect/"+key, nil, http.StatusOK, &choices)
	want := metalogin.Choice{ID: cafeIG, Name: "cafe.gram", PageID: cafePage, PageName: "Café"}
	if choices.Channel != "instagram" || len(choices.Items) != 1 || choices.Items[0] != want {
		t.Fatalf("choices %+v", choices)
	}

	h.sim.FailNext("/*/subscribed_apps", http.StatusForbidden, 200, 0, "(#200) Requires pages_manage_metadata permission")
	r := h.s.Call(t, admin.Token, http.MethodPost, "/api/v1/meta/connect/"+key, map[string]string{"id": cafeIG})
	if code, msg := r.Error(); r.Status != http.StatusBadGateway || code != sahay.EUNAVAILABLE || !strings.Contains(msg, "Café") {
		t.Fatalf("refused subscription: %s", r)
	}
	if got := h.inboxes(t, admin.Token); len(got) != 0 {
		t.Fatalf("inbox made though Meta refused the subscription: %+v", got)
	}

	var inbox sahay.Inbox
	h.s.Must(t, admin.Token, http.MethodPost, "/api/v1/meta/connect/"+key, map[string]string{"id": cafeIG}, http.StatusCreated, &inbox)
	if inbox.Channel != "instagram" || inbox.Name != "cafe.gram" ||
		!strings.Contains(string(inbox.Settings), `"instagram_account_id":"`+cafeIG+`"`) || !strings.Contains(string(inbox.Settings), h.sim.URL) {
		t.Fatalf("inbox %+v %s", inbox, inbox.Settings)
	}
	if got := h.sim.Subscriptions(cafePage); !slices.Equal(got, meta.InstagramFields) {
		t.Fatalf("Page subscribed to %v", got)
	}
	if !strings.Contains(string(inbox.Settings), `"page_id":"`+cafePage+`"`) {
		t.Fatalf("the inbox does not name its Page: %s", inbox.Settings)
	}

	// A message arrives through the app's webhook; the answer goes out
	// through the Page's Send API, as the Page token requires.
	deliver(t, h.sim, h.s.URL+metalogin.WebhookPath, metatest.Payload(meta.ObjectInstagram, entry(cafeIG, "m_ig_hello", "Open today?")))
	m := waitMessage(t, h.s.App.Store, &inbox, "m_ig_hello")
	h.s.Must(t, admin.Token, http.MethodPost, fmt.Sprintf("/api/v1/conversations/%d/messages", m.ConversationID),
		map[string]any{"content": "Until 10 pm!"}, http.StatusCreated, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sent, err := h.sim.Wait(ctx, http.MethodPost, "/"+cafePage+"/messages", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sent[0].Body), "Until 10 pm!") || sent[0].Header.Get("Authorization") != "Bearer "+cafeToken {
		t.Fatalf("send %s %v", sent[0].Body, sent[0].Header)
	}
	if n := len(h.sim.Find(http.MethodPost, "/"+cafeIG+"/messages")); n != 0 {
		t.Fatalf("%d sends as the Instagram account", n)
	}
}

// A sign-in that shares no Page, or none with an Instagram account, says
// so.
func TestNothingToConnect(t *testing.T) {
	sim := metatest.New(t, appSecret)
	sim.SetApp(metatest.App{ID: appID, Secret: appSecret})
	s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{
		"SAHAY_META_APP_ID": appID, "SAHAY_META_APP_SECRET": appSecret,
		"SAHAY_META_DIALOG_URL": sim.DialogURL(), "SAHAY_META_GRAPH_URL": sim.URL,
	}})
	h := &harness{s: s, sim: sim, noFollow: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	admin := s.NewAccount(t, "Shop")
	dialog := h.start(t, admin.Token, "messenger")
	loc := h.callback(t, admin.Token, url.Values{"code": {sim.Code(dialog.Get("redirect_uri"))}, "state": {dialog.Get("state")}})
	if got := loc.Query().Get("meta_error"); got != metalogin.ErrNoPages {
		t.Fatalf("no Pages: %q", got)
	}
	sim.AddPage(metatest.Page{ID: shopPage, Name: "Shop", Token: shopToken})
	dialog = h.start(t, admin.Token, "instagram")
	loc = h.callback(t, admin.Token, url.Values{"code": {sim.Code(dialog.Get("redirect_uri"))}, "state": {dialog.Get("state")}})
	if got := loc.Query().Get("meta_error"); got != metalogin.ErrNoInstagram {
		t.Fatalf("no Instagram account: %q", got)
	}
}

// Without a Meta app the routes say so, and the dashboard hides the
// button.
func TestNotConfigured(t *testing.T) {
	s := apitest.NewServer(t)
	admin := s.NewAccount(t, "Shop")
	var st metalogin.Status
	s.Must(t, admin.Token, http.MethodGet, "/api/v1/meta/connect", nil, http.StatusOK, &st)
	if st.Configured || len(st.Channels) != 0 {
		t.Fatalf("status %+v", st)
	}
	r := s.Call(t, admin.Token, http.MethodPost, "/api/v1/meta/connect", map[string]string{"channel": "messenger"})
	if code, msg := r.Error(); r.Status != http.StatusConflict || code != sahay.ECONFLICT || !strings.Contains(msg, "-meta-app-id") {
		t.Fatalf("start: %s", r)
	}
	r = s.Call(t, admin.Token, http.MethodGet, "/api/v1/meta/connect/somekey", nil)
	if r.Status != http.StatusConflict {
		t.Fatalf("choices: %s", r)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
