package widget

import (
	"context"
	"encoding/json"
	"fmt"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
)

// Name is the channel's registry name.
const Name = "widget"

// Adapter is the widget channel as the outbound pipeline sees it. Replies
// reach visitors through the event bus the moment they are committed (every
// node forwards them to the visitor sockets it holds), so Send has nothing
// left to carry: it confirms the reply, which is stored and shown to the
// visitor from history on their next visit if they are away.
type Adapter struct{}

var _ channel.Adapter = (*Adapter)(nil)

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

// Send implements [channel.Adapter].
func (a *Adapter) Send(ctx context.Context, out channel.Outbound) (channel.SendResult, error) {
	return channel.SendResult{ExternalID: fmt.Sprintf("widget-%d", out.Message.ID)}, nil
}
