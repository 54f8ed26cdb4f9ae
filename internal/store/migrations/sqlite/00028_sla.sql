-- +goose Up
-- SLA policies: response and resolution targets in seconds (0: none),
-- counted in business hours or calendar time. A policy applies to the
-- conversations its lists match (inbox, team, label, priority; an empty
-- list matches every value); of the policies that match, the one with
-- the lowest position wins. Lists are JSON arrays. Times are Unix
-- milliseconds.
CREATE TABLE sla_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    inbox_ids TEXT NOT NULL DEFAULT '[]',
    team_ids TEXT NOT NULL DEFAULT '[]',
    labels TEXT NOT NULL DEFAULT '[]',
    priorities TEXT NOT NULL DEFAULT '[]',
    first_response_seconds BIGINT NOT NULL DEFAULT 0,
    next_response_seconds BIGINT NOT NULL DEFAULT 0,
    resolution_seconds BIGINT NOT NULL DEFAULT 0,
    business_hours INTEGER NOT NULL DEFAULT 0,
    warn_percent INTEGER NOT NULL DEFAULT 0,
    warn_seconds BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sla_policies_account ON sla_policies(account_id, position);

-- Every account starts with one policy: first response within an hour.
INSERT INTO sla_policies (account_id, name, position, first_response_seconds, warn_percent, created_at, updated_at)
    SELECT id, 'First response within one hour', 0, 3600, 80, created_at, created_at FROM accounts;

-- The policy a rule's apply_sla action set on a conversation, overriding
-- the matching ones.
CREATE TABLE conversation_slas (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    policy_id BIGINT NOT NULL REFERENCES sla_policies(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

-- Warnings and breaches, each recorded once: the unique key is what
-- keeps two nodes, or a node restarting, from notifying twice.
CREATE TABLE sla_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    policy_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (conversation_id, kind, target, due_at)
);
CREATE INDEX sla_events_account ON sla_events(account_id, created_at);

-- +goose Down
DROP TABLE sla_events;
DROP TABLE conversation_slas;
DROP TABLE sla_policies;
