package widget

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/core"
)

// Name is the channel's registry name.
const Name = "widget"

// Adapter is the widget channel as the outbound pipeline sees it. Replies
// reach visitors through the event bus the moment they are committed (every
// node forwards them to the visitor sockets it holds), so Send has little
// left to carry: it confirms the reply, which is shown to the visitor from
// history on their next visit if they are away, and, when the inbox keeps
// email continuity, emails it to a visitor who has no chat window open on
// any node.
type Adapter struct{ s *Server }

var (
	_ channel.Adapter             = (*Adapter)(nil)
	_ channel.Describer           = (*Adapter)(nil)
	_ channel.Router[*core.Actor] = (*Adapter)(nil)
	_ channel.Closer              = (*Adapter)(nil)
	_ channel.ReferenceChecker    = (*Adapter)(nil)
)

// Describe implements [channel.Describer]. The chat window shows any text
// and file Sahay keeps (core's limits apply), and carries typing and read
// receipts both ways. A new inbox needs no settings: the look, hours,
// pre-chat form and campaigns are edited on its widget settings page.
func (a *Adapter) Describe() channel.Description {
	return channel.Description{
		Capabilities: channel.Capabilities{
			Attachments:  []string{"*/*"},
			Typing:       true,
			ReadReceipts: true,
			MarkRead:     true,
		},
		Settings: []channel.Setting{
			{Key: IdentitySecretKey, Label: "Identity verification secret", Type: "string", Secret: true, Generated: true,
				Help: "Your site proves a signed-in user's id with hex(HMAC-SHA256(secret, id)); made by Sahay when left empty."},
			{Key: ShopifySecretKey, Label: "Shopify app secret", Type: "string", Secret: true,
				Help: "Only for the Shopify app: it signs the store's order webhooks."},
		},
	}
}

// Routes implements [channel.Router]: the visitor-facing routes (see
// [Server.Routes]) and, behind the API's authentication, the agents' (see
// [Server.AgentHandlers]).
func (a *Adapter) Routes(mux channel.Mux[*core.Actor]) {
	a.s.Routes(mux)
	agent := a.s.AgentHandlers()
	for _, pattern := range slices.Sorted(maps.Keys(agent)) {
		mux.HandleAuthed(pattern, agent[pattern])
	}
}

// Close implements [channel.Closer]: it disconnects every visitor and
// stops the hub (see [Server.Close]).
func (a *Adapter) Close() { a.s.Close() }

// Validate implements [channel.Adapter]. It completes the settings with
// their defaults and stores them compact, generates the inbox's identity
// secret and public website token when it has none, and copies the token
// into the settings so saving settings without it cannot lose it.
func (a *Adapter) Validate(inbox *sahay.Inbox) error {
	s, err := ParseSettings(inbox.Settings)
	if err != nil {
		return err
	}
	if inbox.Secrets == nil {
		inbox.Secrets = map[string]string{}
	}
	if inbox.Secrets[IdentitySecretKey] == "" {
		inbox.Secrets[IdentitySecretKey] = newToken(32)
	}
	if !tokenPattern.MatchString(inbox.Secrets[TokenSecretKey]) {
		inbox.Secrets[TokenSecretKey] = newToken(16)
	}
	s.WebsiteToken = inbox.Secrets[TokenSecretKey]
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("widget: settings: %w", err)
	}
	inbox.Settings = raw
	return nil
}

// CheckReferences implements [channel.ReferenceChecker]: the phone inbox
// the settings name must be an inbox of the same account that takes
// calls.
func (a *Adapter) CheckReferences(ctx context.Context, inbox *sahay.Inbox) error {
	s, err := ParseSettings(inbox.Settings)
	if err != nil || s.PhoneInboxID == 0 || a.s == nil {
		return err
	}
	_, err = a.s.svc.Line(ctx, inbox.AccountID, s.PhoneInboxID)
	switch sahay.ErrorCode(err) {
	case sahay.ENOTFOUND:
		return sahay.Invalid("phone_inbox_id %d is not an inbox of this account", s.PhoneInboxID)
	case sahay.EINVALID:
		return sahay.Invalid("phone_inbox_id: %s; choose a phone inbox", sahay.ErrorMessage(err))
	}
	return err
}

// Send implements [channel.Adapter].
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	if a.s != nil {
		a.s.emailIfAway(ctx, out)
	}
	return channel.SendResult{ExternalID: fmt.Sprintf("widget-%d", out.Message.ID)}, nil
}

// emailIfAway emails a reply to its visitor when the inbox keeps email
// continuity, the visitor gave an email address, and none of their chat
// windows is open on any node. The chat already holds the reply, so a mail
// that cannot be sent is logged rather than failing the reply.
func (s *Server) emailIfAway(ctx context.Context, out channel.Outbound) {
	if s.cfg.Mailer == nil || out.Contact == nil || out.Contact.Email == "" || out.Message.Private() {
		return
	}
	set, err := ParseSettings(out.Inbox.Settings)
	if err != nil || !set.EmailContinuity {
		return
	}
	ns := core.WidgetIdentity(out.Inbox.ID)
	for _, id := range out.Contact.Identities {
		if id.Namespace == ns && s.hub.online(out.Inbox.ID, id.ExternalID) {
			return
		}
	}
	title := set.Title
	if title == "" {
		title = out.Inbox.Name
	}
	from := s.userName(ctx, out.Inbox.AccountID, out.Message.SenderID)
	if from == "" {
		from = title
	}
	var body strings.Builder
	fmt.Fprintf(&body, "%s wrote while you were away from the chat (conversation #%d):\n\n", from, out.Conversation.DisplayID)
	if out.Message.Content != "" {
		body.WriteString(out.Message.Content + "\n")
	}
	for _, f := range out.Message.Attachments {
		fmt.Fprintf(&body, "[file: %s]\n", f.FileName)
	}
	subject := fmt.Sprintf("New reply from %s", title)
	replyTo := s.replyAddress(ctx, out)
	if replyTo == "" {
		body.WriteString("\nOpen the chat on our website to answer; your conversation is kept there.\n")
		err = s.cfg.Mailer.Send(ctx, out.Contact.Email, subject, body.String())
	} else {
		body.WriteString("\nAnswer this email, or open the chat on our website: your conversation is kept there.\n")
		err = s.cfg.Mailer.(core.ReplyMailer).SendReply(ctx, out.Contact.Email, replyTo, subject, body.String())
	}
	if err != nil {
		s.log.Warn("widget: email a reply to an away visitor", "message", out.Message.ID, "err", err)
	}
}

// replyAddress is the address a visitor's answer to an emailed reply
// goes to, so that it returns to their chat: their conversation's reply
// address, when the server has a reply domain and its mailer can name
// it; "" otherwise.
func (s *Server) replyAddress(ctx context.Context, out channel.Outbound) string {
	if _, ok := s.cfg.Mailer.(core.ReplyMailer); !ok || s.cfg.ReplyDomain == "" {
		return ""
	}
	addr, err := s.svc.ReplyAddress(ctx, out.Conversation.ID, s.cfg.ReplyDomain)
	if err != nil {
		s.log.Warn("widget: reply address of a conversation", "conversation", out.Conversation.ID, "err", err)
		return ""
	}
	return addr
}
