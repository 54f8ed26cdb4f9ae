package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/channel/apichannel"
	"github.com/sahayhq/sahay/internal/core"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// holdAccount locks an account in a transaction of its own until release
// is called: on PostgreSQL the batcher then waits for the account's lock,
// on SQLite for the writer, while Receive calls queue behind it.
func holdAccount(t *testing.T, st *store.Store, accountID int64) (release func()) {
	t.Helper()
	ctx := context.Background()
	locked, free, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.LockAccount(ctx, accountID); err != nil {
				return err
			}
			close(locked)
			<-free
			return nil
		})
		done <- err
	}()
	select {
	case <-locked:
	case err := <-done:
		t.Fatalf("hold account %d: %v", accountID, err)
	}
	return func() {
		close(free)
		if err := <-done; err != nil {
			t.Errorf("hold account %d: %v", accountID, err)
		}
	}
}

// TestReceiveBatchWithFailingMessage has a message fail inside the
// transaction (it names a conversation that does not exist) in a batch with
// good ones: the good ones are stored once each, with their events
// numbered without gaps, and only the bad one is refused.
func TestReceiveBatchWithFailingMessage(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		ctx := context.Background()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		a := storetest.MustAccount(t, st, "A")
		inbox := storetest.MustInbox(t, st, a.ID, "API", apichannel.Name)
		release := holdAccount(t, st, a.ID)
		receive := func(in channel.Inbound) <-chan error {
			errc := make(chan error, 1)
			go func() {
				in.InboxID = inbox.ID
				_, err := svc.Receive(ctx, in)
				errc <- err
			}()
			return errc
		}
		// The first call is taken by the batcher and waits for the
		// lock; the others queue and make one batch.
		first := receive(channel.Inbound{ContactID: "c0", ExternalID: "first", Content: "first"})
		time.Sleep(100 * time.Millisecond)
		const good = 20
		var goods []<-chan error
		for i := range good {
			if i == good/2 {
				continue
			}
			goods = append(goods, receive(channel.Inbound{ContactID: fmt.Sprint("c", i%5), ExternalID: fmt.Sprint("good-", i), Content: "good"}))
		}
		bad := receive(channel.Inbound{ContactID: "c1", ExternalID: "bad", Content: "bad", ConversationID: 999999})
		goods = append(goods, receive(channel.Inbound{ContactID: "c2", ExternalID: fmt.Sprint("good-", good/2), Content: "good"}))
		time.Sleep(200 * time.Millisecond)
		release()
		if err := <-first; err != nil {
			t.Fatalf("first message: %v", err)
		}
		for i, errc := range goods {
			if err := <-errc; err != nil {
				t.Errorf("good message %d batched with a bad one: %v", i, err)
			}
		}
		wantCode(t, <-bad, sahay.ENOTFOUND, "message naming a missing conversation")
		var stored, distinct, badStored int
		db := storetest.DB(t, st)
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT external_id), COUNT(CASE WHEN external_id = 'bad' THEN 1 END)
			FROM messages WHERE account_id = $1`, a.ID).Scan(&stored, &distinct, &badStored); err != nil {
			t.Fatal(err)
		}
		if stored != good+1 || distinct != good+1 || badStored != 0 {
			t.Errorf("%d messages stored (%d distinct, %d bad), want the %d good ones once each", stored, distinct, badStored, good+1)
		}
		created := 0
		for _, ev := range gaplessEvents(t, st, a.ID, 0) {
			if ev.Type == sahay.EventMessageCreated {
				created++
			}
		}
		if created != good+1 {
			t.Errorf("%d message.created events, want %d", created, good+1)
		}
		storetest.CheckCounts(t, st, a.ID)
	})
}

// TestReceiveAccountsNeverInterleave has many callers send messages to
// several accounts at once, while other transactions write events to the
// same accounts, and a reader per account follows its events as they
// commit. Every account's events must be visible in number order with no
// gap at any moment, and the messages of each conversation must be
// numbered in the order they were stored, whichever batcher or writer
// committed them. (Two batches of one account may store their senders'
// messages at once, on PostgreSQL: the ids of different conversations'
// messages need not follow their events.)
func TestReceiveAccountsNeverInterleave(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		ctx := context.Background()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		const accounts, senders, perSender, others = 6, 24, 25, 40
		var accountIDs, inboxIDs [accounts]int64
		for i := range accounts {
			a := storetest.MustAccount(t, st, fmt.Sprint("account ", i))
			accountIDs[i] = a.ID
			inboxIDs[i] = storetest.MustInbox(t, st, a.ID, "API", apichannel.Name).ID
		}

		done := make(chan struct{})
		type seen struct {
			n   int
			err error
		}
		results := make([]chan seen, accounts)
		for i := range accounts {
			results[i] = make(chan seen, 1)
			go func() {
				var s seen
				defer func() { results[i] <- s }()
				last, lastMessage := int64(0), map[int64]int64{}
				for {
					finished := false
					select {
					case <-done:
						finished = true
					default:
					}
					events, err := st.EventsAfter(ctx, accountIDs[i], last, 1000)
					if err != nil {
						s.err = err
						return
					}
					for _, ev := range events {
						if ev.Seq != last+1 {
							s.err = fmt.Errorf("read event %d right after %d", ev.Seq, last)
							return
						}
						last = ev.Seq
						s.n++
						if ev.Type != sahay.EventMessageCreated {
							continue
						}
						var d struct{ Message struct{ ID int64 } }
						if err := json.Unmarshal(ev.Data, &d); err != nil {
							s.err = fmt.Errorf("event %d: %w", ev.Seq, err)
							return
						}
						if d.Message.ID <= lastMessage[ev.ConversationID] {
							s.err = fmt.Errorf("event %d: message %d numbered after message %d of its conversation", ev.Seq, d.Message.ID, lastMessage[ev.ConversationID])
							return
						}
						lastMessage[ev.ConversationID] = d.Message.ID
					}
					if finished && len(events) == 0 {
						return
					}
					if len(events) == 0 {
						time.Sleep(time.Millisecond)
					}
				}
			}()
		}

		var wg sync.WaitGroup
		for w := range senders {
			wg.Go(func() {
				for j := range perSender {
					i := (w + j) % accounts
					_, err := svc.Receive(ctx, channel.Inbound{InboxID: inboxIDs[i], ContactID: fmt.Sprint("c", (w*perSender+j)%7),
						ExternalID: fmt.Sprint(w, "-", j), Content: fmt.Sprint("message ", w, " ", j)})
					if err != nil {
						t.Errorf("Receive %d-%d: %v", w, j, err)
						return
					}
				}
			})
		}
		for i := range accounts {
			wg.Go(func() {
				for j := range others {
					_, err := st.Write(ctx, func(tx *store.Tx) error {
						if err := tx.LockAccount(ctx, accountIDs[i]); err != nil {
							return err
						}
						return tx.AppendEvent(ctx, sahay.Event{AccountID: accountIDs[i], Type: "test.other", Data: json.RawMessage(fmt.Sprintf(`{"j":%d}`, j))})
					})
					if err != nil {
						t.Errorf("account %d write %d: %v", i, j, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(done)
		total := 0
		for i := range accounts {
			s := <-results[i]
			if s.err != nil {
				t.Errorf("account %d, after %d events: %v", i, s.n, s.err)
			}
			last, err := st.LastEventSeq(ctx, accountIDs[i])
			if err != nil {
				t.Fatal(err)
			}
			if int64(s.n) != last {
				t.Errorf("account %d: reader saw %d events, the account numbered %d", i, s.n, last)
			}
			total += s.n
			storetest.CheckCounts(t, st, accountIDs[i])
		}
		// Each message makes one event, each first message of a contact
		// two more (its conversation and its contact); the other writers
		// one each.
		var conversations, contacts int
		if err := storetest.DB(t, st).QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations`).Scan(&conversations); err != nil {
			t.Fatal(err)
		}
		if err := storetest.DB(t, st).QueryRowContext(ctx, `SELECT COUNT(*) FROM contacts`).Scan(&contacts); err != nil {
			t.Fatal(err)
		}
		if want := senders*perSender + conversations + contacts + accounts*others; total != want {
			t.Errorf("%d events in all, want %d", total, want)
		}
	})
}

