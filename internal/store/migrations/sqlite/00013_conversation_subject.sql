-- +goose Up
-- The subject a conversation was opened with (an email's), shown in the
-- conversation list; empty for channels without subjects.
ALTER TABLE conversations ADD COLUMN subject TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE conversations DROP COLUMN subject;
