package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sahay "github.com/sahayhq/sahay"
)

func encodeJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encode %T: %v", v, err))
	}
	return string(b)
}

// CreateAccount inserts an account.
func (t *Tx) CreateAccount(ctx context.Context, a *sahay.Account) error {
	if a.TimeZone == "" {
		a.TimeZone = "UTC"
	}
	if len(a.Locales) == 0 {
		a.Locales = []string{"en"}
	}
	if a.ReopenWindowSeconds == 0 {
		a.ReopenWindowSeconds = 7 * 24 * 3600
	}
	a.BusinessHours = sahay.BusinessHours{TimeZone: a.TimeZone, Days: map[string]string{}}
	a.CreatedAt = t.now
	err := t.tx.QueryRowContext(ctx, `INSERT INTO accounts (name, time_zone, locales, reopen_window_seconds, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.Name, a.TimeZone, encodeJSON(a.Locales), a.ReopenWindowSeconds, ms(t.now)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("store: create account: %w", err)
	}
	// The slug asked for, unless another account has it: then the slug
	// followed by the id, which no other account can have.
	slug := a.Slug
	if slug == "" {
		slug = "account"
	}
	var taken int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE slug = $1`, slug).Scan(&taken); err != nil {
		return fmt.Errorf("store: create account: %w", err)
	}
	if taken > 0 || a.Slug == "" {
		slug = fmt.Sprintf("%s-%d", slug, a.ID)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE accounts SET slug = $2 WHERE id = $1`, a.ID, slug); err != nil {
		return fmt.Errorf("store: create account: %w", err)
	}
	a.Slug = slug
	return nil
}

// UpdateAccount saves an account's settings.
func (t *Tx) UpdateAccount(ctx context.Context, a *sahay.Account) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE accounts SET name = $2, time_zone = $3, locales = $4, reopen_window_seconds = $5,
		business_hours = $6, slug = $7 WHERE id = $1`,
		a.ID, a.Name, a.TimeZone, encodeJSON(a.Locales), a.ReopenWindowSeconds, encodeJSON(a.BusinessHours), a.Slug)
	if isUniqueViolation(err) {
		return sahay.Errorf(sahay.ECONFLICT, "another account has the slug %q", a.Slug)
	}
	if err != nil {
		return fmt.Errorf("store: update account: %w", err)
	}
	return nil
}

const accountColumns = `id, name, COALESCE(slug, ''), time_zone, locales, reopen_window_seconds, business_hours, created_at`

func scanAccount(row interface{ Scan(...any) error }) (*sahay.Account, error) {
	var a sahay.Account
	var locales, hours string
	var created int64
	if err := row.Scan(&a.ID, &a.Name, &a.Slug, &a.TimeZone, &locales, &a.ReopenWindowSeconds, &hours, &created); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(locales), &a.Locales)
	if hours != "" {
		json.Unmarshal([]byte(hours), &a.BusinessHours)
	}
	// The account's hours are kept in its time zone, whatever it becomes.
	a.BusinessHours.TimeZone = a.TimeZone
	if a.BusinessHours.Days == nil {
		a.BusinessHours.Days = map[string]string{}
	}
	a.CreatedAt = fromMS(created)
	return &a, nil
}

// Account returns an account by id.
func (s *Store) Account(ctx context.Context, id int64) (*sahay.Account, error) {
	return account(ctx, s.read, id)
}

// Account returns an account by id, read in the transaction.
func (t *Tx) Account(ctx context.Context, id int64) (*sahay.Account, error) {
	return account(ctx, t.tx, id)
}

func account(ctx context.Context, q queryer, id int64) (*sahay.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	return a, notFound(err, "account")
}

