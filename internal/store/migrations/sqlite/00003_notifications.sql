-- +goose Up
-- An event meant for one user only (a notification) names them.
ALTER TABLE events ADD COLUMN user_id BIGINT NOT NULL DEFAULT 0;

-- Which notifications a user wants, by kind and by way: {"mentioned":{"email":false}}.
ALTER TABLE users ADD COLUMN notify_prefs TEXT NOT NULL DEFAULT '{}';

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
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
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);

-- Values every node must share, such as the Web Push (VAPID) key pair.
CREATE TABLE server_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
SELECT 1;
