package core

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/channel"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/textnorm"
)

// Limits of inbound messages.
const (
	maxBatch     = 256
	previewRunes = 140
)

// Received is the outcome of [Service.Receive].
type Received struct {
	Message      *sahay.Message
	Conversation *sahay.Conversation
	// Duplicate is set when the platform sent a message the inbox already
	// has; nothing was changed.
	Duplicate bool
	// Created is set when the message started its conversation.
	Created bool
	// Edited is set when the message was an edit that changed the stored
	// message's content.
	Edited bool
}

type receiveRequest struct {
	ctx   context.Context
	inbox *sahay.Inbox
	in    channel.Inbound
	// folded is the message's text as search indexes it, folded by the
	// caller rather than by the batch, which holds the writer on SQLite.
	folded string
	out    *Received
	err    error
	done   chan struct{}
}

// Receive is the inbound pipeline every channel feeds: it drops a message
// the inbox already has, resolves the sender to a contact, finds the open
// conversation (reopening a recently resolved one, or opening a new one),
// stores the message and commits its events. It returns once the message is
// durable.
//
// Concurrent calls are committed together, many per transaction (group
// commit), which is what makes durable ingestion fast. On PostgreSQL
// several batchers commit at once, each for its own share of the accounts,
// and each up to two batches at once when calls queue behind a batch.
func (s *Service) Receive(ctx context.Context, in channel.Inbound) (*Received, error) {
	if err := validateInbound(&in); err != nil {
		return nil, err
	}
	inbox, cached, err := s.receivingInbox(ctx, in.InboxID)
	if err != nil {
		return nil, err
	}
	// A reply token may send the message to a conversation of another
	// inbox of the account.
	if inbox, err = s.resolveThread(ctx, inbox, &in); err != nil {
		return nil, err
	}
	// The batch must not fail because this caller gives up: its statements
	// run on a context that is never cancelled.
	req := &receiveRequest{ctx: context.WithoutCancel(ctx), inbox: inbox, in: in, done: make(chan struct{}),
		folded: store.FoldMessage(&sahay.Message{Kind: sahay.MessageIncoming, Content: in.Content, Email: in.Mail})}
	s.ingestMu.RLock()
	if s.closed {
		s.ingestMu.RUnlock()
		return nil, errors.New("core: shutting down")
	}
	select {
	case s.ingest[inbox.AccountID%int64(len(s.ingest))] <- req:
	case <-ctx.Done():
		s.ingestMu.RUnlock()
		return nil, ctx.Err()
	}
	s.ingestMu.RUnlock()
	// The request is in the batcher's hands: wait for its outcome even if
	// ctx ends, so the caller never acknowledges a message that is not
	// stored nor refuses one that is. The scorer gives way while calls
	// wait (see yieldToReceive).
	s.receiving.Add(1)
	<-req.done
	s.receiving.Add(-1)
	if req.err != nil && cached {
		// The inbox may have been deleted since it was cached: then the
		// caller is told so, as when it was never there.
		if _, err := s.store.InboxByID(ctx, inbox.ID); sahay.ErrorCode(err) == sahay.ENOTFOUND {
			s.inboxes.Delete(inbox.ID)
			return nil, err
		}
	}
	return req.out, req.err
}

// receivingInbox returns the inbox a received message names, and whether
// it came from the cache. Receive reads only an inbox's id, account and
// channel, which never change: the inboxes found are kept, so that a message costs
// no read of its inbox.
func (s *Service) receivingInbox(ctx context.Context, id int64) (*sahay.Inbox, bool, error) {
	if in, ok := s.inboxes.Load(id); ok {
		return in.(*sahay.Inbox), true, nil
	}
	in, err := s.store.InboxByID(ctx, id)
	if err != nil {
		return nil, false, err
	}
	in = &sahay.Inbox{ID: in.ID, AccountID: in.AccountID, Channel: in.Channel}
	s.inboxes.Store(id, in)
	return in, false, nil
}

