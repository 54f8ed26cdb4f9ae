package storetest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

func testJobs(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	now := time.Now().UTC().Truncate(time.Millisecond)
	var due, later int64
	MustWrite(t, st, func(tx *store.Tx) error {
		var err error
		if due, err = tx.EnqueueJob(ctx, a.ID, "send_message", `{"message_id":1}`, time.Time{}); err != nil {
			return err
		}
		later, err = tx.EnqueueJob(ctx, a.ID, "send_message", `{"message_id":2}`, now.Add(time.Hour))
		return err
	})
	claim := func(at time.Duration) *store.Job {
		t.Helper()
		j, err := st.ClaimJob(ctx, now.Add(at), 30*time.Second)
		must(t, err, "ClaimJob")
		return j
	}
	j := claim(time.Second)
	if j == nil || j.ID != due || j.AccountID != a.ID || j.Kind != "send_message" || j.Payload != `{"message_id":1}` || j.Attempts != 1 || j.MaxAttempts < 1 {
		t.Fatalf("first claim = %+v, want the due job on its first attempt", j)
	}
	if j := claim(time.Second); j != nil {
		t.Fatalf("claimed job %d while the only due job is leased", j.ID)
	}
	if j := claim(29 * time.Second); j != nil {
		t.Fatalf("claimed job %d before the lease ended", j.ID)
	}
	// The worker died: once the lease runs out the job is claimed again.
	j = claim(32 * time.Second)
	if j == nil || j.ID != due || j.Attempts != 2 {
		t.Fatalf("claim after the lease = %+v, want job %d on attempt 2", j, due)
	}
	must(t, st.RetryJob(ctx, due, now.Add(time.Minute), "webhook answered 500"), "RetryJob")
	if j := claim(40 * time.Second); j != nil {
		t.Fatalf("claimed job %d before its retry time", j.ID)
	}
	next, ok, err := st.NextJobAt(ctx)
	must(t, err, "NextJobAt")
	if !ok || !next.Equal(now.Add(time.Minute)) {
		t.Errorf("NextJobAt = %v %v, want %v", next, ok, now.Add(time.Minute))
	}
	j = claim(61 * time.Second)
	if j == nil || j.ID != due || j.Attempts != 3 {
		t.Fatalf("claim at the retry time = %+v, want job %d on attempt 3", j, due)
	}
	must(t, st.FinishJob(ctx, due, ""), "FinishJob")
	j = claim(2 * time.Hour)
	if j == nil || j.ID != later {
		t.Fatalf("claim in two hours = %+v, want job %d", j, later)
	}
	must(t, st.FinishJob(ctx, later, "recipient blocked"), "FinishJob")
	if j := claim(3 * time.Hour); j != nil {
		t.Fatalf("claimed finished job %d", j.ID)
	}
	if _, ok, err := st.NextJobAt(ctx); err != nil || ok {
		t.Errorf("NextJobAt with nothing queued = %v, %v", ok, err)
	}
	var state, lastError string
	err = DB(t, st).QueryRowContext(ctx, `SELECT state, last_error FROM jobs WHERE id = $1`, later).Scan(&state, &lastError)
	must(t, err, "read job")
	if state != "failed" || lastError != "recipient blocked" {
		t.Errorf("failed job state %q error %q", state, lastError)
	}
	// A job enqueued by a transaction that rolls back does not exist.
	st.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EnqueueJob(ctx, a.ID, "send_message", `{}`, time.Time{}); err != nil {
			return err
		}
		return sahay.Invalid("rolled back")
	})
	if j := claim(4 * time.Hour); j != nil {
		t.Fatalf("claimed job %d of a rolled-back transaction", j.ID)
	}
}

