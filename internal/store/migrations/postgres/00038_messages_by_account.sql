-- +goose Up
-- An account's messages newest first. A search in an account that holds a
-- small share of the messages reads them through this index and checks
-- each one's words, instead of reading every account's matches from the
-- GIN index and rejecting the others'.
CREATE INDEX messages_account ON messages(account_id, id);
ANALYZE messages;

-- +goose Down
DROP INDEX messages_account;
