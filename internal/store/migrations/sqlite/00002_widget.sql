-- +goose Up
-- Website visitors of widget inboxes: who came back, and when. Subject is
-- "v:<random>" for an anonymous visitor or "u:<site user id>" for one the
-- site identified with a verified setUser call.
CREATE TABLE widget_visitors (
    inbox_id BIGINT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    visits BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (inbox_id, subject)
);

-- How often each proactive campaign was shown and answered.
CREATE TABLE widget_campaign_stats (
    inbox_id BIGINT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    campaign_id TEXT NOT NULL,
    shown BIGINT NOT NULL DEFAULT 0,
    replied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (inbox_id, campaign_id)
);

-- One satisfaction rating per resolved conversation; a later rating
-- replaces the earlier one.
CREATE TABLE widget_csat (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX widget_csat_inbox ON widget_csat(inbox_id, created_at);

-- Carts and orders reported by the widget SDK or a shop's webhooks.
CREATE TABLE commerce_orders (
    id INTEGER PRIMARY KEY,
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
CREATE INDEX commerce_orders_contact ON commerce_orders(account_id, contact_id, updated_at);

-- How far the team has read each widget conversation, for the visitor's
-- "seen" receipts.
CREATE TABLE widget_reads (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    seen_upto BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE widget_reads;
DROP TABLE commerce_orders;
DROP TABLE widget_csat;
DROP TABLE widget_campaign_stats;
DROP TABLE widget_visitors;
