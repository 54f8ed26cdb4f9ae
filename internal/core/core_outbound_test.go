package core_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// waitStatus waits for a message to reach a delivery status.
func (f *fixture) waitStatus(t *testing.T, id int64, status string, timeout time.Duration) *sahay.Message {
	t.Helper()
	var m *sahay.Message
	storetest.Eventually(t, timeout, fmt.Sprintf("message %d to be %s", id, status), func() bool {
		m = f.message(t, id)
		return m.Status == status
	})
	return m
}

// waitSendsSettled waits until no send job of the account is queued, due
// or running: every send has finished for good, so any webhook call it made
// has been received, and no more will come unless something asks.
func (f *fixture) waitSendsSettled(t *testing.T) {
	t.Helper()
	storetest.Eventually(t, 15*time.Second, "every send job to finish", func() bool {
		return f.count(t, `SELECT COUNT(*) FROM jobs WHERE account_id = $1 AND kind = 'send_message' AND state = 'queued'`, f.account.ID) == 0
	})
}

// checkSignature verifies a webhook call the way an integrator would:
// HMAC-SHA256 of "<t>.<body>" under the inbox's secret.
func checkSignature(t *testing.T, secret string, call hookRequest) {
	t.Helper()
	header := call.header.Get(apichannel.SignatureHeader)
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		t.Fatalf("signature header %q, want t=<unix>,v1=<hex>", header)
	}
	if d := time.Since(time.Unix(unix, 0)); d < -time.Minute || d > time.Minute {
		t.Errorf("signature time %s is %v away from now", ts, d)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(call.body)))
	if want := hex.EncodeToString(mac.Sum(nil)); sig != want {
		t.Errorf("signature v1=%s, want %s", sig, want)
	}
	if want := apichannel.Sign(secret, time.Unix(unix, 0), call.body); header != want {
		t.Errorf("signature header %q, apichannel.Sign gives %q", header, want)
	}
}

