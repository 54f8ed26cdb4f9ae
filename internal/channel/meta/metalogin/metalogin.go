// Package metalogin is "Connect with Facebook": an admin connects a
// Facebook Page (a Messenger inbox) or the Instagram account linked to one
// (an Instagram inbox) by signing in with the operator's Meta app, instead
// of pasting tokens. The sign-in's answer is kept by core, sealed, for
// minutes; the inbox is made through core like any other.
//
//	POST /api/v1/meta/connect           {"channel"} → the dialog's URL, with a signed state
//	GET  /meta/callback?code&state      Meta sends the browser back here → the dashboard
//	GET  /api/v1/meta/connect/{key}     the Pages or accounts to choose from (no tokens)
//	POST /api/v1/meta/connect/{key}     {"id","name"} → the inbox, its Page subscribed
//	GET  /webhooks/meta                 Meta's check of the app's callback URL
//	POST /webhooks/meta                 the app's deliveries, routed to the inboxes of their Pages
package metalogin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/instagram"
	"github.com/sahayhq/sahay/internal/channel/messenger"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// CallbackPath is where Meta sends the admin's browser back: the public
// URL with it is the redirect URI to register in the Meta app.
const CallbackPath = "/meta/callback"

// How long a sign-in may take in Meta's dialog, and how long its answer
// waits for the admin's choice.
const (
	StateTTL   = 10 * time.Minute
	ChoicesTTL = 15 * time.Minute
)

// callbackTimeout bounds the calls to Meta a returning sign-in makes.
const callbackTimeout = time.Minute

// Where the callback sends the browser: the inboxes page of the dashboard,
// which opens the choice, or says what went wrong.
const (
	dashboardPath = "/settings/inboxes"
	choiceParam   = "meta_connect"
	errorParam    = "meta_error"
)

// Reasons the callback gives the dashboard, which says them in the
// admin's language.
const (
	ErrDenied        = "denied"         // the admin cancelled or refused a permission
	ErrExpired       = "expired"        // the dialog took longer than StateTTL
	ErrInvalidState  = "invalid_state"  // not a state this server gave this admin
	ErrUsed          = "used"           // the state came back before
	ErrNoPages       = "no_pages"       // no Page was shared
	ErrNoInstagram   = "no_instagram"   // no shared Page has an Instagram account
	ErrFailed        = "failed"         // Meta refused or did not answer
	ErrNotConfigured = "not_configured" // the operator named no Meta app
)

// Login serves the sign-in's routes. Create it with [New].
type Login struct {
	app            *meta.App
	svc            *core.Service
	publicURL      string
	log            *slog.Logger
	trustedProxies int
	webhookLimit   *ratelimit.Limiter
}

// New returns the sign-in for app (which may be unconfigured: its routes
// then say so), making inboxes through svc. publicURL is the server's
// address as browsers reach it.
func New(app *meta.App, svc *core.Service, publicURL string, log *slog.Logger) *Login {
	if log == nil {
		log = slog.Default()
	}
	return &Login{app: app, svc: svc, publicURL: publicURL, log: log, webhookLimit: ratelimit.New(webhookRate, webhookKeys)}
}

// SetTrustedProxies is how many reverse proxies append the client's
// address to X-Forwarded-For (see [httpx.ClientAddr]), for the rate limit
// of the app's webhook.
func (l *Login) SetTrustedProxies(n int) { l.trustedProxies = n }

var _ channel.Router[*core.Actor] = (*Login)(nil)

// Routes implements [channel.Router].
func (l *Login) Routes(mux channel.Mux[*core.Actor]) {
	mux.HandleAuthed("GET /api/v1/meta/connect", l.status)
	mux.HandleAuthed("POST /api/v1/meta/connect", l.start)
	mux.HandleAuthed("GET "+CallbackPath, l.callback)
	mux.HandleAuthed("GET /api/v1/meta/connect/{key}", l.choices)
	mux.HandleAuthed("POST /api/v1/meta/connect/{key}", l.connect)
	mux.Handle("GET "+WebhookPath, httpx.Handle(l.log, l.webhook))
	mux.Handle("POST "+WebhookPath, httpx.Handle(l.log, l.webhook))
}

// RedirectURI is the callback's address, as the dialog is told it.
func (l *Login) RedirectURI() string { return l.publicURL + CallbackPath }

// channels are those the sign-in connects, with what it asks of Meta.
var channels = map[string]struct{ scopes, fields []string }{
	messenger.Name: {meta.MessengerScopes, meta.MessengerFields},
	instagram.Name: {meta.InstagramScopes, meta.InstagramFields},
}

// Status is whether the sign-in is offered, and for which channels.
type Status struct {
	Configured bool     `json:"configured"`
	Channels   []string `json:"channels"`
}

