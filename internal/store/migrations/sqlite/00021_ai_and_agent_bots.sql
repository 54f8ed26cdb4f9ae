-- +goose Up
-- An account's optional AI endpoint (OpenAI-compatible): its base URL,
-- model and API key, the key sealed with the server's key like inbox
-- credentials. No row: AI is off. Times are Unix milliseconds.
CREATE TABLE ai_settings (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    base_url TEXT NOT NULL,
    model TEXT NOT NULL,
    api_key TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

-- An inbox's external agent bot: the webhook that receives each customer
-- message of the conversations the bot owns, and the secret (sealed)
-- that signs them.
CREATE TABLE agent_bots (
    inbox_id BIGINT PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    webhook_url TEXT NOT NULL,
    secret TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agent_bots_account ON agent_bots(account_id);

-- A token with a bot inbox is an agent bot's: it acts only on that
-- inbox's conversations, and its messages are the bot's.
ALTER TABLE api_tokens ADD COLUMN bot_inbox_id BIGINT REFERENCES inboxes(id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN bot_inbox_id;
DROP TABLE agent_bots;
DROP TABLE ai_settings;
