package metatest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// App is the Meta app whose sign-ins the simulator answers, with the
// addresses to give it: DialogURL is the simulated Facebook Login dialog.
type App struct {
	ID, Secret string
}

// Page is a Facebook Page of the signed-in user, as GET /me/accounts
// lists it, with its Page token and linked Instagram account.
type Page struct {
	ID, Name, Token string
	// InstagramID and InstagramUsername name the linked Instagram
	// professional account; empty when there is none.
	InstagramID, InstagramUsername string
}

// login is the simulator's Facebook Login state.
type login struct {
	app   App
	deny  bool
	codes map[string]string // code → the redirect_uri it was given for
	short map[string]bool   // short-lived user tokens not yet exchanged
	long  map[string]bool   // long-lived user tokens
	pages []Page
	subs  map[string][]string
}

// DialogURL is the simulated Facebook Login dialog: it grants at once and
// sends the browser back to redirect_uri with a code and the state, or
// with error=access_denied after [Sim.DenyLogin].
func (s *Sim) DialogURL() string { return s.Root + "/dialog/oauth" }

// SetApp makes the simulator answer sign-ins with app: its id and secret
// are checked when a code is exchanged.
func (s *Sim) SetApp(app App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login.app = app
}

// AddPage adds a Page to those the signed-in user manages; its token is
// accepted as an access token from then on.
func (s *Sim) AddPage(p Page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login.pages = append(s.login.pages, p)
}

// DenyLogin makes the next dialog answer as when the user cancels.
func (s *Sim) DenyLogin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login.deny = true
}

// Code issues a code as the dialog would for redirectURI, for a test that
// calls the callback itself.
func (s *Sim) Code(redirectURI string) string {
	code := "code-" + s.id()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login.codes[code] = redirectURI
	return code
}

// Subscriptions returns the fields a Page was subscribed to with
// POST /{page_id}/subscribed_apps, nil if it was not.
func (s *Sim) Subscriptions(pageID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.login.subs[pageID])
}

// tokenKnown reports whether token is a user or Page token the simulated
// sign-in gave. The caller holds s.mu.
func (s *Sim) tokenKnown(token string) bool {
	if s.login.long[token] {
		return true
	}
	return slices.ContainsFunc(s.login.pages, func(p Page) bool { return p.Token == token })
}

// serveLogin answers the dialog and /oauth/access_token, which take no
// access token; it reports whether the request was one of them.
func (s *Sim) serveLogin(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/dialog/oauth":
		s.dialog(w, r)
	case "/" + Version + "/oauth/access_token":
		req, _ := record(r, "/oauth/access_token")
		s.keep(req)
		s.exchange(w, req.Query)
	default:
		return false
	}
	return true
}

func (s *Sim) keep(req Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Sim) dialog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	s.mu.Lock()
	app, deny := s.login.app, s.login.deny
	s.login.deny = false
	s.mu.Unlock()
	if err != nil || back.Scheme == "" || q.Get("client_id") != app.ID || q.Get("response_type") != "code" {
		http.Error(w, "Invalid App ID or redirect_uri", http.StatusBadRequest)
		return
	}
	answer := url.Values{"state": {q.Get("state")}}
	if deny {
		answer.Set("error", "access_denied")
		answer.Set("error_reason", "user_denied")
		answer.Set("error_description", "Permissions error")
	} else {
		answer.Set("code", s.Code(back.String()))
	}
	back.RawQuery = answer.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// exchange answers GET /oauth/access_token: a code for a short-lived
// user token, or (grant_type=fb_exchange_token) a short-lived one for a
// long-lived one.
func (s *Sim) exchange(w http.ResponseWriter, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.login.app
	if app.ID == "" || q.Get("client_id") != app.ID || q.Get("client_secret") != app.Secret {
		writeError(w, Failure{Code: 101, Message: "Error validating application. Invalid application ID or secret."})
		return
	}
	if q.Get("grant_type") == "fb_exchange_token" {
		short := q.Get("fb_exchange_token")
		if !s.login.short[short] {
			writeError(w, Failure{Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"})
			return
		}
		delete(s.login.short, short)
		long := "EAAL" + strings.TrimPrefix(short, "EAAS")
		s.login.long[long] = true
		writeJSON(w, http.StatusOK, map[string]any{"access_token": long, "token_type": "bearer", "expires_in": 5183944})
		return
	}
	code := q.Get("code")
	uri, ok := s.login.codes[code]
	switch {
	case !ok:
		writeError(w, Failure{Code: 100, Subcode: 36009, Message: "This authorization code has been used."})
		return
	case uri != q.Get("redirect_uri"):
		writeError(w, Failure{Code: 100, Subcode: 36008, Message: "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request"})
		return
	}
	delete(s.login.codes, code)
	s.next++
	short := fmt.Sprintf("EAAS-user-%d", s.next)
	s.login.short[short] = true
	writeJSON(w, http.StatusOK, map[string]any{"access_token": short, "token_type": "bearer", "expires_in": 5400})
}

// accounts answers GET /me/accounts to a long-lived user token: every
// Page, in one page of results.
func (s *Sim) accounts(w http.ResponseWriter, r Request) {
	s.mu.Lock()
	pages := slices.Clone(s.login.pages)
	known := s.login.long[bearer(r)]
	s.mu.Unlock()
	if !known {
		writeError(w, Failure{Code: 190, Message: "Invalid OAuth access token - a user access token is needed"})
		return
	}
	fields := r.Query.Get("fields")
	data := []map[string]any{}
	for _, p := range pages {
		page := map[string]any{"id": p.ID, "name": p.Name, "access_token": p.Token}
		if p.InstagramID != "" && strings.Contains(fields, "instagram_business_account") {
			page["instagram_business_account"] = map[string]any{"id": p.InstagramID, "username": p.InstagramUsername}
		}
		data = append(data, page)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// subscribe answers POST /{page_id}/subscribed_apps to the Page's own
// token.
func (s *Sim) subscribe(w http.ResponseWriter, r Request, pageID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.login.pages, func(p Page) bool { return p.ID == pageID })
	switch {
	case i < 0 || s.login.pages[i].Token != bearer(r):
		writeError(w, Failure{Code: 210, Message: "(#210) A page access token is required to request this resource."})
	case r.Param("subscribed_fields") == "":
		writeError(w, Failure{Code: 100, Message: "(#100) The parameter subscribed_fields is required."})
	default:
		s.login.subs[pageID] = strings.Split(r.Param("subscribed_fields"), ",")
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	}
}

func bearer(r Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	return r.Query.Get("access_token")
}