func TestPostMessageDeliversToWebhook(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		conv := f.receive(t, f.mine, "cust-9", "in-1", "আমার অর্ডার কোথায়?").Conversation
		gate := make(chan struct{})
		f.hook.mu.Lock()
		f.hook.gate = gate
		f.hook.mu.Unlock()
		before := f.lastSeq(t)
		m, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: "  আজই পাঠানো হবে  "})
		if err != nil {
			close(gate)
			t.Fatalf("PostMessage: %v", err)
		}
		// Stored as pending with its send job before anything is sent.
		stored := f.message(t, m.ID)
		jobs := f.count(t, `SELECT COUNT(*) FROM jobs WHERE account_id = $1 AND kind = 'send_message' AND payload LIKE $2`,
			f.account.ID, fmt.Sprintf(`%%"message_id":%d%%`, m.ID))
		close(gate)
		if stored.Status != sahay.DeliveryPending || stored.Kind != sahay.MessageOutgoing || stored.Content != "আজই পাঠানো হবে" ||
			stored.SenderType != sahay.SenderUser || stored.SenderID != f.agentUser.ID {
			t.Errorf("posted reply stored as %+v, want pending", stored)
		}
		if jobs != 1 {
			t.Errorf("%d send jobs for the reply, want 1", jobs)
		}
		sent := f.waitStatus(t, m.ID, sahay.DeliverySent, 10*time.Second)
		if sent.ExternalID == "" {
			t.Errorf("sent reply has no platform id")
		}
		calls := f.hook.received()
		if len(calls) != 1 {
			t.Fatalf("webhook called %d times, want once", len(calls))
		}
		checkSignature(t, f.hookSecret, calls[0])
		var p apichannel.Payload
		if err := json.Unmarshal(calls[0].body, &p); err != nil {
			t.Fatalf("webhook body %s: %v", calls[0].body, err)
		}
		if p.Event != "message.created" || p.InboxID != f.mine.ID || p.Conversation != conv.DisplayID || p.Contact.Identifier != "cust-9" ||
			p.Message.ID != m.ID || p.Message.Content != "আজই পাঠানো হবে" {
			t.Errorf("webhook payload = %+v", p)
		}
		// The conversation shows the reply: answered, assigned to whoever
		// answered first, no longer waiting.
		c, err := f.svc.Conversation(ctx, f.agent, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.AssigneeID != f.agentUser.ID || c.FirstReplyAt == nil || c.WaitingSince != nil || c.LastMessage != "আজই পাঠানো হবে" {
			t.Errorf("conversation after the reply = %+v", c)
		}
		storetest.CheckCounts(t, f.st, f.account.ID)
		counts, err := f.svc.Counts(ctx, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if counts.Mine[sahay.StatusOpen] != 1 || counts.Unassigned[sahay.StatusOpen] != 0 {
			t.Errorf("agent's counts after answering = mine %v unassigned %v", counts.Mine, counts.Unassigned)
		}
		// Events: the reply, then its delivery.
		var statuses []string
		for _, ev := range f.eventsAfter(t, before) {
			var d struct {
				Message sahay.Message `json:"message"`
			}
			json.Unmarshal(ev.Data, &d)
			if d.Message.ID == m.ID {
				statuses = append(statuses, ev.Type+":"+d.Message.Status)
			}
		}
		if fmt.Sprint(statuses) != "[message.created:pending message.updated:sent]" {
			t.Errorf("events of the reply = %v", statuses)
		}

		// A private note is stored, never sent.
		note, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: "customer is a VIP", Private: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.message(t, note.ID); got.Kind != sahay.MessageNote || got.Status != "" {
			t.Errorf("note stored as %+v", got)
		}
		// Sends are jobs enqueued with the message: the note made none.
		if n := f.count(t, `SELECT COUNT(*) FROM jobs WHERE account_id = $1 AND kind = 'send_message'`, f.account.ID); n != 1 {
			t.Errorf("%d send jobs after a reply and a private note, want 1", n)
		}
		f.waitSendsSettled(t)
		if n := len(f.hook.received()); n != 1 {
			t.Errorf("webhook called %d times after a private note, want still 1", n)
		}
		_, err = f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: "  "})
		wantCode(t, err, sahay.EINVALID, "empty reply")
		_, err = f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: strings.Repeat("x", core.MaxContentBytes+1)})
		wantCode(t, err, sahay.ETOOLARGE, "oversized reply")

		// Receipts move the status forward only.
		for _, st := range []string{sahay.DeliveryRead, sahay.DeliveryDelivered, sahay.DeliverySent, sahay.DeliveryFailed} {
			if err := f.svc.UpdateDelivery(ctx, f.mine.ID, sent.ExternalID, st, "late"); err != nil {
				t.Fatalf("UpdateDelivery %s: %v", st, err)
			}
		}
		if got := f.message(t, m.ID); got.Status != sahay.DeliveryRead {
			t.Errorf("after read and late receipts the reply is %s, want read", got.Status)
		}
		if err := f.svc.UpdateDelivery(ctx, f.mine.ID, "unknown-id", sahay.DeliveryRead, ""); err != nil {
			t.Errorf("receipt for an unknown message: %v, want ignored", err)
		}
		wantCode(t, f.svc.UpdateDelivery(ctx, f.mine.ID, sent.ExternalID, "seen", ""), sahay.EINVALID, "unknown receipt status")
	})
}

func TestPostMessageRetriesServerError(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		conv := f.receive(t, f.mine, "cust-1", "in-1", "hello").Conversation
		f.hook.set(func(n int) int {
			if n == 1 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		m, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: "we are on it"})
		if err != nil {
			t.Fatal(err)
		}
		// The runner waits 2 s before the first retry; its timing is not
		// reachable from outside the service.
		f.waitStatus(t, m.ID, sahay.DeliverySent, 15*time.Second)
		f.waitSendsSettled(t)
		calls := f.hook.received()
		if len(calls) != 2 || calls[0].status != 500 || calls[1].status != 200 {
			t.Fatalf("webhook calls %d, want a 500 then one 200", len(calls))
		}
		if k0, k1 := calls[0].header.Get("Idempotency-Key"), calls[1].header.Get("Idempotency-Key"); k0 == "" || k0 != k1 {
			t.Errorf("retry carries idempotency key %q, first try %q: want the same", k1, k0)
		}
		checkSignature(t, f.hookSecret, calls[1])
		var state string
		var attempts int
		err = storetest.DB(t, f.st).QueryRowContext(ctx, `SELECT state, attempts FROM jobs WHERE account_id = $1 AND kind = 'send_message'`, f.account.ID).
			Scan(&state, &attempts)
		if err != nil {
			t.Fatal(err)
		}
		if state != "done" || attempts != 2 {
			t.Errorf("send job %s after %d attempts, want done after 2", state, attempts)
		}
	})
}

