-- +goose Up
-- Keep each message's search vector in the row. Filtering a row is then a
-- read instead of a to_tsvector call, and the column has statistics, so the
-- planner can tell a rare word (read its few rows from the GIN index) from a
-- common one (walk the newest messages until enough match).
ALTER TABLE messages ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
DROP INDEX messages_search;
CREATE INDEX messages_search ON messages USING GIN (search_tsv);
ANALYZE messages;

-- +goose Down
DROP INDEX messages_search;
ALTER TABLE messages DROP COLUMN search_tsv;
CREATE INDEX messages_search ON messages USING GIN (to_tsvector('simple', search_text));
