package x

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/netguard"
)

// Name is the channel's registry name.
const Name = "x"

// Secret settings of an inbox, kept encrypted among its secrets.
const (
	// ConsumerSecretKey is the app's API key secret: it signs every
	// webhook delivery and the CRC answers.
	ConsumerSecretKey = "consumer_secret"
	// AccessTokenKey and AccessTokenSecretKey are the account's OAuth
	// 1.0a access token and secret for the app.
	AccessTokenKey       = "access_token"
	AccessTokenSecretKey = "access_token_secret"
	// BearerTokenKey is the app's bearer token, optional: with it Sahay
	// registers the webhook and subscribes the account itself.
	BearerTokenKey = "bearer_token"
)

// Text limits, in characters.
const (
	// MaxText is the longest direct message.
	MaxText = 10000
	// MaxPost is the longest post of an account without a subscription:
	// a public reply over it is refused, not split.
	MaxPost = 280
)

// Settings are an X inbox's settings that are not secret.
type Settings struct {
	// ConsumerKey is the app's API key.
	ConsumerKey string `json:"consumer_key"`
	// UserID is the account's numeric id: its own messages and posts are
	// told from its customers' by it.
	UserID string `json:"user_id"`
	// APIBaseURL is the API's address and version; empty means
	// [DefaultBaseURL].
	APIBaseURL string `json:"api_base_url,omitempty"`
}

// Adapter connects X accounts.
type Adapter struct {
	publicURL    string
	allowPrivate bool
	http         *http.Client
}

// New returns the adapter. publicURL is where X reaches Sahay's
// webhooks. An inbox's api_base_url, every call to it and every file
// fetched are kept off the server's own network unless allowPrivate.
func New(publicURL string, allowPrivate bool) *Adapter {
	return &Adapter{publicURL: strings.TrimRight(publicURL, "/"), allowPrivate: allowPrivate, http: netguard.Client(allowPrivate)}
}

var (
	_ channel.Adapter   = (*Adapter)(nil)
	_ channel.Webhooker = (*Adapter)(nil)
	_ channel.Parser    = (*Adapter)(nil)
	_ channel.Fetcher   = (*Adapter)(nil)
	_ channel.Describer = (*Adapter)(nil)
	_ channel.Tester    = (*Adapter)(nil)
	_ channel.Connector = (*Adapter)(nil)
)

// Describe implements [channel.Describer].
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{
			MaxText:            MaxText,
			ReadReceipts:       true,
			PublicComments:     true,
			PrivateReply:       true,
			Attachments:        imageTypes,
			MaxAttachmentBytes: MaxImageBytes,
		},
		Settings: []channel.Setting{
			{Key: "consumer_key", Label: "API key (consumer key)", Type: "string", Required: true,
				Help: "In the X developer console, the app's Keys and tokens → Consumer keys → API Key."},
			{Key: ConsumerSecretKey, Label: "API key secret (consumer secret)", Type: "string", Required: true, Secret: true,
				Help: "Shown with the API key. X signs every webhook delivery and check with it."},
			{Key: AccessTokenKey, Label: "Access token", Type: "string", Required: true, Secret: true,
				Help: "Keys and tokens → Authentication tokens → Access token and secret, made for the support account after setting the app's permissions to Read, write and Direct Messages."},
			{Key: AccessTokenSecretKey, Label: "Access token secret", Type: "string", Required: true, Secret: true,
				Help: "Shown with the access token."},
			{Key: "user_id", Label: "Account's user id", Type: "string", Required: true,
				Help: "The support account's numeric id (the part of the access token before the dash); test connection tells it if unsure."},
			{Key: BearerTokenKey, Label: "Bearer token", Type: "string", Secret: true,
				Help: "Keys and tokens → Bearer Token. With it, Sahay registers this server's webhook address with X and subscribes the account when the inbox is saved; without it, do both yourself."},
			{Key: "api_base_url", Label: "X API address", Type: "url", Default: DefaultBaseURL,
				Help: "Leave as it is; only for a test server."},
		},
	}
}

var (
	idPattern    = regexp.MustCompile(`^[0-9]{1,20}$`)
	tokenPattern = regexp.MustCompile(`^[\x21-\x7e]{1,200}$`)
)

