-- +goose Up
-- Customers' analysed messages per day and sentiment for each team,
-- assignee and label their conversation had when the voice follower
-- counted them: the sentiment trend of one team, agent or label
-- (docs/reports.md). scope is "team:<id>", "agent:<id>" or
-- "label:<name>", as in report_rollups.
CREATE TABLE voice_scope_days (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    day INTEGER NOT NULL,
    sentiment TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, scope, day, sentiment)
);

-- +goose Down
DROP TABLE voice_scope_days;
