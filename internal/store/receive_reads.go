package store

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	sahay "github.com/sahayhq/sahay"
)

// SenderConversation names the conversation a received message looks for:
// the open one of its sender's contact in an inbox, under a topic.
type SenderConversation struct {
	Identity
	InboxID int64
	Topic   string
}

// ReceiveReads is what a batch of received messages reads once their
// accounts are locked.
type ReceiveReads struct {
	// Accounts holds the accounts locked, by id; those that do not exist
	// are missing.
	Accounts map[int64]*sahay.Account
	// Stored holds the platform ids already stored.
	Stored map[MessageKey]bool
	// Contacts holds the contacts of the identities that have one.
	Contacts map[Identity]*sahay.Contact
	// Conversations holds the conversation [Tx.OpenConversations] finds
	// for the contact of each sender that has one and a conversation.
	Conversations map[ConversationKey]*sahay.Conversation
}

// LockAndRead locks accounts as [Tx.LockedAccounts] does, then reads which
// of keys are stored ([Tx.StoredExternalIDs]), the contacts of ids
// ([Tx.ContactsByIdentities]) and the conversations of senders
// ([Tx.OpenConversations]). On PostgreSQL the four statements are sent
// together, in one round trip, the lock first: each read runs once the
// lock is held and sees what every earlier writer of the accounts
// committed, as when they are sent one by one.
func (t *Tx) LockAndRead(ctx context.Context, accounts []int64, keys []MessageKey, ids []Identity, senders []SenderConversation) (*ReceiveReads, error) {
	return t.takeAndRead(ctx, false, accounts, keys, ids, senders)
}

// ShareAndRead is [Tx.LockAndRead] holding the accounts shared on
// PostgreSQL (see [Tx.LockAccount]): other transactions that hold them
// shared run beside this one, every other writer of the accounts waits for
// it. Until it takes an account's lock with [Tx.LockAccount], the
// transaction may write only rows no other holder writes: received
// messages of its own senders and their conversations' activity. Its
// events are numbered when it takes the lock, at the latest when it
// commits, which then costs a round trip more. On SQLite, and for an
// account the transaction has locked already, it locks them.
func (t *Tx) ShareAndRead(ctx context.Context, accounts []int64, keys []MessageKey, ids []Identity, senders []SenderConversation) (*ReceiveReads, error) {
	return t.takeAndRead(ctx, true, accounts, keys, ids, senders)
}

// takeAndRead is [Tx.LockAndRead], or [Tx.ShareAndRead] when shared.
func (t *Tx) takeAndRead(ctx context.Context, shared bool, accounts []int64, keys []MessageKey, ids []Identity, senders []SenderConversation) (*ReceiveReads, error) {
	accounts = slices.Clone(accounts)
	slices.Sort(accounts)
	accounts = slices.Compact(accounts)
	apart := t.s.dialect != Postgres
	for _, id := range accounts {
		apart = apart || t.lockedSeq(id) != nil
	}
	if apart {
		return t.lockAndReadApart(ctx, accounts, keys, ids, senders)
	}
	out := &ReceiveReads{Accounts: map[int64]*sahay.Account{}, Stored: map[MessageKey]bool{},
		Contacts: map[Identity]*sahay.Contact{}, Conversations: map[ConversationKey]*sahay.Conversation{}}
	b := &pgx.Batch{}
	var reads []func(pgx.Rows) error
	queue := func(read func(pgx.Rows) error, sql string, args ...any) {
		b.Queue(sql, args...)
		reads = append(reads, read)
	}
	take := lockAccountsSQL
	if shared {
		take = shareAccountsSQL
	}
	queue(func(rows pgx.Rows) error { return t.scanAccountsHeld(rows, out.Accounts, shared) }, take, accounts)
	if len(keys) > 0 {
		queue(func(rows pgx.Rows) error { return scanStoredExternalIDs(rows, out.Stored) }, storedExternalIDsSQL, storedExternalIDsArgs(keys)...)
	}
	if len(ids) > 0 {
		queue(func(rows pgx.Rows) error { return scanContactsByIdentity(rows, out.Contacts) }, contactsByIdentitiesSQL, identitiesJSON(ids))
	}
	if len(senders) > 0 {
		n := len(senders)
		acc, ns, ext, inboxes, topics := make([]int64, n), make([]string, n), make([]string, n), make([]int64, n), make([]string, n)
		for i, s := range senders {
			acc[i], ns[i], ext[i], inboxes[i], topics[i] = s.AccountID, s.Namespace, s.ExternalID, s.InboxID, s.Topic
		}
		queue(func(rows pgx.Rows) error { return scanOpenConversations(rows, out.Conversations) }, openConversationsByIdentitySQL,
			acc, ns, ext, inboxes, topics)
	}
	err := t.sendTogether(ctx, b, func(res pgx.BatchResults) error {
		for _, read := range reads {
			rows, err := res.Query()
			if err != nil {
				return err
			}
			err = read(rows)
			rows.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockAndReadApart is [Tx.LockAndRead] one statement after another.
func (t *Tx) lockAndReadApart(ctx context.Context, accounts []int64, keys []MessageKey, ids []Identity, senders []SenderConversation) (*ReceiveReads, error) {
	out := &ReceiveReads{}
	var err error
	if out.Accounts, err = t.LockedAccounts(ctx, accounts); err != nil {
		return nil, err
	}
	if out.Stored, err = t.StoredExternalIDs(ctx, keys); err != nil {
		return nil, err
	}
	if out.Contacts, err = t.ContactsByIdentities(ctx, ids); err != nil {
		return nil, err
	}
	var convs []ConversationKey
	seen := map[ConversationKey]bool{}
	for _, s := range senders {
		c := out.Contacts[s.Identity]
		if c == nil {
			continue
		}
		if k := (ConversationKey{AccountID: s.AccountID, ContactID: c.ID, InboxID: s.InboxID, Topic: s.Topic}); !seen[k] {
			seen[k] = true
			convs = append(convs, k)
		}
	}
	if out.Conversations, err = t.OpenConversations(ctx, convs); err != nil {
		return nil, err
	}
	return out, nil
}
