-- +goose Up
-- Term counts gain the account's totals (inbox 0), so a report of every
-- inbox reads one row per term and day, keyed so that a report reads one
-- inbox's and language's days as one range; and the voice follower keeps
-- of each day over only its most frequent terms: compacted_day is the
-- last local day it has done so for (docs/reports.md, "How the voice
-- counts are kept").
CREATE TABLE voice_term_counts (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id BIGINT NOT NULL,
    language TEXT NOT NULL,
    day INTEGER NOT NULL,
    term TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, inbox_id, language, day, term)
);
INSERT INTO voice_term_counts (account_id, inbox_id, language, day, term, n)
    SELECT account_id, inbox_id, language, day, term, n FROM voice_terms;
INSERT INTO voice_term_counts (account_id, inbox_id, language, day, term, n)
    SELECT account_id, 0, language, day, term, SUM(n) FROM voice_terms GROUP BY account_id, language, day, term;
DROP TABLE voice_terms;
ALTER TABLE voice_cursors ADD COLUMN compacted_day INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE voice_cursors DROP COLUMN compacted_day;
CREATE TABLE voice_terms (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    language TEXT NOT NULL,
    term TEXT NOT NULL,
    inbox_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, language, term, inbox_id)
);
INSERT INTO voice_terms (account_id, day, language, term, inbox_id, n)
    SELECT account_id, day, language, term, inbox_id, n FROM voice_term_counts WHERE inbox_id <> 0;
DROP TABLE voice_term_counts;
