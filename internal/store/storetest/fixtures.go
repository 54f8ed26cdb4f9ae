package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
)

// PasswordHash is stored for fixture users. It is not a real hash: fixtures
// never log in, and hashing with argon2id costs ~90 ms a user.
const PasswordHash = "$argon2id$v=19$m=65536,t=3,p=2$c3RvcmV0ZXN0$bm90LWEtcmVhbC1oYXNo"

// MustWrite runs fn in a transaction and fails the test on error.
func MustWrite(t testing.TB, st *store.Store, fn func(tx *store.Tx) error) []sahay.Event {
	t.Helper()
	events, err := st.Write(context.Background(), fn)
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	return events
}

// MustAccount creates an account.
func MustAccount(t testing.TB, st *store.Store, name string) *sahay.Account {
	t.Helper()
	a := &sahay.Account{Name: name}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateAccount(context.Background(), a) })
	return a
}

// MustUser creates a user with [PasswordHash].
func MustUser(t testing.TB, st *store.Store, accountID int64, email, role string) *sahay.User {
	t.Helper()
	u := &sahay.User{AccountID: accountID, Email: email, Name: strings.Split(email, "@")[0], Role: role}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateUser(context.Background(), u, PasswordHash) })
	return u
}

// MustInbox creates an inbox of the channel with the given agents as members.
func MustInbox(t testing.TB, st *store.Store, accountID int64, name, channel string, memberIDs ...int64) *sahay.Inbox {
	t.Helper()
	in := &sahay.Inbox{AccountID: accountID, Name: name, Channel: channel}
	MustWrite(t, st, func(tx *store.Tx) error {
		if err := tx.CreateInbox(context.Background(), in, ""); err != nil {
			return err
		}
		return tx.SetInboxMembers(context.Background(), in.ID, memberIDs)
	})
	in.MemberIDs = memberIDs
	return in
}

// MustTeam creates a team.
func MustTeam(t testing.TB, st *store.Store, accountID int64, name string, memberIDs ...int64) *sahay.Team {
	t.Helper()
	team := &sahay.Team{AccountID: accountID, Name: name, MemberIDs: memberIDs}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateTeam(context.Background(), team) })
	return team
}

// MustLabel creates a label.
func MustLabel(t testing.TB, st *store.Store, accountID int64, name string) *sahay.Label {
	t.Helper()
	l := &sahay.Label{AccountID: accountID, Name: name, Color: "#00aa00"}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateLabel(context.Background(), l) })
	return l
}

// Identity is a channel identity of a [MustContact] fixture.
type Identity = sahay.ContactIdentity

// MustContact creates a contact with identities.
func MustContact(t testing.TB, st *store.Store, c *sahay.Contact) *sahay.Contact {
	t.Helper()
	MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateContact(context.Background(), c) })
	return c
}

// MustConversation inserts c as the account's next conversation. Zero
// fields get defaults: status open.
func MustConversation(t testing.TB, st *store.Store, c *sahay.Conversation) *sahay.Conversation {
	t.Helper()
	if c.Status == "" {
		c.Status = sahay.StatusOpen
	}
	MustWrite(t, st, func(tx *store.Tx) error { return InsertConversation(context.Background(), tx, c) })
	return c
}

// InsertConversation numbers and inserts c in tx, as the inbound pipeline
// does: under the account's lock.
func InsertConversation(ctx context.Context, tx *store.Tx, c *sahay.Conversation) error {
	if err := tx.LockAccount(ctx, c.AccountID); err != nil {
		return err
	}
	n, err := tx.NextConversationNumber(ctx, c.AccountID)
	if err != nil {
		return err
	}
	c.DisplayID = n
	return tx.InsertConversation(ctx, c)
}

// MustMessage inserts an incoming message from the conversation's contact
// unless m says otherwise.
func MustMessage(t testing.TB, st *store.Store, conv *sahay.Conversation, m *sahay.Message) *sahay.Message {
	t.Helper()
	m.AccountID, m.ConversationID, m.InboxID = conv.AccountID, conv.ID, conv.InboxID
	if m.Kind == "" {
		m.Kind = sahay.MessageIncoming
	}
	if m.SenderType == "" {
		m.SenderType, m.SenderID = sahay.SenderContact, conv.ContactID
	}
	MustWrite(t, st, func(tx *store.Tx) error { return tx.InsertMessage(context.Background(), m) })
	return m
}

// CountsMismatch compares the account's maintained view counts with what
// COUNT(*) over the conversations table gives, read through a connection of
// its own. It returns "" when they agree, or a description of the
// differences.
func CountsMismatch(t testing.TB, st *store.Store, accountID int64) string {
	t.Helper()
	ctx := context.Background()
	db := DB(t, st)
	want := map[string]int64{}
	rows, err := db.QueryContext(ctx, `SELECT inbox_id, team_id, assignee_id, status, COUNT(*) FROM conversations
		WHERE account_id = $1 GROUP BY inbox_id, team_id, assignee_id, status`, accountID)
	if err != nil {
		t.Fatalf("count conversations: %v", err)
	}
	for rows.Next() {
		var inbox, team, assignee, n int64
		var status string
		if err := rows.Scan(&inbox, &team, &assignee, &status, &n); err != nil {
			t.Fatalf("count conversations: %v", err)
		}
		want[fmt.Sprintf("conv inbox=%d team=%d assignee=%d status=%s", inbox, team, assignee, status)] = n
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT c.inbox_id, cl.label_id, c.status, COUNT(*) FROM conversation_labels cl
		JOIN conversations c ON c.id = cl.conversation_id WHERE c.account_id = $1 GROUP BY c.inbox_id, cl.label_id, c.status`, accountID)
	if err != nil {
		t.Fatalf("count labels: %v", err)
	}
	for rows.Next() {
		var inbox, label, n int64
		var status string
		if err := rows.Scan(&inbox, &label, &status, &n); err != nil {
			t.Fatalf("count labels: %v", err)
		}
		want[fmt.Sprintf("label inbox=%d label=%d status=%s", inbox, label, status)] = n
	}
	rows.Close()

	convs, labels, _, err := st.ConversationCounts(ctx, accountID)
	if err != nil {
		t.Fatalf("ConversationCounts: %v", err)
	}
	got := map[string]int64{}
	for _, r := range convs {
		got[fmt.Sprintf("conv inbox=%d team=%d assignee=%d status=%s", r.InboxID, r.TeamID, r.AssigneeID, r.Status)] += r.N
	}
	for _, r := range labels {
		got[fmt.Sprintf("label inbox=%d label=%d status=%s", r.InboxID, r.LabelID, r.Status)] += r.N
	}
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(union(want, got))) {
		if want[k] != got[k] {
			diffs = append(diffs, fmt.Sprintf("%s: maintained %d, COUNT(*) %d", k, got[k], want[k]))
		}
	}
	return strings.Join(diffs, "\n")
}

// CheckCounts fails the test if the account's maintained counts differ from
// COUNT(*) over its conversations.
func CheckCounts(t testing.TB, st *store.Store, accountID int64) {
	t.Helper()
	if diff := CountsMismatch(t, st, accountID); diff != "" {
		t.Fatalf("maintained counts of account %d differ from COUNT(*):\n%s", accountID, diff)
	}
}

func union(a, b map[string]int64) map[string]int64 {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// Eventually polls cond every 10 ms until it holds or timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
