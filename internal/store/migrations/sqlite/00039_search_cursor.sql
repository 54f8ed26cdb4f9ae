-- +goose Up
-- Messages are indexed for search after they are stored, in transactions
-- of their own, rather than in the one that stores them: search_cursor
-- holds the id up to which messages_fts and message_terms hold every
-- message (ids are never reused, so every message above it is new). Every
-- message stored before this version was indexed with it.
CREATE TABLE search_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_to BIGINT NOT NULL
);
INSERT INTO search_cursor (id, indexed_to) VALUES (1, COALESCE((SELECT max(id) FROM messages), 0));

-- +goose Down
DROP TABLE search_cursor;
