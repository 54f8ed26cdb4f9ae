package telegram_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/channel/telegram/telegramtest"
)

const token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

func newClient(t *testing.T) (*telegramtest.Server, *telegram.Client) {
	t.Helper()
	sim := telegramtest.New(t, token)
	return sim, &telegram.Client{BaseURL: sim.URL, Token: token}
}

func TestClientSendMessage(t *testing.T) {
	sim, c := newClient(t)
	ctx := context.Background()
	m, err := c.SendMessage(ctx, 1111111, "আপনার অর্ডার আজ পাঠানো হয়েছে", 1365)
	if err != nil {
		t.Fatal(err)
	}
	sent := sim.Sent()
	if len(sent) != 1 || sent[0].ChatID != 1111111 || sent[0].Text != "আপনার অর্ডার আজ পাঠানো হয়েছে" || sent[0].ReplyTo != 1365 {
		t.Fatalf("sent %+v", sent)
	}
	if m.MessageID != sent[0].MessageID || m.From == nil || !m.From.IsBot {
		t.Fatalf("answer %+v, want the bot's message %d", m, sent[0].MessageID)
	}
}

func TestClientSendFile(t *testing.T) {
	sim, c := newClient(t)
	if _, err := c.SendFile(context.Background(), "sendDocument", 42, "invoice.pdf", strings.NewReader("%PDF-1.4"), "your invoice"); err != nil {
		t.Fatal(err)
	}
	sent := sim.Sent()
	if len(sent) != 1 || sent[0].Method != "sendDocument" || sent[0].FileName != "invoice.pdf" || string(sent[0].File) != "%PDF-1.4" || sent[0].Text != "your invoice" {
		t.Fatalf("sent %+v", sent)
	}
	if _, err := c.SendFile(context.Background(), "sendSticker", 42, "x", strings.NewReader("x"), ""); err == nil {
		t.Fatal("an unknown file method was sent")
	}
}

// Too many requests: the error carries the wait the API asked for, and is
// not permanent, so the send is tried again after it.
func TestClientTooManyRequests(t *testing.T) {
	sim, c := newClient(t)
	sim.FailNext("sendMessage", 429, "Too Many Requests: retry after 7", 7)
	_, err := c.SendMessage(context.Background(), 1, "hi", 0)
	var apiErr *telegram.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 429 || apiErr.RetryAfter != 7*time.Second || apiErr.Permanent() {
		t.Fatalf("err = %#v, want a retryable 429 with retry_after 7s", err)
	}
	if _, err := c.SendMessage(context.Background(), 1, "hi", 0); err != nil {
		t.Fatalf("the next try: %v", err)
	}
}

func TestClientPermanentErrors(t *testing.T) {
	sim, c := newClient(t)
	_, err := c.SendMessage(context.Background(), telegramtest.BlockedChat, "hi", 0)
	var apiErr *telegram.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 403 || !apiErr.Permanent() {
		t.Fatalf("blocked: err = %v, want a permanent 403", err)
	}
	_, err = c.SendMessage(context.Background(), 1, strings.Repeat("ক", telegram.MaxText+1), 0)
	if !errors.As(err, &apiErr) || apiErr.Code != 400 || !apiErr.Permanent() {
		t.Fatalf("too long: err = %v, want a permanent 400", err)
	}
	bad := &telegram.Client{BaseURL: sim.URL, Token: "1:wrong"}
	if _, err := bad.GetMe(context.Background()); !errors.As(err, &apiErr) || apiErr.Code != 401 {
		t.Fatalf("wrong token: err = %v, want 401", err)
	}
}

// The token is in every request's URL; an error must not carry it into
// logs and admin screens.
func TestClientErrorsHideToken(t *testing.T) {
	sim, c := newClient(t)
	sim.Close()
	_, err := c.SendMessage(context.Background(), 1, "hi", 0)
	if err == nil {
		t.Fatal("send to a closed server succeeded")
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "ABC-DEF") {
		t.Fatalf("error shows the token: %v", err)
	}
}