// TestReceiveBatchKeepsOrder queues, behind a held account lock, one batch
// mixing the common message (a known contact in an open conversation,
// several times) with messages that are stored on their own: new
// contacts, a reopened conversation, a duplicate of a message earlier in
// the batch. Each must come out as if received one at a time, in order:
// each sender's ids and events in arrival order, the account's events
// without gaps, each event showing the conversation as its message left
// it. (Different senders' messages may be stored by different batchers
// on PostgreSQL, at once.)
func TestReceiveBatchKeepsOrder(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		ctx := context.Background()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		a := storetest.MustAccount(t, st, "A")
		inbox := storetest.MustInbox(t, st, a.ID, "API", apichannel.Name)
		receive := func(contact, ext, content string) *core.Received {
			r, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: contact, ExternalID: ext, Content: content})
			if err != nil {
				t.Fatalf("Receive %s: %v", ext, err)
			}
			return r
		}
		open0 := receive("c0", "before-0", "hello")
		resolved := receive("c1", "before-1", "hello").Conversation
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			next := *resolved
			now := tx.Now()
			next.Status, next.ResolvedAt = sahay.StatusResolved, &now
			return tx.UpdateConversation(ctx, resolved, &next)
		})
		release := holdAccount(t, st, a.ID)
		// The batcher takes this one alone and waits for the lock, while
		// the others queue and make one batch.
		first := make(chan error, 1)
		go func() {
			_, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c3", ExternalID: "first", Content: "first"})
			first <- err
		}()
		time.Sleep(50 * time.Millisecond)
		type sent struct {
			contact, ext string
			result       chan *core.Received
		}
		var queue []sent
		for _, m := range []struct{ contact, ext string }{
			{"c0", "a1"}, {"c0", "a2"}, {"c0", "a3"}, {"c2", "b1"}, {"c0", "a4"}, {"c1", "r1"}, {"c2", "b2"}, {"c4", "d1"}, {"c1", "r2"}, {"c0", "a5"}, {"c4", "d1"},
		} {
			s := sent{m.contact, m.ext, make(chan *core.Received, 1)}
			go func() {
				r, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: s.contact, ExternalID: s.ext, Content: "text " + s.ext})
				if err != nil {
					t.Errorf("Receive %s: %v", s.ext, err)
				}
				s.result <- r
			}()
			queue = append(queue, s)
			// The calls queue in this order.
			time.Sleep(20 * time.Millisecond)
		}
		release()
		if err := <-first; err != nil {
			t.Fatalf("first message: %v", err)
		}
		var got []*core.Received
		for _, s := range queue {
			r := <-s.result
			if r == nil {
				t.FailNow()
			}
			got = append(got, r)
		}

		const dup = 10
		if !got[dup].Duplicate || got[dup].Message.ID != got[7].Message.ID {
			t.Errorf("d1 again = duplicate %v, message %d; want a duplicate of message %d", got[dup].Duplicate, got[dup].Message.ID, got[7].Message.ID)
		}
		last := map[string]int64{}
		for i, r := range got {
			if i == dup {
				continue
			}
			if c := queue[i].contact; r.Duplicate || r.Message.ID <= last[c] {
				t.Errorf("%s: duplicate %v, message %d after %d; want a new message numbered in arrival order", queue[i].ext, r.Duplicate, r.Message.ID, last[c])
			}
			last[queue[i].contact] = r.Message.ID
			if r.Conversation.LastMessage != "text "+queue[i].ext || r.Conversation.Status != sahay.StatusOpen {
				t.Errorf("%s: conversation %q %s; want it as this message left it", queue[i].ext, r.Conversation.LastMessage, r.Conversation.Status)
			}
		}
		for _, i := range []int{0, 1, 2, 4, 9} {
			if got[i].Conversation.ID != open0.Conversation.ID {
				t.Errorf("%s went to conversation %d, want c0's open one %d", queue[i].ext, got[i].Conversation.ID, open0.Conversation.ID)
			}
		}
		if got[5].Conversation.ID != resolved.ID || got[8].Conversation.ID != resolved.ID {
			t.Errorf("c1's messages went to conversations %d and %d, want its reopened one %d", got[5].Conversation.ID, got[8].Conversation.ID, resolved.ID)
		}
		if !got[3].Created || got[6].Conversation.ID != got[3].Conversation.ID {
			t.Errorf("c2: created %v, then conversation %d; want one new conversation %d", got[3].Created, got[6].Conversation.ID, got[3].Conversation.ID)
		}
		c0, err := st.Conversation(ctx, a.ID, open0.Conversation.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c0.LastMessage != "text a5" || c0.WaitingSince == nil {
			t.Errorf("c0's conversation stored with last message %q, waiting since %v", c0.LastMessage, c0.WaitingSince)
		}

		previews := map[int64][]string{}
		for _, ev := range gaplessEvents(t, st, a.ID, 0) {
			if ev.Type != sahay.EventMessageCreated {
				continue
			}
			var d sahay.MessageCreated
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Message.Kind == sahay.MessageIncoming {
				previews[d.Conversation.ID] = append(previews[d.Conversation.ID], d.Conversation.LastMessage)
			}
		}
		firstConv, err := st.MessageByExternalID(ctx, inbox.ID, "first")
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][]string{open0.Conversation.ID: {"hello"}, resolved.ID: {"hello"}, firstConv.ConversationID: {"first"}}
		for i, r := range got {
			if i != dup {
				want[r.Conversation.ID] = append(want[r.Conversation.ID], "text "+queue[i].ext)
			}
		}
		if fmt.Sprint(previews) != fmt.Sprint(want) {
			t.Errorf("message events show conversations %v, want %v", previews, want)
		}
		storetest.CheckCounts(t, st, a.ID)
	})
}

