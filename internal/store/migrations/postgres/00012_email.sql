-- +goose Up
-- An email message's headers and whole body, as JSON (sahay.Email); NULL
-- for the messages of other channels.
ALTER TABLE messages ADD COLUMN email TEXT;
-- The Content-ID of an email's inline image, which its HTML names.
ALTER TABLE attachments ADD COLUMN content_id TEXT NOT NULL DEFAULT '';
-- Where an inbox's worker is on its platform (an IMAP mailbox's
-- UIDVALIDITY and last UID fetched), so a restart neither fetches a
-- message twice nor misses one. The value is the adapter's own.
CREATE TABLE inbox_cursors (
    inbox_id BIGINT PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE inbox_cursors;
ALTER TABLE attachments DROP COLUMN content_id;
ALTER TABLE messages DROP COLUMN email;