func settings(inbox *sahay.Inbox) (Settings, error) {
	var s Settings
	if len(inbox.Settings) > 0 {
		dec := json.NewDecoder(bytes.NewReader(inbox.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("x inbox settings: %v", err)
		}
	}
	return s, nil
}

// Validate implements [channel.Adapter].
func (a *Adapter) Validate(inbox *sahay.Inbox) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	if !tokenPattern.MatchString(s.ConsumerKey) {
		return sahay.Invalid("settings.consumer_key must be the app's API key, as X gives it")
	}
	if !idPattern.MatchString(s.UserID) {
		return sahay.Invalid("settings.user_id must be the account's numeric id, such as 4337869213")
	}
	for _, k := range []string{ConsumerSecretKey, AccessTokenKey, AccessTokenSecretKey} {
		if !tokenPattern.MatchString(inbox.Secrets[k]) {
			return sahay.Invalid("settings.%s must be at most 200 printable characters without spaces, as X gives it", k)
		}
	}
	if s.APIBaseURL != "" {
		if err := netguard.CheckURL(s.APIBaseURL, a.allowPrivate); err != nil {
			return sahay.Invalid("settings.api_base_url %v", err)
		}
	}
	return nil
}

// client returns the API client of an inbox, and its account's id.
func (a *Adapter) client(inbox *sahay.Inbox) (*Client, string, error) {
	s, err := settings(inbox)
	if err != nil {
		return nil, "", err
	}
	creds := Credentials{ConsumerKey: s.ConsumerKey, ConsumerSecret: inbox.Secrets[ConsumerSecretKey],
		AccessToken: inbox.Secrets[AccessTokenKey], AccessTokenSecret: inbox.Secrets[AccessTokenSecretKey]}
	return &Client{BaseURL: s.APIBaseURL, Credentials: creds, HTTP: a.http, Bearer: inbox.Secrets[BearerTokenKey]}, s.UserID, nil
}

// WebhookURL is where X delivers an inbox's events.
func (a *Adapter) WebhookURL(inbox *sahay.Inbox) string {
	return fmt.Sprintf("%s/webhooks/%d", a.publicURL, inbox.ID)
}

// Connect implements [channel.Connector]: with the app's bearer token,
// the inbox's webhook address is registered for the app (or checked
// again when X holds it as invalid) and the account subscribed to it, so
// its direct messages and mentions arrive. Without the token it does
// nothing: the admin registers the address with X.
func (a *Adapter) Connect(ctx context.Context, inbox *sahay.Inbox) error {
	c, _, err := a.client(inbox)
	if err != nil || c.Bearer == "" {
		return err
	}
	address := a.WebhookURL(inbox)
	hooks, err := c.Webhooks(ctx)
	if err != nil {
		return fmt.Errorf("list the app's webhooks: %w", err)
	}
	i := slices.IndexFunc(hooks, func(h Registration) bool { return h.URL == address })
	var hook Registration
	switch {
	case i < 0:
		if hook, err = c.AddWebhook(ctx, address); err != nil {
			return fmt.Errorf("register %s with X (it must be a public https address without a port, and an app on pay-per-use has one webhook): %w", address, err)
		}
	case !hooks[i].Valid:
		hook = hooks[i]
		if err := c.RecheckWebhook(ctx, hook.ID); err != nil {
			return fmt.Errorf("have X check %s again: %w", address, err)
		}
	default:
		hook = hooks[i]
	}
	if err := c.Subscribe(ctx, hook.ID); err != nil && !isAlreadySubscribed(err) {
		return fmt.Errorf("subscribe the account to webhook %s: %w", hook.ID, err)
	}
	return nil
}

// isAlreadySubscribed reports X's refusal of a subscription it already
// has.
func isAlreadySubscribed(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

// Test implements [channel.Tester]: the account the access token acts
// for must be the inbox's.
func (a *Adapter) Test(ctx context.Context, inbox *sahay.Inbox) error {
	c, userID, err := a.client(inbox)
	if err != nil {
		return err
	}
	me, err := c.Me(ctx)
	if err != nil {
		// What X refused is the answer; that a reply would not be retried
		// is not.
		return errors.New(strings.TrimPrefix(err.Error(), channel.ErrPermanent.Error()+": "))
	}
	if me.ID != userID {
		return fmt.Errorf("the access token acts for @%s (user id %s), not the user id %s: set user_id to %s or make the token for this account", me.Username, me.ID, userID, me.ID)
	}
	return nil
}

// Webhook implements [channel.Webhooker]: X's CRC checks, and signed
// deliveries.
func (a *Adapter) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	if sub != "" {
		return channel.Hook{}, sahay.NotFound("X webhook " + sub)
	}
	return Webhook(r, body, inbox.Secrets[ConsumerSecretKey])
}

// Parse implements [channel.Parser]; see [Parse].
func (a *Adapter) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	s, err := settings(inbox)
	if err != nil {
		return channel.Parsed{}, channel.Permanent(err)
	}
	return Parse(s.UserID, raw.Body)
}

