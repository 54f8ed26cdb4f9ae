-- +goose Up
-- The published body's plain text, kept when the translation is
-- published, so a help center's search index is rebuilt without parsing
-- every article's Markdown again.
ALTER TABLE kb_translations ADD COLUMN pub_text TEXT;

-- +goose Down
ALTER TABLE kb_translations DROP COLUMN pub_text;
