package metalogin

import (
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/instagram"
	"github.com/sahayhq/sahay/internal/channel/messenger"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/whatsapp"
	"github.com/sahayhq/sahay/internal/httpx"
	"github.com/sahayhq/sahay/internal/ratelimit"
)

// WebhookPath is the operator's Meta app's webhook: Meta delivers the
// events of every Page and Instagram account subscribed to the app to one
// callback URL, the public URL with this path, and each entry is routed
// to the inboxes of its Page or account.
const WebhookPath = "/webhooks/meta"

// Limits of a delivery to the app's webhook, those of an inbox's.
const (
	maxWebhookBody    = 1 << 20
	webhookReadWithin = 10 * time.Second
)

// webhookRate bounds the requests to the app's webhook from one client
// address on a node, verified or not: Meta delivers from many addresses,
// and a delivery refused for a moment comes again later.
var webhookRate = ratelimit.Rate{Burst: 200, Every: 20 * time.Millisecond}

// webhookKeys bounds the addresses the rate limit remembers.
const webhookKeys = 100_000

// route is where the entries of a delivery's object go: to the inboxes of
// a channel whose setting key is the entry's id.
type route struct{ channel, key string }

var routes = map[string]route{
	meta.ObjectPage:      {messenger.Name, "page_id"},
	meta.ObjectInstagram: {instagram.Name, "instagram_account_id"},
	// A WhatsApp entry is a business account's; each of its numbers'
	// inboxes keeps the changes of its own number.
	meta.ObjectWhatsApp: {whatsapp.Name, "business_account_id"},
}

// webhook serves the app's webhook: Meta's handshake with the operator's
// verify token, and deliveries signed with the app's secret, each entry
// journalled in the inboxes of its Page or Instagram account before the
// answer, as their own webhooks would journal it.
func (l *Login) webhook(w http.ResponseWriter, r *http.Request) error {
	if !l.app.Configured() {
		return sahay.Errorf(sahay.ENOTFOUND, "no Meta app is set up on this server (-meta-app-id, -meta-app-secret)")
	}
	if err := l.webhookLimit.Allow(ratelimit.AddressKey(httpx.ClientAddr(r, l.trustedProxies)), "requests to the Meta app's webhook"); err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		return l.handshake(w, r)
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if err := meta.VerifySignature(l.app.Secret, r.Header.Get(meta.SignatureHeader), body); err != nil {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "%s is not the signature of the body with the Meta app's secret", meta.SignatureHeader)
	}
	env, err := meta.ParseEnvelope(body)
	if err != nil {
		return err
	}
	rt, ok := routes[env.Object]
	if !ok {
		l.log.Info("meta: app webhook: a delivery of an object no inbox takes, dropped", "object", env.Object)
		return httpx.OK(w, struct{}{})
	}
	events, err := meta.Split(body, env.Object)
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := l.deliver(r, rt, env.Object, e); err != nil {
			return err
		}
	}
	return httpx.OK(w, struct{}{})
}

// deliver journals one entry in every inbox of its Page or account that
// the app serves; an entry for none is dropped.
func (l *Login) deliver(r *http.Request, rt route, object string, e channel.Raw) error {
	entry, err := meta.ParseEntry(e.Body)
	if err != nil || entry.ID == "" {
		l.log.Warn("meta: app webhook: an entry without an id, dropped", "object", object, "err", err)
		return nil
	}
	inboxes, err := l.svc.InboxesBySettingID(r.Context(), rt.channel, rt.key, entry.ID)
	if err != nil {
		return err
	}
	delivered := 0
	for _, in := range inboxes {
		// Only the inboxes connected with this app: an inbox of another
		// app, even naming the same Page, takes its own app's webhooks.
		if subtle.ConstantTimeCompare([]byte(in.Secrets[messenger.AppSecretKey]), []byte(l.app.Secret)) != 1 {
			continue
		}
		if err := l.svc.JournalEvents(r.Context(), in.ID, []channel.Raw{e}); err != nil {
			return err
		}
		delivered++
	}
	if delivered == 0 {
		l.log.Info("meta: app webhook: an entry for no inbox, dropped", "object", object, "id", entry.ID)
	}
	return nil
}

// handshake answers Meta's check of the callback URL.
func (l *Login) handshake(w http.ResponseWriter, r *http.Request) error {
	hook, err := meta.Handshake(r, l.app.VerifyToken)
	if sahay.ErrorCode(err) == sahay.EUNAUTHORIZED {
		return sahay.Errorf(sahay.EUNAUTHORIZED, "hub.verify_token is not the server's Meta verify token (-meta-verify-token)")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", hook.ContentType)
	w.WriteHeader(hook.Status)
	_, err = w.Write(hook.Body)
	return err
}

// readBody reads a delivery within the size and time limits.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	// A slow sender must not hold a connection for ever.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(webhookReadWithin))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, sahay.Errorf(sahay.ETOOLARGE, "the request body is over %d bytes", maxWebhookBody)
	}
	if err != nil {
		return nil, sahay.BadRequest("the request body could not be read: %v", err)
	}
	return body, nil
}
