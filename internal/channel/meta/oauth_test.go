package meta_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
)

func loginSim(t *testing.T) (*metatest.Sim, *meta.App) {
	t.Helper()
	sim := metatest.New(t, "app-secret")
	sim.SetApp(metatest.App{ID: "4242", Secret: "app-secret"})
	sim.AddPage(metatest.Page{ID: "106541234567890", Name: "Shop", Token: "EAAP-page-shop"})
	sim.AddPage(metatest.Page{ID: "106541234567891", Name: "Café", Token: "EAAP-page-cafe",
		InstagramID: "17841405822304914", InstagramUsername: "cafe.gram"})
	return sim, &meta.App{ID: "4242", Secret: "app-secret", DialogURL: sim.DialogURL(), GraphURL: sim.URL, HTTP: http.DefaultClient}
}

// The dialog's code becomes a long-lived user token, which lists the
// Pages with their tokens and linked Instagram accounts; a Page token
// subscribes its Page.
func TestAppSignInListsPagesAndSubscribes(t *testing.T) {
	sim, app := loginSim(t)
	ctx := context.Background()
	const back = "https://support.example.com/meta/callback"
	login, err := url.Parse(app.LoginURL(back, "st", meta.InstagramScopes))
	if err != nil {
		t.Fatal(err)
	}
	q := login.Query()
	if q.Get("client_id") != "4242" || q.Get("redirect_uri") != back || q.Get("state") != "st" ||
		q.Get("scope") != "instagram_basic,instagram_manage_messages,instagram_manage_comments,pages_show_list,pages_manage_metadata" {
		t.Fatalf("login URL %s", login)
	}
	if _, err := app.Exchange(ctx, sim.Code(back), back+"/other"); err == nil {
		t.Fatal("a code exchanged with another redirect_uri was accepted")
	}
	code := sim.Code(back)
	short, err := app.Exchange(ctx, code, back)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Exchange(ctx, code, back); err == nil {
		t.Fatal("a code was exchanged twice")
	}
	long, err := app.LongLived(ctx, short)
	if err != nil || long == short {
		t.Fatalf("long-lived token %q %v", long, err)
	}
	pages, err := app.Pages(ctx, long)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pages[0].AccessToken != "EAAP-page-shop" || pages[0].Instagram != nil ||
		pages[1].Instagram == nil || pages[1].Instagram.Username != "cafe.gram" {
		t.Fatalf("pages %+v", pages)
	}
	if got := sim.Find(http.MethodGet, "/me/accounts")[0].Query.Get("fields"); got != meta.PagesFields {
		t.Fatalf("fields %q", got)
	}
	if err := app.Subscribe(ctx, pages[0].ID, "EAAP-page-cafe", meta.MessengerFields); err == nil {
		t.Fatal("another Page's token subscribed the Page")
	}
	if err := app.Subscribe(ctx, pages[0].ID, pages[0].AccessToken, meta.MessengerFields); err != nil {
		t.Fatal(err)
	}
	if got := sim.Subscriptions(pages[0].ID); !slices.Equal(got, meta.MessengerFields) {
		t.Fatalf("subscribed %v", got)
	}
}

// A wrong app secret is Meta's refusal, not a token.
func TestAppExchangeWithWrongSecret(t *testing.T) {
	sim, app := loginSim(t)
	app.Secret = "not-the-secret"
	_, err := app.Exchange(context.Background(), sim.Code("https://x.test/cb"), "https://x.test/cb")
	var ge *meta.GraphError
	if !errors.As(err, &ge) || ge.Code != 101 {
		t.Fatalf("err %v", err)
	}
}

func TestLoginState(t *testing.T) {
	app := &meta.App{ID: "1", Secret: "app-secret"}
	now := time.Now()
	s := meta.LoginState{Nonce: "n1", AccountID: 3, UserID: 7, Channel: "messenger", Expires: now.Add(10 * time.Minute)}
	signed := app.SignState(s)
	got, err := app.ParseState(signed, now)
	if err != nil || got.Nonce != "n1" || got.AccountID != 3 || got.UserID != 7 || got.Channel != "messenger" {
		t.Fatalf("parsed %+v %v", got, err)
	}
	if _, err := app.ParseState(signed, now.Add(11*time.Minute)); !errors.Is(err, meta.ErrStateExpired) {
		t.Fatalf("expired: %v", err)
	}
	other := &meta.App{ID: "1", Secret: "another-secret"}
	payload, _, _ := strings.Cut(signed, ".")
	forged := meta.LoginState{Nonce: "n1", AccountID: 4, UserID: 7, Channel: "messenger", Expires: s.Expires}
	forgedPayload, _, _ := strings.Cut(app.SignState(forged), ".")
	_, sig, _ := strings.Cut(signed, ".")
	for name, state := range map[string]string{
		"other key":         other.SignState(s),
		"payload changed":   forgedPayload + "." + sig,
		"no signature":      payload,
		"empty":             "",
		"signature garbled": payload + ".!!",
	} {
		if _, err := app.ParseState(state, now); !errors.Is(err, meta.ErrStateInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
