-- +goose Up
-- Every word messages_fts has indexed, as FTS5 stored it (case and Latin
-- diacritics folded). Search spells the last, still-typed query word out as
-- the indexed words it starts, which FTS5 reads newest first and stops at
-- the limit; a prefix query ("order"*) instead merges the whole doclist of
-- every such word before returning one row. Written with the index, just
-- before COMMIT; words are never removed (one with no messages left matches
-- nothing). Filled here from the index itself, which takes a read of the
-- whole index once.
CREATE TABLE message_terms (
    term TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.messages_fts_words USING fts5vocab(main, messages_fts, row);
INSERT INTO message_terms (term) SELECT term FROM temp.messages_fts_words;
DROP TABLE temp.messages_fts_words;

-- +goose Down
DROP TABLE message_terms;
