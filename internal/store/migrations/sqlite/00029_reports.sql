-- +goose Up
-- Reports read pre-aggregated facts, one row per conversation, kept by
-- the reports follower from the account's events (docs/reports.md).
-- Times are Unix milliseconds; *_day columns are the local date in the
-- account's time zone as YYYYMMDD; durations are whole seconds, the
-- *_bs ones counted in the inbox's business hours. A NULL duration is
-- not measured (no first response yet, not resolved).
CREATE TABLE report_facts (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL,
    inbox_id BIGINT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    team_id BIGINT NOT NULL DEFAULT 0,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    opened_day INTEGER NOT NULL,
    clock_at BIGINT,
    bot_handoff INTEGER NOT NULL DEFAULT 0,
    first_response_at BIGINT,
    first_response_day INTEGER,
    first_response_s BIGINT,
    first_response_bs BIGINT,
    resolved_at BIGINT,
    resolved_day INTEGER,
    resolution_s BIGINT,
    resolution_bs BIGINT,
    resolves INTEGER NOT NULL DEFAULT 0,
    reopens INTEGER NOT NULL DEFAULT 0,
    agent_replies INTEGER NOT NULL DEFAULT 0,
    csat_rating INTEGER,
    csat_day INTEGER,
    PRIMARY KEY (account_id, conversation_id)
);
CREATE INDEX report_facts_opened ON report_facts(account_id, opened_day, inbox_id);
CREATE INDEX report_facts_first_response ON report_facts(account_id, first_response_day, first_response_s);
CREATE INDEX report_facts_resolved ON report_facts(account_id, resolved_day, resolution_s);
CREATE INDEX report_facts_csat ON report_facts(account_id, csat_day);

-- Per local day and inbox (inbox 0: all of them), how many conversations count in each metric,
-- by bucket: a duration's histogram bucket (see store.ReportBucket), a
-- rating for csat, 0 otherwise. Kept with the facts, in their
-- transaction; a summary sums these rows.
CREATE TABLE report_days (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    inbox_id BIGINT NOT NULL,
    metric TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, inbox_id, metric, bucket)
);

-- How far the reports follower has read each account's events; it moves
-- in the transaction that writes the facts, so each event counts once.
CREATE TABLE report_cursors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL
);

-- +goose Down
DROP TABLE report_cursors;
DROP TABLE report_days;
DROP TABLE report_facts;
