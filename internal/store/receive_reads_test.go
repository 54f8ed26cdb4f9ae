package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// LockAndRead and ShareAndRead, whose four statements PostgreSQL receives
// together, read what the four reads made one by one give: the accounts
// that exist, the platform ids stored, the contacts of identities and, for
// each contact that has one, the conversation OpenConversations finds (open before
// resolved, the newest first, in the inbox and topic asked for, with its
// labels), in two accounts at once.
func TestLockAndReadReadsWhatEachReadReads(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		a, b := storetest.MustAccount(t, st, "A"), storetest.MustAccount(t, st, "B")
		inA, inA2, inB := storetest.MustInbox(t, st, a.ID, "WhatsApp", "api"), storetest.MustInbox(t, st, a.ID, "Mail", "api"),
			storetest.MustInbox(t, st, b.ID, "WhatsApp", "api")
		label := storetest.MustLabel(t, st, a.ID, "refund")
		// The same number in both accounts, each its own contact.
		contact := func(acc *sahay.Account, number string) *sahay.Contact {
			c := storetest.MustContact(t, st, &sahay.Contact{AccountID: acc.ID, Name: number})
			storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.AddIdentity(ctx, c, "whatsapp", number) })
			return c
		}
		ca, ca2, cb := contact(a, "+8801700000001"), contact(a, "+8801700000002"), contact(b, "+8801700000001")
		conv := func(in *sahay.Inbox, c *sahay.Contact, status, topic string) *sahay.Conversation {
			return storetest.MustConversation(t, st, &sahay.Conversation{AccountID: in.AccountID, InboxID: in.ID, ContactID: c.ID,
				Status: status, Topic: topic})
		}
		conv(inA, ca, sahay.StatusResolved, "")
		open1 := conv(inA, ca, sahay.StatusOpen, "")
		storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, open1, []int64{label.ID}) })
		conv(inA, ca, sahay.StatusOpen, "order-9")
		conv(inA2, ca2, sahay.StatusResolved, "")
		conv(inB, cb, sahay.StatusPending, "")
		storetest.MustMessage(t, st, open1, &sahay.Message{Content: "hi", ExternalID: "wamid.1"})

		accounts := []int64{b.ID, a.ID, a.ID, 999999}
		keys := []store.MessageKey{{InboxID: inA.ID, ExternalID: "wamid.1"}, {InboxID: inB.ID, ExternalID: "wamid.1"},
			{InboxID: inA.ID, ExternalID: "wamid.2"}}
		id := func(acc *sahay.Account, number string) store.Identity {
			return store.Identity{AccountID: acc.ID, Namespace: "whatsapp", ExternalID: number}
		}
		ids := []store.Identity{id(a, "+8801700000001"), id(a, "+8801700000002"), id(b, "+8801700000001"), id(a, "+8801700000009")}
		senders := []store.SenderConversation{{Identity: ids[0], InboxID: inA.ID}, {Identity: ids[0], InboxID: inA.ID, Topic: "order-9"},
			{Identity: ids[0], InboxID: inA2.ID}, {Identity: ids[1], InboxID: inA2.ID}, {Identity: ids[2], InboxID: inB.ID},
			{Identity: ids[3], InboxID: inA.ID}}

		var together *store.ReceiveReads
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			var err error
			together, err = tx.LockAndRead(ctx, accounts, keys, ids, senders)
			return err
		})
		apart := &store.ReceiveReads{}
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			var err error
			if apart.Accounts, err = tx.LockedAccounts(ctx, accounts); err != nil {
				return err
			}
			if apart.Stored, err = tx.StoredExternalIDs(ctx, keys); err != nil {
				return err
			}
			if apart.Contacts, err = tx.ContactsByIdentities(ctx, ids); err != nil {
				return err
			}
			var convKeys []store.ConversationKey
			for _, s := range senders {
				if c := apart.Contacts[s.Identity]; c != nil {
					convKeys = append(convKeys, store.ConversationKey{AccountID: s.AccountID, ContactID: c.ID, InboxID: s.InboxID, Topic: s.Topic})
				}
			}
			apart.Conversations, err = tx.OpenConversations(ctx, convKeys)
			return err
		})
		if len(apart.Accounts) != 2 || len(apart.Stored) != 1 || len(apart.Contacts) != 3 || len(apart.Conversations) != 4 {
			t.Fatalf("one by one: %d accounts, %d stored ids, %d contacts, %d conversations; want 2, 1, 3, 4",
				len(apart.Accounts), len(apart.Stored), len(apart.Contacts), len(apart.Conversations))
		}
		if got := apart.Conversations[store.ConversationKey{AccountID: a.ID, ContactID: ca.ID, InboxID: inA.ID}]; got == nil ||
			got.ID != open1.ID || !reflect.DeepEqual(got.Labels, []string{"refund"}) {
			t.Fatalf("one by one, the open conversation is %+v; want %d labelled refund", got, open1.ID)
		}
		if !reflect.DeepEqual(together, apart) {
			t.Errorf("together:\n%+v\none by one:\n%+v", together, apart)
		}
		var shared *store.ReceiveReads
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			var err error
			shared, err = tx.ShareAndRead(ctx, accounts, keys, ids, senders)
			return err
		})
		if !reflect.DeepEqual(shared, apart) {
			t.Errorf("shared:\n%+v\none by one:\n%+v", shared, apart)
		}
	})
}

