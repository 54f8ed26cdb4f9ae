package core_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/bench"
	"github.com/sahayhq/sahay/internal/bus"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
)

// benchContacts is how many customers the ingestion benchmark's messages come
// from: enough that most messages land in an existing conversation, as in a
// busy inbox, while some open new ones.
const benchContacts = 1000

// BenchmarkReceive measures the design target "inbound webhook ingestion ≥
// 5,000 messages/s durable (acknowledged after commit) on SQLite": many
// goroutines, like concurrent webhook requests, each call Service.Receive
// with a distinct external id from one of 1,000 contacts, and a call counts
// only once Receive has returned, that is after its batch committed.
//
// SAHAY_BENCH_RECEIVERS sets the number of goroutines (default 128).
func BenchmarkReceive(b *testing.B) {
	receivers := 128
	if v := os.Getenv("SAHAY_BENCH_RECEIVERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("SAHAY_BENCH_RECEIVERS=%q: want a positive number", v)
		}
		receivers = n
	}
	for _, n := range []int{1, receivers} {
		b.Run(fmt.Sprintf("receivers=%d", n), func(b *testing.B) { benchReceive(b, n) })
	}
}

func benchReceive(b *testing.B, receivers int) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "sahay.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	box, err := secretbox.New(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	channels := channel.NewRegistry()
	channels.Register(apichannel.Name, apichannel.New(false))
	svc := core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channels,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer svc.Close()

	var inboxID, accountID int64
	if _, err := st.Write(ctx, func(tx *store.Tx) error {
		acc := &sahay.Account{Name: "Bench"}
		if err := tx.CreateAccount(ctx, acc); err != nil {
			return err
		}
		in := &sahay.Inbox{AccountID: acc.ID, Name: "WhatsApp", Channel: apichannel.Name}
		if err := tx.CreateInbox(ctx, in, ""); err != nil {
			return err
		}
		inboxID, accountID = in.ID, acc.ID
		return nil
	}); err != nil {
		b.Fatal(err)
	}

	// Messages are drawn before timing; every contact keeps one language.
	corpus := bench.NewCorpus(3)
	langs := make([]string, benchContacts)
	for i := range langs {
		langs[i] = corpus.Language()
	}
	inbound := func(i int) channel.Inbound {
		c := i % benchContacts
		return channel.Inbound{InboxID: inboxID, ExternalID: fmt.Sprintf("wamid.%d", i), Namespace: "whatsapp",
			ContactID: fmt.Sprintf("+8801%09d", c), Name: fmt.Sprintf("Customer %d", c), Content: corpus.Customer(langs[c])}
	}
	// Every contact writes once first, so the timed messages go to
	// conversations that exist, as most messages of a busy inbox do.
	var next atomic.Int64
	receiveAll := func(msgs []channel.Inbound, workers int, lat []time.Duration) {
		var wg sync.WaitGroup
		next.Store(0)
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= len(msgs) {
						return
					}
					t0 := time.Now()
					r, err := svc.Receive(ctx, msgs[i])
					if err != nil {
						b.Error(err)
						return
					}
					if lat != nil {
						lat[i] = time.Since(t0)
					}
					if r.Duplicate || r.Message.ID == 0 {
						b.Errorf("message %d: duplicate %v, id %d", i, r.Duplicate, r.Message.ID)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	warm := make([]channel.Inbound, benchContacts)
	for i := range warm {
		warm[i] = inbound(i)
	}
	receiveAll(warm, 64, nil)

	msgs := make([]channel.Inbound, b.N)
	for i := range msgs {
		msgs[i] = inbound(benchContacts + i)
	}
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	t0, cpu0 := time.Now(), bench.CPUTime()
	receiveAll(msgs, receivers, lat)
	elapsed, cpu := time.Since(t0), bench.CPUTime()-cpu0
	b.StopTimer()
	if b.Failed() {
		return
	}

	convs, _, _, err := st.ConversationCounts(ctx, accountID)
	if err != nil {
		b.Fatal(err)
	}
	var sum int64
	for _, r := range convs {
		sum += r.N
	}
	if sum != benchContacts {
		b.Fatalf("%d conversations counted, want one per contact (%d)", sum, benchContacts)
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(ms(lat[len(lat)/2]), "ack-p50-ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "ack-p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
	b.ReportMetric(0, "ns/op")
}