// AccountBySlug returns the account a help center's address names.
func (s *Store) AccountBySlug(ctx context.Context, slug string) (*sahay.Account, error) {
	a, err := scanAccount(s.read.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE slug = $1`, slug))
	return a, notFound(err, "help center")
}

// Accounts lists every account.
func (s *Store) Accounts(ctx context.Context) ([]*sahay.Account, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	defer rows.Close()
	var out []*sahay.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("store: accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// LockAccount takes the account's lock for the rest of the transaction.
// Every write that changes an account's conversations takes it first, so an
// account's writers are serialized: event numbers are then gapless in commit
// order, and find-or-create steps cannot race. Taking it again in the same
// transaction costs nothing. A transaction that holds the account shared
// (see [Tx.ShareAndRead]) takes its row lock, and numbers the events it
// appended so far.
//
// On PostgreSQL an account has two locks, taken in this order: an advisory
// lock, which LockAccount takes exclusive and ShareAndRead shared, and the
// account's row lock, which every numbering of the account's events holds
// until commit. Batches of received messages for one account hold it
// shared at once, each writing only the rows of its own senders, and take
// the row lock last, to number their events and commit; every other writer
// waits for them, and they for it.
func (t *Tx) LockAccount(ctx context.Context, accountID int64) error {
	if a := t.lockedSeq(accountID); a != nil {
		if a.shared {
			return t.lockShared(ctx, []int64{accountID})
		}
		return nil
	}
	var seq int64
	err := t.tx.QueryRowContext(ctx, lockAccountSQL[t.s.dialect], accountID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return sahay.NotFound("account")
	}
	if err != nil {
		return fmt.Errorf("store: lock account: %w", err)
	}
	t.locked = append(t.locked, lockedAccount{id: accountID, seq: seq, stored: seq})
	return nil
}

// LockedAccount takes the account's row lock as [Tx.LockAccount] does and
// returns the account, in one statement when the transaction has not
// locked it yet.
func (t *Tx) LockedAccount(ctx context.Context, accountID int64) (*sahay.Account, error) {
	if t.lockedSeq(accountID) != nil {
		if err := t.LockAccount(ctx, accountID); err != nil {
			return nil, err
		}
		return t.Account(ctx, accountID)
	}
	var seq int64
	a, err := scanAccount(prefixed{t.tx.QueryRowContext(ctx, lockedAccountSQL[t.s.dialect], accountID), []any{&seq}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sahay.NotFound("account")
	}
	if err != nil {
		return nil, fmt.Errorf("store: lock account: %w", err)
	}
	t.locked = append(t.locked, lockedAccount{id: accountID, seq: seq, stored: seq})
	return a, nil
}

// LockedAccounts takes the row locks of the accounts of ids as
// [Tx.LockedAccount] does, in id order, and returns the accounts by id, in
// one statement on PostgreSQL: group commit locks a batch's accounts at
// once. An id with no account is left out.
func (t *Tx) LockedAccounts(ctx context.Context, ids []int64) (map[int64]*sahay.Account, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	found := map[int64]*sahay.Account{}
	var unlocked []int64
	for _, id := range ids {
		if t.s.dialect == SQLite || t.lockedSeq(id) != nil {
			a, err := t.LockedAccount(ctx, id)
			if sahay.ErrorCode(err) == sahay.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			found[id] = a
			continue
		}
		unlocked = append(unlocked, id)
	}
	if len(unlocked) == 0 {
		return found, nil
	}
	rows, err := t.tx.QueryContext(ctx, lockAccountsSQL, unlocked)
	if err != nil {
		return nil, fmt.Errorf("store: lock accounts: %w", err)
	}
	defer rows.Close()
	if err := t.scanAccountsHeld(rows, found, false); err != nil {
		return nil, err
	}
	return found, nil
}

// lockAccountsSQL locks the accounts of the ids in $1, sorted, on
// PostgreSQL: their advisory locks exclusive, then their rows. The rows
// are locked in the order of ORDER BY, as every writer locks accounts, and
// in the mode an UPDATE of event_seq takes: it conflicts with every writer
// of the account, not with the key-share locks of foreign keys.
const lockAccountsSQL = `WITH held AS MATERIALIZED (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(` + accountLockClass + `, (k % 2147483647)::int) FROM unnest($1::bigint[]) k) l)
	SELECT event_seq, ` + accountColumns + ` FROM accounts WHERE id = ANY($1) AND (SELECT count FROM held) >= 0 ORDER BY id FOR NO KEY UPDATE`

// shareAccountsSQL takes the advisory locks of the accounts of the ids in
// $1, sorted, shared, and reads the accounts without locking their rows
// (PostgreSQL).
const shareAccountsSQL = `WITH held AS MATERIALIZED (SELECT count(*) FROM (SELECT pg_advisory_xact_lock_shared(` + accountLockClass + `, (k % 2147483647)::int) FROM unnest($1::bigint[]) k) l)
	SELECT event_seq, ` + accountColumns + ` FROM accounts WHERE id = ANY($1) AND (SELECT count FROM held) >= 0 ORDER BY id`

// lockRowsSQL locks the rows of accounts the transaction holds shared, in
// order, and reads their last event numbers (PostgreSQL).
const lockRowsSQL = `SELECT id, event_seq FROM accounts WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`

// accountLockClass is the first key of the accounts' advisory locks; the
// second is the account's id (modulo 2^31-1: two accounts sharing a key
// only wait for each other).
const accountLockClass = "1935763833"

// lockAccountSQL and lockedAccountSQL lock the row of the account $1 and
// read its last event number, and the account; on PostgreSQL they take
// the account's advisory lock first (see [Tx.LockAccount]).
var (
	lockAccountSQL   = dialectSQL(`UPDATE accounts SET event_seq = event_seq WHERE id = $1 RETURNING event_seq`)
	lockedAccountSQL = dialectSQL(`UPDATE accounts SET event_seq = event_seq WHERE id = $1 RETURNING event_seq, ` + accountColumns)
)

// dialectSQL returns the statement locking the account $1 on each
// database: query, and query after the advisory lock on PostgreSQL.
func dialectSQL(query string) map[string]string {
	return map[string]string{SQLite: query, Postgres: `WITH held AS MATERIALIZED (SELECT pg_advisory_xact_lock(` + accountLockClass +
		`, ($1::bigint % 2147483647)::int))
	` + strings.Replace(query, "WHERE id = $1", "WHERE id = $1 AND (SELECT 1 FROM held) = 1", 1)}
}

// lockShared locks the rows of accounts the transaction holds shared,
// sorted, and numbers the events appended for them so far, in order.
func (t *Tx) lockShared(ctx context.Context, ids []int64) error {
	rows, err := t.tx.QueryContext(ctx, lockRowsSQL, ids)
	if err != nil {
		return fmt.Errorf("store: lock accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return fmt.Errorf("store: lock accounts: %w", err)
		}
		a := t.lockedSeq(id)
		a.shared, a.seq, a.stored = false, seq, seq
		for i := range t.events {
			if ev := &t.events[i]; ev.AccountID == id && ev.Seq == 0 {
				a.seq++
				ev.Seq = a.seq
			}
		}
	}
	return rows.Err()
}

// sharedAccounts returns the ids of the accounts the transaction holds
// shared, sorted.
func (t *Tx) sharedAccounts() []int64 {
	var ids []int64
	for _, a := range t.locked {
		if a.shared {
			ids = append(ids, a.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// scanAccountsHeld reads the rows of lockAccountsSQL or shareAccountsSQL
// into found and notes them held, shared or not.
func (t *Tx) scanAccountsHeld(rows rowSet, found map[int64]*sahay.Account, shared bool) error {
	for rows.Next() {
		var seq int64
		a, err := scanAccount(prefixed{rows, []any{&seq}})
		if err != nil {
			return fmt.Errorf("store: lock accounts: %w", err)
		}
		found[a.ID] = a
		t.locked = append(t.locked, lockedAccount{id: a.ID, seq: seq, stored: seq, shared: shared})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: lock accounts: %w", err)
	}
	return nil
}

// rowSet is the rows of a query, read through database/sql or pgx.
type rowSet interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// lockedAccount is an account whose row the transaction has locked, with
// its event numbers: while the lock is held no other writer numbers the
// account's events, so the transaction numbers them itself and stores the
// last number once, before commit.
type lockedAccount struct {
	id int64
	// seq is the number of the account's last event; stored is the number
	// its row holds.
	seq, stored int64
	// shared is set while the account is held in the shared mode, its row
	// not locked: its events are numbered when it is.
	shared bool
}

func (t *Tx) lockedSeq(accountID int64) *lockedAccount {
	for i := range t.locked {
		if t.locked[i].id == accountID {
			return &t.locked[i]
		}
	}
	return nil
}

// AppendEvent numbers ev with the account's next sequence number, locking
// the account if the transaction has not; the event is stored before the
// transaction commits, and [Store.Write] returns it after.
func (t *Tx) AppendEvent(ctx context.Context, ev sahay.Event) error {
	if a := t.lockedSeq(ev.AccountID); a == nil || !a.shared {
		if err := t.LockAccount(ctx, ev.AccountID); err != nil {
			return fmt.Errorf("store: next event seq: %w", err)
		}
		a = t.lockedSeq(ev.AccountID)
		a.seq++
		ev.Seq = a.seq
	}
	ev.CreatedAt = t.now
	if len(ev.Data) == 0 || string(ev.Data) == "null" {
		ev.Data = json.RawMessage("{}")
	}
	if ctx.Value(automationKey{}) != nil {
		data, err := withAutomationRule(ctx, ev.Data)
		if err != nil {
			return err
		}
		ev.Data = data
	}
	if len(t.counted) > 0 {
		data, err := withCountChanges(ev.Data, t.counted)
		if err != nil {
			return err
		}
		ev.Data, t.counted = data, nil
	}
	t.events = append(t.events, ev)
	return nil
}

// eventRows are the numbers of rows one statement of [Tx.storeEvents]
// inserts: a few fixed sizes, so that the statements stay few (and
// prepared, on SQLite) whatever the number of events.
var eventRows = []int{64, 16, 4, 1}

// storeEvents inserts the transaction's events, a few rows per statement,
// and saves the accounts' last event numbers (SQLite; on PostgreSQL
// commitPostgres sends them with the COMMIT, in one statement). It runs
// just before COMMIT: a transaction of many messages then sends the
// database a few statements for its events rather than two per event.
func (t *Tx) storeEvents(ctx context.Context) error {
	evs := t.events
	for _, n := range eventRows {
		for len(evs) >= n {
			args := make([]any, 0, 8*n)
			for _, ev := range evs[:n] {
				args = append(args, ev.AccountID, ev.Seq, ev.Type, ev.InboxID, ev.ConversationID, ev.UserID, string(ev.Data), ms(ev.CreatedAt))
			}
			if _, err := t.tx.ExecContext(ctx, insertEvents[n], args...); err != nil {
				return fmt.Errorf("store: append events: %w", err)
			}
			evs = evs[n:]
		}
	}
	for i := range t.locked {
		a := &t.locked[i]
		if a.seq == a.stored {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE accounts SET event_seq = $2 WHERE id = $1`, a.id, a.seq); err != nil {
			return fmt.Errorf("store: save event seq: %w", err)
		}
		a.stored = a.seq
	}
	return nil
}

