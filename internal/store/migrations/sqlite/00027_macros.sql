-- +goose Up
-- Macros: a named list of actions an agent runs on a conversation. A
-- personal macro belongs to user_id and goes with them; an account
-- macro (user_id NULL) is everyone's. Actions are JSON, validated by
-- core before they are stored. Times are Unix milliseconds.
CREATE TABLE macros (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    created_by BIGINT NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX macros_account ON macros(account_id, user_id);

-- +goose Down
DROP TABLE macros;
