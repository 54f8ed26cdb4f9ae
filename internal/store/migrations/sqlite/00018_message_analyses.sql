-- +goose Up
-- What the analyzer read in each incoming message. A table of its own
-- rather than columns on messages: the analysis is written after the
-- message, by the scorer, and an UPDATE of messages would rewrite the
-- rows Receive has just written (and, on PostgreSQL, their index entries)
-- while Receive goes on writing beside them. Insert-only rows here leave
-- the receive path's table alone.
CREATE TABLE message_analyses (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    language TEXT NOT NULL,
    script TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    emotion TEXT NOT NULL DEFAULT '',
    urgency DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX message_analyses_account ON message_analyses(account_id, message_id);

-- A conversation's mood: the label, emotion and urgency of the customer's
-- latest analysed message (its score is the sentiment column), the
-- moving average of their scores and the trend against it.
ALTER TABLE conversations ADD COLUMN mood TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN mood_trend TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN emotion TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN urgency DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN sentiment_average DOUBLE PRECISION NOT NULL DEFAULT 0;

-- The most-negative-first sort and the mood filter, served from indexes.
-- Neither holds last_activity_at, which every received message changes:
-- they cost nothing on the receive path. The sort expression must stay
-- identical to the sort key in Store.Conversations.
CREATE INDEX conversations_status_sentiment ON conversations(account_id, status, (CAST(sentiment * -1000000 AS BIGINT)), id);
CREATE INDEX conversations_status_mood ON conversations(account_id, status, mood, (CAST(sentiment * -1000000 AS BIGINT)), id);

-- How far the scorer has read each account's events. Existing accounts
-- start at their latest event: messages received before this version
-- are not scored.
CREATE TABLE analysis_cursors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL
);
INSERT INTO analysis_cursors (account_id, seq) SELECT id, event_seq FROM accounts;

-- +goose Down
DROP TABLE analysis_cursors;
DROP INDEX conversations_status_mood;
DROP INDEX conversations_status_sentiment;
ALTER TABLE conversations DROP COLUMN sentiment_average;
ALTER TABLE conversations DROP COLUMN urgency;
ALTER TABLE conversations DROP COLUMN emotion;
ALTER TABLE conversations DROP COLUMN mood_trend;
ALTER TABLE conversations DROP COLUMN mood;
DROP TABLE message_analyses;
