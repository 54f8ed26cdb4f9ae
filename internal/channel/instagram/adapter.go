// Package instagram is the "instagram" channel: an Instagram professional
// account's direct messages and the comments on its posts, reels, ads and
// live videos, through Meta's webhooks and the Instagram API (see package
// meta for what it shares with Messenger and WhatsApp).
package instagram

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/netguard"
)

// Name is the channel's registry name.
const Name = "instagram"

// Secret settings of an inbox, kept encrypted among its secrets.
const (
	// AppSecretKey is the Meta app's secret, which signs every webhook
	// delivery.
	AppSecretKey = "app_secret"
	// VerifyTokenKey is what Meta sends back when the webhook URL is
	// saved in the app's settings.
	VerifyTokenKey = "verify_token"
	// AccessTokenKey is the Instagram account's access token.
	AccessTokenKey = "access_token"
)

// MaxText is the longest text one Instagram message takes, in characters.
const MaxText = 1000

// MaxAttachmentBytes is the largest file Instagram takes (Meta's
// Attachment Upload API for Instagram: 25 MB for audio and video; images
// are limited to 8 MB).
const MaxAttachmentBytes = 25 << 20

// DefaultBaseURL is the address of the Instagram API with Instagram
// Login, which an inbox's access token is made for.
const DefaultBaseURL = "https://graph.instagram.com/v25.0"

// TestFields are what "test connection" reads of the account.
const TestFields = "id,username"

// Settings are an Instagram inbox's settings that are not secret.
type Settings struct {
	// AccountID is the Instagram professional account's id, the one
	// Meta's webhooks name.
	AccountID string `json:"instagram_account_id"`
	// PageID is the Facebook Page the account is linked to, for an inbox
	// whose token is the Page's (the Instagram API with Facebook Login,
	// which Connect with Facebook makes): the Send API is then called as
	// the Page, POST /{page_id}/messages on the Graph API. Empty, it is
	// called as the account, as the Instagram API with Instagram Login
	// wants.
	PageID string `json:"page_id,omitempty"`
	// HumanAgentTag, "true", lets a person answer up to 7 days after the
	// customer's last message with the HUMAN_AGENT tag.
	HumanAgentTag string `json:"human_agent_tag,omitempty"`
	// APIBaseURL is the API's address and version; empty means
	// [DefaultBaseURL].
	APIBaseURL string `json:"api_base_url,omitempty"`
}

// Adapter connects Instagram professional accounts.
type Adapter struct {
	allowPrivate bool
	http         *http.Client
}

// New returns the adapter. An inbox's api_base_url, every call to it and
// every file fetched are kept off the server's own network unless
// allowPrivate.
func New(allowPrivate bool) *Adapter {
	return &Adapter{allowPrivate: allowPrivate, http: netguard.Client(allowPrivate)}
}

var (
	_ channel.Adapter   = (*Adapter)(nil)
	_ channel.Webhooker = (*Adapter)(nil)
	_ channel.Parser    = (*Adapter)(nil)
	_ channel.Fetcher   = (*Adapter)(nil)
	_ channel.Describer = (*Adapter)(nil)
	_ channel.Tester    = (*Adapter)(nil)
	_ channel.Moderator = (*Adapter)(nil)
)

// Describe implements [channel.Describer].
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{
			MaxText:            MaxText,
			Attachments:        []string{"image/*", "video/*", "audio/*"},
			MaxAttachmentBytes: MaxAttachmentBytes,
			ReadReceipts:       true,
			WindowHours:        24,
			TagWindowHours:     168,
			PublicComments:     true,
			PrivateReply:       true,
			Edits:              true,
		},
		Settings: []channel.Setting{
			{Key: "instagram_account_id", Label: "Instagram account ID", Type: "string", Required: true,
				Help: "The numeric id of the Instagram professional account, shown next to it in the Meta app's Instagram settings (API setup with Instagram login)."},
			{Key: "page_id", Label: "Facebook Page ID", Type: "string",
				Help: "Only for a Page access token (Instagram API with Facebook Login): the id of the Facebook Page the account is linked to, which messages are sent as. Leave it empty for a token made in the Instagram settings."},
			{Key: AccessTokenKey, Label: "Access token", Type: "string", Required: true, Secret: true,
				Help: "Made in the Meta app's Instagram settings (Generate access tokens) for this account, with instagram_business_basic, instagram_business_manage_messages and instagram_business_manage_comments."},
			{Key: AppSecretKey, Label: "App secret", Type: "string", Required: true, Secret: true,
				Help: "The Instagram app secret, shown with the Instagram app id in the Meta app's Instagram settings: Meta signs every webhook with it."},
			{Key: VerifyTokenKey, Label: "Verify token", Type: "string", Secret: true, Generated: true,
				Help: "Pasted with the webhook URL in the Meta app's webhook settings; made by Sahay when left empty."},
			{Key: "human_agent_tag", Label: "Answer up to 7 days (human agent tag)", Type: "choice", Choices: []string{"false", "true"}, Default: "false",
				Help: "When on, a person may answer up to 7 days after the customer's last message, past Instagram's 24 hours. Needs the Human Agent permission in the Meta app."},
			{Key: meta.BaseURLKey, Label: "API address", Type: "url", Default: DefaultBaseURL,
				Help: "The Instagram API with Instagram login; change it only to use another API version."},
		},
	}
}

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	tokenPattern = regexp.MustCompile(`^[\x21-\x7e]{1,1000}$`)
)

