package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/channel/whatsapp"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
)

// A WhatsApp delivery whose entries were journalled by a node that
// stopped before processing them is processed, once, by the next node:
// every message of every entry, and Meta's repeated delivery after the
// restart adds nothing.
func TestWhatsAppJournalSurvivesRestart(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	sim := metatest.New(t, secret)
	dir := t.TempDir()
	env := map[string]string{}
	if pg := os.Getenv("SAHAY_TEST_POSTGRES_URL"); pg != "" {
		env["SAHAY_DATABASE_URL"] = freshSchema(t, pg)
	}
	first := openNode(t, dir, env)
	ctx := context.Background()
	_, owner, err := first.Service.CreateAccount(ctx, "Shop", "owner@shop.test", "Owner", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	actor, err := first.Service.Actor(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	name := "WhatsApp"
	settings, _ := json.Marshal(map[string]string{"app_secret": secret, "access_token": metatest.Token,
		"phone_number_id": "1122334455667", "api_base_url": sim.URL})
	inbox, err := first.Service.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: whatsapp.Name, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	// What the webhook commits before its 200, with the node gone before
	// the processing: the journal rows alone, made by the adapter itself.
	var entries []any
	for e := range 2 {
		entries = append(entries, map[string]any{"id": "1234567890987654321", "changes": []map[string]any{{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp", "metadata": map[string]string{"phone_number_id": "1122334455667"},
			"contacts": []map[string]any{{"wa_id": "8801711223344", "profile": map[string]string{"name": "Rahim"}}},
			"messages": []map[string]any{
				{"from": "8801711223344", "id": fmt.Sprintf("wamid.r%d.1", e), "timestamp": "1700000000", "type": "text", "text": map[string]string{"body": fmt.Sprintf("entry %d, first", e)}},
				{"from": "8801711223344", "id": fmt.Sprintf("wamid.r%d.2", e), "timestamp": "1700000001", "type": "text", "text": map[string]string{"body": fmt.Sprintf("entry %d, second", e)}},
			}}}}})
	}
	body := metatest.Payload(meta.ObjectWhatsApp, entries...)
	req := httptest.NewRequest(http.MethodPost, "/webhooks/1", nil)
	req.Header.Set(meta.SignatureHeader, sim.Sign(body))
	hook, err := whatsapp.New(true).Webhook(inbox, req, "", body)
	if err != nil || len(hook.Events) != 2 {
		t.Fatalf("webhook: %d events %v", len(hook.Events), err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("test", []string{"-data", dir}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		t.Fatal(err)
	}
	journal := func(st *store.Store, wantNew bool) {
		t.Helper()
		for _, ev := range hook.Events {
			if ok, err := st.JournalRawEvent(ctx, &store.RawEvent{AccountID: inbox.AccountID, InboxID: inbox.ID,
				DedupeKey: ev.DedupeKey, Body: ev.Body}, time.Now()); err != nil || ok != wantNew {
				t.Fatalf("journal %s: new=%v %v, want new=%v", ev.DedupeKey, ok, err, wantNew)
			}
		}
	}
	journal(st, true)
	st.Close()

	second := openNode(t, dir, env)
	defer second.Close()
	for e := range 2 {
		waitStored(t, second.Store, inbox.ID, fmt.Sprintf("wamid.r%d.1", e))
	}
	m := waitStored(t, second.Store, inbox.ID, "wamid.r1.2")
	journal(second.Store, false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		done, err := second.Store.RawEvents(ctx, inbox.AccountID, store.RawDone, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(done) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("done events %d, want 2", len(done))
		}
		time.Sleep(20 * time.Millisecond)
	}
	ms, err := second.Store.Messages(ctx, inbox.AccountID, m.ConversationID, 0, 10)
	if err != nil || len(ms) != 4 {
		t.Fatalf("messages %d %v, want the 4, each once", len(ms), err)
	}
}