func TestPostMessageRejectedThenRetried(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		incoming := f.receive(t, f.mine, "cust-1", "in-1", "hello")
		conv := incoming.Conversation
		f.hook.set(func(int) int { return http.StatusBadRequest })
		m, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: "try this"})
		if err != nil {
			t.Fatal(err)
		}
		failed := f.waitStatus(t, m.ID, sahay.DeliveryFailed, 10*time.Second)
		if !strings.Contains(failed.Error, "400") {
			t.Errorf("failed reply's error %q does not say what the webhook answered", failed.Error)
		}
		f.waitSendsSettled(t)
		if n := len(f.hook.received()); n != 1 {
			t.Errorf("a rejected reply was sent %d times, want once (400 is not retried)", n)
		}
		_, err = f.svc.RetryMessage(ctx, f.agent, m.ID+1_000_000)
		wantCode(t, err, sahay.ENOTFOUND, "retrying a missing message")

		f.hook.set(func(int) int { return http.StatusOK })
		retried, err := f.svc.RetryMessage(ctx, f.agent, m.ID)
		if err != nil {
			t.Fatalf("RetryMessage: %v", err)
		}
		if retried.Status != sahay.DeliveryPending {
			t.Errorf("retried reply is %s, want pending", retried.Status)
		}
		sent := f.waitStatus(t, m.ID, sahay.DeliverySent, 10*time.Second)
		if sent.Error != "" {
			t.Errorf("sent reply keeps error %q", sent.Error)
		}
		if n := len(f.hook.received()); n != 2 {
			t.Errorf("webhook called %d times, want 2", n)
		}
		_, err = f.svc.RetryMessage(ctx, f.agent, m.ID)
		wantCode(t, err, sahay.ECONFLICT, "retrying a sent reply")
		_, err = f.svc.RetryMessage(ctx, f.agent, incoming.Message.ID)
		wantCode(t, err, sahay.ECONFLICT, "retrying an incoming message")
	})
}

// TestRetryMessageConcurrentSendsOnce has an impatient agent press retry
// several times at once: one retry, one send.
func TestRetryMessageConcurrentSendsOnce(t *testing.T) {
	run(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		conv := f.receive(t, f.mine, "cust-1", "in-1", "hello").Conversation
		f.hook.set(func(int) int { return http.StatusBadRequest })
		m, err := f.svc.PostMessage(ctx, f.agent, conv.ID, core.NewMessage{Content: "try this"})
		if err != nil {
			t.Fatal(err)
		}
		f.waitStatus(t, m.ID, sahay.DeliveryFailed, 10*time.Second)
		f.hook.set(func(int) int { return http.StatusOK })
		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted := 0
		for range 6 {
			wg.Go(func() {
				_, err := f.svc.RetryMessage(ctx, f.agent, m.ID)
				switch sahay.ErrorCode(err) {
				case "":
					mu.Lock()
					accepted++
					mu.Unlock()
				case sahay.ECONFLICT:
				default:
					t.Errorf("RetryMessage: %v", err)
				}
			})
		}
		wg.Wait()
		f.waitStatus(t, m.ID, sahay.DeliverySent, 10*time.Second)
		f.waitSendsSettled(t)
		jobs := f.count(t, `SELECT COUNT(*) FROM jobs WHERE account_id = $1 AND kind = 'send_message'`, f.account.ID)
		if accepted != 1 || jobs != 2 {
			t.Errorf("6 simultaneous retries: %d accepted and %d send jobs in all, want 1 retry (2 jobs with the first try)", accepted, jobs)
		}
		if n := len(f.hook.received()); n != 2 {
			t.Errorf("webhook called %d times, want 2: the rejected try and one retry", n)
		}
	})
}
