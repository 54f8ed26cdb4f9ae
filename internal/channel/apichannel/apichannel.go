// Package apichannel is the "api" channel: customer messages and the
// receipts of replies come in over Sahay's REST API (POST
// /api/v1/inboxes/{id}/messages and /statuses, served here) and replies go
// out to a webhook URL of the integrator's, signed so it can trust them.
package apichannel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/netguard"
)

// Name is the channel's registry name.
const Name = "api"

// Settings are an API inbox's settings.
type Settings struct {
	// WebhookURL receives replies; empty means replies are only stored.
	WebhookURL string `json:"webhook_url"`
}

// SecretKey names the webhook signing secret among the inbox's secrets.
const SecretKey = "webhook_secret"

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>" of
// "<t>.<body>" keyed by the inbox's webhook secret.
const SignatureHeader = "X-Sahay-Signature"

// Adapter takes API inboxes' customer messages through the service and
// sends their replies to their webhook. Create it with [New].
type Adapter struct {
	svc          *core.Service
	allowPrivate bool
	client       *http.Client
}

// New returns the adapter of svc's API inboxes. Unless allowPrivate,
// webhook URLs of the server's own network are refused when saved and
// when called.
func New(svc *core.Service, allowPrivate bool) *Adapter {
	return &Adapter{svc: svc, allowPrivate: allowPrivate, client: netguard.Client(allowPrivate)}
}

var (
	_ channel.Adapter   = (*Adapter)(nil)
	_ channel.Describer = (*Adapter)(nil)
)

// Describe implements [channel.Describer]. The integrator's own system is
// the platform: it takes any text and file Sahay keeps (core's limits
// apply), may report deliveries and reads through
// POST /api/v1/inboxes/{id}/statuses, and has no typing or window.
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{
			Attachments:  []string{"*/*"},
			ReadReceipts: true,
		},
		Settings: []channel.Setting{
			{Key: "webhook_url", Label: "Webhook URL", Type: "url",
				Help: "Replies are POSTed here as JSON, signed in the X-Sahay-Signature header. Empty: replies are only stored."},
			{Key: SecretKey, Label: "Webhook signing secret", Type: "string", Secret: true, Generated: true,
				Help: "Keys the HMAC-SHA256 signature of every reply; made by Sahay when left empty."},
		},
	}
}

// Validate implements [channel.Adapter].
func (a *Adapter) Validate(inbox *sahay.Inbox) error {
	s, err := parseSettings(inbox)
	if err != nil {
		return err
	}
	if s.WebhookURL == "" {
		return nil
	}
	if err := netguard.CheckURL(s.WebhookURL, a.allowPrivate); err != nil {
		return sahay.Invalid("settings.webhook_url: %v", err)
	}
	return nil
}

func parseSettings(inbox *sahay.Inbox) (Settings, error) {
	var s Settings
	if len(inbox.Settings) > 0 {
		dec := json.NewDecoder(bytes.NewReader(inbox.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return s, sahay.Invalid("api inbox settings: %v", err)
		}
	}
	return s, nil
}

// Payload is the JSON body of a reply webhook.
type Payload struct {
	Event        string         `json:"event"`
	InboxID      int64          `json:"inbox_id"`
	Conversation int64          `json:"conversation_id"`
	DisplayID    int64          `json:"display_id"`
	Contact      PayloadContact `json:"contact"`
	Message      PayloadMessage `json:"message"`
}

// PayloadContact identifies the recipient.
type PayloadContact struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	Email      string `json:"email"`
}

// PayloadMessage is the reply.
type PayloadMessage struct {
	ID          int64              `json:"id"`
	Content     string             `json:"content"`
	CreatedAt   time.Time          `json:"created_at"`
	Attachments []sahay.Attachment `json:"attachments"`
}

// Send implements [channel.Adapter].
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	s, err := parseSettings(out.Inbox)
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	ext := fmt.Sprintf("sahay-%d", out.Message.ID)
	if s.WebhookURL == "" {
		return channel.SendResult{ExternalID: ext}, nil
	}
	body, err := json.Marshal(Payload{
		Event:        "message.created",
		InboxID:      out.Inbox.ID,
		Conversation: out.Conversation.ID,
		DisplayID:    out.Conversation.DisplayID,
		Contact:      PayloadContact{Identifier: out.Recipient, Name: out.Contact.Name, Email: out.Contact.Email},
		Message:      PayloadMessage{ID: out.Message.ID, Content: out.Message.Content, CreatedAt: out.Message.CreatedAt, Attachments: out.Message.Attachments},
	})
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return channel.SendResult{}, channel.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", ext)
	req.Header.Set(SignatureHeader, Sign(out.Inbox.Secrets[SecretKey], time.Now(), body))
	resp, err := a.client.Do(req)
	if errors.Is(err, netguard.ErrBlocked) {
		return channel.SendResult{}, channel.Permanent(fmt.Errorf("webhook refused: %w", err))
	}
	if err != nil {
		return channel.SendResult{}, fmt.Errorf("api channel: post webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return channel.SendResult{ExternalID: ext}, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout:
		return channel.SendResult{}, channel.Permanent(fmt.Errorf("webhook answered %s", resp.Status))
	default:
		return channel.SendResult{}, fmt.Errorf("api channel: webhook answered %s", resp.Status)
	}
}

// Sign returns the signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
