package core_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
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
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/secretbox"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// benchContacts is how many customers the ingestion benchmark's messages come
// from: enough that most messages land in an existing conversation, as in a
// busy inbox, while some open new ones.
const benchContacts = 1000

// BenchmarkReceive measures the design target "inbound webhook ingestion ≥
// 5,000 messages/s durable (acknowledged after commit)": many goroutines,
// like concurrent webhook requests, each call Service.Receive with a
// distinct external id from one of 1,000 contacts, and a call counts only
// once Receive has returned, that is after its batch committed. It runs on
// SQLite, and on PostgreSQL when SAHAY_TEST_POSTGRES_URL is set (in a schema
// of its own, with synchronous_commit on: every acknowledged message is on
// the server's disk).
//
// SAHAY_BENCH_RECEIVERS lists the numbers of goroutines (default "1,128");
// SAHAY_BENCH_ACCOUNTS spreads the contacts over that many accounts, each
// with its own inbox (default 1). The scorer runs beside ingestion, as it
// does when deployed; SAHAY_BENCH_SCORING=on,off also measures without it
// (the benchmarks named …/scoring=off), and "off" only without it.
// SAHAY_BENCH_SQLITE_SYNC=full opens SQLite with synchronous=FULL, every
// commit waiting for the disk (default normal, as Sahay runs by default).
func BenchmarkReceive(b *testing.B) {
	receivers := []int{1, 128}
	if v := os.Getenv("SAHAY_BENCH_RECEIVERS"); v != "" {
		receivers = nil
		for f := range strings.SplitSeq(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("SAHAY_BENCH_RECEIVERS=%q: want positive numbers separated by commas", v)
			}
			receivers = append(receivers, n)
		}
	}
	accounts := 1
	if v := os.Getenv("SAHAY_BENCH_ACCOUNTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > benchContacts {
			b.Fatalf("SAHAY_BENCH_ACCOUNTS=%q: want a number from 1 to %d", v, benchContacts)
		}
		accounts = n
	}
	scoring := []bool{true}
	switch v := os.Getenv("SAHAY_BENCH_SCORING"); v {
	case "", "on":
	case "off":
		scoring = []bool{false}
	case "on,off", "off,on":
		scoring = []bool{true, false}
	default:
		b.Fatalf("SAHAY_BENCH_SCORING=%q: want on, off or on,off", v)
	}
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		for _, n := range receivers {
			for _, score := range scoring {
				name := fmt.Sprintf("%s/receivers=%d", dialect, n)
				if !score {
					name += "/scoring=off"
				}
				b.Run(name, func(b *testing.B) {
					st, app := openBenchStore(b, dialect)
					benchReceive(b, st, app, n, accounts, score)
				})
			}
		}
	}
}

// openBenchStore opens a fresh, migrated store: a SQLite file, or a schema
// of its own in the PostgreSQL database of SAHAY_TEST_POSTGRES_URL, dropped
// afterwards. Unlike the tests' stores it keeps PostgreSQL's commits
// durable, and names its connections so that their backends' CPU time can
// be read: app is their application_name ("" on SQLite).
func openBenchStore(b *testing.B, dialect string) (st *store.Store, app string) {
	ctx := context.Background()
	dbURL := filepath.Join(b.TempDir(), "sahay.db")
	switch sync := os.Getenv("SAHAY_BENCH_SQLITE_SYNC"); sync {
	case "", store.SyncNormal, store.SyncFull:
		dbURL = store.SQLiteSynchronous(dbURL, sync)
	default:
		b.Fatalf("SAHAY_BENCH_SQLITE_SYNC=%q: want %s or %s", sync, store.SyncNormal, store.SyncFull)
	}
	if dialect == store.Postgres {
		base := os.Getenv(storetest.PostgresEnv)
		if base == "" {
			b.Skip(storetest.PostgresSkip)
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		schema := fmt.Sprintf("bench_receive_%d", time.Now().UnixNano())
		app = schema
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			db, err := sql.Open("pgx", base)
			if err != nil {
				b.Error(err)
				return
			}
			defer db.Close()
			if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				b.Error(err)
			}
		})
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		q.Set("synchronous_commit", "on")
		q.Set("application_name", schema)
		u.RawQuery = q.Encode()
		dbURL = u.String()
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return st, app
}

// serverCPU returns the CPU time used so far by the PostgreSQL backends
// named app, by process id (none on SQLite, whose work is the benchmark's
// own). The backends run on this machine: the benchmark reads their /proc
// entries.
func serverCPU(b *testing.B, app string) map[int]time.Duration {
	if app == "" {
		return nil
	}
	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	rows, err := admin.Query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", app)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cpu := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		cpu[pid] = bench.ProcessCPU(pid)
	}
	return cpu
}

