package core

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
	"github.com/sahayhq/sahay/internal/auth"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/netguard"
	"github.com/sahayhq/sahay/internal/nlp"
	"github.com/sahayhq/sahay/internal/store"
)

// An external agent bot: per inbox, a webhook that receives each customer
// message of the conversations the bot owns (pending), signed like the
// API channel's webhooks; the bot answers through the REST API with a
// token of its own, whose messages are the bot's, and hands the
// conversation to a person with the hand-off endpoint.

// AgentBotSignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>"
// of "<t>.<body>" keyed by the bot's signing secret.
const AgentBotSignatureHeader = "X-Sahay-Signature"

// AgentBotSource names an agent bot's answers in their details.bot.source.
const AgentBotSource = "agent_bot"

// AgentBotTimeout bounds one delivery to an agent bot's webhook.
const AgentBotTimeout = 10 * time.Second

// AgentBot is an inbox's agent bot as an administrator sees it. Secret is
// set only in the answer that made it: it is never shown again.
type AgentBot struct {
	InboxID    int64            `json:"inbox_id"`
	WebhookURL string           `json:"webhook_url"`
	Secret     string           `json:"secret,omitempty"`
	Tokens     []sahay.APIToken `json:"tokens"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// AgentBotInput sets an inbox's agent bot. RotateSecret makes a new
// signing secret, shown once in the answer.
type AgentBotInput struct {
	WebhookURL   string `json:"webhook_url"`
	RotateSecret bool   `json:"rotate_secret"`
}

// AgentBot returns an inbox's agent bot to an administrator.
func (s *Service) AgentBot(ctx context.Context, a *Actor, inboxID int64) (*AgentBot, error) {
	if err := s.administerInbox(ctx, a, inboxID); err != nil {
		return nil, err
	}
	b, err := s.store.AgentBot(ctx, a.AccountID(), inboxID)
	if err != nil {
		return nil, err
	}
	return s.agentBotView(ctx, b, "")
}

func (s *Service) agentBotView(ctx context.Context, b *store.AgentBot, secret string) (*AgentBot, error) {
	tokens, err := s.store.BotTokens(ctx, b.InboxID)
	if err != nil {
		return nil, err
	}
	return &AgentBot{InboxID: b.InboxID, WebhookURL: b.WebhookURL, Secret: secret, Tokens: tokens, UpdatedAt: b.UpdatedAt}, nil
}

// SetAgentBot connects an inbox to an agent bot, or changes its webhook.
// A new bot gets a signing secret, returned this once; so does a rotated
// one. From then on the inbox's new conversations start with the bot.
func (s *Service) SetAgentBot(ctx context.Context, a *Actor, inboxID int64, in AgentBotInput) (*AgentBot, error) {
	if err := s.administerInbox(ctx, a, inboxID); err != nil {
		return nil, err
	}
	url, err := cleanLine("webhook_url", in.WebhookURL, 2000)
	if err != nil {
		return nil, err
	}
	if url == "" {
		return nil, sahay.Invalid("webhook_url is required")
	}
	if err := netguard.CheckURL(url, s.allowPrivateURLs); err != nil {
		return nil, sahay.Invalid("webhook_url: %v", err)
	}
	var saved *store.AgentBot
	secret := ""
	err = s.write(ctx, func(tx *store.Tx) error {
		b, err := tx.AgentBot(ctx, a.AccountID(), inboxID)
		switch {
		case sahay.ErrorCode(err) == sahay.ENOTFOUND:
			b = &store.AgentBot{InboxID: inboxID, AccountID: a.AccountID()}
		case err != nil:
			return err
		}
		if b.Secret == "" || in.RotateSecret {
			secret = "whsec_" + auth.NewToken()
			if b.Secret, err = s.box.Seal([]byte(secret)); err != nil {
				return err
			}
		}
		b.WebhookURL = url
		if err := tx.SetAgentBot(ctx, b); err != nil {
			return err
		}
		saved = b
		return audit(ctx, tx, a, "agent_bot.update", "inbox", inboxID, map[string]any{"webhook_url": url, "secret_changed": secret != ""})
	})
	if err != nil {
		return nil, err
	}
	return s.agentBotView(ctx, saved, secret)
}

// DeleteAgentBot disconnects an inbox's agent bot and revokes its tokens.
// Conversations it owned stay pending until a person takes them.
func (s *Service) DeleteAgentBot(ctx context.Context, a *Actor, inboxID int64) error {
	if err := s.administerInbox(ctx, a, inboxID); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx) error {
		found, err := tx.DeleteAgentBot(ctx, a.AccountID(), inboxID)
		if err != nil {
			return err
		}
		if !found {
			return sahay.NotFound("agent bot")
		}
		return audit(ctx, tx, a, "agent_bot.delete", "inbox", inboxID, nil)
	})
}

// CreateAgentBotToken makes the API token an inbox's agent bot answers
// with, revoking the one before: the bot has one token at a time. It is
// returned this once.
func (s *Service) CreateAgentBotToken(ctx context.Context, a *Actor, inboxID int64) (string, *sahay.APIToken, error) {
	if err := s.administerInbox(ctx, a, inboxID); err != nil {
		return "", nil, err
	}
	if _, err := s.store.AgentBot(ctx, a.AccountID(), inboxID); err != nil {
		if sahay.ErrorCode(err) == sahay.ENOTFOUND {
			return "", nil, sahay.Errorf(sahay.ECONFLICT, "set the inbox's agent bot webhook first")
		}
		return "", nil, err
	}
	token := "sahay_bot_" + auth.NewToken()
	tok := &sahay.APIToken{UserID: a.User.ID, Name: "Agent bot"}
	err := s.write(ctx, func(tx *store.Tx) error {
		if _, err := tx.RevokeBotTokens(ctx, inboxID); err != nil {
			return err
		}
		if err := tx.CreateBotToken(ctx, tok, auth.HashToken(token), inboxID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "agent_bot.token", "inbox", inboxID, nil)
	})
	if err != nil {
		return "", nil, err
	}
	return token, tok, nil
}

// IsBot reports whether the actor is an agent bot's token.
func (a *Actor) IsBot() bool { return a.User.Role == sahay.RoleBot }

// AgentBotPayload is the JSON body of a delivery to an agent bot: one
// customer message of a conversation the bot owns.
type AgentBotPayload struct {
	// Event is "message.created".
	Event     string `json:"event"`
	AccountID int64  `json:"account_id"`
	Inbox     struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Channel string `json:"channel"`
	} `json:"inbox"`
	Conversation struct {
		ID        int64  `json:"id"`
		DisplayID int64  `json:"display_id"`
		Status    string `json:"status"`
		Language  string `json:"language"`
	} `json:"conversation"`
	Contact struct {
		ID         int64          `json:"id"`
		Name       string         `json:"name"`
		Email      string         `json:"email"`
		Phone      string         `json:"phone"`
		Attributes map[string]any `json:"attributes"`
	} `json:"contact"`
	Message struct {
		ID          int64              `json:"id"`
		Content     string             `json:"content"`
		CreatedAt   time.Time          `json:"created_at"`
		Attachments []sahay.Attachment `json:"attachments"`
	} `json:"message"`
	// Language is the message's language as analysed ("en", "bn", "hi"…),
	// or the conversation's.
	Language string `json:"language"`
	// Analysis is Sahay's reading of the message: sentiment, emotion,
	// urgency, whether the customer asks for a person.
	Analysis nlp.Analysis `json:"analysis"`
}

// deliverAgentBot posts a customer message of a conversation the inbox's
// agent bot owns to its webhook, signed. It runs in the bot's job, off the
// receive path: a network failure, a timeout, 408, 429 or 5xx is retried
// with the job's backoff; a refused URL or another 4xx is not.
func (s *Service) deliverAgentBot(ctx context.Context, c *sahay.Conversation, b *store.AgentBot, m *sahay.Message, analysis nlp.Analysis) error {
	body, err := s.agentBotBody(ctx, c, m, analysis)
	if err != nil {
		return err
	}
	secret, err := s.box.Open(b.Secret)
	if err != nil {
		return channel.Permanent(err)
	}
	return s.postWebhook(ctx, signedWebhook{URL: b.WebhookURL, Event: "message.created", Key: fmt.Sprintf("sahay-bot-%d", m.ID),
		Header: AgentBotSignatureHeader, Secret: secret, Body: body, Timeout: AgentBotTimeout, What: "agent bot: "})
}

// signedWebhook is one signed POST of a JSON body: an agent bot's or an
// automation rule's.
type signedWebhook struct {
	URL, Event string
	// Key is the Idempotency-Key header: the same for every try.
	Key string
	// Header carries SignWebhook's signature of Body with Secret.
	Header  string
	Secret  []byte
	Body    []byte
	Timeout time.Duration
	// What prefixes the errors.
	What string
}

// postWebhook posts w, within its timeout. A network failure, a timeout,
// 408, 429 or 5xx is an error the job retries with its backoff; a refused
// address or another 4xx is permanent.
func (s *Service) postWebhook(ctx context.Context, w signedWebhook) error {
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(w.Body))
	if err != nil {
		return channel.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sahay-Event", w.Event)
	req.Header.Set("Idempotency-Key", w.Key)
	req.Header.Set(w.Header, SignWebhook(string(w.Secret), time.Now(), w.Body))
	resp, err := s.webhookHTTP.Do(req)
	if errors.Is(err, netguard.ErrBlocked) {
		return channel.Permanent(fmt.Errorf("%swebhook refused: %w", w.What, err))
	}
	if err != nil {
		return fmt.Errorf("%spost webhook: %w", w.What, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout:
		return channel.Permanent(fmt.Errorf("%swebhook answered %s", w.What, resp.Status))
	default:
		return fmt.Errorf("%swebhook answered %s", w.What, resp.Status)
	}
}

// botFailed hands a conversation to a person when the bot's reading of a
// customer message failed for good (an agent bot that never answered its
// webhook): nobody would answer the customer otherwise.
func (s *Service) botFailed(ctx context.Context, job *store.Job, cause error) {
	var p botPayload
	if json.Unmarshal([]byte(job.Payload), &p) != nil {
		return
	}
	if err := s.handOffBySystem(ctx, job.AccountID, p.ConversationID, sahay.HandoffBotFailed, "", p.MessageID); err != nil {
		s.log.Error("hand off after the bot failed", "conversation", p.ConversationID, "err", err, "cause", cause)
	}
}

// agentBotBody is the JSON a delivery of a message carries.
func (s *Service) agentBotBody(ctx context.Context, c *sahay.Conversation, m *sahay.Message, analysis nlp.Analysis) ([]byte, error) {
	inbox, err := s.store.Inbox(ctx, c.AccountID, c.InboxID)
	if err != nil {
		return nil, err
	}
	contact, err := s.store.Contact(ctx, c.AccountID, c.ContactID)
	if err != nil {
		return nil, err
	}
	var p AgentBotPayload
	p.Event, p.AccountID = "message.created", c.AccountID
	p.Inbox.ID, p.Inbox.Name, p.Inbox.Channel = inbox.ID, inbox.Name, inbox.Channel
	p.Conversation.ID, p.Conversation.DisplayID, p.Conversation.Status, p.Conversation.Language = c.ID, c.DisplayID, c.Status, c.Language
	p.Contact.ID, p.Contact.Name, p.Contact.Email, p.Contact.Phone, p.Contact.Attributes = contact.ID, contact.Name, contact.Email, contact.Phone, contact.Attributes
	p.Message.ID, p.Message.Content, p.Message.CreatedAt, p.Message.Attachments = m.ID, m.Content, m.CreatedAt, m.Attachments
	if p.Message.Attachments == nil {
		p.Message.Attachments = []sahay.Attachment{}
	}
	if p.Contact.Attributes == nil {
		p.Contact.Attributes = map[string]any{}
	}
	p.Analysis = analysis
	if p.Analysis.Reasons == nil {
		p.Analysis.Reasons = []string{}
	}
	p.Language = analysis.Language
	if p.Language == "" || p.Language == "und" {
		p.Language = c.Language
	}
	return json.Marshal(p)
}

// SignWebhook returns the signature header value of a webhook body sent
// at t: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