// eventArrays is the statement inserting events with one array per
// column and saving the accounts' last event numbers (PostgreSQL).
func (t *Tx) eventArrays(evs []sahay.Event) (string, []any) {
	var ids, last []int64
	for _, a := range t.locked {
		if a.seq != a.stored {
			ids, last = append(ids, a.id), append(last, a.seq)
		}
	}
	n := len(evs)
	accounts, seqs, inboxes, conversations, users, created := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	types, data := make([]string, n), make([]string, n)
	for i, ev := range evs {
		accounts[i], seqs[i], types[i], inboxes[i], conversations[i], users[i], data[i], created[i] =
			ev.AccountID, ev.Seq, ev.Type, ev.InboxID, ev.ConversationID, ev.UserID, string(ev.Data), ms(ev.CreatedAt)
	}
	return `WITH inserted AS (INSERT INTO events (account_id, seq, type, inbox_id, conversation_id, user_id, data, created_at)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::bigint[]))
		UPDATE accounts a SET event_seq = s.seq FROM unnest($9::bigint[], $10::bigint[]) AS s(id, seq) WHERE a.id = s.id`,
		[]any{accounts, seqs, types, inboxes, conversations, users, data, created, ids, last}
}

// insertEvents holds, for each size of eventRows, the statement inserting
// that many events.
var insertEvents = valuesStatements(`INSERT INTO events (account_id, seq, type, inbox_id, conversation_id, user_id, data, created_at) VALUES `, 8, "")

