package metalogin_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/apitest"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metalogin"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/store"
)

// entry is a delivery's entry for a Page or Instagram account: one
// customer's message.
func entry(accountID, mid, text string) map[string]any {
	return map[string]any{"id": accountID, "time": time.Now().UnixMilli(), "messaging": []meta.MessagingEvent{{
		Sender: meta.MessagingParty{ID: "5550001"}, Recipient: meta.MessagingParty{ID: accountID}, Timestamp: time.Now().UnixMilli(),
		Message: &meta.MessagingMessage{MID: mid, Text: text}}}}
}

// journalled counts the events an inbox's journal holds, in any state.
// An event only leaves pending, so one processed between the reads is
// seen pending, then done, and counted once by its id.
func journalled(t *testing.T, st *store.Store, in *sahay.Inbox) int {
	t.Helper()
	seen := map[int64]bool{}
	for _, state := range []string{store.RawPending, store.RawDone, store.RawFailed} {
		events, err := st.RawEvents(context.Background(), in.AccountID, state, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.InboxID == in.ID {
				seen[e.ID] = true
			}
		}
	}
	return len(seen)
}

// waitMessage waits for a message to be stored in an inbox.
func waitMessage(t *testing.T, st *store.Store, in *sahay.Inbox, mid string) *sahay.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := st.MessageByExternalID(context.Background(), in.ID, mid)
		if err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s not stored in inbox %d within 20s: %v", mid, in.ID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func deliver(t *testing.T, sim *metatest.Sim, hookURL string, body []byte) {
	t.Helper()
	resp, err := sim.Deliver(hookURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("delivery to %s: %s %s", hookURL, resp.Status, b)
	}
}

// The app's one callback URL takes the deliveries of every Page and
// Instagram account connected with the app, in any account: each entry is
// journalled in its own inboxes, exactly as their own webhooks would (so
// a repeat, or the same entry at both addresses, is kept once), and an
// entry for no inbox is acknowledged and dropped.
func TestAppWebhookRoutesEntries(t *testing.T) {
	apitest.Dialects(t, func(t *testing.T, _ string) {
		h := newHarness(t)
		hook := h.s.URL + metalogin.WebhookPath
		shopAdmin := h.s.NewAccount(t, "Shop")
		cafeAdmin := h.s.NewAccount(t, "Café")
		settings := func(key, id, secret string) map[string]any {
			return map[string]any{key: id, "access_token": "EAAP-token-" + id, "app_secret": secret, "api_base_url": h.sim.URL}
		}
		shop := h.s.NewInbox(t, shopAdmin, "Shop", "messenger", settings("page_id", shopPage, appSecret))
		cafe := h.s.NewInbox(t, cafeAdmin, "Café", "messenger", settings("page_id", cafePage, appSecret))
		gram := h.s.NewInbox(t, cafeAdmin, "cafe.gram", "instagram", settings("instagram_account_id", cafeIG, appSecret))
		// An inbox of another Meta app, naming the Shop's Page: that app's
		// webhooks are its own.
		otherApp := h.s.NewInbox(t, cafeAdmin, "Elsewhere", "messenger", settings("page_id", shopPage, "another-app-secret"))
		st := h.s.App.Store

		body := metatest.Payload(meta.ObjectPage, entry(shopPage, "m_shop1", "Where is my order?"),
			entry(cafePage, "m_cafe1", "একটা টেবিল চাই"), entry("999000111", "m_nobody", "for no inbox"))
		// A bad signature, or none, stores nothing.
		for _, sig := range []string{meta.Sign("guessed-secret", body), ""} {
			resp, err := metatest.DeliverSigned(hook, body, sig)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("signature %q: %s", sig, resp.Status)
			}
		}
		for _, in := range []*sahay.Inbox{shop, cafe, gram, otherApp} {
			if n := journalled(t, st, in); n != 0 {
				t.Fatalf("a refused delivery journalled %d events in %s", n, in.Name)
			}
		}

		deliver(t, h.sim, hook, body)
		// Journalled before the answer.
		for _, in := range []*sahay.Inbox{shop, cafe} {
			if n := journalled(t, st, in); n != 1 {
				t.Fatalf("%s journalled %d events at the answer, want 1", in.Name, n)
			}
		}
		shopMsg := waitMessage(t, st, shop, "m_shop1")
		cafeMsg := waitMessage(t, st, cafe, "m_cafe1")
		if shopMsg.Content != "Where is my order?" || cafeMsg.Content != "একটা টেবিল চাই" || shopMsg.AccountID == cafeMsg.AccountID {
			t.Fatalf("messages %+v %+v", shopMsg, cafeMsg)
		}
		for _, in := range []*sahay.Inbox{gram, otherApp} {
			if n := journalled(t, st, in); n != 0 {
				t.Errorf("%s journalled %d events of another inbox", in.Name, n)
			}
		}

		// Meta's repeat of the delivery adds nothing.
		deliver(t, h.sim, hook, body)
		for _, in := range []*sahay.Inbox{shop, cafe} {
			if n := journalled(t, st, in); n != 1 {
				t.Errorf("%s journalled %d events after the repeat, want 1", in.Name, n)
			}
		}

		// An entry delivered to the inbox's own webhook, then within a
		// delivery to the app's, is kept once.
		second := entry(shopPage, "m_shop2", "Any news?")
		deliver(t, h.sim, fmt.Sprintf("%s/webhooks/%d", h.s.URL, shop.ID), metatest.Payload(meta.ObjectPage, second))
		deliver(t, h.sim, hook, metatest.Payload(meta.ObjectPage, second, entry(cafePage, "m_cafe2", "ধন্যবাদ")))
		waitMessage(t, st, shop, "m_shop2")
		waitMessage(t, st, cafe, "m_cafe2")
		if n := journalled(t, st, shop); n != 2 {
			t.Errorf("the Shop journalled %d events, want 2: the entry at both addresses once", n)
		}
		if ms, err := st.Messages(context.Background(), shop.AccountID, shopMsg.ConversationID, 0, 10); err != nil || len(ms) != 2 {
			t.Errorf("the Shop's conversation has %d messages (%v), want 2", len(ms), err)
		}

		// Instagram entries go to the inbox of their account.
		deliver(t, h.sim, hook, metatest.Payload(meta.ObjectInstagram, entry(cafeIG, "m_ig1", "Is the café open?")))
		waitMessage(t, st, gram, "m_ig1")
		if n := journalled(t, st, cafe); n != 2 {
			t.Errorf("an Instagram entry reached the Page's Messenger inbox: %d events", n)
		}

		// WhatsApp entries go to the inboxes of their business account,
		// each keeping the messages of its own number.
		number := h.s.NewInbox(t, shopAdmin, "Shop on WhatsApp", "whatsapp", map[string]any{"phone_number_id": "1122334455",
			"business_account_id": "102290129340398", "access_token": "EAAP-wa", "app_secret": appSecret, "api_base_url": h.sim.URL})
		waEntry := map[string]any{"id": "102290129340398", "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp", "metadata": map[string]any{"display_phone_number": "8801700000000", "phone_number_id": "1122334455"},
			"contacts": []any{map[string]any{"profile": map[string]any{"name": "Rina"}, "wa_id": "8801711111111"}},
			"messages": []any{map[string]any{"from": "8801711111111", "id": "wamid.app1", "timestamp": fmt.Sprint(time.Now().Unix()),
				"type": "text", "text": map[string]any{"body": "অর্ডার কবে আসবে?"}}}}}}}
		deliver(t, h.sim, hook, metatest.Payload(meta.ObjectWhatsApp, waEntry, map[string]any{"id": "999999", "changes": []any{}}))
		if m := waitMessage(t, st, number, "wamid.app1"); m.Content != "অর্ডার কবে আসবে?" {
			t.Errorf("WhatsApp message through the app webhook = %q", m.Content)
		}
		if n := journalled(t, st, otherApp); n != 0 {
			t.Errorf("the other app's inbox journalled %d events", n)
		}
	})
}

