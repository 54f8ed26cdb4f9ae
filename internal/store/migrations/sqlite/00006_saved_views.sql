-- +goose Up
-- A saved view: a user's named conversation-list filters, private, shared
-- with one team, or shared with the whole account. AUTOINCREMENT: a deleted
-- view's id is never given to another.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '{}',
    visibility TEXT NOT NULL DEFAULT 'private',
    team_id BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, name)
);
CREATE INDEX saved_views_account ON saved_views(account_id, visibility, team_id);

-- +goose Down
DROP TABLE saved_views;