// Fetch implements [channel.Fetcher]: a direct message's file is read
// from its address with the inbox's credentials, as X requires.
func (a *Adapter) Fetch(ctx context.Context, inbox *sahay.Inbox, f channel.RemoteFile, limit int64) (io.ReadCloser, error) {
	c, _, err := a.client(inbox)
	if err != nil {
		return nil, err
	}
	if err := netguard.CheckURL(f.ID, a.allowPrivate); err != nil {
		return nil, channel.Permanent(fmt.Errorf("x: file address: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.ID, nil)
	if err != nil {
		return nil, fmt.Errorf("x: fetch %s: %w", f.Name, err)
	}
	auth, err := c.Credentials.Sign(http.MethodGet, f.ID, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", auth)
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("x: fetch %s: %w", f.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("x: fetch %s: %s", f.Name, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("x: fetch %s: %w", f.Name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("x: fetch %s: %w", f.Name, channel.ErrTooLarge)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// Send implements [channel.Adapter]: a private reply to a mention (a
// direct message to its author), a public reply to the customer's post,
// or a direct message. Images go with them: one a direct message (the
// text's first part carries the first, each other goes alone), up to
// four a post.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	c, _, err := a.client(out.Inbox)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	if out.Recipient == "" {
		return channel.SendResult{}, channel.Permanent(errors.New("the contact has no X id on this inbox"))
	}
	if err := checkImages(out.Message.Attachments); err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	text := strings.TrimSpace(out.Message.Content)
	if text == "" && len(out.Message.Attachments) == 0 {
		return channel.SendResult{}, channel.Permanent(errors.New("an X reply needs text or an image"))
	}
	private := out.Message.Details != nil && out.Message.Details.PrivateReplyTo != ""
	if out.Conversation != nil && out.Conversation.Public && !private {
		if len(out.Message.Attachments) > MaxPostImages {
			return channel.SendResult{}, channel.Permanent(fmt.Errorf("a post on X carries at most %d images, this reply has %d", MaxPostImages, len(out.Message.Attachments)))
		}
		if out.ReplyTo == "" {
			return channel.SendResult{}, channel.Permanent(errors.New("no post of the customer to reply to"))
		}
		if n := utf8.RuneCountInString(text); n > MaxPost {
			return channel.SendResult{}, channel.Permanent(fmt.Errorf("a public reply on X is one post of at most %d characters, this one has %d: shorten it or reply privately", MaxPost, n))
		}
		media, err := upload(ctx, c, out, MediaPost, out.Message.Attachments)
		if err != nil {
			return channel.SendResult{}, err
		}
		// X counts some characters (CJK, emoji) twice; Sahay refuses by
		// characters and X refuses what is over its own count.
		id, err := c.Reply(ctx, out.ReplyTo, text, media)
		return channel.SendResult{ExternalID: id}, err
	}
	parts := []string{text}
	if private {
		if n := utf8.RuneCountInString(text); n > MaxText {
			return channel.SendResult{}, channel.Permanent(fmt.Errorf("a private reply is one direct message of at most %d characters, this one has %d", MaxText, n))
		}
	} else {
		parts = meta.SplitText(text, MaxText)
	}
	media, err := upload(ctx, c, out, MediaDM, out.Message.Attachments)
	if err != nil {
		return channel.SendResult{}, err
	}
	var last string
	for i := 0; i < max(len(parts), len(media)); i++ {
		var part, m string
		if i < len(parts) {
			part = parts[i]
		}
		if i < len(media) {
			m = media[i]
		}
		if last, err = c.SendDM(ctx, out.Recipient, part, m); err != nil {
			return channel.SendResult{}, err
		}
	}
	return channel.SendResult{ExternalID: last}, nil
}

// Images X takes from Sahay, sent in one request each.
const (
	MaxImageBytes = 5 << 20
	MaxPostImages = 4
)

var imageTypes = []string{"image/jpeg", "image/png", "image/webp"}

// checkImages refuses, before anything is sent, a file X does not take.
func checkImages(atts []sahay.Attachment) error {
	for _, f := range atts {
		if !slices.Contains(imageTypes, f.ContentType) {
			return fmt.Errorf("%s: X replies from Sahay carry JPEG, PNG and WebP images; send a link to other files", f.FileName)
		}
		if f.Size > MaxImageBytes {
			return fmt.Errorf("%s: X takes images up to %d MB", f.FileName, MaxImageBytes>>20)
		}
	}
	return nil
}

// upload sends a reply's images to X for category and returns their ids.
func upload(ctx context.Context, c *Client, out channel.Outbound, category string, atts []sahay.Attachment) ([]string, error) {
	var ids []string
	for _, f := range atts {
		r, err := out.Open(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("x: read %s: %w", f.FileName, err)
		}
		data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("x: read %s: %w", f.FileName, err)
		}
		if len(data) > MaxImageBytes {
			return nil, channel.Permanent(fmt.Errorf("%s: X takes images up to %d MB", f.FileName, MaxImageBytes>>20))
		}
		id, err := c.UploadMedia(ctx, category, f.ContentType, f.FileName, data)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
