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

	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/instagram"
	"github.com/sahayhq/sahay/internal/channel/messenger"
	"github.com/sahayhq/sahay/internal/channel/meta"
	"github.com/sahayhq/sahay/internal/channel/meta/metatest"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
)

// A Messenger or Instagram delivery whose entries were journalled by a
// node that stopped before processing them is processed, once, by the
// next node; Meta's repeated delivery after the restart adds nothing.
func TestMessagingJournalSurvivesRestart(t *testing.T) {
	for _, tt := range []struct {
		channel, object, idKey, id string
		webhooker                  channel.Webhooker
	}{
		{messenger.Name, meta.ObjectPage, "page_id", "106541234567890", messenger.New(true)},
		{instagram.Name, meta.ObjectInstagram, "instagram_account_id", "17841405822304914", instagram.New(true)},
	} {
		t.Run(tt.channel, func(t *testing.T) {
			const secret = "messaging_app_secret"
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
			name := tt.channel
			settings, _ := json.Marshal(map[string]string{"app_secret": secret, "access_token": metatest.Token, tt.idKey: tt.id, "api_base_url": sim.URL})
			inbox, err := first.Service.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: tt.channel, Settings: settings})
			if err != nil {
				t.Fatal(err)
			}
			// What the webhook commits before its 200, with the node gone
			// before the processing: the journal rows alone, made by the
			// adapter itself.
			var entries []any
			for e := range 2 {
				var events []meta.MessagingEvent
				for i := range 2 {
					events = append(events, meta.MessagingEvent{Sender: meta.MessagingParty{ID: "5550001"}, Recipient: meta.MessagingParty{ID: tt.id},
						Timestamp: time.Now().UnixMilli(), Message: &meta.MessagingMessage{MID: fmt.Sprintf("m_r%d.%d", e, i), Text: fmt.Sprintf("entry %d, %d", e, i)}})
				}
				entries = append(entries, map[string]any{"id": tt.id, "time": time.Now().UnixMilli(), "messaging": events})
			}
			body := metatest.Payload(tt.object, entries...)
			req := httptest.NewRequest(http.MethodPost, "/webhooks/1", nil)
			req.Header.Set(meta.SignatureHeader, sim.Sign(body))
			hook, err := tt.webhooker.Webhook(inbox, req, "", body)
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
			m := waitStored(t, second.Store, inbox.ID, "m_r0.0")
			for _, id := range []string{"m_r0.1", "m_r1.0", "m_r1.1"} {
				waitStored(t, second.Store, inbox.ID, id)
			}
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
		})
	}
}
