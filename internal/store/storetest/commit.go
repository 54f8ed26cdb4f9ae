package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// newMessage is an incoming message of conv, not yet stored.
func newMessage(conv *sahay.Conversation, content string) *sahay.Message {
	return &sahay.Message{AccountID: conv.AccountID, ConversationID: conv.ID, InboxID: conv.InboxID,
		Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, SenderID: conv.ContactID, Content: content}
}

// searchIDs returns the ids of an account's messages matching q, newest
// first.
func searchIDs(t *testing.T, st *store.Store, accountID int64, q string) []int64 {
	t.Helper()
	hits, err := st.SearchMessages(context.Background(), accountID, nil, textnorm.Terms(q), 100)
	must(t, err, "SearchMessages "+q)
	ids := []int64{}
	for _, h := range hits {
		ids = append(ids, h.Message.ID)
	}
	return ids
}

// indexedRowids returns the rowids of SQLite's message index matching the
// word, read without going through the store: rows a search would not show
// because their message is gone still count. Nil on PostgreSQL, whose index
// is on the messages table itself.
func indexedRowids(t *testing.T, st *store.Store, word string) []int64 {
	t.Helper()
	if st.Dialect() != store.SQLite {
		return nil
	}
	// Messages are indexed after they are stored: the index is brought up
	// to date first.
	_, err := st.IndexMessages(context.Background(), 0)
	must(t, err, "index messages")
	rows, err := DB(t, st).QueryContext(context.Background(), `SELECT rowid FROM messages_fts WHERE messages_fts MATCH $1 ORDER BY rowid`, word)
	must(t, err, "read messages_fts")
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id), "read messages_fts")
		ids = append(ids, id)
	}
	must(t, rows.Err(), "read messages_fts")
	return ids
}