func validateInbound(in *channel.Inbound) error {
	if in.InboxID <= 0 {
		return sahay.Invalid("inbox is required")
	}
	if in.ContactID == "" {
		return sahay.Invalid("contact.identifier is required")
	}
	if err := checkIdentifier("contact.identifier", in.ContactID); err != nil {
		return err
	}
	if err := checkIdentifier("external_id", in.ExternalID); err != nil {
		return err
	}
	if err := cleanContact("contact.", &in.Name, &in.Email, &in.Phone); err != nil {
		return err
	}
	var err error
	if in.Content, err = CleanText("content", in.Content, MaxContentBytes); err != nil {
		return err
	}
	if in.Content == "" && len(in.Attachments) == 0 && !hasDetails(in.Details) {
		return sahay.Invalid("content is required")
	}
	if err := checkIdentifier("reply token", in.ReplyToken); err != nil {
		return err
	}
	if len(in.Thread) > MaxEmailReferences+1 {
		in.Thread = in.Thread[:MaxEmailReferences+1]
	}
	for _, id := range in.Thread {
		if err := checkIdentifier("thread", id); err != nil {
			return err
		}
	}
	if in.Mail != nil {
		mail := *in.Mail
		if err := cleanMail(&mail); err != nil {
			return err
		}
		in.Mail = &mail
	}
	return nil
}

// hasDetails reports whether a message's details say something without
// words: a story mention, a reaction (taken back when it has no emoji), a
// shared place or contact, a phone call or a voicemail.
func hasDetails(d *sahay.MessageDetails) bool {
	return d != nil && (d.Story != nil || d.ReactionTo != "" || d.Location != nil || len(d.Contacts) > 0 || d.Choice != nil ||
		d.Call != nil || d.Voicemail != nil)
}

// ingestWriters is how many batchers commit received messages on
// PostgreSQL. Each account's messages go to one of them. SQLite has a
// single writer, and one batcher. Two rather than more: a batch costs
// about eight round trips whatever its accounts, so fewer, fuller batches
// do more with the same CPU, while two keep one batch's commit from
// idling the other (docs/PERFORMANCE.md, "A batch of many accounts").
const ingestWriters = 2

// A batcher on PostgreSQL commits a second batch beside the one in flight
// when at least overlapAt calls wait: two batches of one account hold it
// shared and write at once, each its own senders' messages (see
// store.Tx.ShareAndRead), then number their events in turn. With fewer
// calls waiting they wait for the next batch, which is then fuller: a
// batch costs a few round trips whatever its size, and one more when it
// holds its accounts shared, so a batch started with fewer calls waiting
// locks them.
const (
	ingestOverlap = 2
	overlapAt     = 32
)

// batchReceives commits the calls queued on ingest in batches of up to
// maxBatch, up to overlap batches at once. A batch started beside
// another takes no call of a sender the other holds: one sender's
// messages are stored in the order they came.
func (s *Service) batchReceives(ingest chan *receiveRequest, overlap int) {
	var pending []*receiveRequest
	// busy counts the calls of each sender in the batches in flight.
	busy := map[store.Identity]int{}
	running := 0
	done := make(chan []*receiveRequest, overlap)
	finished := func(batch []*receiveRequest) {
		running--
		for _, r := range batch {
			k := sender(r)
			if busy[k]--; busy[k] == 0 {
				delete(busy, k)
			}
		}
	}
	for {
		if running < overlap && len(pending) > 0 && (running == 0 || len(pending) >= overlapAt) {
			// A batch that another may join holds its accounts shared.
			shared := overlap > 1 && len(pending) >= overlapAt
			var batch []*receiveRequest
			batch, pending = takeBatch(pending, busy)
			if len(batch) > 0 {
				running++
				for _, r := range batch {
					busy[sender(r)]++
				}
				go func() {
					s.commitBatch(batch, shared)
					done <- batch
				}()
				continue
			}
		}
		select {
		case r := <-ingest:
			pending = append(pending, r)
		fill:
			for len(pending) < overlap*maxBatch {
				select {
				case r := <-ingest:
					pending = append(pending, r)
				default:
					break fill
				}
			}
		case batch := <-done:
			finished(batch)
		case <-s.stop:
			// Close has set closed under the lock: nothing more can be
			// queued, so once the batches in flight end and the calls
			// waiting are told, no caller waits for ever.
			for running > 0 {
				finished(<-done)
			}
			for _, r := range pending {
				r.err = errors.New("core: shutting down")
				close(r.done)
			}
			drainIngest(ingest)
			return
		}
	}
}

// takeBatch takes from pending, in order, up to maxBatch calls whose
// senders have no call in busy, and returns them and the calls left, in
// order.
func takeBatch(pending []*receiveRequest, busy map[store.Identity]int) (batch, left []*receiveRequest) {
	for i, r := range pending {
		if len(batch) == maxBatch {
			return batch, append(left, pending[i:]...)
		}
		if busy[sender(r)] > 0 {
			left = append(left, r)
			continue
		}
		batch = append(batch, r)
	}
	return batch, left
}

