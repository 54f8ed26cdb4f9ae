-- +goose Up
-- An account's automation rules: on an event, when the conditions hold,
-- the actions run as the automation system actor. Conditions and actions
-- are JSON, validated by core before they are stored. Times are Unix
-- milliseconds.
CREATE TABLE automation_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    event TEXT NOT NULL,
    conditions TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX automation_rules_account ON automation_rules(account_id, id);

-- Each time a rule's conditions held for an event: what came of it.
CREATE TABLE automation_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    rule_id BIGINT NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL,
    event_seq BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX automation_runs_rule ON automation_runs(rule_id, id);
CREATE INDEX automation_runs_conversation ON automation_runs(conversation_id, at);

-- How far the automation engine has read each account's events.
CREATE TABLE automation_cursors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL
);

-- +goose Down
DROP TABLE automation_cursors;
DROP TABLE automation_runs;
DROP TABLE automation_rules;