// testSearchIndexFollowsCommit stores messages the way group commit does,
// a savepoint each, with some savepoints failing and conversations deleted
// in the same transaction, and checks search finds exactly the messages
// that committed.
func testSearchIndexFollowsCommit(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	conv := chat(t, st, a.ID, "Shop")
	doomed := chat(t, st, a.ID, "Doomed")
	spared := chat(t, st, a.ID, "Spared")
	boom := errors.New("boom")

	var batch []int64
	var lateDoomed, afterDelete *sahay.Message
	MustWrite(t, st, func(tx *store.Tx) error {
		for i := range 20 {
			m := newMessage(conv, fmt.Sprintf("walnut parcel%d", i))
			err := tx.Savepoint(ctx, func() error {
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
				if i%5 == 3 {
					return boom // stored, then rolled back
				}
				return nil
			})
			if err != nil && !errors.Is(err, boom) {
				return err
			}
			if err == nil {
				batch = append(batch, m.ID)
			}
		}
		// A savepoint that deletes a conversation and then fails: the
		// messages stored before it must stay searchable, and the
		// conversation stays.
		err := tx.Savepoint(ctx, func() error {
			if err := tx.DeleteConversation(ctx, a.ID, spared.ID); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			return fmt.Errorf("failing savepoint: %v", err)
		}
		// A conversation given a message and deleted in one transaction
		// leaves nothing in the index; the deleted message has the highest
		// id, so the next message may take it.
		lateDoomed = newMessage(doomed, "quince doomed")
		if err := tx.InsertMessage(ctx, lateDoomed); err != nil {
			return err
		}
		if err := tx.DeleteConversation(ctx, a.ID, doomed.ID); err != nil {
			return err
		}
		afterDelete = newMessage(conv, "walnut fresh")
		return tx.InsertMessage(ctx, afterDelete)
	})
	slices.Reverse(batch)
	if got := searchIDs(t, st, a.ID, "walnut parcel"); !slices.Equal(got, batch) {
		t.Errorf("search after a group commit = %v, want the %d messages whose savepoints held %v", got, len(batch), batch)
	}
	for _, i := range []int{3, 8, 13, 18} {
		if got := searchIDs(t, st, a.ID, fmt.Sprintf("parcel%d", i)); len(got) != 0 {
			t.Errorf("a message of a rolled-back savepoint is found: %v", got)
		}
	}
	if got := searchIDs(t, st, a.ID, "fresh"); !slices.Equal(got, []int64{afterDelete.ID}) {
		t.Errorf("search for the message stored after the delete = %v, want [%d]", got, afterDelete.ID)
	}
	if got := searchIDs(t, st, a.ID, "quince"); len(got) != 0 {
		t.Errorf("a message of a conversation deleted in its transaction is found: %v", got)
	}
	if got := indexedRowids(t, st, "quince"); len(got) != 0 {
		t.Errorf("the index keeps rows %v of a conversation deleted in their transaction", got)
	}
	if got := indexedRowids(t, st, "walnut"); st.Dialect() == store.SQLite && len(got) != len(batch)+1 {
		t.Errorf("the index has %d rows for the word, want %d", len(got), len(batch)+1)
	}
	if _, err := st.Conversation(ctx, a.ID, spared.ID); err != nil {
		t.Errorf("conversation deleted in a rolled-back savepoint: %v", err)
	}

	// A transaction that fails indexes nothing.
	_, err := st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertMessage(ctx, newMessage(conv, "walnut lost")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing transaction: %v", err)
	}
	if got := searchIDs(t, st, a.ID, "lost"); len(got) != 0 {
		t.Errorf("a message of a rolled-back transaction is found: %v", got)
	}
	if got := indexedRowids(t, st, "lost"); len(got) != 0 {
		t.Errorf("the index keeps rows %v of a rolled-back transaction", got)
	}
}

// testSavepointOutlivesCancel cancels a caller's context in the middle of its
// savepoint, as a webhook request that gives up while its message is in a
// group commit: its writes are undone, and the others commit.
func testSavepointOutlivesCancel(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	conv := chat(t, st, a.ID, "Shop")
	var first, last *sahay.Message
	MustWrite(t, st, func(tx *store.Tx) error {
		first = newMessage(conv, "first caller")
		if err := tx.Savepoint(ctx, func() error { return tx.InsertMessage(ctx, first) }); err != nil {
			return err
		}
		gone, cancel := context.WithCancel(ctx)
		err := tx.Savepoint(gone, func() error {
			if err := tx.InsertMessage(gone, newMessage(conv, "impatient caller")); err != nil {
				return err
			}
			cancel()
			return tx.InsertMessage(gone, newMessage(conv, "impatient caller's second"))
		})
		if !errors.Is(err, context.Canceled) {
			return fmt.Errorf("savepoint of a cancelled caller: %v, want context.Canceled", err)
		}
		last = newMessage(conv, "last caller")
		return tx.Savepoint(ctx, func() error { return tx.InsertMessage(ctx, last) })
	})
	msgs, err := st.Messages(ctx, a.ID, conv.ID, 0, 10)
	must(t, err, "Messages")
	var got []string
	for _, m := range msgs {
		got = append(got, m.Content)
	}
	if !slices.Equal(got, []string{"first caller", "last caller"}) {
		t.Errorf("committed messages %q, want the first and last callers' only", got)
	}
	if ids := searchIDs(t, st, a.ID, "caller"); !slices.Equal(ids, []int64{last.ID, first.ID}) {
		t.Errorf("search finds %v, want [%d %d]", ids, last.ID, first.ID)
	}
}

// testWritesTakeTurns runs group commits, job claims, leases and settings
// all at once. On SQLite every one must take its turn on the one writer
// connection: a write on a connection of its own would wait for SQLite's
// lock or fail with SQLITE_BUSY, and one that waited for the writer while
// holding it would never finish.
func testWritesTakeTurns(t *testing.T, st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := MustAccount(t, st, "A")
	conv := chat(t, st, a.ID, "Shop")
	const writers, batches, perBatch, jobs = 3, 15, 10, 60
	MustWrite(t, st, func(tx *store.Tx) error {
		for range jobs {
			if _, err := tx.EnqueueJob(ctx, a.ID, "k", "{}", time.Time{}); err != nil {
				return err
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				_, err := st.Write(ctx, func(tx *store.Tx) error {
					for i := range perBatch {
						if err := tx.Savepoint(ctx, func() error {
							return tx.InsertMessage(ctx, newMessage(conv, fmt.Sprintf("hazelnut w%db%di%d", w, b, i)))
						}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					fail(fmt.Errorf("writer %d batch %d: %w", w, b, err))
					return
				}
			}
		})
	}
	var claimed sync.Map
	for c := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				j, err := st.ClaimJob(ctx, time.Now(), time.Minute)
				if err != nil {
					fail(fmt.Errorf("claimer %d: ClaimJob: %w", c, err))
					return
				}
				if j == nil {
					return
				}
				claimed.Store(j.ID, true)
				if i%3 == 0 {
					err = st.RetryJob(ctx, j.ID, time.Now(), "try again")
				} else {
					err = st.FinishJob(ctx, j.ID, "")
				}
				if err != nil {
					fail(fmt.Errorf("claimer %d: finish or retry: %w", c, err))
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 30 {
			if _, err := st.AcquireLease(ctx, "timers", "node-a", time.Minute); err != nil {
				fail(fmt.Errorf("AcquireLease: %w", err))
				return
			}
			if _, err := st.ServerSetting(ctx, fmt.Sprintf("setting-%d", i), func() (string, error) { return "v", nil }); err != nil {
				fail(fmt.Errorf("ServerSetting: %w", err))
				return
			}
			if err := st.DeletePushSubscription(ctx, 0, "https://push.example/gone"); err != nil {
				fail(fmt.Errorf("DeletePushSubscription: %w", err))
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := indexedRowids(t, st, "hazelnut"); st.Dialect() == store.SQLite && len(got) != writers*batches*perBatch {
		t.Errorf("%d messages indexed, want %d", len(got), writers*batches*perBatch)
	}
	if n := countMessages(t, st, conv.ID); n != writers*batches*perBatch {
		t.Errorf("%d messages stored, want %d", n, writers*batches*perBatch)
	}
	n := 0
	claimed.Range(func(any, any) bool { n++; return true })
	if n != jobs {
		t.Errorf("%d distinct jobs claimed, want %d", n, jobs)
	}
}
