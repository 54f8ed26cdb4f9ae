package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

func seqs(events []sahay.Event) []int64 {
	out := []int64{}
	for _, ev := range events {
		out = append(out, ev.Seq)
	}
	return out
}

func wantSeqs(t *testing.T, what string, events []sahay.Event, from, to int64) {
	t.Helper()
	got := seqs(events)
	ok := len(got) == int(to-from+1)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i] == from+int64(i)
	}
	if !ok {
		t.Errorf("%s: sequence numbers %v, want %d..%d", what, got, from, to)
	}
}

func testEvents(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	b := MustAccount(t, st, "B")
	var now time.Time
	events := MustWrite(t, st, func(tx *store.Tx) error {
		now = tx.Now()
		for i := range 3 {
			if err := tx.Emit(ctx, a.ID, 7, int64(100+i), sahay.MessageCreated{Message: &sahay.Message{ID: int64(i), Content: "নমস্কার"}}); err != nil {
				return err
			}
			if i < 2 {
				if err := tx.Emit(ctx, b.ID, 0, 0, sahay.ContactUpdated{Contact: &sahay.Contact{ID: int64(i)}}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if len(events) != 5 {
		t.Fatalf("Write returned %d events, want 5", len(events))
	}
	var ofA, ofB []sahay.Event
	for _, ev := range events {
		if ev.AccountID == a.ID {
			ofA = append(ofA, ev)
		} else {
			ofB = append(ofB, ev)
		}
	}
	wantSeqs(t, "returned events of account A", ofA, 1, 3)
	wantSeqs(t, "returned events of account B", ofB, 1, 2)

	// A failed transaction numbers nothing.
	_, err := st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.Emit(ctx, a.ID, 0, 0, testPayload{typ: "test.lost"}); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil || err.Error() != "changed my mind" {
		t.Fatalf("failed write returned %v", err)
	}
	MustWrite(t, st, func(tx *store.Tx) error {
		for range 2 {
			if err := tx.AppendEvent(ctx, sahay.Event{AccountID: a.ID, Type: sahay.EventConversationUpdated}); err != nil {
				return err
			}
		}
		return nil
	})
	all, err := st.EventsAfter(ctx, a.ID, 0, 100)
	must(t, err, "EventsAfter")
	wantSeqs(t, "stored events of account A", all, 1, 5)
	if len(all) == 5 {
		first := all[0]
		data, err := sahay.Decode[sahay.MessageCreated](first)
		if err != nil || data.Message == nil || data.Message.Content != "নমস্কার" || data.Message.ID != 0 {
			t.Errorf("event data = %s, want what was emitted", first.Data)
		}
		if first.Type != sahay.EventMessageCreated || first.InboxID != 7 || first.ConversationID != 100 || !first.CreatedAt.Equal(now) {
			t.Errorf("first event = %+v, created at %v", first, now)
		}
		if string(all[4].Data) != "null" && string(all[4].Data) != "{}" {
			t.Errorf("event emitted with nil data stored as %s", all[4].Data)
		}
		for _, ev := range all {
			if ev.Type == "test.lost" {
				t.Errorf("event of a rolled-back transaction stored: %+v", ev)
			}
		}
	}
	after, err := st.EventsAfter(ctx, a.ID, 3, 100)
	must(t, err, "EventsAfter")
	wantSeqs(t, "events of A after 3", after, 4, 5)
	limited, err := st.EventsAfter(ctx, a.ID, 0, 2)
	must(t, err, "EventsAfter")
	wantSeqs(t, "first two events of A", limited, 1, 2)
	// The heads are the events without their data.
	for _, limit := range []int{100, 2} {
		heads, err := st.EventHeadsAfter(ctx, a.ID, 1, limit)
		must(t, err, "EventHeadsAfter")
		want, err := st.EventsAfter(ctx, a.ID, 1, limit)
		must(t, err, "EventsAfter")
		for i := range want {
			want[i].Data = nil
		}
		if !reflect.DeepEqual(heads, want) {
			t.Errorf("event heads after 1, up to %d:\n%+v\nwant the events without data:\n%+v", limit, heads, want)
		}
	}
	ofBStored, err := st.EventsAfter(ctx, b.ID, 0, 100)
	must(t, err, "EventsAfter")
	wantSeqs(t, "stored events of account B", ofBStored, 1, 2)
	for account, want := range map[int64]int64{a.ID: 5, b.ID: 2} {
		last, err := st.LastEventSeq(ctx, account)
		must(t, err, "LastEventSeq")
		if last != want {
			t.Errorf("LastEventSeq(%d) = %d, want %d", account, last, want)
		}
	}
	_, err = st.LastEventSeq(ctx, b.ID+100)
	wantCode(t, err, sahay.ENOTFOUND, "LastEventSeq of a missing account")
}

// testEventsConcurrent commits events from many writers, some of them slow,
// while a reader follows along: it must never see a number before the one
// below it (a client resuming from it would miss that one for ever).
func testEventsConcurrent(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	const writers, perWriter = 8, 50
	const total = writers * perWriter

	type seen struct {
		n    int
		last int64
		err  error
		keys map[string]bool
	}
	done := make(chan struct{})
	result := make(chan seen, 1)
	go func() {
		s := seen{keys: map[string]bool{}}
		defer func() { result <- s }()
		deadline := time.Now().Add(60 * time.Second)
		finished := false
		for s.n < total && time.Now().Before(deadline) {
			select {
			case <-done:
				finished = true
			default:
			}
			events, err := st.EventsAfter(ctx, a.ID, s.last, 1000)
			if err != nil {
				s.err = err
				return
			}
			for _, ev := range events {
				if ev.Seq != s.last+1 {
					s.err = fmt.Errorf("read sequence number %d right after %d: %d was not visible yet", ev.Seq, s.last, s.last+1)
					return
				}
				s.last = ev.Seq
				s.n++
				var d struct{ W, I int }
				json.Unmarshal(ev.Data, &d)
				s.keys[fmt.Sprint(d.W, "/", d.I)] = true
			}
			if finished && len(events) == 0 {
				return
			}
			if len(events) == 0 {
				time.Sleep(200 * time.Microsecond)
			}
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				_, err := st.Write(ctx, func(tx *store.Tx) error {
					if err := tx.LockAccount(ctx, a.ID); err != nil {
						return err
					}
					if (w+i)%4 == 0 {
						time.Sleep(time.Duration(1+(w+i)%3) * time.Millisecond)
					}
					return tx.Emit(ctx, a.ID, 0, 0, testPayload{typ: "test.concurrent", W: w, I: i})
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d transaction %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := <-result
	if s.err != nil {
		t.Fatalf("reader after %d events: %v", s.n, s.err)
	}
	if s.n != total || s.last != total || len(s.keys) != total {
		t.Errorf("reader saw %d events up to %d (%d distinct), want %d", s.n, s.last, len(s.keys), total)
	}
	last, err := st.LastEventSeq(ctx, a.ID)
	must(t, err, "LastEventSeq")
	if last != total {
		t.Errorf("LastEventSeq = %d, want %d", last, total)
	}
}

// testSavepoint fails savepoints in the middle of a transaction, one of them
// on a constraint violation (which aborts the whole transaction on
// PostgreSQL unless rolled back to the savepoint), and checks only their
// writes and events are gone.
func testSavepoint(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	MustUser(t, st, a.ID, "taken@example.com", sahay.RoleAgent)
	contact := func(tx *store.Tx, name string) error {
		c := &sahay.Contact{AccountID: a.ID, Name: name, Identities: []Identity{{Namespace: "test", ExternalID: name}}}
		if err := tx.CreateContact(ctx, c); err != nil {
			return err
		}
		return tx.Emit(ctx, a.ID, 0, 0, sahay.ContactUpdated{Contact: c})
	}
	events, err := st.Write(ctx, func(tx *store.Tx) error {
		if err := contact(tx, "kept-before"); err != nil {
			return err
		}
		err := tx.Savepoint(ctx, func() error {
			if err := contact(tx, "lost-conflict"); err != nil {
				return err
			}
			return tx.CreateUser(ctx, &sahay.User{AccountID: a.ID, Email: "taken@example.com", Name: "Dup", Role: sahay.RoleAgent}, PasswordHash)
		})
		if sahay.ErrorCode(err) != sahay.ECONFLICT {
			return fmt.Errorf("savepoint with a duplicate email returned %v, want a conflict", err)
		}
		boom := errors.New("boom")
		err = tx.Savepoint(ctx, func() error {
			if err := contact(tx, "lost-error"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			return fmt.Errorf("failing savepoint returned %v, want its error", err)
		}
		if err := tx.Savepoint(ctx, func() error { return contact(tx, "kept-in-savepoint") }); err != nil {
			return fmt.Errorf("good savepoint: %w", err)
		}
		return contact(tx, "kept-after")
	})
	must(t, err, "transaction with failed savepoints")
	wantSeqs(t, "events the transaction returned", events, 1, 3)
	stored, err := st.EventsAfter(ctx, a.ID, 0, 100)
	must(t, err, "EventsAfter")
	wantSeqs(t, "stored events", stored, 1, 3)
	var names []string
	for _, ev := range stored {
		d, err := sahay.Decode[sahay.ContactUpdated](ev)
		must(t, err, "decode a stored event")
		names = append(names, d.Contact.Name)
	}
	if fmt.Sprint(names) != "[kept-before kept-in-savepoint kept-after]" {
		t.Errorf("stored events name %v", names)
	}
	var n int
	err = DB(t, st).QueryRowContext(ctx, `SELECT COUNT(*) FROM contacts WHERE account_id = $1`, a.ID).Scan(&n)
	must(t, err, "count contacts")
	if n != 3 {
		t.Errorf("%d contacts stored, want the 3 kept", n)
	}
	err = DB(t, st).QueryRowContext(ctx, `SELECT COUNT(*) FROM contact_identities WHERE account_id = $1 AND external_id LIKE 'lost%'`, a.ID).Scan(&n)
	must(t, err, "count identities")
	if n != 0 {
		t.Errorf("%d identities of failed savepoints stored", n)
	}
	users, err := st.Users(ctx, a.ID)
	must(t, err, "Users")
	if len(users) != 1 {
		t.Errorf("%d users, want 1", len(users))
	}
	found, err := st.Contacts(ctx, a.ID, nil, "lost", 0, 10)
	must(t, err, "Contacts")
	if len(found) != 0 {
		t.Errorf("search finds contacts of failed savepoints: %v", contactIDs(found))
	}
	found, err = st.Contacts(ctx, a.ID, nil, "kept", 0, 10)
	must(t, err, "Contacts")
	if len(found) != 3 {
		t.Errorf("search finds %d kept contacts, want 3", len(found))
	}
}

// testWritePanic has a transaction panic half-way, as a nil dereference in a
// handler would (net/http recovers such panics and keeps serving): the
// store must still take writes afterwards, including to the account the
// panicking transaction had locked.
func testWritePanic(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a := MustAccount(t, st, "A")
	func() {
		defer func() {
			if recover() == nil {
				t.Fatalf("Write swallowed the panic")
			}
		}()
		st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, a.ID); err != nil {
				return err
			}
			if err := tx.Emit(ctx, a.ID, 0, 0, testPayload{typ: "test.panicked"}); err != nil {
				return err
			}
			panic("handler bug")
		})
	}()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, a.ID); err != nil {
				return err
			}
			return tx.Emit(ctx, a.ID, 0, 0, testPayload{typ: "test.after"})
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("write after a panicking transaction: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("write after a panicking transaction never returned")
	}
	events, err := st.EventsAfter(ctx, a.ID, 0, 10)
	must(t, err, "EventsAfter")
	if len(events) != 1 || events[0].Type != "test.after" || events[0].Seq != 1 {
		t.Errorf("events after the panic = %v, want only test.after as 1", seqs(events))
	}
}

// testPayload is the payload of an event type no reader knows: the store
// numbers and keeps events whatever their type.
type testPayload struct {
	typ string
	W   int `json:"w"`
	I   int `json:"i"`
}

func (p testPayload) EventType() string { return p.typ }