// TestReceiveBatchAcrossAccounts has one batch carry the messages of two
// accounts that the same person (one WhatsApp number) writes to, and of a
// newcomer: each message lands in its own account's contact and
// conversation, and each account's events are numbered without gaps.
func TestReceiveBatchAcrossAccounts(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		ctx := context.Background()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		a := storetest.MustAccount(t, st, "A")
		// On PostgreSQL an account's messages go to the batcher its id
		// picks: B shares A's.
		b := storetest.MustAccount(t, st, "B")
		for (b.ID-a.ID)%core.IngestWriters != 0 {
			b = storetest.MustAccount(t, st, "B")
		}
		inboxes := map[int64]int64{
			a.ID: storetest.MustInbox(t, st, a.ID, "WhatsApp", apichannel.Name).ID,
			b.ID: storetest.MustInbox(t, st, b.ID, "WhatsApp", apichannel.Name).ID,
		}
		receive := func(account int64, contact, ext string) <-chan *core.Received {
			out := make(chan *core.Received, 1)
			go func() {
				r, err := svc.Receive(ctx, channel.Inbound{InboxID: inboxes[account], Namespace: "whatsapp", ContactID: contact, ExternalID: ext, Content: "text " + ext})
				if err != nil {
					t.Errorf("Receive %s: %v", ext, err)
				}
				out <- r
			}()
			return out
		}
		const number, newcomer = "+8801700000001", "+8801700000002"
		before := map[int64]*core.Received{a.ID: <-receive(a.ID, number, "a0"), b.ID: <-receive(b.ID, number, "b0")}
		if before[a.ID].Conversation.Contact.ID == before[b.ID].Conversation.Contact.ID {
			t.Fatalf("one contact for two accounts")
		}

		release := holdAccount(t, st, a.ID)
		// The batcher takes the first call and waits for A's lock; each
		// of the others is queued, in order, before the lock is freed.
		queued := func(n int64) {
			storetest.Eventually(t, 10*time.Second, fmt.Sprintf("%d calls waiting", n), func() bool { return svc.WaitingReceives() == n })
		}
		first := receive(a.ID, newcomer, "first")
		queued(1)
		type sent struct {
			account int64
			contact string
			ext     string
			result  <-chan *core.Received
		}
		var queue []sent
		for _, m := range []sent{{a.ID, number, "a1", nil}, {b.ID, number, "b1", nil}, {b.ID, newcomer, "b2", nil}, {a.ID, number, "a2", nil}, {b.ID, number, "b3", nil}} {
			m.result = receive(m.account, m.contact, m.ext)
			queue = append(queue, m)
			queued(int64(len(queue)) + 1)
		}
		release()
		if r := <-first; r == nil {
			t.FailNow()
		}
		for _, m := range queue {
			r := <-m.result
			if r == nil {
				t.FailNow()
			}
			c := r.Conversation
			if r.Message.AccountID != m.account || c.AccountID != m.account || c.InboxID != inboxes[m.account] {
				t.Errorf("%s stored in account %d, conversation %+v; want account %d", m.ext, r.Message.AccountID, c, m.account)
			}
			if m.contact == number && (c.ID != before[m.account].Conversation.ID || r.Message.SenderID != before[m.account].Conversation.Contact.ID) {
				t.Errorf("%s went to conversation %d from contact %d, want the account's conversation %d of contact %d",
					m.ext, c.ID, r.Message.SenderID, before[m.account].Conversation.ID, before[m.account].Conversation.Contact.ID)
			}
			if m.contact == newcomer && (r.Created != true || c.ContactID == before[m.account].Conversation.Contact.ID) {
				t.Errorf("%s from a newcomer: created %v, contact %d", m.ext, r.Created, c.ContactID)
			}
		}
		for _, account := range []int64{a.ID, b.ID} {
			gaplessEvents(t, st, account, 0)
			storetest.CheckCounts(t, st, account)
		}
	})
}

