-- +goose Up
-- The journal of verified platform requests. A webhook is answered only
-- after its request is committed here; a worker then parses and processes
-- it, retrying with backoff, so nothing acknowledged is lost. A platform's
-- retry of the same event (same inbox, same key) is stored once. The table
-- of the first version was never written to, so it is replaced.
DROP TABLE raw_events;
CREATE TABLE raw_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    dedupe_key TEXT NOT NULL,
    body BLOB NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    received_at BIGINT NOT NULL,
    processed_at BIGINT
);
CREATE UNIQUE INDEX raw_events_dedupe ON raw_events(inbox_id, dedupe_key);
CREATE INDEX raw_events_due ON raw_events(state, run_at);
CREATE INDEX raw_events_account ON raw_events(account_id, state, id);

-- +goose Down
SELECT 1;
