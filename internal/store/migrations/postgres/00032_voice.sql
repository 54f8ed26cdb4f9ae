-- +goose Up
-- The sentiment trend and the voice of the customer read counts kept by
-- the voice follower from the analysed incoming messages
-- (docs/reports.md). day is the local date in the account's time zone
-- as YYYYMMDD; language is the message's analysed language (en, bn, hi).

-- Customers' analysed messages per day, inbox, language and sentiment.
CREATE TABLE voice_days (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    inbox_id BIGINT NOT NULL,
    language TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, inbox_id, language, sentiment)
);

-- How many of those messages hold each term, per day, inbox and language.
CREATE TABLE voice_terms (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    language TEXT NOT NULL,
    term TEXT NOT NULL,
    inbox_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, language, term, inbox_id)
);

-- How far the voice follower has read each account's events; it moves
-- in the transaction that adds the counts, so each message counts once.
CREATE TABLE voice_cursors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL
);

-- +goose Down
DROP TABLE voice_cursors;
DROP TABLE voice_terms;
DROP TABLE voice_days;
