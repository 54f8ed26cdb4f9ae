package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// TestMigrationFillsSearchTerms indexes messages with the schema before
// version 11, migrates, and checks that message_terms holds every word of
// the index as FTS5 stored it, so that search spells prefixes out from the
// start.
func TestMigrationFillsSearchTerms(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sahay.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations/sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatalf("migrate to version 10: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO messages_fts (rowid, search_text) VALUES (1, 'café ডেলিভারি कब'), (2, 'कब order')`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 11); err != nil {
		t.Fatalf("migrate to version 11: %v", err)
	}
	if got, want := searchTerms(t, db), []string{"cafe", "order", "कब", "ডেলিভারি"}; !slices.Equal(got, want) {
		t.Errorf("message_terms = %q, want %q", got, want)
	}
}

// TestSearchTermsFollowIndex writes messages every way that indexes them
// and checks that message_terms holds every word messages_fts does.
func TestSearchTermsFollowIndex(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite)
	a := storetest.MustAccount(t, st, "A")
	inbox := storetest.MustInbox(t, st, a.ID, "Shop", "api")
	contact := storetest.MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Dana"})
	conv := storetest.MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: inbox.ID, ContactID: contact.ID})
	storetest.MustMessage(t, st, conv, &sahay.Message{Content: "Crème BRÛLÉE, İstanbul"})
	edited := storetest.MustMessage(t, st, conv, &sahay.Message{Content: "walrus"})
	storetest.MustWrite(t, st, func(tx *store.Tx) error {
		for _, text := range []string{"ক্\u200Dষমা করবেন", "ज\u093Cरूरत है", "delivery 12345"} {
			m := &sahay.Message{AccountID: a.ID, ConversationID: conv.ID, InboxID: inbox.ID, Kind: sahay.MessageIncoming,
				SenderType: sahay.SenderContact, SenderID: contact.ID, Content: text}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		m, err := tx.Message(ctx, a.ID, edited.ID)
		if err != nil {
			return err
		}
		m.Content = "narwhal"
		return tx.SetMessageContent(ctx, m)
	})

	db := storetest.DB(t, st)
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, messages_fts, row)`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT term FROM temp.words WHERE term NOT IN (SELECT term FROM message_terms)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			t.Fatal(err)
		}
		t.Errorf("indexed word %q is not in message_terms", term)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := searchTerms(t, db); len(got) < 10 || !slices.Contains(got, "brulee") || !slices.Contains(got, "narwhal") {
		t.Errorf("message_terms = %q", got)
	}
}

func searchTerms(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT term FROM message_terms ORDER BY term`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var terms []string
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			t.Fatal(err)
		}
		terms = append(terms, term)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return terms
}

// TestSearchNewestCandidatesFirst checks that a last term starting many
// words, which SQLite search first looks for among the newest candidates,
// finds what FTS5's prefix query finds, whether the candidates hold a page
// of matches, fewer, or are all there are: in every scope, with and without
// other terms, and for a word FTS5 folds.
func TestSearchNewestCandidatesFirst(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite)
	a, x, y, other := searchConversations(t, st)
	// 40 words starting "kwe" (as FTS5 folds them), more than are spelled out before looking
	// at the newest messages, and with 30 starting "kx" more than are
	// spelled out at all; old ones in inbox X, then others in inbox Y,
	// then new ones spread over both inboxes and another account.
	storetest.MustWrite(t, st, func(tx *store.Tx) error {
		add := func(c *sahay.Conversation, text string) error { return addCustomerMessage(ctx, tx, c, text) }
		for i := range 40 {
			// Half of them with a letter FTS5 folds.
			if err := add(x, fmt.Sprintf("parcel KW%s%d", []string{"E", "É"}[i%2], i)); err != nil {
				return err
			}
		}
		for i := range 30 {
			if err := add(y, fmt.Sprintf("filler kx%d", i)); err != nil {
				return err
			}
		}
		for i, text := range []string{"Kwé parcel", "kw7", "my parcel, kw12!", "kwa", "parcel", "kw1 again parcel", "ekw", "kw"} {
			c := []*sahay.Conversation{x, y, other}[i%3]
			if err := add(c, text); err != nil {
				return err
			}
		}
		return nil
	})
	search := searcher(t, st, a.ID)
	scopes := [][]int64{nil, {x.InboxID}, {y.InboxID}, {x.InboxID, y.InboxID}}
	queries := []string{"kw", "KW", "parcel kw", "kwe", "kwé", "parcel kwe", "kwe1", "parcel k", "filler kw", "k"}
	// FTS5's answers, with no candidates read first.
	store.SetRecentScanRows(t, 0)
	want := searchAnswers(search, scopes, queries)
	if got := want[searchKey{0, "kw", 100}]; len(got) != 44 {
		t.Fatalf(`"kw" finds %d messages, want 44`, len(got))
	}
	if got := want[searchKey{0, "k", 100}]; len(got) != 74 {
		t.Fatalf(`"k" finds %d messages, want 74`, len(got))
	}
	if got := want[searchKey{0, "kwe", 100}]; len(got) != 41 {
		t.Fatalf(`"kwe" finds %d messages, want 41`, len(got))
	}
	for _, rows := range []int{1, 4, 9, 40, 10_000} {
		store.SetRecentScanRows(t, rows)
		checkAnswers(t, fmt.Sprintf("%d candidates", rows), search, scopes, queries, want)
	}
}