func settings(inbox *sahay.Inbox) (Settings, error) {
	var s Settings
	if len(inbox.Settings) > 0 {
		dec := json.NewDecoder(bytes.NewReader(inbox.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("instagram inbox settings: %v", err)
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
	if !idPattern.MatchString(s.AccountID) {
		return sahay.Invalid("settings.instagram_account_id must be the account's id, such as 17841405822304914")
	}
	if s.PageID != "" && !idPattern.MatchString(s.PageID) {
		return sahay.Invalid("settings.page_id must be the id of the Facebook Page the account is linked to, such as 106541234567890, or empty")
	}
	for _, k := range []string{AccessTokenKey, AppSecretKey, VerifyTokenKey} {
		if !tokenPattern.MatchString(inbox.Secrets[k]) {
			return sahay.Invalid("settings.%s must be at most 1000 printable characters without spaces, as Meta gives it", k)
		}
	}
	switch s.HumanAgentTag {
	case "", "true", "false":
	default:
		return sahay.Invalid(`settings.human_agent_tag must be "true" or "false"`)
	}
	if s.APIBaseURL != "" {
		if err := netguard.CheckURL(s.APIBaseURL, a.allowPrivate); err != nil {
			return sahay.Invalid("settings.api_base_url %v", err)
		}
	}
	return nil
}

// client returns the API client of an inbox, and its settings.
func (a *Adapter) client(inbox *sahay.Inbox) (*meta.Client, Settings, error) {
	s, err := settings(inbox)
	if err != nil {
		return nil, s, err
	}
	base := s.APIBaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	return &meta.Client{BaseURL: base, Token: inbox.Secrets[AccessTokenKey], HTTP: a.http}, s, nil
}

// sender is the id the Send API is called as: the linked Page's, for a
// Page token, else the account's.
func (s Settings) sender() string {
	if s.PageID != "" {
		return s.PageID
	}
	return s.AccountID
}

// Test implements [channel.Tester]: the account's id and user name, read
// with the token.
func (a *Adapter) Test(ctx context.Context, inbox *sahay.Inbox) error {
	c, s, err := a.client(inbox)
	if err != nil {
		return err
	}
	var account struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	}
	return c.Test(ctx, s.AccountID, TestFields, &account)
}

// Webhook implements [channel.Webhooker]: Meta's handshake, and signed
// deliveries of "instagram" events, journalled one entry each.
func (a *Adapter) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	if sub != "" {
		return channel.Hook{}, sahay.NotFound("Instagram webhook " + sub)
	}
	return meta.Webhook(r, body, inbox.Secrets[AppSecretKey], inbox.Secrets[VerifyTokenKey], meta.ObjectInstagram)
}

// Parse implements [channel.Parser]; see [Parse].
func (a *Adapter) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	s, err := settings(inbox)
	if err != nil {
		return channel.Parsed{}, err
	}
	return Parse(s.AccountID, raw.Body)
}

// Fetch implements [channel.Fetcher]: a file's id is its address on
// Meta's CDN, fetched without the token (the address is signed).
func (a *Adapter) Fetch(ctx context.Context, inbox *sahay.Inbox, f channel.RemoteFile, limit int64) (io.ReadCloser, error) {
	c := &meta.Client{HTTP: a.http}
	data, err := c.Download(ctx, f.ID, limit)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// Send implements [channel.Adapter]: a private reply to a comment, a
// public reply under the customer's comment, or a direct message. Direct
// messages and private replies go to the Send API of the account, or of
// its linked Page when the inbox names one.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	c, s, err := a.client(out.Inbox)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	d := meta.Direct{Client: c, Account: s.sender(), MaxText: MaxText, Platform: "instagram"}
	switch {
	case out.Message.Details != nil && out.Message.Details.PrivateReplyTo != "":
		return d.PrivateReply(ctx, out, out.Message.Details.PrivateReplyTo)
	case out.Conversation != nil && out.Conversation.Public:
		return meta.PublicReply(ctx, c, out, "replies")
	}
	return d.Send(ctx, out)
}

// Moderate implements [channel.Moderator]: hide on the comment, or its
// deletion.
func (a *Adapter) Moderate(ctx context.Context, inbox *sahay.Inbox, commentID, action string) error {
	c, _, err := a.client(inbox)
	if err != nil {
		return err
	}
	return c.Moderate(ctx, commentID, "hide", action)
}
