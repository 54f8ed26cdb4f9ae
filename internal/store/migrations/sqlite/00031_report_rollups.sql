-- +goose Up
-- Reports count every filter from rollups: report_days, per inbox only,
-- gives way to report_rollups, per scope. The facts gain what the new
-- figures need (labels, next responses, SLA breaches, bot hand-offs,
-- surveys asked, replies per day). Facts derive from the events, so they
-- are rebuilt rather than converted: with the cursors gone the reports
-- follower folds every account again from its first event.
DROP TABLE report_days;
DROP TABLE report_facts;
DELETE FROM report_cursors;

-- One row per conversation (docs/reports.md). Times are Unix
-- milliseconds; *_day columns are local dates in the account's time zone
-- as YYYYMMDD; durations are whole seconds, *_bs ones in business hours.
-- labels is ",name,name," (names have no commas); next_responses is
-- "day:seconds:business_seconds" per next response and reply_days
-- "day:replies" per day, joined by ";".
CREATE TABLE report_facts (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL,
    inbox_id BIGINT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    team_id BIGINT NOT NULL DEFAULT 0,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    labels TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    opened_day INTEGER NOT NULL,
    opened_hour INTEGER NOT NULL DEFAULT 0,
    clock_at BIGINT,
    bot_held INTEGER NOT NULL DEFAULT 0,
    bot_handoff INTEGER NOT NULL DEFAULT 0,
    handoff_day INTEGER,
    first_response_at BIGINT,
    first_response_day INTEGER,
    first_response_s BIGINT,
    first_response_bs BIGINT,
    waiting_at BIGINT,
    next_responses TEXT NOT NULL DEFAULT '',
    resolved_at BIGINT,
    resolved_day INTEGER,
    resolution_s BIGINT,
    resolution_bs BIGINT,
    resolves INTEGER NOT NULL DEFAULT 0,
    reopens INTEGER NOT NULL DEFAULT 0,
    agent_replies INTEGER NOT NULL DEFAULT 0,
    reply_days TEXT NOT NULL DEFAULT '',
    sla_breached INTEGER NOT NULL DEFAULT 0,
    asked_day INTEGER,
    csat_rating INTEGER,
    csat_day INTEGER,
    PRIMARY KEY (account_id, conversation_id)
);
CREATE INDEX report_facts_opened ON report_facts(account_id, opened_day, inbox_id);
CREATE INDEX report_facts_first_response ON report_facts(account_id, first_response_day, first_response_s);
CREATE INDEX report_facts_resolved ON report_facts(account_id, resolved_day, resolution_s);
CREATE INDEX report_facts_csat ON report_facts(account_id, csat_day);

-- How many conversations count in each metric per scope, local day and
-- bucket. A scope is "" (the whole account), "inbox:<id>", "team:<id>",
-- "agent:<id>" (the assignee), "channel:<name>" or "label:<name>"; a
-- bucket is a duration's histogram bucket (store.ReportBucket), a rating
-- for csat, the local hour for opened, 0 otherwise. Kept with the facts,
-- in their transaction; the key is in the order a report reads it, and
-- the rows are stored in that order (WITHOUT ROWID), so a report reads
-- them in a range without a lookup each.
CREATE TABLE report_rollups (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    metric TEXT NOT NULL,
    day INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, scope, metric, day, bucket)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE report_rollups;
DROP TABLE report_facts;
DELETE FROM report_cursors;
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
CREATE TABLE report_days (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    inbox_id BIGINT NOT NULL,
    metric TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, inbox_id, metric, bucket)
);