// TestReceiveBatchesSideBySide queues many calls behind a batch that waits
// for its account: on PostgreSQL a second batch forms from them, holding
// the account shared, with none of the first's sender's calls (which
// calls a batch takes: TestTakeBatchKeepsEachSendersOrder), and later
// batches of the same account write beside it. Every message is stored
// once, each sender's in the order they came, and the account's events
// have no gap.
func TestReceiveBatchesSideBySide(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		ctx := context.Background()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		a := storetest.MustAccount(t, st, "A")
		inbox := storetest.MustInbox(t, st, a.ID, "API", apichannel.Name)
		type call struct {
			contact string
			result  chan *core.Received
		}
		var calls []call
		send := func(contact string, n int) {
			c := call{contact, make(chan *core.Received, 1)}
			go func() {
				ext := fmt.Sprint(contact, "-", n)
				r, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: contact, ExternalID: ext, Content: "text " + ext})
				if err != nil {
					t.Errorf("Receive %s: %v", ext, err)
				}
				c.result <- r
			}()
			calls = append(calls, c)
		}
		// The inbox is read once, before the calls: they then queue in the
		// order they are made.
		send("c0", 0)
		if r := <-calls[0].result; r == nil {
			t.FailNow()
		}
		calls = nil
		release := holdAccount(t, st, a.ID)
		// The first batch takes c0's next message and waits; c0's third
		// waits behind it, and then the first and second messages of
		// other senders, of which the second batch is made.
		send("c0", 1)
		time.Sleep(50 * time.Millisecond)
		send("c0", 2)
		time.Sleep(50 * time.Millisecond)
		const senders = 40
		for n := 1; n <= 3; n++ {
			for i := 1; i <= senders; i++ {
				send(fmt.Sprint("c", i), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if st.Dialect() == store.Postgres {
			// Two batches wait for the account: the first to lock it, the
			// second to hold it shared.
			var modes string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				err := storetest.DB(t, st).QueryRowContext(ctx, `SELECT COALESCE(string_agg(mode, ' ' ORDER BY mode), '') FROM pg_locks
					WHERE locktype = 'advisory' AND NOT granted`).Scan(&modes)
				if err != nil || modes == "ExclusiveLock ShareLock" {
					break
				}
			}
			if modes != "ExclusiveLock ShareLock" {
				release()
				t.Fatalf("batches waiting for the account's lock: %q, want one to lock it and one to hold it shared", modes)
			}
		}
		release()

		last := map[string]*core.Received{}
		for _, c := range calls {
			r := <-c.result
			if r == nil {
				t.FailNow()
			}
			if r.Duplicate {
				t.Errorf("%s: a new message stored as a duplicate", r.Message.ExternalID)
			}
			if prev := last[c.contact]; prev != nil && (r.Message.ID <= prev.Message.ID || r.Conversation.ID != prev.Conversation.ID) {
				t.Errorf("%s: message %d in conversation %d after message %d in %d; want it after, in the same conversation",
					r.Message.ExternalID, r.Message.ID, r.Conversation.ID, prev.Message.ID, prev.Conversation.ID)
			}
			last[c.contact] = r
		}
		created := 0
		lastMessage := map[int64]int64{}
		for _, ev := range gaplessEvents(t, st, a.ID, 0) {
			if ev.Type != sahay.EventMessageCreated {
				continue
			}
			created++
			var d sahay.MessageCreated
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Message.ID <= lastMessage[d.Conversation.ID] {
				t.Errorf("event %d: message %d after message %d of its conversation", ev.Seq, d.Message.ID, lastMessage[d.Conversation.ID])
			}
			lastMessage[d.Conversation.ID] = d.Message.ID
		}
		// And c0's first, before the calls.
		if created != len(calls)+1 {
			t.Errorf("%d message.created events, want %d", created, len(calls)+1)
		}
		storetest.CheckCounts(t, st, a.ID)
	})
}