func drainIngest(ingest chan *receiveRequest) {
	for {
		select {
		case r := <-ingest:
			r.err = errors.New("core: shutting down")
			close(r.done)
		default:
			return
		}
	}
}

// errMessageFailed ends a batch's first attempt, made without savepoints,
// when one of its messages fails.
var errMessageFailed = errors.New("core: a message of the batch failed")

// commitBatch commits a batch, holding its accounts shared when shared.
func (s *Service) commitBatch(batch []*receiveRequest, shared bool) {
	// Writers lock accounts in id order, so two nodes' batches cannot
	// deadlock on PostgreSQL.
	slices.SortStableFunc(batch, func(a, b *receiveRequest) int { return cmp.Compare(a.inbox.AccountID, b.inbox.AccountID) })
	// Most batches have no failing message: they are first tried without
	// a savepoint per message, which costs two statements each (two round
	// trips on PostgreSQL). A failure rolls the attempt back, and the batch
	// is tried again with savepoints, its accounts locked, so that the
	// failing message fails alone. A batch that held its accounts shared
	// is also tried again when PostgreSQL ended it to break a deadlock: a
	// message in another sender's conversation (a thread) writes a row the
	// other batch may hold.
	events, err := s.store.Write(context.Background(), func(tx *store.Tx) error { return s.receiveBatch(tx, batch, false, shared) })
	if errors.Is(err, errMessageFailed) || store.Deadlocked(err) {
		events, err = s.store.Write(context.Background(), func(tx *store.Tx) error { return s.receiveBatch(tx, batch, true, false) })
	}
	// The only jobs a received message enqueues are a new conversation's
	// and the bot's: a batch with neither leaves the job runner asleep,
	// rather than have it look for work (a write, on SQLite) after every
	// batch.
	enqueued := false
	for _, r := range batch {
		if err != nil {
			r.out, r.err = nil, err
		}
		if r.out != nil && (r.out.Created || !r.out.Duplicate && wantsBot(r.out.Conversation, r.out.Message)) {
			enqueued = true
		}
		close(r.done)
	}
	if err == nil {
		s.publish(events)
		if enqueued {
			s.jobs.Wake()
		}
	}
}

// receiveBatch stores the messages of a batch sorted by account. The
// batch's accounts are locked and read at once. With savepoints each
// message that fails is undone alone. Without, the first that fails ends
// the attempt with errMessageFailed; what the batch's messages look up is
// read for all of them at once, whatever their accounts, and the writes of
// the common message (a known contact writing in an open conversation) are
// made for many messages at once.
func (s *Service) receiveBatch(tx *store.Tx, batch []*receiveRequest, savepoints, shared bool) error {
	if savepoints {
		ids := make([]int64, len(batch))
		for i, r := range batch {
			ids[i] = r.inbox.AccountID
		}
		accounts, err := tx.LockedAccounts(batch[0].ctx, ids)
		if err != nil {
			return err
		}
		for _, r := range batch {
			r.out = nil
			if accounts[r.inbox.AccountID] == nil {
				r.err = sahay.NotFound("account")
				continue
			}
			r.err = tx.Savepoint(r.ctx, func() error {
				var err error
				r.out, err = s.receiveTx(r.ctx, tx, accounts[r.inbox.AccountID], r.inbox, r.in, nil)
				return err
			})
		}
		return nil
	}
	// The accounts are locked and what the messages look up is read for
	// the whole batch, whatever its accounts: a statement each, sent
	// together on PostgreSQL, and the common messages' writes one
	// statement, not one per account.
	ctx := batch[0].ctx
	accounts, reads, err := readBatch(ctx, tx, batch, shared)
	if err != nil {
		return err
	}
	var known []*receiveRequest
	for _, r := range batch {
		if accounts[r.inbox.AccountID] == nil {
			r.out, r.err = nil, sahay.NotFound("account")
			continue
		}
		known = append(known, r)
	}
	var pending pendingReceives
	for _, r := range known {
		r.out, r.err = nil, nil
		if pending.add(tx, r, reads) {
			continue
		}
		// The message reads and writes on its own: the database must
		// first hold what the messages before it changed.
		if err := pending.flush(ctx, tx); err != nil {
			return errMessageFailed
		}
		// Anything but the common message writes rows other batches of
		// the account may write: it needs the account's lock.
		if err := tx.LockAccount(ctx, r.inbox.AccountID); err != nil {
			return err
		}
		r.out, r.err = s.receiveTx(r.ctx, tx, accounts[r.inbox.AccountID], r.inbox, r.in, reads)
		if r.err != nil {
			return errMessageFailed
		}
		reads.forget(sender(r), r.out)
	}
	if err := pending.flush(ctx, tx); err != nil {
		// A message stored alone tells which one failed.
		return errMessageFailed
	}
	return nil
}

