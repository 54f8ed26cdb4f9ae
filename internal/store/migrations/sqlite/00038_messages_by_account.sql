-- +goose Up
-- An account's messages newest first. A search in an account that holds a
-- small share of the conversations reads them through this index and
-- checks each one's words, instead of reading every account's matches
-- from messages_fts and rejecting the others'.
CREATE INDEX messages_account ON messages(account_id, id);

-- +goose Down
DROP INDEX messages_account;