// analyzeBench has PostgreSQL gather the statistics of the schema named
// app, as autovacuum does soon after a table grows: the plans the
// connections keep are otherwise those of tables that were empty a moment
// ago (a scan of every message for each one looked up), and the timed part
// would measure whichever plans the warm-up happened to leave.
func analyzeBench(b *testing.B, app string) {
	if app == "" {
		return
	}
	db, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT tablename FROM pg_tables WHERE schemaname = $1", app)
	if err != nil {
		b.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			b.Fatal(err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		if _, err := db.Exec("ANALYZE " + app + "." + t); err != nil {
			b.Fatal(err)
		}
	}
}

func benchReceive(b *testing.B, st *store.Store, app string, receivers, accounts int, scoring bool) {
	ctx := context.Background()
	box, err := secretbox.New(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	channels := channel.NewRegistry()
	svc := core.New(core.Config{Store: st, Bus: bus.NewMemory(), Box: box, Channels: channels, NoScoring: !scoring,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	channels.Register(apichannel.Name, apichannel.New(svc, false))
	defer svc.Close()

	inboxIDs, accountIDs := make([]int64, accounts), make([]int64, accounts)
	for i := range accounts {
		if _, err := st.Write(ctx, func(tx *store.Tx) error {
			acc := &sahay.Account{Name: fmt.Sprintf("Bench %d", i)}
			if err := tx.CreateAccount(ctx, acc); err != nil {
				return err
			}
			in := &sahay.Inbox{AccountID: acc.ID, Name: "WhatsApp", Channel: apichannel.Name}
			if err := tx.CreateInbox(ctx, in, ""); err != nil {
				return err
			}
			inboxIDs[i], accountIDs[i] = in.ID, acc.ID
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}

	// Messages are drawn before timing; every contact keeps one language.
	corpus := bench.NewCorpus(3)
	langs := make([]string, benchContacts)
	for i := range langs {
		langs[i] = corpus.Language()
	}
	inbound := func(i int) channel.Inbound {
		c := i % benchContacts
		return channel.Inbound{InboxID: inboxIDs[c%accounts], ExternalID: fmt.Sprintf("wamid.%d", i), Namespace: "whatsapp",
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
	analyzeBench(b, app)

	msgs := make([]channel.Inbound, b.N)
	for i := range msgs {
		msgs[i] = inbound(benchContacts + i)
	}
	lat := make([]time.Duration, b.N)
	server0 := serverCPU(b, app)
	b.ResetTimer()
	t0, cpu0, writes0 := time.Now(), bench.CPUTime(), bench.WriteCalls()
	receiveAll(msgs, receivers, lat)
	elapsed, cpu, writes := time.Since(t0), bench.CPUTime()-cpu0, bench.WriteCalls()-writes0
	b.StopTimer()
	if b.Failed() {
		return
	}
	// How long after the last acknowledgement the scorer has read every
	// message: it runs behind ingestion, never in its way.
	var drained time.Duration
	if scoring {
		for {
			backlog, err := st.AnalysisBacklogs(ctx, 0, 1)
			if err != nil {
				b.Fatal(err)
			}
			if len(backlog) == 0 {
				break
			}
			if time.Since(t0) > elapsed+5*time.Minute {
				b.Fatal("the scorer did not catch up within 5 minutes of the last message")
			}
			time.Sleep(5 * time.Millisecond)
		}
		drained = time.Since(t0) - elapsed
	}
	// And the reports (and, when scoring, the voice counts) and the search
	// index (SQLite), which give way to ingestion too.
	for {
		reports, err := st.ReportBacklogs(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		voice := []store.AnalysisBacklog(nil)
		if scoring {
			if voice, err = st.VoiceBacklogs(ctx, 1); err != nil {
				b.Fatal(err)
			}
		}
		unindexed, err := st.UnindexedMessages(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(reports) == 0 && len(voice) == 0 && unindexed == 0 {
			break
		}
		if time.Since(t0) > elapsed+5*time.Minute {
			b.Fatal("the reports did not catch up within 5 minutes of the last message")
		}
		time.Sleep(5 * time.Millisecond)
	}
	reported := time.Since(t0) - elapsed
	var server time.Duration
	for pid, t := range serverCPU(b, app) {
		server += t - server0[pid]
	}

	var sum int64
	for _, id := range accountIDs {
		convs, _, _, err := st.ConversationCounts(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range convs {
			sum += r.N
		}
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
	if scoring {
		b.ReportMetric(ms(drained), "scored-after-ms")
	}
	b.ReportMetric(ms(reported), "reported-after-ms")
	if st.Dialect() == store.Postgres {
		// The server's share, and the requests sent to it: one write call
		// each.
		b.ReportMetric(float64(server.Microseconds())/float64(b.N), "server-cpu-µs/msg")
		b.ReportMetric(float64(writes)/float64(b.N), "round-trips/msg")
	}
	b.ReportMetric(0, "ns/op")
}