// batchReads is what the messages of one account in a batch look up
// first, read for all of them in a few statements, and kept true while the
// batch's messages are stored: a message stored on its own makes the
// batch forget what it may have changed.
type batchReads struct {
	// newMessage holds the (inbox, external id) of messages not stored yet
	// that no other message of the batch has.
	newMessage map[store.MessageKey]bool
	// contacts holds the sender identities read, with their contact or nil
	// for none.
	contacts map[store.Identity]*sahay.Contact
	// conversations holds the conversation OpenConversation returns for
	// each contact and inbox read that has one.
	conversations map[store.ConversationKey]*sahay.Conversation
}

// sender is the identity a received message comes from.
func sender(r *receiveRequest) store.Identity {
	return store.Identity{AccountID: r.inbox.AccountID, Namespace: identityNamespace(r.inbox, r.in.Namespace), ExternalID: r.in.ContactID}
}

// readBatch locks the accounts of a batch and reads what its messages look
// up, in four statements whatever the batch's accounts and inboxes.
func readBatch(ctx context.Context, tx *store.Tx, batch []*receiveRequest, shared bool) (map[int64]*sahay.Account, *batchReads, error) {
	accounts := make([]int64, len(batch))
	messages := map[store.MessageKey]int{}
	identities := map[store.Identity]bool{}
	var ids []store.Identity
	var senders []store.SenderConversation
	seen := map[store.SenderConversation]bool{}
	for i, r := range batch {
		accounts[i] = r.inbox.AccountID
		if r.in.ExternalID != "" {
			messages[store.MessageKey{InboxID: r.inbox.ID, ExternalID: r.in.ExternalID}]++
		}
		id := sender(r)
		if !identities[id] {
			identities[id] = true
			ids = append(ids, id)
		}
		if r.in.ConversationID != 0 || r.in.NewConversation {
			continue
		}
		if k := (store.SenderConversation{Identity: id, InboxID: r.inbox.ID, Topic: topic(&r.in)}); !seen[k] {
			seen[k] = true
			senders = append(senders, k)
		}
	}
	// A platform id twice in one batch is not new for either message:
	// each is stored on its own, and the second is the duplicate.
	var once []store.MessageKey
	for k, n := range messages {
		if n == 1 {
			once = append(once, k)
		}
	}
	take := tx.LockAndRead
	if shared {
		take = tx.ShareAndRead
	}
	read, err := take(ctx, accounts, once, ids, senders)
	if err != nil {
		return nil, nil, err
	}
	reads := &batchReads{newMessage: map[store.MessageKey]bool{}, contacts: map[store.Identity]*sahay.Contact{},
		conversations: read.Conversations}
	for _, k := range once {
		if !read.Stored[k] {
			reads.newMessage[k] = true
		}
	}
	for _, id := range ids {
		reads.contacts[id] = read.Contacts[id]
	}
	return read.Accounts, reads, nil
}

// contact returns the contact read for an identity (nil for none), and
// whether it was read.
func (r *batchReads) contact(id store.Identity) (*sahay.Contact, bool) {
	if r == nil {
		return nil, false
	}
	c, ok := r.contacts[id]
	return c, ok
}

// forget drops what a message from sender, stored on its own, may have
// changed: the sender's contact (perhaps created for it) and the
// conversation's (another one's, in a thread), by every identity read,
// and their conversations.
func (r *batchReads) forget(sender store.Identity, got *Received) {
	delete(r.contacts, sender)
	changed := []int64{got.Conversation.ContactID}
	if got.Conversation.Contact != nil {
		changed = append(changed, got.Conversation.Contact.ID)
	}
	for id, c := range r.contacts {
		if c != nil && slices.Contains(changed, c.ID) {
			delete(r.contacts, id)
		}
	}
	for k := range r.conversations {
		if slices.Contains(changed, k.ContactID) {
			delete(r.conversations, k)
		}
	}
}