// Meta's check of the callback URL is answered with the operator's verify
// token only.
func TestAppWebhookHandshake(t *testing.T) {
	h := newHarness(t)
	hook := h.s.URL + metalogin.WebhookPath
	if err := metatest.Handshake(hook, verifyToken); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"wrong-token", ""} {
		q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {token}, "hub.challenge": {"1158201444"}}
		r := h.s.Do(t, apitest.Request{Method: http.MethodGet, Path: metalogin.WebhookPath + "?" + q.Encode()})
		if r.Status != http.StatusUnauthorized || strings.Contains(string(r.Body), "1158201444") {
			t.Errorf("token %q: %s", token, r)
		}
	}
}

// Without a verify token of the operator's, the server makes one, keeps
// it for every node and restart, and answers Meta's check with it; without
// a Meta app there is no webhook.
func TestAppWebhookMadeVerifyToken(t *testing.T) {
	s := apitest.NewServerWith(t, apitest.Options{Env: map[string]string{"SAHAY_META_APP_ID": appID, "SAHAY_META_APP_SECRET": appSecret}})
	token, err := s.App.Store.ServerSetting(context.Background(), "meta_verify_token", func() (string, error) {
		return "", fmt.Errorf("no verify token was made")
	})
	if err != nil || len(token) < 32 {
		t.Fatalf("verify token %q %v", token, err)
	}
	if err := metatest.Handshake(s.URL+metalogin.WebhookPath, token); err != nil {
		t.Fatal(err)
	}

	bare := apitest.NewServer(t)
	r := bare.Do(t, apitest.Request{Method: http.MethodPost, Path: metalogin.WebhookPath, Body: metatest.Payload(meta.ObjectPage)})
	if r.Status != http.StatusNotFound {
		t.Errorf("without a Meta app: %s", r)
	}
}
