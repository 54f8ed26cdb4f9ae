-- +goose NO TRANSACTION
-- +goose Up
-- Ids are never reused. A SQLite rowid table without AUTOINCREMENT hands
-- out max(id)+1, so after the newest inbox (or contact, message…) is
-- deleted the next one gets its id, and an id a client or a link still
-- holds points at another object. AUTOINCREMENT needs the tables rebuilt:
-- each is copied into a new table with the same columns, ids and indexes,
-- following SQLite's procedure for schema changes (foreign keys off around
-- one transaction, so dropping a table cascades nowhere). The full-text
-- tables are keyed by the same ids and stay as they are. Each table's
-- counter starts at its highest id: an id deleted before this version from
-- above every remaining one can be handed out once more, as nothing records
-- it. PostgreSQL's identity columns never reused ids; its migration of this
-- number is empty.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE accounts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    locales TEXT NOT NULL DEFAULT '["en"]',
    reopen_window_seconds BIGINT NOT NULL DEFAULT 604800,
    event_seq BIGINT NOT NULL DEFAULT 0,
    conversation_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
INSERT INTO accounts_new SELECT * FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '[]',
    locale TEXT NOT NULL DEFAULT 'en',
    availability TEXT NOT NULL DEFAULT 'offline',
    created_at BIGINT NOT NULL,
    notify_prefs TEXT NOT NULL DEFAULT '{}',
    failed_logins INTEGER NOT NULL DEFAULT 0,
    login_locked_until BIGINT NOT NULL DEFAULT 0
);
INSERT INTO users_new SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_account ON users(account_id);

CREATE TABLE api_tokens_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
INSERT INTO api_tokens_new SELECT * FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;

CREATE TABLE teams_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, name)
);
INSERT INTO teams_new SELECT * FROM teams;
DROP TABLE teams;
ALTER TABLE teams_new RENAME TO teams;

CREATE TABLE inboxes_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    secrets TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
INSERT INTO inboxes_new SELECT * FROM inboxes;
DROP TABLE inboxes;
ALTER TABLE inboxes_new RENAME TO inboxes;
CREATE INDEX inboxes_account ON inboxes(account_id);

CREATE TABLE contacts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '{}',
    search_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO contacts_new SELECT * FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_new RENAME TO contacts;
CREATE INDEX contacts_account ON contacts(account_id, id);

CREATE TABLE contact_identities_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    namespace TEXT NOT NULL,
    external_id TEXT NOT NULL,
    UNIQUE (account_id, namespace, external_id)
);
INSERT INTO contact_identities_new SELECT * FROM contact_identities;
DROP TABLE contact_identities;
ALTER TABLE contact_identities_new RENAME TO contact_identities;
CREATE INDEX contact_identities_contact ON contact_identities(contact_id);

CREATE TABLE conversations_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    display_id BIGINT NOT NULL,
    inbox_id BIGINT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    team_id BIGINT NOT NULL DEFAULT 0,
    snoozed_until BIGINT,
    waiting_since BIGINT,
    first_reply_at BIGINT,
    last_activity_at BIGINT NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    sentiment DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_message TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    resolved_at BIGINT,
    UNIQUE (account_id, display_id)
);
INSERT INTO conversations_new SELECT * FROM conversations;
DROP TABLE conversations;
ALTER TABLE conversations_new RENAME TO conversations;
CREATE INDEX conversations_activity ON conversations(account_id, last_activity_at, id);
CREATE INDEX conversations_status_activity ON conversations(account_id, status, last_activity_at, id);
CREATE INDEX conversations_inbox_activity ON conversations(inbox_id, status, last_activity_at, id);
CREATE INDEX conversations_assignee_activity ON conversations(account_id, assignee_id, status, last_activity_at, id);
CREATE INDEX conversations_team_activity ON conversations(account_id, team_id, status, last_activity_at, id);
CREATE INDEX conversations_contact ON conversations(contact_id, inbox_id, status);
CREATE INDEX conversations_status_priority ON conversations(account_id, status, priority, last_activity_at, id);
CREATE INDEX conversations_status_waiting ON conversations(account_id, status, (-COALESCE(waiting_since, 9007199254740992)), id);

CREATE TABLE labels_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    color TEXT NOT NULL DEFAULT '#6b7280',
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, name)
);
INSERT INTO labels_new SELECT * FROM labels;
DROP TABLE labels;
ALTER TABLE labels_new RENAME TO labels;

CREATE TABLE messages_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    sender_type TEXT NOT NULL,
    sender_id BIGINT NOT NULL DEFAULT 0,
    content TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    status TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
INSERT INTO messages_new SELECT * FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_conversation ON messages(conversation_id, id);
CREATE UNIQUE INDEX messages_external ON messages(inbox_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE attachments_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO attachments_new SELECT * FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_message ON attachments(message_id);

CREATE TABLE canned_responses_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    short_code TEXT NOT NULL,
    content TEXT NOT NULL,
    UNIQUE (account_id, short_code)
);
INSERT INTO canned_responses_new SELECT * FROM canned_responses;
DROP TABLE canned_responses;
ALTER TABLE canned_responses_new RENAME TO canned_responses;

CREATE TABLE jobs_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    run_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
INSERT INTO jobs_new SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_due ON jobs(state, run_at);

CREATE TABLE audit_log_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL DEFAULT 0,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id BIGINT NOT NULL DEFAULT 0,
    details TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
INSERT INTO audit_log_new SELECT * FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_account ON audit_log(account_id, id);

CREATE TABLE commerce_orders_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    total TEXT NOT NULL DEFAULT '0',
    currency TEXT NOT NULL DEFAULT '',
    items TEXT NOT NULL DEFAULT '[]',
    url TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, source, kind, external_id)
);
INSERT INTO commerce_orders_new SELECT * FROM commerce_orders;
DROP TABLE commerce_orders;
ALTER TABLE commerce_orders_new RENAME TO commerce_orders;
CREATE INDEX commerce_orders_contact ON commerce_orders(account_id, contact_id, updated_at);

CREATE TABLE notifications_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    conversation_id BIGINT NOT NULL DEFAULT 0,
    message_id BIGINT NOT NULL DEFAULT 0,
    actor_id BIGINT NOT NULL DEFAULT 0,
    body TEXT NOT NULL DEFAULT '',
    read_at BIGINT,
    created_at BIGINT NOT NULL
);
INSERT INTO notifications_new SELECT * FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TABLE push_subscriptions_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO push_subscriptions_new SELECT * FROM push_subscriptions;
DROP TABLE push_subscriptions;
ALTER TABLE push_subscriptions_new RENAME TO push_subscriptions;
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);

COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
SELECT 1;