// pendingReceives are messages of a batch whose reads are done and whose
// writes wait to be made together: a known contact's message in a
// conversation that is open (or pending), which it changes only by its
// activity.
type pendingReceives struct {
	reqs []*receiveRequest
	msgs []*sahay.Message
	// convs are the conversations the messages changed, once each, and
	// waitingKept says which still wait since the time read.
	convs       []*sahay.Conversation
	waitingKept []bool
}

// add takes r if it is such a message, changing its conversation as
// receiveTx would, and reports whether it did.
func (p *pendingReceives) add(tx *store.Tx, r *receiveRequest, reads *batchReads) bool {
	in := r.in
	if in.ConversationID != 0 || in.NewConversation || in.Echo || (in.ExternalID != "" && !reads.newMessage[store.MessageKey{InboxID: r.inbox.ID, ExternalID: in.ExternalID}]) {
		return false
	}
	contact := reads.contacts[sender(r)]
	if contact == nil {
		return false
	}
	if filled := *contact; fillContact(&filled, in) {
		return false
	}
	conv := reads.conversations[store.ConversationKey{AccountID: r.inbox.AccountID, ContactID: contact.ID, InboxID: r.inbox.ID, Topic: topic(&in)}]
	if conv == nil || conv.Status == sahay.StatusSnoozed || conv.Status == sahay.StatusResolved {
		return false
	}
	now := tx.Now()
	i := slices.Index(p.convs, conv)
	if i < 0 {
		i = len(p.convs)
		p.convs, p.waitingKept = append(p.convs, conv), append(p.waitingKept, true)
	}
	msg := incomingMessage(conv, contact, in)
	msg.Folded = r.folded
	waiting := conv.WaitingSince
	receivedActivity(conv, in, now)
	if conv.WaitingSince != waiting {
		p.waitingKept[i] = false
	}
	conv.UpdatedAt = now
	// The message's events and its caller see the conversation as this
	// message left it.
	after := *conv
	after.Contact = contact
	r.out = &Received{Message: msg, Conversation: &after}
	p.reqs, p.msgs = append(p.reqs, r), append(p.msgs, msg)
	return true
}

// flush makes the writes of the pending messages and commits their events.
func (p *pendingReceives) flush(ctx context.Context, tx *store.Tx) error {
	if len(p.reqs) == 0 {
		return nil
	}
	if err := tx.InsertMessagesWithActivity(ctx, p.msgs, p.convs, p.waitingKept); err != nil {
		return err
	}
	// The events' JSON is encoded while the transaction goes on (see
	// store.Tx.AppendEncoding): nothing it reads changes after this.
	evs := make([]sahay.Event, len(p.reqs))
	for i, r := range p.reqs {
		c := r.out.Conversation
		evs[i] = sahay.Event{AccountID: c.AccountID, InboxID: c.InboxID, ConversationID: c.ID, Type: sahay.EventMessageCreated}
	}
	reqs := p.reqs
	if err := tx.AppendEncoding(ctx, evs, func(i int) ([]byte, error) {
		return json.Marshal(sahay.MessageCreated{Conversation: reqs[i].out.Conversation, Message: reqs[i].out.Message})
	}); err != nil {
		return err
	}
	for _, r := range p.reqs {
		if c, m := r.out.Conversation, r.out.Message; wantsBot(c, m) {
			if err := enqueueBot(ctx, tx, m); err != nil {
				return err
			}
		}
	}
	*p = pendingReceives{}
	return nil
}

