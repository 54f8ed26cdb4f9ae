-- +goose Up
-- A public conversation holds a customer's comments on one post; topic
-- keeps it apart from their private conversation in the same inbox
-- ("post:<id>"; empty for the private one). post is the post as JSON
-- (sahay.Post). A public conversation and the private one its "reply
-- privately" opened name each other in linked_conversation_id.
ALTER TABLE conversations ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE conversations ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN post TEXT;
ALTER TABLE conversations ADD COLUMN linked_conversation_id BIGINT NOT NULL DEFAULT 0;
-- When the customer last wrote: the start of a platform's messaging window.
ALTER TABLE conversations ADD COLUMN last_incoming_at BIGINT;
-- A message everyone can see (a comment, a public reply), and what a
-- message of a messaging platform carries besides text and files, as
-- JSON (sahay.MessageDetails).
ALTER TABLE messages ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE messages ADD COLUMN details TEXT;
-- The message templates of an inbox's platform account (WhatsApp), as
-- last synced.
CREATE TABLE channel_templates (
    inbox_id BIGINT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    header TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    footer TEXT NOT NULL DEFAULT '',
    buttons TEXT NOT NULL DEFAULT '[]',
    params INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (inbox_id, name, language)
);

-- +goose Down
DROP TABLE channel_templates;
ALTER TABLE messages DROP COLUMN details;
ALTER TABLE messages DROP COLUMN public;
ALTER TABLE conversations DROP COLUMN last_incoming_at;
ALTER TABLE conversations DROP COLUMN linked_conversation_id;
ALTER TABLE conversations DROP COLUMN post;
ALTER TABLE conversations DROP COLUMN topic;
ALTER TABLE conversations DROP COLUMN public;
