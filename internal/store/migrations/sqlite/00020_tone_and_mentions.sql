-- +goose Up
-- What a team wrote about its own replies (nlp.TonePolicy): phrases never
-- to write and promises it does not make, each a JSON array of strings.
CREATE TABLE tone_policies (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    forbidden TEXT NOT NULL DEFAULT '[]',
    promises TEXT NOT NULL DEFAULT '[]',
    updated_at BIGINT NOT NULL
);
-- The keywords and brand names an account follows in the public comments
-- and mentions of its channels; normalized is the term as textnorm folds
-- it, which matching compares. AUTOINCREMENT: a deleted keyword's id is
-- never given to another.
CREATE TABLE mention_keywords (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'keyword',
    normalized TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, normalized)
);
-- A customer's public message that names a followed keyword, with its
-- sentiment when it was matched; created_at is the message's. Paged newest
-- first by (created_at, message_id).
CREATE TABLE mentions (
    message_id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL,
    sentiment TEXT NOT NULL,
    score REAL NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX mentions_recent ON mentions(account_id, created_at, message_id);
CREATE INDEX mentions_sentiment ON mentions(account_id, sentiment, created_at, message_id);
-- Which keywords each mention names.
CREATE TABLE mention_matches (
    keyword_id BIGINT NOT NULL REFERENCES mention_keywords(id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES mentions(message_id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (keyword_id, message_id)
);
CREATE INDEX mention_matches_recent ON mention_matches(keyword_id, created_at, message_id);
CREATE INDEX mention_matches_message ON mention_matches(message_id);
-- How far the mention matcher has read each account's events.
CREATE TABLE mention_cursors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL
);

-- +goose Down
DROP TABLE mention_cursors;
DROP TABLE mention_matches;
DROP TABLE mentions;
DROP TABLE mention_keywords;
DROP TABLE tone_policies;