// testJobsConcurrent has several workers claim at once: each job goes to
// exactly one.
func testJobsConcurrent(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	const n = 40
	MustWrite(t, st, func(tx *store.Tx) error {
		for range n {
			if _, err := tx.EnqueueJob(ctx, a.ID, "k", "{}", time.Time{}); err != nil {
				return err
			}
		}
		return nil
	})
	at := time.Now().Add(time.Second)
	var mu sync.Mutex
	var claimed []int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				j, err := st.ClaimJob(ctx, at, time.Minute)
				if err != nil {
					t.Errorf("ClaimJob: %v", err)
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				claimed = append(claimed, j.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// A claimer may give up early when it loses a race; the rest are
	// claimed here.
	for {
		j, err := st.ClaimJob(ctx, at, time.Minute)
		must(t, err, "ClaimJob")
		if j == nil {
			break
		}
		claimed = append(claimed, j.ID)
	}
	slices.Sort(claimed)
	if len(slices.Compact(slices.Clone(claimed))) != len(claimed) {
		t.Errorf("a job was claimed twice under one lease: %v", claimed)
	}
	if len(slices.Compact(claimed)) != n {
		t.Errorf("%d distinct jobs claimed, want %d", len(slices.Compact(claimed)), n)
	}
}

// testJobsSkipLocked has a job row locked by another worker's claim in
// progress: a claim takes the next due job instead of waiting for that one
// and finding it gone (PostgreSQL; SQLite's one writer has no such race).
func testJobsSkipLocked(t *testing.T, st *store.Store) {
	if st.Dialect() != store.Postgres {
		t.Skip("row locks are PostgreSQL's")
	}
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	var first, second int64
	MustWrite(t, st, func(tx *store.Tx) error {
		var err error
		if first, err = tx.EnqueueJob(ctx, a.ID, "k", "{}", time.Now().Add(-time.Minute)); err != nil {
			return err
		}
		second, err = tx.EnqueueJob(ctx, a.ID, "k", "{}", time.Time{})
		return err
	})
	other, err := DB(t, st).BeginTx(ctx, nil)
	must(t, err, "begin the other worker's transaction")
	defer other.Rollback()
	var locked int64
	err = other.QueryRowContext(ctx, `SELECT id FROM jobs WHERE id = $1 FOR UPDATE`, first).Scan(&locked)
	must(t, err, "lock the first job")

	claimCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	j, err := st.ClaimJob(claimCtx, time.Now().Add(time.Second), time.Minute)
	must(t, err, "ClaimJob while the first job is locked")
	if j == nil || j.ID != second {
		t.Fatalf("claim while job %d is locked = %+v, want job %d", first, j, second)
	}
	must(t, other.Rollback(), "end the other worker's transaction")
	j, err = st.ClaimJob(ctx, time.Now().Add(time.Second), time.Minute)
	must(t, err, "ClaimJob")
	if j == nil || j.ID != first {
		t.Fatalf("claim once the lock is gone = %+v, want job %d", j, first)
	}
}

func testLeases(t *testing.T, st *store.Store) {
	ctx := context.Background()
	acquire := func(name, holder string, want bool) {
		t.Helper()
		ok, err := st.AcquireLease(ctx, name, holder, 400*time.Millisecond)
		must(t, err, "AcquireLease")
		if ok != want {
			t.Fatalf("AcquireLease(%s, %s) = %v, want %v", name, holder, ok, want)
		}
	}
	acquire("imap:1", "node-a", true)
	acquire("imap:1", "node-b", false)
	acquire("imap:1", "node-a", true) // renewal
	acquire("timers", "node-b", true) // another lease is independent
	acquire("timers", "node-a", false)
	time.Sleep(450 * time.Millisecond)
	acquire("imap:1", "node-b", true) // node-a stopped renewing
	acquire("imap:1", "node-a", false)

	// A node that stops hands its lease over at once; releasing a lease
	// another node holds changes nothing.
	must(t, st.ReleaseLease(ctx, "imap:1", "node-a"), "ReleaseLease by a non-holder")
	acquire("imap:1", "node-a", false)
	must(t, st.ReleaseLease(ctx, "imap:1", "node-b"), "ReleaseLease")
	acquire("imap:1", "node-a", true)
}

// A job's worker renews its lease while it works; once the lease has run
// out and another worker has claimed the job, the first one's renewal is
// refused, so it knows the job is no longer its own.
func testJobsRenew(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	MustWrite(t, st, func(tx *store.Tx) error {
		_, err := tx.EnqueueJob(ctx, a.ID, "send_message", `{}`, time.Time{})
		return err
	})
	now := time.Now()
	j, err := st.ClaimJob(ctx, now.Add(time.Second), 2*time.Second)
	must(t, err, "ClaimJob")
	ok, err := st.RenewJob(ctx, j.ID, j.Attempts, now.Add(10*time.Second))
	must(t, err, "RenewJob")
	if !ok {
		t.Fatal("the worker could not renew its own lease")
	}
	if other, err := st.ClaimJob(ctx, now.Add(5*time.Second), 2*time.Second); err != nil || other != nil {
		t.Fatalf("claim during the renewed lease = %+v, %v; want none", other, err)
	}
	other, err := st.ClaimJob(ctx, now.Add(11*time.Second), 2*time.Second)
	must(t, err, "ClaimJob after the lease")
	if other == nil || other.ID != j.ID || other.Attempts != j.Attempts+1 {
		t.Fatalf("claim after the lease = %+v, want job %d again", other, j.ID)
	}
	if ok, err := st.RenewJob(ctx, j.ID, j.Attempts, now.Add(20*time.Second)); err != nil || ok {
		t.Fatalf("the first worker renewed a job claimed since: %v, %v", ok, err)
	}
}

func testBackup(t *testing.T, st *store.Store) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "backup.db")
	if st.Dialect() != store.SQLite {
		wantCode(t, st.Backup(ctx, path), sahay.EINVALID, "Backup of a PostgreSQL store")
		return
	}
	w := newWorld(t, st, "a")
	convs := tiedConversations(t, st, w, 12)
	m := MustMessage(t, st, convs[0], &sahay.Message{Content: "ব্যাকআপ দিন"})
	MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.SetConversationLabels(ctx, convs[1], []int64{w.labels[0].ID}); err != nil {
			return err
		}
		return tx.Emit(ctx, w.account.ID, 0, 0, testPayload{typ: "test.backup"})
	})
	must(t, st.Backup(ctx, path), "Backup")

	cp, err := store.Open(ctx, path)
	must(t, err, "open the backup")
	defer cp.Close()
	current, err := cp.MigrationsCurrent(ctx)
	must(t, err, "MigrationsCurrent")
	if !current {
		t.Errorf("backup lacks migrations")
	}
	got, err := cp.Message(ctx, w.account.ID, m.ID)
	must(t, err, "Message in the backup")
	if got.Content != m.Content {
		t.Errorf("backup message = %q", got.Content)
	}
	hits, err := cp.SearchMessages(ctx, w.account.ID, nil, textnorm.Terms("দিন"), 10)
	must(t, err, "SearchMessages in the backup")
	if len(hits) != 1 || hits[0].Message.ID != m.ID {
		t.Errorf("search in the backup found %d hits", len(hits))
	}
	for _, s := range []*store.Store{st, cp} {
		list, _, err := s.Conversations(ctx, store.ConversationFilter{AccountID: w.account.ID, Limit: 100})
		must(t, err, "Conversations")
		if len(list) != len(convs) {
			t.Errorf("%d conversations, want %d", len(list), len(convs))
		}
	}
	a, b := countRows(t, st, w.account.ID), countRows(t, cp, w.account.ID)
	if !slices.Equal(a, b) {
		t.Errorf("maintained counts: original %v, backup %v", a, b)
	}
	seq, err := cp.LastEventSeq(ctx, w.account.ID)
	must(t, err, "LastEventSeq")
	if seq != 1 {
		t.Errorf("backup's last event = %d, want 1", seq)
	}
	// The backup is a working store.
	MustMessage(t, cp, convs[0], &sahay.Message{Content: "after restore"})

	before, err := os.Stat(path)
	must(t, err, "stat backup")
	err = st.Backup(ctx, path)
	wantCode(t, err, sahay.EINVALID, "Backup onto an existing file")
	after, err := os.Stat(path)
	must(t, err, "stat backup")
	if !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Errorf("refused backup changed the existing file")
	}
}

func countRows(t *testing.T, st *store.Store, accountID int64) []store.CountRow {
	convs, labels, _, err := st.ConversationCounts(context.Background(), accountID)
	must(t, err, "ConversationCounts")
	all := append(convs, labels...)
	slices.SortFunc(all, func(a, b store.CountRow) int {
		if a.InboxID != b.InboxID {
			return int(a.InboxID - b.InboxID)
		}
		if a.TeamID != b.TeamID {
			return int(a.TeamID - b.TeamID)
		}
		if a.AssigneeID != b.AssigneeID {
			return int(a.AssigneeID - b.AssigneeID)
		}
		if a.LabelID != b.LabelID {
			return int(a.LabelID - b.LabelID)
		}
		if a.Status < b.Status {
			return -1
		}
		if a.Status > b.Status {
			return 1
		}
		return int(a.N - b.N)
	})
	return all
}
