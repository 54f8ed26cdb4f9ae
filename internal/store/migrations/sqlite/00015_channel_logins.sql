-- +goose Up
-- An admin's sign-in to a platform to connect an inbox ("Connect with
-- Facebook"), kept for minutes. id is the nonce of the sign-in's state, so
-- a state is used once, whichever node it returns to; choice_key, set once
-- the platform answered, is how the dashboard names the sign-in, and
-- choices the accounts it may connect with their tokens, sealed with the
-- server's key. Times are Unix milliseconds.
CREATE TABLE channel_logins (
    id TEXT PRIMARY KEY,
    choice_key TEXT UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    choices TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX channel_logins_expires ON channel_logins (expires_at);

-- +goose Down
DROP TABLE channel_logins;