func (l *Login) status(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	st := Status{Configured: l.app.Configured(), Channels: []string{}}
	if st.Configured {
		st.Channels = []string{messenger.Name, instagram.Name}
	}
	return httpx.OK(w, st)
}

// StartRequest starts a sign-in for a channel: "messenger" or "instagram".
type StartRequest struct {
	Channel string `json:"channel"`
}

// StartAnswer is the address of Meta's dialog to send the admin's browser
// to.
type StartAnswer struct {
	URL string `json:"url"`
}

// ConnectRequest picks a Page or Instagram account of a sign-in, by its
// id, and names its inbox (the Page's or account's name when empty).
type ConnectRequest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (l *Login) configured() error {
	if !l.app.Configured() {
		return sahay.Errorf(sahay.ECONFLICT, "Connect with Facebook is not set up on this server: the operator must set the Meta app's id and secret (-meta-app-id, -meta-app-secret); until then, paste the Page's tokens in the inbox's settings")
	}
	return nil
}

func (l *Login) start(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	if err := l.configured(); err != nil {
		return err
	}
	if !a.User.IsAdmin() {
		return sahay.Errorf(sahay.EFORBIDDEN, "only an administrator may connect an inbox")
	}
	var in StartRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	ch, ok := channels[in.Channel]
	if !ok {
		return sahay.Invalid(`channel must be "messenger" or "instagram"`)
	}
	state := l.app.SignState(meta.LoginState{Nonce: auth.NewToken(), AccountID: a.AccountID(), UserID: a.User.ID,
		Channel: in.Channel, Expires: time.Now().Add(StateTTL)})
	return httpx.OK(w, StartAnswer{URL: l.app.LoginURL(l.RedirectURI(), state, ch.scopes)})
}