// receiveTx stores one message; the caller has locked its account. reads,
// when not nil, answers some of its lookups.
func (s *Service) receiveTx(ctx context.Context, tx *store.Tx, account *sahay.Account, inbox *sahay.Inbox, in channel.Inbound, reads *batchReads) (*Received, error) {
	accountID := account.ID
	if in.ExternalID != "" && (reads == nil || !reads.newMessage[store.MessageKey{InboxID: inbox.ID, ExternalID: in.ExternalID}]) {
		m, err := tx.MessageByExternalID(ctx, inbox.ID, in.ExternalID)
		if err == nil {
			c, err := tx.Conversation(ctx, accountID, m.ConversationID)
			if err != nil {
				return nil, err
			}
			if in.Edit && m.Kind == sahay.MessageIncoming && in.Content != "" && in.Content != m.Content {
				return s.editTx(ctx, tx, m, c, in.Content)
			}
			return &Received{Message: m, Conversation: c, Duplicate: true}, nil
		}
		if sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return nil, err
		}
	}
	contact, err := s.resolveContact(ctx, tx, inbox, in, reads)
	if err != nil {
		return nil, err
	}
	now := tx.Now()
	conv, created, err := s.findConversation(ctx, tx, account, inbox, contact, in, now)
	if err != nil {
		return nil, err
	}
	if in.Echo && !created && in.ExternalID != "" {
		// The platform may report a reply of Sahay's before its send job
		// has recorded the reply's id: the echo is that reply, not
		// another.
		m, err := tx.PendingReply(ctx, conv.ID, in.Content)
		if err == nil {
			m.ExternalID, m.Status = in.ExternalID, sahay.DeliverySent
			if err := tx.SetMessageDelivery(ctx, m); err != nil {
				return nil, err
			}
			if err := tx.Emit(ctx, accountID, inbox.ID, conv.ID, sahay.MessageUpdated{Message: m}); err != nil {
				return nil, err
			}
			return &Received{Message: m, Conversation: conv, Duplicate: true}, nil
		}
		if sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return nil, err
		}
	}
	var opening *sahay.Message
	if created && strings.TrimSpace(in.Opening) != "" {
		// The business spoke first: its words come first in the timeline.
		opening = &sahay.Message{AccountID: accountID, ConversationID: conv.ID, InboxID: inbox.ID, Kind: sahay.MessageOutgoing,
			SenderType: sahay.SenderBot, Content: textnorm.NFC(strings.TrimSpace(in.Opening)), Status: sahay.DeliveryDelivered}
		if err := tx.InsertMessage(ctx, opening); err != nil {
			return nil, err
		}
	}
	msg := incomingMessage(conv, contact, in)
	if err := tx.InsertMessage(ctx, msg); err != nil {
		return nil, err
	}
	old := *conv
	receivedActivity(conv, in, now)
	if created {
		old = *conv
	}
	if err := tx.UpdateConversation(ctx, &old, conv); err != nil {
		return nil, err
	}
	conv.Contact = contact
	if created {
		if err := tx.Emit(ctx, accountID, inbox.ID, conv.ID, sahay.ConversationCreated{Conversation: conv}); err != nil {
			return nil, err
		}
		payload, _ := json.Marshal(conversationPayload{ConversationID: conv.ID})
		if _, err := tx.EnqueueJob(ctx, accountID, jobNewConversation, string(payload), now); err != nil {
			return nil, err
		}
		if err := s.wantProfile(ctx, tx, inbox, contact, in); err != nil {
			return nil, err
		}
	}
	if opening != nil {
		if err := tx.Emit(ctx, accountID, inbox.ID, conv.ID, sahay.MessageCreated{Conversation: conv, Message: opening}); err != nil {
			return nil, err
		}
	}
	if err := tx.Emit(ctx, accountID, inbox.ID, conv.ID, sahay.MessageCreated{Conversation: conv, Message: msg}); err != nil {
		return nil, err
	}
	if wantsBot(conv, msg) {
		if err := enqueueBot(ctx, tx, msg); err != nil {
			return nil, err
		}
	}
	return &Received{Message: msg, Conversation: conv, Created: created}, nil
}

// incomingMessage is the message a received one stores in conv.
func incomingMessage(conv *sahay.Conversation, contact *sahay.Contact, in channel.Inbound) *sahay.Message {
	msg := &sahay.Message{
		AccountID: conv.AccountID, ConversationID: conv.ID, InboxID: conv.InboxID,
		Kind: sahay.MessageIncoming, SenderType: sahay.SenderContact, SenderID: contact.ID,
		Content: in.Content, ExternalID: in.ExternalID, Attachments: in.Attachments, Email: in.Mail,
		Public: in.Public, Details: in.Details,
	}
	if in.Echo {
		// The business answered on the platform itself: the team sees the
		// answer, and the customer no longer waits.
		msg.Kind, msg.SenderType, msg.SenderID, msg.Status = sahay.MessageOutgoing, sahay.SenderBot, 0, sahay.DeliverySent
	}
	return msg
}

