package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sahayhq/sahay/internal/store"
)

func journal(t *testing.T, st *store.Store, accountID, inboxID int64, key string, body []byte, now time.Time) (*store.RawEvent, bool) {
	t.Helper()
	e := &store.RawEvent{AccountID: accountID, InboxID: inboxID, DedupeKey: key, Body: body,
		Headers: map[string]string{"Content-Type": "application/json"}}
	fresh, err := st.JournalRawEvent(context.Background(), e, now)
	must(t, err, "JournalRawEvent")
	return e, fresh
}

func testRawEvents(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	in := MustInbox(t, st, a.ID, "Telegram", "telegram")
	other := MustInbox(t, st, a.ID, "Other", "telegram")
	now := time.Now().UTC().Truncate(time.Millisecond)

	// Bytes that are not UTF-8 come back as they went in.
	body := []byte{'{', 0xff, 0x00, 0xfe, '}'}
	first, fresh := journal(t, st, a.ID, in.ID, "update:10000", body, now)
	if !fresh || first.ID == 0 {
		t.Fatalf("first journal = %+v, %v; want a new event", first, fresh)
	}
	// A platform's retry of the same event stores nothing.
	if e, fresh := journal(t, st, a.ID, in.ID, "update:10000", []byte(`{"again":1}`), now); fresh || e.ID != 0 {
		t.Fatalf("retried journal = %+v, %v; want nothing new", e, fresh)
	}
	// The same key in another inbox is another event.
	if _, fresh := journal(t, st, a.ID, other.ID, "update:10000", []byte(`{}`), now); !fresh {
		t.Fatal("the same key in another inbox was taken for a duplicate")
	}

	claim := func(at time.Duration) *store.RawEvent {
		t.Helper()
		es, err := st.ClaimRawEvents(ctx, now.Add(at), 10*time.Second, 1)
		must(t, err, "ClaimRawEvents")
		if len(es) > 1 {
			t.Fatalf("claimed %d events, want at most 1", len(es))
		}
		if len(es) == 0 {
			return nil
		}
		return es[0]
	}
	e := claim(time.Second)
	if e == nil || e.ID != first.ID || !bytes.Equal(e.Body, body) || e.Headers["Content-Type"] != "application/json" || e.Attempts != 1 || e.InboxID != in.ID || e.AccountID != a.ID {
		t.Fatalf("claim = %+v, want the first event on its first attempt", e)
	}
	second := claim(time.Second)
	if second == nil || second.InboxID != other.ID {
		t.Fatalf("second claim = %+v, want the other inbox's event", second)
	}
	if e := claim(2 * time.Second); e != nil {
		t.Fatalf("claim while both are leased = %+v, want none", e)
	}
	// A processor that died: its event is claimed again after the lease.
	if again := claim(12 * time.Second); again == nil || again.ID != first.ID || again.Attempts != 2 {
		t.Fatalf("claim after the lease = %+v, want the first event again", again)
	}
	must(t, st.FinishRawEvents(ctx, []int64{second.ID}, now), "FinishRawEvents")
	must(t, st.RetryRawEvent(ctx, first.ID, now.Add(time.Minute), "database is locked"), "RetryRawEvent")
	if e := claim(30 * time.Second); e != nil && e.ID == first.ID {
		t.Fatal("an event waiting to be retried was claimed early")
	}
	e = claim(2 * time.Minute)
	if e == nil || e.ID != first.ID || e.LastError != "database is locked" {
		t.Fatalf("retry claim = %+v, want the first event with its error", e)
	}
	must(t, st.FailRawEvent(ctx, first.ID, "telegram: update: invalid character", now), "FailRawEvent")
	if e := claim(time.Hour); e != nil {
		t.Fatalf("claim after both finished = %+v, want none", e)
	}
	if _, ok, err := st.NextRawEventAt(ctx); err != nil || ok {
		t.Fatalf("NextRawEventAt = %v, %v; want none pending", ok, err)
	}

	failed, err := st.RawEvents(ctx, a.ID, store.RawFailed, 10)
	must(t, err, "RawEvents")
	if len(failed) != 1 || failed[0].ID != first.ID || failed[0].LastError != "telegram: update: invalid character" {
		t.Fatalf("failed events = %+v, want the first with its error", failed)
	}
	// Another account cannot requeue it; its own admin can.
	b := MustAccount(t, st, "B")
	if ok, err := st.RequeueRawEvent(ctx, b.ID, first.ID, now); err != nil || ok {
		t.Fatalf("requeue by another account = %v, %v", ok, err)
	}
	if ok, err := st.RequeueRawEvent(ctx, a.ID, second.ID, now); err != nil || ok {
		t.Fatalf("requeue of a processed event = %v, %v", ok, err)
	}
	if ok, err := st.RequeueRawEvent(ctx, a.ID, first.ID, now); err != nil || !ok {
		t.Fatalf("requeue = %v, %v", ok, err)
	}
	if e := claim(time.Second); e == nil || e.ID != first.ID || e.Attempts != 1 {
		t.Fatalf("claim after requeue = %+v, want the first event afresh", e)
	}
}

// Processors on several nodes never get the same event at once, and each
// gets its events in the order they were journalled.
func testRawEventsConcurrent(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	in := MustInbox(t, st, a.ID, "Telegram", "telegram")
	now := time.Now()
	const n = 150 // more than one statement of FinishRawEvents marks
	for i := range n {
		journal(t, st, a.ID, in.ID, "k"+string(rune('a'+i%26))+string(rune('a'+i/26)), []byte(`{}`), now)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				es, err := st.ClaimRawEvents(ctx, now.Add(time.Second), time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(es) == 0 {
					return
				}
				if len(es) > 3 {
					t.Errorf("claimed %d events, want at most 3", len(es))
				}
				mu.Lock()
				for i, e := range es {
					seen[e.ID]++
					if i > 0 && e.ID <= es[i-1].ID {
						t.Errorf("claimed events %d then %d, want journal order", es[i-1].ID, e.ID)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d events claimed, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("event %d claimed %d times", id, c)
		}
	}

	// Processed together: none is due again, and every one is done.
	var ids []int64
	for id := range seen {
		ids = append(ids, id)
	}
	must(t, st.FinishRawEvents(ctx, ids, now), "FinishRawEvents")
	if es, err := st.ClaimRawEvents(ctx, now.Add(time.Hour), time.Minute, n); err != nil || len(es) != 0 {
		t.Fatalf("claim after all were processed = %d events, %v; want none", len(es), err)
	}
	done, err := st.RawEvents(ctx, a.ID, store.RawDone, 2*n)
	must(t, err, "RawEvents")
	if len(done) != n {
		t.Fatalf("%d events done, want %d", len(done), n)
	}
}