// callback takes the browser back from Meta's dialog and sends it on to
// the dashboard, with the key of the choice or the reason there is none.
// Nothing Meta gave is put in an address or a page.
func (l *Login) callback(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	q := url.Values{}
	if key, reason := l.signIn(r, a); reason != "" {
		q.Set(errorParam, reason)
	} else {
		q.Set(choiceParam, key)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, dashboardPath+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// signIn checks the state, uses it up, and asks Meta for the admin's
// Pages: it returns the key of the kept choices, or the reason it failed.
func (l *Login) signIn(r *http.Request, a *core.Actor) (key, reason string) {
	if !l.app.Configured() {
		return "", ErrNotConfigured
	}
	q := r.URL.Query()
	st, err := l.app.ParseState(q.Get("state"), time.Now())
	switch {
	case errors.Is(err, meta.ErrStateExpired):
		return "", ErrExpired
	case err != nil, st.AccountID != a.AccountID(), st.UserID != a.User.ID:
		return "", ErrInvalidState
	}
	if _, ok := channels[st.Channel]; !ok {
		return "", ErrInvalidState
	}
	ctx, cancel := context.WithTimeout(r.Context(), callbackTimeout)
	defer cancel()
	if err := l.svc.ClaimChannelLogin(ctx, a, st.Nonce, st.Channel, st.Expires); err != nil {
		if sahay.ErrorCode(err) == sahay.ECONFLICT {
			return "", ErrUsed
		}
		l.log.Warn("meta: sign-in", "err", err)
		return "", ErrFailed
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		return "", ErrDenied
	}
	choices, err := l.fetchChoices(ctx, st.Channel, q.Get("code"))
	if err != nil {
		l.log.Warn("meta: sign-in", "channel", st.Channel, "err", err)
		return "", ErrFailed
	}
	if len(choices) == 0 {
		if st.Channel == instagram.Name {
			return "", ErrNoInstagram
		}
		return "", ErrNoPages
	}
	data, err := json.Marshal(choices)
	if err != nil {
		return "", ErrFailed
	}
	key, err = l.svc.CompleteChannelLogin(ctx, a, st.Nonce, data, time.Now().Add(ChoicesTTL))
	if err != nil {
		l.log.Warn("meta: sign-in", "err", err)
		return "", ErrFailed
	}
	return key, ""
}

// choice is a Page, or the Instagram account linked to one, the admin may
// connect; it is kept sealed with the Page's token.
type choice struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	PageID   string `json:"page_id"`
	PageName string `json:"page_name"`
	Token    string `json:"token"`
}

func (l *Login) fetchChoices(ctx context.Context, channelName, code string) ([]choice, error) {
	short, err := l.app.Exchange(ctx, code, l.RedirectURI())
	if err != nil {
		return nil, err
	}
	long, err := l.app.LongLived(ctx, short)
	if err != nil {
		return nil, err
	}
	pages, err := l.app.Pages(ctx, long)
	if err != nil {
		return nil, err
	}
	out := []choice{}
	for _, p := range pages {
		switch {
		case p.AccessToken == "":
			// Meta lists Pages the admin cannot act for without a token.
		case channelName == messenger.Name:
			out = append(out, choice{ID: p.ID, Name: p.Name, PageID: p.ID, PageName: p.Name, Token: p.AccessToken})
		case p.Instagram != nil && p.Instagram.ID != "":
			name := p.Instagram.Username
			if name == "" {
				name = p.Name
			}
			out = append(out, choice{ID: p.Instagram.ID, Name: name, PageID: p.ID, PageName: p.Name, Token: p.AccessToken})
		}
	}
	return out, nil
}

// Choice is a Page or Instagram account as the dashboard lists it.
type Choice struct {
	ID string `json:"id"`
	// Name is the Page's name, or the Instagram account's user name.
	Name string `json:"name"`
	// PageID and PageName are the Page an Instagram account is linked to
	// (the Page itself for Messenger).
	PageID   string `json:"page_id"`
	PageName string `json:"page_name"`
}

// Choices is what a completed sign-in may connect.
type Choices struct {
	Channel string   `json:"channel"`
	Items   []Choice `json:"items"`
}

func (l *Login) load(r *http.Request, a *core.Actor) (string, []choice, error) {
	if err := l.configured(); err != nil {
		return "", nil, err
	}
	ch, data, err := l.svc.ChannelLogin(r.Context(), a, r.PathValue("key"))
	if err != nil {
		return "", nil, err
	}
	var cs []choice
	if err := json.Unmarshal(data, &cs); err != nil {
		return "", nil, err
	}
	return ch, cs, nil
}

func (l *Login) choices(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	ch, cs, err := l.load(r, a)
	if err != nil {
		return err
	}
	out := Choices{Channel: ch, Items: []Choice{}}
	for _, c := range cs {
		out.Items = append(out.Items, Choice{ID: c.ID, Name: c.Name, PageID: c.PageID, PageName: c.PageName})
	}
	return httpx.OK(w, out)
}

// connect makes the inbox of the chosen Page or account: its Page is
// subscribed to the app's webhooks first, so an inbox is made only when
// its messages can arrive.
func (l *Login) connect(w http.ResponseWriter, r *http.Request, a *core.Actor) error {
	ch, cs, err := l.load(r, a)
	if err != nil {
		return err
	}
	var in ConnectRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	i := slices.IndexFunc(cs, func(c choice) bool { return c.ID == in.ID })
	if i < 0 {
		return sahay.Invalid("id must be one of the sign-in's Pages or accounts")
	}
	c := cs[i]
	if in.Name == "" {
		in.Name = c.Name
	}
	settings, err := json.Marshal(l.settings(ch, c))
	if err != nil {
		return err
	}
	if err := l.app.Subscribe(r.Context(), c.PageID, c.Token, channels[ch].fields); err != nil {
		l.log.Warn("meta: subscribe a Page", "page", c.PageID, "err", err)
		reason := "Meta did not answer"
		if ge := (*meta.GraphError)(nil); errors.As(err, &ge) {
			reason = ge.Error()
		}
		return sahay.Errorf(sahay.EUNAVAILABLE, "Meta refused to send the webhooks of %q to the app, so no inbox was made: %s", c.PageName, reason)
	}
	inbox, err := l.svc.CreateInbox(r.Context(), a, core.InboxInput{Name: &in.Name, Channel: ch, Settings: settings})
	if err != nil {
		return err
	}
	if err := l.svc.EndChannelLogin(r.Context(), a, r.PathValue("key")); err != nil {
		l.log.Warn("meta: forget the sign-in", "err", err)
	}
	return httpx.WriteJSON(w, http.StatusCreated, inbox)
}

// settings are the inbox's, as an admin would paste them: the Page token,
// the operator's app secret (which signs the app's webhooks); core makes
// the verify token.
func (l *Login) settings(ch string, c choice) map[string]string {
	s := map[string]string{"access_token": c.Token, "app_secret": l.app.Secret}
	if ch == instagram.Name {
		s["instagram_account_id"] = c.ID
		// A Page token works on the Graph API, not on the Instagram
		// API with Instagram login that such inboxes default to, and
		// sends as the Page the account is linked to.
		s[meta.BaseURLKey] = graphURL(l.app)
		s["page_id"] = c.PageID
		return s
	}
	s["page_id"] = c.ID
	if u := graphURL(l.app); u != meta.DefaultBaseURL {
		s[meta.BaseURLKey] = u
	}
	return s
}

func graphURL(app *meta.App) string {
	if app.GraphURL == "" {
		return meta.DefaultBaseURL
	}
	return app.GraphURL
}