// receivedActivity changes a conversation as a message received in it at
// now does.
func receivedActivity(conv *sahay.Conversation, in channel.Inbound, now time.Time) {
	conv.LastActivityAt = now
	conv.LastMessage = messagePreview(in.Content, in.Attachments)
	if in.Details != nil && in.Details.Call != nil && strings.TrimSpace(in.Content) == "" {
		conv.LastMessage = "📞 " + in.Details.Call.From
	}
	switch {
	case in.Echo:
		conv.WaitingSince = nil
	case conv.WaitingSince == nil:
		conv.WaitingSince = &now
	}
	if !in.Echo {
		conv.LastIncomingAt = &now
	}
	if conv.Language == "" {
		conv.Language = textnorm.DetectScript(in.Content)
	}
}

// editTx gives a stored customer message the content the customer edited
// it to on the platform.
func (s *Service) editTx(ctx context.Context, tx *store.Tx, m *sahay.Message, c *sahay.Conversation, content string) (*Received, error) {
	m, err := tx.Message(ctx, m.AccountID, m.ID)
	if err != nil {
		return nil, err
	}
	m.Content = content
	if err := tx.SetMessageContent(ctx, m); err != nil {
		return nil, err
	}
	if err := tx.Emit(ctx, m.AccountID, m.InboxID, m.ConversationID, sahay.MessageUpdated{Message: m}); err != nil {
		return nil, err
	}
	return &Received{Message: m, Conversation: c, Edited: true}, nil
}

// identityNamespace is whose ids a channel's contact identifiers are.
func identityNamespace(inbox *sahay.Inbox, ns string) string {
	if ns == "" {
		return fmt.Sprintf("inbox:%d", inbox.ID)
	}
	return ns
}

func (s *Service) resolveContact(ctx context.Context, tx *store.Tx, inbox *sahay.Inbox, in channel.Inbound, reads *batchReads) (*sahay.Contact, error) {
	ns := identityNamespace(inbox, in.Namespace)
	var c *sahay.Contact
	var err error
	if known, ok := reads.contact(store.Identity{AccountID: inbox.AccountID, Namespace: ns, ExternalID: in.ContactID}); ok {
		if c = known; c == nil {
			err = sahay.NotFound("contact")
		}
	} else {
		c, err = tx.ContactByIdentity(ctx, inbox.AccountID, ns, in.ContactID)
	}
	if sahay.ErrorCode(err) == sahay.ENOTFOUND {
		c = &sahay.Contact{AccountID: inbox.AccountID, Name: in.Name, Email: in.Email, Phone: in.Phone,
			Identities: []sahay.ContactIdentity{{Namespace: ns, ExternalID: in.ContactID}}}
		if c.Name == "" {
			c.Name = placeholderName(in.ContactID)
		}
		return c, createContact(ctx, tx, c)
	}
	if err != nil {
		return nil, err
	}
	// A copy: the contact read may be in events still being encoded.
	if filled := *c; fillContact(&filled, in) {
		if err := tx.UpdateContact(ctx, &filled); err != nil {
			return nil, err
		}
		c = &filled
	}
	return c, nil
}

// fillContact fills in what a contact lacks from a message's sender, never
// overwriting what an agent edited, and reports whether it changed it.
func fillContact(c *sahay.Contact, in channel.Inbound) bool {
	changed := false
	for _, f := range []struct {
		dst *string
		v   string
	}{{&c.Email, in.Email}, {&c.Phone, in.Phone}} {
		if *f.dst == "" && f.v != "" {
			*f.dst, changed = f.v, true
		}
	}
	if in.Name != "" && IsPlaceholderName(c.Name, in.ContactID) && c.Name != in.Name {
		c.Name, changed = in.Name, true
	}
	return changed
}