// A transaction whose first statements are sent together (PostgreSQL
// sends its BEGIN with them, and its COMMIT with its events) is one
// transaction all the same: what it wrote is gone when it fails and there
// when it commits, and its account stays locked until it ends.
func TestWriteBegunWithStatementsSentTogether(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		a := storetest.MustAccount(t, st, "A")
		seq := func() int64 {
			t.Helper()
			n, err := st.LastEventSeq(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := seq()
		write := func(fail error, locked chan<- struct{}, release <-chan struct{}) (*sahay.Contact, error) {
			c := &sahay.Contact{AccountID: a.ID, Name: "Rahim"}
			_, err := st.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.LockAndRead(ctx, []int64{a.ID}, nil, nil, nil); err != nil {
					return err
				}
				if locked != nil {
					close(locked)
					<-release
				}
				if err := tx.CreateContact(ctx, c); err != nil {
					return err
				}
				if err := tx.AppendEvent(ctx, sahay.Event{AccountID: a.ID, Type: "test"}); err != nil {
					return err
				}
				return fail
			})
			return c, err
		}

		undo := errors.New("undo")
		c, err := write(undo, nil, nil)
		if !errors.Is(err, undo) {
			t.Fatalf("failed write: %v, want %v", err, undo)
		}
		if _, err := st.Contact(ctx, a.ID, c.ID); sahay.ErrorCode(err) != sahay.ENOTFOUND {
			t.Fatalf("the failed write's contact: %v, want not found", err)
		}
		if got := seq(); got != before {
			t.Fatalf("after the failed write the account's last event is %d, want %d", got, before)
		}

		c, err = write(nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Contact(ctx, a.ID, c.ID); err != nil {
			t.Fatalf("the committed write's contact: %v", err)
		}
		if got := seq(); got != before+1 {
			t.Fatalf("after the committed write the account's last event is %d, want %d", got, before+1)
		}

		// A second writer of the account waits for the first to end.
		locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			_, err := write(nil, locked, release)
			done <- err
		}()
		<-locked
		second := make(chan error, 1)
		go func() {
			_, err := st.Write(ctx, func(tx *store.Tx) error {
				return tx.AppendEvent(ctx, sahay.Event{AccountID: a.ID, Type: "test"})
			})
			second <- err
		}()
		select {
		case err := <-second:
			t.Fatalf("a second writer locked the account while the first held it (%v)", err)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := <-second; err != nil {
			t.Fatal(err)
		}
		if got := seq(); got != before+3 {
			t.Fatalf("after three committed events the account's last is %d, want %d", got, before+3)
		}
	})
}

// A transaction in which a statement failed is not reported committed,
// even when the caller went on as if it had not: PostgreSQL answers its
// COMMIT with ROLLBACK. (SQLite keeps the transaction and what else it
// did.)
func TestWriteWithAFailedStatementIsNotCommitted(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		a := storetest.MustAccount(t, st, "A")
		kept := &sahay.Contact{AccountID: a.ID, Name: "Rahim"}
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateContact(ctx, kept); err != nil {
				return err
			}
			if err := tx.CreateContact(ctx, &sahay.Contact{AccountID: a.ID + 1000, Name: "no such account"}); err == nil {
				t.Error("a contact of an account that does not exist was created")
			}
			return nil
		})
		_, found := st.Contact(ctx, a.ID, kept.ID)
		if st.Dialect() == store.Postgres {
			if err == nil || !strings.Contains(err.Error(), "rolled back") {
				t.Fatalf("a transaction with a failed statement: %v, want rolled back", err)
			}
			if sahay.ErrorCode(found) != sahay.ENOTFOUND {
				t.Fatalf("its contact: %v, want not found", found)
			}
			return
		}
		if err != nil || found != nil {
			t.Fatalf("SQLite: %v; its contact: %v", err, found)
		}
	})
}

