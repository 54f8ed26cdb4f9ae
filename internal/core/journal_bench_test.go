package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/telegram"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
)

// BenchmarkJournal measures the inbound path of the channels that take
// webhooks: concurrent deliverers post Telegram updates, each a text
// message from one of 1,000 customers, through the Telegram adapter's
// webhook (secret header checked) into the raw-event journal, and the
// journal processor parses them and stores their messages through Receive.
// One delivery in eleven repeats an earlier one, as a platform does when
// an answer is late; the journal keeps it once.
//
// It reports the rate the platform sees its deliveries answered
// (acks/s, with ack-p50-ms and ack-p99-ms: a delivery is answered once its
// event is committed to the journal) and the rate messages are stored
// (msgs/s, from the first delivery until the last message is committed),
// with the CPU per stored message. It runs on SQLite, and on PostgreSQL
// when SAHAY_TEST_POSTGRES_URL is set, with durable commits.
//
// SAHAY_BENCH_RECEIVERS lists the numbers of deliverers (default
// "8,32,128").
func BenchmarkJournal(b *testing.B) {
	deliverers := []int{8, 32, 128}
	if v := os.Getenv("SAHAY_BENCH_RECEIVERS"); v != "" {
		deliverers = nil
		for f := range strings.SplitSeq(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("SAHAY_BENCH_RECEIVERS=%q: want positive numbers separated by commas", v)
			}
			deliverers = append(deliverers, n)
		}
	}
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		for _, n := range deliverers {
			b.Run(fmt.Sprintf("%s/deliverers=%d", dialect, n), func(b *testing.B) {
				st, app := openBenchStore(b, dialect)
				benchJournal(b, st, app, n)
			})
		}
	}
}

// benchSecret is the benchmark inbox's webhook secret.
const benchSecret = "bench-webhook-secret"

// delivery is one webhook request: a Telegram update's body.
type delivery struct {
	body []byte
}

func benchJournal(b *testing.B, st *store.Store, app string, deliverers int) {
	ctx := context.Background()
	box, err := secretbox.New(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	bs := bus.NewMemory()
	channels := channel.NewRegistry()
	channels.Register(telegram.Name, telegram.New("https://sahay.example", false))
	svc := core.New(core.Config{Store: st, Bus: bs, Box: box, Channels: channels,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer svc.Close()

	var inbox sahay.Inbox
	secrets, _ := json.Marshal(map[string]string{telegram.TokenKey: "123456789:AAEbenchbenchbenchbenchbenchbench",
		telegram.SecretKey: benchSecret})
	sealed, err := box.Seal(secrets)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Write(ctx, func(tx *store.Tx) error {
		acc := &sahay.Account{Name: "Bench"}
		if err := tx.CreateAccount(ctx, acc); err != nil {
			return err
		}
		inbox = sahay.Inbox{AccountID: acc.ID, Name: "Telegram", Channel: telegram.Name,
			Settings: json.RawMessage(`{"mode":"webhook"}`)}
		return tx.CreateInbox(ctx, &inbox, sealed)
	}); err != nil {
		b.Fatal(err)
	}

	// Every stored message is counted from the bus, which carries the
	// events once they are committed.
	sub, err := bs.Subscribe(inbox.AccountID)
	if err != nil {
		b.Fatal(err)
	}
	var stored atomic.Int64
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		for ev := range sub.C {
			if ev.Type == sahay.EventMessageCreated {
				stored.Add(1)
			}
		}
	}()
	defer func() {
		sub.Close()
		<-counted
	}()
	waitStored := func(n int64) {
		deadline := time.Now().Add(10 * time.Minute)
		for stored.Load() < n {
			select {
			case <-counted:
				b.Fatalf("the bus dropped the benchmark's subscription after %d messages", stored.Load())
			default:
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d messages stored, want %d", stored.Load(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}

	// Updates are drawn before timing; every customer keeps one language.
	corpus := bench.NewCorpus(3)
	langs := make([]string, benchContacts)
	for i := range langs {
		langs[i] = corpus.Language()
	}
	update := func(i int) delivery {
		c := i % benchContacts
		body, err := json.Marshal(map[string]any{"update_id": i + 1, "message": map[string]any{
			"message_id": i + 1, "date": 1764900000 + i,
			"chat": map[string]any{"id": 700000 + c, "type": "private", "first_name": fmt.Sprintf("Customer %d", c)},
			"from": map[string]any{"id": 700000 + c, "is_bot": false, "first_name": fmt.Sprintf("Customer %d", c)},
			"text": corpus.Customer(langs[c])}})
		if err != nil {
			b.Fatal(err)
		}
		return delivery{body: body}
	}
	var next atomic.Int64
	deliverAll := func(ds []delivery, workers int, lat []time.Duration) {
		var wg sync.WaitGroup
		next.Store(0)
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= len(ds) {
						return
					}
					r := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/webhooks/%d", inbox.ID), bytes.NewReader(ds[i].body))
					r.Header.Set("Content-Type", "application/json")
					r.Header.Set(telegram.SecretHeader, benchSecret)
					t0 := time.Now()
					if _, err := svc.Webhook(ctx, inbox.ID, r, "", ds[i].body); err != nil {
						b.Errorf("delivery %d: %v", i, err)
						return
					}
					if lat != nil {
						lat[i] = time.Since(t0)
					}
				}
			})
		}
		wg.Wait()
	}
	// Every customer writes once first, so the timed messages go to
	// conversations that exist.
	warm := make([]delivery, benchContacts)
	for i := range warm {
		warm[i] = update(i)
	}
	deliverAll(warm, 64, nil)
	waitStored(benchContacts)

	// One delivery in eleven repeats an update delivered a little before.
	ds := make([]delivery, 0, b.N+b.N/10)
	for i := range b.N {
		ds = append(ds, update(benchContacts+i))
		if i%10 == 9 {
			ds = append(ds, ds[len(ds)-1-corpus.Rand().IntN(min(len(ds), 50))])
		}
	}
	lat := make([]time.Duration, len(ds))
	want := int64(benchContacts + b.N)
	server0 := serverCPU(b, app)
	b.ResetTimer()
	t0, cpu0 := time.Now(), bench.CPUTime()
	deliverAll(ds, deliverers, lat)
	acked := time.Since(t0)
	waitStored(want)
	elapsed, cpu := time.Since(t0), bench.CPUTime()-cpu0
	b.StopTimer()
	if b.Failed() {
		return
	}
	var server time.Duration
	for pid, t := range serverCPU(b, app) {
		server += t - server0[pid]
	}

	// Every event is marked processed soon after its messages are stored,
	// none failed, and no message was stored twice.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		at, ok, err := st.NextRawEventAt(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("an event is still pending (due %v) a minute after every message was stored", at)
		}
	}
	failed, err := st.RawEvents(ctx, inbox.AccountID, store.RawFailed, 10)
	if err != nil || len(failed) > 0 {
		b.Fatalf("%d events failed (%v)", len(failed), err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := stored.Load(); n != want {
		b.Fatalf("%d messages stored, want %d", n, want)
	}

	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(float64(len(ds))/acked.Seconds(), "acks/s")
	b.ReportMetric(ms(lat[len(lat)/2]), "ack-p50-ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "ack-p99-ms")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
	if st.Dialect() == store.Postgres {
		b.ReportMetric(float64(server.Microseconds())/float64(b.N), "server-cpu-µs/msg")
	}
	b.ReportMetric(0, "ns/op")
}
