package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

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
func NewWebPush(vapid *webpush.VAPID, client *http.Client) *WebPush {
	return &WebPush{sender: &webpush.Sender{Client: client, VAPID: vapid}}
}

// PublicClient is an HTTP client that connects only to public addresses.
// Push endpoints come from browsers: with it, a forged subscription cannot
// make the server call into its own network.
func PublicClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: publicOnly}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext,
		TLSHandshakeTimeout: 10 * time.Second, MaxIdleConnsPerHost: 4}}
}

func publicOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
		return fmt.Errorf("notify: refusing to connect to %s: not a public address", host)
	}
	return nil
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