// findConversation returns the conversation a new customer message belongs
// to: the one the message names (woken or reopened as needed), or else the
// open one, a snoozed one (woken), one resolved within the account's reopen
// window (reopened), or a new one.
func (s *Service) findConversation(ctx context.Context, tx *store.Tx, account *sahay.Account, inbox *sahay.Inbox, contact *sahay.Contact, in channel.Inbound, now time.Time) (*sahay.Conversation, bool, error) {
	if in.ConversationID != 0 {
		c, err := tx.Conversation(ctx, account.ID, in.ConversationID)
		// A thread's conversation takes a reply from any of its
		// participants (an email's Cc); any other, its contact's only.
		if err == nil && (c.InboxID != inbox.ID || c.ContactID != contact.ID && !threaded(&in)) {
			err = sahay.NotFound("conversation")
		}
		if err != nil {
			return nil, false, err
		}
		if c.Status == sahay.StatusSnoozed || c.Status == sahay.StatusResolved {
			next := *c
			next.Status, next.SnoozedUntil, next.ResolvedAt = sahay.StatusOpen, nil, nil
			return &next, false, s.changeStatus(ctx, tx, c, &next, 0)
		}
		return c, false, nil
	}
	var c *sahay.Conversation
	if !in.NewConversation {
		var err error
		c, err = tx.OpenConversation(ctx, store.ConversationKey{AccountID: account.ID, ContactID: contact.ID, InboxID: inbox.ID, Topic: topic(&in)})
		if err != nil && sahay.ErrorCode(err) != sahay.ENOTFOUND {
			return nil, false, err
		}
	}
	if c != nil {
		window := time.Duration(account.ReopenWindowSeconds) * time.Second
		switch {
		case c.Status == sahay.StatusSnoozed:
			next := *c
			next.Status, next.SnoozedUntil = sahay.StatusOpen, nil
			return &next, false, s.changeStatus(ctx, tx, c, &next, 0)
		case c.Status != sahay.StatusResolved:
			return c, false, nil
		case c.ResolvedAt != nil && now.Sub(*c.ResolvedAt) <= window:
			next := *c
			next.Status, next.ResolvedAt = sahay.StatusOpen, nil
			return &next, false, s.changeStatus(ctx, tx, c, &next, 0)
		}
	}
	n, err := tx.NextConversationNumber(ctx, account.ID)
	if err != nil {
		return nil, false, err
	}
	c = &sahay.Conversation{AccountID: account.ID, DisplayID: n, InboxID: inbox.ID, ContactID: contact.ID,
		Status: sahay.StatusOpen, LastActivityAt: now}
	// With the inbox's bot on, the bot has the conversation first.
	withBot, err := startsWithBot(ctx, tx, inbox, in)
	if err != nil {
		return nil, false, err
	}
	if withBot {
		c.Status = sahay.StatusPending
	}
	if in.Mail != nil {
		c.Subject = in.Mail.Subject
	}
	if in.Public {
		c.Public, c.Post, c.Topic = true, in.Post, topic(&in)
	}
	if err := tx.InsertConversation(ctx, c); err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// topic is the topic of the conversation a received message belongs to:
// a comment goes to its sender's public conversation on the post, any
// other message to their private one.
func topic(in *channel.Inbound) string {
	if !in.Public {
		return ""
	}
	if in.Post == nil {
		return "post:"
	}
	return "post:" + in.Post.ID
}

// changeStatus saves a status change with an activity message in the
// timeline; by is the user who made it (0 for the system).
func (s *Service) changeStatus(ctx context.Context, tx *store.Tx, old, next *sahay.Conversation, by int64) error {
	if err := tx.UpdateConversation(ctx, old, next); err != nil {
		return err
	}
	return s.activity(ctx, tx, next, by, "status:"+next.Status)
}

// activity adds an activity line to a conversation's timeline. Its content is
// a machine key ("status:resolved", "assignee:12") that clients render in
// the reader's language.
func (s *Service) activity(ctx context.Context, tx *store.Tx, c *sahay.Conversation, by int64, key string) error {
	sender := sahay.SenderSystem
	if by != 0 {
		sender = sahay.SenderUser
	}
	m := &sahay.Message{AccountID: c.AccountID, ConversationID: c.ID, InboxID: c.InboxID, Kind: sahay.MessageActivity,
		SenderType: sender, SenderID: by, Content: key}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	if key == "status:"+sahay.StatusResolved {
		if err := s.queueSurvey(ctx, tx, c); err != nil {
			return err
		}
	}
	return tx.Emit(ctx, c.AccountID, c.InboxID, c.ID, sahay.MessageCreated{Message: m})
}

// messagePreview is what the conversation list shows of a message: its
// text, or the names of its files when it is only files.
func messagePreview(content string, attachments []sahay.Attachment) string {
	if strings.TrimSpace(content) != "" || len(attachments) == 0 {
		return preview(content)
	}
	names := make([]string, len(attachments))
	for i, a := range attachments {
		names[i] = a.FileName
	}
	return preview("📎 " + strings.Join(names, ", "))
}

func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= previewRunes {
		return s
	}
	r := []rune(s)
	return string(r[:previewRunes]) + "…"
}