// On PostgreSQL, transactions that take an account with ShareAndRead hold
// it shared: two run at once, each numbering its events when it takes the
// account's row lock (with LockAccount, or at commit), so that the events
// are numbered without gaps in the order the transactions commit; a
// writer that locks the account waits for both. (SQLite's one writer runs
// its transactions one at a time.)
func TestAccountHeldSharedByTwoTransactions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite runs one write transaction at a time")
		}
		a := storetest.MustAccount(t, st, "A")
		before, err := st.LastEventSeq(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		type step struct{ held, release chan struct{} }
		newStep := func() step { return step{make(chan struct{}), make(chan struct{})} }
		pause := func(s step) {
			close(s.held)
			<-s.release
		}
		waitFor := func(what string, ch <-chan struct{}) {
			t.Helper()
			select {
			case <-ch:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: still waiting after 10 s", what)
			}
		}
		stillWaiting := func(what string, done <-chan error) {
			t.Helper()
			select {
			case err := <-done:
				t.Fatalf("%s ended (%v) while it should wait", what, err)
			case <-time.After(300 * time.Millisecond):
			}
		}
		write := func(fn func(tx *store.Tx) error) <-chan error {
			done := make(chan error, 1)
			go func() {
				_, err := st.Write(ctx, fn)
				done <- err
			}()
			return done
		}
		event := func(tx *store.Tx, typ string) error {
			return tx.AppendEvent(ctx, sahay.Event{AccountID: a.ID, Type: typ})
		}

		// The first holds the account shared, appends an event and waits.
		one := newStep()
		oneDone := write(func(tx *store.Tx) error {
			if _, err := tx.ShareAndRead(ctx, []int64{a.ID}, nil, nil, nil); err != nil {
				return err
			}
			if err := event(tx, "test.one"); err != nil {
				return err
			}
			pause(one)
			return nil
		})
		waitFor("the first holder", one.held)
		// The second holds it at the same time, then takes its row lock.
		shared, locked := newStep(), newStep()
		twoDone := write(func(tx *store.Tx) error {
			if _, err := tx.ShareAndRead(ctx, []int64{a.ID}, nil, nil, nil); err != nil {
				return err
			}
			pause(shared)
			if err := event(tx, "test.two"); err != nil {
				return err
			}
			if err := tx.LockAccount(ctx, a.ID); err != nil {
				return err
			}
			pause(locked)
			return nil
		})
		waitFor("the second holder, beside the first", shared.held)
		// A writer that locks the account waits for both.
		third := write(func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, a.ID); err != nil {
				return err
			}
			return event(tx, "test.three")
		})
		close(shared.release)
		waitFor("the second holder's row lock", locked.held)
		stillWaiting("the writer locking the account", third)
		// The first commits once the second, which holds the row lock, has.
		close(one.release)
		stillWaiting("the first holder, behind the second's row lock", oneDone)
		close(locked.release)
		for what, done := range map[string]<-chan error{"second": twoDone, "first": oneDone, "third": third} {
			if err := <-done; err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}

		events, err := st.EventsAfter(ctx, a.ID, before, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, ev := range events {
			if ev.Seq != before+int64(i)+1 {
				t.Fatalf("event %d numbered %d, want %d", i, ev.Seq, before+int64(i)+1)
			}
			got = append(got, ev.Type)
		}
		if want := []string{"test.two", "test.one", "test.three"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("events %v, want %v: numbered in commit order", got, want)
		}
	})
}

// Two holders of an account that write the same conversation and take
// the account's row lock in the opposite order deadlock: PostgreSQL ends
// one of them, which Deadlocked tells apart from other errors so that
// the caller can try it again, and the other commits.
func TestDeadlockedHolderIsToldApart(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		t.Parallel()
		ctx := context.Background()
		st := open(t)
		if st.Dialect() != store.Postgres {
			t.Skip("SQLite runs one write transaction at a time")
		}
		a := storetest.MustAccount(t, st, "A")
		in := storetest.MustInbox(t, st, a.ID, "WhatsApp", "api")
		c := storetest.MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Rahim"})
		conv := storetest.MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: in.ID, ContactID: c.ID, Status: sahay.StatusOpen})
		touch := func(tx *store.Tx) error {
			next := *conv
			next.LastMessage = "touched"
			return tx.UpdateActivity(ctx, []*sahay.Conversation{&next})
		}
		// The first writes the conversation, then asks for the row lock
		// the second holds; the second then writes the conversation.
		wrote, locked := make(chan struct{}), make(chan struct{})
		errs := make(chan error, 2)
		go func() {
			_, err := st.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.ShareAndRead(ctx, []int64{a.ID}, nil, nil, nil); err != nil {
					return err
				}
				if err := touch(tx); err != nil {
					return err
				}
				close(wrote)
				<-locked
				return tx.LockAccount(ctx, a.ID)
			})
			errs <- err
		}()
		go func() {
			_, err := st.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.ShareAndRead(ctx, []int64{a.ID}, nil, nil, nil); err != nil {
					return err
				}
				<-wrote
				if err := tx.LockAccount(ctx, a.ID); err != nil {
					return err
				}
				close(locked)
				return touch(tx)
			})
			errs <- err
		}()
		var ended, committed int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				committed++
			case store.Deadlocked(err):
				ended++
			default:
				t.Fatalf("a holder failed with %v, want a deadlock or a commit", err)
			}
		}
		if ended != 1 || committed != 1 {
			t.Fatalf("%d holders ended for a deadlock and %d committed, want 1 and 1", ended, committed)
		}
		if store.Deadlocked(errors.New("deadlock detected")) {
			t.Fatal("an error that is not the server's counted as a deadlock")
		}
	})
}
