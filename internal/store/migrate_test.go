package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	sahay "github.com/sahayhq/sahay"
	"github.com/sahayhq/sahay/internal/store"
	"github.com/sahayhq/sahay/internal/store/storetest"
)

// TestMigrationKeepsDataWhenIDsStopBeingReused fills a SQLite database made
// by the schema before version 9, migrates it, and checks that every row
// kept its id and its links, that the indexes, search and cascading deletes
// still work, and that a deleted id is no longer handed out again.
// publicColumns are the columns version 14 adds.
var publicColumns = []string{`conversations ADD COLUMN public INTEGER NOT NULL DEFAULT 0`,
	`conversations ADD COLUMN topic TEXT NOT NULL DEFAULT ''`, `conversations ADD COLUMN post TEXT`,
	`conversations ADD COLUMN linked_conversation_id BIGINT NOT NULL DEFAULT 0`, `conversations ADD COLUMN last_incoming_at BIGINT`,
	`messages ADD COLUMN public INTEGER NOT NULL DEFAULT 0`, `messages ADD COLUMN details TEXT`}

func TestMigrationKeepsDataWhenIDsStopBeingReused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sahay.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations/sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 8); err != nil {
		t.Fatalf("migrate to version 8: %v", err)
	}
	indexesBefore := schemaNames(t, db, "index")
	// The code below writes each message's words to message_terms, which
	// version 11 adds (filling it from the index); until the migration
	// the table is only lent for those writes.
	if _, err := db.ExecContext(ctx, `CREATE TABLE message_terms (term TEXT PRIMARY KEY) WITHOUT ROWID`); err != nil {
		t.Fatal(err)
	}
	// So is version 39's search cursor: the code below indexes messages
	// after storing them, as the code before it did when it stored them.
	if _, err := db.ExecContext(ctx, `CREATE TABLE search_cursor (id INTEGER PRIMARY KEY, indexed_to BIGINT NOT NULL);
		INSERT INTO search_cursor VALUES (1, 0)`); err != nil {
		t.Fatal(err)
	}
	// So is version 16's table of the ids inboxes' settings name.
	if _, err := db.ExecContext(ctx, `CREATE TABLE inbox_setting_ids (inbox_id BIGINT, channel TEXT, key TEXT, value TEXT)`); err != nil {
		t.Fatal(err)
	}
	// So are the columns version 12 adds for email, version 13 for
	// conversations' subjects, version 14 for public conversations and
	// version 35 for accounts' slugs.
	lent := []string{`messages ADD COLUMN email TEXT`, `attachments ADD COLUMN content_id TEXT NOT NULL DEFAULT ''`,
		`conversations ADD COLUMN subject TEXT NOT NULL DEFAULT ''`, `accounts ADD COLUMN slug TEXT`}
	lent = append(lent, publicColumns...)
	for _, alter := range lent {
		if _, err := db.ExecContext(ctx, `ALTER TABLE `+alter); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := storetest.MustAccount(t, st, "Acme")
	owner := storetest.MustUser(t, st, a.ID, "owner@example.com", sahay.RoleOwner)
	shop := storetest.MustInbox(t, st, a.ID, "Shop", "api", owner.ID)
	page := &sahay.Inbox{AccountID: a.ID, Name: "Page", Channel: "messenger", Settings: []byte(`{"page_id":"1065","page_id":"2077","app_id":""}`)}
	storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.CreateInbox(ctx, page, "") })
	dana := storetest.MustContact(t, st, &sahay.Contact{AccountID: a.ID, Name: "Dana",
		Identities: []sahay.ContactIdentity{{Namespace: "phone", ExternalID: "+8801700000000"}}})
	label := storetest.MustLabel(t, st, a.ID, "refund")
	conv := storetest.MustConversation(t, st, &sahay.Conversation{AccountID: a.ID, InboxID: shop.ID, ContactID: dana.ID})
	msg := storetest.MustMessage(t, st, conv, &sahay.Message{Content: "আমার পার্সেল কোথায়?"})
	storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.SetConversationLabels(ctx, conv, []int64{label.ID}) })

	if _, err := st.IndexMessages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	dropTable(t, path, "search_cursor")
	dropTable(t, path, "message_terms")
	dropTable(t, path, "inbox_setting_ids")
	execSQL(t, path, `ALTER TABLE messages DROP COLUMN email`)
	execSQL(t, path, `ALTER TABLE attachments DROP COLUMN content_id`)
	execSQL(t, path, `ALTER TABLE conversations DROP COLUMN subject`)
	execSQL(t, path, `ALTER TABLE accounts DROP COLUMN slug`)
	for _, alter := range publicColumns {
		table, rest, _ := strings.Cut(alter, " ADD COLUMN ")
		column, _, _ := strings.Cut(rest, " ")
		execSQL(t, path, `ALTER TABLE `+table+` DROP COLUMN `+column)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	// The account there before version 28 has the default SLA policy.
	if list, err := st.SLAPolicies(ctx, a.ID); err != nil || len(list) != 1 || list[0].Name != store.DefaultSLAName || list[0].FirstResponseSeconds != 3600 {
		t.Fatalf("SLA policies after the migration: %+v, %v", list, err)
	}

	// Every row kept its id and its links.
	if got, err := st.Conversation(ctx, a.ID, conv.ID); err != nil || got.InboxID != shop.ID || got.ContactID != dana.ID ||
		!slices.Equal(got.Labels, []string{"refund"}) {
		t.Fatalf("conversation after the migration: %+v, %v", got, err)
	}
	if ms, err := st.Messages(ctx, a.ID, conv.ID, 0, 10); err != nil || len(ms) != 1 || ms[0].ID != msg.ID || ms[0].Content != msg.Content {
		t.Fatalf("messages after the migration: %v, %v", ms, err)
	}
	storetest.MustWrite(t, st, func(tx *store.Tx) error {
		if c, err := tx.ContactByIdentity(ctx, a.ID, "phone", "+8801700000000"); err != nil || c.ID != dana.ID {
			t.Errorf("contact by identity after the migration: %+v, %v", c, err)
		}
		return nil
	})
	if u, err := st.User(ctx, a.ID, owner.ID); err != nil || u.Email != owner.Email {
		t.Fatalf("user after the migration: %+v, %v", u, err)
	}
	// The inboxes made before version 16 are found by their settings' ids,
	// a key given twice by its last value.
	if got, err := st.InboxesBySettingID(ctx, "messenger", "page_id", "2077"); err != nil || len(got) != 1 || got[0].ID != page.ID {
		t.Fatalf("inbox by its page_id after the migration: %v, %v", got, err)
	}
	if got, err := st.InboxesBySettingID(ctx, "messenger", "page_id", "1065"); err != nil || len(got) != 0 {
		t.Fatalf("inbox by its first page_id after the migration: %v, %v", got, err)
	}
	// Search still finds the message by its id.
	if hits, err := st.SearchMessages(ctx, a.ID, nil, []string{"পার্সেল"}, 10); err != nil || len(hits) != 1 || hits[0].Message.ID != msg.ID {
		t.Fatalf("search after the migration: %v, %v", hits, err)
	}

	check, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	// Version 15's table of sign-ins, version 16's of settings' ids,
	// version 18's of message analyses, version 19's of FAQ entries, version
	// 20's of tone policies and mentions, and version 21's bring indexes of
	// their own.
	indexesWanted := slices.Sorted(slices.Values(append(slices.Clone(indexesBefore),
		"channel_logins_expires", "sqlite_autoindex_channel_logins_1", "sqlite_autoindex_channel_logins_2",
		"inbox_setting_ids_value", "sqlite_autoindex_inbox_setting_ids_1", "faqs_account",
		"sqlite_autoindex_tone_policies_1", "sqlite_autoindex_mention_keywords_1", "sqlite_autoindex_mentions_1",
		"mentions_recent", "mentions_sentiment", "sqlite_autoindex_mention_matches_1", "mention_matches_recent",
		"mention_matches_message", "sqlite_autoindex_mention_cursors_1",
		// Version 21's AI settings and agent bots.
		"sqlite_autoindex_ai_settings_1", "agent_bots_account", "sqlite_autoindex_agent_bots_1",
		"message_analyses_account", "sqlite_autoindex_analysis_cursors_1", "conversations_status_sentiment", "conversations_status_mood",
		// Version 23's automation rules, runs and cursors.
		"automation_rules_account", "automation_runs_rule", "automation_runs_conversation", "sqlite_autoindex_automation_cursors_1",
		// Version 25's routing settings, capacities and turns.
		"routing_settings_account", "sqlite_autoindex_routing_settings_1", "sqlite_autoindex_routing_capacity_1", "sqlite_autoindex_routing_turns_1",
		// Version 26's rota shifts and swaps.
		"rota_shifts_account", "rota_swaps_account", "rota_swaps_open",
		// Version 27's macros.
		"macros_account",
		// Version 28's SLA policies, applied policies and events.
		"sla_policies_account", "sqlite_autoindex_conversation_slas_1", "sla_events_account", "sqlite_autoindex_sla_events_1",
		// Version 30's satisfaction surveys.
		"csat_surveys_account", "sqlite_autoindex_csat_surveys_1", "sqlite_autoindex_csat_inbox_settings_1", "widget_csat_account",
		// Version 29's report facts and cursors.
		"report_facts_opened", "report_facts_first_response", "report_facts_resolved", "report_facts_csat",
		// (Version 31's rollups replace version 29's by day: stored in key
		// order, WITHOUT ROWID, they have no index of their own.)
		"sqlite_autoindex_report_facts_1", "sqlite_autoindex_report_cursors_1",
		// Version 32's sentiment and term counts and their cursors.
		// (Version 33's term counts replace version 32's: stored in key
		// order, WITHOUT ROWID.)
		"sqlite_autoindex_voice_days_1", "sqlite_autoindex_voice_cursors_1",
		// Version 35's knowledge base.
		"accounts_slug", "sqlite_autoindex_help_centers_1", "sqlite_autoindex_help_centers_2", "kb_categories_account",
		"kb_articles_account", "kb_translations_account", "sqlite_autoindex_kb_translations_1", "sqlite_autoindex_kb_files_1",
		// Version 37's history of published versions.
		"kb_versions_article",
		// Version 38's messages by account, for searches in a small account.
		"messages_account")))
	if after := schemaNames(t, check, "index"); !slices.Equal(after, indexesWanted) {
		t.Errorf("indexes wanted after the migration:\n%v\nafter:\n%v", indexesWanted, after)
	}
	var violations int
	if err := check.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&violations); err != nil || violations != 0 {
		t.Errorf("foreign key check: %d violations, %v", violations, err)
	}

	// The migration left foreign keys on: deleting the inbox takes its
	// conversation and message with it.
	next := storetest.MustInbox(t, st, a.ID, "Next", "api")
	storetest.MustWrite(t, st, func(tx *store.Tx) error { return tx.DeleteInbox(ctx, a.ID, shop.ID) })
	if _, err := st.Conversation(ctx, a.ID, conv.ID); sahay.ErrorCode(err) != sahay.ENOTFOUND {
		t.Errorf("the deleted inbox's conversation: %v, want not_found", err)
	}
	var left int
	if err := check.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d messages left after their inbox was deleted (%v)", left, err)
	}
	if again := storetest.MustInbox(t, st, a.ID, "Again", "api"); again.ID <= next.ID {
		t.Errorf("a new inbox got id %d after %d was deleted", again.ID, next.ID)
	}
}

// schemaNames lists the names of the schema's objects of a type.
func schemaNames(t *testing.T, db *sql.DB, typ string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = $1 ORDER BY name`, typ)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

// dropTable drops a table of the SQLite database at path.
func dropTable(t *testing.T, path, table string) {
	t.Helper()
	execSQL(t, path, `DROP TABLE `+table)
}

// execSQL runs a statement on the database at path, beside the store that
// has it open.
func execSQL(t *testing.T, path, statement string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(statement); err != nil {
		t.Fatal(err)
	}
}
