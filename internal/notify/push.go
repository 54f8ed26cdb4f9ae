package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/webpush"
)

// WebPush sends notifications to agents' browsers through their push
// services.
type WebPush struct {
	sender *webpush.Sender
}

var _ core.Pusher = (*WebPush)(nil)

// NewWebPush returns a pusher signing with vapid and sending with client.
// Push endpoints come from browsers: client should be a netguard client, so
// a forged subscription cannot make the server call into its own network.
func NewWebPush(vapid *webpush.VAPID, client *http.Client) *WebPush {
	return &WebPush{sender: &webpush.Sender{Client: client, VAPID: vapid}}
}

// Push implements [core.Pusher].
func (p *WebPush) Push(ctx context.Context, sub *sahay.PushSubscription, payload []byte) error {
	err := p.sender.Send(ctx, webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}}, payload, "normal")
	if errors.Is(err, webpush.ErrGone) || errors.Is(err, webpush.ErrInvalidSubscription) {
		return fmt.Errorf("%w: %w", core.ErrSubscriptionGone, err)
	}
	return err
}

// PublicKey implements [core.Pusher].
func (p *WebPush) PublicKey() string { return p.sender.VAPID.PublicKey() }