// TestSearchSmallAccountFindsWhatFTS5Finds checks that a search in an
// account with a small share of the database, which SQLite search answers
// from the account's own messages when it can, finds what FTS5 finds:
// whole words and a last word begun, words FTS5 folds, Bengali and Hindi,
// in every scope, whether the messages read hold a page of matches, fewer,
// or are all the account has; and that the other account's messages,
// holding the same words, are never read as the account's.
func TestSearchSmallAccountFindsWhatFTS5Finds(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, store.SQLite)
	a, x, y, other := searchConversations(t, st)
	big := other.AccountID
	var bigs []*sahay.Conversation
	for i := range 20 {
		contact := storetest.MustContact(t, st, &sahay.Contact{AccountID: big, Name: fmt.Sprint("B", i)})
		bigs = append(bigs, storetest.MustConversation(t, st, &sahay.Conversation{AccountID: big, InboxID: other.InboxID, ContactID: contact.ID}))
	}
	texts := []string{"parcel KWE1", "Café delivery", "cafe refund", "আমার অর্ডার কোথায়", "मेरा ऑर्डर कहाँ है", "kw7 parcel",
		"refund for the parcel", "deliveryman came", "PARCEL kwé2", "অর্ডারটি পাইনি", "ऑर्डरों की स्थिति", "k", "parcels"}
	storetest.MustWrite(t, st, func(tx *store.Tx) error {
		for i := range 60 {
			text := texts[i%len(texts)]
			// Every text in the large account too, before and after the
			// small account's.
			for _, c := range []*sahay.Conversation{bigs[i%len(bigs)], []*sahay.Conversation{x, y}[i%2], bigs[(i+7)%len(bigs)]} {
				if err := addCustomerMessage(ctx, tx, c, fmt.Sprintf("%s %d", text, i/len(texts))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	for _, c := range []struct {
		id    int64
		small bool
	}{{a.ID, true}, {big, false}} {
		small, err := store.SmallAccount(ctx, st, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if small != c.small {
			t.Fatalf("account %d: small = %v, want %v", c.id, small, c.small)
		}
	}
	search := searcher(t, st, a.ID)
	scopes := [][]int64{nil, {x.InboxID}, {y.InboxID}, {x.InboxID, y.InboxID}}
	queries := []string{"parcel", "parcel kw", "kwe", "kwé", "KW", "café", "cafe", "caf", "delivery", "deliv", "refund parcel",
		"cafe deliv", "café refund", "অর্ডার", "অর্ড", "ऑर्डर", "ऑर्ड", "parcel zebra", "zebra", "k", "2", "parcel 1"}
	// FTS5's answers, with none of the account's messages read first.
	store.SetAccountScanRows(t, 0)
	want := searchAnswers(search, scopes, queries)
	if got := want[searchKey{0, "parcel", 100}]; len(got) != 23 {
		t.Fatalf(`"parcel" finds %d messages, want 23`, len(got))
	}
	if got := want[searchKey{0, "caf", 100}]; len(got) != 10 {
		t.Fatalf(`"caf" finds %d messages, want 10`, len(got))
	}
	for _, rows := range []int{1, 4, 9, 40, 10_000} {
		store.SetAccountScanRows(t, rows)
		checkAnswers(t, fmt.Sprintf("%d messages", rows), search, scopes, queries, want)
	}
	// An account that does not exist finds nothing, without an error.
	if hits, err := st.SearchMessages(ctx, a.ID+big+100, nil, []string{"parcel"}, 10); err != nil || len(hits) != 0 {
		t.Fatalf("search in no account: %v, %v", hits, err)
	}
}
