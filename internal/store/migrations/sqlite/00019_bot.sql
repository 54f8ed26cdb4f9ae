-- +goose Up
-- The built-in bot's questions and answers. An entry without an inbox is
-- offered in every inbox of the account. phrasings is a JSON array of the
-- other ways customers ask the question. AUTOINCREMENT: a deleted entry's
-- id, which bot replies name, is never given to another.
CREATE TABLE faqs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    inbox_id BIGINT REFERENCES inboxes(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    question TEXT NOT NULL,
    phrasings TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX faqs_account ON faqs(account_id, id);

-- Each inbox's bot: on or off, and its thresholds and expected wait as a
-- JSON object (sahay.BotSettings). An inbox without a row has the bot off.
-- Receive reads it by key only when a message opens a conversation.
CREATE TABLE inbox_bots (
    inbox_id INTEGER PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL DEFAULT '{}'
);

-- +goose Down
DROP TABLE inbox_bots;
DROP TABLE faqs;