// getUpdates confirms what came before its offset, waits for new updates
// when there are none, and is refused while a webhook is set.
func TestClientGetUpdates(t *testing.T) {
	sim, c := newClient(t)
	ctx := context.Background()
	sim.Push(telegram.Update{UpdateID: 500, Message: &telegram.Message{MessageID: 1, Chat: telegram.Chat{ID: 9, Type: "private"}, Date: 1, Text: "one"}})
	sim.Push(telegram.Update{Message: &telegram.Message{MessageID: 2, Chat: telegram.Chat{ID: 9, Type: "private"}, Date: 2, Text: "two"}})
	raws, err := c.GetUpdates(ctx, 0, 0)
	if err != nil || len(raws) != 2 {
		t.Fatalf("getUpdates = %d updates, %v; want 2", len(raws), err)
	}
	got, err := telegram.Parse(raws[1])
	if err != nil || len(got) != 1 || got[0].UpdateID != 501 || got[0].Text != "two" {
		t.Fatalf("second update = %+v, %v", got, err)
	}
	if raws, err = c.GetUpdates(ctx, 502, 0); err != nil || len(raws) != 0 || sim.Pending() != 0 {
		t.Fatalf("after confirming: %d updates, %d pending, %v", len(raws), sim.Pending(), err)
	}

	done := make(chan []byte)
	go func() {
		raws, err := c.GetUpdates(ctx, 502, 10*time.Second)
		if err != nil || len(raws) != 1 {
			t.Errorf("long poll = %d updates, %v", len(raws), err)
			close(done)
			return
		}
		done <- raws[0]
	}()
	sim.Push(telegram.Update{Message: &telegram.Message{MessageID: 3, Chat: telegram.Chat{ID: 9, Type: "private"}, Date: 3, Text: "three"}})
	select {
	case raw := <-done:
		if !strings.Contains(string(raw), "three") {
			t.Fatalf("long poll got %s", raw)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll did not return the new update")
	}

	if err := c.SetWebhook(ctx, "https://support.example.com/webhooks/1", "s3cret_token-1"); err != nil {
		t.Fatal(err)
	}
	var apiErr *telegram.APIError
	if _, err := c.GetUpdates(ctx, 0, 0); !errors.As(err, &apiErr) || apiErr.Code != 409 {
		t.Fatalf("getUpdates with a webhook set: %v, want 409", err)
	}
	if err := c.SetWebhook(ctx, "https://support.example.com/webhooks/1", "not allowed!"); err == nil {
		t.Fatal("a secret with a space was accepted")
	}
	if url, secret := sim.Webhook(); url != "https://support.example.com/webhooks/1" || secret != "s3cret_token-1" {
		t.Fatalf("webhook %q %q", url, secret)
	}
}

func TestClientDownload(t *testing.T) {
	sim, c := newClient(t)
	ctx := context.Background()
	sim.AddFile("BQADdoc", []byte("receipt body"))
	f, err := c.GetFile(ctx, "BQADdoc")
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.Download(ctx, f, 1<<20)
	if err != nil || string(data) != "receipt body" {
		t.Fatalf("download = %q, %v", data, err)
	}
	if _, err := c.Download(ctx, f, 4); !errors.Is(err, telegram.ErrTooLarge) {
		t.Fatalf("download over the limit: %v, want ErrTooLarge", err)
	}
	f.FileSize = 0 // a file whose size getFile did not say is still cut at the limit
	if _, err := c.Download(ctx, f, 4); !errors.Is(err, telegram.ErrTooLarge) {
		t.Fatalf("download of unknown size over the limit: %v, want ErrTooLarge", err)
	}
	if _, err := c.GetFile(ctx, "missing"); err == nil {
		t.Fatal("getFile of an unknown file succeeded")
	}
}
