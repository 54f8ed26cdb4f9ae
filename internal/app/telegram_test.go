package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/app"
	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/channel/telegram/telegramtest"
	"github.com/sahayhq/sahay/internal/config"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

const botToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

// openNode opens Sahay with the environment given, its data in dataDir,
// letting configured URLs reach the loopback simulator. The caller closes it.
func openNode(t *testing.T, dataDir string, env map[string]string) *app.App {
	t.Helper()
	vars := map[string]string{"SAHAY_NO_DEMO": "1", "SAHAY_ALLOW_PRIVATE_URLS": "1",
		"SAHAY_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Parse("test", []string{"-data", dataDir}, func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// telegramInbox makes an account with a Telegram inbox on the simulator.
func telegramInbox(t *testing.T, a *app.App, sim *telegramtest.Server, mode string) *sahay.Inbox {
	t.Helper()
	ctx := context.Background()
	_, owner, err := a.Service.CreateAccount(ctx, "Shop", "owner@shop.test", "Owner", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	actor, err := a.Service.Actor(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	name := "Telegram"
	settings, _ := json.Marshal(map[string]string{"bot_token": botToken, "secret_token": "s3cret", "api_base_url": sim.URL, "mode": mode})
	in, err := a.Service.CreateInbox(ctx, actor, core.InboxInput{Name: &name, Channel: telegram.Name, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func update(id, chat, msg int64, text string) telegram.Update {
	return telegram.Update{UpdateID: id, Message: &telegram.Message{MessageID: msg, Date: time.Now().Unix(), Text: text,
		From: &telegram.User{ID: chat, FirstName: "Rahim"}, Chat: telegram.Chat{ID: chat, Type: "private", FirstName: "Rahim"}}}
}

// waitStored waits until the inbox holds the message with the external id.
func waitStored(t *testing.T, st *store.Store, inboxID int64, externalID string) *sahay.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := st.MessageByExternalID(context.Background(), inboxID, externalID)
		if err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s not stored within 20s: %v", externalID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An event journalled by a node that stopped before processing it is
// processed, once, by the next node to start on the same data.
func TestJournalSurvivesRestart(t *testing.T) {
	sim := telegramtest.New(t, botToken)
	dir := t.TempDir()
	env := map[string]string{}
	if pg := os.Getenv("SAHAY_TEST_POSTGRES_URL"); pg != "" {
		env["SAHAY_DATABASE_URL"] = freshSchema(t, pg)
	}
	first := openNode(t, dir, env)
	inbox := telegramInbox(t, first, sim, telegram.ModeWebhook)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// What a webhook commits before its 200, with the node gone before
	// the processing: the journal row alone.
	cfg, err := config.Parse("test", []string{"-data", dir}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.StoreURL())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(update(500, 31, 1, "are you open today?"))
	if ok, err := st.JournalRawEvent(context.Background(), &store.RawEvent{AccountID: inbox.AccountID, InboxID: inbox.ID,
		DedupeKey: "update:500", Body: raw}, time.Now()); err != nil || !ok {
		t.Fatalf("journal: %v %v", ok, err)
	}
	st.Close()

	second := openNode(t, dir, env)
	defer second.Close()
	m := waitStored(t, second.Store, inbox.ID, "31:1")
	// The platform's retry of the same update after the restart stores
	// nothing more.
	if ok, err := second.Store.JournalRawEvent(context.Background(), &store.RawEvent{AccountID: inbox.AccountID, InboxID: inbox.ID,
		DedupeKey: "update:500", Body: raw}, time.Now()); err != nil || ok {
		t.Fatalf("journal again: new=%v %v, want a duplicate", ok, err)
	}
	ms, err := second.Store.Messages(context.Background(), inbox.AccountID, m.ConversationID, 0, 10)
	if err != nil || len(ms) != 1 || ms[0].Content != "are you open today?" {
		t.Fatalf("messages %+v %v, want the one message", ms, err)
	}
	// The event is marked done just after its message is stored.
	storetest.Eventually(t, 10*time.Second, "the journalled update to be done", func() bool {
		done, err := second.Store.RawEvents(context.Background(), inbox.AccountID, store.RawDone, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(done) == 1
	})
}

// Long polling runs on one node of two at a time, through a lease in the
// database; when that node stops, the other takes it over within seconds.
func TestTelegramPollingTakeover(t *testing.T) {
	pg, nats := os.Getenv("SAHAY_TEST_POSTGRES_URL"), os.Getenv("SAHAY_TEST_NATS_URL")
	if pg == "" || nats == "" {
		t.Skip("SAHAY_TEST_POSTGRES_URL and SAHAY_TEST_NATS_URL not both set: multi-node test skipped")
	}
	sim := telegramtest.New(t, botToken)
	env := map[string]string{"SAHAY_DATABASE_URL": freshSchema(t, pg), "SAHAY_NATS_URL": nats}
	a := openNode(t, t.TempDir(), env)
	closedA := false
	defer func() {
		if !closedA {
			a.Close()
		}
	}()
	inbox := telegramInbox(t, a, sim, telegram.ModePolling)
	sim.Push(update(0, 41, 1, "first, polled by node A"))
	waitStored(t, a.Store, inbox.ID, "41:1")

	b := openNode(t, t.TempDir(), env)
	defer b.Close()
	// Both nodes run; the lease keeps the polling on one. Telegram answers
	// a second poller of the same bot with 409 Conflict; the simulator
	// does not, so count the update: stored once.
	sim.Push(update(0, 41, 2, "second, both nodes up"))
	waitStored(t, b.Store, inbox.ID, "41:2")

	start := time.Now()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	closedA = true
	sim.Push(update(0, 41, 3, "third, node A gone"))
	m := waitStored(t, b.Store, inbox.ID, "41:3")
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("node B took %s to take the polling over", took)
	}
	ms, err := b.Store.Messages(context.Background(), inbox.AccountID, m.ConversationID, 0, 10)
	if err != nil || len(ms) != 3 {
		t.Fatalf("messages %d %v, want 3, each once", len(ms), err)
	}
}
