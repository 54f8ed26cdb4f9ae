package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultDialogURL is Facebook Login's dialog, where an admin grants the
// operator's Meta app access to their Pages.
const DefaultDialogURL = "https://www.facebook.com/v25.0/dialog/oauth"

// The permissions Facebook Login asks for, by channel: what the
// Messenger and Instagram adapters need of a Page token, and
// pages_show_list to list the admin's Pages.
var (
	MessengerScopes = []string{"pages_show_list", "pages_messaging", "pages_manage_metadata",
		"pages_read_engagement", "pages_manage_engagement"}
	InstagramScopes = []string{"instagram_basic", "instagram_manage_messages", "instagram_manage_comments",
		"pages_show_list", "pages_manage_metadata"}
)

// The webhook fields a connected Page is subscribed to, by channel
// (POST /{page_id}/subscribed_apps). Meta delivers a field only when the
// app subscribes to it too, in its own webhook settings.
var (
	MessengerFields = []string{"messages", "message_echoes", "message_deliveries", "message_reads",
		"messaging_postbacks", "message_reactions", "feed"}
	InstagramFields = []string{"messages", "messaging_postbacks", "messaging_seen", "message_reactions", "comments"}
)

// App is the operator's Meta app, which admins sign in with ("Connect
// with Facebook") to connect their Pages and Instagram accounts without
// pasting tokens.
type App struct {
	ID     string
	Secret string
	// VerifyToken is what the app's webhook settings send back when its
	// callback URL is saved.
	VerifyToken string
	// DialogURL is Facebook Login's dialog; empty means [DefaultDialogURL].
	DialogURL string
	// GraphURL is the Graph API's address with its version; empty means
	// [DefaultBaseURL].
	GraphURL string
	// HTTP makes the requests: a netguard client.
	HTTP *http.Client
	// Timeout bounds each call; 0 means [DefaultTimeout].
	Timeout time.Duration
}

// Configured reports whether the operator named an app: without one the
// sign-in is not offered.
func (a *App) Configured() bool { return a != nil && a.ID != "" && a.Secret != "" }

func (a *App) graph(token string) *Client {
	return &Client{BaseURL: a.GraphURL, Token: token, HTTP: a.HTTP, Timeout: a.Timeout}
}

// LoginURL is the address of the dialog that asks the admin for scopes,
// then sends their browser to redirectURI with a code and state (or an
// error).
func (a *App) LoginURL(redirectURI, state string, scopes []string) string {
	dialog := a.DialogURL
	if dialog == "" {
		dialog = DefaultDialogURL
	}
	q := url.Values{
		"client_id":     {a.ID},
		"redirect_uri":  {redirectURI},
		"state":         {state},
		"scope":         {strings.Join(scopes, ",")},
		"response_type": {"code"},
	}
	return dialog + "?" + q.Encode()
}

// tokenAnswer is what /oauth/access_token answers.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// Exchange trades the code the dialog gave for the admin's user token
// (GET /oauth/access_token); redirectURI must be the one the dialog was
// opened with.
func (a *App) Exchange(ctx context.Context, code, redirectURI string) (string, error) {
	if code == "" {
		return "", errors.New("meta: exchange: no code")
	}
	return a.token(ctx, "exchange the code", url.Values{
		"client_id": {a.ID}, "client_secret": {a.Secret}, "redirect_uri": {redirectURI}, "code": {code},
	})
}

// LongLived trades a user token for a long-lived one (about 60 days),
// whose Page tokens do not expire.
func (a *App) LongLived(ctx context.Context, userToken string) (string, error) {
	return a.token(ctx, "long-lived token", url.Values{
		"grant_type": {"fb_exchange_token"}, "client_id": {a.ID}, "client_secret": {a.Secret}, "fb_exchange_token": {userToken},
	})
}

func (a *App) token(ctx context.Context, what string, q url.Values) (string, error) {
	var t tokenAnswer
	if err := a.graph("").Do(ctx, http.MethodGet, "/oauth/access_token", q, nil, &t); err != nil {
		return "", fmt.Errorf("meta: %s: %w", what, err)
	}
	if t.AccessToken == "" {
		return "", fmt.Errorf("meta: %s: Meta answered no access token", what)
	}
	return t.AccessToken, nil
}

// Page is a Facebook Page the admin manages, with its Page token and the
// Instagram professional account linked to it, if any.
type Page struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	AccessToken string            `json:"access_token"`
	Instagram   *InstagramAccount `json:"instagram_business_account,omitempty"`
}

// InstagramAccount is the Instagram professional account linked to a Page.
type InstagramAccount struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// PagesFields are the fields [App.Pages] asks of each Page.
const PagesFields = "id,name,access_token,instagram_business_account{id,username}"

// maxPages bounds the Pages read, in case Meta's paging never ends.
const maxPages = 1000

// Pages lists the Pages the user token may manage, following Meta's
// paging (GET /me/accounts).
func (a *App) Pages(ctx context.Context, userToken string) ([]Page, error) {
	c := a.graph(userToken)
	q := url.Values{"fields": {PagesFields}, "limit": {"100"}}
	var pages []Page
	for len(pages) < maxPages {
		var answer struct {
			Data   []Page `json:"data"`
			Paging struct {
				Cursors struct {
					After string `json:"after"`
				} `json:"cursors"`
				Next string `json:"next"`
			} `json:"paging"`
		}
		if err := c.Do(ctx, http.MethodGet, "/me/accounts", q, nil, &answer); err != nil {
			return nil, fmt.Errorf("meta: list pages: %w", err)
		}
		pages = append(pages, answer.Data...)
		if answer.Paging.Next == "" || answer.Paging.Cursors.After == "" || len(answer.Data) == 0 {
			break
		}
		q.Set("after", answer.Paging.Cursors.After)
	}
	return pages, nil
}

// Subscribe subscribes the app to a Page's webhook fields, with the
// Page's token (POST /{page_id}/subscribed_apps).
func (a *App) Subscribe(ctx context.Context, pageID, pageToken string, fields []string) error {
	var answer struct {
		Success bool `json:"success"`
	}
	q := url.Values{"subscribed_fields": {strings.Join(fields, ",")}}
	if err := a.graph(pageToken).Do(ctx, http.MethodPost, Path(pageID, "subscribed_apps"), q, nil, &answer); err != nil {
		return fmt.Errorf("meta: subscribe the app to page %s: %w", pageID, err)
	}
	if !answer.Success {
		return fmt.Errorf("meta: subscribe the app to page %s: Meta did not confirm", pageID)
	}
	return nil
}