// TestReceiveStoresWhenTheConversationStartsWaiting checks what the
// common message — a known contact's, in an open conversation — stores of
// since when its conversation waits: the time it started waiting, and the
// same time for the messages after it, on both databases.
func TestReceiveStoresWhenTheConversationStartsWaiting(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		ctx := context.Background()
		svc := newService(t, st)
		t.Cleanup(svc.Close)
		a := storetest.MustAccount(t, st, "A")
		inbox := storetest.MustInbox(t, st, a.ID, "API", apichannel.Name)
		receive := func(ext string) *core.Received {
			r, err := svc.Receive(ctx, channel.Inbound{InboxID: inbox.ID, ContactID: "c0", ExternalID: ext, Content: "text " + ext})
			if err != nil {
				t.Fatalf("Receive %s: %v", ext, err)
			}
			return r
		}
		conv := receive("m0").Conversation
		// The team answered: the conversation waits no more.
		storetest.MustWrite(t, st, func(tx *store.Tx) error {
			next := *conv
			next.WaitingSince = nil
			return tx.UpdateConversation(ctx, conv, &next)
		})
		stored := func() *sahay.Conversation {
			c, err := st.Conversation(ctx, a.ID, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if stored().WaitingSince != nil {
			t.Fatal("the conversation still waits after the answer")
		}
		first := receive("m1")
		if first.Conversation.ID != conv.ID || first.Conversation.WaitingSince == nil {
			t.Fatalf("m1: conversation %d, waiting since %v; want %d, waiting", first.Conversation.ID, first.Conversation.WaitingSince, conv.ID)
		}
		since := *first.Conversation.WaitingSince
		time.Sleep(5 * time.Millisecond)
		receive("m2")
		got := stored()
		if got.WaitingSince == nil || !got.WaitingSince.Equal(since) {
			t.Fatalf("stored waiting since %v, want %v (the first unanswered message's time)", got.WaitingSince, since)
		}
		if got.LastMessage != "text m2" {
			t.Errorf("last message %q, want the last one's", got.LastMessage)
		}
	})
}