// withCountChanges adds the view count changes to an event's data object.
func withCountChanges(data json.RawMessage, changes []sahay.CountChange) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("store: event data is not an object: %s", data)
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return nil, fmt.Errorf("store: count changes: %w", err)
	}
	fields["count_changes"] = b
	return json.Marshal(fields)
}

// Emit appends an event carrying p, of p's event type.
func (t *Tx) Emit(ctx context.Context, accountID, inboxID, conversationID int64, p sahay.Payload) error {
	ev, err := sahay.NewEvent(accountID, inboxID, conversationID, p)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return t.AppendEvent(ctx, ev)
}

// EventsAfter returns up to limit events of an account with seq > after, in
// order.
func (s *Store) EventsAfter(ctx context.Context, accountID, after int64, limit int) ([]sahay.Event, error) {
	return s.eventsAfter(ctx, accountID, after, limit, true)
}

// EventHeadsAfter is [Store.EventsAfter] without the events' data: their
// numbers, types, inboxes and conversations, for a reader that needs to
// know only what changed (an event's data is about a kilobyte).
func (s *Store) EventHeadsAfter(ctx context.Context, accountID, after int64, limit int) ([]sahay.Event, error) {
	return s.eventsAfter(ctx, accountID, after, limit, false)
}

// eventsAfter reads events, with their data or without.
func (s *Store) eventsAfter(ctx context.Context, accountID, after int64, limit int, withData bool) ([]sahay.Event, error) {
	data := "''"
	if withData {
		data = "data"
	}
	rows, err := s.read.QueryContext(ctx, `SELECT seq, type, inbox_id, conversation_id, user_id, `+data+`, created_at
		FROM events WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, accountID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []sahay.Event
	for rows.Next() {
		ev := sahay.Event{AccountID: accountID}
		var data string
		var created int64
		if err := rows.Scan(&ev.Seq, &ev.Type, &ev.InboxID, &ev.ConversationID, &ev.UserID, &data, &created); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		if data != "" {
			ev.Data = json.RawMessage(data)
		}
		ev.CreatedAt = fromMS(created)
		out = append(out, ev)
	}
	return out, rows.Err()
}

// LastEventSeq returns the account's latest event number.
func (s *Store) LastEventSeq(ctx context.Context, accountID int64) (int64, error) {
	var seq int64
	err := s.read.QueryRowContext(ctx, `SELECT event_seq FROM accounts WHERE id = $1`, accountID).Scan(&seq)
	return seq, notFound(err, "account")
}

// NextConversationNumber returns the account's next display number.
func (t *Tx) NextConversationNumber(ctx context.Context, accountID int64) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `UPDATE accounts SET conversation_seq = conversation_seq + 1 WHERE id = $1 RETURNING conversation_seq`, accountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: next conversation number: %w", err)
	}
	return n, nil
}

// Audit records an administrative action.
func (t *Tx) Audit(ctx context.Context, e sahay.AuditEntry) error {
	if len(e.Details) == 0 {
		e.Details = json.RawMessage("{}")
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO audit_log (account_id, user_id, action, target_type, target_id, details, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.AccountID, e.UserID, e.Action, e.TargetType, e.TargetID, string(e.Details), ms(t.now))
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditLog returns an account's audit entries, newest first, with id < before
// (0 for the newest).
func (s *Store) AuditLog(ctx context.Context, accountID, before int64, limit int) ([]sahay.AuditEntry, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, account_id, user_id, action, target_type, target_id, details, created_at
		FROM audit_log WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, accountID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	out := []sahay.AuditEntry{}
	for rows.Next() {
		var e sahay.AuditEntry
		var details string
		var created int64
		if err := rows.Scan(&e.ID, &e.AccountID, &e.UserID, &e.Action, &e.TargetType, &e.TargetID, &details, &created); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		e.Details = json.RawMessage(details)
		e.CreatedAt = fromMS(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AcquireLease takes or renews the named lease for holder until ttl from now,
// and reports whether holder has it. Single-instance work (pollers, timers)
// runs only on the node holding its lease.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := time.Now()
	var n int64
	err := s.writeOutside(ctx, func(q queryer) error {
		res, err := q.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at < $4`,
			name, holder, ms(now.Add(ttl)), ms(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives up holder's lease at once, so another node need not
// wait for it to run out; a lease another holder has is left alone.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	err := s.writeOutside(ctx, func(q queryer) error {
		_, err := q.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release lease %s: %w", name, err)
	}
	return nil
}
