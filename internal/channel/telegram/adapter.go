package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
)

// Name is the channel's registry name.
const Name = "telegram"

// Namespace is whose ids a Telegram contact's identity holds: a private
// chat's id is the user's id, the same for every bot.
const Namespace = "telegram"

// Secret settings of an inbox, kept encrypted among its secrets.
const (
	// TokenKey is the bot's token from @BotFather.
	TokenKey = "bot_token"
	// SecretKey is what Telegram sends in the X-Telegram-Bot-Api-Secret-Token
	// header of every webhook delivery.
	SecretKey = "secret_token"
)

// SecretHeader carries the webhook secret.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Modes of receiving updates.
const (
	ModeWebhook = "webhook"
	ModePolling = "polling"
)

// pollTimeout is how long one getUpdates waits for an update.
const pollTimeout = 15 * time.Second

// Settings are a Telegram inbox's settings that are not secret.
type Settings struct {
	// APIBaseURL is the Bot API's address; empty means Telegram's own.
	APIBaseURL string `json:"api_base_url,omitempty"`
	// Mode is how updates arrive: "webhook" (Telegram calls Sahay at its
	// public URL) or "polling" (Sahay calls getUpdates). Empty means
	// webhook when the public URL is https, polling otherwise.
	Mode string `json:"mode,omitempty"`
}

// Adapter connects Telegram bots.
type Adapter struct {
	publicURL    string
	allowPrivate bool
	http         *http.Client
}

// New returns the adapter. publicURL is where Telegram reaches Sahay's
// webhooks. An inbox's api_base_url, and every call to it, is kept off the
// server's own network unless allowPrivate.
func New(publicURL string, allowPrivate bool) *Adapter {
	return &Adapter{publicURL: strings.TrimRight(publicURL, "/"), allowPrivate: allowPrivate, http: netguard.Client(allowPrivate)}
}

var (
	_ channel.Adapter   = (*Adapter)(nil)
	_ channel.Webhooker = (*Adapter)(nil)
	_ channel.Parser    = (*Adapter)(nil)
	_ channel.Fetcher   = (*Adapter)(nil)
	_ channel.Worker    = (*Adapter)(nil)
	_ channel.Describer = (*Adapter)(nil)
	_ channel.Tester    = (*Adapter)(nil)
	_ channel.Connector = (*Adapter)(nil)
)

// Namespace implements the outbound pipeline's lookup of the recipient.
func (a *Adapter) Namespace() string { return Namespace }

// Describe implements [channel.Describer].
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{
			MaxText:            MaxText,
			Attachments:        []string{"image/*", "application/pdf", "text/*", "audio/*", "video/*", "application/*"},
			MaxAttachmentBytes: 50 << 20,
			Edits:              true,
		},
		Settings: []channel.Setting{
			{Key: TokenKey, Label: "Bot token", Type: "string", Required: true, Secret: true,
				Help: "The token @BotFather gave when the bot was created, such as 123456:ABC-DEF…"},
			{Key: SecretKey, Label: "Webhook secret", Type: "string", Secret: true, Generated: true,
				Help: "Sent by Telegram with every update; made by Sahay when left empty."},
			{Key: "mode", Label: "Receive updates by", Type: "choice", Choices: []string{ModeWebhook, ModePolling},
				Help: "Webhook needs a public https address; polling works behind any firewall. Empty: webhook when the public URL is https."},
			{Key: "api_base_url", Label: "Bot API server", Type: "url", Default: DefaultBaseURL,
				Help: "Only for a local Bot API server."},
		},
	}
}

func settings(inbox *sahay.Inbox) (Settings, error) {
	var s Settings
	if len(inbox.Settings) > 0 {
		dec := json.NewDecoder(bytes.NewReader(inbox.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("telegram inbox settings: %v", err)
		}
	}
	return s, nil
}

var (
	tokenPattern  = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// Validate implements [channel.Adapter].
func (a *Adapter) Validate(inbox *sahay.Inbox) error {
	s, err := settings(inbox)
	if err != nil {
		return err
	}
	if !tokenPattern.MatchString(inbox.Secrets[TokenKey]) {
		return sahay.Invalid("settings.bot_token must be the token @BotFather gave, such as 123456789:AAE…")
	}
	if !secretPattern.MatchString(inbox.Secrets[SecretKey]) {
		return sahay.Invalid("settings.secret_token must be 1 to 256 letters, digits, _ or -")
	}
	switch s.Mode {
	case "", ModeWebhook, ModePolling:
	default:
		return sahay.Invalid("settings.mode must be %q or %q", ModeWebhook, ModePolling)
	}
	if s.APIBaseURL != "" {
		if err := netguard.CheckURL(s.APIBaseURL, a.allowPrivate); err != nil {
			return sahay.Invalid("settings.api_base_url %v", err)
		}
	}
	return nil
}

// client returns the Bot API client of an inbox.
func (a *Adapter) client(inbox *sahay.Inbox) (*Client, error) {
	s, err := settings(inbox)
	if err != nil {
		return nil, err
	}
	return &Client{BaseURL: s.APIBaseURL, Token: inbox.Secrets[TokenKey], HTTP: a.http}, nil
}

func (a *Adapter) mode(inbox *sahay.Inbox) string {
	s, _ := settings(inbox)
	if s.Mode != "" {
		return s.Mode
	}
	if strings.HasPrefix(a.publicURL, "https://") {
		return ModeWebhook
	}
	return ModePolling
}

// WebhookURL is where Telegram delivers an inbox's updates.
func (a *Adapter) WebhookURL(inbox *sahay.Inbox) string {
	return a.publicURL + "/webhooks/" + strconv.FormatInt(inbox.ID, 10)
}

// Connect implements [channel.Connector]: in webhook mode it asks Telegram
// to deliver to Sahay; in polling mode it removes any webhook, which
// getUpdates needs.
func (a *Adapter) Connect(ctx context.Context, inbox *sahay.Inbox) error {
	c, err := a.client(inbox)
	if err != nil {
		return err
	}
	if a.mode(inbox) == ModePolling {
		return c.DeleteWebhook(ctx)
	}
	return c.SetWebhook(ctx, a.WebhookURL(inbox), inbox.Secrets[SecretKey])
}

// Test implements [channel.Tester]: getMe checks the token.
func (a *Adapter) Test(ctx context.Context, inbox *sahay.Inbox) error {
	c, err := a.client(inbox)
	if err != nil {
		return err
	}
	me, err := c.GetMe(ctx)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == http.StatusUnauthorized {
		return fmt.Errorf("Telegram refused the bot token (401 Unauthorized): copy it again from @BotFather")
	}
	if err != nil {
		return err
	}
	if !me.IsBot {
		return fmt.Errorf("the token belongs to %q, which is not a bot", me.Username)
	}
	return nil
}

// Webhook implements [channel.Webhooker]: a delivery must carry the inbox's
// secret; its update_id is the dedupe key.
func (a *Adapter) Webhook(inbox *sahay.Inbox, r *http.Request, sub string, body []byte) (channel.Hook, error) {
	want := inbox.Secrets[SecretKey]
	got := r.Header.Get(SecretHeader)
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return channel.Hook{}, sahay.Errorf(sahay.EUNAUTHORIZED, "missing or wrong %s header", SecretHeader)
	}
	if r.Method != http.MethodPost || sub != "" {
		return channel.Hook{}, sahay.NotFound("Telegram webhook " + r.Method + " " + sub)
	}
	id, err := updateID(body)
	if err != nil {
		return channel.Hook{}, sahay.BadRequest("%v", err)
	}
	return channel.Hook{Events: []channel.Raw{{DedupeKey: dedupeKey(id), Body: body}}}, nil
}

func dedupeKey(updateID int64) string { return "update:" + strconv.FormatInt(updateID, 10) }

// updateID reads an update's id, all a webhook needs before journalling.
func updateID(raw []byte) (int64, error) {
	var u struct {
		UpdateID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return 0, fmt.Errorf("not a Telegram update: %v", err)
	}
	if u.UpdateID <= 0 {
		return 0, fmt.Errorf("not a Telegram update: no positive update_id")
	}
	return u.UpdateID, nil
}

// Parse implements [channel.Parser]. The Bot API reports no delivery or
// read receipts, so an update yields messages only.
func (a *Adapter) Parse(inbox *sahay.Inbox, raw channel.Raw) (channel.Parsed, error) {
	rs, err := Parse(raw.Body)
	if err != nil {
		return channel.Parsed{}, err
	}
	out := make([]channel.Inbound, 0, len(rs))
	for _, r := range rs {
		// In a private chat the customer's id is the chat's: a message from
		// anyone else (the bot, or the business's owner writing in a
		// connected business chat) is the business speaking.
		echo := r.FromBot || r.SenderID != 0 && r.SenderID != r.ChatID
		in := channel.Inbound{InboxID: inbox.ID, ExternalID: r.ExternalID(), Namespace: Namespace,
			ContactID: strconv.FormatInt(r.ChatID, 10), Name: r.Name, Content: r.Text, SentAt: r.SentAt,
			Edit: r.Edited, Echo: echo}
		switch {
		case echo:
			in.Name = "" // the sender's name is the business's, not the customer's
		case in.Name == "" && r.Username != "":
			in.Name = "@" + r.Username
		}
		for _, f := range r.Files {
			in.Files = append(in.Files, channel.RemoteFile{ID: f.FileID, Name: f.Name, ContentType: f.ContentType, Size: f.Size})
		}
		out = append(out, in)
	}
	return channel.Parsed{Messages: out}, nil
}

// Fetch implements [channel.Fetcher] with getFile and a download.
func (a *Adapter) Fetch(ctx context.Context, inbox *sahay.Inbox, f channel.RemoteFile, limit int64) (io.ReadCloser, error) {
	c, err := a.client(inbox)
	if err != nil {
		return nil, channel.Permanent(err)
	}
	file, err := c.GetFile(ctx, f.ID)
	if err != nil {
		return nil, classify(err)
	}
	data, err := c.Download(ctx, file, limit)
	if errors.Is(err, ErrTooLarge) {
		return nil, fmt.Errorf("%w: %w", channel.ErrTooLarge, err)
	}
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// classify marks a Bot API error for the callers' retry rules: a wait the
// API asked for, or a failure no retry can fix.
func classify(err error) error {
	var apiErr *APIError
	switch {
	case !errors.As(err, &apiErr):
		return err
	case apiErr.RetryAfter > 0:
		return channel.RetryAfter(err, apiErr.RetryAfter)
	case apiErr.Permanent():
		return channel.Permanent(err)
	}
	return err
}

// NeedsWorker implements [channel.Worker]: polling inboxes need one.
func (a *Adapter) NeedsWorker(inbox *sahay.Inbox) bool { return a.mode(inbox) == ModePolling }

// Work implements [channel.Worker]: getUpdates long polling. Each update is
// journalled exactly as a webhook delivery is, and confirmed to Telegram
// (by the next call's offset) only once the journal holds it.
func (a *Adapter) Work(ctx context.Context, inbox *sahay.Inbox, journal channel.Journal) error {
	c, err := a.client(inbox)
	if err != nil {
		return err
	}
	if err := c.DeleteWebhook(ctx); err != nil {
		return err
	}
	var offset int64
	for {
		raws, err := c.GetUpdates(ctx, offset, pollTimeout)
		if ctx.Err() != nil {
			return nil
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(apiErr.RetryAfter):
			}
			continue
		}
		if err != nil {
			return err
		}
		events := make([]channel.Raw, 0, len(raws))
		next := offset
		for _, raw := range raws {
			id, err := updateID(raw)
			if err != nil {
				return err
			}
			events = append(events, channel.Raw{DedupeKey: dedupeKey(id), Body: raw})
			next = max(next, id+1)
		}
		if len(events) == 0 {
			continue
		}
		if err := journal(ctx, events); err != nil {
			return err
		}
		offset = next
	}
}

// Send implements [channel.Adapter]: the text through sendMessage, split
// at MaxText characters, then each file through sendPhoto or sendDocument.
// Telegram takes no idempotency key, so a send retried after a lost answer
// may reach the customer twice: the window is one request.
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	c, err := a.client(out.Inbox)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	chatID, err := strconv.ParseInt(out.Recipient, 10, 64)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(fmt.Errorf("telegram: %q is not a chat id", out.Recipient))
	}
	var last Message
	for _, part := range split(out.Message.Content, MaxText) {
		if last, err = c.SendMessage(ctx, chatID, part, 0); err != nil {
			return channel.SendResult{}, classify(err)
		}
	}
	for _, att := range out.Message.Attachments {
		if out.Open == nil {
			return channel.SendResult{}, channel.Permanent(errors.New("telegram: attachments cannot be read"))
		}
		f, err := out.Open(ctx, att)
		if err != nil {
			return channel.SendResult{}, err
		}
		method := "sendDocument"
		if photo(att) {
			method = "sendPhoto"
		}
		last, err = c.SendFile(ctx, method, chatID, att.FileName, f, "")
		f.Close()
		if err != nil {
			return channel.SendResult{}, classify(err)
		}
	}
	if last.MessageID == 0 {
		return channel.SendResult{}, channel.Permanent(errors.New("telegram: nothing to send"))
	}
	return channel.SendResult{ExternalID: strconv.FormatInt(chatID, 10) + ":" + strconv.FormatInt(last.MessageID, 10)}, nil
}

// photo reports whether Telegram shows a file as a photo: JPEG, PNG or
// WebP up to 10 MB.
func photo(a sahay.Attachment) bool {
	switch a.ContentType {
	case "image/jpeg", "image/png", "image/webp":
		return a.Size <= 10<<20
	}
	return false
}

// split cuts text into parts of at most n characters, at a line break or
// space where there is one in the part's second half.
func split(text string, n int) []string {
	text = strings.TrimSpace(text)
	var parts []string
	for utf8.RuneCountInString(text) > n {
		end, count := 0, 0
		for i := range text {
			if count == n {
				end = i
				break
			}
			count++
		}
		head := text[:end]
		if i := strings.LastIndexAny(head, "\n "); i > len(head)/2 {
			head = head[:i]
		}
		parts = append(parts, strings.TrimSpace(head))
		text = strings.TrimSpace(text[len(head):])
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}
